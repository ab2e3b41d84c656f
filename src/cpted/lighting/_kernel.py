"""Lamp tables and the point-source illuminance kernel shared by points and rasters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray

from cpted import settings
from cpted._errors import InputError
from cpted._validate import check_geometry_types, check_projected, geodataframe
from cpted.lighting._photometry import Photometry, default_photometry, read_photometry

__all__ = ["LampTable", "lamp_lux", "lamp_table", "outside_obstacles", "photometry_of"]

#: Step of the radial scan that finds each lamp's radius of influence, metres.
_RADIUS_STEP = 0.25


@dataclass
class LampTable:
    """The numbers the kernel needs, one entry per lamp, in the order of the input."""

    index: pd.Index
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    height: NDArray[np.float64]
    #: flux x maintenance factor / 1000: multiplies cd/klm into candela
    scale: NDArray[np.float64]
    #: compass azimuth (degrees clockwise from north) of each lamp's C0 plane
    c0_azimuth: NDArray[np.float64]
    photometry: list[Photometry]
    radius: NDArray[np.float64]
    crs: pyproj.CRS | None

    def __len__(self) -> int:
        return int(self.x.size)


def photometry_of(value: Any, *, lamp: object) -> Photometry:
    if isinstance(value, Photometry):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return default_photometry()
    if isinstance(value, str | Path):
        if str(value).strip() == "":
            return default_photometry()
        return read_photometry(value)
    msg = (
        f"Lamp {lamp!r}: its photometry must be a cpted.lighting.Photometry, the path of an "
        f".ldt or .ies file, or empty for the default distribution; got {type(value).__name__}."
    )
    raise InputError(msg)


def _numeric_column(
    gdf: gpd.GeoDataFrame, column: str, default: float, *, positive: bool
) -> NDArray[np.float64]:
    if column not in gdf.columns:
        return np.full(len(gdf), default, dtype=float)
    values = pd.to_numeric(gdf[column], errors="coerce")
    bad_text = values.isna() & gdf[column].notna()
    if bad_text.any():
        first = gdf.index[bad_text.to_numpy()][0]
        msg = (
            f"lamps: {column} of lamp {first!r} is {gdf[column][first]!r}, not a number; "
            f"give {column} in {'metres' if column == 'height' else 'lumens'}."
        )
        raise InputError(msg)
    arr = values.fillna(default).to_numpy(dtype=float)
    bad = (arr <= 0) if positive else (arr < 0)
    if bad.any() or not np.all(np.isfinite(arr)):
        pos = int(np.flatnonzero(bad | ~np.isfinite(arr))[0])
        need = "positive" if positive else "zero or positive"
        msg = (
            f"lamps: {column} of lamp {gdf.index[pos]!r} is {arr[pos]:g}; "
            f"it must be {need} and finite."
        )
        raise InputError(msg)
    return arr


def lamp_table(
    lamps: object,
    *,
    maintenance_factor: float | None = None,
    cutoff_lux: float | None = None,
    max_radius: float | None = None,
) -> LampTable:
    """Validate a lamps layer and turn it into a :class:`LampTable`."""
    gdf = geodataframe(lamps, what="lamps")
    crs = check_projected(gdf, what="lamps") if gdf.crs is not None else None
    if len(gdf):
        check_geometry_types(gdf, {"Point"}, what="lamps")
    mf = settings.MAINTENANCE_FACTOR if maintenance_factor is None else float(maintenance_factor)
    if not 0 < mf <= 1:
        msg = f"maintenance_factor must be in (0, 1], got {mf:g}."
        raise InputError(msg)
    height = _numeric_column(gdf, "height", settings.LAMP_HEIGHT, positive=True)
    flux = _numeric_column(gdf, "flux", settings.LAMP_FLUX, positive=False)
    direction = (
        pd.to_numeric(gdf["light_direction"], errors="coerce").fillna(0.0).to_numpy(float)
        if "light_direction" in gdf.columns
        else np.zeros(len(gdf))
    )
    column = next((c for c in ("photometry", "distribution") if c in gdf.columns), None)
    if column is None:
        phots = [default_photometry()] * len(gdf)
    else:
        phots = [photometry_of(v, lamp=i) for i, v in zip(gdf.index, gdf[column], strict=True)]
    geoms = gdf.geometry.to_numpy()
    if len(gdf) and (shapely.is_empty(geoms).any() or pd.isna(geoms).any()):
        msg = "lamps: some lamps have no geometry; drop them with `lamps[~lamps.is_empty]`."
        raise InputError(msg)
    x = shapely.get_x(geoms).astype(float) if len(gdf) else np.empty(0)
    y = shapely.get_y(geoms).astype(float) if len(gdf) else np.empty(0)
    table = LampTable(
        index=gdf.index,
        x=x,
        y=y,
        height=height,
        scale=flux * mf / 1000.0,
        # C90 points along light:direction, and C angles turn anticlockwise seen from
        # above (CIE 121), so C0 lies 90 degrees clockwise of it.
        c0_azimuth=np.mod(direction + 90.0, 360.0),
        photometry=phots,
        radius=np.empty(len(gdf)),
        crs=crs,
    )
    table.radius = influence_radius(table, cutoff_lux=cutoff_lux, max_radius=max_radius)
    return table


def influence_radius(
    table: LampTable, *, cutoff_lux: float | None = None, max_radius: float | None = None
) -> NDArray[np.float64]:
    """
    Horizontal distance beyond which each lamp gives less than ``cutoff_lux`` anywhere.

    Scans the ground outwards from the foot of the lamp in steps of 0.25 m with the
    largest intensity over all C-planes at each γ, and keeps the last distance where the
    illuminance still reaches the cut-off (so a distribution with a second lobe is not cut
    short). With a cut-off of 0 the radius is infinite.
    """
    cut = settings.LIGHTING_CUTOFF_LUX if cutoff_lux is None else float(cutoff_lux)
    cap = settings.LIGHTING_MAX_RADIUS if max_radius is None else float(max_radius)
    if cut < 0 or not math.isfinite(cut):
        msg = f"cutoff_lux must be zero or positive, got {cut:g}."
        raise InputError(msg)
    if not cap > 0:
        msg = f"The largest lamp radius must be positive, got {cap:g} m."
        raise InputError(msg)
    n = len(table)
    if cut == 0:
        return np.full(n, np.inf)
    out = np.zeros(n)
    r = np.arange(0.0, cap + _RADIUS_STEP / 2, _RADIUS_STEP)
    by_phot: dict[int, list[int]] = {}
    for i, p in enumerate(table.photometry):
        by_phot.setdefault(id(p), []).append(i)
    for members in by_phot.values():
        phot = table.photometry[members[0]]
        for start in range(0, len(members), 2000):
            idx = np.asarray(members[start : start + 2000])
            h = table.height[idx, None]
            gamma = np.degrees(np.arctan2(r[None, :], h))
            cos3 = (h / np.hypot(r[None, :], h)) ** 3
            lux = table.scale[idx, None] * phot.max_over_c(gamma) * cos3 / h**2
            above = lux >= cut
            last = np.where(above.any(axis=1), r.size - 1 - np.argmax(above[:, ::-1], axis=1), -1)
            out[idx] = np.where(
                last >= 0, np.minimum(r[np.maximum(last, 0)] + _RADIUS_STEP, cap), 0
            )
    return out


def lamp_lux(
    table: LampTable, i: int, dx: NDArray[np.float64], dy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """
    Horizontal illuminance on the ground from lamp ``i`` at offsets (dx, dy), lux.

    E = I(C, γ) cos³γ / h², with γ = atan(r / h) and C the plane through the point.
    """
    h = table.height[i]
    r2 = dx * dx + dy * dy
    cos_g = h / np.sqrt(r2 + h * h)
    gamma = np.degrees(np.arccos(np.minimum(cos_g, 1.0)))
    phot = table.photometry[i]
    if phot.is_axial:
        intensity = phot.intensity_axial(gamma)
    else:
        azimuth = np.degrees(np.arctan2(dx, dy))
        intensity = phot.intensity(table.c0_azimuth[i] - azimuth, gamma)
    return table.scale[i] * intensity * cos_g**3 / (h * h)


def outside_obstacles(
    x: NDArray[np.float64], y: NDArray[np.float64], polygons: NDArray[Any], *, gap: float = 0.05
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """
    Move points that stand inside a polygon to just outside its nearest edge.

    Wall-mounted lamps are often mapped on or a little inside the building outline; their
    light leaves through the wall they hang on.
    """
    x, y = x.copy(), y.copy()
    if not len(polygons) or not x.size:
        return x, y
    points = shapely.points(x, y)
    tree = shapely.STRtree(polygons)
    pairs = tree.query(points, predicate="within")
    if not pairs.shape[1]:
        return x, y
    for k in np.unique(pairs[0]):
        poly = polygons[pairs[1][pairs[0] == k][0]]
        line = shapely.shortest_line(points[k], poly.boundary)
        (px, py), (qx, qy) = shapely.get_coordinates(line)
        d = math.hypot(qx - px, qy - py)
        if d > 0:
            x[k] = qx + (qx - px) / d * gap
            y[k] = qy + (qy - py) / d * gap
    return x, y
