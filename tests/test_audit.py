"""The audit: tables indexed like the area, combined scores, saving atomically."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpted
from cpted.audit import combine_scores


@pytest.fixture(scope="module")
def result(neukoelln):
    return cpted.audit(neukoelln, progress=False)


def test_segments_and_sites_are_indexed_like_the_area(result, neukoelln):
    assert result.segments.index.equals(neukoelln.streets.index)
    assert result.sites.index.equals(neukoelln.sites.index)
    assert {"length", "lit", "highway", "name"} <= set(result.segments.columns)
    assert result.segments.crs == neukoelln.crs


def test_scores_stay_within_0_and_100(result):
    for table in (result.segments, result.sites):
        for column in [c for c in table.columns if c.endswith("_score")]:
            values = pd.to_numeric(table[column], errors="coerce").dropna()
            assert values.between(0, 100).all(), column


def test_unknown_principle(neukoelln):
    with pytest.raises(cpted.InputError, match="Unknown principles"):
        cpted.audit(neukoelln, principles=("feng_shui",), progress=False)


def test_no_principle_gives_the_plain_streets(neukoelln):
    plain = cpted.audit(neukoelln, principles=(), progress=False)
    assert plain.principles == ()
    assert "cpted_score" not in plain.segments.columns
    assert plain.segments["length"].sum() == pytest.approx(neukoelln.streets["length"].sum())


def test_combined_score_weights_and_confidence():
    table = pd.DataFrame(
        {
            "lighting_score": [80.0, 80.0, np.nan],
            "lighting_confidence": [1.0, 1.0, 1.0],
            "access_score": [40.0, np.nan, np.nan],
            "access_confidence": [0.5, 1.0, 1.0],
        }
    )
    out = combine_scores(table)
    assert out["cpted_score"].iloc[0] == pytest.approx(60.0)
    # a missing principle lowers confidence, never the score
    assert out["cpted_score"].iloc[1] == pytest.approx(80.0)
    assert out["cpted_confidence"].iloc[1] < out["cpted_confidence"].iloc[0] + 0.5
    assert np.isnan(out["cpted_score"].iloc[2])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0, 1)), min_size=1, max_size=20
    )
)
def test_combined_score_is_between_its_parts(rows):
    table = pd.DataFrame(rows, columns=["lighting_score", "access_score", "access_confidence"])
    out = combine_scores(table)
    low = table[["lighting_score", "access_score"]].min(axis=1)
    high = table[["lighting_score", "access_score"]].max(axis=1)
    assert (out["cpted_score"] >= low - 1e-9).all() and (out["cpted_score"] <= high + 1e-9).all()
    assert out["cpted_confidence"].between(0, 1).all()


def test_save_writes_gis_files_that_read_back(result, tmp_path):
    folder = result.save(tmp_path / "out")
    layers = {name for name, _ in pyogrio.list_layers(folder / "cpted.gpkg")}
    assert {"segments", "sites", "buildings", "barriers", "lamps", "entrances", "pois"} <= layers
    back = gpd.read_file(folder / "cpted.gpkg", layer="segments")
    assert len(back) == len(result.segments)
    assert back.crs == result.segments.crs
    csv = pd.read_csv(folder / "segments.csv", index_col=0)
    assert len(csv) == len(result.segments)
    for raster in result.rasters:
        assert (folder / f"{raster}.tif").exists()


def test_save_refuses_to_overwrite(result, tmp_path):
    folder = result.save(tmp_path / "out")
    with pytest.raises(cpted.InputError, match="exists already"):
        result.save(folder)
    result.save(folder, force=True)
    assert (folder / "map.html").exists()


def test_failed_save_leaves_nothing(result, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cpted.Audit, "to_map", broken)
    with pytest.raises(OSError, match="disk full"):
        result.save(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_repr_and_summary(result):
    assert "Audit of" in repr(result)
    page = result._repr_html_()
    assert "CPTED audit" in page and "data quality" in page
    summary = result.summary()
    assert set(summary.columns) == {"mean", "min", "max", "scored"}
    assert ("segments", "lighting_score") in summary.index
    # in words for people: the notebook's repr shows these, never a tuple
    readable = result.summary(readable=True)
    assert "street segments: Lighting" in readable.index
    assert "public spaces: Combined CPTED score" in readable.index
    assert readable.to_numpy().tolist() == summary.to_numpy().tolist()
    assert "street segments: Natural surveillance" in page
    assert "(&#x27;segments&#x27;" not in page and "('segments'" not in page


def test_save_shows_progress_only_when_asked(hostile_osm, tmp_path, capsys):
    small = cpted.audit(cpted.area_from_file(hostile_osm), progress=False)
    capsys.readouterr()
    small.save(tmp_path / "quiet")
    assert capsys.readouterr().err == ""
    small.save(tmp_path / "shown", progress=True)
    err = capsys.readouterr().err.replace("\r", "\n")
    # the manifest and the QGIS sidecar style of the lux raster are not steps of their own
    written = len([p for p in (tmp_path / "shown").iterdir() if p.suffix not in {".json", ".qml"}])
    names = pyogrio.list_layers(tmp_path / "shown" / "cpted.gpkg")[:, 0]
    layers = len([n for n in names if n != "layer_styles"])
    steps = written - 1 + layers  # the GeoPackage counts one step per layer
    assert "Saving the audit: 100%" in err and f"{steps}/{steps}" in err
    assert "report.html" in err


def test_worst_segments(result):
    if "cpted_score" not in result.segments:
        pytest.skip("no principle module scored segments")
    worst = result.worst_segments(5)
    assert len(worst) == 5
    assert worst["cpted_score"].is_monotonic_increasing
    # fragments shorter than the minimum stay out of the ranking, unless asked for
    assert (worst["length"] >= cpted.settings.WORST_SEGMENT_MIN_LENGTH).all()
    everything = result.worst_segments(5, min_length=0)
    assert everything["cpted_score"].iloc[0] <= worst["cpted_score"].iloc[0]
    assert everything["length"].min() < cpted.settings.WORST_SEGMENT_MIN_LENGTH
    with pytest.raises(cpted.InputError, match="No column"):
        result.worst_segments(score="beauty_score")


# -- weights -----------------------------------------------------------------------------


def test_weights_change_the_combined_score_by_the_rule(neukoelln, result):
    heavy = cpted.audit(neukoelln, weights={"lighting": 3.0}, progress=False)
    assert heavy.weights["lighting"] == 3.0 and heavy.weights["access"] == 1.0
    seg = heavy.segments
    parts = {p: seg[f"{p}_score"] for p in ("sightlines", "lighting", "surveillance", "access")}
    w = {"sightlines": 1.0, "lighting": 3.0, "surveillance": 1.0, "access": 1.0}
    have = {p: s.notna() for p, s in parts.items()}
    num = sum(parts[p].fillna(0) * w[p] for p in parts)
    den = sum(have[p] * w[p] for p in parts)
    expected = (num / den).where(den > 0)
    np.testing.assert_allclose(seg["cpted_score"], expected, rtol=1e-9)
    # the principle scores themselves do not depend on the weights
    pd.testing.assert_series_equal(seg["lighting_score"], result.segments["lighting_score"])


def test_weights_from_a_toml_file(neukoelln, tmp_path):
    path = tmp_path / "weights.toml"
    path.write_text("[weights]\nlighting = 2.0\naccess = 0\n", encoding="utf-8")
    from cpted.audit import read_weights

    weights = read_weights(path)
    assert weights == {"sightlines": 1.0, "lighting": 2.0, "surveillance": 1.0, "access": 0.0}
    table = pd.DataFrame({"lighting_score": [90.0], "access_score": [10.0]})
    assert combine_scores(table, weights=str(path))["cpted_score"].iloc[0] == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("lighting = -1", "not a non-negative number"),
        ("beauty = 2", "unknown principle 'beauty'"),
        ("lighting = 'high'", "not a non-negative number"),
        ("sightlines = 0\nlighting = 0\nsurveillance = 0\naccess = 0", "Every score weight is 0"),
        ("lighting = = 2", "not a TOML file"),
    ],
)
def test_bad_weights(tmp_path, content, match):
    from cpted.audit import read_weights

    path = tmp_path / "weights.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(cpted.InputError, match=match):
        read_weights(path)


def test_missing_weights_file(neukoelln, tmp_path):
    with pytest.raises(cpted.InputError, match="No such weights file"):
        cpted.audit(neukoelln, weights=tmp_path / "nope.toml", progress=False)


# -- explanations and recommendations ----------------------------------------------------


def test_losses_by_hand():
    from cpted._explain import losses

    # P4 needs 5 lx average and 1 lx minimum: 2.5 lx and 0.5 lx meet half of each
    table = pd.DataFrame(
        {
            "lighting_score": [50.0],
            "lux_mean_scored": [2.5],
            "lux_min_scored": [0.5],
            "p_class_required": ["P4"],
            "lighting_basis": ["measured"],
            "access_score": [100.0],
            "link_node_ratio_400": [2.0],
        }
    )
    lost = losses(table, kind="segment", weights={"lighting": 1.0, "access": 1.0})
    by_part = lost.set_index("part")["points"]
    assert by_part["average"] == pytest.approx(25.0)
    assert by_part["minimum"] == pytest.approx(25.0)
    # half the weight: the combined score (75) lost 12.5 points on each
    assert lost.set_index("part")["points_cpted"]["average"] == pytest.approx(12.5)
    assert "average 2.5 lx; class P4 needs 5 lx" in lost.set_index("part")["detail"]["average"]
    assert set(lost["principle"]) == {"lighting"}  # access met every rule: nothing lost
    assert "minimum 0.50 lx" in lost.set_index("part")["detail"]["minimum"]


def test_losses_add_up_to_what_each_principle_lost(result):
    from cpted._explain import losses

    for kind, table in (("segment", result.segments), ("site", result.sites)):
        lost = losses(table, kind=kind, weights=result.weights)
        sums = lost.groupby(["row", "principle"])["points"].sum()
        for (row, principle), total in sums.items():
            score = table.loc[row, f"{principle}_score"]
            assert total == pytest.approx(100 - score, abs=1e-9), (kind, row, principle)
        # every principle that lost points shows them, and the combined score's parts add
        # up to what it lost
        for principle in result.weights:
            scores = table[f"{principle}_score"].dropna()
            lost_rows = sums.xs(principle, level="principle") if len(sums) else sums
            imperfect = scores.index[scores < 100 - 1e-9]
            assert set(imperfect) <= set(lost_rows.index), (kind, principle)
        combined = lost.groupby("row")["points_cpted"].sum()
        scored = table["cpted_score"].dropna()
        np.testing.assert_allclose(
            combined.reindex(scored.index).fillna(0), 100 - scored, atol=1e-9
        )


def test_explanation_and_recommendation_columns_are_text(result):
    for table in (result.segments, result.sites):
        assert table["explanation"].map(type).eq(str).all()
        assert table["recommendations"].map(type).eq(str).all()
    worst = result.worst_segments(1).iloc[0]
    assert worst["explanation"].startswith(f"score {worst['cpted_score']:.0f}")
    assert worst["weakest_principle"] in result.weights


@pytest.mark.parametrize("rows", [1, 7, 40])
def test_explanations_written_in_chunks_equal_one_chunk(result, neukoelln, monkeypatch, rows):
    # a sample of rows, every other one: a chunk holds rows that are not neighbours
    from cpted._explain import explanation_columns

    for table, kind in ((result.segments, "segment"), (result.sites, "site")):
        sample = table.iloc[::2]
        assert len(sample) > 1
        kwargs = {"kind": kind, "weights": result.weights, "area": neukoelln}
        kwargs["layers"] = result.layers
        monkeypatch.setattr(cpted.settings, "EXPLAIN_CHUNK_ROWS", len(sample))
        whole = explanation_columns(sample, **kwargs)
        monkeypatch.setattr(cpted.settings, "EXPLAIN_CHUNK_ROWS", rows)
        chunked = explanation_columns(sample, **kwargs)
        pd.testing.assert_frame_equal(chunked, whole, check_exact=True)
        assert whole["recommendations"].str.len().gt(0).any(), kind


def test_dark_streets_get_a_lighting_recommendation_with_their_figures(result):
    seg = result.segments
    dark = seg[(seg["lighting_basis"] == "measured") & (seg["lux_min"] < 0.05)]
    assert len(dark)
    for _, row in dark.head(5).iterrows():
        assert "lx" in row["recommendations"] and row["p_class_required"] in row["recommendations"]
    # a street tagged lit is never told that it is dark
    lit = seg[seg["lit"].isin(["yes", "limited"])]
    assert len(lit) and not lit["recommendations"].str.contains("it is dark").any()
    bright = seg[seg["lighting_score"] >= 100]
    assert not bright["recommendations"].str.contains("lighting: minimum").any()


def test_controlled_site_with_gaps_is_told_how_many(result):
    sites = result.sites
    kita = sites[(sites["category"] == "kindergarten") & (sites["gaps_n"] > 0)]
    assert len(kita)
    row = kita.iloc[0]
    holes = int(max(row["gaps_n"], row["entries_n"] - row["entries_controlled_n"]))
    gaps = f"{holes} uncontrolled gap" + ("" if holes == 1 else "s")
    assert f"perimeter has {gaps} (" in row["recommendations"]


def test_explain_a_segment_and_a_site(result):
    key = result.worst_segments(1).index[0]
    e = result.explain(key)
    assert e.kind == "segment" and e.id == key
    assert e.score == pytest.approx(result.segments.loc[key, "cpted_score"])
    assert set(e.principles.index) <= set(result.weights)
    assert e.principles["points_lost"].sum() == pytest.approx(100 - e.score, abs=0.5)
    assert e.recommendations and all(r.reason for r in e.recommendations)
    text = str(e)
    assert "Recommendations" in text and f"segment {key}" in text
    assert "<table>" in e._repr_html_()
    by_name = result.explain("Karl-Marx-Platz")
    assert by_name.kind == "site" and by_name.name == "Karl-Marx-Platz"
    assert result.explain(by_name.id).id == by_name.id


def test_explain_unknown(result):
    with pytest.raises(cpted.InputError, match="No segment or site 'Atlantis'"):
        result.explain("Atlantis")
    with pytest.raises(cpted.InputError, match="No segment or site"):
        result.explain(10**9)


def test_recommendations_reach_the_geopackage(result, tmp_path):
    folder = result.save(tmp_path / "out")
    back = gpd.read_file(folder / "cpted.gpkg", layer="segments")
    assert back["recommendations"].str.len().gt(0).any()
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "href='map.html'" in report and "Recommendations" in report  # links the map


def test_report_method_writes_one_file_and_refuses_to_overwrite(result, tmp_path):
    path = result.report(tmp_path / "report.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(cpted.InputError, match="exists already"):
        result.report(path)
    result.report(path, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# -- absolute scores ---------------------------------------------------------------------

#: Largest analysis radius of the scores: the 800 m of movement betweenness.
LARGEST_RADIUS = max(cpted.settings.MOVEMENT_DISTANCES)


def _grid_osm(size_m: float, step: float = 100.0, seed: int = 7) -> tuple[str, tuple]:
    """A jittered street grid with buildings, lamps, shops, doors, hedges and a park."""
    import pyproj
    from conftest import osm_xml

    rng = np.random.default_rng(seed)
    to_ll = pyproj.Transformer.from_crs(25833, 4326, always_xy=True)
    x0, y0 = 390_000.0, 5_815_000.0
    n = int(size_m // step) + 1
    nodes, ways = [], []
    counter = iter(range(1, 10**7))

    def node(x, y, tags=None):
        lon, lat = to_ll.transform(x, y)
        nid = next(counter)
        nodes.append((nid, round(lon, 8), round(lat, 8), tags or {}))
        return nid

    # jitter the crossings so that no two routes tie (ties would leave betweenness to the
    # order of the nodes, not to the street layout)
    jitter = rng.uniform(-5, 5, size=(n, n, 2))
    ids = {
        (i, j): node(x0 + i * step + jitter[i, j, 0], y0 + j * step + jitter[i, j, 1])
        for i in range(n)
        for j in range(n)
    }
    way = iter(range(1, 10**7))
    for j in range(n):
        tags = {"highway": "residential", "name": f"Row {j}", "lit": "yes"}
        ways.append((next(way), [ids[i, j] for i in range(n)], tags))
    for i in range(n):
        tags = {"highway": "footway" if i % 3 == 0 else "residential", "lit": "yes"}
        ways.append((next(way), [ids[i, j] for j in range(n)], tags))
    centre_block = ((n - 1) // 2, (n - 1) // 2)
    for i in range(n - 1):
        for j in range(n - 1):
            cx, cy = x0 + (i + 0.5) * step, y0 + (j + 0.5) * step
            h = step / 2 - 16
            ring = [
                node(cx + dx * h, cy + dy * h) for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))
            ]
            kind = (i * 7 + j * 3) % 5
            if (i, j) == centre_block:
                ways.append(
                    (next(way), [*ring, ring[0]], {"leisure": "park", "name": "Centre park"})
                )
                continue
            use = "warehouse" if kind == 0 else "apartments"
            tags = {"building": use, "building:levels": str(2 + kind)}
            ways.append((next(way), [*ring, ring[0]], tags))
            if kind == 1:
                node(cx - h, cy, {"shop": "bakery", "opening_hours": "Mo-Sa 06:00-22:00"})
            elif kind == 2:
                node(cx, cy - h, {"entrance": "main"})
            elif kind == 3:
                hedge = [node(cx - h - 4, cy - 20), node(cx - h - 4, cy + 20)]
                ways.append((next(way), hedge, {"barrier": "hedge"}))
    for i in range(n):
        for j in range(n):
            if (i + j) % 2 == 0:
                node(x0 + i * step + 4, y0 + j * step + 4, {"highway": "street_lamp"})
    centre = (x0 + (n - 1) * step / 2, y0 + (n - 1) * step / 2)
    return osm_xml(nodes, ways), centre


@pytest.mark.slow
def test_scores_are_absolute_when_the_study_area_grows(tmp_path):
    """A segment farther from the edge than the largest radius keeps every score."""
    import pyproj
    import shapely

    text, (cx, cy) = _grid_osm(2600.0)
    path = tmp_path / "grid.osm"
    path.write_text(text, encoding="utf-8")
    to_ll = pyproj.Transformer.from_crs(25833, 4326, always_xy=True)

    def square(half):
        return shapely.transform(
            shapely.box(cx - half, cy - half, cx + half, cy + half),
            lambda xy: np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1])),
        )

    inner = 100.0  # the segments compared lie within this distance of the centre
    # A segment chosen (within `inner` of the centre) runs up to one 100 m block farther
    # out; the square keeps it farther than the largest reach from the edge, so even its
    # confidences, lowered near the data's edge, agree.
    small_half = LARGEST_RADIUS + inner + 100.0 + 50.0
    audits = {}
    for half in (small_half, 1300.0):
        area = cpted.area_from_file(path, boundary=square(half))
        audits[half] = cpted.audit(
            area, principles=("sightlines", "lighting", "surveillance", "access"), progress=False
        )
    small, large = audits[small_half], audits[1300.0]
    assert len(large.segments) > 1.4 * len(small.segments)

    def central(result):
        seg = result.segments
        centre = gpd.GeoSeries([shapely.Point(cx, cy)], crs=25833).to_crs(seg.crs).iloc[0]
        return seg[seg.geometry.distance(centre) < inner].set_index(["u", "v", "key"])

    a, b = central(small), central(large)
    assert len(a) >= 10 and a.index.sort_values().equals(b.index.sort_values())
    b = b.loc[a.index]
    columns = [c for c in a.columns if c.endswith(("_score", "_confidence"))]
    assert {"cpted_score", "lighting_score", "surveillance_score", "access_score"} <= set(columns)
    # measured lighting is absolute; an estimate (lamps missing from the map) follows the
    # typical mapped street of the area by design, so it is compared where measured only
    measured = (a["lighting_basis"] == "measured") & (b["lighting_basis"] == "measured")
    assert measured.mean() > 0.5
    assert (a["lighting_basis"] == b["lighting_basis"]).all()
    lighting_dependent = {
        "lighting_score",
        "lighting_confidence",
        "cpted_score",
        "cpted_confidence",
    }
    for column in [*columns, "betweenness_800", "lux_mean", "sightline_min_m"]:
        rows = measured if column in lighting_dependent else np.ones(len(a), dtype=bool)
        np.testing.assert_allclose(
            a.loc[rows, column].to_numpy(float),
            b.loc[rows, column].to_numpy(float),
            rtol=1e-9,
            atol=1e-9,
            err_msg=column,
        )
    assert (a.loc[measured, "explanation"] == b.loc[measured, "explanation"]).all()
    # the park in the centre keeps its scores too
    park_small = small.sites[small.sites["name"] == "Centre park"].iloc[0]
    park_large = large.sites[large.sites["name"] == "Centre park"].iloc[0]
    for column in [c for c in small.sites.columns if c.endswith("_score")]:
        assert park_small[column] == pytest.approx(park_large[column], nan_ok=True), column


def test_hiding_places_beside_a_path_are_named(result):
    spots = result.layers.get("concealment_spots")
    if spots is None or not len(spots):
        pytest.skip("the sightlines module gave no concealment spots")
    counts = spots.groupby("segment").size()
    named = result.segments["recommendations"].str.extract(r"light the (\d+) hiding place")[0]
    named = named.dropna().astype(int)
    assert len(named)
    # only segments with spots are told, with their number of spots
    assert set(named.index) <= set(counts.index)
    assert (named == counts.reindex(named.index)).all()


def test_advice_is_short_and_only_where_a_principle_scores_poorly(result):
    from cpted._explain import recommendations

    recs = recommendations(result.segments, kind="segment", area=result.area, layers=result.layers)
    limit = cpted.settings.RECOMMENDATIONS_PER_ROW
    for key, row_recs in zip(result.segments.index, recs, strict=True):
        design = [r for r in row_recs if r.principle in result.weights]
        assert len(design) <= limit
        for r in design:
            assert result.segments.loc[key, f"{r.principle}_score"] < (
                cpted.settings.RECOMMEND_BELOW_SCORE
            )
        points = [r.points for r in row_recs]
        assert points == sorted(points, reverse=True)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=1, max_size=10),
    st.floats(0.01, 10),
    st.floats(0.01, 10),
)
def test_weighted_score_lies_between_its_parts_and_follows_the_weights(rows, w_light, w_access):
    table = pd.DataFrame(rows, columns=["lighting_score", "access_score"])
    out = combine_scores(table, weights={"lighting": w_light, "access": w_access})
    low = table.min(axis=1)
    high = table.max(axis=1)
    assert ((out["cpted_score"] >= low - 1e-9) & (out["cpted_score"] <= high + 1e-9)).all()
    expected = (table["lighting_score"] * w_light + table["access_score"] * w_access) / (
        w_light + w_access
    )
    np.testing.assert_allclose(out["cpted_score"], expected.clip(0, 100), rtol=1e-9, atol=1e-9)


def test_one_isovist_engine_and_one_lamp_table_per_audit(neukoelln, monkeypatch):
    from cpted.lighting import lamps_with_defaults
    from cpted.sightlines import IsovistEngine

    built = []
    original = IsovistEngine.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(IsovistEngine, "__init__", counting)
    made = []
    import cpted.lighting as lighting_module

    real = lighting_module.lamps_with_defaults
    monkeypatch.setattr(
        lighting_module, "lamps_with_defaults", lambda area: made.append(1) or real(area)
    )
    result = cpted.audit(neukoelln, explain=False, progress=False)
    assert len(built) == 1
    assert len(made) == 1
    # the map and the GeoPackage show the lamps the lux raster was computed with
    lamps = result.layers["lamps"]
    assert lamps["height"].notna().all()
    expected = lamps_with_defaults(neukoelln)
    np.testing.assert_allclose(lamps["height"], expected["height"])
    import folium

    from cpted.maps._packed import PackedLayer
    from cpted.maps._words import say

    m = result.to_map()
    drawn = [
        child
        for group in m._children.values()
        if isinstance(group, folium.FeatureGroup) and group.layer_name == "Data · Street lamps"
        for child in group._children.values()
        if isinstance(child, PackedLayer)
    ]
    assert len(drawn) == 1
    heights = [r["height"] for r in drawn[0].records()]
    # tooltips say the height in words, in whole metres, lamp by lamp in the table's order
    assert heights == [say(round(v, 2), "m") for v in lamps["height"]]


def test_the_scores_page_lists_every_part_of_the_registry():
    from pathlib import Path

    from cpted._principle import parts_table

    page = (Path(__file__).parents[1] / "docs" / "methods" / "scores.md").read_text()
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in page.splitlines()
        if line.startswith("| ") and "`" in line
    ]
    table = parts_table()
    assert len(rows) == len(table)
    for row, part in zip(rows, table.itertuples(), strict=True):
        assert row[:4] == [part.principle, part.kind, f"`{part.part}`", part.measure]
        assert float(row[4]) == pytest.approx(part.weight, abs=0.005)
        assert row[5] == part.reference
