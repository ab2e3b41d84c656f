"""Concealment spots: ground next to a path that a walker cannot see while approaching."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from numba import njit
from rasterio.features import rasterize

from cpted import settings
from cpted._errors import InputError
from cpted.sightlines._isovist import IsovistEngine
from cpted.sightlines._segments import _viewpoint_xy, _viewpoints, obstacles
from cpted.sightlines._star import all_ring_angles, star_inside
from cpted.sightlines._sweep import grid_build

if TYPE_CHECKING:
    from cpted.area import StudyArea

__all__ = ["concealment_spots"]


@njit(cache=True)
def _nearest_piece(
    cx: np.ndarray,
    cy: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    owner: np.ndarray,
    start: np.ndarray,
    g: float,
    gx: int,
    gy: int,
    cell_start: np.ndarray,
    cell_items: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest path piece within ``limit`` of each point: its line, distance, position."""
    n = cx.shape[0]
    line = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.inf)
    pos = np.zeros(n)
    for c in range(n):
        i0 = max(math.floor((cx[c] - limit) / g), 0)
        i1 = min(math.floor((cx[c] + limit) / g), gx - 1)
        j0 = max(math.floor((cy[c] - limit) / g), 0)
        j1 = min(math.floor((cy[c] + limit) / g), gy - 1)
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                cellno = j * gx + i
                for q in range(cell_start[cellno], cell_start[cellno + 1]):
                    k = cell_items[q]
                    dx = bx[k] - ax[k]
                    dy = by[k] - ay[k]
                    dd = dx * dx + dy * dy
                    t = 0.0
                    if dd > 0.0:
                        t = min(max(((cx[c] - ax[k]) * dx + (cy[c] - ay[k]) * dy) / dd, 0.0), 1.0)
                    d = math.hypot(ax[k] + t * dx - cx[c], ay[k] + t * dy - cy[c])
                    if d < dist[c] or (d == dist[c] and owner[k] < line[c]):
                        dist[c] = d
                        line[c] = owner[k]
                        pos[c] = start[k] + t * math.sqrt(dd)
        if dist[c] > limit:
            line[c] = -1
    return line, dist, pos


@njit(cache=True)
def _hidden_cells(
    cell_x: np.ndarray,
    cell_y: np.ndarray,
    cell_owner: np.ndarray,
    cell_pos: np.ndarray,
    vp_x: np.ndarray,
    vp_y: np.ndarray,
    vp_pos: np.ndarray,
    vp_start: np.ndarray,
    ring: np.ndarray,
    ring_start: np.ndarray,
    near: float,
    far: float,
) -> np.ndarray:
    """
    Return, per cell, in how many approach directions (0, 1 or 2) it is hidden.

    A cell at position ``s`` along its segment is hidden in a direction when the segment
    has viewpoints between ``near`` and ``far`` metres before ``s`` in that direction
    and none of their isovists contains the cell's centre.
    """
    n = cell_x.shape[0]
    out = np.zeros(n, dtype=np.int8)
    theta0, ang = all_ring_angles(ring, ring_start)
    for c in range(n):
        o = cell_owner[c]
        s = cell_pos[c]
        for sign in (1.0, -1.0):
            candidates = 0
            seen = False
            for v in range(vp_start[o], vp_start[o + 1]):
                ahead = sign * (s - vp_pos[v])  # how far the viewpoint is before the cell
                if ahead < near or ahead > far:
                    continue
                a = ring_start[v]
                b = ring_start[v + 1]
                if b - a < 4:
                    continue  # the viewpoint stands in an obstacle
                candidates += 1
                qx = cell_x[c] - vp_x[v]
                qy = cell_y[c] - vp_y[v]
                if qx * qx + qy * qy > far * far:
                    continue  # beyond the isovist's range: not seen from there
                if star_inside(ring[a:b, 0], ring[a:b, 1], ang[a:b], theta0[v], qx, qy, 1e-9):
                    seen = True
                    break
            if candidates > 0 and not seen:
                out[c] += 1
    return out


def _chunks(vp_start: np.ndarray, size: int) -> list[tuple[int, int]]:
    """
    Cut the segments into runs ``(first, end)`` of about ``size`` viewpoints each.

    A run holds whole segments: it closes at the first segment boundary at or past
    ``size`` viewpoints, so a segment with more viewpoints makes a run of its own.
    """
    runs = []
    first = 0
    n = len(vp_start) - 1
    while first < n:
        end = int(np.searchsorted(vp_start, vp_start[first] + size, side="left"))
        end = min(max(end, first + 1), n)
        runs.append((first, end))
        first = end
    return runs


def _hidden_by_chunk(
    xy: np.ndarray,
    line_idx: np.ndarray,
    cell_pos: np.ndarray,
    vp_xy: np.ndarray,
    position: np.ndarray,
    vp_start: np.ndarray,
    engine: IsovistEngine,
) -> np.ndarray:
    """
    :func:`_hidden_cells` of every cell, a run of segments at a time.

    A cell's hiddenness depends only on the viewpoints of its own segment, so the
    isovist rings (about 700 vertices each at 25 m) are computed and held for one run
    of ``settings.CONCEALMENT_CHUNK`` viewpoints at a time, not for the whole area: the
    memory is set by the run, the result is the same.
    """
    size = settings.CONCEALMENT_CHUNK
    if not (isinstance(size, int) and size > 0):
        msg = f"settings.CONCEALMENT_CHUNK must be a positive whole number; got {size!r}."
        raise InputError(msg)
    face = float(settings.SIGHTLINE_FACE_DISTANCE)
    near = float(settings.CONCEALMENT_APPROACH)
    order = np.argsort(line_idx, kind="stable")
    cell_start = np.searchsorted(line_idx[order], np.arange(len(vp_start)))
    hidden = np.zeros(len(xy), dtype=np.int8)
    for first, end in _chunks(vp_start, size):
        cells = order[cell_start[first] : cell_start[end]]
        if not len(cells):
            continue
        v0, v1 = vp_start[first], vp_start[end]
        ring, ring_start, _, _, _ = engine._raw(vp_xy[v0:v1], radius=face)
        hidden[cells] = _hidden_cells(
            np.ascontiguousarray(xy[cells, 0]),
            np.ascontiguousarray(xy[cells, 1]),
            line_idx[cells] - first,
            cell_pos[cells],
            np.ascontiguousarray(vp_xy[v0:v1, 0]),
            np.ascontiguousarray(vp_xy[v0:v1, 1]),
            position[v0:v1],
            vp_start[first : end + 1] - v0,
            ring,
            ring_start,
            near,
            face,
        )
    return hidden


def concealment_spots(
    area: StudyArea,
    *,
    distance: float | None = None,
    cell: float | None = None,
    engine: IsovistEngine | None = None,
) -> gpd.GeoDataFrame:
    """
    Find places beside the paths that a walker cannot see while approaching them.

    Ground within ``distance`` of a street segment (and not in an obstacle) is cut into
    square cells. A cell is hidden from one approach direction when no viewpoint on its
    segment between ``settings.CONCEALMENT_APPROACH`` metres before it (4 m: nearer
    than that one can no longer step aside) and the face distance before it (25 m) sees
    its centre: a recess, a blind corner, the space behind a wall or hedge. Hidden cells
    are merged into spots.

    Parameters
    ----------
    area
        The study area.
    distance
        How far from the path a spot may lie, metres; default
        ``settings.CONCEALMENT_DISTANCE`` (5 m).
    cell
        Cell size, metres; default ``settings.CONCEALMENT_CELL`` (1 m).
    engine
        An :class:`IsovistEngine` built on ``obstacles(area)``, to reuse.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per spot (index ``spot``), in ``area.crs``: ``area_m2``; ``depth_m``, the
        largest distance of the spot from the path (how far it reaches in, to a cell's
        accuracy); ``hidden_both_ways`` (True when hidden from walkers coming from
        either end, False when from one only); ``segment``, the segment it lies beside;
        geometry Polygon. Spots smaller than ``settings.CONCEALMENT_MIN_AREA`` (1 m²,
        room for a person) are left out. Viewpoints every
        ``settings.CONCEALMENT_STEP`` (2 m) along each segment.

    Raises
    ------
    InputError
        ``distance`` or ``cell`` is not a positive number of metres.
    """
    distance = float(settings.CONCEALMENT_DISTANCE if distance is None else distance)
    cell = float(settings.CONCEALMENT_CELL if cell is None else cell)
    for name, value in (("distance", distance), ("cell", cell)):
        if not (math.isfinite(value) and value > 0):
            msg = f"{name} must be a positive number of metres; got {value!r}."
            raise InputError(msg)
    columns: dict[str, list[object]] = {
        "area_m2": [],
        "depth_m": [],
        "hidden_both_ways": [],
        "segment": [],
    }
    empty = gpd.GeoDataFrame(columns, geometry=[], crs=area.crs)
    empty.index.name = "spot"
    streets = area.streets
    if not len(streets):
        return empty
    if engine is None:
        engine = IsovistEngine(obstacles(area))
    lines = streets.geometry.to_numpy()
    xmin, ymin, xmax, ymax = shapely.total_bounds(lines)
    # cells on multiples of the cell size, so any part of an area (a tile of a tiled
    # audit) cuts the ground into the same cells as the whole
    xmin = math.floor((xmin - distance) / cell) * cell
    ymin = math.floor((ymin - distance) / cell) * cell
    xmax, ymax = xmax + distance, ymax + distance
    ncol = max(1, math.ceil((xmax - xmin) / cell))
    nrow = max(1, math.ceil((ymax - ymin) / cell))
    top = ymin + nrow * cell
    # Only cells the buffered paths touch are candidates (a raster mask, north up).
    mask = rasterize(
        shapely.buffer(lines, distance),
        out_shape=(nrow, ncol),
        transform=Affine(cell, 0.0, xmin, 0.0, -cell, top),
        all_touched=True,
        dtype="uint8",
    )
    rows, cols = np.nonzero(mask)
    cx = xmin + (cols + 0.5) * cell
    cy = top - (rows + 0.5) * cell
    # The nearest path piece of each cell, its distance and position along the path.
    coords, index = shapely.get_coordinates(lines, return_index=True)
    same = index[1:] == index[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    piece_owner = index[:-1][same]
    piece_len = np.hypot(*(b - a).T)
    run = np.cumsum(piece_len)
    first_of_line = np.searchsorted(piece_owner, piece_owner)  # first piece of each owner
    piece_pos = run - piece_len - (run - piece_len)[first_of_line]
    g = max(distance, cell)
    gx = max(1, math.ceil((xmax - xmin) / g))
    gy = max(1, math.ceil((ymax - ymin) / g))
    ax_, ay_ = np.ascontiguousarray(a[:, 0] - xmin), np.ascontiguousarray(a[:, 1] - ymin)
    bx_, by_ = np.ascontiguousarray(b[:, 0] - xmin), np.ascontiguousarray(b[:, 1] - ymin)
    cell_start, cell_items = grid_build(ax_, ay_, bx_, by_, g, gx, gy)
    nearest, dist, cell_pos = _nearest_piece(
        cx - xmin, cy - ymin, ax_, ay_, bx_, by_, piece_owner, piece_pos,
        g, gx, gy, cell_start, cell_items, distance,
    )  # fmt: skip
    near = nearest >= 0
    xy = np.column_stack([cx[near], cy[near]])
    line_idx, dist, cell_pos = nearest[near], dist[near], cell_pos[near]
    free = ~engine.on_obstacle(xy)
    line_idx, dist, cell_pos, xy = line_idx[free], dist[free], cell_pos[free], xy[free]
    if not len(xy):
        return empty

    owner, position, _ = _viewpoints(lines, settings.CONCEALMENT_STEP)
    vp_xy = _viewpoint_xy(lines, owner, position)
    vp_start = np.searchsorted(owner, np.arange(len(lines) + 1))
    hidden = _hidden_by_chunk(
        xy, line_idx.astype(np.int64), cell_pos, vp_xy, position, vp_start, engine
    )
    sel = hidden > 0
    if not sel.any():
        return empty
    half = cell / 2
    boxes = shapely.box(xy[sel, 0] - half, xy[sel, 1] - half, xy[sel, 0] + half, xy[sel, 1] + half)
    merged = shapely.union_all(boxes)
    # Cells are squares: cut away the parts of them that lie in obstacles.
    areal = engine.geometries[shapely.get_dimensions(engine.geometries) == 2]
    blocking = areal[shapely.intersects(areal, merged)]
    if len(blocking):
        merged = shapely.difference(merged, shapely.union_all(blocking))
    parts = shapely.get_parts(merged)
    parts = parts[shapely.get_type_id(parts) == 3]
    parts = parts[shapely.area(parts) >= settings.CONCEALMENT_MIN_AREA - 1e-9]
    if not len(parts):
        return empty
    # Attribute each hidden cell to its spot, then summarise per spot.
    spot_tree = shapely.STRtree(parts)
    c_idx, s_idx = spot_tree.query(shapely.points(xy[sel]), predicate="intersects")
    first = np.r_[True, c_idx[1:] != c_idx[:-1]]
    c_idx, s_idx = c_idx[first], s_idx[first]
    depth = np.zeros(len(parts))
    np.maximum.at(depth, s_idx, dist[sel][c_idx] + half)
    both = np.zeros(len(parts), dtype=bool)
    np.logical_or.at(both, s_idx, hidden[sel][c_idx] == 2)
    seg_of = pd.Series(line_idx[sel][c_idx]).groupby(s_idx).agg(lambda v: v.mode().iloc[0])
    keep = seg_of.index.to_numpy()  # spots holding at least one hidden cell's centre
    out = gpd.GeoDataFrame(
        {
            "area_m2": shapely.area(parts[keep]),
            "depth_m": np.minimum(depth[keep], distance),
            "hidden_both_ways": both[keep],
            "segment": streets.index.to_numpy()[seg_of.to_numpy(dtype=int)],
        },
        geometry=parts[keep],
        crs=area.crs,
    )
    out.index = pd.RangeIndex(len(out), name="spot")
    return out
