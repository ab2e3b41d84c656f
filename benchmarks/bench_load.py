"""Load each sample with cpted.area_from_file; wall time and peak memory, beside osmnx.

Run: .venv/bin/python benchmarks/bench_load.py

Each measurement runs in a fresh Python process so its peak resident memory is its own.
Targets (issue 2): Helsinki under 5 s and under 1 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SAMPLES = ("neukoelln", "helsinki")

CPTED = """
import json, resource, time
import cpted
path = cpted.datasets.get_path({name!r})
start = time.perf_counter()
area = cpted.area_from_file(path)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak, "streets": len(area.streets),
                  "buildings": len(area.buildings), "ok": True}}))
"""

OSMNX = """
import json, resource, time
import osmnx as ox
import cpted
path = cpted.datasets.get_path({name!r})
start = time.perf_counter()
result = {{"ok": True}}
try:
    graph = ox.graph_from_xml(path, retain_all=True)
    result["edges"] = graph.number_of_edges()
except Exception as exc:  # report what osmnx does with the real file
    result = {{"ok": False, "error": f"{{type(exc).__name__}}: {{exc}}"[:160]}}
result["seconds"] = time.perf_counter() - start
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def run(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"{'sample':<10} {'tool':<28} {'seconds':>8} {'peak MB':>8}  result")
    for name in SAMPLES:
        ours = run(CPTED.format(name=name))
        print(
            f"{name:<10} {'cpted.area_from_file':<28} {ours['seconds']:8.2f} "
            f"{ours['peak_mb']:8.0f}  {ours['streets']} segments, {ours['buildings']} buildings"
        )
        peer = run(OSMNX.format(name=name))
        outcome = f"{peer['edges']} edges" if peer["ok"] else peer["error"]
        print(
            f"{name:<10} {'osmnx.graph_from_xml':<28} {peer['seconds']:8.2f} "
            f"{peer['peak_mb']:8.0f}  {outcome}"
        )
        if name == "helsinki":
            verdict = "met" if ours["seconds"] < 5 and ours["peak_mb"] < 1024 else "MISSED"
            print(f"Helsinki target (< 5 s, < 1 GB): {verdict}")


if __name__ == "__main__":
    main()
