"""
Tiled audits: a large area measured tile by tile, each tile with a halo, on one or more cores.

:func:`cpted.audit` cuts an area larger than one tile (:data:`cpted.settings.TILE_SIZE_M`)
into a regular grid of square tiles in its CRS. Every street segment belongs to the one tile
whose core holds its midpoint, every site to the tile that holds its representative point.
A tile is measured on a sub-area (:func:`sub_area`): every layer of the area that reaches
into the tile's box, grown by the halo of the principle measured (:func:`halos`: the
farthest any of its measures looks from a row), and keeps the rows it owns. So each row is
measured on all the data its measures read, and the tiled audit equals the untiled one; the
statistics of the whole area (the lighting estimate) are finished once over all rows, and
the illuminance raster is written on one grid for the whole area, each cell by the tile
that owns its centre.

The tiles run here one after the other, on local processes
(:class:`concurrent.futures.ProcessPoolExecutor`) or, given a
``dask.distributed.Client``, as tasks on its cluster. Each task receives only its own
sub-area, and the values of :mod:`cpted.settings` at the time of the call.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpted import settings
from cpted._errors import InputError

if TYPE_CHECKING:
    import networkx as nx

    from cpted._principle import AuditPart
    from cpted._raster import Raster
    from cpted.area import StudyArea

__all__ = ["Tile", "halo_m", "halos", "sub_area", "tile_grid"]

#: Principles measured once on the whole area, never in tiles: the hostile-vehicle run-up
#: relaxes speeds over the whole drive network (``vulnerability._network``: speeds are
#: found "until they no longer change", however long the run-up) and the responders come
#: from stations at any distance, so neither has a reach a halo could hold. Both work on
#: the drive graph and the sites only, which stay small for a municipality.
WHOLE_AREA = frozenset({"vulnerability"})

#: The key of the task of :func:`measure_whole_area` among the tiles' results.
WHOLE = (-1, -1)


def halos() -> dict[str, float]:
    """
    Give the halo of each tiled principle: the farthest its measures look from a row, m.

    Read from :mod:`cpted.settings` at the time of the call, so a changed radius changes
    the halo. A row is measured on every feature that reaches within the halo of the
    box holding the tile's core and its own rows' geometries.

    Returns
    -------
    dict
        ``{principle: metres}`` for sightlines, lighting, surveillance and access.
    """
    s = settings
    return {
        # Isovists from viewpoints on the segment or the site reach the recognition
        # distance (the far rays), the face distance (the near isovist, concealment) and
        # the concealment approach; obstacles beyond cannot change them.
        "sightlines": max(
            s.SIGHTLINE_RECOGNITION_DISTANCE,
            s.SIGHTLINE_FACE_DISTANCE + s.CONCEALMENT_APPROACH + s.CONCEALMENT_DISTANCE,
        ),
        # A lamp lights a point up to its radius of influence (at most LIGHTING_MAX_RADIUS);
        # its shadow is its isovist of that radius, which walls up to twice that far from
        # the point can shape; its defaults come from the street within
        # LAMP_CLASS_SEARCH_DISTANCE of it; a row counts the lamps within LAMP_NEAR_DISTANCE.
        "lighting": max(
            2.0 * s.LIGHTING_MAX_RADIUS + s.LAMP_CLASS_SEARCH_DISTANCE, s.LAMP_NEAR_DISTANCE
        ),
        # Local betweenness at distance D counts the trips of at most D through the
        # segment: both ends lie within D of it, but the shortest path between them that
        # decides whether the trip passes it can run D beyond either end, so 2 D.
        # Frontage looks FRONTAGE_DISTANCE from the segment; a camera sees up to its range,
        # through an isovist that walls twice its range away can shape.
        "surveillance": max(
            2.0 * max(s.MOVEMENT_DISTANCES),
            s.FRONTAGE_DISTANCE,
            2.0 * max(s.CAMERA_RANGES.values()),
        ),
        # Permeability counts links and nodes within its radius; a dead end is followed
        # ACCESS_DEAD_END_DEPTH into the network, and an end within ACCESS_BOUNDARY_MARGIN of
        # where the data ends is a cut, not a dead end; a site's edge is walked
        # ACCESS_EDGE_WALK_DISTANCE to its streets.
        "access": s.ACCESS_PERMEABILITY_RADIUS
        + s.ACCESS_DEAD_END_DEPTH
        + s.ACCESS_BOUNDARY_MARGIN
        + s.ACCESS_EDGE_WALK_DISTANCE,
    }


def layer_halos() -> dict[str, float]:
    """
    Give the halo of the feature layers (buildings, lamps, shops) of each principle, m.

    Where a principle reads the street network much farther than the features beside the
    streets, its sub-area keeps the network to :func:`halos` and the other layers only to
    this, so a tile does not hold the buildings of the whole movement catchment. The
    segments far out in such a sub-area are measured on part of their features, and
    dropped: only the tile's own rows are kept.
    """
    s = settings
    reach = halos()
    # Natural surveillance reads buildings, doors and shops within FRONTAGE_DISTANCE of a
    # segment, and cameras within twice their range (see halos()); only its movement
    # measures read the network out to 2 D.
    reach["surveillance"] = max(s.FRONTAGE_DISTANCE, 2.0 * max(s.CAMERA_RANGES.values()))
    return reach


#: The networks each principle reads (``area.graph``, the walk network, and
#: ``area.drive_graph``); a tile cuts only these to a principle's halo and hands the others
#: on as they are, unread. Sightlines and lighting read neither: cutting and copying the
#: walk graph of a tile for them cost about 3 s a principle on a tile of Helsinki 3x3.
GRAPHS_READ: dict[str, frozenset[str]] = {
    "sightlines": frozenset(),
    "lighting": frozenset(),
    "surveillance": frozenset({"graph"}),
    "access": frozenset({"graph"}),
    "vulnerability": frozenset({"drive_graph"}),
}

#: Both networks, for a principle not listed in :data:`GRAPHS_READ` (a plug-in).
ALL_GRAPHS = frozenset({"graph", "drive_graph"})


def halo_m() -> float:
    """Give the halo of a tiled audit: the largest of :func:`halos`, metres."""
    return max(halos().values())


@dataclass
class Tile:
    """
    One tile of a tiled audit.

    Attributes
    ----------
    row, col
        The tile's place in the grid, from the south-west corner.
    core
        ``(west, south, east, north)`` of the ground the tile owns: a point owns to the
        tile with ``west <= x < east`` and ``south <= y < north`` (the last row and column
        run on to the edge of the area).
    segments, sites
        The index values of the street segments and sites the tile owns.
    reach
        ``(west, south, east, north)`` of the core and of the geometries of the rows it
        owns; the halo is grown around this box.
    first
        The first tile of the grid, which owns the map-layer rows that have no place.
    """

    row: int
    col: int
    core: tuple[float, float, float, float]
    segments: np.ndarray
    sites: np.ndarray
    reach: tuple[float, float, float, float]
    first: bool = False

    def region(self, halo: float) -> shapely.Polygon:
        """Return the box of :attr:`reach` grown by ``halo`` metres."""
        west, south, east, north = self.reach
        return shapely.box(west - halo, south - halo, east + halo, north + halo)

    def owns(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which of the points ``(x, y)`` lie in the tile's core (half-open, see above)."""
        west, south, east, north = self.core
        return (x >= west) & (x < east) & (y >= south) & (y < north)


def _cells(bounds: tuple[float, float, float, float], size: float) -> tuple[float, float, int, int]:
    west, south, east, north = bounds
    cols = max(1, math.ceil((east - west) / size))
    rows = max(1, math.ceil((north - south) / size))
    return west, south, cols, rows


def _owner(
    x: np.ndarray, y: np.ndarray, origin: tuple[float, float], size: float, shape: tuple[int, int]
) -> np.ndarray:
    cols, rows = shape
    # a row without a place (an empty geometry) goes to the first tile
    x = np.nan_to_num(np.asarray(x, dtype=float), nan=origin[0])
    y = np.nan_to_num(np.asarray(y, dtype=float), nan=origin[1])
    col = np.clip(np.floor((x - origin[0]) / size), 0, cols - 1).astype(np.int64)
    row = np.clip(np.floor((y - origin[1]) / size), 0, rows - 1).astype(np.int64)
    return row * cols + col


def _polygonal(geom: Any, fallback: shapely.Polygon) -> Any:
    """Return the polygons of ``geom`` (a cut can leave stray lines and points), or ``fallback``."""
    if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_empty:
        return geom
    parts = shapely.get_parts(shapely.get_parts(geom))  # a collection may hold multis
    polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    if not polygons:
        return fallback
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def midpoints(streets: gpd.GeoDataFrame) -> np.ndarray:
    """Return the point halfway along each segment: it says which tile owns the segment."""
    geoms = streets.geometry.to_numpy()
    return shapely.line_interpolate_point(geoms, 0.5, normalized=True)


def anchors(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Return a point inside each site: it says which tile owns the site."""
    return shapely.point_on_surface(sites.geometry.to_numpy())


def tile_grid(area: StudyArea, size: float | None = None) -> list[Tile]:
    """
    Cut ``area`` into square tiles of side ``size`` over the bounds of its boundary.

    Parameters
    ----------
    area
        The study area.
    size
        The side of a tile, metres (default :data:`cpted.settings.TILE_SIZE_M`).

    Returns
    -------
    list of Tile
        The tiles that own a segment or a site or lie on the area's ground, south-west
        first; one tile when the area fits in one.
    """
    size = check_tile_size(settings.TILE_SIZE_M if size is None else size)
    bounds = tuple(float(b) for b in area.boundary.bounds)
    west, south, cols, rows = _cells(bounds, size)  # type: ignore[arg-type]
    seg_pts = midpoints(area.streets)
    site_pts = anchors(area.sites)
    seg_owner = _owner(
        shapely.get_x(seg_pts), shapely.get_y(seg_pts), (west, south), size, (cols, rows)
    )
    site_owner = _owner(
        shapely.get_x(site_pts), shapely.get_y(site_pts), (west, south), size, (cols, rows)
    )
    seg_bounds = shapely.bounds(area.streets.geometry.to_numpy()).reshape(-1, 4)
    site_bounds = shapely.bounds(area.sites.geometry.to_numpy()).reshape(-1, 4)
    tiles: list[Tile] = []
    for row in range(rows):
        for col in range(cols):
            k = row * cols + col
            x0, y0 = west + col * size, south + row * size
            # the last row and column own what lies on the boundary's far edge too
            x1 = x0 + size if col < cols - 1 else math.inf
            y1 = y0 + size if row < rows - 1 else math.inf
            box = shapely.box(x0, y0, min(x1, bounds[2]), min(y1, bounds[3]))
            segs = area.streets.index.to_numpy()[seg_owner == k]
            sites = area.sites.index.to_numpy()[site_owner == k]
            if not len(segs) and not len(sites) and not box.intersects(area.boundary):
                continue
            extent = np.vstack(
                [
                    np.array([[x0, y0, min(x1, bounds[2]), min(y1, bounds[3])]]),
                    seg_bounds[seg_owner == k],
                    site_bounds[site_owner == k],
                ]
            )
            reach = (
                float(np.nanmin(extent[:, 0])),
                float(np.nanmin(extent[:, 1])),
                float(np.nanmax(extent[:, 2])),
                float(np.nanmax(extent[:, 3])),
            )
            x0_core = -math.inf if col == 0 else x0
            y0_core = -math.inf if row == 0 else y0
            tiles.append(Tile(row, col, (x0_core, y0_core, x1, y1), segs, sites, reach, not tiles))
    return tiles


def check_tile_size(size: Any) -> float:
    """Return ``size`` as metres, or raise InputError for what is no positive length."""
    if isinstance(size, bool) or not isinstance(size, int | float) or not math.isfinite(size):
        msg = f"tile_size must be a number of metres such as 2000, got {size!r}."
        raise InputError(msg)
    if size < 2 * settings.LIGHTING_GRID_RESOLUTION:
        msg = (
            f"tile_size must be at least two lighting cells "
            f"({2 * settings.LIGHTING_GRID_RESOLUTION:g} m), got {size!r}."
        )
        raise InputError(msg)
    return float(size)


# --------------------------------------------------------------------------------------
# Sub-areas
# --------------------------------------------------------------------------------------


def _touching(layer: gpd.GeoDataFrame, region: shapely.Polygon) -> gpd.GeoDataFrame:
    """Return the rows of ``layer`` that reach into ``region``, whole, in their order."""
    if not len(layer):
        return layer
    hits = np.unique(layer.sindex.query(region, predicate="intersects"))
    return layer.iloc[hits]


def _edge_geometry(graph: nx.MultiDiGraph) -> tuple[list[tuple[Any, Any, Any]], np.ndarray]:
    edges = list(graph.edges(keys=True))
    geoms = []
    for u, v, k in edges:
        geom = graph.edges[u, v, k].get("geometry")
        if geom is None:
            a, b = graph.nodes[u], graph.nodes[v]
            geom = shapely.LineString([(a["x"], a["y"]), (b["x"], b["y"])])
        geoms.append(geom)
    return edges, np.asarray(geoms, dtype=object)


def _graph_within(
    graph: nx.MultiDiGraph,
    region: shapely.Polygon,
    segments: set[Any] | None,
    *,
    copy: bool = True,
) -> nx.MultiDiGraph:
    """Return the edges that reach into ``region`` (or carry a kept segment), with nodes."""
    if next(iter(graph.edges), None) is None:  # (number_of_edges sums every degree)
        return graph.copy()
    if segments is not None:
        keep = {
            (u, v, k)
            for u, nbrs in graph._succ.items()
            for v, keys in nbrs.items()
            for k, attrs in keys.items()
            if attrs.get("segment") in segments
        }
    else:
        edges, geoms = _edge_geometry(graph)
        tree = shapely.STRtree(geoms)
        hits = np.unique(tree.query(region, predicate="intersects"))
        keep = {edges[i] for i in hits}
    return edge_subgraph(graph, keep, copy=copy)


def edge_subgraph(
    graph: nx.MultiDiGraph, keep: set[tuple[Any, Any, Any]], *, copy: bool = True
) -> nx.MultiDiGraph:
    """
    Return a copy of the edges ``keep`` of ``graph`` with their nodes.

    It holds what ``graph.edge_subgraph(keep).copy()`` holds: the graph's attributes, and a
    shallow copy of the attributes of each node and edge (with ``copy=False``, the very
    dicts of ``graph``: for a cut that is pickled at once, never changed). Nodes come in
    the order of ``graph`` and edges in the order of its adjacency (networkx's copy follows
    the order of a set of nodes when the cut is small), so a tile's network is iterated as
    the whole area's is. Networkx reaches its copy through filtered views that test every
    node and edge several times over: 97 % of the caller's time cutting the sub-areas of
    Helsinki 3 x 3 (9.7 s of 10 s for 6 tiles; 3.3 s in all with this cut).
    """
    out = graph.__class__()
    out.graph.update(graph.graph)
    ends = {n for u, v, _ in keep for n in (u, v)}
    # filled as MultiDiGraph.add_edge fills it (one key dict shared by the successor and
    # the predecessor view of an edge), without its checks and cache clearing per edge;
    # tests/test_tiles.py holds it to networkx's own copy
    node, succ, pred = out._node, out._succ, out._pred
    for n, attrs in graph._node.items():
        if n in ends:
            node[n], succ[n], pred[n] = attrs.copy() if copy else attrs, {}, {}
    for u, nbrs in graph._succ.items():
        if u not in ends:
            continue
        for v, keys in nbrs.items():
            for k, attrs in keys.items():
                if (u, v, k) in keep:
                    shared = succ[u].get(v)
                    if shared is None:
                        shared = succ[u][v] = pred[v][u] = {}
                    shared[k] = attrs.copy() if copy else attrs
    return out


# --------------------------------------------------------------------------------------
# Tasks as bytes
# --------------------------------------------------------------------------------------


def pack(task: Any) -> bytes:
    """
    Pickle ``task`` for a worker, the edge geometries of each network in it as one array.

    Pickled as networkx pickles it, a network writes and reads each edge's geometry on its
    own (shapely's ``__reduce__``: about 100,000 calls for the 7 tasks of Helsinki 3 x 3).
    Here the geometries of a network's edges are written as one array of WKB
    (:class:`_Geometries`), read in one call before the first edge that holds one, and
    each edge holds the geometry at its place in the array. Everything else is pickled as
    it is, so :func:`pickle.loads` gives back the very same graphs (nodes, edges, orders,
    values). Making and writing the 7 tasks of Helsinki 3 x 3 takes the caller 5.1-5.3 s
    instead of 5.9 s (with the cuts sharing the area's attributes, ``sub_area(copy=False)``),
    reading them 3.9-4.1 s instead of 4.3 s.
    """
    import io
    import operator
    import pickle

    import networkx as nx

    class _Packer(pickle.Pickler):
        def __init__(self, file: io.BytesIO) -> None:
            super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
            self.places: dict[int, tuple[_Geometries, int]] = {}

        def reducer_override(self, obj: Any) -> Any:
            # called for objects other than numbers, text and plain containers
            if isinstance(obj, shapely.Geometry):
                place = self.places.get(id(obj))
                return NotImplemented if place is None else (operator.getitem, place)
            if isinstance(obj, nx.MultiDiGraph):
                table = _Geometries(obj)
                for i, geom in enumerate(table.geoms):
                    self.places.setdefault(id(geom), (table, i))
            return NotImplemented  # pickled as usual, its geometries by their places

    out = io.BytesIO()
    _Packer(out).dump(task)
    return out.getvalue()


class _Geometries:
    """The edge geometries of a network, pickled as one array of WKB (:func:`pack`)."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        geoms = [
            geom
            for _, _, geom in graph.edges(data="geometry")
            if isinstance(geom, shapely.Geometry)
        ]
        self.geoms = np.empty(len(geoms), dtype=object)
        self.geoms[:] = geoms

    def __reduce__(self) -> tuple[Any, ...]:
        # read back as the array of geometries itself, which the edges index
        return shapely.from_wkb, (shapely.to_wkb(self.geoms),)


def _no_edges(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return an empty graph of the kind and attributes (its CRS) of ``graph``."""
    empty = graph.__class__()
    empty.graph.update(graph.graph)
    return empty


def graphs_read(principles: Iterable[str]) -> frozenset[str]:
    """Return the networks any of ``principles`` reads (:data:`GRAPHS_READ`)."""
    out: frozenset[str] = frozenset()
    for name in principles:
        out |= GRAPHS_READ.get(name, ALL_GRAPHS)
    return out


def sub_area(
    area: StudyArea,
    region: shapely.Polygon,
    *,
    features: shapely.Polygon | None = None,
    graphs: frozenset[str] = ALL_GRAPHS,
    copy: bool = True,
) -> StudyArea:
    """
    Return the part of ``area`` that reaches into ``region``: what a tile is measured on.

    Every feature layer keeps its rows that intersect ``region``, whole and with their
    index; ``graph`` keeps the edges of the kept segments, ``drive_graph`` the edges that
    reach into ``region``, both with their nodes and the nodes' attributes (a node the
    extract cut stays marked ``cut``). ``boundary`` and ``footprint`` are the area's, cut to
    ``region``, so the sub-area's data ends where the region does (the network measures
    treat the ends of ways there as cuts, not dead ends; the halo keeps them away from the
    rows the tile owns).

    Parameters
    ----------
    area
        The whole study area.
    region
        A polygon in the area's CRS.
    features
        A smaller polygon for the layers other than ``streets`` (see
        :func:`layer_halos`); default ``region``.
    graphs
        The networks to cut (``"graph"``, ``"drive_graph"``); the others are left empty
        (no node, no edge, the graph's attributes kept), for principles that do not read
        them (:data:`GRAPHS_READ`).
    copy
        False: the networks' nodes and edges hold the very attribute dicts of ``area``'s,
        for a sub-area pickled at once (:func:`pack`) and never changed.

    Returns
    -------
    StudyArea
    """
    from cpted.area import LAYERS

    inner = region if features is None else features
    layers = {
        name: _touching(getattr(area, name), region if name == "streets" else inner)
        for name in LAYERS
    }
    kept = set(layers["streets"].index)
    boundary = shapely.intersection(area.boundary, region)
    footprint = shapely.intersection(area.footprint, region)
    landuse = area.landuse
    return replace(
        area,
        boundary=_polygonal(boundary, region),
        footprint=_polygonal(footprint, region),
        graph=_graph_within(area.graph, region, kept, copy=copy)
        if "graph" in graphs
        else _no_edges(area.graph),
        drive_graph=_graph_within(area.drive_graph, region, None, copy=copy)
        if "drive_graph" in graphs
        else _no_edges(area.drive_graph),
        landuse=_touching(landuse, region) if landuse is not None else None,
        stats=dict(area.stats),
        **layers,
    )


# --------------------------------------------------------------------------------------
# Measuring a tile
# --------------------------------------------------------------------------------------


@dataclass
class Failure:
    """A principle that could not be measured on a tile: a GEOS error inside a measure."""

    principle: str
    tile: tuple[int, int]
    segments: int
    sites: int
    error: str


@dataclass
class TileResult:
    """What one tile hands back: the parts of its own rows, and what failed."""

    tile: tuple[int, int]
    parts: dict[str, AuditPart] = field(default_factory=dict)
    inputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _owned_layer(
    layer: gpd.GeoDataFrame, tile: Tile, area: StudyArea, segments: set[Any], sites: set[Any]
) -> gpd.GeoDataFrame:
    """
    Return the rows of a principle's map layer that belong to ``tile``.

    A row about a segment or a site (its index, or its ``segment`` or ``site`` column)
    belongs where that segment or site does; a row about a feature of the area (a camera's
    view, a lamp) where the feature's point is; any other row where its own representative
    point is. A row with no geometry and no such link goes to the first tile.
    """
    from cpted.area import LAYERS

    if not isinstance(layer, pd.DataFrame) or not len(layer):
        return layer
    name = layer.index.name
    if name == LAYERS["streets"][0]:
        return layer[layer.index.isin(segments)]
    if name == LAYERS["sites"][0] or "site" in layer.columns:
        keys = layer.index if name == LAYERS["sites"][0] else layer["site"]
        return layer[np.asarray(pd.Index(keys).isin(sites))]
    if "segment" in layer.columns:
        return layer[layer["segment"].isin(segments)]
    source = {index: getattr(area, key) for key, (index, _) in LAYERS.items()}.get(name)
    geoms = layer.geometry.to_numpy()
    if source is not None and layer.index.isin(source.index).all():
        geoms = source.geometry.reindex(layer.index).to_numpy()
    points = shapely.point_on_surface(geoms)
    empty = shapely.is_empty(points) | shapely.is_missing(points)
    coords = np.full((len(points), 2), np.nan)
    if (~empty).any():
        coords[~empty] = shapely.get_coordinates(points[~empty])
    mine = tile.owns(coords[:, 0], coords[:, 1]) | (empty & tile.first)
    return layer[mine]


def _core_window(raster: Raster, tile: Tile) -> Raster:
    """Cut the raster to the cells whose centres the tile owns (its core is a box)."""
    from affine import Affine

    from cpted._raster import Raster

    t = raster.transform
    rows, cols = raster.values.shape
    xs = t.c + (np.arange(cols) + 0.5) * t.a
    ys = t.f + (np.arange(rows) + 0.5) * t.e
    west, south, east, north = tile.core
    in_x = np.flatnonzero((xs >= west) & (xs < east))
    in_y = np.flatnonzero((ys >= south) & (ys < north))
    if not len(in_x) or not len(in_y):
        in_x, in_y = np.arange(0), np.arange(0)
    c0, c1 = (int(in_x[0]), int(in_x[-1]) + 1) if len(in_x) else (0, 0)
    r0, r1 = (int(in_y[0]), int(in_y[-1]) + 1) if len(in_y) else (0, 0)
    values = np.array(raster.values[r0:r1, c0:c1], copy=True)  # float32, as measured
    transform = Affine(t.a, 0.0, t.c + c0 * t.a, 0.0, t.e, t.f + r0 * t.e)
    return Raster(
        values=values, transform=transform, crs=raster.crs, name=raster.name, units=raster.units
    )


def measure_tile(
    area: StudyArea,
    tile: Tile,
    principles: tuple[str, ...],
    snapshot: dict[str, Any] | None = None,
) -> TileResult:
    """
    Measure the principles on one tile's sub-area and keep the rows the tile owns.

    ``area`` is the tile's sub-area for the largest halo (or the whole area); each principle
    is measured on it cut to its own halo. A GEOS error inside a principle's measures is
    kept as a :class:`Failure` (the tile's rows get no values for that principle) instead
    of ending the audit.
    """
    import time

    from cpted._context import AuditContext
    from cpted._principle import AuditPart
    from cpted.audit import _part, _principle_module

    if snapshot is not None:
        apply_settings(snapshot)
    result = TileResult((tile.row, tile.col))
    reach = halos()
    near = layer_halos()
    # one set of obstacles and one isovist engine for the tile, made on first use
    shared = AuditContext(area)
    segments = set(tile.segments.tolist())
    sites = set(tile.sites.tolist())
    # ``area`` was cut to the widest halo of the principles (see _jobs): a principle
    # whose halo is that wide measures it as it is, without a copy
    widest = max((reach.get(p, 0.0) for p in principles), default=0.0)
    features = max((near.get(p, reach.get(p, 0.0)) for p in principles), default=0.0)
    for name in principles:
        module = _principle_module(name)
        if module is None:
            continue
        start = time.perf_counter()
        halo, inner = reach.get(name, 0.0), near.get(name, reach.get(name, 0.0))
        if halo >= widest and inner >= features:
            sub = area
        else:
            sub = sub_area(
                area,
                tile.region(halo),
                features=tile.region(inner),
                graphs=GRAPHS_READ.get(name, ALL_GRAPHS),
            )
        # each principle may measure only the rows the tile keeps
        keep = (pd.Index(tile.segments), pd.Index(tile.sites))
        context = AuditContext(sub, keep_inputs=True, shares=shared, rows=keep)
        try:
            part = _part(module, sub, context)
        except shapely.errors.GEOSException as exc:
            result.failures.append(
                Failure(name, (tile.row, tile.col), len(segments), len(sites), str(exc))
            )
            continue
        result.seconds[name] = time.perf_counter() - start
        if part is None:
            continue
        kept = AuditPart(
            segments=None
            if part.segments is None
            else part.segments.loc[part.segments.index.isin(segments)],
            sites=None if part.sites is None else part.sites.loc[part.sites.index.isin(sites)],
            layers={
                key: _owned_layer(layer, tile, sub, segments, sites)
                for key, layer in part.layers.items()
            },
            rasters={key: _core_window(r, tile) for key, r in part.rasters.items()},
        )
        result.parts[name] = kept
        for kind, owned in (("segment", segments), ("site", sites)):
            inputs = context._made.get(f"{name}_inputs_{kind}")
            if inputs is not None:
                result.inputs[f"{name}_{kind}"] = inputs.loc[inputs.index.isin(owned)]
    return result


# --------------------------------------------------------------------------------------
# Settings travel with the task
# --------------------------------------------------------------------------------------


def settings_snapshot() -> dict[str, Any]:
    """Return the values of :mod:`cpted.settings` now, for a worker in another process."""
    return {k: getattr(settings, k) for k in dir(settings) if k.isupper()}


def apply_settings(snapshot: dict[str, Any]) -> None:
    """Set :mod:`cpted.settings` to a :func:`settings_snapshot` (in a worker)."""
    for key, value in snapshot.items():
        setattr(settings, key, value)


# --------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------


#: The layers each principle of :data:`WHOLE_AREA` reads; the task that measures them on
#: the whole area gets only these (``vulnerability``: its sites, the drive network it
#: runs vehicles and responders on, the barriers that close approaches, the buildings that
#: shape a site's capacity and the stations among the points of interest).
WHOLE_AREA_LAYERS = {"vulnerability": frozenset({"sites", "barriers", "buildings", "pois"})}


def whole_area_part(area: StudyArea, principles: tuple[str, ...]) -> StudyArea:
    """
    Return ``area`` with only what the whole-area ``principles`` read, for their task.

    The walk network and the layers none of them reads are left empty (their columns kept),
    so the task that measures the vulnerability on the whole area does not carry the
    street segments, lamps and walk graph a municipality is mostly made of.
    """
    import networkx as nx

    from cpted.area import LAYERS

    wanted: set[str] = set()
    for name in principles:
        wanted |= WHOLE_AREA_LAYERS.get(name, frozenset(LAYERS))
    emptied = {name: getattr(area, name).iloc[:0] for name in LAYERS if name not in wanted}
    walk = nx.MultiDiGraph(**area.graph.graph)
    return replace(area, graph=walk, landuse=None, stats=dict(area.stats), **emptied)


def measure_whole_area(
    area: StudyArea,
    principles: Iterable[str],
    snapshot: dict[str, Any] | None = None,
    *,
    starting: Callable[[str], None] | None = None,
) -> TileResult:
    """
    Measure ``principles`` on the whole of ``area`` (untiled, or one task beside tiles).

    A GEOS error inside a principle is kept as a :class:`Failure` of tile ``(0, 0)`` with
    all the area's rows. ``starting`` is called with each principle's name before it is
    measured (a progress bar).
    """
    import time

    from cpted._context import AuditContext
    from cpted.audit import _part, _principle_module

    if snapshot is not None:
        apply_settings(snapshot)
    result = TileResult(WHOLE)
    # obstacles, the isovist engine and the lamp table: built once, shared by the principles
    context = AuditContext(area)
    for name in principles:
        if starting is not None:
            starting(name)
        module = _principle_module(name)
        if module is None:
            continue
        start = time.perf_counter()
        try:
            part = _part(module, area, context)
        except shapely.errors.GEOSException as exc:
            result.failures.append(
                Failure(name, (0, 0), len(area.streets), len(area.sites), str(exc))
            )
            continue
        finally:
            result.seconds[name] = time.perf_counter() - start
        if part is not None:
            result.parts[name] = part
    return result


def _run(payload: bytes, snapshot: dict[str, Any]) -> TileResult:
    """Unpack a job made by :func:`_jobs` and measure it (in a worker)."""
    import pickle

    from cpted._memory import release_unused

    kind, area, job, principles = pickle.loads(payload)
    del payload
    if kind == "whole":
        result = measure_whole_area(area, principles, snapshot)
    else:
        result = measure_tile(area, job, principles, snapshot)
    del area
    release_unused()  # a worker's next tile starts from what is alive, not the last peak
    return result


def _jobs(
    area: StudyArea,
    tiles: list[Tile],
    principles: tuple[str, ...],
    whole: tuple[str, ...] = (),
    *,
    packed: bool = True,
) -> Iterator[Any]:
    """
    Yield the tasks of an audit, longest first: the whole-area principles, then tiles.

    Each tile goes with the sub-area of its largest halo, all a worker needs, and the
    tiles that own most rows go first, so the last tasks to finish are short ones and no
    worker waits long on another at the end. With ``packed`` each task is pickled as soon
    as it is made (a worker would pickle it anyway), so the caller holds bytes, not the
    tables and graphs of every sub-area waiting for a worker.
    """
    from cpted._memory import release_unused

    def out(make: Callable[[], tuple[Any, ...]]) -> Any:
        if not packed:
            return make()
        payload = pack(make())
        # the sub-area's tables and graphs, copied out of the area and now pickled (and let
        # go of): their memory goes back to the system, not to the heap's peak
        release_unused()
        return payload

    if whole:
        yield out(lambda: ("whole", whole_area_part(area, whole), None, whole))
    if not principles:
        return
    reach, near = halos(), layer_halos()
    widest = max((reach.get(p, 0.0) for p in principles), default=0.0)
    features = max((near.get(p, 0.0) for p in principles), default=0.0)
    graphs = graphs_read(principles)
    for tile in sorted(tiles, key=lambda t: -(len(t.segments) + len(t.sites))):

        def job(tile: Tile = tile) -> tuple[Any, ...]:
            region, near_region = tile.region(widest), tile.region(features)
            return (
                "tile",
                # packed at once: the cut may share the area's attribute dicts
                sub_area(area, region, features=near_region, graphs=graphs, copy=not packed),
                tile,
                principles,
            )

        yield out(job)


def run_tiles(
    area: StudyArea,
    tiles: list[Tile],
    principles: tuple[str, ...],
    *,
    whole: tuple[str, ...] = (),
    client: Any = None,
    workers: int | Workers | None = None,
    progress: Callable[[TileResult], None] | None = None,
) -> tuple[list[TileResult], TileResult | None]:
    """
    Measure every tile, on ``client``'s cluster, on local processes or here.

    Parameters
    ----------
    whole
        Principles measured on the whole area (:data:`WHOLE_AREA`), as one more task that
        runs beside the tiles (:func:`measure_whole_area`).
    client
        A ``dask.distributed.Client``: each tile is a task on its cluster.
    workers
        Without a client, the number of local processes (default ``os.cpu_count()``);
        1 measures the tiles here, one after the other. Or the audit's :class:`Workers`,
        which stay up for the work that follows the tiles.
    progress
        Called with each tile's result as it arrives.

    Returns
    -------
    tiles, whole
        The tiles' results in the order of ``tiles``, and the whole-area task's (None
        without ``whole``).
    """
    snapshot = settings_snapshot()
    results: list[TileResult] = []

    def done(result: TileResult) -> None:
        results.append(result)
        if progress is not None:
            progress(result)

    if client is not None:
        _on_cluster(client, _jobs(area, tiles, principles, whole), snapshot, done)
    else:
        tasks = len(tiles) + bool(whole)
        own = not isinstance(workers, Workers)
        pool = workers if isinstance(workers, Workers) else Workers.for_tasks(workers, tasks)
        try:
            if not pool.parallel:
                for kind, sub, tile, names in _jobs(area, tiles, principles, whole, packed=False):
                    if kind == "whole":
                        done(measure_whole_area(sub, names))
                    else:
                        done(measure_tile(sub, tile, names))
            else:
                _on_processes(pool, _jobs(area, tiles, principles, whole), snapshot, done)
        finally:
            if own:
                pool.close()
    order = {(t.row, t.col): i for i, t in enumerate(tiles)}
    rest = [r for r in results if r.tile != WHOLE]
    found = [r for r in results if r.tile == WHOLE]
    return sorted(rest, key=lambda r: order[r.tile]), (found[0] if found else None)


def check_workers(workers: Any) -> int:
    """Return the number of local processes, or raise InputError."""
    if workers is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        msg = f"workers must be a whole number of processes of at least 1, got {workers!r}."
        raise InputError(msg)
    return workers


_BROKEN_POOL = (
    "A local process of cpted (auditing a tile, or drawing a district's page) stopped "
    "abruptly. Either it ran out of memory (give a smaller tile_size, or fewer "
    "workers), or the script that calls cpted.audit (or Audit.save) runs it at import: "
    "local processes start a fresh Python that imports the script, so put the audit "
    'under `if __name__ == "__main__":` (or pass workers=1).'
)


class Workers:
    """
    The local processes of one audit, up from its first tile to its last explanation.

    With one process (or one task) everything runs here, in the calling process, when it
    is submitted. Otherwise a pool of ``count`` fresh processes (``spawn``: never a fork
    of a process whose threads, numba's, tqdm's monitor or a notebook kernel's, may hold
    locks) starts at the first task, measures the tiles, and stays up for what follows
    them: the explanations, chunk by chunk (:meth:`starmap`), while a thread here finds
    the dark spots on the whole raster (:meth:`alongside`); both were serial work after
    the last tile. It stops in the background when the audit is done (waiting on the
    workers to hand their memory back to the system took 0.9 s at Helsinki 3 x 3).

    Examples
    --------
    >>> with Workers(1) as pool:
    ...     pool.starmap(max, [(1, 2), (4, 3)])
    [2, 4]
    """

    def __init__(self, count: int = 1) -> None:
        self.count = count
        self.parallel = count > 1
        #: Tasks handed to the processes after the tiles, and run in a thread here
        #: meanwhile (a test reads them).
        self.finishing = 0
        self.alongside_runs = 0
        self._pool: Any = None
        self._thread: Any = None

    @classmethod
    def for_tasks(cls, workers: int | None, tasks: int) -> Workers:
        """Return the workers for ``tasks`` tasks: a pool only if there are two of each."""
        count = check_workers(workers)
        return cls(count if tasks > 1 else 1)

    def executor(self) -> Any:
        """Return the process pool, started on first use."""
        import concurrent.futures
        import multiprocessing

        if self._pool is None:
            # the workers share the cores: each runs the parallel centrality kernel on its
            # share, not on all of them (2 workers of 2 threads on 2 cores wait on each other)
            threads = max(1, (os.cpu_count() or 1) // self.count)
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(threads,),
            )
        return self._pool

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """
        Run ``fn(*args)`` on a worker with this process's settings and language.

        Returns a :class:`concurrent.futures.Future`; read it with :meth:`result`.
        Without a pool, ``fn`` runs now, here, and the future holds its result.
        """
        import concurrent.futures

        if not self.parallel:
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            try:
                future.set_result(fn(*args))
            except Exception as exc:  # raised again by result(), as a pool's would be
                future.set_exception(exc)
            return future
        from cpted._i18n import current_language

        self.finishing += 1
        try:
            return self.executor().submit(
                _as_here, fn, args, settings_snapshot(), current_language()
            )
        except concurrent.futures.process.BrokenProcessPool as exc:
            raise InputError(_BROKEN_POOL) from exc

    def alongside(self, fn: Callable[..., Any], *args: Any) -> Any:
        """
        Run ``fn(*args)`` in a thread of this process, while the workers take other tasks.

        For work on what this process holds (the dark spots on the city's raster): the
        thread has it without a copy, and this process's main thread only waits on the
        workers meanwhile. Without a pool, ``fn`` runs now, here. Returns a future.
        """
        import concurrent.futures
        import contextvars

        if not self.parallel:
            return self.submit(fn, *args)
        if self._thread is None:
            self._thread = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="cpted-alongside"
            )
        self.alongside_runs += 1
        # in this thread's context: the language and any other context variable hold there
        return self._thread.submit(contextvars.copy_context().run, fn, *args)

    def result(self, future: Any) -> Any:
        """Return the result of a task; a worker that died abruptly raises InputError."""
        import concurrent.futures

        try:
            return future.result()
        except concurrent.futures.process.BrokenProcessPool as exc:
            raise InputError(_BROKEN_POOL) from exc

    def starmap(self, fn: Callable[..., Any], arguments: Iterable[tuple[Any, ...]]) -> list[Any]:
        """
        ``[fn(*a) for a in arguments]``, the calls shared among the workers.

        ``arguments`` is read as the workers take them: one call per worker and one
        waiting, so the arguments of a city's chunks are not all made (and held) at once.
        """
        from collections import deque

        results: list[Any] = []
        waiting: deque[Any] = deque()
        for args in arguments:
            waiting.append(self.submit(fn, *args))
            del args
            while len(waiting) > self.count:
                results.append(self.result(waiting.popleft()))
        results.extend(self.result(f) for f in waiting)
        return results

    def close(self, *, wait: bool = False) -> None:
        """
        Stop the workers, in the background unless ``wait``; tasks not started are cancelled.

        ``wait`` returns once the tasks running have ended: a task that writes into a
        folder removed on an error (the district pages) then writes nothing after it.
        """
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
        if self._thread is not None:
            self._thread.shutdown(wait=True, cancel_futures=True)  # nothing runs on after
            self._thread = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_here(
    fn: Callable[..., Any], args: tuple[Any, ...], snapshot: dict[str, Any], language: str
) -> Any:
    """Run ``fn(*args)`` in a worker as the calling process would: its settings, language."""
    from cpted._i18n import use
    from cpted._memory import cycles_paused

    apply_settings(snapshot)
    with use(language), cycles_paused():
        return fn(*args)


def _on_processes(
    pool: Workers,
    jobs: Iterable[bytes],
    snapshot: dict[str, Any],
    done: Callable[[TileResult], None],
) -> None:
    import concurrent.futures

    executor = pool.executor()
    try:
        pending = set()
        for payload in jobs:
            pending.add(executor.submit(_run, payload, snapshot))
            del payload
            # one task per worker and one waiting, so a worker never waits on this process
            # and the tasks waiting to be measured never pile up in memory
            while len(pending) > pool.count:
                finished, pending = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED
                )
                for future in finished:
                    done(pool.result(future))
        for future in concurrent.futures.as_completed(pending):
            done(pool.result(future))
    except concurrent.futures.process.BrokenProcessPool as exc:  # from submit
        pool.close()
        raise InputError(_BROKEN_POOL) from exc
    except BaseException:
        pool.close()  # a tile failed: the queued tiles are not measured
        raise


def _start_worker(threads: int) -> None:
    """Give a local worker its share of the cores for numba's parallel kernels."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]


def _on_cluster(
    client: Any,
    jobs: Iterable[bytes],
    snapshot: dict[str, Any],
    done: Callable[[TileResult], None],
) -> None:
    check_client(client)
    from distributed import as_completed

    [settings_future] = client.scatter([snapshot], broadcast=True)
    # as on local processes, one task per worker thread and one more wait on the cluster,
    # so a national run does not send every sub-area at once; pure=False: each call is new
    slots = max(1, sum(client.nthreads().values())) + 1
    jobs = iter(jobs)

    def submit(payload: bytes) -> Any:
        return client.submit(_run, payload, settings_future, pure=False)

    first = [submit(job) for _, job in zip(range(slots), jobs, strict=False)]
    queue = as_completed(first)
    try:
        for future in queue:
            done(future.result())
            following = next(jobs, None)
            if following is not None:
                queue.add(submit(following))
    finally:
        client.cancel(list(queue.futures))


def check_client(client: Any) -> None:
    """Raise InputError unless ``client`` looks like a ``dask.distributed.Client``."""
    if not all(hasattr(client, name) for name in ("submit", "scatter", "nthreads", "cancel")):
        msg = (
            f"client must be a dask.distributed.Client (e.g. Client('tcp://host:8786')), "
            f"got {type(client).__name__}."
        )
        raise InputError(msg)


def connect(scheduler: str) -> Any:
    """
    Connect a ``dask.distributed.Client`` to the scheduler at ``tcp://host:8786``.

    Raises
    ------
    InputError
        distributed is not installed, or no scheduler answers at that address.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        msg = (
            "Auditing on a Dask cluster needs the distributed package; install it with "
            "pip install 'cpted[scale]' (or pip install 'dask[distributed]')."
        )
        raise InputError(msg) from exc
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        msg = (
            f"No Dask scheduler answers at {scheduler!r} ({exc}). Start one with "
            "`dask scheduler` and give its address, e.g. --scheduler tcp://10.0.0.5:8786."
        )
        raise InputError(msg) from exc


# --------------------------------------------------------------------------------------
# Putting the tiles together
# --------------------------------------------------------------------------------------


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    frames = [f for f in frames if f is not None]
    if not frames:
        return None
    full = [f for f in frames if len(f)]
    if not full:
        return frames[0]
    if len(full) == 1:
        return full[0]
    out = pd.concat(full)
    if isinstance(full[0], gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=full[0].geometry.name, crs=full[0].crs)
    return out


class Mosaic:
    """
    One raster on the grid of the whole area, filled piece by piece as the tiles arrive.

    The grid is the one an untiled audit draws (cells of the same size aligned to the same
    multiples of it, over the bounds of the area's boundary); each cell takes the value of
    the tile that owns its centre. Pasting each tile's piece as it arrives, and letting it
    go, keeps one grid in memory instead of the tiles' pieces and the grid at once (at 1 m,
    a city's lux grid is a value per square metre). The grid is float32, as the audit keeps
    it (:meth:`cpted._raster.Raster.as_stored`): each piece is cast once as it is pasted,
    the cast an untiled audit makes of its whole grid.
    """

    def __init__(self, area: StudyArea) -> None:
        self.bounds = area.boundary.bounds
        self.values: np.ndarray | None = None  # the grid, laid by the first piece
        self.first: Raster | None = None
        self.left = self.top = 0  # the grid's west and north edges, in cells

    def add(self, piece: Raster | None) -> None:
        """Paste ``piece`` (a tile's raster, on the same cells) where it has values."""
        if piece is None:
            return
        if self.values is None:
            res = piece.resolution
            west, south, east, north = self.bounds
            self.left, self.top = math.floor(west / res), math.ceil(north / res)
            cols = max(1, math.ceil((east - self.left * res) / res))
            rows = max(1, math.ceil((self.top * res - south) / res))
            # float32, as the audit keeps and lux.tif stores a grid: 4 bytes a cell, not 8
            self.values = np.full((rows, cols), np.nan, dtype=np.float32)
            self.first = piece
        res = piece.resolution
        rows, cols = self.values.shape
        c0 = round(piece.transform.c / res) - self.left
        r0 = self.top - round(piece.transform.f / res)
        h, w = piece.values.shape
        # the window of the piece that lies on the area's grid
        rs, cs = max(0, -r0), max(0, -c0)
        re, ce = min(h, rows - r0), min(w, cols - c0)
        if rs >= re or cs >= ce:
            return
        window = piece.values[rs:re, cs:ce]
        target = self.values[r0 + rs : r0 + re, c0 + cs : c0 + ce]
        have = ~np.isnan(window)
        target[have] = window[have]

    def raster(self) -> Raster | None:
        """Return the whole grid (None when no piece came)."""
        from affine import Affine

        from cpted._raster import Raster

        if self.values is None or self.first is None:
            return None
        res = self.first.resolution
        transform = Affine(res, 0.0, self.left * res, 0.0, -res, self.top * res)
        first = self.first
        return Raster(
            values=self.values, transform=transform, crs=first.crs, name=first.name,
            units=first.units,
        )  # fmt: skip


def paste(area: StudyArea, result: TileResult, mosaics: dict[tuple[str, str], Mosaic]) -> None:
    """
    Move the rasters of a tile's ``result`` onto the area's grids in ``mosaics``.

    Keyed by (principle, raster name); :func:`merge` then takes the grids from there. Called
    as each tile arrives, so no tile's piece waits in memory for the others.
    """
    for name, part in result.parts.items():
        for key in list(part.rasters):
            mosaics.setdefault((name, key), Mosaic(area)).add(part.rasters.pop(key))


def merge(
    area: StudyArea,
    results: list[TileResult],
    principles: tuple[str, ...],
    mosaics: dict[tuple[str, str], Mosaic] | None = None,
    workers: Workers | None = None,
) -> dict[str, AuditPart]:
    """
    One part per principle for the whole area, from the tiles' parts.

    The lighting measures are redone over all rows at once from their kept inputs (the
    area statistics of the estimate), and the dark spots found on the whole raster, on one
    of ``workers`` if they are processes (the lighting part's ``pending`` layer). Each
    tile's part is let go of once it is put together (``results`` keep their failures and
    timings), so a city's tables are not held twice. The rasters are the area's grids in
    ``mosaics`` (:func:`paste`, as the tiles arrived), with whatever the results still hold
    pasted on them now.
    """
    from cpted._principle import AuditPart

    mosaics = {} if mosaics is None else mosaics
    for result in results:  # the rasters not pasted as their tiles arrived
        paste(area, result, mosaics)
    merged: dict[str, AuditPart] = {}
    for name in principles:
        parts = [r.parts.pop(name) for r in results if name in r.parts]
        if not parts:
            continue
        segments = _concat([p.segments for p in parts])
        sites = _concat([p.sites for p in parts])
        keys = list(dict.fromkeys(k for p in parts for k in p.layers))
        layers = {}
        for key in keys:
            layer = _concat([p.layers[key] for p in parts if key in p.layers])
            if layer is not None:
                layers[key] = _renumber(layer, area, key)
        rasters = {}
        for (principle, key), grid in mosaics.items():
            whole = grid.raster() if principle == name else None
            if whole is not None:
                rasters[key] = whole
        merged[name] = AuditPart(segments=segments, sites=sites, layers=layers, rasters=rasters)
        del parts
    if "lighting" in merged:
        lighting = merged["lighting"]
        spots = _finish_lighting(area, lighting, results, workers)
        if spots is not None and spots.done():  # found here, or already
            lighting.layers["dark_spots"] = (workers or Workers()).result(spots)
        elif spots is not None:
            lighting.pending["dark_spots"] = spots
    return merged


def _renumber(layer: pd.DataFrame, area: StudyArea, key: str) -> pd.DataFrame:
    """Give a layer numbered 0, 1, ... per tile one numbering, in the order of the tiles."""
    index = layer.index
    if index.name in (area.streets.index.name, "site") or index.is_unique:
        return layer
    name = index.name
    out = layer.reset_index(drop=True)
    out.index.name = name
    return out


def _finish_lighting(
    area: StudyArea, part: AuditPart, results: list[TileResult], workers: Workers | None
) -> Any:
    """
    Redo the lighting measures over all rows; start finding the dark spots.

    Returns the future of the dark spots layer (None without a raster): with ``workers``,
    the search on the whole raster runs in a thread of this process while they write the
    explanations.
    """
    from cpted.lighting import _dark_spots, measures_from_inputs

    for kind, base in (("segment", area.streets), ("site", area.sites)):
        key = f"lighting_{kind}"
        inputs = _concat([r.inputs.pop(key) for r in results if key in r.inputs])
        if inputs is None:
            continue
        # in the area's order, as an untiled audit measures them
        inputs = inputs.loc[base.index[base.index.isin(inputs.index)]]
        redone = measures_from_inputs(inputs, kind=kind)
        if kind == "segment":
            part.segments = redone
        else:
            part.sites = redone
    grid = part.rasters.get("lux")
    if grid is not None and part.segments is not None:
        segments = part.segments.reindex(area.streets.index)
        sites = (
            part.sites.reindex(area.sites.index)
            if len(area.sites) and part.sites is not None
            else None
        )
        return (workers or Workers()).alongside(_dark_spots, area, grid, segments, sites, None)
    return None


def failure_notes(failures: list[Failure]) -> list[str]:
    """One sentence per principle that failed on some tiles: how many rows it left blank."""
    from cpted._i18n import _, n_
    from cpted._principle import PRINCIPLES

    notes = []
    by_principle: dict[str, list[Failure]] = {}
    for failure in failures:
        by_principle.setdefault(failure.principle, []).append(failure)
    for principle, items in by_principle.items():
        segments = sum(f.segments for f in items)
        sites = sum(f.sites for f in items)
        tiles = n_("{n} tile", "{n} tiles", len(items)).format(n=len(items))
        notes.append(
            _(
                "The {principle} could not be measured on {tiles} (a geometry error in the "
                "data: {error}); {segments} segments and {sites} sites there have no score "
                "for it."
            ).format(
                principle=_(PRINCIPLES[principle].words) if principle in PRINCIPLES else principle,
                tiles=tiles,
                error=items[0].error,
                segments=segments,
                sites=sites,
            )
        )
    return notes
