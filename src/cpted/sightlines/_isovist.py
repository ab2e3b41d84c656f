"""Exact isovists among polygonal and thin obstacles, and the isovist measures."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import Polygon

from cpted import settings
from cpted._errors import CRSError, InputError
from cpted._validate import (
    check_geometry_types,
    check_projected,
    compass_degrees,
    finite_rows,
    geodataframe,
)
from cpted.sightlines import _sweep
from cpted.sightlines._locate import ObstacleLocator

__all__ = ["MEASURES", "IsovistEngine", "isovist", "isovists"]

#: Geometry types an obstacle may have: buildings (areas) and walls or hedges (lines).
OBSTACLE_TYPES = frozenset(
    {"Polygon", "MultiPolygon", "LineString", "MultiLineString", "LinearRing"}
)

#: An origin closer than this to an obstacle (metres) stands on or in it.
ON_OBSTACLE_TOLERANCE = 1e-6

#: An origin farther than this (metres) outside the bounding box of the obstacles sees
#: none of them: no view in a town is 100 km long, so such a point is in another CRS or
#: unit than the obstacles (swapped axes, degrees, a typing error), not a place to audit.
FAR_OUTSIDE = 100_000.0

#: Radius of the first search of an isovist without a radius, metres; it doubles while
#: some view still escapes (see ``_sweep.isovist_batch``). Only the speed depends on it.
_FIRST_SEARCH_RADIUS = 48.0

#: The measure columns of :func:`isovists`, in order.
MEASURES = (
    "area",
    "perimeter",
    "compactness",
    "occlusivity",
    "drift",
    "drift_direction",
    "min_radial",
    "max_radial",
)


def _obstacle_geometries(obstacles: object) -> tuple[np.ndarray, pyproj.CRS | None]:
    """Validate obstacles; return their non-empty, valid shapely geometries and CRS."""
    if isinstance(obstacles, shapely.Geometry):
        obstacles = [obstacles]
    gdf = geodataframe(obstacles, what="obstacles")
    crs = check_projected(gdf, what="obstacles") if gdf.crs is not None else None
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms = geoms[keep]
    if len(geoms):
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        bad = np.unique(owner[~np.isfinite(coords).all(axis=1)])
        if len(bad):
            labels = gdf.index[keep]
            shown = ", ".join(repr(labels[i]) for i in bad[:5])
            msg = (
                f"obstacles: {len(bad)} of {len(geoms)} have coordinates that are not finite "
                f"numbers (NaN or infinite), e.g. rows {shown}. Fix or drop those rows first."
            )
            raise InputError(msg)
        check_geometry_types(gpd.GeoSeries(geoms), set(OBSTACLE_TYPES), what="obstacles")
        bad = ~shapely.is_valid(geoms)
        if bad.any():
            geoms = geoms.copy()
            geoms[bad] = shapely.make_valid(geoms[bad])
    return geoms, crs


def _segments(geoms: np.ndarray) -> np.ndarray:
    """
    Wall segments ``(n, 4)`` (x0, y0, x1, y1) of the obstacles.

    Area boundaries (outer and inner rings) and lines are noded together, so segments
    meet only at their endpoints: overlapping buildings and walls that cross a building
    are cut where they cross, which keeps the depth order of segments fixed between
    endpoint angles (what makes the sweep exact). Duplicate segments count once.
    """
    if not len(geoms):
        return np.empty((0, 4))
    parts = shapely.get_parts(geoms)
    parts = shapely.get_parts(parts)  # collections left by make_valid
    dim = shapely.get_dimensions(parts)
    areal = parts[dim == 2]
    linear = parts[dim == 1]
    lines = np.concatenate([shapely.get_parts(shapely.boundary(areal)), linear])
    coords, index = shapely.get_coordinates(lines, return_index=True)
    same = index[1:] == index[:-1]
    seg = np.column_stack([coords[:-1][same], coords[1:][same]])
    if not len(seg):
        return np.empty((0, 4))
    raw = shapely.multilinestrings(shapely.linestrings(seg.reshape(-1, 2, 2)))
    noded = shapely.get_parts(_node(raw))
    coords, index = shapely.get_coordinates(noded, return_index=True)
    same = index[1:] == index[:-1]
    seg = np.column_stack([coords[:-1][same], coords[1:][same]])
    seg = seg[(seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])]
    # One orientation per segment, so duplicates (shared walls) collapse.
    flip = (seg[:, 0] > seg[:, 2]) | ((seg[:, 0] == seg[:, 2]) & (seg[:, 1] > seg[:, 3]))
    seg[flip] = seg[flip][:, [2, 3, 0, 1]]
    return np.unique(seg, axis=0)


#: Grid the walls are snapped to when GEOS cannot node them as mapped, metres: a
#: millimetre, a thousandth of what OSM positions are good to (a few decimetres at best).
NODE_REPAIR_GRID = 0.001


def _node(lines: shapely.MultiLineString) -> shapely.Geometry:
    """
    Node the walls, snapping them to :data:`NODE_REPAIR_GRID` where GEOS fails on them.

    GEOS's iterated noder (``shapely.node``) can fail on nearly coincident walls (a
    ``TopologyException``: "Iterated noding failed to converge"; seen on Helsinki copied
    3 × 3); one such pair must not stop a whole audit. The walls are then noded by snap
    rounding on a millimetre grid (``unary_union`` with ``grid_size``: GEOS's OverlayNG
    snap-rounding noder, which always converges, Hobby 1999), so they meet at grid points
    within a millimetre of where they were mapped.
    """
    try:
        return shapely.node(lines)
    except shapely.errors.GEOSException:
        return shapely.unary_union(lines, grid_size=NODE_REPAIR_GRID)


#: Offset in metres of the points that tell which side of a wall is open space.
_SIDE_OFFSET = 1e-6


def _open_sides(seg: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """
    Which sides of each segment are open space: bit 1 the left, bit 2 the right.

    A side inside a building can never be seen from outside it (the building's other
    walls stand in front), so the sweep skips a wall seen from its closed side: most
    buildings show only their front faces, which halves the work. A wall line in the
    open has both sides open; an edge inside a building (where two overlap) has none.
    """
    if not len(seg):
        return np.empty(0, dtype=np.int8)
    mid = (seg[:, :2] + seg[:, 2:]) / 2
    d = seg[:, 2:] - seg[:, :2]
    normal = np.column_stack([-d[:, 1], d[:, 0]]) / np.hypot(d[:, 0], d[:, 1])[:, None]
    areal = geoms[shapely.get_dimensions(geoms) == 2]
    sides = np.full(len(seg), 3, dtype=np.int8)
    if not len(areal):
        return sides
    tree = shapely.STRtree(areal)
    for bit, sign in ((1, 1.0), (2, -1.0)):
        probe = shapely.points(mid + sign * _SIDE_OFFSET * normal)
        inside = np.unique(tree.query(probe, predicate="intersects")[0])
        sides[inside] &= ~np.int8(bit)
    return sides


def _angles(n: int, fov: object, direction: object) -> tuple[np.ndarray, np.ndarray]:
    """Start angles and fields of view in radians (counter-clockwise from +x)."""
    if fov is None:
        if direction is not None:
            msg = (
                "direction was given without fov; pass fov (degrees) too, e.g. "
                "fov=90, or leave both out for an all-round isovist."
            )
            raise InputError(msg)
        return np.zeros(n), np.full(n, _sweep.TWO_PI)
    try:
        fov_deg = np.broadcast_to(np.asarray(fov, dtype=float), (n,))
    except (TypeError, ValueError) as exc:
        msg = f"fov must be a number of degrees, above 0 and at most 360; got {fov!r}."
        raise InputError(msg) from exc
    if not np.all(np.isfinite(fov_deg) & (fov_deg > 0) & (fov_deg <= 360)):
        msg = f"fov must be in degrees, above 0 and at most 360; got {fov!r}."
        raise InputError(msg)
    if direction is None:
        if np.all(fov_deg == 360):
            return np.zeros(n), np.full(n, _sweep.TWO_PI)
        msg = (
            "fov below 360 needs a direction: degrees clockwise from north, as OSM's "
            "camera:direction (0 = north, 90 = east)."
        )
        raise InputError(msg)
    if isinstance(direction, str):
        direction = compass_degrees(direction, "direction")
    elif not np.isscalar(direction) and direction is not None:
        direction = [compass_degrees(d, "direction") for d in np.ravel(np.asarray(direction))]
    try:
        dir_deg = np.broadcast_to(np.asarray(direction, dtype=float), (n,))
    except (TypeError, ValueError) as exc:
        msg = (
            f"direction must be degrees clockwise from north or a compass point; got {direction!r}."
        )
        raise InputError(msg) from exc
    # A direction matters only for a view narrower than the full turn.
    if not np.all(np.isfinite(dir_deg) | (fov_deg >= 360)):
        msg = f"direction must be finite degrees clockwise from north; got {direction!r}."
        raise InputError(msg)
    fovs = np.radians(fov_deg)
    starts = np.radians(90.0 - np.where(np.isfinite(dir_deg), dir_deg, 0.0)) - fovs / 2
    fovs = np.where(fov_deg >= 360, _sweep.TWO_PI, fovs)
    starts = np.where(fov_deg >= 360, 0.0, starts)
    return np.ascontiguousarray(starts), np.ascontiguousarray(fovs)


def _arc_vertices() -> int:
    """Vertices per full turn on range arcs, from ``settings.ISOVIST_ARC_STEP``."""
    step = settings.ISOVIST_ARC_STEP
    if not (math.isfinite(step) and 0 < step <= 45):
        msg = f"settings.ISOVIST_ARC_STEP must be in (0, 45] degrees; got {step!r}."
        raise InputError(msg)
    return max(8, round(360.0 / step))


def _radius(radius: float | None) -> float:
    if radius is None or radius == math.inf:
        return math.inf
    try:
        r = float(radius)
    except (TypeError, ValueError):
        r = math.nan
    if not (r > 0 and math.isfinite(r)):
        msg = f"radius must be a positive number of metres or None; got {radius!r}."
        raise InputError(msg)
    return r


def _points(points: object, crs: pyproj.CRS | None) -> tuple[np.ndarray, pd.Index, Any]:
    """Origins as an (n, 2) array, with the index and CRS of the result."""
    if isinstance(points, np.ndarray) and points.ndim == 2 and points.shape[1] == 2:
        xy = points.astype(float)
        finite_rows(xy, "points")
        return xy, pd.RangeIndex(len(xy)), crs
    if isinstance(points, shapely.Geometry):
        points = [points]
    gdf = geodataframe(points, what="points")
    pcrs = None
    if gdf.crs is not None:
        pcrs = check_projected(gdf, what="points")
        if crs is not None and not pcrs.equals(crs):
            msg = (
                f"points are in {pcrs.name} but obstacles in {crs.name}; bring both to one "
                "CRS first, e.g. `points.to_crs(obstacles.crs)`."
            )
            raise CRSError(msg)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if len(geoms):
        types = shapely.get_type_id(geoms)
        bad = (types != 0) | shapely.is_empty(geoms)
        if bad.any():
            shown = ", ".join(repr(i) for i in gdf.index[bad][:5])
            msg = (
                f"points must be non-empty Points; {int(bad.sum())} rows are not, e.g. "
                f"{shown}. Use `gdf.representative_point()` for areas."
            )
            raise InputError(msg)
    xy = shapely.get_coordinates(geoms) if len(geoms) else np.empty((0, 2))
    finite_rows(xy, "points", index=gdf.index)
    return xy, gdf.index, pcrs if pcrs is not None else crs


class IsovistEngine:
    """
    Exact isovists among fixed obstacles, with the spatial index built once.

    Build one engine for a set of obstacles and ask it for as many isovists as needed:
    the obstacles are validated and noded, a compiled test with a shapely ``STRtree``
    behind it (:mod:`cpted.sightlines._locate`) answers whether an origin stands on or
    inside an obstacle, and a uniform grid of wall segments feeds the compiled angular
    sweep (:mod:`cpted.sightlines._sweep`).

    Parameters
    ----------
    obstacles
        Buildings (Polygon, MultiPolygon) and thin obstacles such as walls and hedges
        (LineString, MultiLineString), as a GeoDataFrame, a GeoSeries or a sequence of
        shapely geometries, in a projected CRS in metres. Empty geometries are skipped.
    frame_margin
        Margin in metres of the frame that closes views no obstacle closes, around the
        bounding box of the obstacles and the origin; default
        ``settings.ISOVIST_FRAME_MARGIN``.

    Raises
    ------
    CRSError
        The obstacles are in a geographic or non-metre CRS.
    InputError
        An obstacle is not a polygon or a line.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> engine = IsovistEngine([box(0, 0, 10, 10).exterior])
    >>> round(engine.isovist((5, 5)).area, 6)
    100.0
    """

    def __init__(self, obstacles: object, *, frame_margin: float | None = None) -> None:
        geoms, crs = _obstacle_geometries(obstacles)
        self.crs = crs
        self.geometries = geoms
        self.tree = shapely.STRtree(geoms)
        self._locator = ObstacleLocator(geoms)
        margin = settings.ISOVIST_FRAME_MARGIN if frame_margin is None else frame_margin
        if not (math.isfinite(margin) and margin > 0):
            msg = f"frame_margin must be a positive number of metres; got {frame_margin!r}."
            raise InputError(msg)
        self.frame_margin = float(margin)
        seg = _segments(geoms)
        sides = _open_sides(seg, geoms)
        seg = seg[sides > 0]
        self.segments = seg
        self._sides = np.ascontiguousarray(sides[sides > 0])
        if len(seg):
            lo = np.minimum(seg[:, :2], seg[:, 2:]).min(axis=0)
            hi = np.maximum(seg[:, :2], seg[:, 2:]).max(axis=0)
        else:
            lo = hi = np.zeros(2)
        self._offset = lo
        self._bounds = np.r_[lo, hi]
        local = seg - np.r_[lo, lo]
        width, height = hi - lo
        # About two segments per cell on average, within sane grid sizes.
        cell = math.sqrt(max(width * height, 1.0) / max(len(seg), 1)) * 1.5
        cell = max(cell, 1.0, math.sqrt(max(width * height, 1.0) / 4e6))
        self._cell = cell
        self._nx = int(width // cell) + 1
        self._ny = int(height // cell) + 1
        self._x0 = np.ascontiguousarray(local[:, 0])
        self._y0 = np.ascontiguousarray(local[:, 1])
        self._x1 = np.ascontiguousarray(local[:, 2])
        self._y1 = np.ascontiguousarray(local[:, 3])
        self._cell_start, self._cell_items = _sweep.grid_build(
            self._x0, self._y0, self._x1, self._y1, cell, self._nx, self._ny
        )

    def __repr__(self) -> str:
        return f"IsovistEngine({len(self.geometries)} obstacles, {len(self.segments)} segments)"

    def on_obstacle(self, xy: np.ndarray) -> np.ndarray:
        """Whether each origin (rows of ``xy``) lies on or inside an obstacle."""
        out = np.zeros(len(xy), dtype=bool)
        if len(xy) and len(self.geometries):
            # the compiled test decides the points clear of every boundary; shapely the rest
            where = self._locator.locate(np.asarray(xy, dtype=float))
            out = where == 1
            ask = np.flatnonzero(where == 2)
            if len(ask):
                hits = self.tree.query(
                    shapely.points(xy[ask]), predicate="dwithin", distance=ON_OBSTACLE_TOLERANCE
                )
                out[ask[hits[0]]] = True
        return out

    def _check_near(self, xy: np.ndarray) -> None:
        """Refuse origins :data:`FAR_OUTSIDE` beyond the obstacles' bounding box."""
        if not len(self.segments) or not len(xy):
            return
        lo, hi = self._bounds[:2], self._bounds[2:]
        gap = np.hypot(*np.maximum(np.maximum(lo - xy, xy - hi), 0.0).T)
        far = gap > FAR_OUTSIDE
        if far.any():
            first = int(np.flatnonzero(far)[0])
            msg = (
                f"{int(far.sum())} of {len(xy)} origins lie far outside the obstacles, e.g. "
                f"({xy[first, 0]:.6g}, {xy[first, 1]:.6g}), {gap[first] / 1000:,.0f} km beyond"
                f" their extent {tuple(round(v) for v in self._bounds)}. The points are "
                "probably in another CRS or unit than the obstacles (degrees, swapped x and "
                "y): bring both to one projected CRS, e.g. `points.to_crs(obstacles.crs)`."
            )
            raise InputError(msg)

    def _raw(
        self,
        xy: np.ndarray,
        *,
        radius: float | None,
        fov: object = None,
        direction: object = None,
        min_occlusion: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """
        Run the compiled sweep for origins ``xy``, without building shapely geometry.

        Returns the rings' coordinates relative to their origins, the ring offsets, the
        raw measures (area, perimeter, centroid x and y relative to the origin,
        occlusivity, min and max radial), the status (0 ok, 2 on an obstacle) and the
        on-obstacle flags.
        """
        n = len(xy)
        r = _radius(radius)
        starts, fovs = _angles(n, fov, direction)
        occ = settings.ISOVIST_MIN_OCCLUSION if min_occlusion is None else min_occlusion
        if not (math.isfinite(occ) and occ >= 0):
            msg = f"min_occlusion must be a non-negative number of metres; got {min_occlusion!r}."
            raise InputError(msg)
        self._check_near(xy)
        inside = self.on_obstacle(xy)
        local = np.ascontiguousarray(xy - self._offset)
        margin = self.frame_margin
        if len(self.segments):
            frame_lo = np.minimum(local, 0.0) - margin
            frame_hi = np.maximum(local, self._bounds[2:] - self._offset) + margin
        else:
            frame_lo = local - margin
            frame_hi = local + margin
        frames = np.ascontiguousarray(np.column_stack([frame_lo, frame_hi]))
        coords, offsets, raw, status, _ = _sweep.isovist_batch(
            np.ascontiguousarray(local[:, 0]),
            np.ascontiguousarray(local[:, 1]),
            inside,
            starts,
            fovs,
            self._x0,
            self._y0,
            self._x1,
            self._y1,
            self._cell,
            self._nx,
            self._ny,
            self._cell_start,
            self._cell_items,
            self._sides,
            frames,
            r,
            _FIRST_SEARCH_RADIUS,
            _arc_vertices(),
            float(occ),
        )
        if np.any(status == 1):  # pragma: no cover - the frame always closes the view
            msg = "an isovist did not close; this is a bug in cpted, please report it."
            raise RuntimeError(msg)
        return coords, offsets, raw, status, inside

    def _compute(
        self,
        xy: np.ndarray,
        *,
        radius: float | None,
        fov: object,
        direction: object,
        min_occlusion: float | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geometries, measures (n, 8) and the on-obstacle flags of origins ``xy``."""
        n = len(xy)
        coords, offsets, raw, status, inside = self._raw(
            xy, radius=radius, fov=fov, direction=direction, min_occlusion=min_occlusion
        )
        geoms = np.full(n, Polygon(), dtype=object)
        ok = status == 0
        if ok.any():
            counts = np.diff(offsets)[ok]
            ring_id = np.repeat(np.arange(int(ok.sum())), counts)
            # Relative coordinates plus the origin: the origin vertex of a field of view
            # is the origin itself, not a rounded copy.
            rings = shapely.linearrings(coords + np.repeat(xy[ok], counts, axis=0), indices=ring_id)
            geoms[ok] = shapely.polygons(rings)
        measures = np.full((n, len(MEASURES)), np.nan)
        area, per = raw[:, 0], raw[:, 1]
        cx, cy = raw[:, 2], raw[:, 3]
        drift = np.hypot(cx, cy)
        with np.errstate(invalid="ignore", divide="ignore"):
            measures[:, 0] = area
            measures[:, 1] = per
            measures[:, 2] = 4 * np.pi * area / per**2
            measures[:, 3] = raw[:, 4]
            measures[:, 4] = drift
            measures[:, 5] = np.where(
                drift > 0, np.mod(90.0 - np.degrees(np.arctan2(cy, cx)), 360.0), np.nan
            )
            measures[:, 6] = raw[:, 5]
            measures[:, 7] = raw[:, 6]
        return geoms, measures, inside

    def isovist(
        self,
        origin: object,
        *,
        radius: float | None = None,
        fov: float | None = None,
        direction: float | None = None,
    ) -> Polygon:
        """
        Return the exact isovist of one origin as a shapely Polygon.

        See :func:`cpted.sightlines.isovist` for the parameters.
        """
        xy = _origin(origin)
        geoms, _, inside = self._compute(
            xy, radius=radius, fov=fov, direction=direction, min_occlusion=None
        )
        if inside[0]:
            msg = (
                f"origin ({xy[0, 0]:.3f}, {xy[0, 1]:.3f}) lies on or inside an obstacle, "
                "where nothing can be seen; move it into open space."
            )
            raise InputError(msg)
        return geoms[0]

    def isovists(
        self,
        points: object,
        *,
        radius: float | None = None,
        fov: object = None,
        direction: object = None,
        min_occlusion: float | None = None,
    ) -> gpd.GeoDataFrame:
        """
        Return the isovists of many origins and their measures.

        See :func:`cpted.sightlines.isovists` for the parameters and columns.
        """
        xy, index, crs = _points(points, self.crs)
        geoms, measures, inside = self._compute(
            xy, radius=radius, fov=fov, direction=direction, min_occlusion=min_occlusion
        )
        frame = pd.DataFrame(measures, index=index, columns=list(MEASURES))
        frame["inside_obstacle"] = inside
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=index), crs=crs)


def _origin(origin: object) -> np.ndarray:
    if isinstance(origin, shapely.Geometry):
        if origin.geom_type != "Point" or origin.is_empty:
            msg = f"origin must be a Point or an (x, y) pair, got {origin.geom_type}."
            raise InputError(msg)
        xy = np.array([[origin.x, origin.y]])
    else:
        try:
            xy = np.asarray(origin, dtype=float).reshape(1, 2)
        except (TypeError, ValueError) as exc:
            msg = f"origin must be a Point or an (x, y) pair, got {origin!r}."
            raise InputError(msg) from exc
    if not np.all(np.isfinite(xy)):
        msg = f"origin must have finite coordinates, got {origin!r}."
        raise InputError(msg)
    return xy


def _engine(obstacles: object) -> IsovistEngine:
    return obstacles if isinstance(obstacles, IsovistEngine) else IsovistEngine(obstacles)


def isovist(
    origin: object,
    obstacles: object,
    *,
    radius: float | None = None,
    fov: float | None = None,
    direction: float | None = None,
) -> Polygon:
    """
    Return the exact isovist (visibility polygon) of a point among obstacles.

    The isovist is the part of the plane seen from ``origin``: every point the straight
    line from the origin reaches without crossing an obstacle. Buildings block with their
    whole area; walls, fences and hedges given as lines block along their length.

    Parameters
    ----------
    origin
        The viewpoint: a shapely Point or an ``(x, y)`` pair, in the obstacles' CRS.
    obstacles
        Polygons / MultiPolygons (buildings) and LineStrings / MultiLineStrings (walls,
        hedges), as a GeoDataFrame, GeoSeries, sequence of shapely geometries or an
        :class:`IsovistEngine` built on them (which reuses its index). A GeoDataFrame or
        GeoSeries must be in a projected CRS in metres.
    radius
        Range of sight in metres; None for no limit. The range circle is drawn with a
        vertex every ``settings.ISOVIST_ARC_STEP`` degrees (0.5): every vertex lies on
        the circle and every edge inside it, so an open disc loses a relative
        (2 pi / 720)^2 / 6 = 1.3e-5 of its area; walls are exact.
    fov
        Field of view in degrees, in (0, 360], centred on ``direction``; None for the
        full turn. A field of view below 360 makes the origin a vertex of the polygon.
    direction
        Centre of the field of view in degrees clockwise from north (the convention of
        OSM's ``camera:direction``: 0 north, 90 east).

    Returns
    -------
    shapely.Polygon
        The visibility polygon, exact with no radius: its vertices are obstacle corners
        and the points where sight lines grazing a corner meet the wall behind.

    Raises
    ------
    InputError
        The origin lies on or inside an obstacle, or an argument is out of range.
    CRSError
        The obstacles are in a geographic or non-metre CRS.

    Notes
    -----
    Without a radius, a view that no obstacle closes stops at a frame: the bounding box
    of the obstacles and the origin, grown by ``settings.ISOVIST_FRAME_MARGIN`` (100 m).
    An origin that obstacles enclose never reaches the frame, and its isovist is exact.

    The algorithm is an exact angular plane sweep (Asano 1985; Suri and O'Rourke 1986):
    the angles of the segment endpoints cut the view into wedges within which one wall
    is the nearest, found with the middle ray of the wedge. Obstacles are noded first,
    so segments only meet at endpoints. No result depends on a number of rays.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> room = box(-10, -10, 20, 20).difference(box(0, 0, 10, 10))
    >>> round(isovist((5, 5), [room]).area, 6)
    100.0
    >>> round(isovist((5, 5), [room], fov=90, direction=45).area, 6)
    25.0
    """
    return _engine(obstacles).isovist(origin, radius=radius, fov=fov, direction=direction)


def isovists(
    points: object,
    obstacles: object,
    *,
    radius: float | None = None,
    fov: object = None,
    direction: object = None,
    min_occlusion: float | None = None,
) -> gpd.GeoDataFrame:
    """
    Return the exact isovists of many points and their measures.

    Parameters
    ----------
    points
        The viewpoints: a GeoDataFrame or GeoSeries of Points, a sequence of Points, or
        an ``(n, 2)`` array of coordinates, in the obstacles' CRS.
    obstacles
        As in :func:`isovist`; pass an :class:`IsovistEngine` to reuse its index across
        calls.
    radius
        Range of sight in metres, None for no limit (see :func:`isovist`).
    fov
        Field of view in degrees, one for all points or one per point; None for the full
        turn.
    direction
        Centre of the field of view, degrees clockwise from north, one for all points or
        one per point (for instance the ``direction`` column of ``area.cameras``).
    min_occlusion
        Shortest radial edge, in metres, that occlusivity counts; default
        ``settings.ISOVIST_MIN_OCCLUSION`` (1.5 m, depthmapX).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed like ``points``; geometry is the isovist (empty for an origin on or in an
        obstacle) and the columns are, with A the area, P the perimeter, O the origin and
        C the centroid of the isovist (Benedikt 1979; depthmapX ``salalib/isovist.cpp``):

        - ``area``: A, square metres (shoelace formula).
        - ``perimeter``: P, metres: visible wall edges, occluding radial edges, range
          arcs and, with a field of view, its two edges.
        - ``compactness``: 4 pi A / P^2, 1 for a disc, smaller for jagged or long shapes.
        - ``occlusivity``: total length in metres of the occluding radial edges, where
          the view jumps from a near wall to a farther one behind a corner, counting
          only edges at least ``min_occlusion`` long.
        - ``drift``: distance |OC| in metres; how far the view pulls away from the origin.
        - ``drift_direction``: direction of C seen from O, degrees clockwise from north
          (NaN when C = O).
        - ``min_radial``: shortest sight line, metres: the smallest distance from O to the
          first wall (or to the range limit) over all directions in view. For a full
          turn it is the distance from O to the isovist boundary. (depthmapX's "min
          radial" is the distance to the nearest vertex instead.)
        - ``max_radial``: longest sight line, metres: the largest distance from O to a
          point of the boundary.
        - ``inside_obstacle``: True where the origin lies on or inside an obstacle; its
          isovist is empty and its measures NaN.

    Raises
    ------
    InputError
        A point is not a Point, or an argument is out of range.
    CRSError
        Points or obstacles are in a geographic or non-metre CRS, or in different CRSs.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> room = box(-10, -10, 20, 20).difference(box(0, 0, 10, 10))
    >>> iso = isovists([Point(5, 5), Point(15, 15)], [room])
    >>> iso[["area", "perimeter", "inside_obstacle"]].round(6)
        area  perimeter  inside_obstacle
    0  100.0       40.0            False
    1    NaN        NaN             True
    """
    return _engine(obstacles).isovists(
        points, radius=radius, fov=fov, direction=direction, min_occlusion=min_occlusion
    )
