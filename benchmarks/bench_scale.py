"""How the audit grows with the area: Helsinki tiled 1×1 to 4×4 (issue 15).

Run from the repository root::

    .venv/bin/python benchmarks/bench_scale.py [--max 4] [--workers 2]

The areas are real data: the bundled Helsinki extract copied n×n with pyosmium, each copy
shifted by the extract's width and height, ids offset (``benchmarks/_tiled.py``, cached
under ``build/bench/``). Each audit runs in a child process of this interpreter (warm
kernels), which loads the PBF and audits it with the default tiling on ``--workers`` local
processes. The parent samples the resident memory of the child and all its worker
processes every 50 ms (psutil) and prints:

- wall time and peak memory (the whole process tree, the largest single process, the
  calling process that puts the tiles together, and the largest other process: a worker,
  or the process that reads a large file, :mod:`cpted._apart`) per area, segments per
  second;
- the growth exponent b of time ≈ a·segments^b (least squares in log-log; target ≤ 1.05)
  and the memory from 2×2 on (target: flat once the area is larger than a tile);
- the extrapolation to 100 km² (the sample covers :data:`SAMPLE_KM2` km²): time by the
  power law, memory by the straight line through the areas from 2×2 on;
- the speed-up of 2 workers over 1 on the 3×3 area, measured in this run (target ≥ 1.7×).
  On a shared virtual machine one run's ratio moves by a third from run to run (1.41× and
  1.81× for the audit alone, the same code an hour apart); ``--repeat K`` measures K pairs
  of runs, each 1-worker run next to its 2-worker run, and prints every pair's ratio, their
  median and the ratio of the fastest runs.

Nothing is asserted: the tests check behaviour, this prints figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil
from _tiled import tiled_helsinki as helsinki

#: Area of the Helsinki sample's footprint (km²), printed by the run below as a check.
SAMPLE_KM2 = 1.7
TARGET_EXPONENT = 1.05
TARGET_SPEEDUP = 1.7
TARGET_PEAK_MB = 3072

CHILD = """
import sys, time, cpted
path, workers = sys.argv[1], int(sys.argv[2])
start = time.perf_counter()
area = cpted.area_from_file(path)
loaded = time.perf_counter() - start
result = cpted.audit(area, workers=workers, progress=False)
print(len(result.segments), area.footprint.area / 1e6, loaded, time.perf_counter() - start)
"""


def _measure(path: Path, workers: int) -> dict[str, float]:
    """Audit ``path`` in a child process; return its figures and the tree's peak memory."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(workers)],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = {"tree": 0.0, "process": 0.0, "parent": 0.0, "worker": 0.0}
    root = psutil.Process(proc.pid)

    def sample() -> None:
        while proc.poll() is None:
            try:
                rss = [root.memory_info().rss]
                rss += [c.memory_info().rss for c in root.children(recursive=True)]
            except psutil.Error:
                continue
            peak["tree"] = max(peak["tree"], sum(rss) / 2**20)
            peak["process"] = max(peak["process"], max(rss) / 2**20)
            peak["parent"] = max(peak["parent"], rss[0] / 2**20)
            peak["worker"] = max(peak["worker"], max(rss[1:], default=0) / 2**20)
            time.sleep(0.05)

    watcher = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    watcher.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    watcher.join()
    if proc.returncode:
        msg = f"the audit of {path} failed (exit {proc.returncode})"
        raise SystemExit(msg)
    segments, km2, load_s, audit_s = out.split()[-4:]
    return {
        "segments": float(segments),
        "km2": float(km2),
        "load": float(load_s),
        "audit": float(audit_s),
        "wall": wall,
        "peak tree MB": peak["tree"],
        "peak process MB": peak["process"],
        "peak parent MB": peak["parent"],
        "peak worker MB": peak["worker"],
    }


def _exponent(x: list[float], y: list[float]) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _speedup(two_done: dict[str, float] | None, repeat: int) -> None:
    """Print the speed-up of 2 workers over 1 on the 3×3 area, over ``repeat`` pairs of runs."""

    def alone(run: dict[str, float]) -> float:
        # without the reading of the file, which is one process's work before any worker
        # starts (cpted.area_from_file)
        return run["audit"] - run["load"]

    def verdict(ratio: float) -> str:
        met = "met" if ratio >= TARGET_SPEEDUP else "MISSED"
        return f"{ratio:.2f}× (target ≥ {TARGET_SPEEDUP}×: {met})"

    pairs = []
    for i in range(repeat):
        one = _measure(helsinki(3), 1)
        # the 2-worker run of the table above makes the pair when there is one pair
        two = two_done if (two_done is not None and repeat == 1) else _measure(helsinki(3), 2)
        pairs.append((one, two))
        if repeat > 1:
            print(
                f"     pair {i + 1}: 1 worker {one['wall']:.1f} s, 2 workers {two['wall']:.1f} s "
                f"({one['wall'] / two['wall']:.2f}×); the audit alone {alone(one):.1f} s and "
                f"{alone(two):.1f} s ({alone(one) / alone(two):.2f}×)"
            )
    if repeat == 1:
        one, two = pairs[0]
        print(
            f"3×3: 1 worker {one['wall']:.1f} s, 2 workers {two['wall']:.1f} s: speed-up "
            f"{verdict(one['wall'] / two['wall'])}"
        )
        print(
            f"     of which reading the file {one['load']:.1f} s and {two['load']:.1f} s; the "
            f"audit alone {alone(one):.1f} s and {alone(two):.1f} s: speed-up "
            f"{alone(one) / alone(two):.2f}×"
        )
        return
    walls = np.median([one["wall"] / two["wall"] for one, two in pairs])
    audits = np.median([alone(one) / alone(two) for one, two in pairs])
    best_one, best_two = (min(run["wall"] for run in runs) for runs in zip(*pairs, strict=True))
    alone_one, alone_two = (min(alone(run) for run in runs) for runs in zip(*pairs, strict=True))
    print(
        f"3×3 over {repeat} pairs: speed-up median {verdict(float(walls))}, fastest runs "
        f"{best_one:.1f} s and {best_two:.1f} s: {best_one / best_two:.2f}×"
    )
    print(
        f"     the audit alone: median {float(audits):.2f}×, fastest runs {alone_one:.1f} s "
        f"and {alone_two:.1f} s: {alone_one / alone_two:.2f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max", type=int, default=4, help="largest n of the n×n areas")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=1, help="pairs of 3×3 runs (1 and 2 workers) for the speed-up"
    )
    args = parser.parse_args()
    # kernels warm before anything is timed
    subprocess.run([sys.executable, "-c", "import cpted; cpted.warmup()"], check=True)
    rows = {}
    print(f"audit of Helsinki n×n on {args.workers} local worker process(es)")
    print(
        f"  {'area':<5} {'segments':>8} {'km²':>6} {'wall s':>8} {'seg/s':>7} "
        f"{'peak tree MB':>13} {'peak process MB':>16} {'of which caller':>16} "
        f"{'largest other':>15}"
    )
    for n in range(1, args.max + 1):
        row = _measure(helsinki(n), args.workers)
        rows[n] = row
        print(
            f"  {n}×{n:<3} {row['segments']:8.0f} {row['km2']:6.1f} {row['wall']:8.1f} "
            f"{row['segments'] / row['wall']:7.0f} {row['peak tree MB']:13.0f} "
            f"{row['peak process MB']:16.0f} {row['peak parent MB']:16.0f} "
            f"{row['peak worker MB']:15.0f}"
        )
    ns = sorted(rows)
    segs = [rows[n]["segments"] for n in ns]
    b_time = _exponent(segs, [rows[n]["wall"] for n in ns])
    print(
        f"growth exponent of wall time against segments: {b_time:.2f} "
        f"(target ≤ {TARGET_EXPONENT}: {'met' if b_time <= TARGET_EXPONENT else 'MISSED'})"
    )
    b_mem = 0.0
    if len(ns) >= 3:
        b_mem = _exponent(segs[1:], [rows[n]["peak process MB"] for n in ns[1:]])
        print(
            f"growth exponent of the largest process's memory from 2×2 on: {b_mem:.2f} "
            "(target: flat, 0)"
        )
    last = rows[ns[-1]]
    scale = 100.0 / last["km2"]
    wall_100 = last["wall"] * scale**b_time
    print(
        f"extrapolated to 100 km² ({scale:.1f}× the {ns[-1]}×{ns[-1]} area): "
        f"{wall_100 / 60:.0f} min on {args.workers} workers; largest process "
        f"{last['peak process MB']:.0f} MB at {ns[-1]}×{ns[-1]}"
    )
    if len(ns) >= 3:
        # A power law fitted to memory flatters it while the fixed part (the libraries,
        # ~0.2 GB) dominates; what grows is the per-segment part, so the straight line
        # through the areas from 2×2 on is the honest extrapolation.
        per_segment, fixed = np.polyfit(segs[1:], [rows[n]["peak process MB"] for n in ns[1:]], 1)
        segments_100 = last["segments"] * scale
        peak_100 = fixed + per_segment * segments_100
        print(
            f"     memory: {per_segment * 1024:.1f} KB more per segment (straight line from "
            f"2×2 on), about {peak_100:.0f} MB at 100 km² ({segments_100:,.0f} segments; "
            f"the power law says {last['peak process MB'] * scale**b_mem:.0f} MB); target "
            f"≤ {TARGET_PEAK_MB} MB: {'met' if peak_100 <= TARGET_PEAK_MB else 'MISSED'} "
            "at 100 km², and not flat while the caller holds the whole area"
        )
    if args.max >= 3:
        _speedup(rows[3] if args.workers == 2 else None, max(1, args.repeat))
    print(f"(the sample's footprint: {rows[1]['km2']:.2f} km²)")


if __name__ == "__main__":
    main()
