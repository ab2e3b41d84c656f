"""The one place that checks coordinate systems, units and geometry types.

Measures in cpted are in metres. A lux value or an isovist area computed on longitude and
latitude is silently wrong, so where geopandas only warns, cpted raises.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from cpted._errors import CRSError, InputError
from cpted._i18n import N_, _

#: The names callers give :func:`check_readable` (translated where the message is made).
_READABLE_WHAT = (N_("The weights file"), N_("The layer file"), N_("The OSM file"))

__all__ = [
    "check_area",
    "check_count",
    "check_frames",
    "check_geometry_types",
    "check_path_arg",
    "check_projected",
    "check_readable",
    "compass_degrees",
    "finite_rows",
    "geodataframe",
    "metric_crs",
    "read_crs",
]


def read_crs(crs: object, *, what: str) -> pyproj.CRS:
    """
    Return ``crs`` as a pyproj CRS, or raise CRSError naming it when pyproj cannot read it.

    Parameters
    ----------
    crs
        Anything pyproj understands: ``"EPSG:25833"``, ``25833``, a WKT string, a CRS.
    what
        Names the data in the error message, e.g. ``"the user layer 'lamps'"``.
    """
    try:
        return pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        msg = (
            f"{what}: the CRS {crs!r} is not one pyproj knows ({exc}). Give an EPSG code "
            "that exists, e.g. crs='EPSG:25833' (ETRS89 / UTM 33N) or crs=4326 for lon/lat; "
            "https://epsg.io lists them."
        )
        raise CRSError(msg) from exc


def check_path_arg(value: object, what: str) -> Path:
    """
    Return ``value`` as a Path, or raise InputError when it is no path at all.

    Parameters
    ----------
    value
        What the caller passed where a file or folder name belongs.
    what
        Names the argument in the message, e.g. ``"directory"``.
    """
    if isinstance(value, str | os.PathLike) and str(value).strip():
        return Path(value)
    got = "an empty string" if isinstance(value, str) else f"{type(value).__name__} {value!r}"
    msg = f"{what} must be a path (a str or pathlib.Path), got {got}."
    raise InputError(msg)


def check_readable(path: Path, what: str) -> None:
    """
    Raise InputError when ``path`` is a folder or cannot be opened for lack of permission.

    A missing file passes: each reader names it in its own words. Without this check a
    file behind an unreadable folder reached the decompressors and was called damaged.
    """
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        return
    except IsADirectoryError as exc:
        msg = _(
            "{what} {path} is a folder, not a file; give the path of the file inside it."
        ).format(what=_(what), path=path)
        raise InputError(msg) from exc
    except PermissionError as exc:
        msg = _(
            "{what} {path} cannot be read: permission denied. Check the permissions of the "
            "file and of the folders above it (`ls -ld {parent}`), or copy it somewhere "
            "readable."
        ).format(what=_(what), path=path, parent=path.parent)
        raise InputError(msg) from exc


def check_count(value: object, what: str) -> int:
    """Return ``value`` as an int after checking it is a whole number of at least 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        msg = f"{what} must be a whole number of 0 or more, e.g. 10; got {value!r}."
        raise InputError(msg)
    return int(value)


def compass_degrees(value: object, what: str) -> object:
    """
    Turn a compass point (``"NNW"``) or a numeric text into degrees clockwise from north.

    Numbers and arrays pass through unchanged for the caller to check. Text is read the
    way OSM's ``camera:direction`` is (:func:`cpted._tags.camera_direction`: the 16
    compass points N, NNE, ..., NNW, or a number of degrees); other text raises
    InputError.
    """
    if not isinstance(value, str):
        return value
    from cpted._tags import COMPASS, camera_direction

    degrees = camera_direction(value)
    if not np.isfinite(degrees):
        msg = (
            f"{what} must be degrees clockwise from north (0 north, 90 east) or a compass "
            f"point ({', '.join(COMPASS)}); got {value!r}."
        )
        raise InputError(msg)
    return degrees


def finite_rows(xy: np.ndarray, what: str, *, index: Iterable[object] | None = None) -> None:
    """Raise InputError counting the rows of ``xy`` whose coordinates are not finite."""
    bad = ~np.isfinite(np.asarray(xy, dtype=float)).all(axis=-1)
    if bad.any():
        labels = list(index) if index is not None else list(range(len(bad)))
        shown = ", ".join(repr(labels[i]) for i in np.flatnonzero(bad)[:5])
        msg = (
            f"{what}: {int(bad.sum())} of {len(bad)} have coordinates that are not finite "
            f"numbers (NaN or infinite), e.g. rows {shown}. Fix or drop those rows first."
        )
        raise InputError(msg)


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
    crs = read_crs(crs, what=what)
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


#: A frame of merged extracts: a (west, south, east, north) box or a polygon, in WGS84.
Frame: TypeAlias = tuple[float, float, float, float] | shapely.Polygon


def _box_problem(value: Any) -> str | None:
    """Say what is wrong with ``value`` as a (west, south, east, north) box, or None."""
    try:
        numbers_ = [float(v) for v in value]
    except (TypeError, ValueError):
        return _("{value!r} is not 4 numbers").format(value=value)
    if len(numbers_) != 4 or any(isinstance(v, bool | str) for v in value):
        return _("{value!r} is not 4 numbers").format(value=value)
    west, south, east, north = numbers_
    if not all(np.isfinite(numbers_)):
        return _("{value!r} holds a value that is not a finite number").format(value=value)
    if not (
        -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90
    ):
        return _(
            "{value!r} is out of range (longitudes -180 to 180, latitudes -90 to 90; is it in "
            "metres?)"
        ).format(value=value)
    if west > east:
        return _(
            "{value!r} has west > east (a frame across 180° longitude: give its two halves, "
            "east and west of 180°)"
        ).format(value=value)
    if west == east or south >= north:
        return _("{value!r} encloses no area (south must be less than north)").format(value=value)
    return None


def check_frames(value: object, *, what: str = "frames") -> list[Frame]:
    """
    Return the frames of the extracts a merged OSM file holds, or raise InputError.

    Parameters
    ----------
    value
        A list of (west, south, east, north) boxes in degrees (WGS84); a GeoDataFrame or
        GeoSeries of polygons in any CRS (without one, WGS84); shapely polygons in WGS84;
        or the path of a GeoJSON or GeoPackage file of polygons (read with
        :func:`cpted.read_layer`), such as the ones given to ``osmium extract --polygon``.
        A MultiPolygon is one frame per part; a polygon's holes are not used.
    what
        Names the argument in the messages.

    Returns
    -------
    list
        Boxes as (west, south, east, north) tuples of floats and polygons as shapely
        Polygons, in WGS84. Every problem found is named in one message.
    """
    if isinstance(value, str | os.PathLike):
        from cpted.area import read_layer

        value = read_layer(value)
    if isinstance(value, gpd.GeoDataFrame | gpd.GeoSeries):
        series = value.geometry if isinstance(value, gpd.GeoDataFrame) else value
        if series.crs is not None and not series.crs.equals(pyproj.CRS(4326)):
            series = series.to_crs(4326)
        value = list(series.to_numpy())
    elif isinstance(value, shapely.Geometry):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, str | bytes):
        msg = _(
            "{what} must be a list of (west, south, east, north) boxes in degrees, polygons "
            "(a GeoDataFrame) or the path of a GeoJSON or GeoPackage file of them; got "
            "{got}."
        ).format(what=what, got=type(value).__name__)
        raise InputError(msg)
    items = list(value)
    if not items:
        msg = _(
            "{what} is empty: give the frame of each extract the file was merged from, "
            "e.g. [(24.93, 60.16, 24.95, 60.17), (24.93, 60.17, 24.95, 60.18)], or leave "
            "it out to use the frame the file states."
        ).format(what=what)
        raise InputError(msg)
    if all(isinstance(v, numbers.Real) for v in items):
        msg = _(
            "{what} must be a list of frames, got one box of numbers {value!r}; for a "
            "single frame write [{value!r}]."
        ).format(what=what, value=tuple(items))
        raise InputError(msg)
    frames: list[Frame] = []
    problems: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, shapely.Geometry):
            parts = list(getattr(item, "geoms", [item]))
            if item.is_empty or not all(isinstance(p, shapely.Polygon) for p in parts):
                problems.append(
                    _("frame {i} is {kind}, not a polygon").format(
                        i=i, kind="empty" if item.is_empty else item.geom_type
                    )
                )
                continue
            if (problem := _box_problem(item.bounds)) is not None:
                problems.append(_("frame {i}: {problem}").format(i=i, problem=problem))
                continue
            if not item.is_valid:
                problems.append(
                    _(
                        "frame {i} is not a valid polygon ({why}); repair it with make_valid()"
                    ).format(i=i, why=shapely.is_valid_reason(item))
                )
                continue
            frames.extend(parts)
        elif (problem := _box_problem(item)) is not None:
            problems.append(_("frame {i}: {problem}").format(i=i, problem=problem))
        else:
            west, south, east, north = (float(v) for v in item)
            frames.append((west, south, east, north))
    if problems:
        msg = _(
            "{what}: {problems}. Give each extract's frame as (west, south, east, north) in "
            "degrees, or as a polygon in a GeoDataFrame with its CRS."
        ).format(what=what, problems="; ".join(problems))
        raise InputError(msg)
    return frames
