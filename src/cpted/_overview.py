"""The report's overview figure: a static SVG map of the audit, drawn from the data.

The street segments coloured by ``cpted_score`` (the map's colours), buildings in grey,
public spaces outlined (one site highlighted when the report is about it), a scale bar and
a north arrow. The geometry is simplified to under a pixel and written in whole pixels,
and the segments of one colour share one ``<path>``, so a city centre draws in a few
hundred kilobytes where the interactive map needs tens of megabytes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from cpted._i18n import _

if TYPE_CHECKING:
    import geopandas as gpd

    from cpted.audit import Audit

__all__ = ["overview_svg"]

#: Colours of the figure besides the score bands (from :func:`cpted.maps.score_colour`).
_BUILDING = "#d9d9d9"
_SITE = "#555555"
_HIGHLIGHT = "#0b57d0"
#: Scale bar lengths to choose from, metres.
_SCALES = (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


class _Frame:
    """Projected metres to whole SVG pixels (y down), for one extent."""

    def __init__(self, bounds: Sequence[float], width: int, max_height: int, pad: int) -> None:
        minx, miny, maxx, maxy = (float(b) for b in bounds)
        span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        self.scale = min((width - 2 * pad) / span_x, (max_height - 2 * pad) / span_y)
        self.minx, self.maxy, self.pad = minx, maxy, pad
        self.width = int(np.ceil(span_x * self.scale)) + 2 * pad
        self.height = int(np.ceil(span_y * self.scale)) + 2 * pad

    def pixels(self, coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - self.minx) * self.scale + self.pad
        y = (self.maxy - coords[:, 1]) * self.scale + self.pad
        return np.rint(np.column_stack([x, y])).astype(np.int64)

    def path(self, geoms: np.ndarray, *, closed: bool = False) -> str:
        """One SVG path ``d`` for many lines (or polygon rings when ``closed``)."""
        if not len(geoms):
            return ""
        geoms = shapely.simplify(geoms, 0.8 / self.scale, preserve_topology=False)
        parts = shapely.get_parts(geoms)
        if closed:
            parts = shapely.get_rings(parts)
        parts = parts[~shapely.is_empty(parts)]
        if not len(parts):
            return ""
        coords, index = shapely.get_coordinates(parts, return_index=True)
        px = self.pixels(coords)
        # drop points that fall on the pixel of the point before them
        keep = np.ones(len(px), dtype=bool)
        keep[1:] = (np.any(px[1:] != px[:-1], axis=1)) | (index[1:] != index[:-1])
        px, index = px[keep], index[keep]
        starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
        ends = np.r_[starts[1:], len(px)]
        out = []
        for s, e in zip(starts, ends, strict=True):
            if e - s < 2 and not closed:
                # a segment shorter than a pixel: a dot, so it still shows
                x, y = px[s]
                out.append(f"M{x} {y}h1")
                continue
            if closed and e - s < 3:
                continue
            pts = " ".join(f"{x} {y}" for x, y in px[s + 1 : e])
            out.append(f"M{px[s][0]} {px[s][1]}L{pts}{'Z' if closed else ''}")
        return "".join(out)


def _scale_bar(frame: _Frame) -> str:
    target = (frame.width - 2 * frame.pad) / 5 / frame.scale  # about a fifth of the width
    metres = max((s for s in _SCALES if s <= target), default=_SCALES[0])
    length = metres * frame.scale
    x0, y0 = frame.pad + 8, frame.height - frame.pad - 10
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres} m"
    return (
        f'<g class="scale-bar"><rect x="{x0 - 4}" y="{y0 - 16}" width="{length + 8:.0f}" '
        'height="26" fill="#fff" fill-opacity="0.85"/>'
        f'<path d="M{x0} {y0 - 4}v6h{length:.0f}v-6" fill="none" stroke="#222" '
        'stroke-width="1.5"/>'
        f'<text x="{x0 + length / 2:.0f}" y="{y0 - 6}" text-anchor="middle">{label}</text></g>'
    )


def _north_arrow(frame: _Frame) -> str:
    x, y = frame.width - frame.pad - 18, frame.pad + 8
    return (
        f'<g class="north-arrow" transform="translate({x} {y})">'
        '<circle cx="0" cy="16" r="15" fill="#fff" fill-opacity="0.85"/>'
        '<path d="M0 2L7 24L0 19L-7 24Z" fill="#222"/>'
        '<text x="0" y="42" text-anchor="middle" font-weight="bold">N</text></g>'
    )


def _legend(frame: _Frame, site_name: str | None, ring: bool = False) -> tuple[str, int]:
    """Draw the legend in rows below the map, where it hides no street; give its height."""
    from cpted.maps import score_colour

    def line(colour: str, width: float, dash: str = "") -> str:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<path d="M{{x}} {{y}}h22" stroke="{colour}" stroke-width="{width}"{dashed}/>'

    def box(fill: str, opacity: float, colour: str, width: float, dash: str = "") -> str:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<rect x="{{x}}" y="{{y0}}" width="16" height="10" fill="{fill}" '
            f'fill-opacity="{opacity}" stroke="{colour}" stroke-width="{width}"{dashed}/>'
        )

    items = [(line(score_colour(b + 10), 4), f"{b}–{b + 20}") for b in range(0, 100, 20)]
    items.append((line(score_colour(None), 4), _("no score")))
    items.append((box("#e8f0e0", 1, _SITE, 1, "3 2"), _("public space")))
    if site_name:
        items.append((box(_HIGHLIGHT, 0.2, _HIGHLIGHT, 2), site_name[:30]))
    if ring:
        items.append((line(_HIGHLIGHT, 1.5, "6 4"), _("surroundings")))
    x: float = frame.pad
    y = frame.height + 18
    out = [f'<text x="{x}" y="{y + 4}" font-weight="bold">' + _esc(_("CPTED score")) + "</text>"]
    x += 84
    for symbol, label in items:
        step = 32 + 6.5 * len(label)
        if x + step > frame.width - frame.pad:
            x, y = frame.pad + 84, y + 18
        out.append(symbol.format(x=f"{x:.0f}", y=y, y0=y - 5))
        out.append(f'<text x="{x + 26:.0f}" y="{y + 4}">{_esc(label)}</text>')
        x += step
    return '<g class="legend">' + "".join(out) + "</g>", y + 12 - frame.height


def overview_svg(
    audit: Audit,
    *,
    site: Sequence[Any] | None = None,
    extent: Any = None,
    width: int = 960,
    max_height: int = 1000,
    site_name: str | None = None,
    ring: Any = None,
) -> str:
    """
    Draw the audit as a static SVG map: segments by score, sites, scale bar, north arrow.

    Parameters
    ----------
    audit
        The audit to draw.
    site
        Index values of ``audit.sites`` to highlight (the site a report is about).
    extent
        A shapely geometry whose bounds the figure shows (default: every segment).
    width, max_height
        Size of the figure, pixels.
    site_name
        The highlighted site's name for the legend (escaped).
    ring
        A polygon drawn as a dashed outline (the surroundings a site report covers).

    Returns
    -------
    str
        An ``<svg>`` element with a ``<title>``; north is up (the grid north of the
        area's projected CRS, within a degree or two of true north in a UTM zone).
    """
    from cpted.maps import score_colour

    segments: gpd.GeoDataFrame = audit.segments
    sites: gpd.GeoDataFrame = audit.sites
    if extent is not None:
        bounds = shapely.bounds(extent)
    elif len(segments):
        bounds = segments.total_bounds
    else:
        bounds = shapely.bounds(audit.area.boundary)
    if not np.all(np.isfinite(bounds)):
        return ""
    frame = _Frame(bounds, width, max_height, pad=12)
    window = shapely.box(*bounds)
    title = (
        _(
            "Overview: street segments coloured by their combined CPTED score; {site} highlighted"
        ).format(site=site_name)
        if site_name
        else _("Overview: street segments coloured by their combined CPTED score")
    )
    legend, below = _legend(frame, site_name, ring is not None)
    total = frame.height + below
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="overview" width="{frame.width}" '
        f'height="{total}" viewBox="0 0 {frame.width} {total}" role="img" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{_esc(title)}</title>",
        f'<rect width="{frame.width}" height="{frame.height}" fill="#fafafa"/>'
        f'<rect y="{frame.height}" width="{frame.width}" height="{below}" fill="#fff"/>',
    ]

    def inside(table: gpd.GeoDataFrame) -> np.ndarray:
        geoms = table.geometry.to_numpy()
        if extent is None:
            return geoms
        return shapely.intersection(geoms[shapely.intersects(geoms, window)], window)

    buildings = audit.area.buildings
    if len(buildings):
        d = frame.path(inside(buildings), closed=True)
        if d:
            parts.append(f'<path d="{d}" fill="{_BUILDING}" stroke="none"/>')
    if len(sites):
        polygonal = sites[sites.geom_type.isin(["Polygon", "MultiPolygon"])]
        d = frame.path(inside(polygonal), closed=True)
        if d:
            parts.append(
                f'<path d="{d}" fill="#e8f0e0" fill-opacity="0.6" stroke="{_SITE}" '
                'stroke-width="1" stroke-dasharray="3 2"/>'
            )
    if len(segments):
        scores = (
            pd.to_numeric(segments["cpted_score"], errors="coerce")
            if "cpted_score" in segments
            else pd.Series(np.nan, index=segments.index)
        )
        colours = [score_colour(None if pd.isna(s) else float(s)) for s in scores]
        geoms = segments.geometry.to_numpy()
        if extent is not None:
            hit = shapely.intersects(geoms, window)
            geoms = np.where(hit, shapely.intersection(geoms, window), None)
        by_colour: dict[str, list[int]] = {}
        for k, colour in enumerate(colours):
            if geoms[k] is not None:
                by_colour.setdefault(colour, []).append(k)
        # grey (not scored) first, then worst on top so the red stands out
        stops = [score_colour(v) for v in (90, 70, 50, 30, 10)]
        order = [score_colour(None)] + [c for c in stops if c in by_colour]
        line = 1.5 if frame.scale < 0.7 else 2.2  # px: thinner where streets lie close
        for colour in order:
            if colour not in by_colour:
                continue
            d = frame.path(geoms[by_colour[colour]].astype(object))
            if d:
                parts.append(
                    f'<path class="segments" d="{d}" fill="none" stroke="{colour}" '
                    f'stroke-width="{line}" stroke-linecap="round" stroke-linejoin="round"/>'
                )
    if ring is not None:
        d = frame.path(np.array([ring], dtype=object), closed=True)
        if d:
            parts.append(
                f'<path class="surroundings" d="{d}" fill="none" stroke="{_HIGHLIGHT}" '
                'stroke-width="1.5" stroke-dasharray="6 4"/>'
            )
    if site is not None and len(site) and len(sites):
        chosen = sites.loc[[s for s in site if s in sites.index]]
        polys = chosen[chosen.geom_type.isin(["Polygon", "MultiPolygon"])]
        d = frame.path(polys.geometry.to_numpy(), closed=True)
        if d:
            parts.append(
                f'<path class="highlight" d="{d}" fill="{_HIGHLIGHT}" fill-opacity="0.18" '
                f'stroke="{_HIGHLIGHT}" stroke-width="3"/>'
            )
        for point in chosen.geometry[~chosen.index.isin(polys.index)]:
            x, y = frame.pixels(np.array([[point.centroid.x, point.centroid.y]]))[0]
            parts.append(
                f'<circle class="highlight" cx="{x}" cy="{y}" r="8" fill="{_HIGHLIGHT}" '
                f'fill-opacity="0.3" stroke="{_HIGHLIGHT}" stroke-width="3"/>'
            )
        if len(chosen) and site_name:
            centre = shapely.centroid(shapely.union_all(chosen.geometry.to_numpy()))
            x, y = frame.pixels(np.array([[centre.x, centre.y]]))[0]
            parts.append(
                f'<text x="{x}" y="{y}" text-anchor="middle" font-size="13" font-weight="bold" '
                f'fill="{_HIGHLIGHT}" stroke="#fff" stroke-width="3" paint-order="stroke">'
                f"{_esc(site_name)}</text>"
            )
    parts += [
        legend,
        _scale_bar(frame),
        _north_arrow(frame),
        "</svg>",
    ]
    return "".join(parts)
