"""Street-segment access measures: dead ends, single ways out, alleys, permeability."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from cpted import settings
from cpted._errors import InputError
from cpted.access._common import (
    layer,
    line_segments,
    sample_lines,
    segment_pairs,
    streets_frame,
    text_column,
    tolerance_value,
)

__all__ = ["alleys", "dead_ends", "permeability", "radius_tag"]


def radius_tag(radius: float) -> str:
    """Column suffix for a radius: ``400`` for 400.0 m, ``412.5`` otherwise."""
    return str(int(radius)) if float(radius).is_integer() else f"{radius:g}"


def _boundary_polygon(boundary: Any) -> Any:
    if boundary is None:
        return None
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        boundary = boundary.union_all()
    if not isinstance(boundary, shapely.Geometry) or boundary.geom_type not in {
        "Polygon",
        "MultiPolygon",
    }:
        msg = (
            f"boundary must be a shapely Polygon in the streets' CRS (e.g. area.boundary), "
            f"got {type(boundary).__name__}."
        )
        raise InputError(msg)
    return boundary


def topology(streets: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """
    Node numbers of each segment's ends and the nodes' coordinates.

    Uses the ``u`` and ``v`` columns when present (osmnx node ids); otherwise ends that
    coincide to the millimetre are one node, so hand-drawn lines that meet are joined.
    """
    geoms = streets.geometry.to_numpy()
    a = shapely.get_coordinates(shapely.get_point(geoms, 0))
    b = shapely.get_coordinates(shapely.get_point(geoms, -1))
    keys: np.ndarray
    if {"u", "v"} <= set(streets.columns) and streets[["u", "v"]].notna().all().all():
        keys = np.r_[streets["u"].to_numpy(), streets["v"].to_numpy()]
    else:
        rounded = np.round(np.r_[a, b], 3)
        keys = rounded[:, 0] + 1j * rounded[:, 1]  # type: ignore[index]  # one key per point
    uniq, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.reshape(-1)
    n = len(streets)
    xy = np.zeros((len(uniq), 2))
    xy[inverse] = np.r_[a, b]
    return inverse[:n], inverse[n:], xy


def _degree(u: np.ndarray, v: np.ndarray, n_nodes: int, mask: np.ndarray | None = None) -> Any:
    if mask is None:
        mask = np.ones(len(u), dtype=bool)
    return np.bincount(u[mask], minlength=n_nodes) + np.bincount(v[mask], minlength=n_nodes)


def _clipped_nodes(
    xy: np.ndarray,
    degree: np.ndarray,
    boundary: Any,
    margin: float,
    cut: np.ndarray | None = None,
) -> np.ndarray:
    """Degree-1 nodes near or beyond the boundary, or where the data cut a way: not dead ends."""
    found = np.zeros(len(xy), dtype=bool) if cut is None else cut.copy()
    if boundary is None or not len(xy):
        return found & (degree > 0)
    points = shapely.points(xy)
    near = shapely.distance(points, shapely.boundary(boundary)) <= margin
    outside = ~shapely.contains(boundary, points)
    return ((near | outside) & (degree == 1)) | (found & (degree > 0))


def _cut_mask(streets: gpd.GeoDataFrame, cuts: Any, n_nodes: int) -> np.ndarray | None:
    """Which nodes of :func:`topology` are among ``cuts`` (node ids as in ``u`` and ``v``)."""
    if cuts is None:
        return None
    if not ({"u", "v"} <= set(streets.columns) and streets[["u", "v"]].notna().all().all()):
        msg = "cuts names node ids, so the streets need u and v columns (as area.streets has)."
        raise InputError(msg)
    keys = np.unique(np.r_[streets["u"].to_numpy(), streets["v"].to_numpy()])
    mask = np.isin(keys, np.asarray(list(cuts), dtype=keys.dtype))
    return mask if len(mask) == n_nodes else None


def dead_ends(
    streets: Any,
    *,
    boundary: Any = None,
    margin: float | None = None,
    cuts: Any = None,
) -> pd.DataFrame:
    """
    Find dead ends, cul-de-sacs with their depth, and segments with a single way out.

    The through network is the 2-core of the street graph: what is left after repeatedly
    removing nodes with one segment. The removed segments form cul-de-sacs (trees hanging
    off the through network). A segment's ``dead_end_depth_m`` is the walking distance from
    the through network to its far end; ``cul_de_sac_depth_m`` is the deepest point of the
    whole cul-de-sac it belongs to, so a cul-de-sac of 120 m has depth 120 m on each of its
    segments. A segment has a ``single_way_out`` when it is a bridge of the street graph
    (removing it cuts the network in two): every dead end, and also the stick of a
    "lollipop" cul-de-sac or the only path linking two neighbourhoods.

    Ways cut by the study-area ``boundary`` end in nodes that are not dead ends: nodes with
    one segment within ``margin`` of the boundary, or outside it, and the nodes named in
    ``cuts``, are joined to the outside world. The area wrappers pass the data's footprint
    (``area.footprint``, where the data ends rather than what the user asked for) and the
    nodes where the extract cut a way (graph nodes marked ``cut``).

    Parameters
    ----------
    streets
        Street segments as LineStrings (``area.streets``), with ``u`` and ``v`` node ids or
        with ends that meet exactly; projected (metres). A projected osmnx graph
        (``area.graph``) is read as one row per undirected edge.
    boundary
        The study-area polygon (``area.boundary``), or None when the network is complete.
    margin
        Distance from the boundary within which an end is a cut, metres
        (default :data:`cpted.settings.ACCESS_BOUNDARY_MARGIN`).
    cuts
        Node ids (as in ``u`` and ``v``) where the data cut the network, or None.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``streets``: ``dead_end`` (bool), ``dead_end_depth_m`` and
        ``cul_de_sac_depth_m`` (NaN off cul-de-sacs and in networks without a through
        street), ``single_way_out`` (bool), ``at_boundary`` (an end was cut by the
        boundary).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, box
    >>> block = box(0, 0, 100, 100).exterior.coords
    >>> lines = [LineString([block[i], block[i + 1]]) for i in range(4)]
    >>> lines.append(LineString([(100, 100), (100, 220)]))
    >>> streets = gpd.GeoDataFrame(geometry=lines, crs=25833)
    >>> dead_ends(streets)["cul_de_sac_depth_m"].tolist()
    [nan, nan, nan, nan, 120.0]
    """
    streets, _ = streets_frame(streets)
    poly = _boundary_polygon(boundary)
    reach = tolerance_value(
        settings.ACCESS_BOUNDARY_MARGIN if margin is None else margin, name="margin"
    )
    u, v, xy = topology(streets)
    n_nodes = len(xy)
    length = shapely.length(streets.geometry.to_numpy())
    cut = _cut_mask(streets, cuts, n_nodes)
    clipped = _clipped_nodes(xy, _degree(u, v, n_nodes), poly, reach, cut)
    # The outside world is one extra node, tied to every cut end, and never peeled.
    out = n_nodes
    cu = np.r_[u, np.flatnonzero(clipped)]
    cv = np.r_[v, np.full(clipped.sum(), out)]
    clen = np.r_[length, np.zeros(clipped.sum())]
    total = n_nodes + 1
    alive = np.ones(len(cu), dtype=bool)
    loops = cu == cv
    while True:
        deg = _degree(cu, cv, total, alive)
        deg[out] = len(cu) + 2
        leaf = deg == 1
        drop = alive & ~loops & (leaf[cu] | leaf[cv])
        if not drop.any():
            break
        alive &= ~drop
    pruned = ~alive[: len(u)]
    core_nodes = np.unique(np.r_[cu[alive], cv[alive], out])
    # Walking distance of every node from the through network.
    a, b = np.minimum(cu, cv), np.maximum(cu, cv)
    w = pd.DataFrame({"a": a, "b": b, "w": np.maximum(clen, 1e-9)})
    w = w[w["a"] != w["b"]].groupby(["a", "b"], as_index=False)["w"].min()
    matrix = coo_matrix((w["w"], (w["a"], w["b"])), shape=(total, total)).tocsr()
    dist = dijkstra(matrix, directed=False, indices=core_nodes, min_only=True)
    depth = np.where(pruned, np.maximum(dist[u], dist[v]), np.nan)
    depth[np.isinf(depth)] = np.nan
    # One cul-de-sac is one tree hanging off the through network: label its inner nodes.
    is_core = np.zeros(total, dtype=bool)
    is_core[core_nodes] = True
    inner = pruned & ~is_core[u] & ~is_core[v]
    graph = coo_matrix((np.ones(inner.sum()), (u[inner], v[inner])), shape=(total, total))
    _, label = connected_components(graph, directed=False)
    branch = np.where(is_core[u], label[v], label[u])
    deepest = pd.Series(depth).groupby(branch).transform("max").to_numpy()
    cul = np.where(pruned, deepest, np.nan)
    # Bridges, counting the link to the outside world.
    multi = nx.MultiGraph()
    multi.add_nodes_from(range(total))
    multi.add_edges_from(zip(cu.tolist(), cv.tolist(), strict=True))
    bridges = {(min(p, q), max(p, q)) for p, q in nx.bridges(multi)}
    pair = list(zip(np.minimum(u, v).tolist(), np.maximum(u, v).tolist(), strict=True))
    single = np.array([p in bridges for p in pair], dtype=bool)
    return pd.DataFrame(
        {
            "dead_end": pruned,
            "dead_end_depth_m": depth,
            "cul_de_sac_depth_m": cul,
            "single_way_out": single | pruned,
            "at_boundary": clipped[u] | clipped[v],
        },
        index=streets.index,
    )


def alleys(
    streets: Any,
    *,
    buildings: Any = None,
    barriers: Any = None,
    entrances: Any = None,
    side: float | None = None,
    step: float | None = None,
    share: float | None = None,
) -> pd.DataFrame:
    """
    Find narrow passages between blank walls or back fences.

    Every ``step`` metres along a segment a probe of ``side`` metres is cast to each side;
    a point is enclosed when both probes hit a building or a line barrier (wall, fence,
    hedge, ...), or when it lies inside a building (a covered gateway or arcade). A segment
    is an ``alley`` when at least ``share`` of it is enclosed and no entrance opens onto it
    (within ``side`` + 1 m): the walls are blank. Secured by Design
    ("Homes 2023") treats such rear and side passages as the way burglars reach the backs of
    houses, and a person walking one can neither be seen nor leave it sideways.

    Parameters
    ----------
    streets
        Street segments (``area.streets``) or a projected osmnx graph.
    buildings, barriers, entrances
        The layers that can line a passage and open onto it.
    side
        Reach of the sideways probes, metres (default
        :data:`cpted.settings.ACCESS_ALLEY_SIDE`).
    step
        Spacing of the probes along the segment, metres (default
        :data:`cpted.settings.ACCESS_ALLEY_STEP`).
    share
        Enclosed share of its length that makes a segment an alley (default
        :data:`cpted.settings.ACCESS_ALLEY_SHARE`).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``streets``: ``enclosed_share`` (0-1), ``doors_n`` (entrances opening
        onto it), ``alley`` (bool).
    """
    streets, crs = streets_frame(streets)
    buildings = layer(buildings, crs, what="buildings", types={"Polygon", "MultiPolygon"})
    barriers = layer(barriers, crs, what="barriers", types={"Point", "LineString"})
    entrances = layer(entrances, crs, what="entrances", types={"Point"})
    reach = tolerance_value(settings.ACCESS_ALLEY_SIDE if side is None else side, name="side")
    spacing = tolerance_value(settings.ACCESS_ALLEY_STEP if step is None else step, name="step")
    if spacing <= 0:
        msg = f"step must be a positive distance in metres, got {step!r}."
        raise InputError(msg)
    minimum = float(settings.ACCESS_ALLEY_SHARE if share is None else share)
    if not 0.0 <= minimum <= 1.0:
        msg = f"share must be between 0 and 1, got {share!r}."
        raise InputError(msg)
    geoms = streets.geometry.to_numpy()
    n = len(geoms)
    kind = text_column(barriers, "barrier")
    bgeoms = barriers.geometry.to_numpy()
    lines = bgeoms[
        (shapely.get_type_id(bgeoms) == 1) & np.isin(kind, list(settings.ACCESS_EDGE_BARRIERS))
    ]
    obstacles = np.r_[buildings.geometry.to_numpy(), lines]
    enclosed = np.zeros(n)
    if len(obstacles) and n:
        owner, _, here, tangent = sample_lines(geoms, spacing)
        normal = np.c_[-tangent[:, 1], tangent[:, 0]]
        a, b = line_segments(obstacles)
        point, seg, _, _ = segment_pairs(here, a, b, reach)
        # Where the sideways ray p + s n meets the wall segment a + u (b - a): solve the
        # 2 x 2 system with cross products; s is the distance along the probe.
        edge = b[seg] - a[seg]
        rel = a[seg] - here[point]
        ray = normal[point]
        denom = ray[:, 0] * edge[:, 1] - ray[:, 1] * edge[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            s_ray = (rel[:, 0] * edge[:, 1] - rel[:, 1] * edge[:, 0]) / denom
            u_seg = (rel[:, 0] * ray[:, 1] - rel[:, 1] * ray[:, 0]) / denom
        crosses = (np.abs(denom) > 1e-12) & (u_seg >= 0) & (u_seg <= 1)
        # A hair off the centreline, so a wall the path runs along counts on its side only.
        left = crosses & (s_ray >= 0.05) & (s_ray <= reach)
        right = crosses & (s_ray <= -0.05) & (s_ray >= -reach)
        hit_left = np.zeros(len(here), dtype=bool)
        hit_right = np.zeros(len(here), dtype=bool)
        hit_left[point[left]] = True
        hit_right[point[right]] = True
        both = hit_left & hit_right
        if len(buildings):
            # A passage through a building (a covered gateway, an arcade) is enclosed too.
            polys = buildings.geometry.to_numpy()
            inside, _ = shapely.STRtree(polys).query(shapely.points(here), predicate="within")
            both[inside] = True
        enclosed = np.bincount(owner, weights=both, minlength=n) / np.bincount(owner, minlength=n)
    doors = np.zeros(n, dtype=int)
    if len(entrances) and n:
        tree = shapely.STRtree(geoms)
        _, si = tree.query(entrances.geometry.to_numpy(), predicate="dwithin", distance=reach + 1.0)
        doors = np.bincount(si, minlength=n)
    return pd.DataFrame(
        {
            "enclosed_share": enclosed,
            "doors_n": doors,
            "alley": (enclosed >= minimum) & (doors == 0) & (enclosed > 0),
        },
        index=streets.index,
    )


def permeability(
    streets: Any,
    *,
    radius: float | None = None,
    boundary: Any = None,
    margin: float | None = None,
    cuts: Any = None,
) -> pd.DataFrame:
    """
    Measure how permeable the street network is around each segment.

    Within ``radius`` (straight-line) of each segment's midpoint: the *intersection
    density* (nodes where three or more segments meet, per km² of the circle that lies
    inside the study area) and the *link-to-node ratio* (links per node, counting as
    nodes the intersections and real dead ends; Ewing 1996, Dill 2004). Degree-2 nodes
    only split one link and are left out, so the ratio is half the mean degree of the
    counted nodes and does not depend on how finely the ways were split. Ends cut by the
    ``boundary`` are not dead ends and are left out too.

    Parameters
    ----------
    streets
        Street segments (``area.streets``) or a projected osmnx graph.
    radius
        Radius of the neighbourhood, metres (default
        :data:`cpted.settings.ACCESS_PERMEABILITY_RADIUS`).
    boundary, margin, cuts
        As in :func:`dead_ends`; the boundary also clips the circle whose area the
        density divides by.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``streets``: ``intersection_density_<radius>`` (per km²) and
        ``link_node_ratio_<radius>`` (NaN without counted nodes), e.g.
        ``intersection_density_400``.
    """
    return _permeability(streets, radius=radius, boundary=boundary, margin=margin, cuts=cuts)


def _permeability(
    streets: Any,
    *,
    radius: float | None = None,
    boundary: Any = None,
    margin: float | None = None,
    cuts: Any = None,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """:func:`permeability` of every segment, or of the segments at positions ``rows``."""
    streets, _ = streets_frame(streets)
    r = tolerance_value(
        settings.ACCESS_PERMEABILITY_RADIUS if radius is None else radius, name="radius"
    )
    if r <= 0:
        msg = f"radius must be a positive distance in metres, got {radius!r}."
        raise InputError(msg)
    poly = _boundary_polygon(boundary)
    reach = tolerance_value(
        settings.ACCESS_BOUNDARY_MARGIN if margin is None else margin, name="margin"
    )
    # the nodes and their degrees come from the whole network; the neighbourhoods are
    # counted around the kept segments only
    u, v, xy = topology(streets)
    degree = _degree(u, v, len(xy))
    clipped = _clipped_nodes(xy, degree, poly, reach, _cut_mask(streets, cuts, len(xy)))
    counted = (degree != 2) & ~clipped
    if rows is not None:
        streets = streets.iloc[rows]
    geoms = streets.geometry.to_numpy()
    mid = shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.5, normalized=True))
    n = len(geoms)
    inter_n = np.zeros(n)
    node_n = np.zeros(n)
    degree_sum = np.zeros(n)
    if counted.any() and n:
        # Count the nodes of each degree within the radius, one tree per degree: sums of
        # whole numbers, so the same as adding up the nodes one by one, without listing
        # the hundreds of nodes around every segment.
        for value in np.unique(degree[counted]):
            tree = cKDTree(xy[counted & (degree == value)])
            found = tree.query_ball_point(mid, r, return_length=True).astype(float)
            node_n += found
            degree_sum += value * found
            if value >= 3:
                inter_n += found
    circle = math.pi * r * r
    if poly is not None and n:
        discs = shapely.buffer(shapely.points(mid), r, quad_segs=16)
        area = shapely.area(shapely.intersection(discs, poly))
        area = np.where(area > 0, area, circle)
    else:
        area = np.full(n, circle)
    tag = radius_tag(r)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(node_n > 0, degree_sum / 2.0 / node_n, np.nan)
    return pd.DataFrame(
        {
            f"intersection_density_{tag}": inter_n / (area / 1e6),
            f"link_node_ratio_{tag}": ratio,
        },
        index=streets.index,
    )
