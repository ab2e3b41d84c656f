"""
Street lighting: lamps, photometry, illuminance at points and on rasters, EN 13201 classes.

Illuminance on the ground is summed over point sources (CIE 140 / EN 13201-3): a lamp at
height ``h`` with luminous intensity ``I(C, γ)`` towards a point gives the horizontal
illuminance ``E = I(C, γ) cos³γ / h²`` there, ``γ`` the angle from the downward vertical
and ``C`` the vertical half-plane through the point. ``I`` comes from the lamp's
photometric file (EULUMDAT or IES LM-63, in cd per 1000 lm), scaled by its flux / 1000 and
by the maintenance factor, or from cpted's default street-lantern distribution
(``settings.DEFAULT_INTENSITY_SHAPE``). A lamp lights only the ground it can see: with
obstacles, each lamp's light is masked by its isovist (:func:`cpted.sightlines.isovists`)
past buildings and opaque barriers, treated as taller than the lamp.

The measures compare maintained illuminance with the P classes of EN 13201-2:2015
(pedestrian and low-speed areas) and keep data gaps apart from measured darkness: a street
tagged ``lit=yes`` with no lamp mapped near it is "lit, lamps not mapped", not dark.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from cpted import settings
from cpted._errors import CRSError, DataError, InputError
from cpted._raster import Raster
from cpted._validate import check_projected, geodataframe
from cpted.lighting._kernel import (
    LampTable,
    lamp_lux,
    lamp_table,
    outside_obstacles,
    photometry_of,
)
from cpted.lighting._photometry import (
    Photometry,
    default_photometry,
    photometry_from_table,
    read_ies,
    read_ldt,
    read_photometry,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from affine import Affine

    from cpted._context import AuditContext
    from cpted._principle import AuditPart
    from cpted.area import StudyArea
    from cpted.sightlines import IsovistEngine

__all__ = [
    "P_CLASSES",
    "Photometry",
    "Raster",
    "area_obstacles",
    "audit_part",
    "dark_spots",
    "default_photometry",
    "illuminance_at",
    "illuminance_grid",
    "lamps_with_defaults",
    "p_class_met",
    "photometry_from_table",
    "read_ies",
    "read_ldt",
    "read_photometry",
    "required_p_class",
    "segment_measures",
    "site_measures",
    "write_geotiff",
]

#: EN 13201-2:2015, Table 3 (P classes): (maintained average, minimum) lux, defined once in
#: :data:`cpted.settings.P_CLASSES` and re-exported here.
P_CLASSES: dict[str, tuple[float, float]] = settings.P_CLASSES

#: Value of ``p_class_met`` when even P6 is not met.
NO_CLASS = "none"

#: Largest number of (lamp, point) pairs evaluated at once (bounds memory).
_CHUNK = 2_000_000


# --------------------------------------------------------------------------------------
# EN 13201 classes
# --------------------------------------------------------------------------------------


def p_class_met(lux_mean: ArrayLike, lux_min: ArrayLike) -> NDArray[np.str_]:
    """
    Return the best EN 13201-2 P class whose average and minimum illuminance are met.

    Parameters
    ----------
    lux_mean, lux_min
        Maintained average and minimum horizontal illuminance, lux (scalars or arrays).

    Returns
    -------
    numpy.ndarray
        ``"P1"`` ... ``"P6"``, or ``"none"`` where not even P6 (2 lx / 0.4 lx) is met or a
        value is NaN.

    Examples
    --------
    >>> from cpted.lighting import p_class_met
    >>> p_class_met([8.0, 12.0, 1.0], [1.6, 1.0, 0.5]).tolist()
    ['P3', 'P4', 'none']
    """
    mean = np.asarray(lux_mean, dtype=float)
    low = np.asarray(lux_min, dtype=float)
    mean, low = np.broadcast_arrays(mean, low)
    out = np.full(mean.shape, NO_CLASS, dtype=object)
    # from the lowest class up, so the best class met is written last
    for name, (avg, minimum) in reversed(P_CLASSES.items()):
        out[(mean >= avg) & (low >= minimum)] = name
    return out.astype(str)


def required_p_class(highway: ArrayLike) -> NDArray[np.str_]:
    """
    Return the P class a street of each ``highway`` class needs.

    The classes come from ``settings.REQUIRED_P_CLASS``.

    A list of classes (a way with several ``highway`` values) takes the most demanding.
    """
    table = settings.REQUIRED_P_CLASS
    default = table.get("default", "P4")
    out = []
    for value in np.asarray(highway, dtype=object).ravel():
        values = value if isinstance(value, list | tuple) else [value]
        classes = [table.get(str(v), default) for v in values if isinstance(v, str)]
        out.append(min(classes, key=_class_rank) if classes else default)
    return np.asarray(out, dtype=str).reshape(np.shape(highway))


def _class_rank(name: str) -> int:
    names = list(P_CLASSES)
    if name not in names:
        msg = f"Unknown EN 13201-2 P class {name!r}; use one of {', '.join(names)}."
        raise InputError(msg)
    return names.index(name)


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


def _points_xy(points: object) -> tuple[NDArray[np.float64], pyproj.CRS | None]:
    if isinstance(points, np.ndarray) and points.dtype != object:
        arr = np.asarray(points, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2:
            msg = f"points as an array must have shape (n, 2) of x, y in metres, got {arr.shape}."
            raise InputError(msg)
        if not np.all(np.isfinite(arr)):
            msg = "points hold NaN or infinite coordinates."
            raise InputError(msg)
        return arr, None
    gdf = geodataframe(points, what="points")
    crs = check_projected(gdf, what="points") if gdf.crs is not None else None
    geoms = gdf.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    if len(geoms) and (np.any(types != 0) or shapely.is_empty(geoms).any()):
        first = gdf.index[(types != 0) | shapely.is_empty(geoms)][0]
        msg = (
            f"points must be non-empty shapely Points; row {first!r} is "
            f"{gdf.geometry[first].geom_type}. Use `gdf.representative_point()` or sample "
            "lines with `shapely.line_interpolate_point`."
        )
        raise InputError(msg)
    return shapely.get_coordinates(geoms).reshape(-1, 2), crs


def _obstacle_frame(obstacles: object, crs: pyproj.CRS | None) -> gpd.GeoDataFrame:
    gdf = geodataframe(obstacles, what="obstacles")
    if gdf.crs is not None:
        own = check_projected(gdf, what="obstacles")
        if crs is not None and not own.equals(crs):
            msg = (
                f"obstacles are in {own.name} but the lamps in {crs.name}; reproject with "
                "`obstacles.to_crs(lamps.crs)`."
            )
            raise CRSError(msg)
    geoms = gdf.geometry
    keep = ~(geoms.is_empty | geoms.isna()) & geoms.geom_type.isin(
        ["Polygon", "MultiPolygon", "LineString", "MultiLineString", "LinearRing"]
    )
    out = gpd.GeoDataFrame(geometry=geoms[keep].to_numpy(), crs=crs or gdf.crs)
    return out


def _same_crs(a: pyproj.CRS | None, b: pyproj.CRS | None) -> pyproj.CRS | None:
    if a is not None and b is not None and not a.equals(b):
        msg = (
            f"points are in {a.name} but the lamps in {b.name}; reproject one of them, e.g. "
            "`points.to_crs(lamps.crs)`."
        )
        raise CRSError(msg)
    return a if a is not None else b


def _lamp_isovists(
    table: LampTable,
    obstacles: gpd.GeoDataFrame | gpd.GeoSeries,
    crs: pyproj.CRS | None,
    *,
    engine: IsovistEngine | None = None,
) -> NDArray[Any]:
    """
    One isovist per lamp (a polygon), as far as the lamp's radius of influence.

    A lamp mapped inside a building (wall-mounted lamps often are) is moved just outside
    the nearest wall; one on a wall line or outline is moved to the nearest free point
    within 2 m, so that it lights the side it hangs on rather than nothing.
    """
    try:
        from cpted.sightlines import IsovistEngine
    except ImportError as exc:  # pragma: no cover - the engine ships with cpted
        msg = "Shadows need cpted.sightlines, which could not be imported."
        raise DataError(msg) from exc
    out = np.empty(len(table), dtype=object)
    if not len(table):
        return out
    engine = IsovistEngine(obstacles) if engine is None else engine
    polygons = obstacles.geometry.to_numpy()
    polygons = polygons[np.isin(shapely.get_type_id(polygons), [3, 6])]  # (Multi)Polygon
    x, y = outside_obstacles(table.x, table.y, polygons)
    xy = np.column_stack([x, y])
    stuck = np.flatnonzero(engine.on_obstacle(xy))
    if stuck.size:
        angles = np.radians(np.arange(0.0, 360.0, 22.5))
        ring = np.concatenate(
            [np.column_stack([d * np.sin(angles), d * np.cos(angles)]) for d in _NUDGES]
        )
        for k in stuck:
            candidates = xy[k] + ring
            free = np.flatnonzero(~engine.on_obstacle(candidates))
            if free.size:
                xy[k] = candidates[free[0]]
    radius = np.where(np.isfinite(table.radius), table.radius, settings.LIGHTING_MAX_RADIUS)
    # one call per 10 m band of radii keeps small lamps' isovists small
    band = np.ceil(np.maximum(radius, 1.0) / 10.0) * 10.0
    for value in np.unique(band):
        members = np.flatnonzero(band == value)
        result = engine.isovists(xy[members], radius=float(value))
        out[members] = result.geometry.to_numpy()
    return out


#: Distances, metres, at which a lamp standing on a wall looks for free ground.
_NUDGES = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)


# --------------------------------------------------------------------------------------
# Illuminance at points
# --------------------------------------------------------------------------------------


def illuminance_at(
    points: object,
    lamps: object,
    *,
    obstacles: object = None,
    maintenance_factor: float | None = None,
    cutoff_lux: float | None = None,
) -> NDArray[np.float64]:
    """
    Horizontal illuminance on the ground at points, lux (maintained).

    ``E = Σ I(C, γ) cos³γ / h²`` over the lamps, where each lamp's intensity ``I`` in
    candela is its distribution (cd/klm) × flux / 1000 × maintenance factor.

    Parameters
    ----------
    points
        Where to compute: a GeoDataFrame or GeoSeries of Points, a list of shapely Points,
        or an ``(n, 2)`` array of x, y in the lamps' CRS (metres).
    lamps
        A GeoDataFrame of Points in a projected CRS with ``height`` (mounting height above
        the ground, m) and ``flux`` (luminaire lumens); missing values take
        ``settings.LAMP_HEIGHT`` and ``settings.LAMP_FLUX``. Optional ``photometry`` (or
        ``distribution``): a :class:`Photometry` or the path of a ``.ldt`` / ``.ies`` file,
        empty for the default distribution. Optional ``light_direction``: compass degrees
        of the lamp's C90 plane (its street side, OSM ``light:direction``), 0 if missing;
        it matters only for distributions that are not rotationally symmetric.
    obstacles
        Buildings (Polygons) and opaque barriers (LineStrings) that cast shadows, or None
        for open ground. Each lamp then lights only the points inside its isovist.
    maintenance_factor
        Share of the initial flux maintained; ``settings.MAINTENANCE_FACTOR`` by default.
    cutoff_lux
        A lamp's light is neglected where it falls below this everywhere beyond some
        distance (its radius of influence, see ``settings.LIGHTING_CUTOFF_LUX``); 0 sums
        every lamp at every point (then shadows reach ``settings.LIGHTING_MAX_RADIUS``).

    Returns
    -------
    numpy.ndarray
        Lux at each point, in the order of ``points``.

    Raises
    ------
    cpted.CRSError
        If points, lamps or obstacles are in a geographic CRS or in different CRSs.
    cpted.InputError
        If a lamp's height is not positive, a flux is negative, or a photometric file
        cannot be read.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> from cpted.lighting import illuminance_at
    >>> lamps = gpd.GeoDataFrame(
    ...     {"height": [6.0], "flux": [3000.0]}, geometry=[Point(0, 0)], crs=25833
    ... )
    >>> illuminance_at([Point(0, 0), Point(10, 0)], lamps).round(2).tolist()
    [8.06, 2.26]
    """
    xy, points_crs = _points_xy(points)
    table = lamp_table(lamps, maintenance_factor=maintenance_factor, cutoff_lux=cutoff_lux)
    crs = _same_crs(points_crs, table.crs)
    isovists = None
    if obstacles is not None:
        frame = _obstacle_frame(obstacles, crs)
        if len(frame):
            isovists = _lamp_isovists(table, frame, crs)
    return _illuminance(xy, table, isovists)


def _illuminance(
    xy: NDArray[np.float64], table: LampTable, isovists: NDArray[Any] | None
) -> NDArray[np.float64]:
    n = xy.shape[0]
    out = np.zeros(n)
    if not n or not len(table):
        return out
    tree = cKDTree(xy)
    finite = np.isfinite(table.radius)
    for i in range(len(table)):
        if finite[i]:
            idx = np.asarray(
                tree.query_ball_point([table.x[i], table.y[i]], table.radius[i]), dtype=np.intp
            )
        else:
            idx = np.arange(n)
        for start in range(0, idx.size, _CHUNK):
            part = idx[start : start + _CHUNK]
            if not part.size:
                continue
            px, py = xy[part, 0], xy[part, 1]
            lux = lamp_lux(table, i, px - table.x[i], py - table.y[i])
            if isovists is not None:
                iso = isovists[i]
                if iso is None or shapely.is_empty(iso):
                    continue
                shapely.prepare(iso)
                lux = np.where(shapely.intersects_xy(iso, px, py), lux, 0.0)
            out[part] += lux
    return out


# --------------------------------------------------------------------------------------
# Lamps of a study area
# --------------------------------------------------------------------------------------


def _first(value: object) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return str(value[0]) if len(value) else ""
    return str(value) if isinstance(value, str) else ""


def lamps_with_defaults(area: StudyArea) -> gpd.GeoDataFrame:
    """
    Return the area's lamps, unmapped heights and fluxes taken from the nearest street.

    A lamp with a photometric file but no flux takes the file's rated lamp flux (times its
    ``light_count``; ``flux_source = "photometry"``). Any other lamp whose
    ``height_source`` or ``flux_source`` is ``"default"`` gets the mounting
    height of ``settings.LAMP_HEIGHT_BY_HIGHWAY`` and the flux of
    ``settings.LAMP_FLUX_BY_HIGHWAY`` (times its ``light_count``) for the ``highway`` class
    of the most important street within ``settings.LAMP_CLASS_SEARCH_DISTANCE`` (else the
    nearest street), and its source becomes ``"street_class"``. A lamp without
    ``light_direction`` is turned to face the nearest point of that street
    (``direction_source = "nearest_street"``), which only matters for asymmetric
    photometry.

    Parameters
    ----------
    area
        The study area.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed like ``area.lamps``, with ``street`` (the segment the lamp serves),
        ``street_class``, ``street_distance`` (m) and ``direction_source`` added.
    """
    _check_area(area)
    lamps = area.lamps.copy()
    n = len(lamps)
    for column, default in (
        ("height", np.nan),
        ("flux", np.nan),
        ("light_count", 1.0),
        ("light_direction", np.nan),
    ):
        if column not in lamps.columns:
            lamps[column] = default
    for column in ("height_source", "flux_source"):
        if column not in lamps.columns:
            lamps[column] = "default"
    lamps["street"] = pd.Series(pd.NA, index=lamps.index, dtype=object)
    lamps["street_class"] = ""
    lamps["street_distance"] = np.nan
    direction_known = pd.to_numeric(lamps["light_direction"], errors="coerce").notna()
    lamps["direction_source"] = np.where(direction_known, "osm", "none")
    count = pd.to_numeric(lamps["light_count"], errors="coerce").fillna(1.0).clip(lower=1.0)
    # a luminaire's own file knows its lamp flux better than any street-class default
    phot_column = next((c for c in ("photometry", "distribution") if c in lamps.columns), None)
    if phot_column is not None and n:
        rated = np.array(
            [
                photometry_of(v, lamp=i).rated_flux_lm or np.nan
                for i, v in zip(lamps.index, lamps[phot_column], strict=True)
            ],
            dtype=float,
        )
        use = (lamps["flux_source"] == "default").to_numpy() & np.isfinite(rated)
        lamps.loc[use, "flux"] = rated[use] * count.to_numpy()[use]
        lamps.loc[use, "flux_source"] = "photometry"
    streets = area.streets
    if not n or not len(streets):
        return _last_defaults(lamps, count)
    geoms = streets.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    points = lamps.geometry.to_numpy()
    # every street at the nearest distance, the first in the table's order winning a tie,
    # so the choice never hangs on the order of the spatial index (nor on which part of
    # the area was read, as in a tile of a tiled audit)
    (lamp_i, street_i), dist = tree.query_nearest(points, return_distance=True, all_matches=True)
    pick = np.lexsort((street_i, lamp_i))
    lamp_i, street_i, dist = lamp_i[pick], street_i[pick], dist[pick]
    lead = np.ones(lamp_i.size, dtype=bool)
    lead[1:] = lamp_i[1:] != lamp_i[:-1]
    nearest = np.zeros(n, dtype=np.intp)
    distance = np.full(n, np.nan)
    nearest[lamp_i[lead]] = street_i[lead]
    distance[lamp_i[lead]] = dist[lead]
    classes = np.array([_first(v) for v in streets["highway"].to_numpy()], dtype=object)
    fluxes = settings.LAMP_FLUX_BY_HIGHWAY
    weight = np.array([fluxes.get(c, fluxes["default"]) for c in classes], dtype=float)
    # the most important street close by: kerb-side lamps sit nearer the sidewalk
    near_l, near_s = tree.query(
        points, predicate="dwithin", distance=settings.LAMP_CLASS_SEARCH_DISTANCE
    )
    if near_l.size:
        # of equally important streets the nearest, then the first in the table
        gap = shapely.distance(points[near_l], geoms[near_s])
        order = np.lexsort((near_s, gap, -weight[near_s], near_l))
        first = np.ones(order.size, dtype=bool)
        first[1:] = near_l[order][1:] != near_l[order][:-1]
        nearest[near_l[order][first]] = near_s[order][first]
        distance = shapely.distance(points, geoms[nearest])
    cls = classes[nearest]
    lamps["street"] = streets.index.to_numpy()[nearest]
    lamps["street_class"] = cls
    lamps["street_distance"] = distance
    heights = settings.LAMP_HEIGHT_BY_HIGHWAY
    h_default = (lamps["height_source"] == "default").to_numpy()
    f_default = (lamps["flux_source"] == "default").to_numpy()
    class_height = np.array([heights.get(c, heights["default"]) for c in cls], dtype=float)
    class_flux = np.array([fluxes.get(c, fluxes["default"]) for c in cls], dtype=float)
    lamps.loc[h_default, "height"] = class_height[h_default]
    lamps.loc[h_default, "height_source"] = "street_class"
    lamps.loc[f_default, "flux"] = class_flux[f_default] * count.to_numpy()[f_default]
    lamps.loc[f_default, "flux_source"] = "street_class"
    # face the street where the map does not say
    need = ~direction_known.to_numpy() & (distance > 0.5)
    if need.any():
        foot = shapely.line_interpolate_point(
            geoms[nearest[need]], shapely.line_locate_point(geoms[nearest[need]], points[need])
        )
        dx = shapely.get_x(foot) - shapely.get_x(points[need])
        dy = shapely.get_y(foot) - shapely.get_y(points[need])
        lamps.loc[need, "light_direction"] = np.mod(np.degrees(np.arctan2(dx, dy)), 360.0)
        lamps.loc[need, "direction_source"] = "nearest_street"
    return _last_defaults(lamps, count)


def _last_defaults(lamps: gpd.GeoDataFrame, count: pd.Series) -> gpd.GeoDataFrame:
    """Give a lamp no street could class ``settings.LAMP_HEIGHT`` and ``LAMP_FLUX``."""
    height = pd.to_numeric(lamps["height"], errors="coerce")
    flux = pd.to_numeric(lamps["flux"], errors="coerce")
    lamps["height"] = height.fillna(settings.LAMP_HEIGHT)
    lamps["flux"] = flux.fillna(settings.LAMP_FLUX * count)
    return lamps


def area_obstacles(area: StudyArea) -> gpd.GeoDataFrame:
    """Return what casts shadows: the obstacles to sight (:func:`cpted.sightlines.obstacles`)."""
    from cpted.sightlines import obstacles

    return gpd.GeoDataFrame(geometry=list(obstacles(area).to_numpy()), crs=area.crs)


def _make_lighting(
    area: StudyArea,
    *,
    shadows: bool = True,
    cutoff_lux: float | None = None,
    context: AuditContext | None = None,
) -> tuple[gpd.GeoDataFrame, LampTable, NDArray[Any] | None]:
    """Build the area's lamps with defaults, their kernel table and their isovists."""
    check_projected(area.lamps, what="area.lamps")
    lamps = lamps_with_defaults(area)
    table = lamp_table(lamps, cutoff_lux=cutoff_lux)
    isovists = None
    if shadows:
        obstacles = context.obstacles if context is not None else area_obstacles(area)
        if len(obstacles):
            engine = context.engine if context is not None else None
            isovists = _lamp_isovists(table, obstacles, area.crs, engine=engine)
    return lamps, table, isovists


def _area_lighting(
    area: StudyArea,
    *,
    shadows: bool = True,
    cutoff_lux: float | None = None,
    context: AuditContext | None = None,
) -> tuple[gpd.GeoDataFrame, LampTable, NDArray[Any] | None]:
    """Return the lamps, kernel table and isovists: the audit's own when it has them."""
    _check_area(area)
    if context is not None and shadows and cutoff_lux is None:
        return context.lighting
    return _make_lighting(area, shadows=shadows, cutoff_lux=cutoff_lux, context=context)


# --------------------------------------------------------------------------------------
# Rasters
# --------------------------------------------------------------------------------------


def _cell_centres(raster: Raster) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return x and y of every cell centre of ``raster``, each shaped like its values."""
    rows, cols = raster.values.shape
    t = raster.transform
    xs = t.c + (np.arange(cols) + 0.5) * t.a
    ys = t.f + (np.arange(rows) + 0.5) * t.e
    mesh_x, mesh_y = np.meshgrid(xs, ys)
    return mesh_x, mesh_y


def _grid_frame(bounds: tuple[float, float, float, float], resolution: float) -> Affine:
    from affine import Affine

    west = math.floor(bounds[0] / resolution) * resolution
    north = math.ceil(bounds[3] / resolution) * resolution
    return Affine(resolution, 0.0, west, 0.0, -resolution, north)


def illuminance_grid(
    area: StudyArea,
    *,
    resolution: float = 1.0,
    shadows: bool = True,
    cutoff_lux: float | None = None,
    context: AuditContext | None = None,
) -> Raster:
    """
    Maintained horizontal illuminance over the study area on a square grid, lux.

    Each lamp is evaluated only on the cells within its radius of influence
    (``settings.LIGHTING_CUTOFF_LUX``), masked by its isovist when ``shadows`` is on;
    this gives the same values as :func:`illuminance_at` at the cell centres and needs
    work in proportion to the lit area, not to cells × lamps. Cells outside the area's
    boundary or inside a building are NaN (no ground to light).

    Parameters
    ----------
    area
        The study area; lamps take the defaults of :func:`lamps_with_defaults`.
    resolution
        Cell size, metres.
    shadows
        Mask each lamp's light by its isovist past buildings and opaque barriers.
    cutoff_lux
        See :func:`illuminance_at`; must be positive here.

    Returns
    -------
    cpted.lighting.Raster
        ``values`` (rows × columns, north up), its affine ``transform`` and ``crs``,
        named ``"lux"`` in ``"lx"``; write it with :func:`write_geotiff`.
    """
    from rasterio import features

    _check_area(area)
    if not (isinstance(resolution, int | float) and math.isfinite(resolution) and resolution > 0):
        msg = f"resolution must be a positive number of metres, got {resolution!r}."
        raise InputError(msg)
    cut = settings.LIGHTING_CUTOFF_LUX if cutoff_lux is None else cutoff_lux
    if not cut > 0:
        msg = "illuminance_grid needs a positive cutoff_lux so each lamp covers a finite window."
        raise InputError(msg)
    _, table, isovists = _area_lighting(
        area, shadows=shadows, cutoff_lux=cutoff_lux, context=context
    )
    transform = _grid_frame(area.boundary.bounds, resolution)
    west, north = transform.c, transform.f
    cols = max(1, math.ceil((area.boundary.bounds[2] - west) / resolution))
    rows = max(1, math.ceil((north - area.boundary.bounds[1]) / resolution))
    if rows * cols > 200_000_000:
        msg = (
            f"A {rows} × {cols} grid at {resolution:g} m is too large; use a coarser "
            "resolution or a smaller boundary."
        )
        raise InputError(msg)
    values = np.zeros((rows, cols))
    _accumulate(values, transform, table, isovists)
    mask = features.geometry_mask(
        [area.boundary], out_shape=(rows, cols), transform=transform, invert=True
    )
    if len(area.buildings):
        inside = features.geometry_mask(
            list(area.buildings.geometry), out_shape=(rows, cols), transform=transform, invert=True
        )
        mask &= ~inside
    values[~mask] = np.nan
    return Raster(
        values=values,
        transform=transform,
        crs=pyproj.CRS.from_user_input(area.crs),
        name="lux",
        units="lx",
    )


def _accumulate(
    values: NDArray[np.float64],
    transform: Affine,
    table: LampTable,
    isovists: NDArray[Any] | None,
) -> None:
    """Add every lamp's light to the cells of its window (in place)."""
    from affine import Affine
    from rasterio import features

    rows, cols = values.shape
    res = transform.a
    west, north = transform.c, transform.f
    for i in range(len(table)):
        radius = table.radius[i]
        if not radius > 0:
            continue
        c0 = max(0, math.floor((table.x[i] - radius - west) / res))
        c1 = min(cols, math.ceil((table.x[i] + radius - west) / res))
        r0 = max(0, math.floor((north - table.y[i] - radius) / res))
        r1 = min(rows, math.ceil((north - table.y[i] + radius) / res))
        if c0 >= c1 or r0 >= r1:
            continue
        xs = west + (np.arange(c0, c1) + 0.5) * res - table.x[i]
        ys = north - (np.arange(r0, r1) + 0.5) * res - table.y[i]
        dx, dy = np.meshgrid(xs, ys)
        lux = lamp_lux(table, i, dx, dy)
        keep = dx * dx + dy * dy <= radius * radius
        if isovists is not None:
            iso = isovists[i]
            if iso is None or shapely.is_empty(iso):
                continue
            window = Affine(res, 0.0, west + c0 * res, 0.0, -res, north - r0 * res)
            keep &= features.geometry_mask([iso], out_shape=dx.shape, transform=window, invert=True)
        values[r0:r1, c0:c1] += np.where(keep, lux, 0.0)


def write_geotiff(raster: Raster, path: str | os.PathLike[str]) -> Path:
    """
    Write a raster as a single-band float32 GeoTIFF (deflate-compressed, NaN as nodata).

    The file is written under a temporary name and renamed, so an interrupted write
    leaves no half file.

    Parameters
    ----------
    raster
        A raster, e.g. from :func:`illuminance_grid`.
    path
        Where to write; the parent folder must exist.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    if not path.parent.is_dir():
        msg = f"Cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist."
        raise InputError(msg)
    fd, tmp = tempfile.mkstemp(suffix=".tif", prefix=f".{path.stem}.", dir=path.parent)
    os.close(fd)
    try:
        raster.to_geotiff(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


# --------------------------------------------------------------------------------------
# Measures per street segment and per site
# --------------------------------------------------------------------------------------


def _segment_samples(
    streets: gpd.GeoDataFrame, spacing: float
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Sample points at the centres of equal pieces at most ``spacing`` long (EN 13201-3)."""
    geoms = streets.geometry.to_numpy()
    length = shapely.length(geoms)
    count = np.maximum(1, np.ceil(length / spacing).astype(int))
    owner = np.repeat(np.arange(len(geoms)), count)
    start = np.cumsum(count) - count
    k = np.arange(owner.size) - start[owner]
    dist = (k + 0.5) * length[owner] / count[owner]
    pts = shapely.line_interpolate_point(geoms[owner], dist)
    return owner, shapely.get_coordinates(pts).reshape(-1, 2)


def _lamps_near(
    lamps: gpd.GeoDataFrame, geoms: NDArray[Any], distance: float
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Per geometry: number of lamps within ``distance``, and the share with known flux/height."""
    n = len(geoms)
    count = np.zeros(n, dtype=np.int64)
    flux_known = np.zeros(n)
    height_known = np.zeros(n)
    if not len(lamps) or not n:
        return count, flux_known, height_known
    tree = shapely.STRtree(lamps.geometry.to_numpy())
    geom_i, lamp_i = tree.query(geoms, predicate="dwithin", distance=distance)
    count = np.bincount(geom_i, minlength=n)
    known = {"osm", "inventory", "levels"}
    f = lamps["flux_source"].isin(known).to_numpy()[lamp_i].astype(float)
    h = lamps["height_source"].isin(known).to_numpy()[lamp_i].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        flux_known = np.bincount(geom_i, weights=f, minlength=n) / count
        height_known = np.bincount(geom_i, weights=h, minlength=n) / count
    return count, np.nan_to_num(flux_known), np.nan_to_num(height_known)


def _coverage(
    owner: NDArray[np.intp], xy: NDArray[np.float64], lamps: gpd.GeoDataFrame, n: int
) -> NDArray[np.float64]:
    """Share of each feature's sample points within ``LAMP_NEAR_DISTANCE`` of a lamp."""
    if not len(lamps) or not len(owner):
        return np.zeros(n)
    tree = cKDTree(shapely.get_coordinates(lamps.geometry.to_numpy()))
    dist, _ = tree.query(xy, k=1)
    near = (dist <= settings.LAMP_NEAR_DISTANCE).astype(float)
    counts = np.bincount(owner, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.bincount(owner, weights=near, minlength=n) / counts
    return np.nan_to_num(share)


def _summarise(
    owner: NDArray[np.intp], lux: NDArray[np.float64], n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    counts = np.bincount(owner, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(owner, weights=lux, minlength=n) / counts
    low = np.full(n, np.inf)
    np.minimum.at(low, owner, lux)
    low[counts == 0] = np.nan
    mean[counts == 0] = np.nan
    return mean, low


def _lit_share(
    lit: NDArray[Any],
    mean: NDArray[np.float64],
    has_lamps: NDArray[np.bool_],
    classes: NDArray[Any],
) -> NDArray[np.float64]:
    """
    Share of the segments of each class that the map shows lit, for every row.

    A segment's lighting is known when it has a ``lit`` tag or lamps near it; it is lit
    when tagged ``yes``/``limited`` or measured at P6's average or more. A class with fewer
    than ``settings.LIGHTING_SHARE_MIN_SEGMENTS`` known segments takes the share of all
    known segments, and with fewer of those ``settings.LIGHTING_DEFAULT_LIT_SHARE``.
    """
    lit_tag = np.isin(lit, ["yes", "limited"])
    known = lit_tag | (lit == "no") | has_lamps
    with np.errstate(invalid="ignore"):
        is_lit = lit_tag | (has_lamps & (np.nan_to_num(mean) >= P_CLASSES["P6"][0]))
    least = settings.LIGHTING_SHARE_MIN_SEGMENTS
    overall = (
        float(is_lit[known].mean()) if known.sum() >= least else settings.LIGHTING_DEFAULT_LIT_SHARE
    )
    frame = pd.DataFrame({"cls": classes.astype(str), "known": known, "lit": is_lit & known})
    groups = frame.groupby("cls")[["known", "lit"]].sum()
    by_class = {
        c: (row["lit"] / row["known"] if row["known"] >= least else overall)
        for c, row in groups.iterrows()
    }
    return np.array([by_class.get(str(c), overall) for c in classes], dtype=float)


def _typical_here(
    classes: NDArray[Any],
    mean: NDArray[np.float64],
    low: NDArray[np.float64],
    measured: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """
    Estimate the typical (average, minimum) lux of each row's street class in this area.

    The design lighting of the class (:func:`cpted.lighting._typical.typical_lux`: lamps
    of the class's height and flux at the usual spacing), scaled by how far the *measured*
    streets of this area fall short of their own classes' design lighting: the median of
    measured / design lux over the measured, lit or untagged segments (average and minimum
    each), at most 1, where at least ``settings.LIGHTING_SHARE_MIN_SEGMENTS`` are measured.
    So an unmapped street counts as lit like the typical mapped street of the same town,
    relative to what its own class is designed for: estimated streets as a group neither
    rise above nor fall below the measured ones, a demanding class (a P2 pedestrian street)
    is not judged on a handful of its own mapped segments, and no estimate exceeds the
    design lighting of its class.
    """
    from cpted.lighting._typical import typical_lux

    n = len(classes)
    design = np.array([typical_lux(c) for c in classes], dtype=float).reshape(n, 2)
    rows = np.flatnonzero(measured)
    if len(rows) < settings.LIGHTING_SHARE_MIN_SEGMENTS:
        return design
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.column_stack([mean[rows], low[rows]]) / design[rows]
    factor = np.clip(np.nanmedian(ratio, axis=0), 0.0, 1.0)
    return design * np.nan_to_num(factor, nan=1.0)


def _measures(
    lit: NDArray[Any],
    mean: NDArray[np.float64],
    low: NDArray[np.float64],
    required: NDArray[np.str_],
    near: tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]],
    coverage: NDArray[np.float64],
    index: pd.Index,
    classes: NDArray[Any],
    *,
    kind: str,
) -> pd.DataFrame:
    from cpted._principle import score

    count, flux_known, height_known = near
    with np.errstate(invalid="ignore", divide="ignore"):
        u0 = np.where(mean > 0, low / mean, np.nan)
    met = p_class_met(mean, low)
    has_lamps = count > 0
    lit = np.asarray(lit, dtype=object)
    lit_tag = np.isin(lit, ["yes", "limited"])
    status = np.where(
        has_lamps,
        "measured",
        np.where(lit_tag, "lit_lamps_not_mapped", np.where(lit == "no", "unlit", "unknown")),
    )
    # a street tagged lit that the mapped lamps leave dark (below even P6's minimum on
    # average): its own lamps are missing from the map, and the tag is the better witness
    contradiction = lit_tag & (np.nan_to_num(mean) < P_CLASSES["P6"][1])
    typical = _typical_here(classes, mean, low, has_lamps & ~contradiction & (lit != "no"))
    part_night = np.where(lit == "limited", settings.LIGHTING_LIMITED_SHARE, 1.0)
    share = _lit_share(lit, mean, has_lamps, classes) if len(lit) else np.empty(0)
    basis = np.select(
        [
            lit_tag & (~has_lamps | contradiction),
            status == "measured",
            status == "unlit",
        ],
        ["estimated_tag", "measured", "unlit"],
        default="estimated_class",
    )
    scored_mean = np.select(
        [basis == "estimated_tag", basis == "estimated_class"],
        [
            np.fmax(np.nan_to_num(mean), typical[:, 0] * part_night),
            typical[:, 0] * share,
        ],
        default=np.nan_to_num(mean),
    )
    scored_min = np.select(
        [basis == "estimated_tag", basis == "estimated_class"],
        [np.fmax(np.nan_to_num(low), typical[:, 1] * part_night), typical[:, 1] * share],
        default=np.nan_to_num(low),
    )
    # measured: 0.5 base, more when the lamps' flux and height are mapped, less when the
    # lit tag contradicts the measure (lamps probably missing from the map)
    measured_conf = 0.5 + 0.3 * flux_known + 0.2 * height_known
    unlit_bright = (lit == "no") & (mean >= P_CLASSES["P6"][0])
    measured_conf = np.where(unlit_bright, measured_conf * 0.6, measured_conf)
    # where a lit (or untagged) way runs far from every mapped lamp, its lamps are
    # probably missing from the map there: trust the measure in proportion
    measured_conf = np.where(lit == "no", measured_conf, measured_conf * (0.5 + 0.5 * coverage))
    confidence = np.select(
        [basis == "measured", basis == "unlit", basis == "estimated_tag"],
        [
            measured_conf,
            np.full(len(lit), 0.6),
            np.full(len(lit), settings.LIGHTING_TAG_CONFIDENCE),
        ],
        default=settings.LIGHTING_CLASS_CONFIDENCE,
    )
    out = pd.DataFrame(
        {
            "lux_mean": np.round(mean, 3),
            "lux_min": np.round(low, 3),
            "uniformity_u0": np.round(u0, 3),
            "p_class_met": met,
            "p_class_required": required,
            "lamps_near": count,
            "lamp_coverage": np.round(coverage, 3),
            "lighting_status": status,
            "lighting_basis": basis,
            "lux_mean_scored": np.round(scored_mean, 3),
            "lux_min_scored": np.round(scored_min, 3),
        },
        index=index,
    )
    out["lighting_score"] = score(out, "lighting", kind)
    out["lighting_confidence"] = np.round(confidence, 3)
    return out


def segment_measures(
    area: StudyArea, *, shadows: bool = True, context: AuditContext | None = None
) -> pd.DataFrame:
    """
    Lighting of every street segment, measured against the EN 13201-2 class it needs.

    Illuminance is computed at sample points along each segment's centre line, at the
    centres of pieces at most ``settings.LIGHTING_SEGMENT_SPACING`` long (EN 13201-3
    places calculation points at the centres of such pieces), with shadows of buildings
    and opaque barriers.

    Parameters
    ----------
    area
        The study area.
    shadows
        Cast shadows of buildings and opaque barriers.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``:

        - ``lux_mean``, ``lux_min``: maintained horizontal illuminance, lux;
        - ``uniformity_u0``: ``lux_min / lux_mean`` (NaN where the mean is 0);
        - ``p_class_met``: the best EN 13201-2 P class met, or ``"none"``;
        - ``p_class_required``: the class the street needs (``settings.REQUIRED_P_CLASS``);
        - ``lamps_near``: lamps within ``settings.LAMP_NEAR_DISTANCE``;
        - ``lamp_coverage``: share of the segment within that distance of a lamp;
        - ``lighting_status``: ``"measured"`` (lamps are mapped near the segment),
          ``"lit_lamps_not_mapped"`` (tagged ``lit=yes``/``limited`` but no lamp mapped:
          a data gap, not darkness), ``"unlit"`` (``lit=no`` and no lamp) or
          ``"unknown"`` (no tag, no lamp);
        - ``lighting_score`` (0-100): for measured and unlit segments,
          ``100 × (½ min(1, Ē / Ē_req) + ½ min(1, E_min / E_min,req))`` with the required
          class's values, so 100 exactly when the required class is met and 0 in the
          dark; for ``lit_lamps_not_mapped`` the tag score of
          ``settings.LIGHTING_TAG_SCORE``; NaN for ``unknown``;
        - ``lighting_confidence`` (0-1): measured segments ``0.5 + 0.3 × share of nearby
          lamps with mapped flux + 0.2 × share with mapped height``, times 0.6 when the
          ``lit`` tag contradicts the measure (tagged lit but below P6's average, or
          tagged unlit but above it), and times ``0.5 + 0.5 × lamp_coverage`` unless
          tagged ``lit=no`` (far from every mapped lamp, lamps are probably missing from
          the map); unlit 0.6; tag-only ``settings.LIGHTING_TAG_CONFIDENCE``; unknown 0.
    """
    _check_area(area)
    streets = area.streets
    if not len(streets):
        return _measures(
            np.empty(0, dtype=object),
            np.empty(0),
            np.empty(0),
            np.empty(0, dtype=str),
            (np.empty(0, np.int64), np.empty(0), np.empty(0)),
            np.empty(0),
            streets.index,
            np.empty(0, dtype=object),
            kind="segment",
        )
    lamps, table, isovists = _area_lighting(area, shadows=shadows, context=context)
    owner, xy = _segment_samples(streets, settings.LIGHTING_SEGMENT_SPACING)
    lux = _illuminance(xy, table, isovists)
    mean, low = _summarise(owner, lux, len(streets))
    required = required_p_class(streets["highway"].to_numpy())
    near = _lamps_near(lamps, streets.geometry.to_numpy(), settings.LAMP_NEAR_DISTANCE)
    lit = streets["lit"].fillna("unknown").to_numpy() if "lit" in streets else None
    if lit is None:
        lit = np.full(len(streets), "unknown", dtype=object)
    coverage = _coverage(owner, xy, lamps, len(streets))
    classes = streets["highway"].to_numpy(dtype=object)
    inputs = (lit, mean, low, required, near, coverage, streets.index, classes)
    _remember_inputs(context, "segment", inputs)
    return _measures(*inputs, kind="segment")


def _site_samples(
    sites: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, spacing: float
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Grid points ``spacing`` apart inside each site, off its buildings."""
    owners: list[NDArray[np.intp]] = []
    coords: list[NDArray[np.float64]] = []
    build_tree = shapely.STRtree(buildings.geometry.to_numpy()) if len(buildings) else None
    build_geoms = buildings.geometry.to_numpy() if len(buildings) else None
    for k, geom in enumerate(sites.geometry.to_numpy()):
        if geom is None or geom.is_empty:
            continue
        ground = geom
        if build_tree is not None and build_geoms is not None:
            hits = build_tree.query(geom, predicate="intersects")
            if hits.size:
                ground = shapely.difference(geom, shapely.union_all(build_geoms[hits]))
        west, south, east, north = geom.bounds
        xs = (
            np.arange(math.floor(west / spacing), math.ceil(east / spacing)) * spacing + spacing / 2
        )
        ys = (
            np.arange(math.floor(south / spacing), math.ceil(north / spacing)) * spacing
            + spacing / 2
        )
        mesh_x, mesh_y = np.meshgrid(xs, ys)
        gx, gy = mesh_x.ravel(), mesh_y.ravel()
        inside = shapely.contains_xy(ground, gx, gy) if not ground.is_empty else np.zeros(0, bool)
        if inside.any():
            pts = np.column_stack([gx[inside], gy[inside]])
        else:
            p = geom.representative_point()
            pts = np.array([[p.x, p.y]])
        owners.append(np.full(len(pts), k, dtype=np.intp))
        coords.append(pts)
    if not owners:
        return np.empty(0, np.intp), np.empty((0, 2))
    return np.concatenate(owners), np.concatenate(coords)


def site_measures(
    area: StudyArea, *, shadows: bool = True, context: AuditContext | None = None
) -> pd.DataFrame:
    """
    Lighting of every site (public space), measured against the P class it needs.

    Illuminance is computed on a grid of points ``settings.LIGHTING_SITE_SPACING`` apart
    over the site's open ground (EN 13201-3 calculation grid), with shadows. The required
    class comes from ``settings.SITE_REQUIRED_P_CLASS`` by site category. A site with no
    lamp within ``settings.LAMP_NEAR_DISTANCE`` is ``"unknown"`` (OSM has no ``lit`` tag
    habit for areas that cpted could rely on).

    Parameters
    ----------
    area
        The study area.
    shadows
        Cast shadows of buildings and opaque barriers.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.sites``, with the columns and rules of
        :func:`segment_measures`.
    """
    _check_area(area)
    sites = area.sites
    table_req = settings.SITE_REQUIRED_P_CLASS
    category = sites["category"].to_numpy() if "category" in sites else np.full(len(sites), "")
    required = np.array(
        [table_req.get(str(c), table_req.get("default", "P3")) for c in category], dtype=str
    )
    if not len(sites):
        return _measures(
            np.empty(0, dtype=object),
            np.empty(0),
            np.empty(0),
            required,
            (np.empty(0, np.int64), np.empty(0), np.empty(0)),
            np.empty(0),
            sites.index,
            np.empty(0, dtype=object),
            kind="site",
        )
    lamps, table, isovists = _area_lighting(area, shadows=shadows, context=context)
    owner, xy = _site_samples(sites, area.buildings, settings.LIGHTING_SITE_SPACING)
    lux = _illuminance(xy, table, isovists)
    mean, low = _summarise(owner, lux, len(sites))
    near = _lamps_near(lamps, sites.geometry.to_numpy(), settings.LAMP_NEAR_DISTANCE)
    lit = (
        sites["lit"].fillna("unknown").to_numpy()
        if "lit" in sites
        else np.full(len(sites), "unknown", dtype=object)
    )
    coverage = _coverage(owner, xy, lamps, len(sites))
    light = settings.SITE_LIGHTING_CLASS
    classes = np.array([light.get(str(c), light["default"]) for c in category], dtype=object)
    inputs = (lit, mean, low, required, near, coverage, sites.index, classes)
    _remember_inputs(context, "site", inputs)
    return _measures(*inputs, kind="site")


#: The per-row inputs of :func:`_measures`, as columns of the table a tile hands back.
_INPUT_COLUMNS = (
    "lit", "mean", "low", "required", "count", "flux_known", "height_known", "coverage",
    "classes",
)  # fmt: skip


def _remember_inputs(context: AuditContext | None, kind: str, inputs: tuple[Any, ...]) -> None:
    """
    Keep the per-row inputs of :func:`_measures` on the audit context of a tiled audit.

    Two figures of :func:`_measures` are statistics of the whole area (the lit share of
    each street class, :func:`_lit_share`, and the median measured/design ratio,
    :func:`_typical_here`): a tile sees only part of the area, so a tiled audit keeps the
    inputs of its own rows and redoes the measures once over all of them
    (:func:`measures_from_inputs`).
    """
    if context is None or not context.keep_inputs:
        return
    lit, mean, low, required, (count, flux_known, height_known), coverage, index, classes = inputs
    values = (lit, mean, low, required, count, flux_known, height_known, coverage, classes)
    frame = pd.DataFrame(dict(zip(_INPUT_COLUMNS, values, strict=True)), index=index)
    context._made[f"lighting_inputs_{kind}"] = frame


def measures_from_inputs(inputs: pd.DataFrame, *, kind: str) -> pd.DataFrame:
    """
    Redo the lighting measures of many rows at once from their kept inputs.

    Parameters
    ----------
    inputs
        The tables :func:`_remember_inputs` kept, concatenated over the tiles.
    kind
        ``"segment"`` or ``"site"``.

    Returns
    -------
    pandas.DataFrame
        What :func:`segment_measures` (or :func:`site_measures`) returns for those rows,
        with the area statistics taken over all of them.
    """
    col = {c: inputs[c].to_numpy() for c in _INPUT_COLUMNS}
    near = (
        col["count"].astype(np.int64),
        col["flux_known"].astype(float),
        col["height_known"].astype(float),
    )
    return _measures(
        col["lit"].astype(object),
        col["mean"].astype(float),
        col["low"].astype(float),
        col["required"].astype(str),
        near,
        col["coverage"].astype(float),
        inputs.index,
        col["classes"].astype(object),
        kind=kind,
    )


# --------------------------------------------------------------------------------------
# Dark spots
# --------------------------------------------------------------------------------------


def dark_spots(
    area: StudyArea,
    *,
    threshold_lux: float | None = None,
    resolution: float = 1.0,
    grid: Raster | None = None,
) -> gpd.GeoDataFrame:
    """
    Contiguous walkable ground darker than it should be, as polygons.

    Walkable ground is each street buffered by ``settings.WALKABLE_HALF_WIDTH`` for its
    class, plus the sites, minus buildings. Only ground whose lighting was measured
    counts: ground within ``settings.LAMP_NEAR_DISTANCE`` of a mapped lamp, or on a street
    tagged ``lit=no``. Streets tagged ``lit=yes`` with no lamp mapped near them, streets
    with neither tag nor lamp, and the stretches of any street far from every mapped lamp
    are data gaps, not dark spots (see :func:`segment_measures`).

    Parameters
    ----------
    area
        The study area.
    threshold_lux
        Illuminance below which ground is dark. By default, the minimum illuminance
        ``E_min`` of the P class each street (or site) needs; where walkable ground of
        several streets overlaps the most demanding applies.
    resolution
        Cell size of the illuminance grid, metres (ignored when ``grid`` is given).
    grid
        A grid from :func:`illuminance_grid` to reuse.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``dark_spot``; ``area_m2``, ``threshold_lux``, ``lux_mean`` and ``lux_min``
        inside the spot, and Polygon geometry (cells joined 4-connected). Spots smaller
        than ``settings.DARK_SPOT_MIN_AREA`` are dropped.
    """
    _check_area(area)
    if threshold_lux is not None and not threshold_lux > 0:
        msg = f"threshold_lux must be positive, got {threshold_lux!r}."
        raise InputError(msg)
    raster = grid if grid is not None else illuminance_grid(area, resolution=resolution)
    sites = site_measures(area) if len(area.sites) else None
    return _dark_spots(area, raster, segment_measures(area), sites, threshold_lux)


def _row_span(
    raster: Raster, geoms: list[Any], grow: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """
    First and last raster row each geometry's bounds reach, one row of slack either side.

    ``grow`` widens each geometry's bounds by that many metres (a line's, for the buffer
    that will be drawn of it). NaN for an empty geometry, which reaches no row (the
    rasteriser would skip it).
    """
    t = raster.transform
    bounds = shapely.bounds(np.asarray(geoms, dtype=object)).reshape(-1, 4)
    south, north = bounds[:, 1], bounds[:, 3]
    if grow is not None:
        south, north = south - grow, north + grow
    with np.errstate(invalid="ignore"):
        a = (south - t.f) / t.e
        b = (north - t.f) / t.e
    return np.column_stack([np.fmin(a, b) - 1.0, np.fmax(a, b) + 1.0])


def _in_rows(shapes: list[tuple[Any, Any]], span: NDArray[np.float64], rows: slice) -> list[Any]:
    """Pick the ``shapes`` whose row ``span`` meets ``rows``, in their order."""
    with np.errstate(invalid="ignore"):
        meets = (span[:, 1] >= rows.start) & (span[:, 0] <= rows.stop)
    return [shapes[i] for i in np.flatnonzero(meets)]


class _Runs(NamedTuple):
    """
    Runs of dark cells along the rows of a grid, in row-major order, with what each holds.

    A run is cells ``start`` to ``stop`` (excluded) of ``row``; ``lux_sum``, ``lux_min`` and
    ``threshold`` are the sum and the least of its illuminance, and the highest threshold
    it was held to. A city's dark ground is kept as its runs (about 16 cells a run in the
    Helsinki sample), never as a mask or label grid of the city's size.
    """

    row: NDArray[np.int64]
    start: NDArray[np.int64]
    stop: NDArray[np.int64]
    lux_sum: NDArray[np.float64]
    lux_min: NDArray[np.float64]
    threshold: NDArray[np.float64]

    @classmethod
    def of_band(
        cls, dark: NDArray[np.bool_], top: int, lux: NDArray[Any], threshold: NDArray[Any]
    ) -> _Runs:
        """Find the runs of the band ``dark`` whose first row is ``top`` of the grid."""
        edges = np.diff(dark.astype(np.int8), axis=1, prepend=0, append=0)
        row, start = np.nonzero(edges == 1)
        _row, stop = np.nonzero(edges == -1)
        # each run's cells, row-major, are one slice of the band's dark cells
        first = np.concatenate([[0], np.cumsum(stop - start)[:-1]]).astype(np.intp)
        cells_lux = lux[dark].astype(np.float64)
        if not len(row):
            nothing = np.zeros(0)
            return cls(row + top, start, stop, nothing, nothing, nothing)
        return cls(
            row + top,
            start,
            stop,
            np.add.reduceat(cells_lux, first),
            np.minimum.reduceat(cells_lux, first),
            np.maximum.reduceat(threshold[dark].astype(np.float64), first),
        )

    @classmethod
    def joined(cls, parts: list[_Runs]) -> _Runs:
        """Join the runs of the bands ``parts``, given top to bottom."""
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls._fields))


def _label_runs(runs: _Runs, ncols: int) -> tuple[NDArray[np.int64], int]:
    """
    Label the 4-connected groups of the cells of ``runs``.

    Two runs join when they lie on neighbouring rows and share a column. The groups are
    numbered from 0 in the order of their first cell in row-major order, which is how
    ``scipy.ndimage.label`` numbers them (from 1) on a mask of the whole grid.

    Returns
    -------
    tuple
        The group of each run, and the number of groups.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    n = len(runs.row)
    if not n:
        return np.zeros(0, dtype=np.int64), 0
    # cells as positions in the grid, row-major; runs are sorted by their first and by their
    # last cell alike (they do not overlap)
    firsts = runs.row * ncols + runs.start
    lasts = runs.row * ncols + runs.stop - 1
    # the runs of the row above that share a column with a run: those whose last cell is
    # at or right of this run's first column, and whose first is at or left of its last
    above = runs.row - 1
    lo = np.searchsorted(lasts, above * ncols + runs.start, side="left")
    hi = np.searchsorted(firsts, above * ncols + runs.stop - 1, side="right")
    count = np.maximum(hi - lo, 0)
    below_run = np.repeat(np.arange(n), count)
    offset = np.arange(len(below_run)) - np.repeat(np.cumsum(count) - count, count)
    above_run = np.repeat(lo, count) + offset
    links = coo_array(
        (np.ones(len(below_run), dtype=np.int8), (below_run, above_run)), shape=(n, n)
    )
    groups, group = connected_components(links, directed=False)
    # renumber by first cell: the runs are in row-major order, so a group's first run holds
    # its first cell
    _groups, first = np.unique(group, return_index=True)
    rank = np.empty(groups, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(groups)
    return rank[group], int(groups)


def _spot_polygons(
    runs: _Runs, spot: NDArray[np.int64], keep: NDArray[np.int64], transform: Any
) -> list[Any]:
    """
    Draw the polygon of each spot in ``keep``, its cells joined 4-connected.

    Each spot is drawn on a window of its own bounds, in cell units (whole numbers, exact
    in floating point), and then placed by ``transform`` as GDAL places the polygons it
    draws on a whole grid (x = c + col·a + row·b, y = f + col·d + row·e): the same polygon,
    without a grid of the city's size.
    """
    import rasterio
    from affine import Affine
    from rasterio import features

    order = np.argsort(spot, kind="stable")
    starts = np.searchsorted(spot[order], keep)
    ends = np.searchsorted(spot[order], keep, side="right")
    t = transform

    def place(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        col, row = xy[:, 0], xy[:, 1]
        return np.column_stack([t.c + col * t.a + row * t.b, t.f + col * t.d + row * t.e])

    out = []
    # one GDAL environment for all the spots: rasterio opens one per call otherwise, and
    # a city's two thousand spots spent a fifth of their time in it
    with rasterio.Env():
        for first, end in zip(starts, ends, strict=True):
            mine = order[first:end]
            row, start, stop = runs.row[mine], runs.start[mine], runs.stop[mine]
            r0, c0 = int(row.min()), int(start.min())
            window = np.zeros((int(row.max()) - r0 + 1, int(stop.max()) - c0), dtype=np.uint8)
            for r, a, b in zip(row - r0, start - c0, stop - c0, strict=True):
                window[r, a:b] = 1
            parts = [
                _polygon(geom["coordinates"], place)
                for geom, _v in features.shapes(
                    window, mask=window.astype(bool), transform=Affine.translation(c0, r0),
                    connectivity=4,
                )
            ]  # fmt: skip
            out.append(parts[0] if len(parts) == 1 else shapely.union_all(parts))
    return out


def _geojson(shapes: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """
    Hand the rasteriser ``(geometry, value)`` pairs as GeoJSON, polygons read at once.

    rasterio reads each geometry's ``__geo_interface__``, which shapely builds point by
    point in Python (most of the time of drawing a city's ground): the rings of all the
    polygons are read here in three vectorised calls. Other geometries go as they are.
    """
    geoms = np.empty(len(shapes), dtype=object)
    geoms[:] = [g for g, _v in shapes]
    kind = shapely.get_type_id(geoms)
    polygonal = np.isin(kind, (3, 6)) & ~shapely.is_empty(geoms)  # Polygon, MultiPolygon
    parts, part_of = shapely.get_parts(geoms[polygonal], return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, point_of = shapely.get_coordinates(rings, return_index=True)
    cuts = np.flatnonzero(np.diff(point_of)) + 1
    ring_xy = np.split(xy, cuts) if len(xy) else []
    part_rings: list[list[Any]] = [[] for _ in range(len(parts))]
    for ring, coords in zip(ring_of, ring_xy, strict=True):
        part_rings[ring].append(coords.tolist())
    geom_parts: list[list[Any]] = [[] for _ in range(int(polygonal.sum()))]
    for part, rings_here in zip(part_of, part_rings, strict=True):
        geom_parts[part].append(rings_here)
    out = []
    made = iter(geom_parts)
    for (geom, value), is_polygonal, type_id in zip(shapes, polygonal, kind, strict=True):
        if not is_polygonal:
            out.append((geom, value))
            continue
        these = next(made)
        if type_id == 3:
            out.append(({"type": "Polygon", "coordinates": these[0]}, value))
        else:
            out.append(({"type": "MultiPolygon", "coordinates": these}, value))
    return out


def _polygon(rings: list[Any], place: Callable[[Any], Any]) -> Any:
    """Make the polygon of GeoJSON ``rings`` (the shell, then its holes), placed by ``place``."""
    shell, *holes = (place(np.asarray(ring, dtype=float)) for ring in rings)
    return shapely.Polygon(shell, holes or None)


def _ground_in_rows(
    order: NDArray[np.intp],
    thresholds: NDArray[np.float64],
    span: NDArray[np.float64],
    rows: slice,
    lines: NDArray[Any],
    half: NDArray[np.float64],
    sites: list[Any],
    n_streets: int,
) -> list[tuple[Any, float]]:
    """
    Draw the ground that reaches ``rows``, with its thresholds, in the drawing ``order``.

    ``thresholds`` and ``span`` (rows reached) are in that order. Ground ``k`` below
    ``n_streets`` is the walkable buffer of the street line ``lines[k]`` (drawn now, as
    :func:`shapely.buffer` draws it with 16 segments a quadrant and flat ends), from there
    on the site polygon ``sites[k - n_streets]``.
    """
    with np.errstate(invalid="ignore"):
        meets = np.flatnonzero((span[:, 1] >= rows.start) & (span[:, 0] <= rows.stop))
    which = order[meets]
    street = which < n_streets
    buffers = iter(
        shapely.buffer(lines[which[street]], half[which[street]], quad_segs=16, cap_style="flat")
    )
    return [
        (next(buffers) if is_street else sites[k - n_streets], float(thr))
        for k, is_street, thr in zip(which, street, thresholds[meets], strict=True)
    ]


def _dark_spots(
    area: StudyArea,
    raster: Raster,
    segs: pd.DataFrame,
    sites: pd.DataFrame | None,
    threshold_lux: float | None,
) -> gpd.GeoDataFrame:
    from affine import Affine
    from rasterio import features

    shape = raster.values.shape
    cell_area = abs(raster.transform.a * raster.transform.e)
    streets = area.streets
    widths = settings.WALKABLE_HALF_WIDTH
    geoms = streets.geometry.to_numpy()
    half = np.array(
        [widths.get(_first(hw), widths["default"]) for hw in streets["highway"].to_numpy()],
        dtype=float,
    )
    usable = segs["lighting_status"].isin(["measured", "unlit"]).to_numpy()
    need = segs["p_class_required"].to_numpy()[usable]
    thresholds = [threshold_lux if threshold_lux is not None else P_CLASSES[r][1] for r in need]
    # the ground: each usable street's walkable buffer (drawn band by band, below), then
    # the open sites as they are
    street_lines, street_half = geoms[usable], half[usable]
    site_ground: list[Any] = []
    if sites is not None and len(area.sites):
        open_ground = sites["lighting_status"].isin(["measured", "unlit"]).to_numpy()
        site_ground = list(area.sites.geometry.to_numpy()[open_ground])
        thresholds.extend(
            threshold_lux if threshold_lux is not None else P_CLASSES[r][1]
            for r in sites["p_class_required"].to_numpy()[open_ground]
        )
    # Darkness is measured only near a mapped lamp or on ground tagged unlit: elsewhere a
    # missing lamp and a missing map entry look the same. The pools are drawn as the
    # polygons of their union, which is how the rasteriser draws a MultiPolygon anyway.
    eligible_shapes: list[tuple[Any, int]] = []
    lamps = area.lamps
    if len(lamps):
        pools = shapely.buffer(lamps.geometry.to_numpy(), settings.LAMP_NEAR_DISTANCE)
        eligible_shapes.extend((g, 1) for g in shapely.get_parts(shapely.union_all(pools)))
    lit = streets["lit"].to_numpy() if "lit" in streets else np.full(len(streets), "unknown")
    unlit = lit == "no"
    eligible_shapes.extend(
        (g, 1) for g in shapely.buffer(geoms[unlit], half[unlit], quad_segs=16, cap_style="flat")
    )
    columns = ["area_m2", "threshold_lux", "lux_mean", "lux_min"]
    empty = gpd.GeoDataFrame(
        {c: pd.Series(dtype=float) for c in columns},
        geometry=gpd.GeoSeries([], crs=raster.crs),
        crs=raster.crs,
    ).rename_axis("dark_spot")
    if not thresholds:
        return empty
    # most demanding last wins where ground overlaps (a stable order: of equal thresholds,
    # streets in the table's order, then sites)
    order = np.argsort(np.asarray(thresholds, dtype=float), kind="stable")
    ground_thr = np.asarray(thresholds, dtype=float)[order]
    # on the values as the audit keeps and lux.tif stores them (float32): a city's grid
    # is then held once, at 4 bytes a cell, and a tiled audit's grid (pasted in float32)
    # gives the spots an untiled one does
    values = raster.as_stored().values
    # The thresholds and the ground where darkness counts are drawn band by band of rows,
    # and only the dark cells are kept with their threshold: a city's raster is held once
    # (the lux values), not again as thresholds and masks of its size. Each band is given
    # only the shapes that reach it (in their order, so the same one wins where they
    # overlap): the rasteriser converts every shape it is given, and a city's shapes
    # handed to each of its bands were most of the time of finding its dark spots. The
    # streets' buffers are drawn for the bands they reach and let go of (a street across a
    # band's edge is buffered for both): a city's buffers are never all held at once.
    ground_rows = np.concatenate(
        [_row_span(raster, list(street_lines), grow=street_half), _row_span(raster, site_ground)]
    )[order]
    n_streets = len(street_lines)
    eligible_rows = _row_span(raster, [g for g, _v in eligible_shapes])
    ncols = shape[1]
    runs: list[_Runs] = []
    band = max(1, settings.DARK_SPOT_BAND_CELLS // max(1, ncols))
    for top in range(0, shape[0], band):
        rows = slice(top, min(top + band, shape[0]))
        height = rows.stop - rows.start
        window = raster.transform @ Affine.translation(0, top)
        here_shapes = _ground_in_rows(
            order, ground_thr, ground_rows, rows, street_lines, street_half, site_ground,
            n_streets,
        )  # fmt: skip
        if here_shapes:
            threshold = features.rasterize(
                _geojson(here_shapes), out_shape=(height, ncols), transform=window, fill=0.0,
                dtype="float64",
            )  # fmt: skip
        else:
            threshold = np.zeros((height, ncols))
        here_eligible = _in_rows(eligible_shapes, eligible_rows, rows)
        if here_eligible:
            eligible = features.rasterize(
                _geojson(here_eligible), out_shape=(height, ncols), transform=window, fill=0,
                dtype="uint8",
            ).astype(bool)  # fmt: skip
        else:
            eligible = np.zeros((height, ncols), dtype=bool)
        chunk = values[rows]
        with np.errstate(invalid="ignore"):
            here = eligible & (threshold > 0) & np.isfinite(chunk) & (chunk < threshold)
        # only the runs of dark cells are kept: no mask or label grid of the city's size
        runs.append(_Runs.of_band(here, top, chunk, threshold))
    dark = _Runs.joined(runs)
    spot, n = _label_runs(dark, ncols)
    if not n:
        return empty
    # per spot, over its runs of dark cells
    counts = np.bincount(spot, weights=dark.stop - dark.start, minlength=n)
    sizes = counts * cell_area
    lux_mean = np.bincount(spot, weights=dark.lux_sum, minlength=n) / counts
    lux_min = np.full(n, np.inf)
    np.minimum.at(lux_min, spot, dark.lux_min)
    thr_max = np.full(n, -np.inf)
    np.maximum.at(thr_max, spot, dark.threshold)
    pos = np.flatnonzero(sizes >= settings.DARK_SPOT_MIN_AREA)
    if not len(pos):
        return empty
    geoms = _spot_polygons(dark, spot, pos, raster.transform)
    out = gpd.GeoDataFrame(
        {
            "area_m2": np.round(sizes[pos], 2),
            "threshold_lux": thr_max[pos],
            "lux_mean": np.round(lux_mean[pos], 3),
            "lux_min": np.round(lux_min[pos], 3),
        },
        geometry=geoms,
        crs=raster.crs,
        index=pd.RangeIndex(len(pos), name="dark_spot"),
    )
    return out


def audit_part(area: StudyArea, *, context: AuditContext | None = None) -> AuditPart:
    """
    Measure the lighting of a study area for :func:`cpted.audit`.

    Parameters
    ----------
    area
        The study area.
    context
        The audit's :class:`~cpted._context.AuditContext`; when it names the rows the
        caller keeps (a tile's own), only those segments and sites are measured (and the
        dark spots found along them), lit by every lamp of ``area``.

    Returns
    -------
    cpted.audit.AuditPart
        ``segments`` and ``sites`` from :func:`segment_measures` and
        :func:`site_measures`, the ``lux`` raster of :func:`illuminance_grid` at
        ``settings.LIGHTING_GRID_RESOLUTION``, and the layers ``lamps`` (with the values
        and sources of :func:`lamps_with_defaults`) and ``dark_spots``.
    """
    from cpted._context import AuditContext
    from cpted._principle import AuditPart

    _check_area(area)
    # one lamp table and one set of lamp isovists for the grid, the segments and the sites
    context = AuditContext(area) if context is None else context
    grid = illuminance_grid(area, resolution=settings.LIGHTING_GRID_RESOLUTION, context=context)
    # the rows the caller keeps (a tile's own) are lit by the lamps of the whole area (the
    # context's); each row's light is its own, so only those rows are measured
    kept = area
    if context.rows is not None:
        segs, spaces = context.rows
        kept = replace(
            area,
            streets=area.streets.loc[area.streets.index.isin(segs)],
            sites=area.sites.loc[area.sites.index.isin(spaces)],
        )
    segments = segment_measures(kept, context=context)
    sites = site_measures(kept, context=context)
    lamps = context.lamps
    layers = {"lamps": lamps}
    # a tile's dark spots would be cut at its edge: a tiled audit finds them once on the
    # whole raster (cpted._tiles)
    grid = grid.as_stored()  # float32 from here on, as kept and saved: half the memory
    if not context.keep_inputs:
        layers["dark_spots"] = _dark_spots(kept, grid, segments, sites, None)
    return AuditPart(segments=segments, sites=sites, layers=layers, rasters={"lux": grid})


def _check_area(area: object) -> None:
    missing = [
        name
        for name in ("lamps", "streets", "buildings", "barriers", "sites", "boundary", "crs")
        if not hasattr(area, name)
    ]
    if missing:
        msg = (
            f"Expected a cpted.StudyArea (from cpted.area_from_file, ...), got "
            f"{type(area).__name__} without {', '.join(missing)}."
        )
        raise InputError(msg)
