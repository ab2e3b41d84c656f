"""
Natural surveillance: eyes on the street from movement, uses, frontages and cameras.

Jacobs (1961) locates the "eyes upon the street" in the people who pass by, in the shops
and bars that keep a street busy into the night, and in the windows and doors that face
it; Newman (1972) adds the layout that lets residents watch over their own ground. This
module measures each of these on every street segment of a
:class:`~cpted.area.StudyArea`:

* movement potential: local betweenness and closeness on the walk network
  (:func:`node_centrality`, :func:`edge_centrality`, :func:`movement`);
* night-time activity: uses open at chosen hours (:func:`open_at`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cpted import settings
from cpted._errors import InputError
from cpted.surveillance._centrality import csr_from_graph, local_centrality
from cpted.surveillance._hours import HOURS_STATUS, hours_state, parse_clock

__all__ = [
    "HOURS_STATUS",
    "edge_centrality",
    "movement",
    "node_centrality",
    "open_at",
]


def _distances(distances: Sequence[float] | float | None) -> list[float]:
    if distances is None:
        distances = settings.MOVEMENT_DISTANCES
    if isinstance(distances, int | float):
        distances = [distances]
    try:
        values = [float(d) for d in distances]
    except (TypeError, ValueError) as exc:
        msg = f"distances must be numbers of metres, got {distances!r}."
        raise InputError(msg) from exc
    if not values:
        msg = "distances is empty; give at least one network distance in metres, e.g. (400, 800)."
        raise InputError(msg)
    bad = [d for d in values if not (np.isfinite(d) and d > 0)]
    if bad:
        msg = f"distances must be positive finite metres, got {bad}."
        raise InputError(msg)
    if len(set(values)) != len(values):
        msg = f"distances has repeated values: {values}."
        raise InputError(msg)
    return values


def _label(distance: float) -> str:
    return f"{distance:g}"


def _check_graph(graph: object) -> nx.Graph:
    if not isinstance(graph, nx.Graph):
        msg = f"graph must be a networkx graph (e.g. area.graph), got {type(graph).__name__}."
        raise InputError(msg)
    crs = graph.graph.get("crs")
    if crs is not None:
        from cpted._validate import metric_crs

        metric_crs(crs, what="The graph's nodes")
    return graph


def _node_table(nodes: list[Any], names: list[str], arrays: list[np.ndarray]) -> pd.DataFrame:
    data = {name: array for name, array in zip(names, arrays, strict=True)}
    index = pd.Index(nodes, name="node") if nodes else pd.Index([], name="node")
    return pd.DataFrame(data, index=index)


def node_centrality(
    graph: nx.Graph,
    *,
    distances: Sequence[float] | float | None = None,
    weight: str = "length",
) -> pd.DataFrame:
    """
    Local betweenness, harmonic closeness and reach of every node within network distances.

    For a distance ``D`` (metres along the network), with ``d(s, t)`` the shortest-path
    length from ``s`` to ``t`` (over the shortest of parallel edges):

    * ``betweenness_D`` of node ``v``: the sum over ordered pairs ``(s, t)`` with
      ``s != v != t`` and ``d(s, t) <= D`` of the share of shortest ``s``-``t`` paths
      through ``v``. Only trips of at most ``D`` count; this is the definition of
      cityseer (``node_centrality_shortest``) and of igraph's ``betweenness(cutoff=D)``.
      With ``D`` infinite it equals networkx's ``betweenness_centrality(G,
      weight=weight, normalized=False)`` of the directed graph, so on a two-way walk
      network each trip counts once in each direction.
    * ``closeness_D``: harmonic closeness, the sum of ``1 / d(v, t)`` over the nodes ``t``
      with ``0 < d(v, t) <= D`` (cityseer's ``cc_harmonic``; Boldi and Vigna 2014), in
      1/m. Harmonic rather than classic closeness because the classic form falls as a
      catchment grows, the opposite of what a local measure should do (Simons 2022).
    * ``reach_D``: the number of nodes within ``D`` (cityseer's ``cc_density``).

    The values match networkx's exact computation on the same definition (see
    ``tests/test_surveillance.py``). momepy's ``betweenness_centrality(radius=D)`` is a
    different measure (betweenness inside each node's ego graph) and is not reproduced.

    Nodes near the edge of the study area see only part of their catchment, so their
    values are low; read them with that in mind.

    Parameters
    ----------
    graph
        A networkx graph with edge lengths in metres (e.g. ``area.graph``, a
        MultiDiGraph). Undirected graphs are walked both ways.
    distances
        Network distances in metres; default :data:`cpted.settings.MOVEMENT_DISTANCES`.
    weight
        The edge attribute holding the length, in metres.

    Returns
    -------
    pandas.DataFrame
        Indexed by the graph's nodes: ``betweenness_D``, ``closeness_D`` and ``reach_D``
        for each distance ``D`` (e.g. ``betweenness_400``).

    Raises
    ------
    InputError
        When an edge has no length or a length that is not positive, or ``distances``
        is not a list of positive numbers.

    Examples
    --------
    >>> import networkx as nx
    >>> from cpted.surveillance import node_centrality
    >>> g = nx.path_graph(3)
    >>> nx.set_edge_attributes(g, 100.0, "length")
    >>> node_centrality(g, distances=[150, 250])["betweenness_250"].tolist()
    [0.0, 2.0, 0.0]
    """
    node_table, _edges = _centrality(_check_graph(graph), _distances(distances), weight)
    return node_table


def _centrality(
    graph: nx.Graph, distances: list[float], weight: str
) -> tuple[pd.DataFrame, tuple[list[tuple[Any, Any, Any]], np.ndarray]]:
    csr = csr_from_graph(graph, weight=weight)
    node_bc, edge_bc, harmonic, reach = local_centrality(csr, distances)
    names: list[str] = []
    arrays: list[np.ndarray] = []
    for j, d in enumerate(distances):
        label = _label(d)
        names += [f"betweenness_{label}", f"closeness_{label}", f"reach_{label}"]
        arrays += [node_bc[j], harmonic[j], reach[j].astype(np.int64)]
    return _node_table(csr.nodes, names, arrays), (csr.edges, edge_bc)


def edge_centrality(
    graph: nx.Graph,
    *,
    distances: Sequence[float] | float | None = None,
    weight: str = "length",
) -> pd.DataFrame:
    """
    Local betweenness of every edge: the trips of at most ``D`` metres that use it.

    ``betweenness_D`` of a directed edge ``(a, b)`` is the sum over ordered pairs
    ``(s, t)`` with ``d(s, t) <= D`` of the share of shortest ``s``-``t`` paths that run
    along it; unlike node betweenness it counts the trips that start or end at ``a`` or
    ``b``. With ``D`` infinite it equals networkx's ``edge_betweenness_centrality(G,
    weight=weight, normalized=False)`` of the directed graph. Of parallel edges only the
    shortest (the first key among equals) carries trips; the others get 0.

    Parameters
    ----------
    graph
        A networkx graph with edge lengths in metres (e.g. ``area.graph``).
    distances
        Network distances in metres; default :data:`cpted.settings.MOVEMENT_DISTANCES`.
    weight
        The edge attribute holding the length, in metres.

    Returns
    -------
    pandas.DataFrame
        One row per edge of ``graph`` (index ``u, v, key`` for multigraphs, ``u, v``
        otherwise; each direction of an undirected edge once per direction walked is
        summed into the edge's row): ``betweenness_D`` for each distance.
    """
    graph = _check_graph(graph)
    dists = _distances(distances)
    _nodes, (edges, edge_bc) = _centrality(graph, dists, weight)
    multi = graph.is_multigraph()
    if multi:
        keys = list(graph.edges(keys=True))
        index = pd.MultiIndex.from_tuples(keys, names=["u", "v", "key"]) if keys else None
    else:
        keys = [(u, v) for u, v in graph.edges()]
        index = pd.MultiIndex.from_tuples(keys, names=["u", "v"]) if keys else None
    if index is None:
        names = ["u", "v", "key"] if multi else ["u", "v"]
        index = pd.MultiIndex.from_arrays([[]] * len(names), names=names)
    row = {k: i for i, k in enumerate(keys)}
    values = np.zeros((len(dists), len(keys)))
    for e, (u, v, key) in enumerate(edges):
        k = (u, v, key) if multi else (u, v)
        if k not in row and not graph.is_directed():
            k = (v, u, key) if multi else (v, u)
        values[:, row[k]] += edge_bc[:, e]
    return pd.DataFrame(
        {f"betweenness_{_label(d)}": values[j] for j, d in enumerate(dists)}, index=index
    )


def movement(area: Any, *, distances: Sequence[float] | float | None = None) -> pd.DataFrame:
    """
    Movement potential of each street segment: the people likely to pass along it.

    Computed on ``area.graph`` (the walk network) with the definitions of
    :func:`node_centrality` and :func:`edge_centrality`:

    * ``betweenness_D``: the trips of at most ``D`` metres between any two nodes of the
      network whose shortest route runs along the segment, both directions summed
      (edge betweenness).
    * ``closeness_D``, ``reach_D``: the mean of the segment's two end nodes.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea` (needs ``graph`` and ``streets``).
    distances
        Network distances in metres; default :data:`cpted.settings.MOVEMENT_DISTANCES`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``.
    """
    graph = _check_graph(getattr(area, "graph", None))
    streets = getattr(area, "streets", None)
    if streets is None or not {"u", "v"} <= set(streets.columns):
        msg = "area.streets must be a table with columns u and v (the segment's end nodes)."
        raise InputError(msg)
    dists = _distances(distances)
    nodes, (edges, edge_bc) = _centrality(graph, dists, "length")
    out = pd.DataFrame(index=streets.index)
    seg_rows = pd.Series(np.arange(len(streets)), index=streets.index)
    totals = np.zeros((len(dists), len(streets)))
    multi = graph.is_multigraph()
    for e, (u, v, key) in enumerate(edges):
        data = graph[u][v][key] if multi else graph[u][v]
        segment = data.get("segment")
        if segment is None or segment not in seg_rows.index:
            continue
        totals[:, seg_rows[segment]] += edge_bc[:, e]
    u_rows = nodes.reindex(streets["u"].to_numpy())
    v_rows = nodes.reindex(streets["v"].to_numpy())
    for j, d in enumerate(dists):
        label = _label(d)
        out[f"betweenness_{label}"] = totals[j]
        for measure in ("closeness", "reach"):
            col = f"{measure}_{label}"
            out[col] = (u_rows[col].to_numpy(float) + v_rows[col].to_numpy(float)) / 2.0
    return out


def _where(pois: Any) -> tuple[float, float] | None:
    """Latitude and longitude of the centre of a layer, for holidays and sun times."""
    crs = getattr(pois, "crs", None)
    if crs is None or len(pois) == 0:
        return None
    try:
        centre = pois.geometry.union_all().centroid
        import geopandas as gpd

        lonlat = gpd.GeoSeries([centre], crs=crs).to_crs(4326).iloc[0]
    except Exception:
        return None
    if lonlat.is_empty or not np.isfinite([lonlat.x, lonlat.y]).all():
        return None
    return (float(lonlat.y), float(lonlat.x))


def open_at(
    pois: pd.DataFrame,
    *,
    times: Sequence[str] | None = None,
    date: str | None = None,
) -> pd.DataFrame:
    """
    Whether each use is open at chosen local times of one weekday.

    ``opening_hours`` values are read with opening-hours-py, a maintained parser of the
    OSM opening-hours specification. Public holidays and sunrise/sunset are those of the
    layer's centre when it has a CRS. Untagged uses (``hours = "missing"``) and values the
    parser cannot read (``"invalid"``: typos, free text, anything else) are kept apart:
    their ``open_HHMM`` is NA, never a guess, and no value makes this raise.

    Parameters
    ----------
    pois
        A table with an ``opening_hours`` column (e.g. ``area.pois``).
    times
        Local clock times ``"HH:MM"``; default :data:`cpted.settings.NIGHT_TIMES`.
    date
        ISO date of the day evaluated; default :data:`cpted.settings.NIGHT_DATE`
        (a Wednesday).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``pois``: ``hours`` ("parsed", "missing" or "invalid") and one
        nullable boolean ``open_HHMM`` per time (e.g. ``open_2100``).

    Examples
    --------
    >>> import pandas as pd
    >>> from cpted.surveillance import open_at
    >>> pois = pd.DataFrame({"opening_hours": ["Mo-Su 10:00-22:00", None, "ask us"]})
    >>> open_at(pois, times=["21:00", "23:00"]).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'hours': ['parsed', 'missing', 'invalid'], 'open_2100': [True, None, None],
     'open_2300': [False, None, None]}
    """
    if not isinstance(pois, pd.DataFrame) or "opening_hours" not in pois.columns:
        msg = "pois must be a table with an opening_hours column, e.g. area.pois."
        raise InputError(msg)
    times = list(settings.NIGHT_TIMES if times is None else times)
    if isinstance(times, str):
        times = [times]
    bad = []
    for t in times:
        try:
            parse_clock(t)
        except (TypeError, ValueError):
            bad.append(t)
    if bad or not times:
        msg = f"times must be local clock times 'HH:MM' (00:00-23:59), got {bad or times!r}."
        raise InputError(msg)
    date = settings.NIGHT_DATE if date is None else date
    try:
        import datetime as dt

        dt.date.fromisoformat(str(date))
    except ValueError as exc:
        msg = f"date must be an ISO date such as '2025-10-15', got {date!r}."
        raise InputError(msg) from exc
    return hours_state(pois["opening_hours"], times, str(date), coords=_where(pois))
