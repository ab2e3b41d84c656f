"""The full audit of the Helsinki sample, every module on (issue 7).

Run from the repository root::

    .venv/bin/python benchmarks/bench_audit.py [--sample helsinki] [--repeat 1] [--against REV]

With ``--against REV`` (default: :data:`BASELINE`, the commit before the scoring registry
and the shared audit context of issue 13) the same audit also runs on that commit, checked
out into a temporary git worktree, in a child process of the same interpreter; both are
warmed up first (numba compiles into each tree's own cache) and the stage times are printed
side by side with their ratio (after / before). ``--against ""`` skips the comparison.

Does what ``cpted audit helsinki --out DIR`` does, in one process: load the OSM file, run
every principle module, combine the scores and write the explanations, then save the
GeoPackage, CSV tables, GeoTIFFs, the offline map and the HTML report. Prints the wall
time of each stage (from :attr:`cpted.Audit.timings`), the total wall and CPU time, and
the peak resident memory of the process (``getrusage`` ``ru_maxrss``: the high-water
mark of the whole run, imports included). Targets of issue 7 on the 2-core machine:
under 60 s wall and under 2 GB peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from _baseline import BASELINE, run_at

import cpted

TARGET_S = 60.0
TARGET_MB = 2048.0


def _peak_mb() -> float:
    # Linux reports ru_maxrss in kilobytes (macOS in bytes)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)


def run(sample: str) -> dict[str, float]:
    stages: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    start = time.perf_counter()
    area = cpted.area_from_file(cpted.datasets.get_path(sample))
    stages["load"] = time.perf_counter() - start
    result = cpted.audit(area, progress=False)
    with tempfile.TemporaryDirectory() as folder:
        result.save(Path(folder) / "out")
        size = sum(p.stat().st_size for p in (Path(folder) / "out").iterdir())
    stages.update(result.timings)
    stages["total wall"] = time.perf_counter() - wall
    stages["total cpu"] = time.process_time() - cpu
    print(
        f"{sample}: {len(area.streets)} segments, {len(area.sites)} sites, "
        f"{len(area.buildings)} buildings, {len(area.lamps)} lamps; "
        f"principles {', '.join(result.principles)}; output {size / 1e6:.1f} MB"
    )
    return stages


def _before(rev: str, sample: str, repeat: int) -> dict[str, float] | None:
    """Run this benchmark on commit ``rev`` (see :func:`_baseline.run_at`)."""
    return run_at(rev, Path(__file__), ["--sample", sample, "--repeat", str(repeat)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="helsinki", choices=sorted(cpted.datasets.SAMPLES))
    parser.add_argument("--repeat", type=int, default=1, help="runs (the best is reported)")
    parser.add_argument("--against", default=BASELINE, help="commit to compare with")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # a warm-up on the small sample: numba compiles once into this tree's cache
    cpted.audit(cpted.area_from_file(cpted.datasets.get_path("neukoelln")), progress=False)
    runs = [run(args.sample) for _ in range(max(1, args.repeat))]
    best = min(runs, key=lambda r: r["total wall"])
    if args.json:
        print(json.dumps({**best, "peak MB": _peak_mb()}))
        return 0
    before = _before(args.against, args.sample, args.repeat) if args.against else None
    if before is not None:
        print(f"\n{'stage':<24}{'before s':>10}{'after s':>10}{'after/before':>14}")
        for stage in dict.fromkeys([*before, *best]):
            b, a = before.get(stage), best.get(stage)
            ratio = f"{a / b:14.2f}" if a is not None and b else f"{'':>14}"
            fb = f"{b:10.2f}" if b is not None else f"{'–':>10}"
            fa = f"{a:10.2f}" if a is not None else f"{'–':>10}"
            print(f"{stage:<24}{fb}{fa}{ratio}")
        print(f"(before = {args.against}, after = this tree; the same machine, one run)")
    print(f"\n{'stage':<24}{'wall s':>9}")
    for stage, seconds in best.items():
        if stage.startswith("total"):
            continue
        print(f"{stage:<24}{seconds:9.2f}")
    peak = _peak_mb()
    print(f"{'total wall':<24}{best['total wall']:9.2f}   (target < {TARGET_S:.0f} s)")
    print(f"{'total cpu':<24}{best['total cpu']:9.2f}")
    print(f"{'peak memory (MB)':<24}{peak:9.0f}   (target < {TARGET_MB:.0f} MB)")
    ok = best["total wall"] < TARGET_S and peak < TARGET_MB
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
