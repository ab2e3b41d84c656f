"""Large and merged inputs (issue 15): extracts tiled side by side, reading within a box."""

from __future__ import annotations

import math
import tracemalloc

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely
from conftest import ATOL
from shapely.geometry import box

import cpted
from cpted.datasets import repeat
from cpted.osm import read_osm


def frame_of(path):
    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    b = reader.header().box()
    reader.close()
    return (b.bottom_left.lon, b.bottom_left.lat, b.top_right.lon, b.top_right.lat)


HELSINKI = cpted.datasets.get_path("helsinki")
WEST, SOUTH, EAST, NORTH = frame_of(HELSINKI)
WIDTH, HEIGHT = EAST - WEST, NORTH - SOUTH


@pytest.fixture(scope="module")
def tiled(tmp_path_factory):
    """Helsinki 3 x 3 and 4 x 4, made once for the module."""
    folder = tmp_path_factory.mktemp("tiled")
    return {n: repeat(HELSINKI, n, n, folder / f"helsinki_{n}x{n}.osm.pbf") for n in (3, 4)}


# --------------------------------------------------------------------------------------
# polygons cut at the seam of merged extracts
# --------------------------------------------------------------------------------------

#: A small extract, 0.010° x 0.004°: a footway, a whole building, and a square cut by the
#: north edge (its two northern corners are outside the frame).
SOURCE_FRAME = (13.000, 52.000, 13.010, 52.004)


def cut_square_extract(path):
    nodes = {
        1: (13.002, 52.001),
        2: (13.008, 52.001),
        # the whole building, south of the square
        10: (13.0045, 52.0005),
        11: (13.0055, 52.0005),
        12: (13.0055, 52.0010),
        13: (13.0045, 52.0010),
        # the square: sw, se, east side, (ne, nw missing), west side
        20: (13.004, 52.0030),
        21: (13.006, 52.0030),
        22: (13.006, 52.0038),
        25: (13.004, 52.0038),
    }
    ways = {
        100: ([1, 2], {"highway": "footway"}),
        101: ([10, 11, 12, 13, 10], {"building": "yes"}),
        102: ([20, 21, 22, 23, 24, 25, 20], {"place": "square", "name": "Cut"}),
    }
    west, south, east, north = SOURCE_FRAME
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="cpted tests">',
        f'<bounds minlat="{south}" minlon="{west}" maxlat="{north}" maxlon="{east}"/>',
    ]
    lines += [
        f'<node id="{i}" version="1" lat="{lat}" lon="{lon}"/>' for i, (lon, lat) in nodes.items()
    ]
    for i, (refs, tags) in ways.items():
        inner = "".join(f'<nd ref="{r}"/>' for r in refs)
        inner += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{i}" version="1">{inner}</way>')
    path.write_text("\n".join([*lines, "</osm>"]), encoding="utf-8")
    return path


def same(a, b):
    """The same ground, to 1e-9 degrees (whatever the order and number of vertices)."""
    return a.symmetric_difference(b).area < 1e-9 * max(a.length, b.length)


def areas_by_copy(data, stride=1000):
    return {
        int(key[1:]) // stride: geom for key, _, geom in data.areas if int(key[1:]) % stride == 102
    }


def merged_elsewhere(path, out):
    """Rewrite ``path`` as another tool's merge would: its box, another generator."""
    import osmium

    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    frame = reader.header().box()
    reader.close()
    header = osmium.io.Header()
    header.add_box(frame)
    header.set("generator", "osmium/1.16.0")
    writer = osmium.SimpleWriter(str(out), header=header)
    for obj in osmium.FileProcessor(str(path)):
        writer.add(obj)
    writer.close()
    return out


def test_repeat_s_copies_are_closed_along_their_own_frames(tmp_path):
    # A file of datasets.repeat names its layout in the header, so each copy's frame is
    # known: a copy's square cut at a seam is closed as the extract alone closes it.
    source = cut_square_extract(tmp_path / "cut.osm")
    (square,) = areas_by_copy(read_osm(source)).values()
    merged = read_osm(repeat(source, 1, 3, tmp_path / "cut_1x3.osm.pbf"))
    height = SOURCE_FRAME[3] - SOURCE_FRAME[1]
    expected = [(13.0, 52.0 + k * height, 13.01, 52.0 + (k + 1) * height) for k in range(3)]
    assert np.allclose(merged.frames, expected, rtol=0, atol=1e-9)
    squares = areas_by_copy(merged)
    assert set(squares) == {0, 1, 2}
    for copy, polygon in squares.items():
        assert same(polygon, shapely.affinity.translate(square, 0.0, copy * height)), copy
    # not a repeat's file: no layout, no frames guessed
    other = read_osm(merged_elsewhere(tmp_path / "cut_1x3.osm.pbf", tmp_path / "m.osm.pbf"))
    assert other.frames == []


@pytest.mark.slow
def test_helsinki_copies_mend_as_the_sample_does(tiled):
    # every copy's mended areas are the sample's, shifted: none grows at a seam
    one = read_osm(HELSINKI)
    nine = read_osm(tiled[3])
    assert len(nine.frames) == 9
    assert len(nine.areas_mended) == 9 * len(one.areas_mended)
    mended = {k: g for k, _, g in one.areas if k in one.areas_mended}
    total = sum(g.area for g in mended.values())
    assert sum(g.area for k, _, g in nine.areas if k in nine.areas_mended) == pytest.approx(
        9 * total, rel=1e-6
    )


def test_an_area_cut_at_a_seam_is_not_closed_across_the_copy_beside_it(tmp_path):
    source = cut_square_extract(tmp_path / "cut.osm")
    alone = read_osm(source)
    # Alone, the square is closed along the north edge of its extract.
    (square,) = areas_by_copy(alone).values()
    assert same(square, box(13.004, 52.003, 13.006, 52.004))
    # Three copies stacked south to north, merged by another tool: the file states only
    # their union, and nothing says where the seams are.
    merged = read_osm(
        merged_elsewhere(repeat(source, 1, 3, tmp_path / "cut_1x3.osm.pbf"), tmp_path / "m.pbf")
    )
    assert merged.frames == []
    assert merged.bounds == pytest.approx((13.0, 52.0, 13.01, 52.012))
    squares = areas_by_copy(merged)
    buildings = [g for key, tags, g in merged.areas if "building" in tags]
    assert set(squares) == {0, 1, 2} and len(buildings) == 3
    height = SOURCE_FRAME[3] - SOURCE_FRAME[1]
    for copy, square in squares.items():
        own = box(13.0, 52.0 + copy * height, 13.01, 52.0 + (copy + 1) * height)
        # within its own extract, never round the far side of the union
        assert own.buffer(1e-9).contains(square), copy
        assert not any(square.intersects(b) for b in buildings)
        assert square.area <= 0.002 * 0.001 + 1e-12
    # The top copy meets the union's own edge: closed along it, as the extract alone.
    assert same(squares[2], box(13.004, 52.011, 13.006, 52.012))
    # The lower two are cut at a seam: closed along the straight line between their ends.
    assert same(squares[1], box(13.004, 52.007, 13.006, 52.0078))
    assert same(squares[0], box(13.004, 52.003, 13.006, 52.0038))
    assert merged.areas_mended == {"w102", "w1102", "w2102"}


@pytest.mark.slow
def test_helsinki_3x3_loads_and_no_mended_area_spans_more_than_its_extract(tiled):
    one = read_osm(HELSINKI)
    nine = read_osm(tiled[3])
    largest = max(g.area for k, _, g in one.areas if k in one.areas_mended)
    mended = [g.area for k, _, g in nine.areas if k in nine.areas_mended]
    # Before the fix the largest mended polygon covered more than a whole copy (1.5 x).
    assert max(mended) <= largest * (1 + 1e-9) < WIDTH * HEIGHT
    # Every copy's mended areas within its own frame: the inner ones at seams too.
    assert len(mended) > 4 * len(one.areas_mended)
    area = cpted.area_from_file(tiled[3])
    assert len(area.streets) > 8 * 3000
    assert area.quality()["areas_failed"] == 0


def test_a_geos_failure_on_the_site_ground_is_counted_not_raised(monkeypatch):
    real = shapely.intersection
    calls = []

    def flaky(a, b, grid_size=None, **kwargs):
        calls.append(grid_size)
        if np.ndim(a) and grid_size is None:  # the vectorised overlay of every site
            raise shapely.errors.GEOSException("TopologyException: found non-noded intersection")
        return real(a, b, grid_size=grid_size, **kwargs)

    plain = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    monkeypatch.setattr(shapely, "intersection", flaky)
    area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    failed = area.quality()["geos_failures"]
    assert failed > 0 and plain.quality()["geos_failures"] == 0
    # the sites redone one by one have the ground of the vectorised overlay
    assert np.allclose(area.sites["open_ground_m2"], plain.sites["open_ground_m2"])
    assert (area.sites["ground"] == plain.sites["ground"]).all()


def test_a_site_geos_cannot_overlay_even_on_a_grid_is_taken_as_open(monkeypatch):
    from cpted.area import _cover

    def broken(*args, **kwargs):
        raise shapely.errors.GEOSException("TopologyException: Iterated noding failed")

    monkeypatch.setattr(shapely, "union_all", broken)
    counts = {}
    site = box(0, 0, 10, 10)
    assert _cover(site, np.array([box(0, 0, 5, 5)]), counts) == 0.0
    assert counts == {"geos_failures": 1}


# --------------------------------------------------------------------------------------
# reading within a box
# --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_reading_the_middle_copy_gives_the_sample_s_streets(tiled):
    middle = (WEST + WIDTH, SOUTH + HEIGHT, EAST + WIDTH, NORTH + HEIGHT)
    part = cpted.area_from_file(tiled[3], boundary=middle, edge="data")
    sample = cpted.area_from_file(HELSINKI, boundary=(WEST, SOUTH, EAST, NORTH))
    stride = 10**10  # repeat's band of ids for Helsinki (largest id 6,418,121,589)

    def table(area, shift):
        streets = area.streets.to_crs(4326)
        geoms = shapely.transform(streets.geometry.to_numpy(), lambda xy: xy - shift)
        keys = [
            tuple(sorted(int(i) % stride for i in str(osmid).split("; ")))
            for osmid in streets["osmid"]
        ]
        return gpd.GeoDataFrame(
            {"key": keys, "name": streets["name"].to_numpy(), "source": streets["name_source"]},
            geometry=geoms,
        ).sort_values("key", kind="stable")

    a = table(sample, np.array([0.0, 0.0]))
    b = table(part, np.array([WIDTH, HEIGHT]))
    assert len(a) == len(b) == len(sample.streets) > 3000
    assert a["key"].tolist() == b["key"].tolist()
    for (_, x), (_, y) in zip(a.groupby("key"), b.groupby("key"), strict=True):
        dist = shapely.hausdorff_distance(x.geometry.to_numpy()[:, None], y.geometry.to_numpy())
        assert dist.min(axis=1).max() <= ATOL
        # lengths in degrees: a shift in degrees keeps them (not so in metres, at 60° N)
        assert sorted(shapely.length(x.geometry)) == pytest.approx(
            sorted(shapely.length(y.geometry)), abs=ATOL
        )
    osm = a["source"] == "osm"
    assert sorted(a.loc[osm, "name"]) == sorted(b.loc[b["source"] == "osm", "name"])
    # Read within a box, the footprint is the data's, not the box: inside the boundary
    # it is the sample's, and beyond it the neighbouring copies' data carries on.
    assert part.footprint.area > 1.5 * part.boundary.area
    inside = part.footprint & part.boundary
    to_ll = gpd.GeoSeries([inside], crs=part.crs).to_crs(4326)
    moved = shapely.transform(to_ll.iloc[0], lambda xy: xy - [WIDTH, HEIGHT])
    own = gpd.GeoSeries([sample.footprint], crs=sample.crs).to_crs(4326).iloc[0]
    assert moved.symmetric_difference(own).area < 0.01 * own.area
    # By default the data ends at the user's boundary: every layer is cut there
    cut = cpted.area_from_file(tiled[3], boundary=middle)
    assert cut.footprint.difference(cut.boundary.buffer(1.0)).is_empty
    assert cut.footprint.area < part.footprint.area


@pytest.mark.slow
def test_reading_a_small_box_needs_a_fraction_of_the_memory(tiled):
    cx, cy = WEST + 2 * WIDTH, SOUTH + 2 * HEIGHT
    small = (cx - 0.002, cy - 0.001, cx + 0.002, cy + 0.001)
    peaks = {}
    for name, kwargs in (("box", {"bbox": small}), ("whole", {})):
        tracemalloc.start()
        data = read_osm(tiled[4], **kwargs)
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if name == "box":
            ways = {w.id for w in data.ways}
            inside = [w for w in data.ways if w.tags.get("highway")]
            assert inside and not np.isnan(np.concatenate([w.lon for w in inside])).all()
        else:
            kept = [w for w in data.ways if w.id in ways]
            # the same ways a whole read finds there, whole (every node located)
            assert len(kept) == len(ways)
        del data
    assert peaks["box"] * 20 < peaks["whole"]


@pytest.mark.slow
def test_ways_crossing_the_box_come_in_whole(tiled):
    cx, cy = WEST + 1.5 * WIDTH, SOUTH + 1.5 * HEIGHT
    small = (cx - 0.001, cy - 0.0005, cx + 0.001, cy + 0.0005)
    part = read_osm(tiled[3], bbox=small)
    whole = {w.id: w for w in read_osm(tiled[3]).ways}
    assert part.read_box == small and part.bounds == pytest.approx(frame_of(tiled[3]))
    frame = box(*small)
    crossing = 0
    for way in part.ways:
        full = whole[way.id]
        assert np.array_equal(way.refs, full.refs)
        assert np.allclose(way.lon, full.lon, equal_nan=True)
        line = shapely.LineString(np.column_stack([full.lon, full.lat])[~np.isnan(full.lon)])
        crossing += not frame.contains(line)
    assert crossing > 0  # some leave the box, and came with all their nodes
    # every way of the whole file that touches the box is there
    touching = {
        i
        for i, w in whole.items()
        if np.sum(~np.isnan(w.lon)) > 1
        and frame.intersects(shapely.LineString(np.column_stack([w.lon, w.lat])[~np.isnan(w.lon)]))
    }
    assert touching <= {w.id for w in part.ways}


@pytest.mark.slow
def test_a_boundary_outside_the_file_read_within_a_box(tiled):
    with pytest.raises(cpted.DataError, match="outside the data"):
        cpted.area_from_file(tiled[3], boundary=(10.0, 50.0, 10.01, 50.01))


@pytest.mark.slow
def test_tiles_can_share_one_crs(tiled):
    tile = (WEST, SOUTH, WEST + WIDTH / 2, SOUTH + HEIGHT / 2)
    area = cpted.area_from_file(tiled[3], boundary=tile, crs="EPSG:3067")
    assert area.crs.to_epsg() == 3067
    with pytest.raises(cpted.CRSError, match="not a projected CRS in metres"):
        cpted.area_from_file(tiled[3], boundary=tile, crs="EPSG:4326")


RSS = """
import json, sys
from cpted.osm import read_osm

def peak_kb():
    # VmHWM: this process's peak resident memory (ru_maxrss keeps the parent's over exec)
    with open("/proc/self/status") as fh:
        return int(next(l for l in fh if l.startswith("VmHWM")).split()[1])

before = peak_kb()
bbox = json.loads(sys.argv[2])
read_osm(sys.argv[1], bbox=tuple(bbox) if bbox else None)
print(peak_kb() - before)
"""


@pytest.mark.slow
def test_reading_a_box_keeps_the_process_small_too(tiled):
    """
    What tracemalloc cannot see: libosmium's memory (its id sets, its location index).

    A box read keeps about 80 MB of reading buffers and mapped index pages, however large
    the file; a whole read of Helsinki 4 x 4 grows by about 360 MB.
    """
    import json
    import subprocess
    import sys
    from pathlib import Path

    if not Path("/proc/self/status").exists():
        pytest.skip("peak resident memory is read from /proc (Linux)")
    cx, cy = WEST + 2 * WIDTH, SOUTH + 2 * HEIGHT
    small = [cx - 0.002, cy - 0.001, cx + 0.002, cy + 0.001]
    grown = {}
    for name, bbox in (("box", small), ("whole", None)):
        out = subprocess.run(
            [sys.executable, "-c", RSS, str(tiled[4]), json.dumps(bbox)],
            capture_output=True,
            text=True,
            check=True,
        )
        grown[name] = int(out.stdout.split()[-1])  # kilobytes
    assert 0 < grown["box"] * 3 < grown["whole"]


# --------------------------------------------------------------------------------------
# merged extracts whose frames are given (frames=)
# --------------------------------------------------------------------------------------

MID_LON, MID_LAT = (WEST + EAST) / 2, (SOUTH + NORTH) / 2
#: The sample cut in two halves, south and north: their union is the sample's frame.
HALVES = [(WEST, SOUTH, EAST, MID_LAT), (WEST, MID_LAT, EAST, NORTH)]
#: Two adjacent cuts whose union is an L: the west half, and the east half's southern
#: three fifths. The header of their merge states the sample's frame, which also holds
#: the empty north-east corner.
L_CUTS = [(WEST, SOUTH, MID_LON, NORTH), (MID_LON, SOUTH, EAST, SOUTH + 0.6 * HEIGHT)]


def simple_extract(frame):
    """Cut HELSINKI to ``frame`` as ``osmium extract -s simple`` does: objects by key."""
    west, south, east, north = frame
    mutable = osmium.osm.mutable
    nodes, ways, out = set(), set(), {}
    for obj in osmium.FileProcessor(str(HELSINKI)):
        common = {"id": obj.id, "version": obj.version, "timestamp": obj.timestamp}
        tags = dict(obj.tags)
        if obj.is_node():
            lon, lat = obj.location.lon, obj.location.lat
            if west <= lon <= east and south <= lat <= north:
                nodes.add(obj.id)
                out[0, obj.id] = mutable.Node(location=(lon, lat), tags=tags, **common)
        elif obj.is_way():
            refs = [nd.ref for nd in obj.nodes]
            if nodes.intersection(refs):  # every reference kept, to nodes inside or not
                ways.add(obj.id)
                out[1, obj.id] = mutable.Way(nodes=refs, tags=tags, **common)
        elif obj.is_relation():
            members = [(m.type, m.ref, m.role) for m in obj.members]
            if any(m.ref in (nodes if m.type == "n" else ways) for m in obj.members):
                out[2, obj.id] = mutable.Relation(members=members, tags=tags, **common)
    return out


def merge_extracts(frames, out):
    """Write the extracts of ``frames`` merged, as ``osmium merge``: one box, their union."""
    objects = {}
    for frame in frames:
        objects.update(simple_extract(frame))
    header = osmium.io.Header()
    corners = np.array(frames)
    header.add_box(
        osmium.osm.Box(
            osmium.osm.Location(*corners[:, :2].min(axis=0)),
            osmium.osm.Location(*corners[:, 2:].max(axis=0)),
        )
    )
    header.set("generator", "osmium/1.16.0")
    with osmium.SimpleWriter(str(out), header=header) as writer:
        for kind, oid in sorted(objects):
            (writer.add_node, writer.add_way, writer.add_relation)[kind](objects[kind, oid])
    return out


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("merged")
    return {
        "halves": merge_extracts(HALVES, folder / "halves.osm.pbf"),
        "l": merge_extracts(L_CUTS, folder / "l.osm.pbf"),
    }


def areas_of(data):
    return {key: geom for key, _, geom in data.areas}


def test_halves_of_one_map_merged_read_as_the_map_with_or_without_frames(merged):
    # A way across the seam of two extracts of one map is whole in their merge (each of
    # its nodes is in one of them): the seam cuts nothing, and an area spanning both
    # halves that the sample's frame cut is closed along the union's edge, as in the
    # sample, not along one half's frame (which follows the seam: four areas shrank).
    sample = areas_of(read_osm(HELSINKI))
    for frames in (None, HALVES):
        data = read_osm(merged["halves"], frames=frames)
        got = areas_of(data)
        assert got.keys() == sample.keys()
        assert all(same(got[k], sample[k]) for k in sample), frames
    assert data.frames == HALVES and data.bounds == pytest.approx((WEST, SOUTH, EAST, NORTH))


def test_merged_extracts_are_closed_along_the_outline_of_their_frames(merged):
    outline = box(*L_CUTS[0]).union(box(*L_CUTS[1]))
    inner = shapely.LineString(
        [(MID_LON, NORTH), (MID_LON, L_CUTS[1][3]), (EAST, L_CUTS[1][3])]
    )  # the edges of the L inside the box the header states
    plain = read_osm(merged["l"])
    given = read_osm(merged["l"], frames=L_CUTS)
    before, after = areas_of(plain), areas_of(given)
    assert plain.frames == [] and given.frames == L_CUTS
    assert before.keys() == after.keys() and plain.areas_mended == given.areas_mended
    # (a) Without frames, the reader knows only the header's box: an area cut at the L's
    # inner edges, whose closing round the box holds no whole building, is closed along
    # the box, across the empty corner (a strip up to the sample's north edge).
    outside = {k: g.difference(outline).area / g.area for k, g in before.items()}
    strips = {k for k, share in outside.items() if share > 0.5}
    assert strips and strips <= plain.areas_mended
    assert all(before[k].distance(inner) < 1e-3 for k in strips)
    # (b) With the frames, every mended area lies within their union (to within one edge
    # of its way, the distance to the frame a closing leg may run).
    for key in given.areas_mended:
        assert outline.buffer(2e-4).contains(after[key]), key
    assert all(after[k].difference(outline).area < 1e-3 * after[k].area for k in strips)
    # Only areas at the inner edges change; the others are those read without frames.
    changed = {k for k in before if not same(before[k], after[k])}
    assert strips <= changed
    assert all(after[k].distance(inner) < 5e-4 for k in changed)
    far = [k for k in before if before[k].distance(inner) > 5e-4]
    assert len(far) > 500 and all(same(before[k], after[k]) for k in far)


def test_frames_as_polygons_in_any_crs_or_a_file_mend_alike(merged, tmp_path):
    expected = areas_of(read_osm(merged["l"], frames=L_CUTS))
    cuts = gpd.GeoSeries([box(*f) for f in L_CUTS], crs=4326)
    outline = gpd.GeoDataFrame(geometry=[cuts.union_all()], crs=4326)  # one polygon, an L
    cuts.to_crs(3067).to_file(tmp_path / "frames.geojson")
    outline.to_file(tmp_path / "outline.gpkg")
    files = (tmp_path / "frames.geojson", str(tmp_path / "outline.gpkg"))
    for frames in (cuts.to_crs(3067), outline, *files):
        got = areas_of(read_osm(merged["l"], frames=frames))
        assert got.keys() == expected.keys()
        # to within the re-projection of the frames' corners (GeoJSON keeps 7 decimals)
        assert all(got[k].symmetric_difference(expected[k]).area < 1e-11 for k in got)


def test_the_footprint_of_merged_extracts_ends_at_their_frames(merged):
    import pyproj

    plain = cpted.area_from_file(merged["l"])
    given = cpted.area_from_file(merged["l"], frames=L_CUTS)
    to_local = pyproj.Transformer.from_crs(4326, given.crs, always_xy=True)
    outline = shapely.transform(
        shapely.segmentize(box(*L_CUTS[0]).union(box(*L_CUTS[1])), 1e-4),
        lambda xy: np.column_stack(to_local.transform(xy[:, 0], xy[:, 1])),
    )
    assert given.footprint.difference(outline.buffer(1.0)).is_empty
    # without them the coverage spills over the L's inner edges into the empty corner
    assert plain.footprint.difference(outline.buffer(1.0)).area > 1000.0


@pytest.mark.parametrize(
    ("frames", "words"),
    [
        ([], "is empty"),
        ((WEST, SOUTH, EAST, NORTH), "for a single frame write"),
        ([(WEST, SOUTH, EAST)], "is not 4 numbers"),
        ([(WEST, SOUTH, EAST, "north")], "is not 4 numbers"),
        ([(EAST, SOUTH, WEST, NORTH)], "west > east"),
        ([(WEST, SOUTH, EAST, 95.0)], "out of range"),
        ([(385000.0, 6670000.0, 386000.0, 6671000.0)], "out of range"),
        ([(WEST, SOUTH, EAST, math.nan)], "not a finite number"),
        ([box(0, 0, 1, 1).boundary], "not a polygon"),
        ([(WEST, SOUTH, EAST, NORTH), (10.0, 50.0, 10.1, 50.1)], r"frames 1 \(10\.0, 50\.0"),
        ("no-such-frames.geojson", "No such layer file"),
        (42, "must be a list of"),
    ],
)
def test_bad_frames_raise_input_error(frames, words):
    with pytest.raises(cpted.InputError, match=words):
        read_osm(HELSINKI, frames=frames)
    with pytest.raises(cpted.InputError, match=words):
        cpted.area_from_file(HELSINKI, frames=frames)


def test_frames_that_touch_no_data_are_refused(tmp_path, merged):
    # within the frame the file states, but where nothing of it lies: the corner of the L
    corner = (MID_LON + 0.1 * WIDTH, SOUTH + 0.8 * HEIGHT, EAST, NORTH)
    with pytest.raises(cpted.InputError, match=r"frames 1 .* do not touch the data"):
        read_osm(merged["l"], frames=[L_CUTS[0], corner])
    unreadable = tmp_path / "frames.geojson"
    unreadable.write_text("{not json", encoding="utf-8")
    with pytest.raises(cpted.InputError, match="cannot be read as a GIS layer"):
        read_osm(HELSINKI, frames=unreadable)


def test_cli_reads_the_frames_of_a_merged_file(merged, tmp_path, capsys):
    from cpted.cli import main

    path = tmp_path / "frames.geojson"
    gpd.GeoSeries([box(*f) for f in L_CUTS], crs=4326).to_file(path)
    assert main(["info", "--quiet", str(merged["l"]), "--frames", str(path)]) == 0
    assert "areas_mended" in capsys.readouterr().out
    assert main(["info", "--quiet", str(merged["l"]), "--frames", "missing.geojson"]) == 2
    assert "No such layer file" in capsys.readouterr().err
    out = tmp_path / "audit"
    assert main(["audit", "--quiet", str(merged["l"]), "--out", str(out), "--frames", "x"]) == 2
    assert "No such layer file" in capsys.readouterr().err and not out.exists()
