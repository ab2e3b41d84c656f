"""Isovists per second on the Neukölln sample: cpted vs pysovist vs shapely ray casting.

Run with ``.venv/bin/python benchmarks/bench_sightlines.py [--origins N] [--repeat R]``.

Setup (the issue's benchmark):

- obstacles: the sample's building footprints and opaque line barriers (walls, hedges);
- origins: N (default 400) seeded random points in open space (not on or in an obstacle)
  inside the obstacles' bounding box, so every origin has the same frame;
- unbounded: no radius; views no obstacle closes stop at cpted's frame (bounding box of
  the obstacles grown by ``settings.ISOVIST_FRAME_MARGIN``), which pysovist and the ray
  caster get as four more walls, so all three see the same scene;
- radius: 100 m, the same scene without the frame.

All run on one core (no threads). Times are the best of ``--repeat`` runs, after one
warm-up (numba compiles on first use; its cache makes that a one-off). pysovist gets its
``Plan`` (the wall segments with their crossing points) built once, outside the timing,
as cpted gets its ``IsovistEngine``. The ray caster is the textbook shapely approach: 360
rays per origin, an STRtree of wall segments, the nearest hit per ray.

Last, the time of a visibility graph analysis of Karl-Marx-Platz at 1 m cells.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pysovist  # noqa: E402
import shapely  # noqa: E402

import cpted  # noqa: E402
from cpted import settings  # noqa: E402
from cpted.sightlines import IsovistEngine, vga  # noqa: E402

N_RAYS = 360


def best_time(fn, repeat: int) -> float:
    """Best wall-clock time of ``repeat`` calls, seconds."""
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def obstacles_of(area) -> list:
    opaque = area.barriers[area.barriers.opaque & (area.barriers.geom_type == "LineString")]
    return list(area.buildings.geometry) + list(opaque.geometry)


def raw_walls(obstacles: list) -> np.ndarray:
    """Every edge of every obstacle as given (n, 2, 2): pysovist nodes them itself."""
    lines = []
    for g in obstacles:
        parts = shapely.boundary(g) if g.geom_type.endswith("Polygon") else g
        lines.extend(shapely.get_parts(shapely.get_parts(parts)))
    coords, index = shapely.get_coordinates(lines, return_index=True)
    same = index[1:] == index[:-1]
    return np.stack([coords[:-1][same], coords[1:][same]], axis=1)


def frame_walls(engine: IsovistEngine) -> np.ndarray:
    seg = engine.segments
    lo = np.minimum(seg[:, :2], seg[:, 2:]).min(axis=0) - engine.frame_margin
    hi = np.maximum(seg[:, :2], seg[:, 2:]).max(axis=0) + engine.frame_margin
    c = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    return np.stack([c, np.roll(c, -1, axis=0)], axis=1)


def ray_cast(origins: np.ndarray, walls: np.ndarray, length: float) -> np.ndarray:
    """Areas of 360-ray isovists with shapely (nearest wall hit per ray, else ``length``)."""
    lines = shapely.linestrings(walls)
    tree = shapely.STRtree(lines)
    theta = 2 * np.pi * np.arange(N_RAYS) / N_RAYS
    u = np.column_stack([np.cos(theta), np.sin(theta)])
    areas = np.empty(len(origins))
    for k, o in enumerate(origins):
        ends = o + length * u
        rays = shapely.linestrings(np.stack([np.broadcast_to(o, ends.shape), ends], axis=1))
        ray_i, wall_j = tree.query(rays, predicate="intersects")
        hits = shapely.intersection(rays[ray_i], lines[wall_j])
        d = shapely.distance(shapely.points(o), hits)
        r = np.full(N_RAYS, length)
        np.minimum.at(r, ray_i, d)
        x, y = r * u[:, 0], r * u[:, 1]
        areas[k] = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return areas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--radius", type=float, default=100.0)
    args = parser.parse_args()

    area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    obstacles = obstacles_of(area)
    t = time.perf_counter()
    engine = IsovistEngine(obstacles)
    t_engine = time.perf_counter() - t
    seg = engine.segments
    lo = np.minimum(seg[:, :2], seg[:, 2:]).min(axis=0)
    hi = np.maximum(seg[:, :2], seg[:, 2:]).max(axis=0)
    rng = np.random.default_rng(20240330)
    cand = rng.uniform(lo, hi, (20 * args.origins, 2))
    origins = cand[~engine.on_obstacle(cand)][: args.origins]
    walls = raw_walls(obstacles)
    framed = np.concatenate([walls, frame_walls(engine)])
    diag = float(np.hypot(*(hi - lo))) + 4 * engine.frame_margin

    print(
        f"Neukölln sample: {len(obstacles)} obstacles, {len(walls)} wall edges "
        f"({len(seg)} noded segments that face open space)"
    )
    print(f"cpted IsovistEngine built in {t_engine * 1e3:.0f} ms (noding + STRtree + grid)")
    print(f"{len(origins)} origins in open space, best of {args.repeat} runs, one core\n")

    engine.isovists(origins[:5])  # warm-up: numba compiles (or loads its cache)
    engine.isovists(origins[:5], radius=args.radius)
    t_plan = time.perf_counter()
    plan_framed = pysovist.Plan(framed)
    plan_open = pysovist.Plan(walls)
    t_plan = time.perf_counter() - t_plan
    print(f"pysovist Plans built in {t_plan * 1e3:.0f} ms (not timed below)\n")

    rows = []
    for label, radius, plan, ray_walls, ray_len in (
        ("unbounded (frame)", None, plan_framed, framed, diag),
        (f"radius {args.radius:g} m", args.radius, plan_open, walls, args.radius),
    ):
        res = engine.isovists(origins, radius=radius)
        t_ours = best_time(lambda r=radius: engine.isovists(origins, radius=r), args.repeat)
        max_d = np.inf if radius is None else radius
        ref = np.array([pysovist.isovist(plan, o, max_distance=max_d).area for o in origins])
        t_py = best_time(
            lambda p=plan, m=max_d: [pysovist.isovist(p, o, max_distance=m) for o in origins],
            args.repeat,
        )
        rays = ray_cast(origins, ray_walls, ray_len)
        t_ray = best_time(lambda w=ray_walls, s=ray_len: ray_cast(origins, w, s), 1)
        rel = np.abs(res.area.to_numpy() - ref) / ref
        rel_ray = np.abs(rays - ref) / ref
        n = len(origins)
        rows.append((label, n / t_ours, n / t_py, n / t_ray, rel.max(), np.median(rel_ray)))
        valid = bool(res.geometry.is_valid.all())
        print(f"{label}:")
        print(f"  cpted     {n / t_ours:9.0f} isovists/s   (all polygons valid: {valid})")
        print(f"  pysovist  {n / t_py:9.0f} isovists/s   -> cpted is {t_py / t_ours:.1f}x faster")
        print(f"  rays(360) {n / t_ray:9.0f} isovists/s   -> cpted is {t_ray / t_ours:.1f}x faster")
        print(f"  area vs pysovist: max relative difference {rel.max():.1e}")
        print(
            f"  area of 360-ray polygons vs pysovist: median {np.median(rel_ray):.1e}, "
            f"max {rel_ray.max():.1e}"
        )
        if radius is not None:
            n_arc = 360 / settings.ISOVIST_ARC_STEP
            print(
                f"  (cpted draws range arcs with a vertex every {settings.ISOVIST_ARC_STEP} deg; "
                f"bound (2 pi/{n_arc:.0f})^2/6 = {(2 * math.pi / n_arc) ** 2 / 6:.1e})"
            )
        print()

    # Visibility graph analysis of Karl-Marx-Platz at 1 m cells (depthmapX's measures).
    site = area.sites[area.sites["name"] == "Karl-Marx-Platz"]
    vga(site, engine, cell=4.0)  # warm-up: compile
    t_vga = best_time(lambda: vga(site, engine, cell=1.0), args.repeat)
    result = vga(site, engine, cell=1.0)
    n_cells = len(result.cells)
    print(
        f"VGA of Karl-Marx-Platz at 1 m: {n_cells} cells, {t_vga:.2f} s "
        f"(isovists, visibility graph, connectivity, integration [HH], clustering)"
    )


if __name__ == "__main__":
    main()
