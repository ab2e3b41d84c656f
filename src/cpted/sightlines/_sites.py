"""How much of each public space can be seen from the paths around and through it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from numba import njit

from cpted import settings
from cpted._errors import InputError
from cpted._principle import score
from cpted.sightlines._isovist import IsovistEngine
from cpted.sightlines._segments import _viewpoint_xy, _viewpoints, obstacles
from cpted.sightlines._star import all_ring_angles, star_inside
from cpted.sightlines._sweep import grid_build

if TYPE_CHECKING:
    from cpted.area import StudyArea

__all__ = ["SITE_COLUMNS", "site_measures"]

#: The columns of :func:`site_measures`, in order.
SITE_COLUMNS = ("open_ground_m2", "seen_share", "sightlines_score", "sightlines_confidence")


@njit(cache=True)
def _seen_cells(
    cx: np.ndarray,
    cy: np.ndarray,
    vx: np.ndarray,
    vy: np.ndarray,
    ring: np.ndarray,
    ring_start: np.ndarray,
    reach: float,
    g: float,
    gx: int,
    gy: int,
    cell_start: np.ndarray,
    cell_items: np.ndarray,
) -> np.ndarray:
    """Whether each point lies in the isovist of some viewpoint within ``reach``."""
    n = cx.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    theta0, ang = all_ring_angles(ring, ring_start)
    for c in range(n):
        i0 = max(math.floor((cx[c] - reach) / g), 0)
        i1 = min(math.floor((cx[c] + reach) / g), gx - 1)
        j0 = max(math.floor((cy[c] - reach) / g), 0)
        j1 = min(math.floor((cy[c] + reach) / g), gy - 1)
        for j in range(j0, j1 + 1):
            if out[c]:
                break
            for i in range(i0, i1 + 1):
                if out[c]:
                    break
                cellno = j * gx + i
                for q in range(cell_start[cellno], cell_start[cellno + 1]):
                    v = cell_items[q]
                    a = ring_start[v]
                    b = ring_start[v + 1]
                    if b - a < 4:
                        continue
                    qx = cx[c] - vx[v]
                    qy = cy[c] - vy[v]
                    if qx * qx + qy * qy > reach * reach:
                        continue
                    if star_inside(ring[a:b, 0], ring[a:b, 1], ang[a:b], theta0[v], qx, qy, 1e-9):
                        out[c] = True
                        break
    return out


def site_measures(
    area: StudyArea,
    *,
    cell: float | None = None,
    engine: IsovistEngine | None = None,
) -> pd.DataFrame:
    """
    Measure how much of each public space someone on a path can see.

    The open ground of each site (not under a building or another obstacle) is cut into
    square cells; a cell counts as seen when a viewpoint on a street or path (every
    ``settings.SIGHTLINE_SPACING`` along each segment, as in
    :func:`cpted.sightlines.segment_measures`) within the recognition distance (50 m;
    Gehl 2010) sees its centre. A space watched from its paths is one where someone in
    trouble can be seen (Newman 1972; Jacobs 1961).

    Parameters
    ----------
    area
        The study area.
    cell
        Cell size, metres; default ``settings.SITE_SIGHTLINE_CELL`` (2 m).
    engine
        An :class:`IsovistEngine` built on ``obstacles(area)``, to reuse.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.sites``:

        - ``open_ground_m2``: the site's ground not covered by obstacles (cells × cell²);
        - ``seen_share``: the share of it seen from the paths within 50 m;
        - ``sightlines_score`` (0-100): ``100 × seen_share``, so 100 when every part of
          the space is in view of a path; NaN for a site with no open ground, or that is
          only a building outline (``ground == "building"`` in ``area.sites``);
        - ``sightlines_confidence`` (0-1): ``settings.SIGHTLINE_MAP_CONFIDENCE`` (only
          mapped obstacles block sight; trees and kiosks seldom are), 0 without open
          ground.

    Raises
    ------
    InputError
        ``cell`` is not a positive number of metres.
    """
    cell = float(settings.SITE_SIGHTLINE_CELL if cell is None else cell)
    if not (math.isfinite(cell) and cell > 0):
        msg = f"cell must be a positive number of metres; got {cell!r}."
        raise InputError(msg)
    sites = area.sites
    out = pd.DataFrame(index=sites.index, columns=list(SITE_COLUMNS), dtype=float)
    out["open_ground_m2"] = 0.0
    out["sightlines_confidence"] = 0.0
    if not len(sites):
        return out
    if engine is None:
        engine = IsovistEngine(obstacles(area))
    # Cell centres of every site (one vectorised grid per site; sites are few).
    owners, xs, ys = [], [], []
    for k, geom in enumerate(sites.geometry.to_numpy()):
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        nx = max(1, math.ceil((x1 - x0) / cell))
        ny = max(1, math.ceil((y1 - y0) / cell))
        gx_, gy_ = np.meshgrid(x0 + (np.arange(nx) + 0.5) * cell, y0 + (np.arange(ny) + 0.5) * cell)
        inside = shapely.contains_xy(geom, gx_.ravel(), gy_.ravel())
        xs.append(gx_.ravel()[inside])
        ys.append(gy_.ravel()[inside])
        owners.append(np.full(int(inside.sum()), k))
    if not owners:
        return out
    owner = np.concatenate(owners)
    xy = np.column_stack([np.concatenate(xs), np.concatenate(ys)])
    free = ~engine.on_obstacle(xy)
    owner, xy = owner[free], xy[free]
    n = len(sites)
    cells = np.bincount(owner, minlength=n)
    out["open_ground_m2"] = cells * cell**2
    streets = area.streets
    reach = float(settings.SIGHTLINE_RECOGNITION_DISTANCE)
    seen = np.zeros(len(xy), dtype=bool)
    if len(streets) and len(xy):
        lines = streets.geometry.to_numpy()
        vp_owner, position, _ = _viewpoints(lines, settings.SIGHTLINE_SPACING)
        vp = _viewpoint_xy(lines, vp_owner, position)
        ring, ring_start, _, _, _ = engine._raw(vp, radius=reach)
        lo = np.minimum(vp.min(axis=0), xy.min(axis=0)) - reach
        hi = np.maximum(vp.max(axis=0), xy.max(axis=0)) + reach
        gx = max(1, math.ceil((hi[0] - lo[0]) / reach))
        gy = max(1, math.ceil((hi[1] - lo[1]) / reach))
        px = np.ascontiguousarray(vp[:, 0] - lo[0])
        py = np.ascontiguousarray(vp[:, 1] - lo[1])
        cell_start, cell_items = grid_build(px, py, px, py, reach, gx, gy)
        seen = _seen_cells(
            np.ascontiguousarray(xy[:, 0] - lo[0]),
            np.ascontiguousarray(xy[:, 1] - lo[1]),
            px, py, ring, ring_start, reach, reach, gx, gy, cell_start, cell_items,
        )  # fmt: skip
    seen_count = np.bincount(owner[seen], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(cells > 0, seen_count / cells, np.nan)
    if "ground" in sites.columns:
        # A site that is only a building outline has no open ground to see: not 0, not 1.
        share = np.where((sites["ground"].astype(object) == "building").to_numpy(), np.nan, share)
    out["seen_share"] = share
    out["sightlines_score"] = score(out, "sightlines", "site")
    out["sightlines_confidence"] = np.where(
        np.isfinite(share), settings.SIGHTLINE_MAP_CONFIDENCE, 0.0
    )
    return out
