"""Map layers of the lighting principle: lux raster, light pools, dark spots."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import folium
import numpy as np

from cpted._i18n import N_, _
from cpted.maps import add_geojson_layer, add_legend

if TYPE_CHECKING:
    from cpted._raster import Raster
    from cpted.audit import Audit

__all__ = ["LUX_CLASSES", "add_layers", "lux_rgba"]

#: Colour classes of the lux overlay, from the EN 13201-2 P-class minima and averages:
#: below P6's minimum (0.4 lx) reads as dark, then up to P6's average (2 lx), P4's (5 lx),
#: P2's (10 lx), P1's (15 lx) and brighter. (upper bound lx, colour, label); the labels
#: are English, translated where shown (``_(label)``: "0,4–2 lx" in French).
LUX_CLASSES: tuple[tuple[float, str, str], ...] = (
    (0.4, "#000000", N_("< 0.4 lx (dark, below P6 minimum)")),
    (2.0, "#253494", N_("0.4–2 lx")),
    (5.0, "#41b6c4", "2–5 lx (P6–P5)"),
    (10.0, "#c7e9b4", "5–10 lx (P4–P3)"),
    (15.0, "#fee391", "10–15 lx (P2)"),
    (np.inf, "#fec44f", "≥ 15 lx (P1)"),
)


def lux_rgba(values: np.ndarray, *, opacity: float = 0.7) -> np.ndarray:
    """
    Colour a lux array by :data:`LUX_CLASSES` as RGBA bytes.

    NaN (no ground) and ground darker than the first class (0.4 lx) are transparent, so
    the light pools stand out and the basemap shows through where nothing is lit; dark
    walkable ground is drawn by the dark-spots layer instead.
    """
    out = np.zeros((*values.shape, 4), dtype=np.uint8)
    finite = np.isfinite(values)
    lower = LUX_CLASSES[0][0]
    for upper, colour, _label in LUX_CLASSES[1:]:
        sel = finite & (values >= lower) & (values < upper)
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        out[sel, :3] = rgb
        out[sel, 3] = int(255 * opacity)
        lower = upper
    return out


def _web_raster(raster: Raster) -> tuple[np.ndarray, list[list[float]]]:
    """Reproject to Web Mercator (Leaflet stretches overlays in it) and give WGS84 bounds."""
    from affine import Affine
    from pyproj import Transformer
    from rasterio.warp import Resampling, reproject

    rows, cols = raster.values.shape
    t = raster.transform
    west, north = t.c, t.f
    east, south = west + cols * t.a, north + rows * t.e
    to_web = Transformer.from_crs(raster.crs, "EPSG:3857", always_xy=True)
    x0, y0, x1, y1 = to_web.transform_bounds(west, south, east, north, densify_pts=21)
    # Web Mercator stretches distances by 1 / cos(latitude): keep about the source detail
    res = (x1 - x0) / cols
    width = max(1, round((x1 - x0) / res))
    height = max(1, round((y1 - y0) / res))
    dst_t = Affine(res, 0.0, x0, 0.0, -res, y1)
    out = np.full((height, width), np.nan, dtype="float32")
    with warnings.catch_warnings():
        # rasterio multiplies affine matrices with `*`, which affine >= 2.4 flags
        warnings.filterwarnings("ignore", "Use `@` matmul", PendingDeprecationWarning)
        reproject(
            raster.values.astype("float32"),
            out,
            src_transform=t,
            src_crs=raster.crs.to_wkt(),
            dst_transform=dst_t,
            dst_crs="EPSG:3857",
            src_nodata=np.nan,
            dst_nodata=np.nan,
            resampling=Resampling.nearest,
        )
    to_wgs = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    lon0, lat0 = to_wgs.transform(x0, y0)
    lon1, lat1 = to_wgs.transform(x1, y1)
    return out, [[lat0, lon0], [lat1, lon1]]


def add_layers(m: folium.Map, audit: Audit) -> None:
    """
    Add the lighting layers of an audit to a map.

    The lux raster (reprojected to Web Mercator, coloured by EN 13201 class thresholds,
    with its legend) and the dark spots. The segments' ``lighting_score`` colours the one
    segments layer when picked (dashed grey where the lighting could not be measured).
    """
    raster = audit.rasters.get("lux")
    if raster is not None and np.isfinite(raster.values).any():
        web, bounds = _web_raster(raster)
        group = folium.FeatureGroup(name=_("Lighting · Illuminance (lux, maintained)"), show=True)
        # under the vector layers (whose canvas would otherwise lie beneath the image),
        # above the basemap's green and grey streets
        folium.map.CustomPane("cptedRaster", z_index=350, pointer_events=False).add_to(m)
        folium.raster_layers.ImageOverlay(
            image=lux_rgba(web),
            bounds=bounds,
            mercator_project=False,
            interactive=False,
            pane="cptedRaster",
        ).add_to(group)
        group.add_to(m)
        add_legend(
            m,
            _("Horizontal illuminance"),
            [(colour, _(label)) for _upper, colour, label in LUX_CLASSES[1:]],
            _("Untinted: below 0.4 lx (P6 minimum). EN 13201-2 P classes; maintained values."),
            layer=group,
        )
    spots = audit.layers.get("dark_spots")
    if spots is not None and len(spots):
        add_geojson_layer(
            m,
            spots,
            _("Lighting · Dark spots (below the class minimum)"),
            fields=["area_m2", "threshold_lux", "lux_mean", "lux_min"],
            aliases=[_("area (m²)"), _("threshold (lx)"), _("mean (lx)"), _("minimum (lx)")],
            colour="#000000",
            style=lambda f: {"fillOpacity": 0.55, "weight": 1},
            simplify=1.5,
            legend=[("#000000", _("walkable ground darker than its class's minimum"))],
        )
