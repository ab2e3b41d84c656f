"""Scenarios, before/after comparison, side-by-side maps, and field audits."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import XSS, offline_page

import cpted
from cpted import fieldaudit, scenarios

PRINCIPLES = ("sightlines", "lighting", "surveillance", "access")


@pytest.fixture(scope="module")
def before(neukoelln):
    return cpted.audit(neukoelln, principles=PRINCIPLES, progress=False)


@pytest.fixture(scope="module")
def darkest(before):
    """The measured segment with the lowest lighting score, and a point beside its middle."""
    seg = before.segments
    measured = seg[seg["lighting_status"] == "measured"].sort_values(
        ["lighting_score", "length"], ascending=[True, False]
    )
    key = measured.index[0]
    mid = seg.geometry.loc[key].interpolate(0.5, normalized=True)
    return key, (mid.x + 2.0, mid.y + 2.0)


@pytest.fixture(scope="module")
def lit(neukoelln, darkest):
    _, where = darkest
    return scenarios.add_lamp(neukoelln, where, height=5.0, flux=3000.0)


@pytest.fixture(scope="module")
def after(lit):
    return cpted.audit(lit, principles=PRINCIPLES, progress=False)


# -- scenario helpers ----------------------------------------------------------------------


def test_add_lamp_returns_a_new_area(neukoelln, lit):
    assert len(lit.lamps) == len(neukoelln.lamps) + 1
    assert "scenario-lamps-0" in lit.lamps.index
    assert "scenario-lamps-0" not in neukoelln.lamps.index
    new = lit.lamps.loc["scenario-lamps-0"]
    assert new["height"] == 5.0 and new["flux"] == 3000.0
    # a second lamp gets a fresh id
    again = scenarios.add_lamp(lit, [lit.lamps.geometry.iloc[0].coords[0]])
    assert "scenario-lamps-1" in again.lamps.index and again.lamps.index.is_unique


def test_a_lamp_lights_the_dark_street_and_darkens_none(before, after, darkest):
    key, _ = darkest
    assert after.segments.loc[key, "lighting_score"] > before.segments.loc[key, "lighting_score"]
    assert after.segments.loc[key, "lux_mean"] > before.segments.loc[key, "lux_mean"]
    b = before.segments["lighting_score"].fillna(-1)
    a = after.segments["lighting_score"].fillna(-1)
    assert (a >= b - 1e-9).all()


def test_move_and_remove_a_lamp(neukoelln):
    lamp = neukoelln.lamps.index[0]
    old = neukoelln.lamps.geometry.loc[lamp]
    moved = scenarios.move_lamp(neukoelln, lamp, (old.x + 10.0, old.y))
    assert moved.lamps.geometry.loc[lamp].x == pytest.approx(old.x + 10.0)
    assert neukoelln.lamps.geometry.loc[lamp].equals(old)
    fewer = scenarios.remove_lamp(neukoelln, lamp)
    assert lamp not in fewer.lamps.index and len(fewer.lamps) == len(neukoelln.lamps) - 1


def test_remove_and_add_barriers(neukoelln):
    lines = neukoelln.barriers[neukoelln.barriers.geom_type == "LineString"]
    key = lines.index[0]
    gone = scenarios.remove_barrier(neukoelln, key)
    assert key not in gone.barriers.index
    seg = neukoelln.streets.geometry.iloc[0]
    wall = shapely.offset_curve(seg, 3.0)
    walled = scenarios.add_barrier(neukoelln, wall, barrier="wall", height=2.5)
    row = walled.barriers.loc["scenario-barriers-0"]
    assert row["barrier"] == "wall" and bool(row["opaque"]) and row["height"] == 2.5
    bollards = scenarios.add_barrier(
        neukoelln, [(seg.coords[0][0] + 1, seg.coords[0][1])], barrier="bollard"
    )
    assert bool(bollards.barriers.loc["scenario-barriers-0", "blocks_vehicles"])


def test_a_hedge_beside_a_street_never_widens_its_view(neukoelln):
    streets = neukoelln.streets
    key = streets["length"].idxmax()
    hedge = shapely.offset_curve(streets.geometry.loc[key], 4.0)
    hedged = scenarios.add_barrier(neukoelln, hedge, barrier="hedge")
    from cpted.sightlines import segment_measures

    b = segment_measures(neukoelln).loc[key]
    a = segment_measures(hedged).loc[key]
    assert a["visible_share_25"] < b["visible_share_25"]


def test_add_a_use_and_an_entrance(neukoelln):
    from cpted.surveillance import segment_measures

    streets = neukoelln.streets
    base = segment_measures(neukoelln)
    key = base["uses"].idxmin()
    mid = streets.geometry.loc[key].interpolate(0.5, normalized=True)
    cafe = scenarios.add_use(neukoelln, (mid.x + 3, mid.y), name="<b>Café</b>")
    assert cafe.pois.loc["scenario-pois-0", "opening_hours"].startswith("Mo-Su")
    measured = segment_measures(cafe)
    assert measured.loc[key, "uses"] == base.loc[key, "uses"] + 1
    assert measured.loc[key, "uses_open_2100"] >= 1
    building = neukoelln.buildings.geometry.iloc[0]
    door = building.exterior.interpolate(0.3, normalized=True)
    doors = scenarios.add_entrance(neukoelln, door)
    row = doors.entrances.loc["scenario-entrances-0"]
    assert row["entrance"] == "main" and row["building"] == neukoelln.buildings.index[0]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda a: scenarios.add_lamp(a, (0.0, 0.0)), "outside the study area"),
        (lambda a: scenarios.add_lamp(a, "here"), "shapely geometry or"),
        (lambda a: scenarios.add_lamp(a, shapely.LineString([(0, 0), (1, 1)])), "must be Point"),
        (lambda a: scenarios.move_lamp(a, "nope", (0.0, 0.0)), "No lamp 'nope'"),
        (lambda a: scenarios.remove_barrier(a, "nope"), "No barrier 'nope'"),
        (lambda a: scenarios.add_use(a, (0.0, 0.0), category="casino"), "Unknown use category"),
        (lambda a: scenarios.add_entrance(a, (0.0, 0.0), entrance="window"), "Unknown entrance"),
    ],
)
def test_scenario_errors(neukoelln, call, match):
    with pytest.raises(cpted.InputError, match=match):
        call(neukoelln)


def test_lon_lat_positions(neukoelln):
    centre = gpd.GeoSeries([neukoelln.boundary.centroid], crs=neukoelln.crs).to_crs(4326).iloc[0]
    area = scenarios.add_lamp(neukoelln, (centre.x, centre.y), crs=4326)
    assert area.lamps.geometry.loc["scenario-lamps-0"].distance(neukoelln.boundary.centroid) < 0.01


# -- comparison ----------------------------------------------------------------------------


def test_compare_with_itself_changes_nothing(before):
    same = before.compare(before)
    assert not same.segments["changed"].any()
    assert (same.segments["cpted_score_change"].fillna(0) == 0).all()
    assert same.summary()["improved"].sum() == 0


def test_compare_a_scenario(before, after, darkest):
    key, _ = darkest
    change = before.compare(after)
    assert change.segments.index.equals(after.segments.index)
    assert change.segments.loc[key, "changed"]
    assert change.segments.loc[key, "lighting_score_change"] > 0
    assert change.segments.loc[key, "lighting_score_after"] == pytest.approx(
        after.segments.loc[key, "lighting_score"]
    )
    top = change.changed_segments("lighting_score")
    assert top.index[0] == key
    summary = change.summary()
    assert summary.loc[("segments", "lighting_score"), "improved"] >= 1
    assert summary.loc[("segments", "lighting_score"), "worsened"] == 0
    assert summary.loc[("segments", "sightlines_score"), "improved"] == 0
    assert "changed" in repr(change)
    with pytest.raises(cpted.InputError, match="No score"):
        change.changed_segments("beauty_score")


def test_compare_two_extracts_matches_segments_by_their_osm_nodes(neukoelln, before):
    centre = neukoelln.boundary.centroid
    smaller = cpted.area_from_file(neukoelln.source, boundary=centre.buffer(250))
    part = cpted.audit(smaller, principles=("access",), progress=False)
    change = before.compare(part)
    keys_before = set(map(tuple, before.segments[["u", "v", "key"]].astype(str).to_numpy()))
    keys_part = set(map(tuple, part.segments[["u", "v", "key"]].astype(str).to_numpy()))
    assert len(change.segments) == len(keys_before & keys_part) > 0
    assert "access_score_change" in change.segments
    assert "lighting_score_change" not in change.segments


def test_compare_needs_an_audit(before):
    with pytest.raises(cpted.InputError, match="another Audit"):
        before.compare("after")


def test_comparison_saves_atomically(before, after, tmp_path):
    change = before.compare(after)
    folder = change.save(tmp_path / "cmp")
    assert {p.name for p in folder.iterdir()} == {
        ".cpted-output.json",
        "compare.html",
        "segments_change.csv",
        "sites_change.csv",
        "summary.csv",
    }
    with pytest.raises(cpted.InputError, match="exists already"):
        change.save(folder)
    change.save(folder, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["cmp"]


def test_side_by_side_page_is_offline_and_escaped(before, hostile_osm):
    page = before.compare(before).to_html()
    assert "<script src" not in page and "<link" not in page
    assert "https://" not in page.split("cpted-data")[0].split("<style>")[0]
    data = page.split('id="cpted-data">')[1].split("</script>")[0]
    parsed = json.loads(data.replace("<\\/", "</"))
    assert {"before", "after", "bounds", "score"} <= set(parsed)
    hostile = cpted.audit(cpted.area_from_file(hostile_osm), principles=PRINCIPLES, progress=False)
    page = hostile.compare(hostile).to_html()
    for payload in XSS.values():
        assert payload not in page


# -- field audits ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def observations_csv(before, tmp_path_factory):
    """Ratings at the middle of six segments: three agree with lighting, three do not."""
    seg = before.segments[before.segments["lighting_status"] == "measured"]
    dark = seg.sort_values("lighting_score").index[:3]
    bright = seg.sort_values("lighting_score").index[-3:]
    keys = [*dark, *bright]
    mids = gpd.GeoSeries(
        [before.segments.geometry.loc[k].interpolate(0.5, normalized=True) for k in keys],
        crs=before.segments.crs,
    ).to_crs(4326)
    table = pd.DataFrame(
        {
            "lon": mids.x.to_numpy(),
            "lat": mids.y.to_numpy(),
            # 0-3 scale: the dark ones rated dark, the bright ones rated dark too
            "Lighting": [0, 0, 0, 0, 0, 0],
            "Walk path": [3, 2, 1, 3, 2, 1],
            "Feeling": [1, 1, 2, 2, 3, 3],
            "note": [XSS["img"]] * 6,
        }
    )
    path = tmp_path_factory.mktemp("walk") / "walk.csv"
    table.to_csv(path, index=False)
    return path, keys


def test_observations_are_read_and_scaled(observations_csv):
    path, _ = observations_csv
    obs = fieldaudit.observations_from_file(path)
    assert obs.attrs["scale"] == (0.0, 3.0)
    assert obs["feeling"].tolist() == pytest.approx([100 / 3] * 2 + [200 / 3] * 2 + [100.0] * 2)
    assert obs["lighting_rating"].eq(0).all()
    assert "walk_path" in obs and "note" in obs
    five = fieldaudit.observations_from_file(path, scale=(0, 5))
    assert five["walk_path"].iloc[0] == pytest.approx(60.0)


def test_agreement_with_the_computed_scores(before, observations_csv):
    path, keys = observations_csv
    table = before.compare_observations(path)
    light = table[table["item"] == "lighting"].set_index("observation")
    assert light["segments"].tolist() == [str(k) for k in keys]
    computed = before.segments.loc[keys, "lighting_score"].to_numpy()
    np.testing.assert_allclose(light["computed"], computed)
    tolerance = cpted.settings.FIELD_AUDIT_AGREEMENT
    expected = np.where(computed <= tolerance, "agree", "map higher")
    assert light["agreement"].tolist() == expected.tolist()
    walk = table[table["item"] == "walk_path"]
    assert (walk["agreement"] == "not compared").all()
    summary = fieldaudit.agreement_summary(table)
    assert summary.loc["lighting", "compared"] == 6
    assert summary.loc["lighting", "agree"] == int((expected == "agree").sum())
    assert summary.loc["walk_path", "compared"] == 0
    assert "field_agreement" in before.layers


def test_agreement_map_and_report_section(before, observations_csv):
    path, _ = observations_csv
    before.compare_observations(path)
    page = fieldaudit.agreement_map(before).to_html()
    assert "Walk audit: lighting" in page
    assert XSS["img"] not in page
    from cpted.report import report_html

    report = report_html(before)
    assert "Walk audit and computation" in report


def test_walked_lines_rate_the_segments_along_them(before):
    seg = before.segments
    key = seg["length"].idxmax()
    line = seg.geometry.loc[key]
    obs = gpd.GeoDataFrame({"lighting": [3]}, geometry=[line], crs=seg.crs)
    table = fieldaudit.agreement(before, fieldaudit.observations_from_file(obs))
    assert str(key) in table["segments"].iloc[0].split("; ")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("lon,lat,comment\n13.44,52.47,ok\n", "No rated item"),
        ("lon,lat,lighting\n13.44,52.47,bright\n", "is not a number"),
        ("lon,lat,lighting\n13.44,52.47,250\n", "pass scale"),
    ],
)
def test_bad_observation_files(tmp_path, content, match):
    path = tmp_path / "walk.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(cpted.InputError, match=match):
        fieldaudit.observations_from_file(path)


def test_bad_scale_and_distance(before, observations_csv):
    path, _ = observations_csv
    with pytest.raises(cpted.InputError, match="outside the scale"):
        fieldaudit.observations_from_file(path, scale=(1, 2))
    with pytest.raises(cpted.InputError, match="highest > lowest"):
        fieldaudit.observations_from_file(path, scale=(3, 0))
    with pytest.raises(cpted.InputError, match="positive number of metres"):
        before.compare_observations(path, distance=-1)


# -- the side-by-side page in a real browser -----------------------------------------------


@pytest.mark.browser
def test_side_by_side_views_follow_each_other_offline(before, after, tmp_path, artifacts):
    folder = before.compare(after).save(tmp_path / "cmp")
    with offline_page(1400, 800) as (page, remote, errors):
        page.goto((folder / "compare.html").as_uri())
        page.wait_for_function("window.cptedMaps !== undefined", timeout=10_000)
        page.screenshot(path=str(artifacts / "neukoelln_compare.png"))
        moved = page.evaluate(
            """() => {
              const {before, after} = window.cptedMaps;
              const start = after.getCenter();
              before.setView([start.lat + 0.001, start.lng + 0.001], before.getZoom() + 1,
                             {animate: false});
              const a = after.getCenter(), b = before.getCenter();
              const back = after.getZoom();
              after.setZoom(back - 2, {animate: false});
              let layers = 0;
              after.eachLayer(() => layers++);
              return {dLat: Math.abs(a.lat - b.lat), dLng: Math.abs(a.lng - b.lng),
                      zoom: [before.getZoom(), after.getZoom()], layers,
                      moved: Math.abs(a.lat - start.lat)};
            }"""
        )
    assert remote == [] and errors == []
    assert moved["dLat"] < 1e-9 and moved["dLng"] < 1e-9
    assert moved["moved"] > 5e-4
    assert moved["zoom"][0] == moved["zoom"][1]
    assert moved["layers"] > 100
    assert (artifacts / "neukoelln_compare.png").stat().st_size > 10_000
