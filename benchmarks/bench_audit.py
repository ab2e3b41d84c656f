"""The full audit of the Helsinki sample, every module on (issue 7).

Run from the repository root::

    .venv/bin/python benchmarks/bench_audit.py [--sample helsinki] [--repeat 1]

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
import resource
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="helsinki", choices=sorted(cpted.datasets.SAMPLES))
    parser.add_argument("--repeat", type=int, default=1, help="runs (the best is reported)")
    args = parser.parse_args()
    runs = [run(args.sample) for _ in range(max(1, args.repeat))]
    best = min(runs, key=lambda r: r["total wall"])
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
