"""
Which points lie on or inside an obstacle, without a shapely Point for each.

An engine asks this of every origin and the concealment search of millions of ground
cells. Building a shapely Point per cell and querying an ``STRtree`` with ``dwithin``
costs more than the rest of the search, so a compiled test decides every point that lies
clearly away from every obstacle's boundary (farther than :data:`_SURE`): such a point is
on an obstacle exactly when it is inside one of its areas (a crossing-number test, which
cannot go wrong that far from an edge). Only the few points nearer than that to some
boundary are left to shapely, so the answer is the one of ``dwithin`` for every point.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numba import njit

from cpted.sightlines._sweep import grid_build

#: Distance from an obstacle's boundary, metres, beyond which the compiled test decides
#: alone. Ten times the on-obstacle tolerance (1e-6 m) and far above the rounding of a
#: distance between coordinates of a few thousand kilometres (about 1e-9 m), so no point
#: it decides lies within the tolerance of a boundary by shapely's reckoning.
_SURE = 1e-5


class ObstacleLocator:
    """
    The obstacles' boundaries, part by part, in a grid for the on-obstacle test.

    Parameters
    ----------
    geoms
        Valid, non-empty shapely geometries (polygons, lines, their collections).
    """

    def __init__(self, geoms: np.ndarray) -> None:
        parts = np.asarray(geoms, dtype=object)
        while len(parts) and np.isin(shapely.get_type_id(parts), [4, 5, 6, 7]).any():
            parts = shapely.get_parts(parts)
        parts = parts[~shapely.is_empty(parts)] if len(parts) else parts
        areal = shapely.get_dimensions(parts) == 2
        # The paths whose edges are tested: every ring of an area, every line or point.
        rings, ring_part = shapely.get_rings(parts[areal], return_index=True)
        others = np.flatnonzero(~areal)
        paths = np.concatenate([rings, parts[others]])
        path_part = np.concatenate([np.flatnonzero(areal)[ring_part], others])
        coords, path = shapely.get_coordinates(paths, return_index=True)
        # a metre below every coordinate, so every part's box lies in the grid
        offset = (coords.min(axis=0) if len(coords) else np.zeros(2)) - 1.0
        coords = coords - offset
        same = path[1:] == path[:-1]
        single = np.flatnonzero(np.bincount(path, minlength=len(paths)) == 1)
        a = np.concatenate([coords[:-1][same], coords[np.searchsorted(path, single)]])
        b = np.concatenate([coords[1:][same], coords[np.searchsorted(path, single)]])
        owner = np.concatenate([path_part[path[:-1][same]], path_part[single]])
        order = np.argsort(owner, kind="stable")
        a, b, owner = a[order], b[order], owner[order]
        n = len(parts)
        self._offset = offset
        self._edge_start = np.searchsorted(owner, np.arange(n + 1))
        self._ax, self._ay = np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1])
        self._bx, self._by = np.ascontiguousarray(b[:, 0]), np.ascontiguousarray(b[:, 1])
        self._areal = np.ascontiguousarray(areal)
        lo = np.full((n, 2), np.inf)
        hi = np.full((n, 2), -np.inf)
        np.minimum.at(lo, owner, np.minimum(a, b))
        np.maximum.at(hi, owner, np.maximum(a, b))
        lo, hi = lo - _SURE, hi + _SURE  # boxes a point must be in to be near the part
        self._box = np.ascontiguousarray(np.column_stack([lo, hi]))
        extent = hi.max(axis=0) if n else np.zeros(2)
        width, height = np.maximum(extent, 1.0)
        # About one part per cell, within sane grid sizes.
        cell = max(math.sqrt(width * height / max(n, 1)), 1.0, math.sqrt(width * height / 4e6))
        self._cell = cell
        self._nx = int(width // cell) + 1
        self._ny = int(height // cell) + 1
        self._cell_start, self._cell_items = grid_build(
            np.ascontiguousarray(lo[:, 0]),
            np.ascontiguousarray(lo[:, 1]),
            np.ascontiguousarray(hi[:, 0]),
            np.ascontiguousarray(hi[:, 1]),
            cell,
            self._nx,
            self._ny,
        )

    def locate(self, xy: np.ndarray) -> np.ndarray:
        """Per point: 0 clear of every obstacle, 1 inside an area, 2 near a boundary."""
        local = xy - self._offset
        return _locate(
            np.ascontiguousarray(local[:, 0]),
            np.ascontiguousarray(local[:, 1]),
            self._box,
            self._areal,
            self._edge_start,
            self._ax,
            self._ay,
            self._bx,
            self._by,
            self._cell,
            self._nx,
            self._ny,
            self._cell_start,
            self._cell_items,
            _SURE,
        )


@njit(cache=True)
def _locate(
    px: np.ndarray,
    py: np.ndarray,
    box: np.ndarray,
    areal: np.ndarray,
    edge_start: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    cell: float,
    nx: int,
    ny: int,
    cell_start: np.ndarray,
    cell_items: np.ndarray,
    sure: float,
) -> np.ndarray:
    """
    Classify points against the parts (local coordinates).

    0: farther than ``sure`` from every part and inside no area; 1: inside an area and
    farther than ``sure`` from its boundary; 2: nearer than ``sure`` to some part's
    boundary and inside no area clearly, or not a finite point: left to shapely.
    """
    n = px.shape[0]
    out = np.zeros(n, dtype=np.int8)
    for p in range(n):
        x = px[p]
        y = py[p]
        if not (math.isfinite(x) and math.isfinite(y)):
            out[p] = 2
            continue
        i = math.floor(x / cell)
        j = math.floor(y / cell)
        if i < 0 or j < 0 or i >= nx or j >= ny:
            continue  # outside every part's box
        c = j * nx + i
        for q in range(cell_start[c], cell_start[c + 1]):
            k = cell_items[q]
            if x < box[k, 0] or y < box[k, 1] or x > box[k, 2] or y > box[k, 3]:
                continue
            inside = False
            near = False
            for e in range(edge_start[k], edge_start[k + 1]):
                x0 = ax[e]
                y0 = ay[e]
                x1 = bx[e]
                y1 = by[e]
                dx = x1 - x0
                dy = y1 - y0
                dd = dx * dx + dy * dy
                t = 0.0
                if dd > 0.0:
                    t = min(max(((x - x0) * dx + (y - y0) * dy) / dd, 0.0), 1.0)
                if math.hypot(x0 + t * dx - x, y0 + t * dy - y) <= sure:
                    near = True
                    break
                # crossing number of a ray to +x, half-open in y so a vertex counts once
                if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * dx / dy:
                    inside = not inside
            if near:
                out[p] = 2
            elif inside and areal[k]:
                out[p] = 1
                break
    return out
