"""Movement potential on the Helsinki walk graph: cpted against networkx, igraph, cityseer.

Run from the repository root::

    .venv/bin/python benchmarks/bench_surveillance.py

What is timed, each on the same graph (``area_from_file(get_path("helsinki")).graph``):

1. Local betweenness and harmonic closeness at 400 m and 800 m:
   cpted (numba, one Dijkstra per source for both distances), a pure-Python Brandes
   with a cut-off on networkx's adjacency (what networkx would do if it had a cut-off),
   igraph (C, ``betweenness(cutoff=)`` and ``harmonic_centrality(cutoff=)``, one call
   per distance) and cityseer (Rust, ``node_centrality_shortest``) when installed.
2. Exact global betweenness: networkx's own ``betweenness_centrality`` against cpted with
   an unbounded distance, values compared.

Every comparison prints the largest relative difference of the values. Times are the
best of ``--repeat`` runs, after one warm-up run (numba's compiled code is cached on
disk, so the warm-up is what a user pays only once per installation).
"""

from __future__ import annotations

import argparse
import heapq
import importlib.util
import time
from collections.abc import Callable
from itertools import count
from typing import Any

import networkx as nx
import numpy as np

import cpted
from cpted.area import area_from_file
from cpted.surveillance import node_centrality

DISTANCES = (400.0, 800.0)


def best_time(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = np.inf
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def networkx_cutoff_brandes(graph: nx.MultiDiGraph, cutoffs: tuple[float, ...]) -> dict:
    """Brandes' algorithm in pure Python on networkx's adjacency, with a distance cut-off.

    networkx's ``betweenness_centrality`` has no cut-off; this follows its
    ``_single_source_dijkstra_path_basic`` and ``_accumulate_basic`` line by line, adding
    only the cut-off (as networkx's ``single_source_dijkstra(cutoff=)`` applies it).
    """
    top = max(cutoffs)
    between = {d: dict.fromkeys(graph, 0.0) for d in cutoffs}
    harmonic = {d: dict.fromkeys(graph, 0.0) for d in cutoffs}
    adjacency = {
        v: {w: min(e["length"] for e in keys.values()) for w, keys in nbrs.items() if w != v}
        for v, nbrs in graph.adjacency()
    }
    for s in graph:
        order, preds = [], {s: []}
        sigma = {s: 1.0}
        dist: dict[Any, float] = {}
        seen = {s: 0.0}
        c = count()
        queue = [(0.0, next(c), s, s)]
        while queue:
            d, _, pred, v = heapq.heappop(queue)
            if v in dist:
                continue
            if v != s:
                sigma[v] += sigma[pred]
            order.append(v)
            dist[v] = d
            for w, length in adjacency[v].items():
                vw = d + length
                if vw > top:
                    continue
                if w not in dist and (w not in seen or vw < seen[w]):
                    seen[w] = vw
                    heapq.heappush(queue, (vw, next(c), v, w))
                    sigma[w] = 0.0
                    preds[w] = [v]
                elif vw == seen.get(w):
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        for cut in cutoffs:
            delta = dict.fromkeys(order, 0.0)
            for w in reversed(order):
                if dist[w] > cut:
                    continue
                coeff = (1.0 + delta[w]) / sigma[w]
                for v in preds[w]:
                    delta[v] += sigma[v] * coeff
                if w != s:
                    between[cut][w] += delta[w]
                    harmonic[cut][s] += 1.0 / dist[w]
    return {"between": between, "harmonic": harmonic}


def max_rel_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    scale = np.maximum(np.abs(theirs), 1.0)
    return float(np.max(np.abs(ours - theirs) / scale)) if len(ours) else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="helsinki")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-global", action="store_true", help="skip networkx's global run")
    args = parser.parse_args()

    area = area_from_file(cpted.datasets.get_path(args.sample))
    graph = area.graph
    nodes = list(graph.nodes)
    print(f"{args.sample} walk graph: {len(graph)} nodes, {graph.number_of_edges()} directed edges")
    import numba

    print(f"numba threads: {numba.get_num_threads()}")

    rows: list[tuple[str, float]] = []
    # cpted: first call compiles (or loads the on-disk cache), then timed runs
    start = time.perf_counter()
    node_centrality(graph, distances=DISTANCES)
    print(f"cpted first call (compile or cache load): {time.perf_counter() - start:.2f} s")
    t_ours, ours = best_time(lambda: node_centrality(graph, distances=DISTANCES), args.repeat)
    rows.append(("cpted (numba), 400+800 m", t_ours))

    t_py, ref = best_time(lambda: networkx_cutoff_brandes(graph, DISTANCES), 1)
    rows.append(("pure Python on networkx, 400+800 m", t_py))
    for d in DISTANCES:
        label = f"{d:g}"
        diff_b = max_rel_diff(ours[f"betweenness_{label}"], [ref["between"][d][n] for n in nodes])
        diff_c = max_rel_diff(ours[f"closeness_{label}"], [ref["harmonic"][d][n] for n in nodes])
        print(f"  {label} m vs pure-Python networkx Brandes: betweenness max rel diff "
              f"{diff_b:.1e}, closeness {diff_c:.1e}")  # fmt: skip

    import igraph as ig

    position = {n: i for i, n in enumerate(nodes)}
    simple = nx.DiGraph()
    for u, v, length in graph.edges(data="length"):
        if u != v and (not simple.has_edge(u, v) or simple[u][v]["length"] > length):
            simple.add_edge(u, v, length=length)
    edges = [(position[u], position[v]) for u, v in simple.edges]
    weights = [w for _, _, w in simple.edges(data="length")]
    other = ig.Graph(n=len(nodes), edges=edges, directed=True)

    def run_igraph() -> dict:
        return {
            d: (
                other.betweenness(directed=True, cutoff=d, weights=weights),
                other.harmonic_centrality(mode="out", cutoff=d, weights=weights, normalized=False),
            )
            for d in DISTANCES
        }

    t_ig, ig_values = best_time(run_igraph, args.repeat)
    rows.append(("igraph (C), 400+800 m", t_ig))
    for d in DISTANCES:
        label = f"{d:g}"
        print(f"  {label} m vs igraph: betweenness max rel diff "
              f"{max_rel_diff(ours[f'betweenness_{label}'], ig_values[d][0]):.1e}, closeness "
              f"{max_rel_diff(ours[f'closeness_{label}'], ig_values[d][1]):.1e}")  # fmt: skip

    if importlib.util.find_spec("cityseer") is not None:
        import logging
        import warnings

        logging.getLogger("cityseer").setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=__name__)
        import shapely
        from cityseer.metrics import networks
        from cityseer.tools import io

        city = nx.relabel_nodes(graph, str)  # cityseer wants string node keys
        for u, v, _k, data in city.edges(keys=True, data=True):
            if "geometry" in data:
                data["geom"] = data["geometry"]
            else:
                a, b = city.nodes[u], city.nodes[v]
                data["geom"] = shapely.LineString([(a["x"], a["y"]), (b["x"], b["y"])])
        city.graph["crs"] = area.crs
        nodes_gdf, _edges_gdf, structure = io.network_structure_from_nx(city)

        def run_cityseer() -> Any:
            return networks.node_centrality_shortest(
                structure, nodes_gdf.copy(), distances=[int(d) for d in DISTANCES]
            )

        run_cityseer()  # warm-up
        # interleaved, so a busy machine slows both alike; best of each
        t_cs, t_again = np.inf, np.inf
        cs = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            cs = run_cityseer()
            t_cs = min(t_cs, time.perf_counter() - start)
            start = time.perf_counter()
            node_centrality(graph, distances=DISTANCES)
            t_again = min(t_again, time.perf_counter() - start)
        rows.append(("cityseer (Rust), 400+800 m", t_cs))
        print(f"  interleaved with cityseer: cpted {t_again:.3f} s, cityseer {t_cs:.3f} s, "
              f"ratio {t_cs / t_again:.1f}")  # fmt: skip
        for d in DISTANCES:
            label = f"{d:g}"
            theirs = cs.loc[[str(n) for n in nodes]]
            b = theirs[f"cc_betweenness_{int(d)}"].to_numpy(float)
            h = theirs[f"cc_harmonic_{int(d)}"].to_numpy(float)
            corr_b = np.corrcoef(ours[f"betweenness_{label}"], b)[0, 1]
            corr_h = np.corrcoef(ours[f"closeness_{label}"], h)[0, 1]
            print(f"  {label} m vs cityseer (float32, its own lengths from geometry): "
                  f"correlation betweenness {corr_b:.4f}, closeness {corr_h:.4f}")  # fmt: skip
    else:
        print("cityseer not installed: `pip install cityseer` to include it")

    if not args.skip_global:
        t_nx, exact = best_time(
            lambda: nx.betweenness_centrality(graph, weight="length", normalized=False), 1
        )
        t_g, ours_global = best_time(lambda: node_centrality(graph, distances=[1e9]), args.repeat)
        diff = max_rel_diff(ours_global["betweenness_1e+09"], [exact[n] for n in nodes])
        rows.append(("networkx betweenness_centrality, global", t_nx))
        rows.append(("cpted, global (distance 1e9 m)", t_g))
        print(f"  global vs networkx betweenness_centrality: max rel diff {diff:.1e}")

    from cpted.surveillance import cameras, frontage, segment_measures

    t_front, _ = best_time(lambda: frontage(area), args.repeat)
    t_cam, _ = best_time(lambda: cameras(area), args.repeat)
    t_seg, table = best_time(lambda: segment_measures(area), args.repeat)
    print(
        f"cpted segment_measures on {len(area.streets)} segments: {t_seg:.2f} s "
        f"(frontage {t_front:.2f} s, {len(area.cameras)} camera isovists {t_cam:.2f} s); "
        f"mean surveillance_score {table['surveillance_score'].mean():.1f}"
    )

    print()
    print(f"{'method':45s} {'seconds':>9s} {'cpted is x faster':>18s}")
    for name, seconds in rows:
        base = t_ours if "global" not in name else rows[-1][1]
        print(f"{name:45s} {seconds:9.3f} {seconds / base:18.1f}")


if __name__ == "__main__":
    main()
