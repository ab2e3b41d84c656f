"""A georeferenced grid of values (illuminance, visibility), written as a GeoTIFF."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyproj
from affine import Affine

__all__ = ["Raster"]


@dataclass
class Raster:
    """
    A single-band raster in a projected CRS.

    Attributes
    ----------
    values
        2-D array, row 0 at the north edge; NaN where nothing was computed.
    transform
        Affine transform from (col, row) to map coordinates, as rasterio uses it.
    crs
        The projected CRS of the map coordinates.
    name
        Short name, used as the file name (``lux.tif``).
    units
        What one value measures, e.g. ``"lx"``.
    """

    values: np.ndarray
    transform: Affine
    crs: pyproj.CRS
    name: str
    units: str = ""

    @property
    def resolution(self) -> float:
        """Cell size in metres."""
        return float(abs(self.transform.a))

    def as_stored(self) -> Raster:
        """
        Return the raster with float32 values, as its GeoTIFF stores them.

        An audit keeps its rasters this way: half the memory of float64 (a city's 1 m lux
        grid is a value per square metre), and the values the saved file holds. The
        illuminance is computed in float64 and cast once; the dark spots are found on the
        cast values.
        """
        if self.values.dtype == np.float32:
            return self
        return replace(self, values=np.asarray(self.values, dtype=np.float32))

    def to_geotiff(self, path: str | os.PathLike[str]) -> Path:
        """Write the raster as a float32 GeoTIFF with NaN as nodata; return the path."""
        import rasterio

        path = Path(path)
        values = np.asarray(self.values, dtype="float32")
        profile = {
            "driver": "GTiff",
            "height": values.shape[0],
            "width": values.shape[1],
            "count": 1,
            "dtype": "float32",
            "crs": self.crs.to_wkt(),
            "transform": self.transform,
            "nodata": float("nan"),
            "compress": "deflate",
        }
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(values, 1)
            dst.set_band_description(1, f"{self.name} ({self.units})" if self.units else self.name)
        return path
