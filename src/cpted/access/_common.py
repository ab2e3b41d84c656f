"""Validation and interval helpers shared by the access measures."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString
from shapely.ops import substring

from cpted._errors import CRSError, InputError
from cpted._validate import check_geometry_types, check_projected, geodataframe

__all__ = [
    "exterior_rings",
    "interval_lines",
    "layer",
    "line_segments",
    "sample_lines",
    "segment_pairs",
    "sites_frame",
    "streets_frame",
    "streets_from_graph",
    "text_column",
    "tolerance_value",
]

_POLYGONS = {"Polygon", "MultiPolygon"}


def _unique_index(gdf: gpd.GeoDataFrame, what: str) -> None:
    if not gdf.index.is_unique:
        dup = gdf.index[gdf.index.duplicated()].unique()[:5].tolist()
        msg = (
            f"{what} have a duplicated index ({dup}); results are indexed like the input, so "
            "each row needs its own label. Use `gdf.reset_index(drop=True)`."
        )
        raise InputError(msg)


def _no_empty(gdf: gpd.GeoDataFrame, what: str) -> None:
    bad = gdf.index[gdf.geometry.isna() | gdf.geometry.is_empty]
    if len(bad):
        msg = (
            f"{what} have {len(bad)} rows without geometry, e.g. {bad[:5].tolist()}; drop "
            "them first with `gdf[~gdf.geometry.is_empty & gdf.geometry.notna()]`."
        )
        raise InputError(msg)


def sites_frame(sites: Any) -> tuple[gpd.GeoDataFrame, pyproj.CRS]:
    """Check the sites layer: projected, polygons, a unique index, no empty rows."""
    gdf = geodataframe(sites, what="sites")
    crs = check_projected(gdf, what="sites")
    _no_empty(gdf, "sites")
    check_geometry_types(gdf, _POLYGONS, what="sites")
    _unique_index(gdf, "sites")
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        # A self-touching or bow-tie outline (common in hand-drawn user layers) would stop
        # GEOS in the middle of an overlay; buffer(0) rebuilds it as the area it encloses.
        fixed = gdf.geometry.copy()
        fixed[invalid] = fixed[invalid].buffer(0)
        gdf = gdf.set_geometry(fixed)
        check_geometry_types(gdf, _POLYGONS, what="sites (after repairing invalid outlines)")
    return gdf, crs


def streets_from_graph(graph: nx.MultiDiGraph | nx.MultiGraph) -> gpd.GeoDataFrame:
    """
    One LineString per undirected edge of an osmnx-style graph, with ``u`` and ``v``.

    The graph needs its CRS in ``graph.graph["crs"]`` and node ``x``/``y`` in that CRS, as
    osmnx builds and projects them.
    """
    import osmnx as ox

    if "crs" not in graph.graph:
        msg = (
            "the street graph has no CRS (graph.graph['crs']); build it with osmnx or "
            "project it with `osmnx.project_graph(G)`."
        )
        raise CRSError(msg)
    if not graph.number_of_edges():
        return gpd.GeoDataFrame(
            {"u": [], "v": []}, geometry=gpd.GeoSeries([], crs=graph.graph["crs"])
        )
    undirected = ox.convert.to_undirected(graph) if graph.is_directed() else graph
    edges = ox.convert.graph_to_gdfs(undirected, nodes=False, fill_edge_geometry=True)
    return edges.reset_index()


def streets_frame(streets: Any) -> tuple[gpd.GeoDataFrame, pyproj.CRS]:
    """Check the streets layer: projected LineStrings with a unique index."""
    if isinstance(streets, nx.Graph):
        streets = streets_from_graph(streets)
    gdf = geodataframe(streets, what="streets")
    crs = check_projected(gdf, what="streets")
    _no_empty(gdf, "streets")
    check_geometry_types(gdf, {"LineString"}, what="streets")
    _unique_index(gdf, "streets")
    return gdf, crs


def layer(data: Any, crs: pyproj.CRS, *, what: str, types: set[str]) -> gpd.GeoDataFrame:
    """Check an optional layer (None gives an empty one) against the CRS of the main one."""
    if data is None:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs))
    gdf = geodataframe(data, what=what)
    if not len(gdf):
        return gpd.GeoDataFrame(gdf, geometry=gdf.geometry.name, crs=crs)
    own = check_projected(gdf, what=what)
    if own != crs:
        msg = (
            f"{what} are in {own.name} but the sites or streets are in {crs.name}; project "
            f"them to one CRS first, e.g. `{what}.to_crs(sites.crs)`."
        )
        raise CRSError(msg)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if "LineString" in types and (gdf.geom_type == "LinearRing").any():
        # A closed ring is a closed line (a fence all round): same thing for us.
        geoms = gdf.geometry.to_numpy().copy()
        ring = shapely.get_type_id(geoms) == 2
        geoms[ring] = shapely.linestrings(
            shapely.get_coordinates(geoms[ring]), indices=_ring_index(geoms[ring])
        )
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    check_geometry_types(gdf, types, what=what)
    return gdf


def tolerance_value(value: float, *, name: str) -> float:
    """Check a distance option: a finite, non-negative number of metres."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        msg = f"{name} must be a distance in metres, got {value!r}."
        raise InputError(msg) from exc
    if not math.isfinite(number) or number < 0:
        msg = f"{name} must be a finite distance of 0 m or more, got {value!r}."
        raise InputError(msg)
    return number


def text_column(gdf: pd.DataFrame, name: str) -> np.ndarray:
    """Return a column as lower-case strings ('' where missing or absent)."""
    if name not in gdf.columns:
        return np.full(len(gdf), "", dtype=object)
    values = gdf[name].to_numpy(dtype=object)
    return np.array(
        ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip().lower()
         for v in values],
        dtype=object,
    )  # fmt: skip


def exterior_rings(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per exterior ring of each site: ``pos`` (site position), ``ring`` LineString."""
    geoms = sites.geometry.to_numpy()
    parts, owner = shapely.get_parts(geoms, return_index=True)
    rings = shapely.get_exterior_ring(parts)
    lines = shapely.linestrings(shapely.get_coordinates(rings), indices=_ring_index(rings))
    return pd.DataFrame({"pos": owner, "ring": lines, "length": shapely.length(lines)})


def _ring_index(rings: np.ndarray) -> np.ndarray:
    counts = shapely.get_num_coordinates(rings)
    return np.repeat(np.arange(len(rings)), counts)


def interval_lines(ring: LineString, intervals: np.ndarray) -> list[LineString]:
    """Cut the ring pieces of ``intervals``, joining a pair that meets at the ring's start."""
    length = ring.length
    if not len(intervals):
        return []
    iv = [tuple(x) for x in intervals]
    joined: list[Any] = []
    wrap = None
    if len(iv) > 1 and iv[0][0] <= 1e-9 and iv[-1][1] >= length - 1e-9:
        wrap = (iv.pop(), iv.pop(0))
    for a, b in iv:
        joined.append(substring(ring, a, b))
    if wrap is not None:
        (a, _), (_, d) = wrap
        joined.append(
            shapely.line_merge(shapely.union(substring(ring, a, length), substring(ring, 0, d)))
        )
    return joined


def line_segments(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """
    Split lines, rings and polygon boundaries into two-point segments.

    Returns the start and end coordinates, ``(m, 2)`` each; zero-length segments dropped.
    """
    if not len(geoms):
        return np.empty((0, 2)), np.empty((0, 2))
    polygons = np.isin(shapely.get_type_id(geoms), [3, 6])
    geoms = geoms.copy()
    geoms[polygons] = shapely.boundary(geoms[polygons])
    parts = shapely.get_parts(geoms)
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    same = owner[1:] == owner[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    keep = np.any(a != b, axis=1)
    return a[keep], b[keep]


def sample_lines(
    lines: np.ndarray, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """
    Points at most ``step`` metres apart along each line, centred in equal pieces.

    Returns, per point: the owner (position of its line), its position along the line
    (metres), its coordinates ``(k, 2)`` and the unit tangent of the line there ``(k, 2)``.
    Done in numpy on the vertex arrays, so it scales to every site edge of a city.
    """
    if not len(lines):
        return np.empty(0, dtype=int), np.empty(0), np.empty((0, 2)), np.empty((0, 2))
    length = shapely.length(lines)
    count = np.maximum(1, np.ceil(length / step)).astype(int)
    owner = np.repeat(np.arange(len(lines)), count)
    first = np.repeat(np.cumsum(count) - count, count)
    k = np.arange(owner.size) - first
    at = (k + 0.5) * length[owner] / count[owner]
    coords, vowner = shapely.get_coordinates(lines, return_index=True)
    same = vowner[1:] == vowner[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    seg_owner = vowner[:-1][same]
    seg_len = np.hypot(*(b - a).T)
    # Positions along all lines laid end to end, so one searchsorted finds every segment.
    offset = np.r_[0.0, np.cumsum(length)[:-1]]
    seg_start = np.cumsum(seg_len) - seg_len
    where = offset[owner] + at
    seg = np.clip(np.searchsorted(seg_start, where, side="right") - 1, 0, len(a) - 1)
    # Skip zero-length segments: step forward to the first real one at that position.
    seg = np.where(seg_len[seg] > 0, seg, np.minimum(seg + 1, len(a) - 1))
    seg = np.where(seg_owner[seg] == owner, seg, seg - 1)
    direction = (b - a) / np.where(seg_len > 0, seg_len, 1.0)[:, None]
    xy = a[seg] + (where - seg_start[seg])[:, None] * direction[seg]
    return owner, at, xy, direction[seg]


def segment_pairs(
    xy: np.ndarray, a: np.ndarray, b: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """
    Pairs of points and segments closer than ``distance``, found with k-d trees.

    Returns the point index, the segment index (a pair may repeat when several pieces of a
    long segment are near the point), the position of the point's foot along the segment's
    direction (``t``, metres from ``a``; outside ``[0, length]`` beyond an end)
    and the distance between them. Segments are cut into pieces of at most twice
    ``distance`` so that one radius search around each piece's middle finds every pair.
    """
    empty = np.empty(0, dtype=int)
    if not len(xy) or not len(a):
        return empty, empty, np.empty(0), np.empty(0)
    reach = max(distance, 0.5)
    vector = b - a
    length = np.hypot(vector[:, 0], vector[:, 1])
    pieces = np.maximum(1, np.ceil(length / (2 * reach))).astype(int)
    parent = np.repeat(np.arange(len(a)), pieces)
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)
    k = np.arange(parent.size) - first
    middle = a[parent] + ((k + 0.5) / pieces[parent])[:, None] * vector[parent]
    half = (length / pieces / 2.0).max()
    found = cKDTree(middle).sparse_distance_matrix(
        cKDTree(xy), reach + half + 1e-9, output_type="ndarray"
    )
    seg = parent[found["i"]]
    point = found["j"].astype(int)
    direction = vector[seg] / np.where(length[seg] > 0, length[seg], 1.0)[:, None]
    rel = xy[point] - a[seg]
    t = np.einsum("ij,ij->i", rel, direction)
    foot = np.clip(t, 0.0, length[seg])
    gap = rel - foot[:, None] * direction
    dist = np.hypot(gap[:, 0], gap[:, 1])
    near = dist <= distance
    return point[near], seg[near], t[near], dist[near]
