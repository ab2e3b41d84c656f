"""
Natural surveillance: eyes on the street from movement, uses, frontages and cameras.

Jacobs (1961) locates the "eyes upon the street" in the people who pass by, in the shops
and bars that keep a street busy into the night, and in the windows and doors that face
it; Newman (1972) adds the layout that lets residents watch over their own ground. This
module measures each of these on every street segment of a
:class:`~cpted.area.StudyArea`:

* frontage: building faces that overlook the street, weighted by storeys, and the
  stretches along blank walls, fences and open lots (:func:`frontage`);
* doors facing the street, estimated where a building has none mapped
  (:func:`entrances`);
* active uses within sight and the ones open at night (:func:`active_uses`,
  :func:`open_at`);
* movement potential: local betweenness and closeness on the walk network
  (:func:`node_centrality`, :func:`edge_centrality`, :func:`movement`);
* cameras: coverage polygons from exact isovists, with privacy flags
  (:func:`cameras`, :func:`camera_coverage`);

and combines them into ``surveillance_score`` (:func:`segment_measures`,
:func:`site_measures`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from cpted import settings
from cpted._errors import InputError
from cpted._validate import check_projected
from cpted.surveillance import _cameras, _frontage
from cpted.surveillance._centrality import csr_from_graph, local_centrality, sources_near
from cpted.surveillance._hours import HOURS_STATUS, hours_state, parse_clock

if TYPE_CHECKING:
    from cpted._principle import AuditPart

__all__ = [
    "HOURS_STATUS",
    "active_uses",
    "audit_part",
    "camera_coverage",
    "cameras",
    "edge_centrality",
    "entrances",
    "frontage",
    "movement",
    "node_centrality",
    "open_at",
    "segment_measures",
    "site_measures",
]


def _distances(distances: Sequence[float] | float | None) -> list[float]:
    if distances is None:
        distances = settings.MOVEMENT_DISTANCES
    if isinstance(distances, int | float | str):
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


# Length given to zero-length edges of a study area's graph (two OSM nodes mapped at the
# same place): 1 mm keeps them walkable without creating ties that are not there.
_ZERO_LENGTH = 1e-3


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
    graph: nx.Graph,
    distances: list[float],
    weight: str,
    zero_length: float | None = None,
    near: Any = None,
) -> tuple[pd.DataFrame, tuple[list[tuple[Any, Any, Any]], np.ndarray]]:
    """
    Centrality of every node and edge, or, given the nodes ``near``, of those only.

    With ``near``, the trips counted are those from the nodes within the largest distance
    of a node of ``near``: the betweenness of the nodes of ``near`` and of the edges
    leaving them, and the closeness and reach of the nodes of ``near``, are those of all
    trips; the values of the other nodes and edges are not.
    """
    csr = csr_from_graph(graph, weight=weight, zero_length=zero_length)
    sources = None
    if near is not None:
        position = {node: i for i, node in enumerate(csr.nodes)}
        targets = [position[node] for node in near if node in position]
        sources = sources_near(csr, targets, max(distances)) if distances else targets
    node_bc, edge_bc, harmonic, reach = local_centrality(csr, distances, sources=sources)
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
        otherwise; for an undirected graph the trips in both directions are added in
        the edge's one row): ``betweenness_D`` for each distance.
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

    Where two segments join the same two nodes (a footway beside a road), trips take the
    shorter one and the other gets none; a loop (both ends at one node) carries none.
    Edges of length 0 (two OSM nodes at one place) are walked as 1 mm long.

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
    return _movement(area, _distances(distances))


def _movement(area: Any, dists: list[float], segments: pd.Index | None = None) -> pd.DataFrame:
    """:func:`movement` of all segments, or of the ``segments`` (labels) only, exactly."""
    graph = _check_graph(getattr(area, "graph", None))
    streets = getattr(area, "streets", None)
    if streets is None or not {"u", "v"} <= set(streets.columns):
        msg = "area.streets must be a table with columns u and v (the segment's end nodes)."
        raise InputError(msg)
    near = None
    if segments is not None:
        streets = streets.loc[streets.index.isin(segments)]
        # the trips along a kept segment leave one of its edges' tails; closeness and
        # reach are those of its end nodes
        near = set(streets["u"].tolist()) | set(streets["v"].tolist())
        wanted = set(streets.index.tolist())
        for u, _v, segment in graph.edges(data="segment"):
            if segment in wanted:
                near.add(u)
    nodes, (edges, edge_bc) = _centrality(graph, dists, "length", _ZERO_LENGTH, near)
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
    if isinstance(times, str):
        times = [times]
    times = list(settings.NIGHT_TIMES if times is None else times)
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


# --------------------------------------------------------------------------------------
# Frontage, entrances, active uses, cameras (read a StudyArea)
# --------------------------------------------------------------------------------------


def _layer(area: Any, name: str) -> gpd.GeoDataFrame:
    layer = getattr(area, name, None)
    if not isinstance(layer, gpd.GeoDataFrame):
        msg = (
            f"area.{name} must be a GeoDataFrame; pass a StudyArea made with "
            "cpted.area_from_file(...) or cpted.area_from_place(...)."
        )
        raise InputError(msg)
    check_projected(layer, what=f"area.{name}")
    return layer


def _radius(distance: float | None, default: float, what: str = "distance") -> float:
    value = default if distance is None else distance
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        msg = f"{what} must be a number of metres, got {distance!r}."
        raise InputError(msg) from exc
    if not (math.isfinite(value) and value > 0):
        msg = f"{what} must be a positive number of metres, got {distance!r}."
        raise InputError(msg)
    return value


def _rays(area: Any, distance: float, step: float) -> pd.DataFrame:
    streets = _layer(area, "streets")
    buildings = _layer(area, "buildings")
    barriers = _layer(area, "barriers")
    obstacles = _frontage.obstacle_edges(buildings, barriers)
    return _frontage.frontage_rays(streets, buildings, obstacles, distance=distance, step=step)


def frontage(
    area: Any, *, distance: float | None = None, step: float | None = None
) -> pd.DataFrame:
    """
    Measure the building faces that overlook each street segment, and the blank stretches.

    From samples every ``step`` metres along the segment, a line of sight runs square to
    it on each side for ``distance`` metres. The first thing it meets classifies that
    stretch of that side: a building face turned to the street (within
    :data:`cpted.settings.FRONTAGE_MAX_ANGLE` of square) of a kind with windows is
    *frontage*; a windowless building (:data:`cpted.settings.BLANK_BUILDINGS`) or a face
    seen edge-on is a *blank wall*; an opaque wall, fence or hedge is a *fence*; nothing
    within ``distance`` is *open* (an empty lot, car park or wide space). Intersections are
    exact; the sampling makes shares exact to one step.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea` (streets, buildings, barriers).
    distance
        How far a window overlooks the street, metres; default
        :data:`cpted.settings.FRONTAGE_DISTANCE` (25 m, Gehl's social field of vision).
    step
        Sample spacing along the segment, metres; default
        :data:`cpted.settings.FRONTAGE_STEP`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``:

        - ``frontage_m``: length of street overlooked by frontage, both sides added
          (0 to twice the segment length), metres;
        - ``frontage_storeys_m``: the same weighted by the storeys of each building
          (storey-metres, a proxy for the number of windows);
        - ``overlooked_left``, ``overlooked_right``: share of the segment's length
          overlooked on each side (left and right of its drawing direction, u to v);
        - ``blank_wall_share``, ``fence_share``, ``open_share``: share of the segment's
          sides along blank walls, fences and open ground (the four shares with
          frontage add up to 1);
        - ``frontage_buildings``: number of buildings overlooking the segment;
        - ``storeys_estimated_share``: share of the frontage whose storeys are the
          default (the map gives neither levels nor height).

    Examples
    --------
    >>> import cpted
    >>> area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    >>> table = cpted.surveillance.frontage(area)
    >>> table.index.equals(area.streets.index)
    True
    >>> bool(((table["overlooked_left"] >= 0) & (table["overlooked_left"] <= 1)).all())
    True
    """
    d = _radius(distance, settings.FRONTAGE_DISTANCE)
    s = _radius(step, settings.FRONTAGE_STEP, "step")
    rays = _rays(area, d, s)
    return _frontage_table(area, rays)


def _frontage_table(area: Any, rays: pd.DataFrame) -> pd.DataFrame:
    streets = area.streets
    n = len(streets)
    storeys, estimated = _frontage.storeys(area.buildings)
    w = rays["weight"].to_numpy()
    seg = rays["seg"].to_numpy()
    side = rays["side"].to_numpy()
    cls = rays["cls"].to_numpy()
    bld = rays["building"].to_numpy()
    is_front = cls == _frontage.CLASSES.index("frontage")
    side_total = np.zeros((n, 2))
    np.add.at(side_total, (seg, side), w)
    side_total[side_total == 0] = 1.0
    per_class = np.zeros((len(_frontage.CLASSES), n, 2))
    np.add.at(per_class, (cls, seg, side), w)
    shares = per_class / side_total[None]
    out = pd.DataFrame(index=streets.index)
    out["frontage_m"] = np.bincount(seg, weights=w * is_front, minlength=n)
    storeys = np.r_[storeys, 0.0]  # position -1 (no building) reads this 0
    estimated = np.r_[estimated, False]
    storey_w = np.where(is_front, storeys[bld], 0.0)
    out["frontage_storeys_m"] = np.bincount(seg, weights=w * storey_w, minlength=n)
    out["overlooked_left"] = shares[0, :, 0]
    out["overlooked_right"] = shares[0, :, 1]
    for name, k in (("blank_wall_share", 1), ("fence_share", 2), ("open_share", 3)):
        out[name] = shares[k].mean(axis=1)
    pairs = pd.DataFrame({"seg": seg[is_front], "building": bld[is_front]})
    out["frontage_buildings"] = (
        pairs.drop_duplicates().groupby("seg").size().reindex(range(n), fill_value=0).to_numpy()
    )
    est_w = np.where(is_front, estimated[bld], False)
    front_w = np.bincount(seg, weights=w * is_front, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["storeys_estimated_share"] = np.where(
            front_w > 0, np.bincount(seg, weights=w * est_w, minlength=n) / front_w, np.nan
        )
    return out


def entrances(
    area: Any, *, distance: float | None = None, rays: pd.DataFrame | None = None
) -> pd.DataFrame:
    """
    Count the doors that face each street segment, estimating them where none are mapped.

    A mapped entrance (``area.entrances``, emergency doors and exits left out) counts for
    a segment within ``distance`` when the straight line from the door to the segment
    crosses no building, so a door at the back of its building does not count for the
    street in front. A building that overlooks a segment (see :func:`frontage`) and has
    no entrance mapped at all is given one estimated door, on the segment it overlooks
    longest; estimates are counted apart and flagged.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea`.
    distance
        Metres; default :data:`cpted.settings.FRONTAGE_DISTANCE`.
    rays
        Internal: the frontage rays, when already computed.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``: ``entrances_mapped``, ``entrances_estimated``,
        ``entrances_per_100m`` (both, per 100 m of segment) and ``entrances_is_estimate``
        (True when any of the count is an estimate).
    """
    d = _radius(distance, settings.FRONTAGE_DISTANCE)
    streets = _layer(area, "streets")
    buildings = _layer(area, "buildings")
    doors = _layer(area, "entrances")
    if rays is None:
        rays = _rays(area, d, settings.FRONTAGE_STEP)
    n = len(streets)
    pairs = _frontage.entrances_facing(streets, doors, buildings, distance=d)
    mapped = np.bincount(pairs[1], minlength=n).astype(np.int64)
    with_door = set()
    if "building" in doors.columns and len(buildings):
        pos = buildings.index.get_indexer(doors["building"].dropna().to_numpy())
        with_door = set(pos[pos >= 0].tolist())
    front = rays[rays["cls"] == _frontage.CLASSES.index("frontage")]
    front = front[~front["building"].isin(with_door)]
    blank = _frontage.is_blank(buildings) if len(buildings) else np.zeros(0, dtype=bool)
    front = front[~blank[front["building"].to_numpy()]] if len(front) else front
    estimated = np.zeros(n, dtype=np.int64)
    if len(front):
        longest = front.groupby(["building", "seg"])["weight"].sum().reset_index()
        longest = longest.sort_values(["building", "weight", "seg"], ascending=[True, False, True])
        chosen = longest.drop_duplicates("building")["seg"].to_numpy()
        estimated = np.bincount(chosen, minlength=n).astype(np.int64)
    out = pd.DataFrame(index=streets.index)
    out["entrances_mapped"] = mapped
    out["entrances_estimated"] = estimated
    length = np.maximum(shapely.length(streets.geometry.to_numpy()), 1.0)
    out["entrances_per_100m"] = (mapped + estimated) / length * 100.0
    out["entrances_is_estimate"] = estimated > 0
    return out


def active_uses(
    area: Any,
    *,
    distance: float | None = None,
    times: Sequence[str] | None = None,
    date: str | None = None,
) -> pd.DataFrame:
    """
    Count the shops, cafés, services and other uses within sight of each segment.

    A use (``area.pois``) counts for every segment within ``distance`` of it; a corner
    café counts for both streets it overlooks. Night-time activity counts the uses open
    at ``times`` on ``date`` (see :func:`open_at`); uses whose hours are not mapped,
    cannot be read or say ``unknown`` are counted apart, never taken as open or closed.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea`.
    distance
        Metres; default :data:`cpted.settings.FRONTAGE_DISTANCE`.
    times, date
        As in :func:`open_at`; default :data:`cpted.settings.NIGHT_TIMES` and
        :data:`cpted.settings.NIGHT_DATE`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``: ``uses`` (all), ``uses_<category>`` for each key of
        :data:`cpted.settings.POI_CATEGORIES`, ``uses_per_100m``, ``uses_open_HHMM`` per
        time, and ``uses_hours_unknown``.
    """
    d = _radius(distance, settings.FRONTAGE_DISTANCE)
    streets = _layer(area, "streets")
    pois = _layer(area, "pois")
    n = len(streets)
    hours = open_at(pois, times=times, date=date) if "opening_hours" in pois.columns else None
    times_cols = (
        [c for c in hours.columns if c.startswith("open_")]
        if hours is not None
        else [f"open_{parse_clock(t).strftime('%H%M')}" for t in (times or settings.NIGHT_TIMES)]
    )
    out = pd.DataFrame(index=streets.index)
    if len(pois) and n:
        tree = shapely.STRtree(streets.geometry.to_numpy())
        poi_i, seg_i = tree.query(pois.geometry.to_numpy(), predicate="dwithin", distance=d)
    else:
        poi_i = seg_i = np.empty(0, dtype=np.int64)
    out["uses"] = np.bincount(seg_i, minlength=n)
    category = pois.get("category", pd.Series(None, index=pois.index)).to_numpy()
    for name in settings.POI_CATEGORIES:
        hit = category[poi_i] == name
        out[f"uses_{name}"] = np.bincount(seg_i[hit], minlength=n)
    length = np.maximum(shapely.length(streets.geometry.to_numpy()), 1.0)
    out["uses_per_100m"] = out["uses"].to_numpy() / length * 100.0
    unknown = np.zeros(len(pois), dtype=bool)
    for col in times_cols:
        if hours is None:
            out[f"uses_{col}"] = 0
            continue
        state = hours[col].to_numpy(dtype=object, na_value=None)
        is_open = np.array([s is True for s in state], dtype=bool)
        unknown |= np.array([s is None for s in state], dtype=bool)
        out[f"uses_{col}"] = np.bincount(seg_i[is_open[poi_i]], minlength=n)
    if hours is None:
        unknown[:] = True
    out["uses_hours_unknown"] = np.bincount(seg_i[unknown[poi_i]], minlength=n)
    return out


def cameras(area: Any, *, engine: Any = None) -> gpd.GeoDataFrame:
    """
    Coverage polygon of each camera, with flags for unknown direction and privacy.

    A camera's view is its exact isovist (:func:`cpted.sightlines.isovist`) among the
    buildings and opaque barriers, within the range of its ``camera:type``
    (:data:`cpted.settings.CAMERA_RANGES`, IEC 62676-4 "observe" distances) and, when its
    direction is mapped, within its field of view around ``camera:direction``. A camera
    with no direction (or a dome or panning camera) is drawn all round and flagged
    ``omnidirectional``. A camera mapped on or inside a wall is moved to the nearest open
    point (at most 3 m, toward its view first). Indoor cameras and guards get no polygon
    (``watches`` False).

    Privacy check, in the spirit of the UK Surveillance Camera Code of Practice (principle
    2: regard for privacy) and data-protection guidance on CCTV: ``private_facade_m`` is
    the length of the façades of homes (:data:`cpted.settings.RESIDENTIAL_BUILDINGS`,
    other than the one the camera hangs on) that the view reaches; ``private_ground_m2``
    the area of private sites (``access`` in :data:`cpted.settings.PRIVATE_ACCESS`) and
    ``school_ground_m2`` of school, nursery and playground sites it covers.
    ``privacy_flag`` is set when any exceeds :data:`cpted.settings.PRIVACY_MIN_FACADE` or
    :data:`cpted.settings.PRIVACY_MIN_AREA`. Homes are known only where OSM tags them
    (``building=house``, ``apartments``, ... or ``building:use``); a building tagged just
    ``yes`` is not counted, so the flag can miss homes but does not invent them.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea` (cameras, buildings, barriers, sites).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed like ``area.cameras``: ``watches``, ``range_m``, ``fov``,
        ``omnidirectional``, ``coverage_m2``, the privacy columns and ``geometry`` (the
        coverage polygon, empty when the camera does not watch).
    """
    for name in ("cameras", "buildings", "barriers", "sites"):
        _layer(area, name)
    return _cameras.camera_views(area, engine=engine)


def camera_coverage(area: Any, *, views: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """
    Share of each street segment that cameras see.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea`.
    views
        The result of :func:`cameras`, when already computed.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``: ``camera_coverage`` (share of the length inside
        any camera's view), ``cameras`` (cameras whose view reaches the segment),
        ``cameras_omnidirectional`` and ``cameras_privacy_flag`` (how many of those are
        drawn without a known direction, and flagged for privacy).
    """
    streets = _layer(area, "streets")
    views = cameras(area) if views is None else views
    n = len(streets)
    out = pd.DataFrame(index=streets.index)
    out["camera_coverage"] = 0.0
    out["cameras"] = 0
    out["cameras_omnidirectional"] = 0
    out["cameras_privacy_flag"] = 0
    live = views[views["watches"].astype(bool) & ~views.geometry.is_empty]
    if not len(live) or not n:
        return out
    lines = streets.geometry.to_numpy()
    tree = shapely.STRtree(live.geometry.to_numpy())
    seg_i, cam_i = tree.query(lines, predicate="intersects")
    out["cameras"] = np.bincount(seg_i, minlength=n)
    omni = live["omnidirectional"].to_numpy(bool)[cam_i]
    flag = live["privacy_flag"].to_numpy(bool)[cam_i]
    out["cameras_omnidirectional"] = np.bincount(seg_i[omni], minlength=n)
    out["cameras_privacy_flag"] = np.bincount(seg_i[flag], minlength=n)
    # each segment against only the views that reach it; the seen stretches are
    # measured along the segment and merged where views overlap
    pieces = shapely.intersection(lines[seg_i], live.geometry.to_numpy()[cam_i])
    parts, part_of = shapely.get_parts(pieces, return_index=True)
    linear = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 0)
    parts, parts_seg = parts[linear], seg_i[part_of[linear]]
    inside = np.zeros(n)
    if len(parts):
        base = lines[parts_seg]
        first = shapely.line_locate_point(base, shapely.get_point(parts, 0))
        last = shapely.line_locate_point(base, shapely.get_point(parts, -1))
        inside = _interval_union(parts_seg, np.minimum(first, last), np.maximum(first, last), n)
    length = shapely.length(lines)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["camera_coverage"] = np.clip(np.where(length > 0, inside / length, 0.0), 0, 1)
    return out


def _interval_union(group: np.ndarray, start: np.ndarray, end: np.ndarray, n: int) -> np.ndarray:
    """Total length of the union of the intervals [start, end] of each group 0..n-1."""
    order = np.lexsort((start, group))
    g, a, b = group[order], start[order], end[order]
    total = np.zeros(n)
    if not len(g):
        return total
    # the furthest end reached so far within the group, before each interval
    reach = pd.Series(b).groupby(g).cummax().to_numpy()
    before = np.r_[-np.inf, reach[:-1]]
    before[np.r_[True, g[1:] != g[:-1]]] = -np.inf
    np.add.at(total, g, np.maximum(0.0, b - np.maximum(a, before)))
    return total


def _score(
    table: pd.DataFrame, length: np.ndarray, highway: pd.Series
) -> tuple[pd.Series, pd.Series]:
    from cpted._principle import score

    score_ = score(table.assign(highway=highway.to_numpy()), "surveillance", "segment")
    storeys_known = 1.0 - table["storeys_estimated_share"].fillna(0.0)
    counted = table["entrances_mapped"] + table["entrances_estimated"]
    doors_known = (table["entrances_mapped"] / counted.where(counted > 0)).fillna(1.0)
    uses = table["uses"]
    hours_known = (1.0 - table["uses_hours_unknown"] / uses.where(uses > 0)).fillna(1.0)
    confidence = (storeys_known + doors_known + hours_known) / 3.0
    return score_.clip(0, 100), confidence.clip(0, 1)


def segment_measures(area: Any) -> pd.DataFrame:
    """
    All natural-surveillance measures of each street segment, and its score.

    Joins :func:`frontage`, :func:`entrances`, :func:`active_uses`, :func:`movement`
    and :func:`camera_coverage` (see each for its columns) and adds:

    ``surveillance_score`` (0-100), the weighted mean of the parts of
    :data:`cpted._principle.PRINCIPLES` ``["surveillance"]`` with the weights of
    :data:`cpted.settings.SURVEILLANCE_WEIGHTS`:

    - frontage: share of the segment overlooked by frontage, mean of both sides;
    - entrances: doors per 100 m / 10, at most 1 (Gehl et al. 2006, "friendly" frontage);
    - uses: uses per 100 m / 10, at most 1 (same source);
    - night: share of the evening times (21:00, 23:00) at which at least one use within
      25 m is open;
    - movement: log(1 + betweenness at 800 m) / log(1 + 40,000), at most 1
      (:data:`cpted.settings.MOVEMENT_REFERENCE`);
    - priority: how much the street's class is made for walking
      (:data:`cpted.settings.PEDESTRIAN_PRIORITY`; Appleyard 1981);
    - cameras: share of the segment that cameras see.

    ``surveillance_confidence`` (0-1): the mean of the share of the frontage whose
    storeys are mapped, the share of counted doors that are mapped rather than
    estimated, and the share of nearby uses whose opening hours could be read.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea`.

    Returns
    -------
    pandas.DataFrame
        Indexed exactly like ``area.streets``.
    """
    return _segment_measures(area, None)


def _overlooking(area: Any, kept: np.ndarray) -> np.ndarray:
    """
    Positions of the segments whose frontage rays decide the entrances of ``kept``.

    A building without a mapped door is given one on the segment it overlooks longest,
    so a kept segment's estimated doors depend on the other segments its buildings
    overlook: those within the frontage distance of a building within that distance of
    a kept segment. Sorted, so the segments keep their order (ties go to the first).
    """
    d = settings.FRONTAGE_DISTANCE
    lines = area.streets.geometry.to_numpy()
    if not len(area.buildings) or not len(kept):
        return kept
    blocks = area.buildings.geometry.to_numpy()
    near = np.unique(shapely.STRtree(blocks).query(lines[kept], predicate="dwithin", distance=d)[1])
    if not len(near):
        return kept
    around = shapely.STRtree(lines).query(blocks[near], predicate="dwithin", distance=d)[1]
    return np.union1d(kept, around)


def _segment_measures(
    area: Any, views: gpd.GeoDataFrame | None, segments: pd.Index | None = None
) -> pd.DataFrame:
    """:func:`segment_measures` of all segments, or of the ``segments`` (labels) only."""
    streets = _layer(area, "streets")
    if segments is None:
        around = rows = area
        inner: slice | np.ndarray = slice(None)
    else:
        # every measure reads all features of the area, on the segments it needs
        kept = np.flatnonzero(streets.index.isin(segments))
        overlooking = _overlooking(area, kept)
        around = replace(area, streets=streets.iloc[overlooking])
        rows = replace(area, streets=streets.iloc[kept])
        inner = np.searchsorted(overlooking, kept)
    rays = _rays(around, settings.FRONTAGE_DISTANCE, settings.FRONTAGE_STEP)
    parts = [
        _frontage_table(around, rays).iloc[inner],
        entrances(around, rays=rays).iloc[inner],
        active_uses(rows),
        _movement(area, _distances(None), None if segments is None else rows.streets.index),
        camera_coverage(rows, views=views),
    ]
    streets = rows.streets
    table = pd.concat(parts, axis=1)
    length = shapely.length(streets.geometry.to_numpy())
    table["surveillance_score"], table["surveillance_confidence"] = _score(
        table, length, streets.get("highway", pd.Series(None, index=streets.index, dtype=object))
    )
    return table


def site_measures(area: Any) -> pd.DataFrame:
    """
    Natural surveillance of each public space: overlooking, uses, night life, cameras.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea` (sites, buildings, pois, cameras, barriers).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.sites``:

        - ``overlooked_share``: share of the site's area within
          :data:`cpted.settings.FRONTAGE_DISTANCE` of a building with windows
          (not of :data:`cpted.settings.BLANK_BUILDINGS`);
        - ``uses``, ``uses_open_HHMM``: uses inside the site or within the distance of
          it, and those open at the night times;
        - ``camera_coverage``: share of the site's area that cameras see;
        - ``cameras_privacy_flag``: cameras flagged for privacy whose view reaches it;
        - ``surveillance_score`` (0-100): ``100 * (0.6 * overlooked + 0.25 * N + 0.15 *
          camera_coverage)``, N as in :func:`segment_measures`; and
          ``surveillance_confidence``, the share of the uses whose hours could be read.
    """
    return _site_measures(area, None)


def _site_measures(
    area: Any, views: gpd.GeoDataFrame | None, sites_kept: pd.Index | None = None
) -> pd.DataFrame:
    """:func:`site_measures` of all sites, or of the ``sites_kept`` (labels) only."""
    sites = _layer(area, "sites")
    if sites_kept is not None:
        sites = sites.loc[sites.index.isin(sites_kept)]
    buildings = _layer(area, "buildings")
    pois = _layer(area, "pois")
    d = settings.FRONTAGE_DISTANCE
    n = len(sites)
    geoms = sites.geometry.to_numpy()
    site_area = shapely.area(geoms)
    out = pd.DataFrame(index=sites.index)
    windowed = buildings[~_frontage.is_blank(buildings)] if len(buildings) else buildings
    if len(windowed) and n:
        near = shapely.union_all(shapely.buffer(windowed.geometry.to_numpy(), d))
        seen = shapely.area(shapely.intersection(geoms, near))
        with np.errstate(invalid="ignore", divide="ignore"):
            out["overlooked_share"] = np.clip(np.where(site_area > 0, seen / site_area, 0), 0, 1)
    else:
        out["overlooked_share"] = 0.0
    hours = open_at(pois) if len(pois) and "opening_hours" in pois.columns else None
    if len(pois) and n:
        tree = shapely.STRtree(geoms)
        poi_i, site_i = tree.query(pois.geometry.to_numpy(), predicate="dwithin", distance=d)
    else:
        poi_i = site_i = np.empty(0, dtype=np.int64)
    out["uses"] = np.bincount(site_i, minlength=n)
    unknown = np.ones(len(pois), dtype=bool) if hours is None else np.zeros(len(pois), bool)
    night_cols = []
    for t in settings.NIGHT_TIMES:
        col = f"open_{parse_clock(t).strftime('%H%M')}"
        night_cols.append(f"uses_{col}")
        if hours is None:
            out[f"uses_{col}"] = 0
            continue
        state = hours[col].to_numpy(dtype=object, na_value=None)
        is_open = np.array([s is True for s in state], dtype=bool)
        unknown |= np.array([s is None for s in state], dtype=bool)
        out[f"uses_{col}"] = np.bincount(site_i[is_open[poi_i]], minlength=n)
    uses_unknown = np.bincount(site_i[unknown[poi_i]], minlength=n)
    views = cameras(area) if views is None else views
    live = views[views["watches"].astype(bool) & ~views.geometry.is_empty]
    out["camera_coverage"] = 0.0
    out["cameras_privacy_flag"] = 0
    if len(live) and n:
        covered = shapely.union_all(live.geometry.to_numpy())
        with np.errstate(invalid="ignore", divide="ignore"):
            share = shapely.area(shapely.intersection(geoms, covered)) / site_area
        out["camera_coverage"] = np.clip(np.nan_to_num(share), 0, 1)
        tree = shapely.STRtree(live.geometry.to_numpy())
        site_i2, cam_i = tree.query(geoms, predicate="intersects")
        flag = live["privacy_flag"].to_numpy(bool)[cam_i]
        out["cameras_privacy_flag"] = np.bincount(site_i2[flag], minlength=n)
    from cpted._principle import score

    out["surveillance_score"] = score(out, "surveillance", "site").clip(0, 100)
    uses = out["uses"]
    out["surveillance_confidence"] = (
        (1.0 - pd.Series(uses_unknown, index=out.index) / uses.where(uses > 0)).fillna(1.0)
    ).clip(0, 1)
    return out


def audit_part(area: Any, *, context: Any = None) -> AuditPart:
    """
    Measure natural surveillance for :func:`cpted.audit`.

    Parameters
    ----------
    area
        A :class:`~cpted.area.StudyArea`.
    context
        The audit's :class:`~cpted._context.AuditContext`; when it names the rows the
        caller keeps (a tile's own), only those segments and sites are measured, with
        every feature and the whole walk network of ``area`` around them.

    Returns
    -------
    cpted.audit.AuditPart
        ``segments`` from :func:`segment_measures`, ``sites`` from :func:`site_measures`,
        and the map layers ``camera_views`` (from :func:`cameras`) and ``night_uses``
        (``area.pois`` with the columns of :func:`open_at`).
    """
    from cpted._principle import AuditPart

    # the audit's isovist engine, when there are cameras to look through it
    engine = context.engine if context is not None and len(area.cameras) else None
    views = cameras(area, engine=engine)
    pois = _layer(area, "pois")
    night = pois.copy()
    if "opening_hours" in pois.columns:
        hours = open_at(pois)
        for col in hours.columns:
            night[col] = hours[col].astype(object).where(hours[col].notna(), None)
    # a tiled audit keeps the rows its tile owns: only those are measured
    rows = getattr(context, "rows", None)
    segments, sites = (None, None) if rows is None else rows
    return AuditPart(
        segments=_segment_measures(area, views, segments),
        sites=_site_measures(area, views, sites),
        layers={"camera_views": views, "night_uses": night},
    )
