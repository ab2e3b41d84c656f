"""The StudyArea on the real samples, hand-made areas, user layers and bad input."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import osm_xml
from shapely.geometry import Point, Polygon, box

import cpted
from cpted.area import LAYERS

# Karl-Marx-Platz, Neukölln, in WGS84 (a box around the square and its edges)
KARL_MARX_PLATZ = box(13.4395, 52.4725, 13.4435, 52.4745)


def test_every_layer_is_projected_and_indexed(neukoelln, helsinki):
    assert neukoelln.crs.to_epsg() == 32633  # UTM 33N for Berlin
    assert helsinki.crs.to_epsg() == 32635  # UTM 35N for Helsinki
    for area in (neukoelln, helsinki):
        for name, (index, types) in LAYERS.items():
            layer = getattr(area, name)
            assert layer.crs == area.crs, name
            assert layer.index.name == index, name
            assert layer.index.is_unique, name
            assert set(layer.geom_type.unique()) <= types, name
            assert layer.geometry.is_valid.all(), name


def test_samples_hold_what_their_readme_counts(neukoelln, helsinki):
    assert len(neukoelln.lamps) == 52
    assert len(helsinki.lamps) == 586
    assert len(helsinki.cameras) == 221
    assert len(neukoelln.cameras) == 0
    # 433 building ways, of which 48 are clipped, + 67 relations some of which are clipped
    assert len(helsinki.buildings) >= 433 - 48
    assert helsinki.buildings.index.str.startswith("r").sum() > 40
    assert neukoelln.data_date == "2024-03-30"


def test_streets_match_the_graph(helsinki):
    streets, graph = helsinki.streets, helsinki.graph
    assert streets.index.name == "segment"
    assert (streets["length"] > 0).all()
    np.testing.assert_allclose(streets["length"], streets.length, rtol=1e-9)
    for u, v, data in graph.edges(data=True):
        row = streets.loc[data["segment"]]
        assert {u, v} == {row["u"], row["v"]}
    # every segment is used by both directions of the walk graph
    counts = pd.Series([d["segment"] for *_, d in graph.edges(data=True)]).value_counts()
    assert (counts.reindex(streets.index) >= 2).all()


def test_walk_and_drive_networks_differ_as_they_should(helsinki):
    walk = set(helsinki.streets["highway"].str.split("; ").explode())
    assert "footway" in walk and "steps" in walk
    assert "cycleway" not in walk  # osmnx's walk filter leaves cycleways out
    drive = {d.get("highway") for *_, d in helsinki.drive_graph.edges(data=True)}
    drive = set(pd.Series(list(drive)).astype(str))
    assert "footway" not in drive and "steps" not in drive
    assert "pedestrian" in drive  # a hostile vehicle can drive down a pedestrian street


def test_lit_is_normalised_on_real_values(helsinki):
    assert set(helsinki.streets["lit"]) <= {"yes", "limited", "no", "unknown"}
    raw = helsinki.streets.set_index("lit_raw")["lit"]
    assert (raw.loc[raw.index == "24/7"] == "yes").all()
    assert (raw.loc[raw.index == "no"] == "no").all()


def test_buildings_have_heights_with_their_source(helsinki):
    b = helsinki.buildings
    assert b["height"].gt(0).all()
    assert set(b["height_source"]) == {"osm", "levels", "default"}
    from_levels = b[b["height_source"] == "levels"]
    assert (from_levels["height"] >= from_levels["levels"] * cpted.settings.STOREY_HEIGHT).all()


def test_sites_of_the_samples(neukoelln, helsinki):
    n = neukoelln.sites
    square = n[n["name"] == "Karl-Marx-Platz"]
    assert list(square["category"]) == ["square"]
    assert 1_000 < float(square["area_m2"].iloc[0]) < 20_000
    assert (n["category"] == "kindergarten").sum() >= 2
    h = helsinki.sites
    assert {"Senaatintori", "Rautatientori"} <= set(h.loc[h["category"] == "square", "name"])
    assert (h["category"] == "school").sum() >= 3
    assert "Helsingin päärautatieasema" in set(h.loc[h["category"] == "station", "name"])
    mended = h[h["geometry_source"] == "clipped"]
    assert {"Kauppatori", "Kansalaistori", "Hakaniemen tori"} <= set(mended["name"])


def test_cameras_and_entrances(helsinki):
    cams = helsinki.cameras
    assert cams["fov"].between(0, 360).all()
    # cameras whose direction is not mapped are drawn as omnidirectional and flagged
    assert (cams.loc[~cams["direction_known"], "fov"] == 360).all()
    kinds = set(helsinki.entrances["entrance"])
    assert {"main", "secondary", "service"} <= kinds
    on_buildings = helsinki.entrances["building"].notna().mean()
    assert on_buildings > 0.5


def test_quality_reports_completeness(neukoelln, helsinki):
    q = neukoelln.quality()
    assert set(q.index) == set(cpted.area.QUALITY_MEANINGS)
    assert q["dangling_refs"] == 3
    assert q["lamps_per_km"] == pytest.approx(52 / q["streets_km"], rel=0.01)
    assert 0 < q["streets_with_lit"] <= 1
    assert helsinki.quality()["dangling_refs"] == 4525


def test_boundary_clips_in_wgs84_and_in_utm(neukoelln):
    path = cpted.datasets.get_path("neukoelln")
    small = cpted.area_from_file(path, boundary=KARL_MARX_PLATZ)
    assert 0 < len(small.streets) < len(neukoelln.streets)
    utm = gpd.GeoSeries([KARL_MARX_PLATZ], crs=4326).to_crs(neukoelln.crs).iloc[0]
    same = cpted.area_from_file(path, boundary=utm)
    assert len(same.streets) == len(small.streets)
    xs = np.array([d["x"] for _, d in small.graph.nodes(data=True)])
    ys = np.array([d["y"] for _, d in small.graph.nodes(data=True)])
    minx, miny, maxx, maxy = utm.bounds
    assert ((xs >= minx) & (xs <= maxx) & (ys >= miny) & (ys <= maxy)).all()
    assert small.buildings.intersects(utm).all()


def test_boundary_outside_the_data():
    with pytest.raises(cpted.DataError, match="outside the data"):
        cpted.area_from_file(
            cpted.datasets.get_path("neukoelln"), boundary=box(2.3, 48.8, 2.4, 48.9)
        )


def test_boundary_of_the_wrong_kind():
    with pytest.raises(cpted.InputError, match="boundary must be"):
        cpted.area_from_file(cpted.datasets.get_path("neukoelln"), boundary="Neukölln")


def test_area_without_streets(tmp_path):
    nodes = [
        (i, 13.0 + dx, 52.0 + dy, {})
        for i, (dx, dy) in enumerate([(0, 0), (0.001, 0), (0.001, 0.001), (0, 0.001)], start=1)
    ]
    ways = [(1, [1, 2, 3, 4, 1], {"building": "yes"})]
    path = tmp_path / "one_building.osm"
    path.write_text(osm_xml(nodes, ways))
    with pytest.raises(cpted.DataError, match="No walkable streets"):
        cpted.area_from_file(path)


def test_repr_shows_layers_and_escapes(neukoelln):
    text = repr(neukoelln)
    assert "streets 209" in text or "streets" in text
    page = neukoelln._repr_html_()
    assert "data quality" in page and "lamps" in page
    assert "<script" not in page


def test_copy_is_independent(neukoelln):
    other = neukoelln.copy()
    other.lamps.loc[other.lamps.index[0], "height"] = 99.0
    other.graph.remove_node(next(iter(other.graph.nodes)))
    assert neukoelln.lamps["height"].iloc[0] != 99.0
    assert other.graph.number_of_nodes() == neukoelln.graph.number_of_nodes() - 1


# -- user layers -----------------------------------------------------------------------


def test_lamp_inventory_from_csv_extends_osm(neukoelln, tmp_path):
    csv = tmp_path / "lamps.csv"
    csv.write_text("lon,lat,mounting_height,lumen\n13.4380,52.4735,4.5,2500\n13.4382,52.4736,,\n")
    area = neukoelln.with_layer("lamps", csv)
    assert len(area.lamps) == len(neukoelln.lamps) + 2
    added = area.lamps[area.lamps["source"] == "inventory"]
    assert added["height"].iloc[0] == 4.5 and np.isnan(added["height"].iloc[1])
    assert list(added["height_source"]) == ["inventory", "default"]
    assert list(added["flux_source"]) == ["inventory", "default"]
    assert added.crs == neukoelln.crs
    point = added.geometry.iloc[0]
    expected = gpd.GeoSeries([Point(13.4380, 52.4735)], crs=4326).to_crs(neukoelln.crs).iloc[0]
    assert point.distance(expected) < 1e-6
    assert len(neukoelln.lamps) == 52  # the original is untouched


def test_lamp_inventory_replaces_osm(neukoelln, tmp_path):
    csv = tmp_path / "lamps.csv"
    csv.write_text("x,y,height\n393900,5814850,5\n")
    area = neukoelln.with_layer("lamps", csv, replace=True, crs="EPSG:32633")
    assert len(area.lamps) == 1
    assert area.lamps.geometry.iloc[0].x == pytest.approx(393900)


def test_csv_without_crs_and_projected_numbers(neukoelln, tmp_path):
    csv = tmp_path / "cams.csv"
    csv.write_text("x,y,direction\n393900,5814850,NE\n")
    with pytest.raises(cpted.CRSError, match="crs="):
        neukoelln.with_layer("cameras", csv)


def test_user_sites_from_geojson_in_another_crs(neukoelln, tmp_path):
    square = gpd.GeoDataFrame(
        {"name": ["<b>Our square</b>"], "category": ["square"]},
        geometry=[box(13.4370, 52.4730, 13.4390, 52.4740)],
        crs=4326,
    ).to_crs(3857)
    path = tmp_path / "sites.geojson"
    square.to_file(path)
    area = neukoelln.with_layer("sites", path)
    mine = area.sites[area.sites["source"] == "user"]
    assert list(mine["name"]) == ["<b>Our square</b>"]
    assert mine["area_m2"].iloc[0] == pytest.approx(mine.geometry.area.iloc[0])
    assert 10_000 < mine["area_m2"].iloc[0] < 20_000


def test_cameras_layer_with_compass_directions(neukoelln):
    cams = gpd.GeoDataFrame(
        {"direction": ["NE", None], "camera:type": ["fixed", "dome"]},
        geometry=[Point(13.438, 52.4735), Point(13.439, 52.4736)],
        crs=4326,
    )
    area = neukoelln.with_layer("cameras", cams)
    assert list(area.cameras["direction"].round(1).fillna(-1)) == [45.0, -1]
    assert list(area.cameras["fov"]) == [cpted.settings.CAMERA_FOV, 360.0]
    assert list(area.cameras["camera_type"]) == ["fixed", "dome"]


def test_user_layer_errors(neukoelln, tmp_path):
    with pytest.raises(cpted.InputError, match="user layers are"):
        neukoelln.with_layer("streets", tmp_path / "x.csv")
    with pytest.raises(cpted.InputError, match="No such layer file"):
        neukoelln.with_layer("lamps", tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,height\nA,4\n")
    with pytest.raises(cpted.InputError, match="no coordinate columns"):
        neukoelln.with_layer("lamps", bad)
    gaps = tmp_path / "gaps.csv"
    gaps.write_text("lon,lat\n13.43,52.47\nabc,52.47\n")
    with pytest.raises(cpted.InputError, match="lines \\[3\\]"):
        neukoelln.with_layer("lamps", gaps)
    polygons = gpd.GeoDataFrame(geometry=[Polygon([(0, 0), (1, 0), (1, 1)])], crs=32633)
    with pytest.raises(cpted.InputError, match="must hold Point"):
        neukoelln.with_layer("lamps", polygons)
    junk = tmp_path / "junk.geojson"
    junk.write_text("{not json")
    with pytest.raises(cpted.InputError, match="cannot be read as a GIS layer"):
        neukoelln.with_layer("sites", junk)


def test_sidewalks_take_the_name_of_their_street(neukoelln, helsinki):
    # Neukölln maps its sidewalks as separate, unnamed ways next to Karl-Marx-Straße
    named = neukoelln.streets[neukoelln.streets["name_source"] == "nearby street"]
    assert "Karl-Marx-Straße" in set(named["name"])
    assert set(named["highway"]) <= set(cpted.settings.SIDEWALK_HIGHWAYS)
    own = helsinki.streets[helsinki.streets["name_source"] == "osm"]
    assert own["name"].notna().all() and len(own) > 100
    # a footway far from any named street keeps no name
    assert neukoelln.streets["name"].isna().any()


def test_the_progress_bar_runs_through_every_step(hostile_osm, capsys):
    cpted.area_from_file(hostile_osm, progress=True)
    err = capsys.readouterr().err.replace("\r", "\n")
    shown = [line for line in err.splitlines() if line.startswith("Building the study area")]
    counts = [int(m) for line in shown for m in re.findall(r"\| (\d)/9 ", line)]
    assert counts[-1] == 9 and counts == sorted(counts)
    # every step names itself while it runs
    assert "sites" in shown[-1] and any("walk network" in line for line in shown)
    cpted.area_from_file(hostile_osm, progress=False)
    assert capsys.readouterr().err == ""
