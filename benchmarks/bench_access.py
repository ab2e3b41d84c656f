"""Access measures on the Helsinki sample and on a synthetic city-sized grid (issue 6).

Run from the repository root::

    .venv/bin/python benchmarks/bench_access.py [--grid N]

What is timed, single process:

1. ``helsinki sites`` and ``helsinki segments``: :func:`cpted.access.site_measures` and
   :func:`cpted.access.segment_measures` on ``area_from_file(get_path("helsinki"))``.
2. ``grid segments``: :func:`cpted.access.segment_access` on an N x N street grid of 80 m
   blocks (2 N (N - 1) segments) with a cul-de-sac off every fifth node, buildings in
   every block; shows that the segment measures grow about linearly.
3. ``grid sites``: :func:`cpted.access.site_access` on one fenced site per block.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import shapely

import cpted
from cpted import access


def _grid(n: int, block: float = 80.0) -> tuple[gpd.GeoDataFrame, ...]:
    xs = np.arange(n) * block
    lines = []
    for i in range(n):
        for j in range(n - 1):
            lines.append(shapely.LineString([(xs[i], xs[j]), (xs[i], xs[j + 1])]))
            lines.append(shapely.LineString([(xs[j], xs[i]), (xs[j + 1], xs[i])]))
            if (i * n + j) % 5 == 0:
                lines.append(shapely.LineString([(xs[i], xs[j]), (xs[i] + 30.0, xs[j] + 30.0)]))
    streets = gpd.GeoDataFrame(geometry=lines, crs=25833)
    corners = [(x, y) for x in xs[:-1] for y in xs[:-1]]
    buildings = gpd.GeoDataFrame(
        geometry=[shapely.box(x + 8, y + 8, x + 30, y + 72) for x, y in corners], crs=25833
    )
    sites = gpd.GeoDataFrame(
        {"category": ["school"] * len(corners)},
        geometry=[shapely.box(x + 40, y + 8, x + 72, y + 72) for x, y in corners],
        crs=25833,
    )
    fences = gpd.GeoDataFrame(
        {"barrier": ["fence"] * len(sites)},
        geometry=[shapely.LineString(g.exterior.coords) for g in sites.geometry],
        crs=25833,
    )
    return streets, buildings, sites, fences


def _time(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<22} {time.perf_counter() - start:7.2f} s  ({len(result)} rows)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", type=int, default=100, help="nodes per side of the grid")
    args = parser.parse_args()
    area = cpted.area_from_file(cpted.datasets.get_path("helsinki"))
    _time("helsinki sites", access.site_measures, area)
    _time("helsinki segments", access.segment_measures, area)
    streets, buildings, sites, fences = _grid(args.grid)
    _time("grid segments", access.segment_access, streets, buildings=buildings)
    _time("grid sites", access.site_access, sites, streets=streets, barriers=fences)


if __name__ == "__main__":
    main()
