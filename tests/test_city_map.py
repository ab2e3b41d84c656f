"""City scale outputs (issue 15): the overview of districts, the district pages, GeoParquet."""

from __future__ import annotations

import json
import math
import re
import warnings
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import XSS, validation_path
from hypothesis import given
from hypothesis import strategies as st

import cpted
from cpted import settings
from cpted._output import MANIFEST, read_manifest
from cpted.audit import _gis_safe
from cpted.maps import _city, score_colour
from cpted.maps._assets import _leaflet_css, _leaflet_js
from cpted.maps._streets import PICKS

#: The budget of the planners' issue 15: about 1.5 KB per segment a page shows, the whole
#: page (Leaflet inlined, controls, legends, the district's context) counted.
BYTES_PER_SEGMENT = 1500

#: A hexagon size that cuts the Helsinki sample (1.0 x 1.7 km) into some 18 districts.
HELSINKI_HEXAGON_M = 250.0

#: A name a hostile (or careless) district layer could carry: HTML and template syntax.
TEMPLATE_NAME = "{{ 7*7 }}"


def segment_geometries(page: str) -> list[str]:
    """The packed geometry of every segment a detailed map draws (its segments layer)."""
    found = re.search(r"var segments_layer_[0-9a-f]{32} = \(function \(\) \{\s*var packed = ", page)
    if found is None:
        return []
    data, _ = json.JSONDecoder().raw_decode(page, found.end())
    return [json.dumps(g) for g in data["g"]]


_DRAWN: dict[str, _city.Districts] = {}


@pytest.fixture(scope="module")
def city_folder(helsinki_audit, tmp_path_factory):
    """The Helsinki audit saved as a city (hexagons of 250 m), in chunks of 1,000 rows."""
    real = _city.write_city_maps

    def keeping(*args, **kwargs):
        _DRAWN["helsinki"] = drawn = real(*args, **kwargs)
        return drawn

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "SAVE_CHUNK_ROWS", 1000)  # the segments in 4 chunks
        mp.setattr(_city, "write_city_maps", keeping)  # to read which districts were merged
        return helsinki_audit.save(
            tmp_path_factory.mktemp("city") / "out", city_map=True, districts=HELSINKI_HEXAGON_M
        )


@pytest.fixture(scope="module")
def plan(helsinki_audit):
    """The districts laid: hexagons of 250 m, some with a handful of segments."""
    return _city.district_plan(helsinki_audit, HELSINKI_HEXAGON_M)


@pytest.fixture(scope="module")
def drawn(city_folder):
    """The districts drawn, one page each: the hexagons laid, the small ones merged."""
    return _DRAWN["helsinki"]


def test_overview_and_one_page_per_district(city_folder, drawn):
    pages = sorted((city_folder / "districts").glob("*.html"))
    holding = set(drawn.segments) | set(drawn.sites)
    assert set(drawn.table.index) == holding
    assert 5 <= len(pages) == len(holding)
    assert {p.stem for p in pages} == holding
    overview = (city_folder / "map.html").read_text(encoding="utf-8")
    for page in pages:
        assert f"districts/{page.name}" in overview
    # the output folder's rules hold for the pages: listed in the manifest, swapped in whole
    assert "districts" in read_manifest(city_folder)["files"]
    assert not list(city_folder.parent.glob(".out.staging-*"))
    assert "map.html" in (city_folder / "report.html").read_text(encoding="utf-8")


def test_every_segment_is_on_exactly_one_district_page(city_folder, helsinki_audit, drawn):
    on_pages: Counter[str] = Counter()
    for page in (city_folder / "districts").glob("*.html"):
        shown = segment_geometries(page.read_text(encoding="utf-8"))
        assert len(shown) == int((drawn.segments == page.stem).sum()), page.name
        on_pages.update(shown)
    whole = Counter(segment_geometries(helsinki_audit.to_map().to_html()))
    assert sum(whole.values()) == len(helsinki_audit.segments)
    assert on_pages == whole


def test_every_district_page_keeps_to_the_budget(city_folder, helsinki_audit, plan):
    x0, y0, _, _ = helsinki_audit.segments.total_bounds
    nowhere = shapely.box(x0 - 1e5, y0 - 1e5, x0 - 1e5 + 1, y0 - 1e5 + 1)
    empty_page = len(helsinki_audit.subset(nowhere).to_map().to_html().encode("utf-8"))
    assert 150_000 < empty_page < 300_000  # Leaflet inlined, the controls, no data
    # hexagons of 250 m lay districts of a handful of segments, whose page alone could not
    # keep to the budget: the test holds for them too
    assert plan.segments.value_counts().min() * BYTES_PER_SEGMENT < empty_page
    sizes = {}
    for page in (city_folder / "districts").glob("*.html"):
        shown = len(segment_geometries(page.read_text(encoding="utf-8")))
        sizes[page.stem] = page.stat().st_size
        # the whole page, per segment it shows, however few
        assert shown > 0 and sizes[page.stem] <= BYTES_PER_SEGMENT * shown, (page.name, shown)
    # the overview grows with the districts, not with the segments
    overview = city_folder / "map.html"
    text = overview.read_text(encoding="utf-8")
    assert "segments_layer" not in text and segment_geometries(text) == []
    leaflet = len(_leaflet_js()) + len(_leaflet_css())
    assert overview.stat().st_size <= leaflet + 40_000 + 1_500 * len(plan.table)
    assert overview.stat().st_size < 0.1 * sum(sizes.values())


def test_districts_are_coloured_by_the_median_score(city_folder, helsinki_audit, drawn):
    text = (city_folder / "map.html").read_text(encoding="utf-8")
    found = re.search(
        r"var districts_layer_[0-9a-f]{32} = \(function \(\) \{\s*var packed = ", text
    )
    data, _ = json.JSONDecoder().raw_decode(text, found.end())
    medians = helsinki_audit.segments.groupby(drawn.segments)["cpted_score"].median()
    by_page = {p["h"]: p["k"][0] for p in data["p"] if p["h"]}
    assert len(by_page) == len(medians)
    for district, median in medians.items():
        assert by_page[f"districts/{district}.html"] == round(median)


def test_small_districts_are_merged_into_a_neighbour(city_folder, plan, drawn):
    assert len(drawn.table) < len(plan.table)
    laid = plan.table
    for key, row in drawn.table.iterrows():
        # the districts laid whose segments and public spaces this page shows
        held = sorted(
            set(plan.segments[drawn.segments == key]) | set(plan.sites[drawn.sites == key])
        )
        assert key == held[0]  # the first id of those merged
        if len(held) == 1:
            assert row["name"] == laid.loc[key, "name"]
        else:  # "Hexagons 1, 3, 5": Hexagon 1 is d01
            assert [f"Hexagon {n}" for n in row["name"].split(" ", 1)[1].split(", ")] == list(
                laid.loc[held, "name"]
            )
        union = shapely.union_all(laid.loc[held].geometry.to_numpy())
        assert shapely.symmetric_difference(row.geometry, union).area < 1.0  # m²
        # merged into neighbours: one piece, not hexagons scattered over the city
        assert row.geometry.geom_type == "Polygon"
        page = (city_folder / "districts" / f"{key}.html").read_text(encoding="utf-8")
        assert row["name"] in page  # the note names every hexagon the page holds
    merged = [k for k, row in drawn.table.iterrows() if ", " in row["name"]]
    assert merged  # the handful-of-segments hexagons at the edges were merged
    # the overview links only the pages written, and names them as merged
    overview = (city_folder / "map.html").read_text(encoding="utf-8")
    links = set(re.findall(r"districts/(d\d+)\.html", overview))
    assert links == set(drawn.table.index)
    assert all(drawn.table.loc[k, "name"] in overview for k in merged)


def test_no_page_is_merged_that_keeps_to_the_budget(helsinki_audit, tmp_path):
    laid = _city.district_plan(helsinki_audit, 500.0)
    drawn = _city.write_city_maps(helsinki_audit, tmp_path, laid, budget=math.inf)
    assert list(drawn.table.index) == list(laid.table.index)
    assert (drawn.segments == laid.segments).all()
    pages = sorted(p.stem for p in (tmp_path / "districts").glob("*.html"))
    assert pages == list(laid.table.index)


def test_parquet_equals_the_geopackage_layers(city_folder, helsinki_audit):
    for layer in ("segments", "sites"):
        gpkg = gpd.read_file(city_folder / "cpted.gpkg", layer=layer)
        parquet = gpd.read_parquet(city_folder / f"{layer}.parquet")
        assert parquet.crs == gpkg.crs == helsinki_audit.segments.crs
        assert list(parquet.columns) == list(gpkg.columns)
        assert len(parquet) == len(gpkg) == len(getattr(helsinki_audit, layer))
        assert parquet.geometry.geom_equals_exact(gpkg.geometry, 0).all()

        def plain(frame: pd.DataFrame) -> pd.DataFrame:
            out = pd.DataFrame(frame.drop(columns="geometry"))
            for column in out.columns:
                values = out[column]
                present = values.dropna()
                if len(present) and present.map(lambda v: isinstance(v, bool | np.bool_)).all():
                    # GDAL keeps a boolean as 0/1; GeoParquet keeps it a boolean
                    out[column] = values.map(lambda v: float(v) if pd.notna(v) else np.nan)
                elif not pd.api.types.is_numeric_dtype(values):
                    out[column] = values.astype(object).where(values.notna(), None)
            return out

        pd.testing.assert_frame_equal(plain(parquet), plain(gpkg), check_dtype=False)


def test_geopackage_written_in_chunks_equals_one_write(city_folder, helsinki_audit, tmp_path):
    whole = tmp_path / "whole.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _gis_safe(helsinki_audit.segments).to_file(whole, layer="segments", driver="GPKG")
    chunked = gpd.read_file(city_folder / "cpted.gpkg", layer="segments")
    assert len(helsinki_audit.segments) > 3 * 1000  # written in four chunks
    pd.testing.assert_frame_equal(chunked, gpd.read_file(whole, layer="segments"))


def test_below_the_threshold_nothing_changes(helsinki_audit, tmp_path, monkeypatch):
    assert len(helsinki_audit.segments) <= settings.CITY_MAP_SEGMENTS
    folder = helsinki_audit.save(tmp_path / "detailed")
    assert not (folder / "districts").exists()
    assert len(segment_geometries((folder / "map.html").read_text(encoding="utf-8"))) == len(
        helsinki_audit.segments
    )
    assert (folder / "segments.parquet").exists()


@pytest.fixture(scope="module")
def borough_audit():
    """The London borough validation extract, audited (it maps no street lamp)."""
    area = cpted.area_from_file(validation_path("borough"))
    with pytest.warns(cpted.CptedWarning, match="No street lamps are mapped"):
        return cpted.audit(area, progress=False)


@pytest.fixture
def borough_hexagons(monkeypatch, borough_audit):
    """The borough's audit drawn in hexagons of 120 m, a page each (no merging)."""
    monkeypatch.setattr(settings, "CITY_HEX_SIZE_M", 120.0)
    monkeypatch.setattr(settings, "CITY_PAGE_BYTES_PER_SEGMENT", math.inf)
    return borough_audit


def test_a_validation_extract_above_the_threshold(tmp_path, monkeypatch, borough_hexagons):
    # hexagons of 120 m hold a few segments each: within the budget they would be merged
    # into one page; the test is of the districts laid over a place not tuned on
    result = borough_hexagons
    monkeypatch.setattr(settings, "CITY_MAP_SEGMENTS", len(result.segments) - 1)
    folder = result.save(tmp_path / "borough")  # the default decides by size
    pages = list((folder / "districts").glob("*.html"))
    assert len(pages) >= 3
    shown = [segment_geometries(p.read_text(encoding="utf-8")) for p in pages]
    assert sum(len(s) for s in shown) == len(result.segments)
    assert Counter(g for s in shown for g in s) == Counter(
        segment_geometries(result.to_map(city_map=False).to_html())  # one map of everything
    )
    assert segment_geometries((folder / "map.html").read_text(encoding="utf-8")) == []
    # city_map=False keeps one detailed map however large the audit
    flat = result.save(tmp_path / "flat", city_map=False)
    assert not (flat / "districts").exists()


def _without_ids(page: str) -> str:
    """A page with folium's random element ids (``map_<32 hex digits>``) blanked."""
    return re.sub(r"_[0-9a-f]{32}", "_ID", page)


def test_district_pages_drawn_on_workers_are_those_drawn_here(
    tmp_path, monkeypatch, borough_hexagons
):
    from cpted import _tiles

    result = borough_hexagons
    pools = []
    real = _tiles.Workers.for_tasks

    def recording(workers, tasks):
        pools.append(pool := real(workers, tasks))
        return pool

    monkeypatch.setattr(_tiles.Workers, "for_tasks", recording)
    # the workers write in the language of the save
    here = result.save(tmp_path / "here", city_map=True, workers=1, language="de")
    there = result.save(tmp_path / "there", city_map=True, workers=2, language="de")
    pages = sorted(p.name for p in (here / "districts").glob("*.html"))
    assert len(pages) >= 3
    assert sorted(p.name for p in (there / "districts").glob("*.html")) == pages
    assert [p.parallel for p in pools] == [False, True]
    assert pools[1].finishing == len(pages)  # every page was drawn by a worker
    for name in [*(f"districts/{p}" for p in pages), "map.html"]:
        drawn_here = (here / name).read_text(encoding="utf-8")
        assert _without_ids((there / name).read_text(encoding="utf-8")) == _without_ids(drawn_here)
    assert "Stadtübersicht" in (there / "districts" / pages[0]).read_text(encoding="utf-8")
    with pytest.raises(cpted.InputError, match="workers must be a whole number"):
        result.save(tmp_path / "none", city_map=True, workers=0)
    assert not (tmp_path / "none").exists()


def test_a_page_that_fails_on_a_worker_leaves_no_output(tmp_path, monkeypatch, borough_hexagons):
    from dataclasses import replace

    result = borough_hexagons
    real = _city.subset

    def broken(*args, **kwargs):  # a part whose map cannot be drawn: it fails on the worker
        part = real(*args, **kwargs)
        return replace(part, segments=pd.DataFrame(part.segments.drop(columns="geometry")))

    monkeypatch.setattr(_city, "subset", broken)
    with pytest.raises(AttributeError, match="geometry"):  # raised on a worker, raised here
        result.save(tmp_path / "out", city_map=True, workers=2)
    assert list(tmp_path.iterdir()) == []  # neither the output nor its staging folder


def _halves(audit: cpted.Audit, names: list[str]) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = audit.segments.total_bounds
    mid = (x0 + x1) / 2
    boxes = [
        shapely.box(x0 - 10, y0 - 10, mid, y1 + 10),
        shapely.box(mid, y0 - 10, x1 + 10, y1 + 10),
    ]
    return gpd.GeoDataFrame({"name": names}, geometry=boxes, crs=audit.segments.crs).to_crs(4326)


@pytest.fixture(scope="module")
def hostile_city(helsinki_audit, tmp_path_factory):
    districts = _halves(helsinki_audit, [XSS["script"], TEMPLATE_NAME])
    return helsinki_audit.save(tmp_path_factory.mktemp("hostile") / "out", districts=districts)


def test_district_names_from_user_data_show_as_text(hostile_city):
    overview = (hostile_city / "map.html").read_text(encoding="utf-8")
    assert "<script>window.__xss" not in overview
    assert TEMPLATE_NAME in overview  # not evaluated: '49' would stand in its place
    pages = sorted((hostile_city / "districts").glob("*.html"))
    assert [p.name for p in pages] == ["d01.html", "d02.html"]  # our ids, never the names
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>window.__xss" not in text
    assert TEMPLATE_NAME in (hostile_city / "districts" / "d02.html").read_text(encoding="utf-8")


def test_a_hostile_district_name_in_a_notebook_map_shows_as_text(helsinki_audit):
    districts = _halves(helsinki_audit, [XSS["script"], TEMPLATE_NAME])
    for name in (XSS["script"], TEMPLATE_NAME):
        page = helsinki_audit.to_map(districts=districts, district=name).get_root().render()
        assert "<script>window.__xss" not in page
        (note,) = re.findall(r"var text = (\{[^;]*\});", page)  # the note names the district
        assert json.loads(note)["title"] == name  # as text: not evaluated, not cut
    overview = helsinki_audit.to_map(districts=districts).get_root().render()
    assert "<script>window.__xss" not in overview and TEMPLATE_NAME in overview


def test_user_districts_take_every_segment(helsinki_audit):
    districts = _halves(helsinki_audit, ["west", "east"])
    districts = districts.set_geometry(districts.geometry.scale(0.8, 0.8))  # a gap at the edges
    plan = _city.district_plan(helsinki_audit, districts)
    assert plan.segments.notna().all() and set(plan.segments) == {"d01", "d02"}
    assert list(plan.table["name"]) == ["west", "east"]
    mid = shapely.line_interpolate_point(
        helsinki_audit.segments.geometry.to_numpy(), 0.5, normalized=True
    )
    west = shapely.get_x(mid) < plan.table.geometry.iloc[0].bounds[2]
    assert (plan.segments[west] == "d01").mean() > 0.95


def test_bad_districts_stop_before_anything_is_written(helsinki_audit, tmp_path):
    target = tmp_path / "never"
    no_crs = _halves(helsinki_audit, ["a", "b"]).set_crs(None, allow_override=True)
    points = gpd.GeoDataFrame(geometry=[shapely.Point(24.94, 60.17)], crs=4326)
    with pytest.raises(cpted.InputError, match="positive number of metres"):
        helsinki_audit.save(target, districts=-5)
    with pytest.raises(cpted.CRSError, match="has no CRS"):
        helsinki_audit.save(target, districts=no_crs)
    with pytest.raises(cpted.InputError, match="holds no polygons"):
        helsinki_audit.save(target, districts=points)
    with pytest.raises(cpted.InputError, match="city_map=False"):
        helsinki_audit.save(target, city_map=False, districts=100)
    with pytest.raises(cpted.InputError, match="city_map must be"):
        helsinki_audit.save(target, city_map="yes")
    with pytest.raises(cpted.InputError, match="No such layer file"):
        helsinki_audit.save(target, districts=tmp_path / "missing.geojson")
    assert not target.exists()


def test_subset_keeps_what_lies_in_the_polygon(helsinki_audit):
    x0, y0, x1, y1 = helsinki_audit.segments.total_bounds
    west = shapely.box(x0, y0, (x0 + x1) / 2, y1)
    part = helsinki_audit.subset(west)
    mid = shapely.line_interpolate_point(
        helsinki_audit.segments.geometry.to_numpy(), 0.5, normalized=True
    )
    inside = helsinki_audit.segments.index[shapely.contains(west, mid)]
    assert 0 < len(part.segments) == len(inside) < len(helsinki_audit.segments)
    assert part.segments.index.equals(inside)
    isovists = part.layers["sightline_isovists"]
    assert isovists.index.isin(part.segments.index).all()
    assert part.rasters["lux"].values.size < helsinki_audit.rasters["lux"].values.size
    assert len(part.area.buildings) < len(helsinki_audit.area.buildings)
    with pytest.raises(cpted.InputError, match="shapely Polygon"):
        helsinki_audit.subset((x0, y0, x1, y1))


def test_an_audit_of_nothing_saves_its_pages(helsinki_audit, tmp_path):
    # a district or a subset that holds no segment, site or feature: no GeoPackage to
    # style, but the map, the report and the tables' headers are still written
    x0, y0, _, _ = helsinki_audit.segments.total_bounds
    nowhere = helsinki_audit.subset(shapely.box(x0 - 1e5, y0 - 1e5, x0 - 9e4, y0 - 9e4))
    assert len(nowhere.segments) == 0 and len(nowhere.area.buildings) == 0
    folder = nowhere.save(tmp_path / "nothing", city_map=False)
    assert (folder / "map.html").stat().st_size > 0
    assert (folder / "report.html").stat().st_size > 0
    assert not (folder / "cpted.gpkg").exists()


def test_to_map_of_a_city_is_its_overview_and_a_district_its_detailed_map(
    helsinki_audit, monkeypatch
):
    # a notebook never holds a page that grows with the whole city: above the threshold
    # to_map() draws the overview, and district= the map save() writes for that district
    monkeypatch.setattr(settings, "CITY_MAP_SEGMENTS", len(helsinki_audit.segments) - 1)
    plan = _city.district_plan(helsinki_audit)
    overview = helsinki_audit.to_map().get_root().render()
    assert "City overview" in overview and "cptedUnpack" in overview
    assert "segments_layer_" not in overview  # no street is drawn on the overview
    assert "audit.to_map(district=" in overview and "Click a district" not in overview
    key = str(plan.segments.value_counts().index[0])  # the district with most segments
    page = helsinki_audit.to_map(district=key).get_root().render()
    drawn = segment_geometries(page)
    assert len(drawn) == int((plan.segments == key).sum()) > 0
    by_name = helsinki_audit.to_map(district=str(plan.table["name"].loc[key].upper()))
    assert segment_geometries(by_name.get_root().render()) == drawn  # a name finds it too
    detailed = helsinki_audit.to_map(city_map=False).get_root().render()
    assert len(segment_geometries(detailed)) == len(helsinki_audit.segments)
    with pytest.raises(cpted.InputError, match=r"No district is 'Atlantis'.*d01"):
        helsinki_audit.to_map(district="Atlantis")
    with pytest.raises(cpted.InputError, match="city_map=False"):
        helsinki_audit.to_map(district=key, city_map=False)


def test_to_map_below_the_threshold_is_the_detailed_map(helsinki_audit):
    assert len(helsinki_audit.segments) <= settings.CITY_MAP_SEGMENTS
    page = helsinki_audit.to_map().get_root().render()
    assert len(segment_geometries(page)) == len(helsinki_audit.segments)
    halves = _halves(helsinki_audit, ["west", "east"])
    west = helsinki_audit.to_map(districts=halves, district="west").get_root().render()
    assert 0 < len(segment_geometries(west)) < len(helsinki_audit.segments)


@given(
    st.lists(st.tuples(st.floats(-5e5, 5e5), st.floats(-5e5, 5e5)), min_size=1, max_size=50),
    st.floats(1.0, 2000.0),
)
def test_each_point_falls_in_its_hexagon(points, size):
    xy = np.array(points, dtype=float)
    q, r = _city.hexagon_grid(xy, size)
    hexagons = _city._hexagons(q, r, size)
    assert shapely.dwithin(hexagons, shapely.points(xy), size * 1e-9).all()


# -- real browser ------------------------------------------------------------------------

_DISTRICTS = """
() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const layer = Object.values(window).find(v => v && v.cptedPick);
  const box = map.getContainer().getBoundingClientRect();
  return layer.getLayers().map(l => {
    const p = map.latLngToContainerPoint(l.getBounds().getCenter());
    return {x: p.x + box.left, y: p.y + box.top, page: l.feature.properties.h,
            colour: l.options.fillColor, scores: l.feature.properties.k};
  });
}
"""


def _hover(page, district: dict) -> str:
    """Move the mouse onto a district until its tooltip shows (the canvas draws after load)."""
    for attempt in range(10):
        page.mouse.move(district["x"] - 6 + attempt, district["y"] - 6)
        page.mouse.move(district["x"], district["y"], steps=4)
        page.wait_for_timeout(150)
        tips = page.locator(".leaflet-tooltip")
        if tips.count():
            return tips.first.inner_text()
    return ""


@pytest.mark.browser
def test_browser_a_click_on_a_district_opens_its_page(hostile_city, artifacts):
    from conftest import offline_page

    with offline_page(1200, 800) as (page, remote, errors):
        page.goto((hostile_city / "map.html").as_uri())
        page.wait_for_load_state("load")
        districts = page.evaluate(_DISTRICTS)
        assert [d["page"] for d in districts] == ["districts/d01.html", "districts/d02.html"]
        shown = [_hover(page, district) for district in districts]
        assert XSS["script"] in shown[0] and TEMPLATE_NAME in shown[1]
        page.screenshot(path=str(artifacts / "city_overview.png"))
        assert [d["colour"] for d in districts] == [score_colour(d["scores"][0]) for d in districts]
        page.get_by_label("Lighting", exact=True).check()
        lighting = [label for label, column in PICKS].index("Lighting")
        recoloured = page.evaluate(_DISTRICTS)
        assert [d["colour"] for d in recoloured] == [
            score_colour(d["scores"][lighting]) for d in recoloured
        ]
        target = districts[1]
        with page.expect_navigation():
            page.mouse.click(target["x"], target["y"])
        page.wait_for_load_state("load")
        assert page.url.endswith("/districts/d02.html")
        state = page.evaluate(
            "() => ({segments: Object.values(window).find(v => v && v.cptedPick)"
            ".getLayers().length, back: document.querySelector('.cpted-note a')"
            ".getAttribute('href'), note: document.querySelector('.cpted-note').textContent,"
            " xss: window.__xss || 0})"
        )
        page.screenshot(path=str(artifacts / "city_district.png"))
    assert state["segments"] > 100
    assert state["back"] == "../map.html"
    assert TEMPLATE_NAME in state["note"]
    assert state["xss"] == 0
    assert remote == [] and errors == []


def test_manifest_is_complete(city_folder):
    manifest = json.loads((city_folder / MANIFEST).read_text(encoding="utf-8"))
    assert {"segments.parquet", "sites.parquet", "districts", "map.html"} <= set(manifest["files"])


# -- languages ---------------------------------------------------------------------------


def _catalogue(language: str):
    from babel.messages.pofile import read_po

    path = _city.__file__.replace("maps/_city.py", f"locale/{language}/LC_MESSAGES/city.po")
    with open(path, "rb") as fh:
        return read_po(fh, locale=language)


@pytest.mark.parametrize("language", ["fr", "es", "de"])
def test_every_city_message_is_translated_with_its_placeholders(language):
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "n_": (1, 2), "N_": None, "p_": ((1, "c"), 2)}
    found = {m[1] for m in extract_from_file("python", _city.__file__, keywords=keywords)}
    found -= {"0–20 poor", "80–100 good"}  # the detailed map's legend, translated with it
    catalogue = _catalogue(language)
    assert catalogue.plural_expr == ("(n > 1)" if language == "fr" else "(n != 1)")
    for message in found:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        assert entry is not None and entry.string, (language, key)
        fields = set(re.findall(r"\{(\w+)\}", key))
        for text in entry.string if isinstance(entry.string, tuple) else [entry.string]:
            assert text and set(re.findall(r"\{(\w+)\}", text)) == fields, (language, key)


def test_the_overview_speaks_the_language(helsinki_audit):
    from cpted._i18n import use

    with use("fr"):
        plan = _city.district_plan(helsinki_audit, HELSINKI_HEXAGON_M)  # names in French
        page = _city.overview_map(helsinki_audit, plan, {}).to_html()
    assert "Vue d'ensemble de la ville" in page or "Vue d\\u0027ensemble" in page
    assert f"{len(plan.table)} quartiers, {len(helsinki_audit.segments)} tronçons" in page
    assert "audit.to_map(district=" in page  # no pages: the notebook's way to a district
    assert "Hexagone 1" in page and "City overview" not in page


# -- the command line --------------------------------------------------------------------


def test_cli_writes_the_city_map(hostile_osm, tmp_path, capsys):
    from cpted.cli import main

    out = tmp_path / "city"
    with pytest.MonkeyPatch.context() as mp:
        # the hostile file holds a few dozen segments: within the budget, its districts
        # would be merged into one page; the test is of the command's districts
        mp.setattr(settings, "CITY_PAGE_BYTES_PER_SEGMENT", math.inf)
        assert main(["-q", "audit", str(hostile_osm), "--out", str(out), "--districts", "40"]) == 0
    pages = list((out / "districts").glob("*.html"))
    assert len(pages) >= 2
    overview = (out / "map.html").read_text(encoding="utf-8")
    # the main street of a district is a street name from the data: shown escaped
    for payload in XSS.values():
        assert payload not in overview
    assert segment_geometries(overview) == []
    capsys.readouterr()
    missing = tmp_path / "nowhere.geojson"
    never = tmp_path / "never"
    assert (
        main(["-q", "audit", str(hostile_osm), "--out", str(never), "--districts", str(missing)])
        == 2
    )
    assert "No such district layer" in capsys.readouterr().err
    assert not never.exists()
    flat = tmp_path / "flat"
    assert main(["-q", "audit", str(hostile_osm), "--out", str(flat), "--no-city-map"]) == 0
    assert not (flat / "districts").exists()
