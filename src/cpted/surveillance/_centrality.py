"""Local betweenness and closeness on a street network, compiled with numba.

Definitions (those of cityseer, Simons 2022, "cityseer: Urban analytics for
pedestrian-scale networks"; the same as igraph's ``betweenness(cutoff=...)``):

* ``d(s, t)`` is the shortest-path distance from ``s`` to ``t`` over edge lengths; between
  parallel edges the shortest one is used (as networkx does for multigraphs).
* Local betweenness of node ``v`` at distance ``D``:
  ``sum over ordered pairs (s, t), s != v != t, d(s, t) <= D of sigma_st(v) / sigma_st``,
  with ``sigma_st`` the number of shortest ``s``-``t`` paths and ``sigma_st(v)`` those
  through ``v``. Only trips of at most ``D`` count. This is networkx's
  ``betweenness_centrality(G, weight=..., normalized=False)`` of a directed graph, with
  the pairs farther apart than ``D`` left out.
* Local edge betweenness of directed edge ``(a, b)`` at ``D``: the same sum of the
  shares of shortest paths that use the edge (networkx's ``edge_betweenness_centrality``
  with the same cut).
* Local harmonic closeness of ``v`` at ``D``: ``sum over t != v, 0 < d(v, t) <= D of
  1 / d(v, t)`` (cityseer's ``cc_harmonic``; Boldi and Vigna 2014).
* Reach of ``v`` at ``D``: the number of nodes ``t != v`` with ``d(v, t) <= D``
  (cityseer's ``cc_density``).

momepy's ``betweenness_centrality(..., radius=D)`` is a different measure: it takes the
betweenness of ``v`` inside the ego graph of radius ``D`` around ``v``, where the trips
can be longer than ``D`` and start far from ``v``'s own catchment. We follow cityseer
because a walk of more than ``D`` is exactly what the radius is meant to leave out.

Shortest paths tie only when their summed lengths are equal as floating-point numbers,
the rule networkx uses; summation runs from the origin outwards along each path, as in
networkx, so ties come out the same. Edge lengths must be positive.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import networkx as nx
import numba
import numpy as np
import numpy.typing as npt

from cpted._errors import InputError

__all__ = ["CSRGraph", "csr_from_graph", "local_centrality", "sources_near"]


@dataclass(frozen=True)
class CSRGraph:
    """A directed graph in compressed sparse row form, parallel edges collapsed."""

    nodes: list[Hashable]
    """Node ids, in the order of the rows."""
    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    edges: list[tuple[Hashable, Hashable, Hashable]]
    """For each CSR entry, the ``(u, v, key)`` of the shortest parallel edge it stands for."""


def csr_from_graph(
    graph: nx.Graph, *, weight: str = "length", zero_length: float | None = None
) -> CSRGraph:
    """
    Build a CSR graph from a networkx graph, keeping the shortest of parallel edges.

    Undirected graphs give both directions of each edge. Self-loops are dropped: with
    positive lengths they never lie on a shortest path.

    Parameters
    ----------
    graph
        A networkx Graph, DiGraph, MultiGraph or MultiDiGraph.
    weight
        The edge attribute holding the length, in metres.
    zero_length
        Length given to edges of length 0 (two OSM nodes at the same place); None
        refuses them.

    Returns
    -------
    CSRGraph
    """
    if not isinstance(graph, nx.Graph):
        msg = f"graph must be a networkx graph, got {type(graph).__name__}."
        raise InputError(msg)
    nodes = list(graph.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    best: dict[tuple[int, int], tuple[float, Hashable]] = {}
    missing: list[object] = []
    bad: list[object] = []
    if graph.is_multigraph():
        edge_iter = graph.edges(keys=True, data=weight)
    else:
        edge_iter = ((u, v, 0, w) for u, v, w in graph.edges(data=weight))
    for u, v, key, length in edge_iter:
        if u == v:
            continue
        if length is None:
            missing.append((u, v, key))
            continue
        length = float(length)
        if length == 0.0 and zero_length is not None:
            length = zero_length
        if not (np.isfinite(length) and length > 0.0):
            bad.append(((u, v, key), length))
            continue
        pairs = [(position[u], position[v])]
        if not graph.is_directed():
            pairs.append((position[v], position[u]))
        for pair in pairs:
            current = best.get(pair)
            if current is None or length < current[0]:
                best[pair] = (length, key)
    if missing:
        msg = (
            f"{len(missing)} edges have no {weight!r} attribute, e.g. {missing[:3]}. "
            f"Give every edge its length in metres, e.g. with "
            "`osmnx.distance.add_edge_lengths(graph)`."
        )
        raise InputError(msg)
    if bad:
        msg = (
            f"{len(bad)} edges have a {weight!r} that is not a positive finite number, "
            f"e.g. {bad[:3]}. Shortest paths need positive lengths in metres; drop or "
            "merge zero-length edges (duplicate nodes) first, e.g. with "
            "`osmnx.simplification.consolidate_intersections`."
        )
        raise InputError(msg)
    n = len(nodes)
    pairs_sorted = sorted(best)
    rows = np.fromiter((p[0] for p in pairs_sorted), dtype=np.int64, count=len(pairs_sorted))
    indices = np.fromiter((p[1] for p in pairs_sorted), dtype=np.int64, count=len(pairs_sorted))
    weights = np.fromiter(
        (best[p][0] for p in pairs_sorted), dtype=np.float64, count=len(pairs_sorted)
    )
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    np.cumsum(indptr, out=indptr)
    edges = [(nodes[p[0]], nodes[p[1]], best[p][1]) for p in pairs_sorted]
    return CSRGraph(nodes, indptr, indices, weights, edges)


@numba.njit(cache=True, nogil=True)
def _heap_push(keys, vals, size, key, val):
    i = size
    keys[i] = key
    vals[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        vals[parent], vals[i] = vals[i], vals[parent]
        i = parent
    return size + 1


@numba.njit(cache=True, nogil=True)
def _heap_pop(keys, vals, size):
    key = keys[0]
    val = vals[0]
    size -= 1
    keys[0] = keys[size]
    vals[0] = vals[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[i] <= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        vals[child], vals[i] = vals[i], vals[child]
        i = child
    return key, val, size


@numba.njit(cache=True, nogil=True)
def _sources_block(indptr, indices, weights, cuts, sources, node_bc, edge_bc, harmonic, reach):
    """Brandes' accumulation (2001, 2008) from each source, one Dijkstra for all cuts."""
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    k = cuts.shape[0]
    cutoff = cuts[k - 1]
    dist = np.full(n, np.inf)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    settled = np.zeros(n, dtype=np.bool_)
    pred_head = np.full(n, -1, dtype=np.int64)  # first predecessor edge of each node
    pred_next = np.full(m, -1, dtype=np.int64)  # next predecessor edge in the same list
    edge_src = np.empty(m, dtype=np.int64)
    for a in range(n):
        for e in range(indptr[a], indptr[a + 1]):
            edge_src[e] = a
    order = np.empty(n, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    heap_keys = np.empty(m + 1)
    heap_vals = np.empty(m + 1, dtype=np.int64)
    for s in sources:
        n_touched = 0
        n_order = 0
        dist[s] = 0.0
        sigma[s] = 1.0
        touched[n_touched] = s
        n_touched += 1
        size = _heap_push(heap_keys, heap_vals, 0, 0.0, s)
        while size > 0:
            d, v, size = _heap_pop(heap_keys, heap_vals, size)
            if settled[v] or d > dist[v]:
                continue
            settled[v] = True
            order[n_order] = v
            n_order += 1
            # every predecessor is settled before v, so sigma[v] is final here
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                if settled[w]:
                    continue
                vw = d + weights[e]
                if vw > cutoff:
                    continue
                if vw < dist[w]:
                    if dist[w] == np.inf:
                        touched[n_touched] = w
                        n_touched += 1
                    dist[w] = vw
                    sigma[w] = sigma[v]
                    pred_head[w] = e
                    pred_next[e] = -1
                    size = _heap_push(heap_keys, heap_vals, size, vw, w)
                elif vw == dist[w]:
                    sigma[w] += sigma[v]
                    pred_next[e] = pred_head[w]
                    pred_head[w] = e
        for j in range(k):
            cut = cuts[j]
            for i in range(n_order):
                delta[order[i]] = 0.0
            for i in range(n_order - 1, -1, -1):
                w = order[i]
                if dist[w] > cut:
                    continue
                coeff = (1.0 + delta[w]) / sigma[w]
                e = pred_head[w]
                while e != -1:
                    v = edge_src[e]
                    c = sigma[v] * coeff
                    edge_bc[j, e] += c
                    delta[v] += c
                    e = pred_next[e]
                if w != s:
                    node_bc[j, w] += delta[w]
                    harmonic[j, s] += 1.0 / dist[w]
                    reach[j, s] += 1.0
        for i in range(n_touched):
            t = touched[i]
            dist[t] = np.inf
            sigma[t] = 0.0
            settled[t] = False
            pred_head[t] = -1


@numba.njit(cache=True, parallel=True)
def _all_sources(indptr, indices, weights, cuts, sources, n_blocks):
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    k = cuts.shape[0]
    node_bc = np.zeros((n_blocks, k, n))
    edge_bc = np.zeros((n_blocks, k, m))
    harmonic = np.zeros((k, n))
    reach = np.zeros((k, n))
    for b in numba.prange(n_blocks):
        # interleaved blocks balance dense and sparse parts of the network; each source
        # is in one block, so the blocks write disjoint entries of harmonic and reach
        _sources_block(
            indptr,
            indices,
            weights,
            cuts,
            sources[b::n_blocks],
            node_bc[b],
            edge_bc[b],
            harmonic,
            reach,
        )
    return node_bc.sum(axis=0), edge_bc.sum(axis=0), harmonic, reach


def local_centrality(
    csr: CSRGraph,
    distances: Sequence[float],
    *,
    threads: int | None = None,
    sources: npt.ArrayLike | None = None,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]:
    """
    Compute local betweenness, edge betweenness, harmonic closeness and reach.

    Parameters
    ----------
    csr
        The graph, from :func:`csr_from_graph`.
    distances
        The cut-off distances, in metres.
    threads
        Blocks of sources run in parallel; defaults to numba's thread count.
    sources
        Positions (rows of ``csr``) of the nodes whose trips are counted; None counts
        the trips from every node. Closeness and reach are those of the sources (0
        elsewhere); betweenness counts only the trips that start at a source, so it is
        exact on a node or edge when every node within the largest distance of it (on
        the way to it) is a source: see :func:`sources_near`.

    Returns
    -------
    node_betweenness, edge_betweenness, harmonic_closeness, reach
        Arrays of shape ``(len(distances), n)`` (``(len(distances), m)`` for edges, in
        the order of ``csr.edges``), rows in the order of ``distances``.
    """
    cuts = np.asarray(distances, dtype=np.float64)
    order = np.argsort(cuts, kind="stable")
    n = len(csr.nodes)
    k = len(cuts)
    if sources is None:
        starts = np.arange(n, dtype=np.int64)
    else:
        starts = np.unique(np.asarray(sources, dtype=np.int64))
        if len(starts) and (starts[0] < 0 or starts[-1] >= n):
            msg = f"sources must be node positions from 0 to {n - 1}, got {starts[[0, -1]]}."
            raise InputError(msg)
    if n == 0:
        empty = np.zeros((k, 0))
        return empty, np.zeros((k, len(csr.edges))), empty.copy(), empty.copy()
    blocks = threads or numba.get_num_threads()
    blocks = max(1, min(blocks * 4, len(starts)))
    node_bc, edge_bc, harmonic, reach = _all_sources(
        csr.indptr, csr.indices, csr.weights, cuts[order], starts, blocks
    )
    back = np.argsort(order, kind="stable")
    return node_bc[back], edge_bc[back], harmonic[back], reach[back]


def sources_near(csr: CSRGraph, targets: npt.ArrayLike, distance: float) -> npt.NDArray[np.int64]:
    """
    Return the nodes from which a target node lies within ``distance`` on the network.

    A trip of at most ``distance`` that passes a node or leaves along an edge starts at
    one of these nodes (or at the target itself): given them as the ``sources`` of
    :func:`local_centrality`, the betweenness of the targets and of the edges leaving them
    is that of all sources. A relative margin of 1e-9 keeps a node whose distance rounds
    differently along the reversed graph.

    Parameters
    ----------
    csr
        The graph, from :func:`csr_from_graph`.
    targets
        Positions of the target nodes.
    distance
        The largest cut-off distance, in metres.

    Returns
    -------
    numpy.ndarray
        Sorted positions of the sources, the targets among them.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    targets = np.unique(np.asarray(targets, dtype=np.int64))
    n = len(csr.nodes)
    if not len(targets) or n == 0:
        return targets
    graph = csr_matrix((csr.weights, csr.indices, csr.indptr), shape=(n, n))
    limit = distance * (1.0 + 1e-9) + 1e-9
    # distances to the targets are distances from them on the reversed graph
    dist = dijkstra(graph.T.tocsr(), indices=targets, min_only=True, limit=limit)
    return np.flatnonzero(np.isfinite(dist)).astype(np.int64)
