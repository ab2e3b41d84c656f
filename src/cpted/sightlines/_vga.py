"""Visibility graph analysis (VGA) on a grid, as depthmapX defines its measures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from affine import Affine
from numba import njit

from cpted import settings
from cpted._errors import InputError
from cpted._raster import Raster
from cpted._validate import check_projected, geodataframe
from cpted.sightlines import _sweep
from cpted.sightlines._isovist import (
    _FIRST_SEARCH_RADIUS,
    IsovistEngine,
    _arc_vertices,
    _radius,
)
from cpted.sightlines._star import ring_angles, star_inside

__all__ = ["VGA", "VGA_MEASURES", "vga"]

#: The measure columns of :func:`vga`, in order.
VGA_MEASURES = ("connectivity", "mean_depth", "integration_hh", "clustering")


@dataclass
class VGA:
    """
    The result of :func:`vga`: one row per grid cell, and the same measures as rasters.

    Attributes
    ----------
    cells
        GeoDataFrame of the cell centres (Points), with ``row`` and ``col`` in the
        raster and the columns of ``VGA_MEASURES``.
    rasters
        One :class:`cpted._raster.Raster` per measure (NaN outside the region and on
        obstacles); write one with ``rasters["integration_hh"].to_geotiff(path)``. Empty
        when neither region nor obstacles carry a CRS.
    cell
        Cell size, metres.
    """

    cells: gpd.GeoDataFrame
    rasters: dict[str, Raster] = field(default_factory=dict)
    cell: float = 2.0


@njit(cache=True)
def _popcount(x: np.uint64) -> int:
    """Count the set bits of a 64-bit word (SWAR)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True)
def _visibility_bits(
    cx: np.ndarray, cy: np.ndarray, coords: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """
    Return symmetric adjacency bitsets (n, ceil(n / 64)): cell j is seen from cell i.

    Cell j is seen when its centre lies in cell i's isovist (a star-shaped test, see
    :mod:`cpted.sightlines._star`); the test runs once per pair and sets both bits.
    """
    n = cx.shape[0]
    words = (n + 63) // 64
    bits = np.zeros((n, words), dtype=np.uint64)
    for i in range(n):
        a = offsets[i]
        b = offsets[i + 1]
        m = b - a
        if m < 4:
            continue
        px = coords[a:b, 0]
        py = coords[a:b, 1]
        theta0, ang = ring_angles(px, py)
        for j in range(i + 1, n):
            if star_inside(px, py, ang, theta0, cx[j] - cx[i], cy[j] - cy[i], 1e-9):
                bits[i, j // 64] |= np.uint64(1) << np.uint64(j % 64)
                bits[j, i // 64] |= np.uint64(1) << np.uint64(i % 64)
    return bits


@njit(cache=True)
def _graph_measures(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return connectivity, total depth, nodes reached (with the cell) and clustering."""
    n, words = bits.shape
    conn = np.zeros(n, dtype=np.int64)
    for v in range(n):
        c = 0
        for w in range(words):
            c += _popcount(bits[v, w])
        conn[v] = c
    total = np.zeros(n, dtype=np.int64)
    reached = np.zeros(n, dtype=np.int64)
    visited = np.zeros(words, dtype=np.uint64)
    nxt = np.zeros(words, dtype=np.uint64)
    frontier = np.empty(n, dtype=np.int64)
    new_frontier = np.empty(n, dtype=np.int64)
    for s in range(n):
        visited[:] = 0
        visited[s // 64] |= np.uint64(1) << np.uint64(s % 64)
        frontier[0] = s
        nf = 1
        depth = 0
        td = 0
        count = 1
        while nf > 0:
            depth += 1
            nxt[:] = 0
            for q in range(nf):
                u = frontier[q]
                for w in range(words):
                    nxt[w] |= bits[u, w]
            nn = 0
            for w in range(words):
                x = nxt[w] & ~visited[w]
                visited[w] |= x
                while x:
                    low = x & (~x + np.uint64(1))
                    # index of the lowest set bit
                    b = _popcount(low - np.uint64(1))
                    new_frontier[nn] = w * 64 + b
                    nn += 1
                    x ^= low
            td += depth * nn
            count += nn
            for q in range(nn):
                frontier[q] = new_frontier[q]
            nf = nn
        total[s] = td
        reached[s] = count
    clustering = np.full(n, np.nan)
    for v in range(n):
        k = conn[v]
        if k < 2:
            continue
        links = 0
        for w in range(words):
            x = bits[v, w]
            while x:
                low = x & (~x + np.uint64(1))
                i = w * 64 + _popcount(low - np.uint64(1))
                for z in range(words):
                    links += _popcount(bits[i, z] & bits[v, z])
                x ^= low
        clustering[v] = links / (k * (k - 1))
    return conn, total, reached, clustering


def _region(region: object) -> tuple[shapely.Geometry, pyproj.CRS | None]:
    if isinstance(region, shapely.Geometry):
        geoms = [region]
        crs = None
    else:
        gdf = geodataframe(region, what="region")
        crs = check_projected(gdf, what="region") if gdf.crs is not None else None
        geoms = list(gdf.geometry)
    area = shapely.union_all([g for g in geoms if g is not None and not g.is_empty])
    if area.is_empty or shapely.get_dimensions(area) != 2:
        msg = "region must hold at least one non-empty Polygon (a site or a square)."
        raise InputError(msg)
    return area, crs


def vga(
    region: object,
    obstacles: object,
    *,
    cell: float | None = None,
    radius: float | None = None,
    max_cells: int = 20_000,
) -> VGA:
    """
    Visibility graph analysis of a region on a grid, with depthmapX's measures.

    The region (a square, a park, a whole study area) is covered by square cells; every
    cell centre that is not on or inside an obstacle becomes a node, and two nodes are
    linked when each sees the other's centre (the exact isovist of one contains the
    other). Views reach beyond the region (to obstacles outside it) but only cells of
    the region are nodes, as in depthmapX.

    Parameters
    ----------
    region
        Polygon(s) to analyse: a shapely geometry, GeoSeries or GeoDataFrame, e.g.
        ``area.sites.loc[["w986957296"]]``, in the obstacles' projected CRS.
    obstacles
        As :func:`cpted.sightlines.isovist` takes them, or an :class:`IsovistEngine`.
    cell
        Cell size in metres; default ``settings.VGA_CELL`` (2 m).
    radius
        Range of sight in metres, None for unlimited (depthmapX's default).
    max_cells
        Refuse grids with more cells than this: the graph needs n^2 / 8 bytes and
        about n^3 / 64 operations.

    Returns
    -------
    VGA
        ``cells`` (GeoDataFrame of cell centres) with, for a cell v with k cells
        reached in its visibility graph (v included) and total depth TD (sum of the
        fewest steps to each of them), after depthmapX (``salalib/vgamodules``,
        ``genlib/pafmath.h``; Turner et al. 2001):

        - ``connectivity``: number of cells v sees;
        - ``mean_depth``: MD = TD / (k - 1);
        - ``integration_hh``: D_k / RA with RA = 2 (MD - 1) / (k - 2) and
          D_k = 2 [k (log2((k + 2) / 3) - 1) + 1] / ((k - 1)(k - 2)) (Hillier and
          Hanson's normalisation); ``inf`` where v sees every cell (RA = 0), NaN for
          k < 4;
        - ``clustering``: the share of pairs of v's neighbours that see each other,
          sum over i in N(v) of |N(i) ∩ N(v)| / (|N(v)| (|N(v)| - 1)); NaN below two
          neighbours;

        and ``rasters``, one per measure, on the grid (north up), NaN off the nodes
        (none without a CRS).

    Raises
    ------
    InputError
        The region has no area, ``cell`` is not positive or the grid exceeds
        ``max_cells``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> result = vga(box(0, 0, 10, 10), [box(-1, -1, 11, 11).exterior], cell=2.5)
    >>> result.cells["connectivity"].tolist()
    [15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15]
    """
    cell = float(settings.VGA_CELL if cell is None else cell)
    if not (math.isfinite(cell) and cell > 0):
        msg = f"cell must be a positive number of metres; got {cell!r}."
        raise InputError(msg)
    shape, rcrs = _region(region)
    engine = obstacles if isinstance(obstacles, IsovistEngine) else IsovistEngine(obstacles)
    crs = engine.crs if engine.crs is not None else rcrs
    xmin, ymin, xmax, ymax = shape.bounds
    ncol = max(1, math.ceil((xmax - xmin) / cell))
    nrow = max(1, math.ceil((ymax - ymin) / cell))
    if ncol * nrow > 4 * max_cells:
        msg = (
            f"a {cell:g} m grid over the region has {ncol * nrow} cells, more than "
            f"max_cells={max_cells}; use a larger cell or a smaller region."
        )
        raise InputError(msg)
    cols, rows = np.meshgrid(np.arange(ncol), np.arange(nrow))
    col, row = cols.ravel(), rows.ravel()
    x = xmin + (col + 0.5) * cell
    y = ymax - (row + 0.5) * cell
    keep = shapely.contains_xy(shape, x, y)
    xy = np.column_stack([x, y])
    keep &= ~engine.on_obstacle(xy)
    col, row, xy = col[keep], row[keep], xy[keep]
    n = len(xy)
    if n > max_cells:
        msg = f"the region holds {n} cells, more than max_cells={max_cells}; use a larger cell."
        raise InputError(msg)

    r = _radius(radius)
    local = np.ascontiguousarray(xy - engine._offset)
    margin = engine.frame_margin
    if len(engine.segments):
        lo = np.minimum(local, 0.0) - margin
        hi = np.maximum(local, engine._bounds[2:] - engine._offset) + margin
    else:
        lo, hi = local - margin, local + margin
    coords, offsets, _, _, _ = _sweep.isovist_batch(
        np.ascontiguousarray(local[:, 0]),
        np.ascontiguousarray(local[:, 1]),
        np.zeros(n, dtype=bool),
        np.zeros(n),
        np.full(n, _sweep.TWO_PI),
        engine._x0,
        engine._y0,
        engine._x1,
        engine._y1,
        engine._cell,
        engine._nx,
        engine._ny,
        engine._cell_start,
        engine._cell_items,
        engine._sides,
        np.ascontiguousarray(np.column_stack([lo, hi])),
        r,
        _FIRST_SEARCH_RADIUS,
        _arc_vertices(),
        0.0,
    )
    bits = _visibility_bits(
        np.ascontiguousarray(local[:, 0]), np.ascontiguousarray(local[:, 1]), coords, offsets
    )
    conn, total, reached, clustering = _graph_measures(bits)
    k = reached.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        md = np.where(k > 1, total / (k - 1), np.nan)
        ra = 2 * (md - 1) / (k - 2)
        dk = 2 * (k * (np.log2((k + 2) / 3) - 1) + 1) / ((k - 1) * (k - 2))
        hh = np.where(k >= 4, np.where(ra > 0, dk / ra, np.inf), np.nan)
    cells = gpd.GeoDataFrame(
        {
            "row": row,
            "col": col,
            "connectivity": conn,
            "mean_depth": md,
            "integration_hh": hh,
            "clustering": clustering,
        },
        geometry=gpd.GeoSeries(shapely.points(xy), crs=crs),
        crs=crs,
    )
    cells.index = pd.RangeIndex(n, name="cell")
    transform = Affine(cell, 0.0, xmin, 0.0, -cell, ymax)
    rasters: dict[str, Raster] = {}
    if crs is not None:
        for name in VGA_MEASURES:
            grid = np.full((nrow, ncol), np.nan)
            grid[row, col] = cells[name].to_numpy(dtype=float)
            rasters[name] = Raster(grid, transform, crs, f"vga_{name}", "")
    return VGA(cells, rasters, cell)
