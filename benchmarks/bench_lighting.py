"""Illuminance grid of the whole Helsinki sample at 1 m, with shadows (issue 4 benchmark).

Run from the repository root::

    .venv/bin/python benchmarks/bench_lighting.py [--baseline-lamps N]

What is timed, on ``area_from_file(get_path("helsinki"))``, single process:

1. ``lamps``: defaults by street class and one isovist per lamp (buildings and opaque
   barriers as obstacles, radius = the lamp's radius of influence).
2. ``grid``: :func:`cpted.lighting.illuminance_grid` at 1 m, everything included
   (a fresh StudyArea copy, so no cached isovists are reused).
3. ``baseline``: the straightforward numpy way, every lamp evaluated on every cell of the
   grid (no radius of influence, no shadows, so it does less than cpted per pair). It
   takes minutes for all lamps, so it runs on the first N lamps (default 40) and is
   scaled to all of them; the ratio is baseline / cpted. Its values, summed over the N
   lamps, are compared with cpted's kernel for the same lamps without shadows and
   cut-off, as a check that both compute the same thing.

Target (issue 4): the grid under 5 s on one core.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import cpted
from cpted import lighting
from cpted.lighting._kernel import lamp_table


def baseline(area: cpted.StudyArea, lamps, n_lamps: int, resolution: float = 1.0):
    """Every lamp on every cell, chunked over rows; returns lux and seconds."""
    grid = lighting.illuminance_grid(area, resolution=resolution, shadows=False)
    xs, ys = lighting._cell_centres(grid)
    sub = lamps.iloc[:n_lamps]
    phot = lighting.default_photometry()
    mf = cpted.settings.MAINTENANCE_FACTOR
    lx = sub.geometry.x.to_numpy()
    ly = sub.geometry.y.to_numpy()
    h = sub["height"].to_numpy(float)
    scale = sub["flux"].to_numpy(float) * mf / 1000.0
    out = np.zeros(xs.shape)
    start = time.perf_counter()
    rows = 64
    for r0 in range(0, xs.shape[0], rows):
        cx = xs[r0 : r0 + rows][..., None]
        cy = ys[r0 : r0 + rows][..., None]
        dx, dy = cx - lx, cy - ly
        d2 = dx * dx + dy * dy + h * h
        cos_g = h / np.sqrt(d2)
        gamma = np.degrees(np.arccos(cos_g))
        lux = scale * phot.intensity_axial(gamma) * cos_g**3 / (h * h)
        out[r0 : r0 + rows] = lux.sum(axis=-1)
    return out, time.perf_counter() - start, xs, ys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-lamps", type=int, default=40)
    args = parser.parse_args()

    area = cpted.area_from_file(cpted.datasets.get_path("helsinki"))
    fresh = area.copy()
    start = time.perf_counter()
    lamps, _, isovists = lighting._area_lighting(fresh)
    t_lamps = time.perf_counter() - start
    start = time.perf_counter()
    grid = lighting.illuminance_grid(fresh, resolution=1.0)
    t_grid_only = time.perf_counter() - start

    warm = area.copy()
    start = time.perf_counter()
    lighting._area_lighting(warm)
    t_lamps_warm = time.perf_counter() - start

    again = area.copy()  # nothing cached for this one: the full cost
    start = time.perf_counter()
    grid = lighting.illuminance_grid(again, resolution=1.0)
    t_total = time.perf_counter() - start
    assert lighting._CACHE.get(again, ()) is None

    cells = grid.values.size
    valid = int(np.isfinite(grid.values).sum())
    print(f"Helsinki: {len(lamps)} lamps, grid {grid.values.shape[0]} x {grid.values.shape[1]}"
          f" = {cells:,} cells ({valid:,} on open ground), 1 m, shadows on")  # fmt: skip
    print(f"  lamps + isovists   {t_lamps:7.2f} s first call (numba compiles the sweep),"
          f" {t_lamps_warm:.2f} s warm")  # fmt: skip
    print(f"  accumulate grid    {t_grid_only:7.2f} s (isovists cached)")
    print(f"  illuminance_grid   {t_total:7.2f} s from scratch ({cells / t_total:,.0f} cells/s)")

    n = min(args.baseline_lamps, len(lamps))
    base, t_base, xs, ys = baseline(area, lamps, n)
    t_base_all = t_base * len(lamps) / n
    print(f"  numpy baseline     {t_base:7.2f} s for {n} lamps -> {t_base_all:7.1f} s for all"
          f" {len(lamps)} (every lamp x every cell, no shadows)")  # fmt: skip
    print(f"  ratio baseline / cpted: {t_base_all / t_total:,.0f}x")

    # same numbers: cpted's kernel for those lamps, no cut-off, no shadows
    table = lamp_table(lamps.iloc[:n], cutoff_lux=0)
    ok = np.isfinite(grid.values)
    pick = np.flatnonzero(ok.ravel())[:: max(1, valid // 20000)]
    pts = np.column_stack([xs.ravel()[pick], ys.ravel()[pick]])
    ours = lighting._illuminance(pts, table, None)
    diff = np.max(np.abs(ours - base.ravel()[pick]))
    print(f"  check: largest difference from the baseline on {pick.size:,} cells: {diff:.2e} lx")
    lit = grid.values[ok]
    print(f"  lux: mean {lit.mean():.2f}, share of ground >= 2 lx {np.mean(lit >= 2):.1%},"
          f" isovists {sum(g is not None for g in isovists)}")  # fmt: skip


if __name__ == "__main__":
    main()
