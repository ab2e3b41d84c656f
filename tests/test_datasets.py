"""The bundled samples, and copies of an extract tiled side by side (datasets.repeat)."""

from __future__ import annotations

import numpy as np
import osmium
import pytest

import cpted
from cpted.datasets import repeat
from cpted.osm import read_osm


def header_box(path):
    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    box = reader.header().box()
    reader.close()
    return (box.bottom_left.x, box.bottom_left.y, box.top_right.x, box.top_right.y)


def objects(path):
    """Every object of a file: {type: {id: (x, y) | refs | members}}, in file order."""
    found = {"n": {}, "w": {}, "r": {}}
    order = {"n": [], "w": [], "r": []}
    for obj in osmium.FileProcessor(str(path)):
        kind = obj.type_str()
        order[kind].append(obj.id)
        if isinstance(obj, osmium.osm.Node):
            found[kind][obj.id] = (obj.location.x, obj.location.y)
        elif isinstance(obj, osmium.osm.Way):
            found[kind][obj.id] = [nd.ref for nd in obj.nodes]
        else:
            found[kind][obj.id] = [(m.type, m.ref) for m in obj.members]
    return found, order


@pytest.fixture(scope="module")
def neukoelln_2x2(tmp_path_factory):
    source = cpted.datasets.get_path("neukoelln")
    return source, repeat(source, 2, 2, tmp_path_factory.mktemp("repeat") / "nk_2x2.osm.pbf")


def test_repeat_holds_four_shifted_copies_with_their_own_ids(neukoelln_2x2):
    source, path = neukoelln_2x2
    one, _ = objects(source)
    four, order = objects(path)
    for kind in ("n", "w", "r"):
        assert len(four[kind]) == 4 * len(one[kind]) > 0
        # written as libosmium sorts (type, then id): no id twice, none out of order
        assert order[kind] == sorted(order[kind])
        assert len(set(order[kind])) == len(order[kind])
    # Neukölln is an Overpass export without <bounds>: its frame is that of its nodes
    xy = np.array([xy for xy in one["n"].values()])
    (west, south), (east, north) = xy.min(axis=0), xy.max(axis=0)
    width, height = int(east - west), int(north - south)
    assert header_box(path) == (west, south, east + width, north + height)
    assert header_box(source)[0] == 2**31 - 1  # no frame stated: libosmium's 'undefined'
    # The copies are the original, shifted by whole frames and with ids in bands.
    stride = 10 ** len(str(max(max(abs(i) for i in one[k]) for k in one) + 1))
    node_id, (x, y) = next(iter(one["n"].items()))
    for k, (i, j) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        assert four["n"][node_id + k * stride] == (x + i * width, y + j * height)
    way_id, refs = next(iter(one["w"].items()))
    assert four["w"][way_id + 3 * stride] == [r + 3 * stride for r in refs]
    rel_id, members = next(iter(one["r"].items()))
    assert four["r"][rel_id + 2 * stride] == [(t, r + 2 * stride) for t, r in members]


def test_repeat_keeps_the_clipped_references_dangling(neukoelln_2x2):
    source, path = neukoelln_2x2
    one, four = read_osm(source), read_osm(path)
    # A reference to a node the extract left out must not land on another copy's node.
    assert four.dangling_refs == 4 * one.dangling_refs > 0
    assert four.ways_clipped == 4 * one.ways_clipped
    assert four.duplicate_ids == 0
    assert len(four.nodes) == 4 * len(one.nodes)
    assert four.data_date == one.data_date


def test_repeat_refuses_what_it_cannot_write(tmp_path, neukoelln_2x2):
    _, path = neukoelln_2x2
    with pytest.raises(cpted.InputError, match="nx must be a whole number"):
        repeat("neukoelln", 0, 2, tmp_path / "x.osm.pbf")
    with pytest.raises(cpted.InputError, match="ny must be a whole number"):
        repeat("neukoelln", 1, 1.5, tmp_path / "x.osm.pbf")
    with pytest.raises(cpted.InputError, match="overwrite=True"):
        repeat("neukoelln", 1, 1, path)
    with pytest.raises(cpted.InputError, match="No such OSM file"):
        repeat(tmp_path / "missing.osm", 1, 1, tmp_path / "x.osm.pbf")
    assert not (tmp_path / "x.osm.pbf").exists()


def test_repeat_one_by_one_is_the_extract(tmp_path):
    source = cpted.datasets.get_path("neukoelln")
    copy = repeat("neukoelln", 1, 1, tmp_path / "one.osm")
    a, b = read_osm(source), read_osm(copy)
    assert [w.id for w in a.ways] == [w.id for w in b.ways]
    assert np.allclose(a.coordinates(), b.coordinates(), atol=1e-9)
