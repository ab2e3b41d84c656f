"""Bad arguments to the API and the CLI: each gives a CptedError saying what was wrong.

The companion of test_errors.py (bad files); these are the arguments a caller can get
wrong. Every case names the words of the message it expects, so a check that stops
firing, or fires with a message that no longer says what to do, fails here.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import osm_xml
from shapely.geometry import Point, box

import cpted
from cpted.cli import _site_match, main

ROOM = box(-10, -10, 20, 20).difference(box(0, 0, 10, 10))


def _nan_polygon():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely notes the NaN it was given
        return shapely.Polygon([(0, 0), (np.nan, 0), (1, 1)])


# -- sightlines ------------------------------------------------------------------------


def test_isovist_fov_must_be_a_number():
    with pytest.raises(cpted.InputError, match=r"fov must be a number of degrees.*'wide'"):
        cpted.sightlines.isovist((5, 5), [ROOM], fov="wide", direction=0)


def test_isovist_reads_compass_points_as_osm_does():
    by_name = cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction="NNW")
    by_degrees = cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction=337.5)
    assert by_name.equals(by_degrees)
    assert not by_name.equals(cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction=0))


def test_isovist_refuses_other_direction_text():
    with pytest.raises(cpted.InputError, match=r"compass point \(N, NNE.*got 'up'"):
        cpted.sightlines.isovist((5, 5), [ROOM], fov=90, direction="up")


def test_isovists_count_the_points_that_are_nan():
    points = gpd.GeoDataFrame(geometry=[Point(5, 5), Point(np.nan, np.nan)], crs=32633)
    with pytest.raises(cpted.InputError, match=r"points: 1 of 2 .* not finite .* rows 1"):
        cpted.sightlines.isovists(points, gpd.GeoDataFrame(geometry=[ROOM], crs=32633))


def test_isovists_count_the_obstacles_that_are_nan():
    with pytest.raises(cpted.InputError, match=r"obstacles: 1 of 2 .* not finite"):
        cpted.sightlines.isovist((50, 50), [ROOM, _nan_polygon()])


def test_isovist_origin_far_outside_the_obstacles():
    with pytest.raises(cpted.InputError, match=r"far outside the obstacles.*another CRS"):
        cpted.sightlines.isovist((1e9, 1e9), [ROOM])
    with pytest.raises(cpted.InputError, match=r"1 of 2 origins lie far outside"):
        cpted.sightlines.isovists(np.array([[5.0, 5.0], [5.0, 2e5]]), [ROOM], radius=50)


# -- reading and adding layers ---------------------------------------------------------


@pytest.mark.parametrize("path", [None, 42])
def test_area_from_file_needs_a_path(path):
    with pytest.raises(
        cpted.InputError,
        match=rf"must be a path \(a str or pathlib.Path\), got {type(path).__name__}",
    ):
        cpted.area_from_file(path)


def test_observations_need_a_path_or_frame():
    with pytest.raises(cpted.InputError, match=r"source must be the path .* got NoneType"):
        cpted.fieldaudit.observations_from_file(None)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (42, "got int 42"),
        (None, "got NoneType None"),
        ([Point(0, 0)], r"got list\. For shapely geometries write `gpd\.GeoDataFrame"),
        (pd.DataFrame({"height": [6.0]}), "has no coordinate columns: name them lon and lat"),
    ],
    ids=["int", "None", "list", "frame without coordinates"],
)
def test_with_layer_refuses_what_is_no_layer(neukoelln, data, words):
    with pytest.raises(cpted.InputError, match=words):
        neukoelln.with_layer("lamps", data)


def _lonlat(area, dx=0.0, dy=0.0):
    """A lon/lat point at the centre of the area's streets, moved by dx, dy metres."""
    centre = area.streets.union_all().centroid
    return gpd.GeoSeries([Point(centre.x + dx, centre.y + dy)], crs=area.crs).to_crs(4326)[0]


def test_with_layer_takes_a_frame_with_lon_lat(neukoelln):
    point = _lonlat(neukoelln)
    area = neukoelln.with_layer("lamps", pd.DataFrame({"lon": [point.x], "lat": [point.y]}))
    assert len(area.lamps) == len(neukoelln.lamps) + 1


def test_with_layer_unknown_crs_is_named(neukoelln):
    layer = gpd.GeoDataFrame(geometry=[Point(393900, 5814850)])
    with pytest.raises(cpted.CRSError, match=r"the CRS 'EPSG:99999' is not one pyproj knows"):
        neukoelln.with_layer("lamps", layer, crs="EPSG:99999")


def test_projected_coordinates_declared_as_wgs84(neukoelln, tmp_path):
    centre = neukoelln.streets.union_all().centroid
    layer = gpd.GeoDataFrame(geometry=[centre, centre], crs=4326)
    with pytest.raises(cpted.CRSError, match=r"declared as WGS 84 .* 2 of 2 features .* projected"):
        neukoelln.with_layer("lamps", layer)
    # A GeoJSON file has no CRS member: it is read as WGS84 and caught the same way.
    path = tmp_path / "lamps.geojson"
    x, y = centre.x, centre.y
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
        f' "geometry": {{"type": "Point", "coordinates": [{x}, {y}]}}}}]}}'
    )
    with pytest.raises(cpted.CRSError, match=r"1 of 1 features .* a GeoJSON file is read as"):
        neukoelln.with_layer("lamps", path)


def test_swapped_lon_lat_is_named(neukoelln, tmp_path):
    point = _lonlat(neukoelln)
    path = tmp_path / "lamps.csv"
    path.write_text(f"lon,lat\n{point.y},{point.x}\n")  # latitude written first
    with pytest.raises(cpted.InputError, match=r"All 1 features .* longitude and latitude swapped"):
        neukoelln.with_layer("lamps", path)


def test_all_outside_the_area_is_refused(neukoelln):
    far = gpd.GeoDataFrame(geometry=[Point(2.35, 48.85)], crs=4326)  # Paris, not Neukölln
    with pytest.raises(
        cpted.InputError, match=r"All 1 features .* outside the study area\. Check the CRS"
    ):
        neukoelln.with_layer("lamps", far)


def test_some_outside_the_area_warn_with_their_count(neukoelln):
    layer = gpd.GeoDataFrame(geometry=[_lonlat(neukoelln), Point(2.35, 48.85)], crs=4326)
    with pytest.warns(
        cpted.CptedWarning, match=r"1 of 2 features of the user layer 'lamps' lie outside"
    ):
        area = neukoelln.with_layer("lamps", layer)
    assert area.quality()["user_features_outside"] == 1
    assert neukoelln.quality()["user_features_outside"] == 0


def test_text_coordinates_in_csv_are_counted(neukoelln, tmp_path):
    point = _lonlat(neukoelln)
    path = tmp_path / "lamps.csv"
    path.write_text(f"lon,lat\n{point.x},{point.y}\nabc,52.4\n{point.x},\n")
    with pytest.raises(cpted.InputError, match=r"not numbers in 2 of 3 rows, on lines \[3, 4\]"):
        neukoelln.with_layer("lamps", path)


def test_bow_tie_site_is_repaired_and_counted(neukoelln):
    c = neukoelln.streets.union_all().centroid
    bow = shapely.Polygon([(c.x, c.y), (c.x + 50, c.y + 50), (c.x + 50, c.y), (c.x, c.y + 50)])
    layer = gpd.GeoDataFrame({"name": ["Bow"]}, geometry=[bow], crs=neukoelln.crs)
    with pytest.warns(cpted.CptedWarning, match=r"1 self-intersecting polygons .*make_valid"):
        area = neukoelln.with_layer("sites", layer)
    site = area.sites.iloc[-1]
    assert site.geometry.is_valid and site["area_m2"] == pytest.approx(1250.0)
    assert area.quality()["polygons_repaired"] == 1


# -- audit arguments -------------------------------------------------------------------


@pytest.fixture(scope="module")
def lit_audit(neukoelln):
    return cpted.audit(neukoelln, principles="lighting", explain=False, progress=False)


def test_one_principle_as_a_string(lit_audit):
    assert lit_audit.principles == ("lighting",)


def test_unknown_principle_lists_the_valid_ones(neukoelln):
    with pytest.raises(
        cpted.InputError,
        match=r"Unknown principles 'light'; the principles are sightlines, lighting",
    ):
        cpted.audit(neukoelln, principles=("light",), progress=False)
    with pytest.raises(
        cpted.InputError, match=r"principles must be a name or a tuple .* got int 3"
    ):
        cpted.audit(neukoelln, principles=3, progress=False)


@pytest.mark.parametrize("where", [None, 42])
def test_save_and_report_need_a_path(lit_audit, where):
    with pytest.raises(cpted.InputError, match=r"directory must be a path .* got (NoneType|int)"):
        lit_audit.save(where)
    with pytest.raises(cpted.InputError, match=r"path must be a path .* got (NoneType|int)"):
        lit_audit.report(where)


def test_worst_segments_needs_a_count(lit_audit):
    with pytest.raises(
        cpted.InputError, match=r"n \(the number of segments\) must be a whole number.*'x'"
    ):
        lit_audit.worst_segments("x")
    assert len(lit_audit.worst_segments(3, score="lighting_score")) == 3


# -- the command line ------------------------------------------------------------------


def _cli(capsys, *args):
    code = main(["-q", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize(
    ("site", "words"),
    [
        ("(", r"No site named '\(' .* at least 3 letters"),
        ("*", r"No site named '\*' .* at least 3 letters"),
        (".", r"No site named '\.' .* at least 3 letters"),
        ("Kornerpak", r"Did you mean: Körnerpark\?"),
        ("park", r"'park' matches 2 sites: Körnerpark; Rübelandpark\. Give one"),
    ],
    ids=["paren", "star", "dot", "typo", "several"],
)
def test_cli_site_names_are_matched_literally(tmp_path, capsys, site, words):
    code, err = _cli(capsys, "audit", "--site", site, "--out", str(tmp_path / "out"))
    assert code == 2
    assert re.search(words, err), err
    assert err.count("\n") == 1  # one line


def test_site_names_ignore_accents_and_case(neukoelln):
    assert list(_site_match(neukoelln.sites, "KORNER")["name"]) == ["Körnerpark"]
    assert list(_site_match(neukoelln.sites, "thomashohe")["name"]) == ["Thomashöhe"]


def test_cli_weights_folder(tmp_path, capsys):
    code, err = _cli(capsys, "audit", "--weights", str(tmp_path), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "is a folder, not a file" in err


def _deny(monkeypatch, denied):
    real = Path.open

    def fake_open(self, *args, **kwargs):
        if self == denied:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", fake_open)


def test_cli_unreadable_input_says_permission_denied(tmp_path, capsys, monkeypatch):
    source = tmp_path / "locked" / "place.osm"
    source.parent.mkdir()
    source.write_bytes(cpted.datasets.get_path("neukoelln").read_bytes())
    _deny(monkeypatch, source)
    code, err = _cli(capsys, "info", str(source))
    assert code == 2
    assert "cannot be read: permission denied" in err and "damaged" not in err
    weights = tmp_path / "weights.toml"
    weights.write_text("lighting = 2\n")
    _deny(monkeypatch, weights)
    code, err = _cli(capsys, "audit", "--weights", str(weights), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "weights file" in err and "permission denied" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder whatever its mode")
def test_cli_input_in_an_unreadable_folder(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    source = folder / "place.osm.bz2"
    source.write_bytes(cpted.datasets.get_path("neukoelln").read_bytes())
    folder.chmod(0)
    try:
        code, err = _cli(capsys, "info", str(source))
    finally:
        folder.chmod(0o755)
    assert code == 2
    assert "permission denied" in err


# -- values replaced by defaults, and areas that lack a layer --------------------------


def _street_osm(tmp_path, extra_nodes=()):
    """One straight residential street, 140 m long, with ``extra_nodes`` beside it."""
    nodes = [(1, 13.0, 52.0, {}), (2, 13.001, 52.0, {}), (3, 13.002, 52.0, {}), *extra_nodes]
    path = tmp_path / "street.osm"
    path.write_text(osm_xml(nodes, [(1, [1, 2, 3], {"highway": "residential", "name": "A"})]))
    return path


def test_lamp_heights_zero_and_negative_are_treated_alike(tmp_path):
    lamps = [
        (10, 13.0005, 52.0001, {"highway": "street_lamp", "height": "0"}),
        (11, 13.0015, 52.0001, {"highway": "street_lamp", "height": "-5"}),
        (12, 13.0010, 52.0001, {"highway": "street_lamp", "height": "8"}),
    ]
    area = cpted.area_from_file(_street_osm(tmp_path, lamps))
    assert area.lamps.loc[["n10", "n11", "n12"], "height_source"].tolist() == [
        "default",
        "default",
        "osm",
    ]
    # the one place that defaults a lamp's height: by the class of the street it lights
    from cpted.lighting import lamps_with_defaults

    used = lamps_with_defaults(area).loc[["n10", "n11", "n12"]]
    street = cpted.settings.LAMP_HEIGHT_BY_HIGHWAY[used["street_class"].iloc[0]]
    assert used["height"].tolist() == [street, street, 8.0]
    assert area.quality()["lamp_heights_defaulted"] == 2
    with pytest.warns(cpted.CptedWarning, match="No public spaces"):  # and nothing else
        result = cpted.audit(area, principles="lighting", explain=False, progress=False)
    assert result.segments["lighting_score"].notna().all()


def test_user_lamp_heights_zero_and_negative_use_the_default(neukoelln):
    point = neukoelln.streets.union_all().centroid
    layer = gpd.GeoDataFrame({"height": [0, -5, 8]}, geometry=[point] * 3, crs=neukoelln.crs)
    area = neukoelln.with_layer("lamps", layer, replace=True)
    assert area.lamps["height"].tolist()[2] == 8.0
    assert area.lamps["height"].isna().tolist() == [True, True, False]  # defaulted later
    assert area.lamps["height_source"].tolist() == ["default", "default", "inventory"]
    assert area.quality()["lamp_heights_defaulted"] == 2


def test_camera_fov_and_angle_out_of_range_use_the_default(neukoelln):
    point = neukoelln.streets.union_all().centroid
    layer = gpd.GeoDataFrame(
        {"fov": [999, -5, 90], "direction": ["N", 90, 180], "angle": [200, 10, -30]},
        geometry=[point] * 3,
        crs=neukoelln.crs,
    )
    area = neukoelln.with_layer("cameras", layer)
    cameras = area.cameras
    assert cameras["fov"].tolist() == [cpted.settings.CAMERA_FOV] * 2 + [90.0]
    assert cameras["angle"].isna().tolist() == [True, False, False]
    assert area.quality()["camera_values_defaulted"] == 3


def test_osm_camera_angle_out_of_range_is_counted(tmp_path):
    camera = (10, 13.001, 52.0001, {"man_made": "surveillance", "camera:angle": "200"})
    area = cpted.area_from_file(_street_osm(tmp_path, [camera]))
    assert np.isnan(area.cameras.loc["n10", "angle"])
    assert area.quality()["camera_values_defaulted"] == 1


def test_a_single_street_without_lamps_buildings_or_sites_is_audited(tmp_path):
    area = cpted.area_from_file(_street_osm(tmp_path))
    assert area.boundary.geom_type == "Polygon"
    with pytest.warns(cpted.CptedWarning, match=r"street\.osm is incomplete") as caught:
        result = cpted.audit(area, explain=False, progress=False)
    notes = " ".join(result.notes)
    for words in ("No public spaces", "No street lamps", "No buildings", "Only 1 street segment"):
        assert words in notes
        assert words in str(caught[0].message)
    assert "note: No public spaces" in repr(result)
    assert result.segments["cpted_score"].notna().all()


def test_an_area_without_public_spaces_is_audited(neukoelln):
    area = neukoelln.copy()
    area.sites = area.sites.iloc[:0]
    with pytest.warns(cpted.CptedWarning, match="No public spaces"):
        result = cpted.audit(area, principles="access", explain=False, progress=False)
    assert result.notes == [result.notes[0]] and len(result.sites) == 0
    assert result.segments["access_score"].notna().any()


def test_unknown_crs_is_named_wherever_crs_is_taken(neukoelln, tmp_path):
    with pytest.raises(cpted.CRSError, match=r"lamp position: the CRS 'EPSG:99999' is not one"):
        cpted.scenarios.add_lamp(neukoelln, (393900.0, 5814850.0), crs="EPSG:99999")
    path = tmp_path / "walk.csv"
    path.write_text("x,y,lighting\n393900,5814850,3\n")
    with pytest.raises(cpted.CRSError, match=r"walk\.csv: the CRS 'EPSG:99999' is not one"):
        cpted.fieldaudit.observations_from_file(path, crs="EPSG:99999")


def test_osm_bow_tie_site_arrives_valid(tmp_path):
    """The OSM reader (osmium's area assembler) mends a bow-tie and counts it there."""
    corners = [(20, 13.0005, 52.0002), (21, 13.0015, 52.0006), (22, 13.0015, 52.0002)]
    corners += [(23, 13.0005, 52.0006)]  # drawn 20-21-22-23: the outline crosses itself
    nodes = [(i, lon, lat, {}) for i, lon, lat in corners]
    path = _street_osm(tmp_path, nodes)
    text = path.read_text().replace(
        "</osm>",
        '<way id="2" version="1"><nd ref="20"/><nd ref="21"/><nd ref="22"/><nd ref="23"/>'
        '<nd ref="20"/><tag k="leisure" v="playground"/></way></osm>',
    )
    path.write_text(text)
    area = cpted.area_from_file(path)
    assert area.sites.geometry.is_valid.all()
    # the two triangles of the bow-tie: half its bounding box
    frame = area.sites.geometry.iloc[0].envelope.area
    assert area.sites["area_m2"].iloc[0] == pytest.approx(frame / 2, rel=0.1)  # not a quarter


def test_isovists_read_compass_points_per_point():
    points = np.array([[5.0, 5.0], [5.0, 5.0]])
    named = cpted.sightlines.isovists(points, [ROOM], fov=90, direction=["N", "SE"])
    degrees = cpted.sightlines.isovists(points, [ROOM], fov=90, direction=[0.0, 135.0])
    assert np.allclose(named["area"], degrees["area"])
    assert named.geometry[0].equals(degrees.geometry[0])
    assert not named.geometry[0].equals(named.geometry[1])
