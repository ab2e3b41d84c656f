"""The one place that checks coordinate systems, units and geometry types.

Measures in cpted are in metres. A lux value or an isovist area computed on longitude and
latitude is silently wrong, so where geopandas only warns, cpted raises.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from cpted._errors import CRSError, InputError

__all__ = [
    "check_area",
    "check_geometry_types",
    "check_projected",
    "geodataframe",
    "metric_crs",
]


def metric_crs(crs: object, *, what: str) -> pyproj.CRS:
    """
    Return ``crs`` as a pyproj CRS after checking that its unit is the metre.

    Parameters
    ----------
    crs
        Anything pyproj understands, or None.
    what
        Names the data in the error message, e.g. ``"points"``.

    Returns
    -------
    pyproj.CRS
    """
    if crs is None:
        msg = (
            f"{what} have no CRS. Set the one the coordinates are in with "
            "`gdf.set_crs(...)`, then project to metres with `gdf.to_crs(area.crs)` "
            "or `gdf.to_crs(gdf.estimate_utm_crs())`."
        )
        raise CRSError(msg)
    try:
        crs = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        msg = f"{what} have a CRS that cannot be read ({crs!r}): {exc}"
        raise CRSError(msg) from exc
    if crs.is_geographic or not crs.axis_info:
        msg = (
            f"{what} are in {crs.name} ({crs.to_string()}), a geographic CRS in degrees; "
            "cpted measures in metres. Project first, e.g. "
            "`gdf.to_crs(gdf.estimate_utm_crs())` or `gdf.to_crs(area.crs)`."
        )
        raise CRSError(msg)
    units = {(ax.unit_name or "").lower() for ax in crs.axis_info[:2]}
    if not units <= {"metre", "meter", "m"}:
        msg = (
            f"{what} are in {crs.name} ({crs.to_string()}) whose unit is "
            f"{', '.join(sorted(units))}; cpted measures in metres. Project to a metric CRS "
            "first, e.g. `gdf.to_crs(gdf.estimate_utm_crs())`."
        )
        raise CRSError(msg)
    return crs


def check_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str) -> pyproj.CRS:
    """Check that a GeoDataFrame is in a projected CRS in metres and return that CRS."""
    return metric_crs(gdf.crs, what=what)


def geodataframe(data: object, *, what: str) -> gpd.GeoDataFrame:
    """
    Return ``data`` as a GeoDataFrame, accepting a GeoSeries or a sequence of geometries.

    A plain sequence has no CRS, and the caller decides whether that is allowed.
    """
    if isinstance(data, gpd.GeoDataFrame):
        return data
    if isinstance(data, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=data, crs=data.crs)
    if isinstance(data, shapely.Geometry):
        return gpd.GeoDataFrame(geometry=[data])
    if isinstance(data, Iterable) and not isinstance(data, str | bytes):
        items = list(data)
        geoms = np.asarray(items, dtype=object)
        if len(items) and not all(isinstance(g, shapely.Geometry) for g in items):
            got = type(items[0]).__name__
            msg = f"{what} must be shapely geometries or a GeoDataFrame, got {got}."
            raise InputError(msg)
        return gpd.GeoDataFrame(geometry=list(geoms))
    got = type(data).__name__
    msg = f"{what} must be a GeoDataFrame, a GeoSeries or shapely geometries, got {got}."
    raise InputError(msg)


def check_geometry_types(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries, allowed: set[str], *, what: str
) -> None:
    """Raise InputError naming the rows whose geometry type is not in ``allowed``."""
    types = gdf.geom_type
    bad = types[~types.isin(list(allowed))]
    if len(bad):
        shown = ", ".join(f"{i!r} ({t})" for i, t in bad.head(5).items())
        msg = (
            f"{what} must be {' or '.join(sorted(allowed))}; {len(bad)} rows are not, e.g. {shown}."
        )
        if bad.isin(["MultiPolygon", "MultiLineString", "MultiPoint"]).any():
            msg += " Split multi-part geometries with `gdf.explode(ignore_index=True)`."
        raise InputError(msg)


def check_area(area: object, *, what: str = "area") -> None:
    """Raise InputError unless ``area`` is a StudyArea (or has its layers)."""
    if not all(hasattr(area, name) for name in ("streets", "sites", "graph", "crs")):
        got = type(area).__name__
        msg = (
            f"{what} must be a cpted.StudyArea, got {got}. Make one with "
            "cpted.area_from_file(path) or cpted.area_from_file(cpted.datasets.get_path("
            "'neukoelln'))."
        )
        raise InputError(msg)
