"""
The typical lighting of a street class: the estimate used where the lamps are not mapped.

A street of class ``highway`` lit as its class usually is has lamps of
``settings.LAMP_HEIGHT_BY_HIGHWAY`` and ``settings.LAMP_FLUX_BY_HIGHWAY`` on one side,
``settings.LAMP_OFFSET_BY_HIGHWAY`` from its centre line and
``settings.LAMP_SPACING_HEIGHTS`` mounting heights apart. Its average and minimum
illuminance are computed on the centre line between two lamps of a long straight row, with
the same photometry, maintenance factor and kernel as every mapped lamp, on open ground (no
shadows), so an estimate is what a street of that class reaches when it is lit as designed,
never more than the same street with its real, well-placed lamps mapped.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import shapely

from cpted import settings

__all__ = ["typical_lux"]

#: Lamps in the row on either side of the span measured: beyond five spacings a lamp adds
#: nothing above the kernel's cut-off.
_ROW = 5

#: A CRS in metres for the straight street (any projected CRS serves: nothing is placed).
_CRS = 3857


def _lookup(table: dict[str, float], highway: str) -> float:
    return float(table.get(highway, table["default"]))


@functools.lru_cache(maxsize=256)
def _typical(highway: str, height: float, flux: float, offset: float, spacing: float, mf: float):
    from cpted.lighting import illuminance_at

    xs = np.arange(-_ROW, _ROW + 1) * spacing
    lamps = gpd.GeoDataFrame(
        {"height": np.full(len(xs), height), "flux": np.full(len(xs), flux)},
        geometry=shapely.points(xs, np.full(len(xs), offset)),
        crs=_CRS,
    )
    step = settings.LIGHTING_SEGMENT_SPACING
    along = np.arange(step / 2, spacing, step)
    points = np.column_stack([along, np.zeros(len(along))])
    lux = illuminance_at(points, lamps, maintenance_factor=mf)
    return float(lux.mean()), float(lux.min())


def typical_lux(highway: object) -> tuple[float, float]:
    """
    Average and minimum lux of a street of class ``highway`` lit as its class usually is.

    Parameters
    ----------
    highway
        An OSM ``highway`` value; unknown classes take the ``"default"`` entries.

    Returns
    -------
    tuple of float
        (average, minimum) maintained horizontal illuminance on the centre line, lux.
    """
    key = str(highway) if isinstance(highway, str) and highway else "default"
    height = _lookup(settings.LAMP_HEIGHT_BY_HIGHWAY, key)
    return _typical(
        key,
        height,
        _lookup(settings.LAMP_FLUX_BY_HIGHWAY, key),
        _lookup(settings.LAMP_OFFSET_BY_HIGHWAY, key),
        settings.LAMP_SPACING_HEIGHTS * height,
        settings.MAINTENANCE_FACTOR,
    )
