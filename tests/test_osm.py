"""Reading OSM files: formats, clipped extracts, and every kind of bad file."""

from __future__ import annotations

import bz2
import gzip
import shutil

import numpy as np
import pytest
from conftest import osm_xml

import cpted
from cpted.osm import read_osm


@pytest.fixture(scope="module")
def neukoelln_xml(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    source = cpted.datasets.get_path("neukoelln")
    text = bz2.decompress(source.read_bytes())
    (folder / "n.osm").write_bytes(text)
    (folder / "n.osm.gz").write_bytes(gzip.compress(text))
    shutil.copy(source, folder / "n.osm.bz2")
    return folder


def test_samples_are_clipped_and_counted():
    # The sample README counted these with pyosmium: 4,525 dangling way-node references in
    # Helsinki, 3 in Neukölln.
    helsinki = read_osm(cpted.datasets.get_path("helsinki"))
    neukoelln = read_osm(cpted.datasets.get_path("neukoelln"))
    assert helsinki.dangling_refs == 4525
    assert neukoelln.dangling_refs == 3
    assert helsinki.ways_clipped > 0
    assert helsinki.areas_dropped > 0


def test_dates_and_bounds_come_from_the_files():
    helsinki = read_osm(cpted.datasets.get_path("helsinki"))
    neukoelln = read_osm(cpted.datasets.get_path("neukoelln"))
    assert neukoelln.data_date == "2024-03-30"  # Overpass osm_base
    assert helsinki.data_date.startswith("2019-")
    west, south, east, north = helsinki.bounds
    assert (round(west, 3), round(south, 3), round(east, 3), round(north, 3)) == (
        24.935,
        60.164,
        24.953,
        60.179,
    )


@pytest.mark.parametrize("name", ["n.osm", "n.osm.gz", "n.osm.bz2"])
def test_every_xml_flavour_reads_the_same(neukoelln_xml, name):
    data = read_osm(neukoelln_xml / name)
    reference = read_osm(neukoelln_xml / "n.osm")
    assert len(data.ways) == len(reference.ways) > 100
    assert len(data.nodes) == len(reference.nodes)
    assert len(data.areas) == len(reference.areas)


def test_clipped_way_is_split_not_bridged(tmp_path):
    # A footway whose middle node is missing from the file must become two pieces; joining
    # nodes 2 and 4 straight would invent a path that does not exist.
    nodes = [
        (1, 13.0, 52.0, {}),
        (2, 13.001, 52.0, {}),
        (4, 13.003, 52.0, {}),
        (5, 13.004, 52.0, {}),
    ]
    ways = [(10, [1, 2, 3, 4, 5], {"highway": "footway"})]
    path = tmp_path / "gap.osm"
    path.write_text(osm_xml(nodes, ways))
    data = read_osm(path)
    runs = list(data.ways[0].runs())
    assert [list(r[0]) for r in runs] == [[1, 2], [4, 5]]
    assert data.dangling_refs == 1
    area = cpted.area_from_file(path)
    assert len(area.streets) == 2
    assert area.streets["length"].sum() == pytest.approx(2 * 68.5, rel=0.02)


def test_way_runs_of_single_nodes_are_dropped(tmp_path):
    nodes = [(1, 13.0, 52.0, {}), (3, 13.002, 52.0, {}), (4, 13.003, 52.0, {})]
    ways = [(10, [1, 2, 3, 4], {"highway": "footway"})]
    path = tmp_path / "lonely.osm"
    path.write_text(osm_xml(nodes, ways))
    runs = list(read_osm(path).ways[0].runs())
    assert len(runs) == 1
    np.testing.assert_array_equal(runs[0][0], [3, 4])


def test_missing_file(tmp_path):
    with pytest.raises(cpted.InputError, match="No such OSM file"):
        read_osm(tmp_path / "nothing.osm")


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(cpted.InputError, match="is a folder"):
        read_osm(tmp_path)


def test_wrong_suffix(tmp_path):
    path = tmp_path / "streets.shp"
    path.write_text("x")
    with pytest.raises(cpted.InputError, match=r"must end in \.osm"):
        read_osm(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.osm"
    path.write_bytes(b"")
    with pytest.raises(cpted.InputError, match="empty"):
        read_osm(path)


def test_not_osm(tmp_path):
    path = tmp_path / "notes.osm"
    path.write_text("These are my notes, not a map.\n")
    with pytest.raises(cpted.InputError, match="not OpenStreetMap XML"):
        read_osm(path)


def test_broken_xml(tmp_path):
    path = tmp_path / "broken.osm"
    path.write_text('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="52" lon=')
    with pytest.raises(cpted.InputError, match="truncated or damaged"):
        read_osm(path)


def test_truncated_pbf(tmp_path):
    data = cpted.datasets.get_path("helsinki").read_bytes()
    path = tmp_path / "cut.osm.pbf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(cpted.InputError, match="truncated"):
        read_osm(path)


def test_bz2_that_is_not_bz2(tmp_path):
    path = tmp_path / "fake.osm.bz2"
    path.write_text("<osm></osm>")
    with pytest.raises(cpted.InputError, match=r"decompressed|damaged"):
        read_osm(path)


def test_osm_without_any_object(tmp_path):
    path = tmp_path / "hollow.osm"
    path.write_text(osm_xml([], []))
    with pytest.raises(cpted.DataError, match="no OpenStreetMap nodes"):
        read_osm(path)


def test_an_area_cut_by_the_frame_is_closed_along_it():
    from shapely.geometry import box

    from cpted.osm import close_clipped

    # A 4 x 2 rectangle crossing the east edge of a 10 x 10 extract: its two outer corners
    # are missing, so what is left is the western side; the part inside is 2 x 2.
    pieces = [np.array([[8.0, 4.0], [8.0, 2.0]])]
    mended = close_clipped(pieces, box(0, 0, 10, 10))
    assert mended.equals(box(8, 2, 10, 4))


def test_helsinki_squares_at_the_edge_are_mended():
    data = read_osm(cpted.datasets.get_path("helsinki"))
    # Kauppatori, Hakaniemen tori and Kansalaistori are multipolygons cut by the extract
    assert {"r2919185", "r8643424", "r9075060"} <= data.areas_mended
    areas = {key: geom for key, _, geom in data.areas}
    frame = box_of(data.bounds)
    for key in ("r2919185", "r8643424", "r9075060"):
        assert areas[key].is_valid
        assert frame.buffer(1e-6).contains(areas[key])


def box_of(bounds):
    from shapely.geometry import box

    return box(*bounds)
