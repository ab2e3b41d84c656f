"""Tests of cpted.surveillance: movement potential, night-time uses, frontage, cameras."""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from cpted import InputError
from cpted import settings as settings_module
from cpted.surveillance import (
    active_uses,
    camera_coverage,
    cameras,
    edge_centrality,
    entrances,
    frontage,
    movement,
    node_centrality,
    open_at,
    segment_measures,
    site_measures,
)

# Shared tolerance: the values are sums of the same terms in another order.
RTOL = 1e-9
ATOL = 1e-9


# --------------------------------------------------------------------------------------
# Reference implementations built only from networkx's public shortest-path functions
# --------------------------------------------------------------------------------------


def brute_force_betweenness(graph: nx.Graph, cutoff: float) -> tuple[dict, dict]:
    """Node and edge betweenness by enumerating every shortest path of length <= cutoff.

    This is the definition itself: for each ordered pair (s, t) with d(s, t) <= cutoff,
    each of the sigma_st shortest paths adds 1 / sigma_st to its inner nodes and edges.
    """
    nodes = dict.fromkeys(graph.nodes, 0.0)
    edges: dict[tuple, float] = {}
    for s in graph.nodes:
        lengths = nx.single_source_dijkstra_path_length(graph, s, cutoff=cutoff, weight="length")
        for t, d in lengths.items():
            if t == s or d > cutoff:
                continue
            paths = list(nx.all_shortest_paths(graph, s, t, weight="length"))
            share = 1.0 / len(paths)
            for path in paths:
                for inner in path[1:-1]:
                    nodes[inner] += share
                for a, b in itertools.pairwise(path):
                    edges[a, b] = edges.get((a, b), 0.0) + share
    return nodes, edges


def reference_closeness(graph: nx.Graph, cutoff: float) -> tuple[dict, dict]:
    """Harmonic closeness and reach from networkx's Dijkstra with the same cutoff."""
    harmonic, reach = {}, {}
    for v in graph.nodes:
        lengths = nx.single_source_dijkstra_path_length(graph, v, cutoff=cutoff, weight="length")
        others = [d for t, d in lengths.items() if t != v]
        harmonic[v] = sum(1.0 / d for d in others)
        reach[v] = len(others)
    return harmonic, reach


def diamond_graph() -> nx.MultiDiGraph:
    """cityseer's diamond: four nodes, five two-way 100 m edges, 0 and 3 opposite."""
    graph = nx.MultiDiGraph(crs="EPSG:25833")
    coords = {0: (0.0, 0.0), 1: (70.71, 70.71), 2: (70.71, -70.71), 3: (141.42, 0.0)}
    for node, (x, y) in coords.items():
        graph.add_node(node, x=x, y=y)
    for seg, (u, v) in enumerate([(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]):
        graph.add_edge(u, v, length=100.0, segment=seg)
        graph.add_edge(v, u, length=100.0, segment=seg)
    return graph


def grid_graph(size: int = 5, *, jitter: float = 0.0, seed: int = 0) -> nx.MultiDiGraph:
    """A two-way street grid with 100 m blocks (lengths jittered when asked)."""
    rng = np.random.default_rng(seed)
    base = nx.grid_2d_graph(size, size)
    graph = nx.MultiDiGraph(crs="EPSG:25833")
    for i, j in base.nodes:
        graph.add_node(i * size + j, x=100.0 * i, y=100.0 * j)
    for seg, ((a, b), (c, d)) in enumerate(base.edges):
        length = 100.0 + (rng.uniform(-jitter, jitter) if jitter else 0.0)
        u, v = a * size + b, c * size + d
        graph.add_edge(u, v, length=length, segment=seg)
        graph.add_edge(v, u, length=length, segment=seg)
    return graph


def streets_of(graph: nx.MultiDiGraph) -> pd.DataFrame:
    rows = {}
    for u, v, data in graph.edges(data=True):
        rows.setdefault(data["segment"], (u, v, data["length"]))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["u", "v", "length"])
    table.index.name = "segment"
    return table.sort_index()


class FakeArea:
    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.streets = streets_of(graph)


def assert_matches_reference(graph: nx.Graph, cutoff: float) -> None:
    ours = node_centrality(graph, distances=[cutoff])
    label = f"{cutoff:g}"
    ref_nodes, ref_edges = brute_force_betweenness(graph, cutoff)
    harmonic, reach = reference_closeness(graph, cutoff)
    nodes = list(graph.nodes)
    np.testing.assert_allclose(
        ours.loc[nodes, f"betweenness_{label}"], [ref_nodes[n] for n in nodes], rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(
        ours.loc[nodes, f"closeness_{label}"], [harmonic[n] for n in nodes], rtol=RTOL, atol=ATOL
    )
    assert ours.loc[nodes, f"reach_{label}"].tolist() == [reach[n] for n in nodes]
    edges = edge_centrality(graph, distances=[cutoff])[f"betweenness_{label}"]
    summed: dict[tuple, float] = {}
    for index, value in edges.items():
        summed[index[:2]] = summed.get(index[:2], 0.0) + value
    for pair in set(summed) | set(ref_edges):
        assert math.isclose(
            summed.get(pair, 0.0), ref_edges.get(pair, 0.0), rel_tol=RTOL, abs_tol=ATOL
        ), pair


# --------------------------------------------------------------------------------------
# Movement potential
# --------------------------------------------------------------------------------------


def test_diamond_by_hand() -> None:
    graph = diamond_graph()
    table = node_centrality(graph, distances=[150, 199.99, 200, 250])
    # within 150 m or just under 200 m only neighbours are reachable: nobody is between
    assert table["betweenness_150"].tolist() == [0.0] * 4
    assert table["betweenness_199.99"].tolist() == [0.0] * 4
    # at 200 m the trips 0->3 and 3->0 each split between the routes via 1 and via 2;
    # trips 1->2 and 2->1 are direct (100 m)
    assert table["betweenness_200"].tolist() == [0.0, 1.0, 1.0, 0.0]
    assert table["betweenness_250"].tolist() == [0.0, 1.0, 1.0, 0.0]
    # closeness of 0 at 150 m: two neighbours at 100 m; at 200 m node 3 adds 1/200
    assert table.loc[0, "closeness_150"] == pytest.approx(2 / 100)
    assert table.loc[0, "closeness_200"] == pytest.approx(2 / 100 + 1 / 200)
    assert table.loc[1, "closeness_200"] == pytest.approx(3 / 100)
    assert table["reach_150"].tolist() == [2, 3, 3, 2]
    assert table["reach_200"].tolist() == [3, 3, 3, 3]


def test_diamond_segments_by_hand() -> None:
    graph = diamond_graph()
    table = movement(FakeArea(graph), distances=[150, 200])
    # at 150 m each segment carries its own two one-hop trips
    assert table["betweenness_150"].tolist() == [2.0] * 5
    # at 200 m: segment 0-1 also carries half of 0->3 and half of 3->0 (via 1), and
    # the trips 0->... are shared; the cross link 1-2 carries only 1->2 and 2->1
    assert table["betweenness_200"].tolist() == [3.0, 3.0, 2.0, 3.0, 3.0]
    assert table.loc[2, "closeness_200"] == pytest.approx(3 / 100)
    assert table.index.equals(streets_of(graph).index)


@pytest.mark.parametrize("cutoff", [150.0, 200.0, 250.0, 400.0, 1e9])
def test_diamond_matches_networkx(cutoff: float) -> None:
    assert_matches_reference(diamond_graph(), cutoff)


@pytest.mark.parametrize(
    ("jitter", "cutoff"), [(0.0, 300.0), (0.0, 400.0), (20.0, 350.0), (20.0, 800.0)]
)
def test_grid_matches_networkx(jitter: float, cutoff: float) -> None:
    # the exact grid is full of equal-length routes: ties are the hard case
    assert_matches_reference(grid_graph(4, jitter=jitter, seed=3), cutoff)


def test_unlimited_distance_equals_networkx_betweenness() -> None:
    graph = grid_graph(6, jitter=30.0, seed=1)
    table = node_centrality(graph, distances=[1e12])
    expected = nx.betweenness_centrality(graph, weight="length", normalized=False)
    nodes = list(graph.nodes)
    np.testing.assert_allclose(
        table.loc[nodes, "betweenness_1e+12"], [expected[n] for n in nodes], rtol=RTOL
    )
    simple = nx.DiGraph(graph)  # no parallel edges here, so this keeps the same lengths
    edges = edge_centrality(simple, distances=[1e12])["betweenness_1e+12"]
    expected_edges = nx.edge_betweenness_centrality(simple, weight="length", normalized=False)
    np.testing.assert_allclose(
        edges.to_numpy(), [expected_edges[e] for e in edges.index], rtol=RTOL
    )
    harmonic = nx.harmonic_centrality(graph, distance="length")
    np.testing.assert_allclose(table.loc[nodes, "closeness_1e+12"], [harmonic[n] for n in nodes])


def test_matches_igraph_cutoff() -> None:
    graph = grid_graph(7, jitter=25.0, seed=5)
    nodes = list(graph.nodes)
    position = {n: i for i, n in enumerate(nodes)}
    triples = [(position[u], position[v], d["length"]) for u, v, d in graph.edges(data=True)]
    other = ig.Graph(n=len(nodes), edges=[t[:2] for t in triples], directed=True)
    weights = [t[2] for t in triples]
    table = node_centrality(graph, distances=[400, 800])
    for cutoff in (400, 800):
        expected = other.betweenness(directed=True, cutoff=cutoff, weights=weights)
        np.testing.assert_allclose(
            table.loc[nodes, f"betweenness_{cutoff}"], expected, rtol=1e-9, atol=1e-9
        )


def test_parallel_edges_use_the_shortest() -> None:
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b", length=100.0)
    graph.add_edge("a", "b", length=60.0)  # a shortcut between the same two nodes
    graph.add_edge("b", "c", length=100.0)
    graph.add_edge("a", "c", length=170.0)
    table = node_centrality(graph, distances=[200])
    # a->c: via b is 160 m, shorter than the direct 170 m edge
    assert table.loc["b", "betweenness_200"] == 1.0
    assert table.loc["a", "closeness_200"] == pytest.approx(1 / 60 + 1 / 160)
    edges = edge_centrality(graph, distances=[200])["betweenness_200"]
    assert edges[("a", "b", 1)] == 2.0  # a->b and a->c
    assert edges[("a", "b", 0)] == 0.0
    assert edges[("a", "c", 0)] == 0.0
    assert_matches_reference(graph, 200.0)


def test_one_way_edges() -> None:
    graph = nx.MultiDiGraph()
    nx.add_path(graph, [0, 1, 2, 3], length=100.0)  # one way only
    graph.add_edge(3, 0, length=100.0)
    table = node_centrality(graph, distances=[250])
    # 0->2 via 1, 1->3 via 2, 2->0 via 3, 3->1 via 0
    assert table["betweenness_250"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert table["reach_250"].tolist() == [2, 2, 2, 2]
    assert_matches_reference(graph, 250.0)


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, float]:
    n = draw(st.integers(2, 9))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            min_size=1,
            max_size=3 * n,
        )
    )
    # few distinct lengths make many ties; floats check the cut at odd values
    integer_lengths = draw(st.booleans())
    two_way = draw(st.booleans())
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(n))
    for u, v in pairs:
        if integer_lengths:
            length = float(draw(st.integers(1, 4)) * 50)
        else:
            length = draw(st.floats(0.5, 300.0, allow_nan=False, allow_infinity=False))
        graph.add_edge(u, v, length=length)
        if two_way:
            graph.add_edge(v, u, length=length)
    cutoff = draw(st.sampled_from([50.0, 100.0, 150.0, 200.0, 275.5, 400.0, 1e9]))
    return graph, cutoff


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_random_graphs_match_networkx(case: tuple[nx.MultiDiGraph, float]) -> None:
    graph, cutoff = case
    assert_matches_reference(graph, cutoff)


@settings(max_examples=30, deadline=None)
@given(random_graphs())
def test_larger_distance_never_lowers_reach_or_closeness(
    case: tuple[nx.MultiDiGraph, float],
) -> None:
    graph, _ = case
    table = node_centrality(graph, distances=[100, 200, 400])
    assert (table["reach_100"] <= table["reach_200"]).all()
    assert (table["reach_200"] <= table["reach_400"]).all()
    assert (table["closeness_200"] <= table["closeness_400"] + 1e-12).all()
    assert (table.filter(like="betweenness") >= 0).all().all()


def test_undirected_graph_is_walked_both_ways() -> None:
    graph = nx.path_graph(4)
    nx.set_edge_attributes(graph, 100.0, "length")
    table = node_centrality(graph, distances=[300])
    assert table["betweenness_300"].tolist() == [0.0, 4.0, 4.0, 0.0]
    edges = edge_centrality(graph, distances=[300])["betweenness_300"]
    # the middle edge carries 1->2, 0->2, 1->3, 0->3 both ways
    assert edges[(1, 2)] == 8.0


def test_column_names_and_default_distances() -> None:
    table = node_centrality(diamond_graph())
    assert list(table.columns) == [
        "betweenness_400", "closeness_400", "reach_400",
        "betweenness_800", "closeness_800", "reach_800",
    ]  # fmt: skip
    assert table.index.name == "node"


def test_empty_graph() -> None:
    table = node_centrality(nx.MultiDiGraph(), distances=[400])
    assert len(table) == 0
    assert "betweenness_400" in table.columns


@pytest.mark.parametrize(
    ("distances", "match"),
    [
        ([], "empty"),
        ([-5], "positive"),
        ([math.inf], "positive"),
        (["far"], "numbers"),
        ([400, 400], "repeated"),
    ],
)
def test_bad_distances(distances: list, match: str) -> None:
    with pytest.raises(InputError, match=match):
        node_centrality(diamond_graph(), distances=distances)


def test_missing_and_zero_lengths() -> None:
    graph = diamond_graph()
    graph.add_edge(0, 3)
    with pytest.raises(InputError, match="no 'length'"):
        node_centrality(graph)
    graph = diamond_graph()
    graph.add_edge(0, 3, length=0.0)
    with pytest.raises(InputError, match="positive"):
        node_centrality(graph)


def test_not_a_graph() -> None:
    with pytest.raises(InputError, match="networkx graph"):
        node_centrality({"a": 1})  # type: ignore[arg-type]


def test_geographic_graph_is_refused() -> None:
    from cpted import CRSError

    graph = diamond_graph()
    graph.graph["crs"] = "EPSG:4326"
    with pytest.raises(CRSError, match="degrees"):
        node_centrality(graph)


def test_movement_needs_streets() -> None:
    area = FakeArea(diamond_graph())
    area.streets = area.streets.drop(columns="u")
    with pytest.raises(InputError, match="columns u and v"):
        movement(area)


# --------------------------------------------------------------------------------------
# Night-time activity
# --------------------------------------------------------------------------------------


def test_open_at_known_values() -> None:
    pois = pd.DataFrame(
        {
            "opening_hours": [
                "Mo-Sa 08:00-20:00",  # supermarket: closed at night
                "Mo-Su 17:00-02:00",  # bar past midnight
                "24/7",
                "Mo-Fr 09:00-22:00; Sa 10:00-22:00",
                "Tu-Su 18:00-23:30",
                "We off",
                "unknown",
            ]
        },
        index=pd.Index(list("abcdefg"), name="poi"),
    )
    table = open_at(pois, times=["21:00", "23:00"], date="2025-10-15")  # a Wednesday
    assert table.index.equals(pois.index)
    assert table["open_2100"].tolist() == [False, True, True, True, True, False, pd.NA]
    assert table["open_2300"].tolist() == [False, True, True, False, True, False, pd.NA]
    assert (table["hours"] == "parsed").all()
    # the day matters: on Monday the Tu-Su place is closed
    monday = open_at(pois, times=["21:00"], date="2025-10-13")
    assert monday.loc["e", "open_2100"] is np.False_ or monday.loc["e", "open_2100"] == False  # noqa: E712


@pytest.mark.parametrize(
    "garbage",
    [
        "sunrise-sunset; PH off; <script>",
        "<script>alert(1)</script>",
        "yes",
        "Mo 9-18",
        "by appointment",
        "x" * 5000,
        "Mo-Fr 08:00-18:00; \x00",
        "25:00-26:00",
        "Mo-Su 99:99-00:00",
        ";;;",
        "🕐",
    ],
)
def test_open_at_never_crashes(garbage: str) -> None:
    pois = pd.DataFrame({"opening_hours": [garbage, "24/7"]})
    table = open_at(pois)
    assert table.loc[1, "hours"] == "parsed"
    assert table.loc[1, "open_2100"] == True  # noqa: E712
    if table.loc[0, "hours"] == "invalid":
        assert table.loc[0, ["open_2100", "open_2300"]].isna().all()


def test_open_at_missing_kept_apart() -> None:
    pois = pd.DataFrame({"opening_hours": [None, math.nan, "", "   ", "Mo-Su 10:00-22:00"]})
    table = open_at(pois)
    assert table["hours"].tolist() == ["missing"] * 4 + ["parsed"]
    assert table["open_2100"].isna().tolist() == [True] * 4 + [False]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_open_at_any_text(text: str) -> None:
    table = open_at(pd.DataFrame({"opening_hours": [text]}))
    assert table.loc[0, "hours"] in {"parsed", "missing", "invalid"}


def test_open_at_one_time_as_text() -> None:
    pois = pd.DataFrame({"opening_hours": ["Mo-Su 20:00-22:00"]})
    table = open_at(pois, times="21:00")
    assert list(table.columns) == ["hours", "open_2100"]
    assert table.loc[0, "open_2100"] == True  # noqa: E712


def test_open_at_bad_arguments() -> None:
    pois = pd.DataFrame({"opening_hours": ["24/7"]})
    with pytest.raises(InputError, match="HH:MM"):
        open_at(pois, times=["9pm"])
    with pytest.raises(InputError, match="HH:MM"):
        open_at(pois, times=["24:30"])
    with pytest.raises(InputError, match="ISO date"):
        open_at(pois, date="15/10/2025")
    with pytest.raises(InputError, match="opening_hours column"):
        open_at(pd.DataFrame({"name": ["x"]}))


def test_open_at_holidays_follow_the_place() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    # 3 October is German Unity Day (a Friday in 2025): PH off applies in Berlin
    pois = gpd.GeoDataFrame(
        {"opening_hours": ["Mo-Fr 08:00-22:00; PH off"]},
        geometry=[Point(13.43, 52.47)],
        crs=4326,
    ).to_crs(25833)
    assert open_at(pois, times=["21:00"], date="2025-10-03").loc[0, "open_2100"] == False  # noqa: E712
    assert open_at(pois, times=["21:00"], date="2025-10-02").loc[0, "open_2100"] == True  # noqa: E712


# --------------------------------------------------------------------------------------
# Frontage, entrances, uses, cameras and the score on a street worked out by hand
# --------------------------------------------------------------------------------------

CRS = "EPSG:25833"


def _gdf(rows: list[dict], index: list, name: str) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS, index=pd.Index(index, name=name))
    return frame


class HandArea:
    """One 100 m street along the x axis (drawn west to east, so north is its left).

    North (left): building A (3 storeys, x 0-50, wall 10 m away, two doors: one on the
    street, one at the back), building D (no levels mapped, x 70-90, 12 m away, no door).
    South (right): a 2 m wall 5 m away along x 0-40; a garage, x 60-100, 10 m away.
    """

    def __init__(self) -> None:
        graph = nx.MultiDiGraph(crs=CRS)
        graph.add_node(0, x=0.0, y=0.0)
        graph.add_node(1, x=100.0, y=0.0)
        graph.add_edge(0, 1, key=0, length=100.0, segment=0)
        graph.add_edge(1, 0, key=0, length=100.0, segment=0)
        self.crs = CRS
        self.graph = graph
        self.streets = _gdf(
            [
                {
                    "u": 0,
                    "v": 1,
                    "key": 0,
                    "length": 100.0,
                    "geometry": LineString([(0, 0), (100, 0)]),
                }
            ],
            [0],
            "segment",
        )
        self.buildings = _gdf(
            [
                {"building": "apartments", "levels": 3.0, "height": 9.0, "height_source": "levels",
                 "use": "apartments", "geometry": box(0, 10, 50, 20)},
                {"building": "yes", "levels": np.nan, "height": 6.0, "height_source": "default",
                 "use": "yes", "geometry": box(70, 12, 90, 22)},
                {"building": "garage", "levels": 1.0, "height": 3.0, "height_source": "levels",
                 "use": "garage", "geometry": box(60, -30, 100, -10)},
                {"building": "house", "levels": 2.0, "height": 6.0, "height_source": "levels",
                 "use": "house", "geometry": box(110, -50, 130, -30)},
            ],
            ["wA", "wD", "wB", "wE"],
            "building",
        )  # fmt: skip
        self.barriers = _gdf(
            [{"barrier": "wall", "opaque": True, "passable": False, "height": 2.0,
              "geometry": LineString([(0, -5), (40, -5)])}],
            ["w9"],
            "barrier",
        )  # fmt: skip
        self.entrances = _gdf(
            [
                {"entrance": "main", "building": "wA", "geometry": Point(25, 10)},
                {"entrance": "secondary", "building": "wA", "geometry": Point(10, 20)},
                {"entrance": "emergency", "building": "wA", "geometry": Point(40, 10)},
            ],
            ["n1", "n2", "n3"],
            "entrance",
        )
        self.pois = _gdf(
            [
                {"category": "food_drink", "opening_hours": "Mo-Su 08:00-22:00",
                 "geometry": Point(30, 15)},
                {"category": "nightlife", "opening_hours": "Mo-Su 18:00-02:00",
                 "geometry": Point(80, 17)},
                {"category": "shop", "opening_hours": None, "geometry": Point(95, 5)},
                {"category": "shop", "opening_hours": "24/7", "geometry": Point(50, 40)},
            ],
            ["n10", "n11", "n12", "n13"],
            "poi",
        )  # fmt: skip
        self.cameras = _gdf(
            [
                {"surveillance": "public", "surveillance_type": "camera", "camera_type": "fixed",
                 "direction": 0.0, "direction_known": True, "fov": 90.0, "geometry": Point(50, -2)},
                {"surveillance": "outdoor", "surveillance_type": "camera", "camera_type": None,
                 "direction": np.nan, "direction_known": False, "fov": 360.0,
                 "geometry": Point(100, -40)},
            ],
            ["n20", "n21"],
            "camera",
        )  # fmt: skip
        self.sites = _gdf(
            [{"category": "school", "access": None, "geometry": box(60, -60, 100, -45)}],
            ["w30"],
            "site",
        )


@pytest.fixture
def hand() -> HandArea:
    return HandArea()


def test_frontage_by_hand(hand: HandArea) -> None:
    table = frontage(hand)
    row = table.loc[0]
    assert row["overlooked_left"] == pytest.approx(0.7)  # A 0-50 and D 70-90
    assert row["overlooked_right"] == pytest.approx(0.0)
    assert row["frontage_m"] == pytest.approx(70.0)
    assert row["frontage_storeys_m"] == pytest.approx(50 * 3 + 20 * 2)  # D: 6 m / 3 m
    assert row["blank_wall_share"] == pytest.approx(0.4 / 2)  # garage on half the sides
    assert row["fence_share"] == pytest.approx(0.4 / 2)
    assert row["open_share"] == pytest.approx((0.3 + 0.2) / 2)
    shares = row[["blank_wall_share", "fence_share", "open_share"]].sum()
    assert shares + (row["overlooked_left"] + row["overlooked_right"]) / 2 == pytest.approx(1.0)
    assert row["frontage_buildings"] == 2
    assert row["storeys_estimated_share"] == pytest.approx(20 / 70)


def test_frontage_distance_and_angle(hand: HandArea) -> None:
    # within 11 m: A (10 m away), the wall and the garage (10 m) are seen, D (12 m) not
    near = frontage(hand, distance=11.0).loc[0]
    assert near["overlooked_left"] == pytest.approx(0.5)
    assert near["blank_wall_share"] == pytest.approx(0.2)
    assert frontage(hand, distance=9.0).loc[0, "blank_wall_share"] == 0.0
    # a wall met at a grazing angle is no frontage: a wedge pointing at the street
    hand.buildings = _gdf(
        [
            {"building": "yes", "levels": 2.0, "height": 6.0, "height_source": "levels",
             "use": "yes", "geometry": box(20, 5, 40, 25)},
            {"building": "yes", "levels": 2.0, "height": 6.0, "height_source": "levels",
             "use": "yes", "geometry": Polygon([(60, 5), (62, 25), (58, 25)])},
        ],
        ["wX", "wY"],
        "building",
    )  # fmt: skip
    table = frontage(hand).loc[0]
    assert table["overlooked_left"] == pytest.approx(0.2)  # the 20 m face at y = 5
    # the wedge's sides (84 degrees off square) are met by the rays at x = 59 and 61
    assert table["blank_wall_share"] == pytest.approx(4 / 100 / 2)
    assert table["frontage_buildings"] == 1


def test_entrances_by_hand(hand: HandArea) -> None:
    table = entrances(hand).loc[0]
    assert table["entrances_mapped"] == 1  # the back door is hidden, the emergency exit not counted
    assert table["entrances_estimated"] == 1  # D has no door mapped; the garage gets none
    assert table["entrances_per_100m"] == pytest.approx(2.0)
    assert bool(table["entrances_is_estimate"])


def test_active_uses_by_hand(hand: HandArea) -> None:
    table = active_uses(hand).loc[0]
    assert table["uses"] == 3  # the shop 40 m away is too far
    assert (table["uses_food_drink"], table["uses_nightlife"], table["uses_shop"]) == (1, 1, 1)
    assert table["uses_open_2100"] == 2
    assert table["uses_open_2300"] == 1  # the café closes at 22:00
    assert table["uses_hours_unknown"] == 1
    assert table["uses_per_100m"] == pytest.approx(3.0)


def test_cameras_by_hand(hand: HandArea) -> None:
    views = cameras(hand)
    assert views.index.equals(hand.cameras.index)
    first, second = views.loc["n20"], views.loc["n21"]
    assert bool(first["watches"]) and not bool(first["omnidirectional"])
    assert bool(second["omnidirectional"])
    assert first["range_m"] == settings_module.CAMERA_RANGES["fixed"]
    # the north-facing 90 degree wedge from (50, -2) crosses the street on 48-52
    coverage = camera_coverage(hand, views=views).loc[0]
    assert coverage["camera_coverage"] == pytest.approx(0.04, abs=1e-6)
    assert coverage["cameras"] == 1
    # the omnidirectional camera sees the house's west wall (10 m away, 20 m long)
    assert second["private_facade_m"] == pytest.approx(20.0, abs=0.2)
    assert bool(second["privacy_flag"])
    assert second["school_ground_m2"] > settings_module.PRIVACY_MIN_AREA
    # the street camera's wedge also reaches the flats of A across the street: x 38-50
    assert first["private_facade_m"] == pytest.approx(12.0, abs=0.2)
    assert bool(first["privacy_flag"])
    hand.buildings.loc["wA", ["building", "use"]] = "office"
    assert not bool(cameras(hand).loc["n20", "privacy_flag"])


def test_camera_inside_a_building_is_moved_out(hand: HandArea) -> None:
    hand.cameras = hand.cameras.iloc[:1].copy()
    hand.cameras["geometry"] = [Point(25, 11)]  # 1 m inside building A
    hand.cameras["direction"] = 180.0
    views = cameras(hand)
    assert bool(views.loc["n20", "watches"])
    # tried on rings of 0.3, 0.75 and 1.5 m, toward its view (south) first
    assert views.loc["n20", "moved_m"] == pytest.approx(1.5)
    assert views.geometry.iloc[0].intersects(hand.streets.geometry.iloc[0])


def test_indoor_cameras_and_guards_do_not_watch(hand: HandArea) -> None:
    hand.cameras = hand.cameras.copy()
    hand.cameras["surveillance"] = ["indoor", "outdoor"]
    hand.cameras["surveillance_type"] = ["camera", "guard"]
    views = cameras(hand)
    assert not views["watches"].any()
    assert views.geometry.is_empty.all()
    assert camera_coverage(hand, views=views).loc[0, "camera_coverage"] == 0.0


def test_score_by_hand(hand: HandArea) -> None:
    table = segment_measures(hand)
    assert table.index.equals(hand.streets.index)
    w = settings_module.SURVEILLANCE_WEIGHTS
    movement_part = math.log1p(2.0) / math.log1p(settings_module.MOVEMENT_REFERENCE)
    expected = (
        100
        * (
            w["frontage"] * 0.35
            + w["entrances"] * min(1.0, 2.0 / settings_module.DOORS_PER_100M_REFERENCE)
            + w["uses"] * min(1.0, 3.0 / settings_module.USES_PER_100M_REFERENCE)
            + w["night"] * 1.0
            + w["movement"] * movement_part
            + w["cameras"] * 0.04
        )
        # the hand-made street has no highway class: the pedestrian-priority part does not
        # apply, and its weight is shared among the others
        / (sum(w.values()) - w["priority"])
    )
    assert "highway" not in hand.streets
    assert table.loc[0, "surveillance_score"] == pytest.approx(expected, abs=1e-4)
    confidence = ((1 - 20 / 70) + 1 / 2 + (1 - 1 / 3)) / 3
    assert table.loc[0, "surveillance_confidence"] == pytest.approx(confidence)
    assert table.loc[0, "betweenness_800"] == 2.0


def test_score_rises_with_frontage(hand: HandArea) -> None:
    before = segment_measures(hand).loc[0, "surveillance_score"]
    hand.barriers = hand.barriers.iloc[:0]
    hand.buildings = pd.concat(
        [hand.buildings, _gdf([{"building": "apartments", "levels": 4.0, "height": 12.0,
                                "height_source": "levels", "use": "apartments",
                                "geometry": box(0, -20, 40, -8)}], ["wF"], "building")]
    )  # fmt: skip
    after = segment_measures(hand).loc[0, "surveillance_score"]
    assert after > before


def test_site_measures_by_hand(hand: HandArea) -> None:
    table = site_measures(hand)
    assert table.index.equals(hand.sites.index)
    row = table.loc["w30"]
    # only the house (x 110-130) is near enough to the school yard to overlook it
    house = hand.buildings.geometry["wE"].buffer(settings_module.FRONTAGE_DISTANCE)
    yard = hand.sites.geometry["w30"]
    assert 0 < row["overlooked_share"] < 1
    assert row["overlooked_share"] == pytest.approx(
        yard.intersection(house).area / yard.area, abs=0.005
    )
    assert 0 < row["camera_coverage"] < 1
    assert row["cameras_privacy_flag"] == 1
    assert 0 <= row["surveillance_score"] <= 100


def test_empty_layers(hand: HandArea) -> None:
    for name in ("buildings", "barriers", "entrances", "pois", "cameras", "sites"):
        setattr(hand, name, getattr(hand, name).iloc[:0])
    table = segment_measures(hand)
    assert table.loc[0, "open_share"] == 1.0
    assert table.loc[0, "uses"] == 0
    assert table.loc[0, "camera_coverage"] == 0.0
    assert 0 <= table.loc[0, "surveillance_score"] <= 100
    assert len(site_measures(hand)) == 0


def test_geographic_layers_are_refused(hand: HandArea) -> None:
    from cpted import CRSError

    hand.buildings = hand.buildings.set_crs(4326, allow_override=True)
    with pytest.raises(CRSError, match="degrees"):
        frontage(hand)


def test_bad_distance(hand: HandArea) -> None:
    with pytest.raises(InputError, match="positive"):
        frontage(hand, distance=-1)
    with pytest.raises(InputError, match="number"):
        active_uses(hand, distance="far")  # type: ignore[arg-type]


def test_not_an_area() -> None:
    with pytest.raises(InputError, match="GeoDataFrame"):
        frontage(object())


# --------------------------------------------------------------------------------------
# The real samples
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["neukoelln", "helsinki"])
def test_real_samples(name: str, request: pytest.FixtureRequest) -> None:
    area = request.getfixturevalue(name)
    table = segment_measures(area)
    assert table.index.equals(area.streets.index)
    assert table["surveillance_score"].between(0, 100).all()
    assert table["surveillance_confidence"].between(0, 1).all()
    for col in ("overlooked_left", "overlooked_right", "open_share", "camera_coverage"):
        assert table[col].between(0, 1).all(), col
    assert (table["frontage_m"] <= 2 * area.streets["length"] + 1e-6).all()
    sites = site_measures(area)
    assert sites.index.equals(area.sites.index)
    assert sites["surveillance_score"].between(0, 100).all()
    hours = open_at(area.pois)
    assert set(hours["hours"].unique()) <= {"parsed", "missing", "invalid"}


def test_helsinki_cameras_are_drawn(helsinki) -> None:  # type: ignore[no-untyped-def]
    views = cameras(helsinki)
    assert views.index.equals(helsinki.cameras.index)
    placed = views[views["watches"]]
    assert len(placed) >= 0.9 * len(views)
    assert (placed.geometry.area <= np.pi * placed["range_m"] ** 2 + 1e-6).all()
    assert placed["omnidirectional"].all()  # no camera in the sample has a direction


# --------------------------------------------------------------------------------------
# Map layers
# --------------------------------------------------------------------------------------


def test_map_layers_escape_text(hand: HandArea) -> None:
    from types import SimpleNamespace

    import folium

    from cpted.maps import CptedMap
    from cpted.maps._surveillance import add_layers
    from cpted.surveillance import audit_part

    hand.streets["name"] = ["<script>alert('street')</script>"]
    hand.pois["name"] = ["<img src=x onerror=alert(1)>", "Bar", "Kiosk", "Shop"]
    part = audit_part(hand)
    segments = gpd.GeoDataFrame(hand.streets.join(part.segments), geometry="geometry", crs=CRS)
    fake = SimpleNamespace(segments=segments, sites=part.sites, layers=part.layers, rasters={})
    m = CptedMap(location=[52.47, 13.43], zoom_start=16)
    add_layers(m, fake)  # type: ignore[arg-type]
    page = m.to_html()
    names = " | ".join(
        child.layer_name for child in m._children.values() if isinstance(child, folium.FeatureGroup)
    )
    # frontage, movement and the score are in the audit map's one segments layer now
    for title in ("Active uses", "Camera views"):
        assert title in names
    assert "<script>alert('street')" not in page
    assert "<img src=x" not in page
    assert part.layers["camera_views"].index.equals(hand.cameras.index)
    assert part.layers["night_uses"]["open_2100"].tolist() == [True, True, None, True]


def test_movement_walks_zero_length_edges() -> None:
    graph = diamond_graph()
    graph.add_node(4, x=141.42, y=0.0)  # a duplicate of node 3 at the same place
    graph.add_edge(3, 4, length=0.0, segment=5)
    graph.add_edge(4, 3, length=0.0, segment=5)
    area = FakeArea(graph)
    table = movement(area, distances=[250])
    assert table.loc[5, "betweenness_250"] > 0  # trips to node 4 run along it
    with pytest.raises(InputError, match="positive"):
        node_centrality(graph)


# --------------------------------------------------------------------------------------
# Laws on random layouts
# --------------------------------------------------------------------------------------


@st.composite
def random_layouts(draw: st.DrawFn) -> HandArea:
    area = HandArea()
    boxes = draw(
        st.lists(
            st.tuples(st.floats(-20, 110), st.floats(-40, 40), st.floats(2, 30), st.floats(2, 30)),
            max_size=6,
        )
    )
    rows, index = [], []
    for i, (x, y, w, h) in enumerate(boxes):
        shape = box(x, y, x + w, y + h)
        if shape.intersects(area.streets.geometry.iloc[0].buffer(0.5)):
            continue
        kind = draw(st.sampled_from(["yes", "garage", "apartments"]))
        rows.append({"building": kind, "levels": 2.0, "height": 6.0,
                     "height_source": "levels", "use": kind, "geometry": shape})  # fmt: skip
        index.append(f"w{i}")
    area.buildings = _gdf(rows, index, "building") if rows else area.buildings.iloc[:0]
    area.entrances = area.entrances.iloc[:0]
    area.cameras = area.cameras.iloc[:0]
    return area


@settings(max_examples=25, deadline=None)
@given(random_layouts())
def test_shares_add_up_and_score_stays_in_range(area: HandArea) -> None:
    table = segment_measures(area)
    row = table.loc[0]
    overlooked = (row["overlooked_left"] + row["overlooked_right"]) / 2
    total = overlooked + row["blank_wall_share"] + row["fence_share"] + row["open_share"]
    assert total == pytest.approx(1.0)
    assert 0 <= row["frontage_m"] <= 200 + 1e-9
    assert 0 <= row["surveillance_score"] <= 100
    assert 0 <= row["surveillance_confidence"] <= 1
    assert row["entrances_estimated"] <= row["frontage_buildings"]


def test_overlapping_views_are_not_counted_twice(hand: HandArea) -> None:
    extra = hand.cameras.iloc[:1].copy()
    extra.index = pd.Index(["n22"], name="camera")
    extra["geometry"] = [Point(51, -2)]
    hand.cameras = pd.concat([hand.cameras, extra])
    table = camera_coverage(hand).loc[0]
    assert table["cameras"] == 2
    assert table["camera_coverage"] == pytest.approx(0.05, abs=1e-6)  # 48-52 and 49-53


def test_helsinki_coverage_matches_union(helsinki) -> None:  # type: ignore[no-untyped-def]
    import shapely

    views = cameras(helsinki)
    table = camera_coverage(helsinki, views=views)
    live = views[views["watches"] & ~views.geometry.is_empty]
    union = shapely.union_all(live.geometry.to_numpy())
    lines = helsinki.streets.geometry.to_numpy()
    expected = shapely.length(shapely.intersection(lines, union)) / shapely.length(lines)
    np.testing.assert_allclose(table["camera_coverage"], np.clip(expected, 0, 1), atol=1e-7)
    assert table["camera_coverage"].notna().all()


def test_neukoelln_walk_graph_matches_networkx_and_igraph(neukoelln) -> None:  # type: ignore[no-untyped-def]
    graph = neukoelln.graph
    nodes = list(graph.nodes)
    table = node_centrality(graph, distances=[400, 1e9])
    exact = nx.betweenness_centrality(graph, weight="length", normalized=False)
    np.testing.assert_allclose(
        table.loc[nodes, "betweenness_1e+09"], [exact[n] for n in nodes], rtol=RTOL, atol=ATOL
    )
    harmonic, reach = reference_closeness(graph, 400.0)
    np.testing.assert_allclose(table.loc[nodes, "closeness_400"], [harmonic[n] for n in nodes])
    assert table.loc[nodes, "reach_400"].tolist() == [reach[n] for n in nodes]
    simple = nx.DiGraph()
    for u, v, length in graph.edges(data="length"):
        if u != v and (not simple.has_edge(u, v) or simple[u][v]["length"] > length):
            simple.add_edge(u, v, length=length)
    position = {n: i for i, n in enumerate(nodes)}
    other = ig.Graph(
        n=len(nodes), edges=[(position[u], position[v]) for u, v in simple.edges], directed=True
    )
    weights = [w for _, _, w in simple.edges(data="length")]
    expected = other.betweenness(directed=True, cutoff=400, weights=weights)
    np.testing.assert_allclose(table.loc[nodes, "betweenness_400"], expected, rtol=RTOL, atol=ATOL)


def test_neukoelln_walk_graph_matches_path_enumeration(neukoelln) -> None:  # type: ignore[no-untyped-def]
    # the definition itself, on real data with its curved, parallel and dead-end ways
    assert_matches_reference(neukoelln.graph, 150.0)


def test_removing_a_hedge_changes_frontage_only_near_it(neukoelln):
    from cpted import scenarios

    hedge = "w551459725"
    before = frontage(neukoelln)
    after = frontage(scenarios.remove_barrier(neukoelln, hedge))
    changed = (before - after).abs().sum(axis=1) > 1e-9
    assert changed.any()
    reach = neukoelln.streets.loc[changed].distance(neukoelln.barriers.geometry[hedge])
    assert (reach <= settings_module.FRONTAGE_DISTANCE).all()


def test_cameras_without_direction_or_fov_columns(neukoelln):
    area = neukoelln.copy()
    area.cameras = gpd.GeoDataFrame(
        geometry=[Point(393900, 5814850)], crs=neukoelln.crs, index=["c1"]
    ).rename_axis("camera")
    out = cameras(area)
    assert bool(out.loc["c1", "omnidirectional"])
    assert out.loc["c1", "fov"] == 360.0


@pytest.fixture(scope="module")
def neukoelln_before(neukoelln):
    return segment_measures(neukoelln)


@given(segment=st.integers(0, 10_000), along=st.floats(0.0, 1.0), side=st.sampled_from([-8, 8]))
@settings(max_examples=4, deadline=None)
def test_an_evening_shop_never_lowers_surveillance(
    neukoelln, neukoelln_before, segment, along, side
):
    from cpted.scenarios import add_use

    streets = neukoelln.streets
    line = streets.geometry.iloc[segment % len(streets)]
    point = line.interpolate(along, normalized=True)
    where = (point.x, point.y + side)
    if not neukoelln.boundary.contains(shapely.Point(where)):
        return
    after = segment_measures(add_use(neukoelln, where, opening_hours="Mo-Su 08:00-24:00"))
    before = neukoelln_before
    assert (after["surveillance_score"] >= before["surveillance_score"] - 1e-9).all()
    assert after["uses_per_100m"].sum() > before["uses_per_100m"].sum()


# --------------------------------------------------------------------------------------
# Measuring only the rows a tile keeps (AuditContext.rows)
# --------------------------------------------------------------------------------------


def _corner(graph: nx.MultiDiGraph, limit: float) -> list:
    return [n for n, d in graph.nodes(data=True) if d["x"] <= limit and d["y"] <= limit]


def test_sources_all_nodes_equal_no_sources() -> None:
    from cpted.surveillance._centrality import csr_from_graph, local_centrality

    csr = csr_from_graph(grid_graph(7, jitter=20.0, seed=3))
    full = local_centrality(csr, [150.0, 350.0])
    given_all = local_centrality(csr, [150.0, 350.0], sources=np.arange(len(csr.nodes)))
    for a, b in zip(full, given_all, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cutoff", [250.0, 420.0])
def test_sources_near_the_kept_nodes_give_their_exact_centrality(cutoff: float) -> None:
    from cpted.surveillance._centrality import csr_from_graph, local_centrality, sources_near

    graph = grid_graph(11, jitter=20.0, seed=5)
    csr = csr_from_graph(graph)
    position = {node: i for i, node in enumerate(csr.nodes)}
    targets = np.array([position[n] for n in _corner(graph, 250.0)])
    leaving = np.array([position[u] in set(targets.tolist()) for u, _, _ in csr.edges])
    dists = [cutoff / 2, cutoff]
    full = local_centrality(csr, dists)
    sources = sources_near(csr, targets, cutoff)
    assert set(targets.tolist()) <= set(sources.tolist())
    assert len(sources) < len(csr.nodes)  # a real restriction
    node_bc, edge_bc, harmonic, reach = local_centrality(csr, dists, sources=sources)
    np.testing.assert_allclose(node_bc[:, targets], full[0][:, targets], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(edge_bc[:, leaving], full[1][:, leaving], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(harmonic[:, targets], full[2][:, targets], rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(reach[:, targets], full[3][:, targets])


def test_sources_cut_too_short_miss_trips() -> None:
    # the check above has teeth: sources within half the distance miss trips through
    # the kept node and along its edges
    from cpted.surveillance._centrality import csr_from_graph, local_centrality, sources_near

    graph = grid_graph(11, jitter=20.0, seed=5)
    csr = csr_from_graph(graph)
    centre = csr.nodes.index(5 * 11 + 5)
    leaving = np.array([u == 5 * 11 + 5 for u, _, _ in csr.edges])
    full = local_centrality(csr, [420.0])
    short = local_centrality(csr, [420.0], sources=sources_near(csr, [centre], 210.0))
    assert short[0][0, centre] < full[0][0, centre] - 1.0
    assert (short[1][0, leaving] < full[1][0, leaving]).all()


def test_sources_out_of_range_are_refused() -> None:
    from cpted.surveillance._centrality import csr_from_graph, local_centrality

    csr = csr_from_graph(diamond_graph())
    with pytest.raises(InputError, match="node positions"):
        local_centrality(csr, [100.0], sources=[0, 7])


def test_movement_of_some_segments_equals_that_of_all() -> None:
    from cpted.surveillance import _movement

    graph = grid_graph(11, jitter=20.0, seed=7)
    area = FakeArea(graph)
    corner = set(_corner(graph, 300.0))
    kept = area.streets.index[area.streets["u"].isin(corner) | area.streets["v"].isin(corner)]
    dists = [200.0, 500.0]
    full = movement(area, distances=dists).loc[kept]
    part = _movement(area, dists, kept)
    assert part.index.equals(kept)
    pd.testing.assert_frame_equal(part, full, rtol=RTOL, atol=ATOL)


def _west(layer: gpd.GeoDataFrame) -> pd.Index:
    x = layer.geometry.representative_point().x
    return layer.index[x < x.median()]


def test_audit_part_with_rows_measures_those_rows_as_all(neukoelln, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import cpted.surveillance as surveillance
    from cpted._context import AuditContext

    rows = (_west(neukoelln.streets), _west(neukoelln.sites))
    whole = surveillance.audit_part(neukoelln, context=AuditContext(neukoelln))
    part = surveillance.audit_part(neukoelln, context=AuditContext(neukoelln, rows=rows))
    assert part.segments is not None and whole.segments is not None
    assert part.sites is not None and whole.sites is not None
    assert part.segments.index.equals(rows[0])
    assert part.sites.index.equals(rows[1])
    pd.testing.assert_frame_equal(part.segments, whole.segments.loc[rows[0]], rtol=RTOL)
    pd.testing.assert_frame_equal(part.sites, whole.sites.loc[rows[1]], rtol=RTOL)
    # the doors of a building go to the segment it overlooks longest, kept or not: without
    # the segments around the kept ones the estimates change
    monkeypatch.setattr(surveillance, "_overlooking", lambda area, kept: kept)
    blind = surveillance.audit_part(neukoelln, context=AuditContext(neukoelln, rows=rows))
    assert blind.segments is not None
    estimated = whole.segments.loc[rows[0], "entrances_estimated"]
    assert not blind.segments["entrances_estimated"].equals(estimated)
