"""The street graph cpted builds is the one osmnx built before, node for node, bit for bit.

``cpted.area._graph_from_ways`` once ran osmnx's pipeline (a graph in WGS84, then
``simplify_graph``, then ``project_graph``); it now builds the same graph in one pass. The
old pipeline lives on here only, as the reference: every graph, on the samples, the
validation extracts and hand-made traps, must equal it in nodes, edges, keys, attributes,
geometries and order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from conftest import VALIDATION, validation_path
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString

import cpted
import cpted.area
from cpted.area import (
    _graph_from_ways,
    _is_drivable,
    _is_walkable,
    _street_segments,
    local_crs,
)
from cpted.osm import OsmData, OsmWay, read_osm


def _osmnx_graph_from_ways(
    data: OsmData,
    keep: Callable[[dict[str, str]], bool],
    crs: pyproj.CRS,
    *,
    scope: bool = False,
) -> nx.MultiDiGraph:
    """The osmnx pipeline cpted used to build its graphs with (cpted 0.x, osmnx 2.1.1)."""
    import osmnx as ox

    # the ways read as the builder reads them (_street_segments), then osmnx's three passes
    graph = nx.MultiDiGraph(crs="epsg:4326")
    ways, lonlat, segments, cuts = _street_segments(data, keep, scope=scope)
    nodes = {node: {"x": x, "y": y} for node, (x, y) in lonlat.items()}
    edges: list[tuple[int, int, dict[str, Any]]] = []
    for u, v, way in segments:
        edges.append((u, v, {**ways[way], "oneway": False, "reversed": False}))
        edges.append((v, u, {**ways[way], "oneway": False, "reversed": True}))
    if not edges:
        return graph
    for node in cuts & nodes.keys():
        nodes[node]["cut"] = True
    graph.add_nodes_from(nodes.items())
    graph.add_edges_from(edges)
    graph = ox.distance.add_edge_lengths(graph)
    differ = ["highway", "name", "lit", *(["not_audited"] if scope else [])]
    graph = ox.simplify_graph(graph, edge_attrs_differ=differ, remove_rings=False)
    if graph.number_of_nodes() == 0:
        return nx.MultiDiGraph(crs="epsg:4326")
    graph = ox.project_graph(graph, to_crs=crs)
    xy = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    for u, v, d in graph.edges(data=True):
        for key, value in d.items():
            if isinstance(value, list):
                d[key] = sorted(value, key=str)
        geom = d.get("geometry")
        if geom is None:
            geom = LineString([xy[u], xy[v]])
        d["length"] = float(geom.length)
    return graph


def assert_same_graph(new: nx.MultiDiGraph, old: nx.MultiDiGraph) -> None:
    """Same graph attributes, nodes, edges and keys, in the same order, with equal data."""
    assert new.graph == old.graph
    assert list(new.nodes) == list(old.nodes)
    for node, attrs in new.nodes(data=True):
        assert attrs == old.nodes[node], node
        assert list(attrs) == list(old.nodes[node]), node
        assert all(type(v) is type(old.nodes[node][k]) for k, v in attrs.items()), node
    assert list(new.edges(keys=True)) == list(old.edges(keys=True))
    for u, v, k, attrs in new.edges(keys=True, data=True):
        before = old.edges[u, v, k]
        assert list(attrs) == list(before), (u, v, k)  # in the same order too
        for name, value in attrs.items():
            if name == "geometry":
                assert shapely.equals_exact(value, before[name], 0), (u, v, k)
                assert np.array_equal(
                    shapely.get_coordinates(value), shapely.get_coordinates(before[name])
                ), (u, v, k)
            else:
                assert value == before[name], (u, v, k, name)
                assert type(value) is type(before[name]), (u, v, k, name)


def assert_both_networks(data: OsmData, crs: pyproj.CRS) -> None:
    for keep, scope in ((_is_walkable, True), (_is_drivable, False)):
        new = _graph_from_ways(data, keep, crs, scope=scope)
        assert_same_graph(new, _osmnx_graph_from_ways(data, keep, crs, scope=scope))


def _crs(data: OsmData) -> pyproj.CRS:
    extent = data.extent
    assert extent is not None
    return local_crs(extent)


@pytest.mark.parametrize("name", ["neukoelln", "helsinki"])
def test_the_samples_build_the_osmnx_graph(name):
    data = read_osm(cpted.datasets.get_path(name))
    assert_both_networks(data, _crs(data))


@pytest.mark.parametrize("name", sorted(VALIDATION))
def test_the_validation_extracts_build_the_osmnx_graph(name):
    data = read_osm(validation_path(name))
    assert_both_networks(data, _crs(data))


@pytest.mark.parametrize("name", ["neukoelln", "helsinki"])
def test_the_samples_give_the_streets_of_the_osmnx_graph(name, monkeypatch):
    path = cpted.datasets.get_path(name)
    new = cpted.area_from_file(path)
    monkeypatch.setattr(cpted.area, "_graph_from_ways", _osmnx_graph_from_ways)
    old = cpted.area_from_file(path)
    pd.testing.assert_frame_equal(new.streets, old.streets)
    assert_same_graph(new.graph, old.graph)
    assert_same_graph(new.drive_graph, old.drive_graph)


# --------------------------------------------------------------------------------------
# Hand-made traps, in Berlin: node n stands at (13.4 + n / 10 000, 52.5) unless moved
# --------------------------------------------------------------------------------------

BERLIN = pyproj.CRS(32633)


def _way(
    osmid: int, refs: list[int], tags: dict[str, str] | None = None, *, missing: tuple = ()
) -> OsmWay:
    """A way through nodes ``refs``; the nodes in ``missing`` were cut off by the extract."""
    lon = np.array([np.nan if r in missing else 13.4 + r / 10_000 for r in refs])
    lat = np.array([np.nan if r in missing else 52.5 + (r % 7) / 20_000 for r in refs])
    tags = {"highway": "footway"} if tags is None else tags
    return OsmWay(osmid, tags, np.array(refs, dtype=np.int64), lon, lat)


TRAPS = {
    "a ring joined to nothing": [_way(1, [1, 2, 3, 4, 1])],
    "a ring joined to a street": [_way(1, [1, 2, 3, 4, 1]), _way(2, [1, 5, 6])],
    "a loop hanging off a bend": [_way(1, [1, 2, 3, 4, 5, 3])],
    "a way cut by the extract": [_way(1, [1, 2, 3, 4, 5, 6], missing=(3,))],
    "a cut node inside a street": [
        _way(1, [1, 2, 3, 4], missing=(4,)),
        _way(2, [3, 5, 6]),
    ],
    "ways that differ in lit, end to end": [
        _way(1, [1, 2, 3], {"highway": "footway", "lit": "yes"}),
        _way(2, [3, 4, 5], {"highway": "footway", "lit": "no"}),
    ],
    "ways that agree, end to end and head to head": [
        _way(1, [1, 2, 3], {"highway": "footway", "surface": "asphalt"}),
        _way(2, [5, 4, 3], {"highway": "footway", "surface": "gravel"}),
        _way(3, [5, 6, 7], {"highway": "footway"}),
    ],
    "self-loops and repeated nodes": [
        _way(1, [1, 2, 2, 3, 4]),
        _way(2, [8, 8]),
        _way(3, [4, 4, 5]),
        _way(4, [30, 30]),  # lone nodes: osmnx adds them in the order of a set
        _way(5, [9, 9, 9]),
    ],
    "parallel edges between two nodes": [
        _way(1, [1, 2]),
        _way(2, [1, 2]),
        _way(3, [2, 1]),
        _way(4, [1, 3, 2]),
        _way(5, [1, 4, 5, 2]),
        _way(6, [2, 6, 1]),
    ],
    "a parallel edge inside a street": [_way(1, [1, 2, 3, 4]), _way(2, [2, 3])],
    "a private way meets a public one": [
        _way(1, [1, 2, 3]),
        _way(2, [3, 4, 5], {"highway": "footway", "indoor": "yes"}),
        _way(3, [5, 6, 7], {"highway": "footway", "indoor": "yes"}),
        _way(4, [7, 8, 9], {"highway": "residential"}),
    ],
    "nothing walkable": [_way(1, [1, 2, 3], {"highway": "motorway"})],
    "only a repeated node": [_way(1, [1, 1])],
}


@pytest.mark.parametrize("name", list(TRAPS))
def test_hand_made_traps_build_the_osmnx_graph(name):
    assert_both_networks(OsmData(source=name, ways=TRAPS[name]), BERLIN)


def test_a_ring_joined_to_nothing_stays():
    graph = _graph_from_ways(
        OsmData("ring", ways=TRAPS["a ring joined to nothing"]), _is_walkable, BERLIN
    )
    assert graph.number_of_nodes() == 4
    assert graph.number_of_edges() == 8


_TAGS = st.fixed_dictionaries(
    {"highway": st.sampled_from(["footway", "residential", "motorway"])},
    optional={
        "lit": st.sampled_from(["yes", "no"]),
        "name": st.sampled_from(["Kaivokatu", "Mannerheimintie"]),
        "surface": st.sampled_from(["asphalt", "gravel"]),
        "indoor": st.just("yes"),
    },
)


@hypothesis.settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.lists(st.integers(1, 12), min_size=2, max_size=8), _TAGS), max_size=8),
    st.sets(st.integers(1, 12), max_size=3),
)
def test_random_networks_build_the_osmnx_graph(ways, missing):
    # Few nodes for many ways: rings, loops, parallel and repeated edges, cut ends, ways
    # that meet with the same tags or others, in every combination.
    data = OsmData(
        "random",
        ways=[_way(i, refs, tags, missing=tuple(missing)) for i, (refs, tags) in enumerate(ways)],
    )
    assert_both_networks(data, BERLIN)
