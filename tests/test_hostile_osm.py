"""OSM files that break the rules: every one is read or refused with a CptedError.

Each test would fail if its protection broke: errors are checked by class and message,
what is kept is checked by count and by length (against pyproj.Geod where a projection is
at stake).
"""

from __future__ import annotations

import bz2
import gzip
import json
import os

import numpy as np
import pyproj
import pytest
import shapely
from conftest import osm_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cpted
from cpted.cli import main
from cpted.osm import MAX_STRING_BYTES, close_clipped, read_osm

GEOD = pyproj.Geod(ellps="WGS84")

#: Projected street lengths must match geodesic ones this closely (UTM's own scale error
#: is at most 0.1 % inside a zone; the local polar projection is far better).
LENGTH_RTOL = 0.005

STEP = 0.001  # degrees between the nodes of the small test footways


def write(path, nodes, ways, *, bounds=None):
    """Write an .osm file; ``bounds`` (west, south, east, north) adds a <bounds> line."""
    text = osm_xml(nodes, ways)
    if bounds is not None:
        w, s, e, n = bounds
        line = f'<bounds minlat="{s}" minlon="{w}" maxlat="{n}" maxlon="{e}"/>'
        text = text.replace("<meta ", line + "\n<meta ", 1)
    path.write_text(text, encoding="utf-8")
    return path


def footway(lon0=13.0, lat0=52.0, *, first_id=1, way_id=10, count=3, tags=None):
    """A straight east-west footway of ``count`` nodes, STEP degrees apart."""
    nodes = [(first_id + i, lon0 + i * STEP, lat0, {}) for i in range(count)]
    ways = [(way_id, [n[0] for n in nodes], tags or {"highway": "footway"})]
    return nodes, ways


def geodesic_length(coords):
    lons, lats = zip(*coords, strict=True)
    return GEOD.line_length(lons, lats)


def one_line_exit_2(capsys, *args):
    code = main(["-q", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("cpted: error: ")
    assert err.count("\n") == 1
    return err


# --------------------------------------------------------------------------------------
# 1. coordinates that are not numbers, not finite or out of range
# --------------------------------------------------------------------------------------

BAD_COORDINATES = ["nan", "NaN", "inf", "-inf", "1e308", "9e99", "abc", "", "200", "-91"]


@pytest.mark.parametrize("bad", BAD_COORDINATES)
def test_a_node_with_a_bad_latitude_is_left_out_and_counted(tmp_path, bad):
    nodes, ways = footway()
    # node 4 is unusable; the way 3-4-5 is cut at it, leaving runs of single nodes
    nodes += [(4, 13.003, bad, {}), (5, 13.004, 52.0, {})]
    ways += [(11, [3, 4, 5], {"highway": "footway"})]
    path = write(tmp_path / "bad.osm", nodes, ways)
    before = path.read_bytes()
    area = cpted.area_from_file(path)
    quality = area.quality()
    assert quality["invalid_coordinates"] == 1
    assert quality["dangling_refs"] == 0  # the node is in the file, only unusable
    # only the good footway, 2 x 68.5 m; 1e308 read as latitude 0 would add 5,700 km
    assert area.streets["length"].sum() == pytest.approx(2 * 68.6, rel=0.01)
    assert path.read_bytes() == before  # the repair works on a copy


def test_a_bad_longitude_in_a_compressed_file_is_repaired_too(tmp_path):
    nodes, ways = footway()
    nodes += [(4, "inf", 52.0, {"highway": "street_lamp"})]
    text = osm_xml(nodes, ways).encode()
    for name, packed in (("x.osm.gz", gzip.compress(text)), ("x.osm.bz2", bz2.compress(text))):
        (tmp_path / name).write_bytes(packed)
        data = read_osm(tmp_path / name)
        assert data.invalid_coordinates == 1
        assert [n[0] for n in data.nodes] == []  # the lamp had no position to keep


def test_a_node_on_the_prime_meridian_is_read_without_repair(tmp_path, monkeypatch):
    # libosmium reads 1e308 as 0, so a coordinate of exactly 0 asks for a check; a real one
    # (Greenwich) must not send the file through the slower repaired copy
    def never(path):
        raise AssertionError("a file without bad coordinates was repaired")

    monkeypatch.setattr(cpted.osm, "_repaired_copy", never)
    nodes, ways = footway(0.0, 51.4779)
    area = cpted.area_from_file(write(tmp_path / "greenwich.osm", nodes, ways))
    assert area.streets["length"].sum() == pytest.approx(2 * 69.4, rel=0.01)
    assert area.quality()["invalid_coordinates"] == 0


def test_nothing_valid_left_is_a_data_error(tmp_path):
    nodes = [(i, "nan", "nan", {}) for i in (1, 2, 3)]
    path = write(tmp_path / "void.osm", nodes, [(10, [1, 2, 3], {"highway": "footway"})])
    with pytest.raises(cpted.DataError, match=r"all 3 of its nodes have unusable coordinates"):
        cpted.area_from_file(path)


def test_cli_reports_unusable_coordinates_in_one_line(tmp_path, capsys):
    nodes = [(i, "abc", 52.0, {}) for i in (1, 2)]
    path = write(tmp_path / "void.osm", nodes, [(10, [1, 2], {"highway": "footway"})])
    assert "unusable coordinates" in one_line_exit_2(capsys, "info", str(path))


def test_bounds_that_are_not_numbers_are_ignored(tmp_path):
    nodes, ways = footway()
    path = write(tmp_path / "b.osm", nodes, ways, bounds=("x", 51.9, 13.1, "-"))
    area = cpted.area_from_file(path)
    assert len(area.streets) == 1
    assert read_osm(path).bounds is None


# --------------------------------------------------------------------------------------
# 2. tags longer than libosmium reads
# --------------------------------------------------------------------------------------


def test_over_long_tags_are_cut_to_fit_and_counted(tmp_path):
    long_name = "N" * 2000
    tags = {"highway": "footway", "name": long_name, "k" * 1500: "x", "note": "é" * 600}
    nodes, ways = footway(tags=tags)
    area = cpted.area_from_file(write(tmp_path / "long.osm", nodes, ways))
    assert area.quality()["tags_truncated"] == 3
    name = area.streets["name"].iloc[0]
    assert name == long_name[:MAX_STRING_BYTES]
    way = read_osm(tmp_path / "long.osm").ways[0]
    assert way.tags["note"] == "é" * (MAX_STRING_BYTES // 2)  # cut at a character boundary
    assert way.tags["highway"] == "footway"


def test_a_tag_of_exactly_the_limit_is_read_as_it_is(tmp_path):
    nodes, ways = footway(tags={"highway": "footway", "name": "x" * MAX_STRING_BYTES})
    area = cpted.area_from_file(write(tmp_path / "limit.osm", nodes, ways))
    assert area.quality()["tags_truncated"] == 0
    assert len(area.streets["name"].iloc[0]) == MAX_STRING_BYTES


def test_an_element_that_cannot_be_repaired_is_named(tmp_path, capsys):
    nodes, ways = footway()
    path = tmp_path / "id.osm"
    path.write_text(osm_xml(nodes, ways).replace('node id="2"', 'node id="two"'))
    with pytest.raises(cpted.InputError, match=r"cannot read: illegal id: 'two'.*JOSM"):
        read_osm(path)
    assert "illegal id" in one_line_exit_2(capsys, "info", str(path))


# --------------------------------------------------------------------------------------
# 3. and 4. polar data and data across the antimeridian
# --------------------------------------------------------------------------------------


def assert_lengths_are_geodesic(area, ways_coords):
    by_way = area.streets.groupby("osmid")["length"].sum()
    assert len(by_way) == len(ways_coords)
    for way_id, coords in ways_coords.items():
        assert by_way[way_id] == pytest.approx(geodesic_length(coords), rel=LENGTH_RTOL)


def star(lon0, lat0, *, km=1.0):
    """Four footways of about ``km`` from near one point, east, north, north-east, west."""
    dlat = km / 111.0
    dlon = km / (111.32 * np.cos(np.radians(lat0)))
    ends = {20: (dlon, 0.0), 21: (0.0, dlat), 22: (dlon, dlat), 23: (-dlon, -dlat / 2)}
    nodes, ways, coords = [], [], {}
    for k, (way_id, (dx, dy)) in enumerate(ends.items()):
        # each footway has its own nodes, so each stays one segment with its own osmid
        a = (100 + 10 * k, lon0 + 0.0001 * k, lat0)
        b = (101 + 10 * k, lon0 + 0.0001 * k + dx / 2, lat0 + dy / 2)
        c = (102 + 10 * k, lon0 + 0.0001 * k + dx, lat0 + dy)
        lon_of = [((p[1] + 180) % 360) - 180 for p in (a, b, c)]
        nodes += [(p[0], lon, p[2], {}) for p, lon in zip((a, b, c), lon_of, strict=True)]
        ways.append((way_id, [a[0], b[0], c[0]], {"highway": "footway"}))
        coords[way_id] = [(p[1], p[2]) for p in (a, b, c)]
    return nodes, ways, coords


@pytest.mark.parametrize(("lat", "hemisphere"), [(85.0, "N"), (-82.0, "S"), (89.9, "N")])
def test_polar_data_gets_a_local_projection_with_true_lengths(tmp_path, lat, hemisphere):
    nodes, ways, coords = star(10.0, lat)
    area = cpted.area_from_file(write(tmp_path / "polar.osm", nodes, ways))
    assert area.crs.is_projected
    assert "azimuthal equidistant" in area.crs.name and hemisphere in area.crs.name
    assert_lengths_are_geodesic(area, coords)
    assert area.boundary.area < 3e6  # a few km², not a hemisphere


@pytest.mark.parametrize("lat", [-16.8, 0.0, 52.0])
def test_data_across_the_antimeridian_is_projected_in_its_own_zone(tmp_path, lat):
    nodes, ways, coords = star(179.997, lat)
    path = write(tmp_path / "fiji.osm", nodes, ways)
    data = read_osm(path)
    assert data.crosses_antimeridian
    west, _, east, _ = data.extent
    assert 179.9 < west < 180.0 < east < 180.1
    area = cpted.area_from_file(path)
    assert area.crs.utm_zone in {"1N", "60N", "1S", "60S"}
    assert_lengths_are_geodesic(area, coords)
    width, height = np.subtract(area.boundary.bounds[2:], area.boundary.bounds[:2])
    assert width < 3000 and height < 3000  # today's bug: the frame spanned the world


def test_a_frame_stated_across_the_antimeridian_is_kept_narrow(tmp_path):
    nodes, ways, _ = star(179.997, -16.8)
    path = write(tmp_path / "fiji.osm", nodes, ways, bounds=(179.99, -16.9, -179.98, -16.7))
    assert read_osm(path).bounds == pytest.approx((179.99, -16.9, 180.02, -16.7))
    area = cpted.area_from_file(path)
    assert area.boundary.bounds[2] - area.boundary.bounds[0] < 5000


def test_ordinary_data_keeps_its_utm_zone():
    assert cpted.area.local_crs((13.42, 52.47, 13.44, 52.48)).to_epsg() == 32633
    assert cpted.area.local_crs((0.01, -79.99, 0.02, -79.98)).to_epsg() == 32731


# --------------------------------------------------------------------------------------
# 5. areas too large to audit
# --------------------------------------------------------------------------------------


def two_towns(tmp_path, *, bounds=None):
    west, _ = footway(13.0, 52.0)
    east, east_ways = footway(16.0, 53.5, first_id=11, way_id=20)
    return write(tmp_path / "region.osm", west + east, _ + east_ways, bounds=bounds)


def test_a_file_spanning_200_km_is_refused_at_load(tmp_path, monkeypatch, capsys):
    path = two_towns(tmp_path)

    def never(*args, **kwargs):
        raise AssertionError("the street network was built before the size was checked")

    monkeypatch.setattr(cpted.area, "_graph_from_ways", never)
    with pytest.raises(
        cpted.InputError, match=r"spans 20\d\.\d km × 16\d\.\d km.*MAX_AREA_KM2.*boundary="
    ):
        cpted.area_from_file(path)
    err = one_line_exit_2(capsys, "info", str(path))
    assert "km" in err and "boundary=" in err
    one_line_exit_2(capsys, "audit", str(path), "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_a_boundary_narrows_a_large_file_to_an_area_that_loads(tmp_path):
    path = two_towns(tmp_path)
    area = cpted.area_from_file(path, boundary=(12.99, 51.99, 13.01, 52.01))
    assert list(area.streets["osmid"]) == [10]
    with pytest.raises(cpted.InputError, match=r"Give a smaller boundary="):
        cpted.area_from_file(path, boundary=(12.9, 51.9, 16.1, 53.6))


def test_a_large_bbox_is_refused_before_it_is_downloaded(monkeypatch):
    def never(bbox):
        raise AssertionError("a bbox too large to audit was downloaded")

    monkeypatch.setattr(cpted.area, "download_bbox", never)
    with pytest.raises(cpted.InputError, match=r"bbox \(13.*spans 13\d\.\d km.*smaller bbox"):
        cpted.area_from_bbox((13.0, 52.0, 15.0, 53.0))


def test_the_size_limit_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setattr(cpted.settings, "MAX_AREA_KM2", 1e6)
    assert len(cpted.area_from_file(two_towns(tmp_path)).streets) == 2


def test_a_world_frame_around_a_small_plan_is_not_a_large_area(tmp_path):
    nodes, ways = footway()
    path = write(tmp_path / "josm.osm", nodes, ways, bounds=(-180, -90, 180, 90))
    area = cpted.area_from_file(path)
    assert area.boundary.length < 1000


# --------------------------------------------------------------------------------------
# 6. and 7. negative ids, duplicate ids
# --------------------------------------------------------------------------------------


def test_a_footway_drawn_in_josm_with_negative_ids_is_kept(tmp_path):
    nodes, ways = footway(first_id=-3)  # nodes -3, -2, -1
    house = [(-10, 13.0, 52.0003), (-11, 13.0004, 52.0003), (-12, 13.0004, 52.0006)]
    nodes += [(i, x, y, {}) for i, x, y in [*house, (-13, 13.0, 52.0006)]]
    ways = [(-100, [-3, -2, -1], {"highway": "footway"})]
    ways += [(-200, [-10, -11, -12, -13, -10], {"building": "yes"})]
    area = cpted.area_from_file(write(tmp_path / "plan.osm", nodes, ways))
    assert list(area.streets["osmid"]) == [-100]
    assert area.streets["length"].sum() == pytest.approx(2 * 68.6, rel=0.01)
    assert list(area.buildings.index) == ["w-200"]
    assert area.buildings.geometry.iloc[0].area == pytest.approx(27.4 * 33.4, rel=0.02)
    quality = area.quality()
    assert quality["dangling_refs"] == 0 and quality["areas_mended"] == 0


def test_negative_ids_mix_with_positive_ones(tmp_path):
    nodes = [(1, 13.0, 52.0, {}), (-1, 13.001, 52.0, {}), (2, 13.002, 52.0, {})]
    path = write(tmp_path / "mix.osm", nodes, [(5, [1, -1, 2], {"highway": "footway"})])
    area = cpted.area_from_file(path)
    assert area.streets["length"].sum() == pytest.approx(2 * 68.6, rel=0.01)


def test_duplicate_ids_and_out_of_range_coordinates_are_counted(tmp_path):
    nodes, ways = footway()
    nodes += [
        (2, 13.001, 52.0, {}),  # node 2 again
        (7, 13.01, 95.0, {}),  # latitude beyond the pole
        (8, -200.0, 52.0, {}),  # longitude beyond the antimeridian
    ]
    ways += [(10, [1, 2], {"highway": "footway"})]  # way 10 again
    area = cpted.area_from_file(write(tmp_path / "dup.osm", nodes, ways))
    quality = area.quality()
    assert quality["duplicate_ids"] == 2
    assert quality["invalid_coordinates"] == 2
    assert len(area.streets) >= 1


def test_objects_out_of_id_order_are_read_in_order(tmp_path):
    # Hand-edited files (and JOSM files mixing new and downloaded objects) are not always
    # sorted; libosmium's area assembly stops at the first way out of order.
    west, west_ways = footway()
    east, east_ways = footway(13.01, first_id=-20, way_id=-5)
    third, third_ways = footway(13.02, first_id=40, way_id=3)
    ways = east_ways + west_ways + third_ways  # -5, 10, 3
    area = cpted.area_from_file(write(tmp_path / "mixed.osm", west + east + third, ways))
    assert sorted(area.streets["osmid"]) == [-5, 3, 10]
    assert area.quality()["duplicate_ids"] == 0


def test_a_footway_loop_joined_to_nothing_is_kept(tmp_path):
    # osmnx's simplify_graph drops isolated rings by default; a file holding only a loop
    # round a pond then ended in a bare "Graph contains no nodes" (found by the fuzz test)
    nodes = [(1, 13.0, 52.0, {}), (2, 13.001, 52.0, {}), (3, 13.001, 52.001, {})]
    nodes.append((4, 13.0, 52.001, {}))
    path = write(tmp_path / "loop.osm", nodes, [(10, [1, 2, 3, 4, 1], {"highway": "footway"})])
    area = cpted.area_from_file(path)
    ring = [(13.0, 52.0), (13.001, 52.0), (13.001, 52.001), (13.0, 52.001), (13.0, 52.0)]
    assert area.streets["length"].sum() == pytest.approx(geodesic_length(ring), rel=LENGTH_RTOL)


def test_every_quality_figure_has_a_meaning(neukoelln):
    quality = neukoelln.quality()
    assert set(quality.index) == set(cpted.area.QUALITY_MEANINGS)
    for key in ("invalid_coordinates", "duplicate_ids", "tags_truncated", "areas_failed"):
        assert quality[key] == 0


# --------------------------------------------------------------------------------------
# 8. corrupt and truncated files
# --------------------------------------------------------------------------------------


def corrupt_files(folder):
    text = bz2.decompress(cpted.datasets.get_path("neukoelln").read_bytes())
    packed = bz2.compress(text)
    rng = np.random.default_rng(12)
    made = {
        "cut.osm.bz2": packed[: len(packed) // 2],
        "garbage.osm.pbf": rng.integers(0, 256, 5000, dtype=np.uint8).tobytes(),
        "garbage.osm.gz": b"\x1f\x8b" + rng.integers(0, 256, 500, dtype=np.uint8).tobytes(),
        "empty.osm": b"",
        "page.osm": b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>",
        "cut.osm": text[: len(text) // 2],
        "binary.osm": b"<osm version='0.6'>\x00\xff\xfe" + bytes(range(256)),
    }
    for name, content in made.items():
        (folder / name).write_bytes(content)
    (folder / "x.osm").mkdir()
    return {
        "cut.osm.bz2": r"truncated|damaged",
        "garbage.osm.pbf": r"cannot be read|truncated|damaged",
        "garbage.osm.gz": r"decompressed|damaged",
        "empty.osm": r"empty \(0 bytes\)",
        "page.osm": r"not OpenStreetMap XML",
        "cut.osm": r"truncated,? (or )?damaged",
        "binary.osm": r"truncated,? (or )?damaged",
        "x.osm": r"is a folder",
    }


@pytest.fixture(scope="module")
def corrupt(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corrupt")
    return folder, corrupt_files(folder)


@pytest.mark.parametrize(
    "name",
    [
        "cut.osm.bz2",
        "garbage.osm.pbf",
        "garbage.osm.gz",
        "empty.osm",
        "page.osm",
        "cut.osm",
        "binary.osm",
        "x.osm",
    ],
)
def test_a_corrupt_file_is_an_input_error(corrupt, name, capsys):
    folder, expected = corrupt
    with pytest.raises(cpted.InputError, match=expected[name]):
        cpted.area_from_file(folder / name)
    one_line_exit_2(capsys, "info", str(folder / name))


# --------------------------------------------------------------------------------------
# mending polygons cut by the frame, when GEOS fails
# --------------------------------------------------------------------------------------


def clipped_square(tmp_path):
    """A footway and a square whose south-east corner is outside the stated frame."""
    nodes, ways = footway()
    corners = [(20, 13.0005, 52.0005), (21, 13.0015, 52.0005), (23, 13.0005, 52.0015)]
    nodes += [(i, x, y, {}) for i, x, y in corners]
    ways += [(30, [20, 21, 22, 23, 20], {"place": "square", "name": "Cut"})]
    return write(tmp_path / "clip.osm", nodes, ways, bounds=(12.999, 51.999, 13.003, 52.001))


def test_a_geos_failure_while_mending_drops_only_that_polygon(tmp_path, monkeypatch):
    path = clipped_square(tmp_path)
    assert read_osm(path).areas_mended == {"w30"}

    def fail(*args, **kwargs):
        raise shapely.errors.GEOSException("TopologyException: Iterated noding failed")

    monkeypatch.setattr(cpted.osm, "close_clipped", fail)
    area = cpted.area_from_file(path)
    quality = area.quality()
    assert quality["areas_failed"] == 1
    assert quality["areas_mended"] == 0 and quality["areas_dropped"] == 0
    assert len(area.streets) == 1


def test_a_union_that_fails_to_converge_is_retried_on_a_fine_grid(monkeypatch):
    real = shapely.union_all
    calls = []

    def flaky(geoms, grid_size=None, **kwargs):
        calls.append(grid_size)
        if grid_size is None:
            raise shapely.errors.GEOSException("TopologyException: Iterated noding failed")
        return real(geoms, grid_size=grid_size, **kwargs)

    monkeypatch.setattr(shapely, "union_all", flaky)
    mended = close_clipped([np.array([[8.0, 4.0], [8.0, 2.0]])], shapely.box(0, 0, 10, 10))
    assert calls == [None, 1e-7]
    assert mended.equals(shapely.box(8, 2, 10, 4))


# --------------------------------------------------------------------------------------
# 9. anything at all: a StudyArea or a CptedError
# --------------------------------------------------------------------------------------

# XML 1.0 cannot hold control characters, surrogates or U+FFFE/U+FFFF (unassigned, Cn);
# a file with them is broken XML, which test_osm already covers.
PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn"))
TEXT = st.one_of(
    st.text(PRINTABLE, max_size=20),
    st.text(PRINTABLE, min_size=300, max_size=1100),  # over 1024 bytes when not ASCII
    st.sampled_from(["", "{{ x }}", "</script><script>alert(1)</script>", "\t\r\n", "&#1;"]),
)
GOOD_LON = st.floats(min_value=13.0, max_value=13.01)
GOOD_LAT = st.floats(min_value=52.0, max_value=52.01)
BAD_COORDINATE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "9e99", "", "abc", "52.0.1", "1e-5", "95"]),
)
IDS = st.integers(min_value=-3, max_value=6)  # small, so ids repeat and mix signs


@st.composite
def osm_documents(draw):
    """A few nodes (mostly placed near Berlin) and footways between them, any tags."""

    def coordinate(good):
        # one coordinate in six is bad, so that most files still hold a footway
        return draw(BAD_COORDINATE if draw(st.integers(0, 5)) == 0 else good)

    nodes = [
        (
            draw(IDS),
            coordinate(GOOD_LON),
            coordinate(GOOD_LAT),
            draw(st.dictionaries(TEXT, TEXT, max_size=2)),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=8)))
    ]
    refs = st.one_of(st.sampled_from([n[0] for n in nodes]), IDS)  # mostly nodes in the file
    ways = [
        (
            draw(IDS),
            draw(st.lists(refs, min_size=0, max_size=5)),
            {**draw(st.dictionaries(TEXT, TEXT, max_size=2)), "highway": "footway"},
        )
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    return nodes, ways


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=osm_documents())
def test_any_small_file_gives_a_study_area_or_a_cpted_error(tmp_path, document):
    nodes, ways = document
    path = tmp_path / "fuzz.osm"
    try:
        text = osm_xml(nodes, ways)
    except ValueError:  # quoteattr cannot write some text; nothing for cpted to read
        return
    path.write_text(text, encoding="utf-8")
    try:
        area = cpted.area_from_file(path)
    except cpted.CptedError as exc:
        message = str(exc)
    else:
        message = None
        assert isinstance(area, cpted.StudyArea)
        assert area.crs.is_projected
        assert set(area.quality().index) == set(cpted.area.QUALITY_MEANINGS)
    finally:
        os.remove(path)
    if message is not None:  # the CLI prints it as one line
        assert message and "\n" not in message


def test_a_map_across_the_antimeridian_opens_on_the_place(tmp_path):
    from cpted.maps import area_map

    nodes, ways, _ = star(179.997, -16.8)
    area = cpted.area_from_file(write(tmp_path / "fiji.osm", nodes, ways))
    m = area_map(area)
    assert m.wrap
    page = m.to_html()
    # the view is fitted to a few km, not to the whole world
    bounds = m.get_bounds()
    assert bounds[1][1] - bounds[0][1] < 0.1
    assert bounds[0][1] > 179.9 and bounds[1][1] < 180.1
    # and every street is drawn on the same side of it (the layers are sent packed)
    from cpted.maps._packed import PackedLayer, unpack

    def packed(element):
        for child in element._children.values():
            if isinstance(child, PackedLayer):
                yield child
            yield from packed(child)

    layers = list(packed(m))
    assert len(layers) >= 2 and "cptedUnpack" in page  # the grey network, the lit=* layer
    lons = [
        lon
        for layer in layers
        for g in layer.data["g"]
        for lon, _lat in shapely.get_coordinates(shapely.from_geojson(json.dumps(unpack(g))))
    ]
    assert lons and min(lons) > 179.9
