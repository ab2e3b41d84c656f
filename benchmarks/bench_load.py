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
start, cpu = time.perf_counter(), time.process_time()
area = cpted.area_from_file(path)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "peak_mb": peak, "streets": len(area.streets),
                  "buildings": len(area.buildings), "ok": True}}))
"""

OSMNX = """
import json, resource, tempfile, time
import osmium
import osmnx as ox
import cpted
path = cpted.datasets.get_path({name!r})
if path.suffix == ".pbf":  # osmnx reads only OSM XML: give it the same data as XML
    xml = tempfile.mkdtemp() + "/same-data.osm"
    with osmium.SimpleWriter(xml) as writer:
        for obj in osmium.FileProcessor(str(path)):
            writer.add(obj)
    path = xml
start, cpu = time.perf_counter(), time.process_time()
result = {{"ok": True}}
try:
    graph = ox.graph_from_xml(path, retain_all=True)
    result["edges"] = graph.number_of_edges()
except Exception as exc:  # report what osmnx does with the real file
    result = {{"ok": False, "error": f"{{type(exc).__name__}}: {{exc}}"[:160]}}
result["seconds"] = time.perf_counter() - start
result["cpu"] = time.process_time() - cpu
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def run(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"{'sample':<10} {'tool':<28} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  result")
    for name in SAMPLES:
        ours = run(CPTED.format(name=name))
        print(
            f"{name:<10} {'cpted.area_from_file':<28} {ours['seconds']:8.2f} {ours['cpu']:8.2f} "
            f"{ours['peak_mb']:8.0f}  {ours['streets']} segments, {ours['buildings']} buildings"
        )
        peer = run(OSMNX.format(name=name))
        outcome = f"{peer['edges']} edges" if peer["ok"] else peer["error"]
        print(
            f"{name:<10} {'osmnx.graph_from_xml (XML)':<28} {peer['seconds']:8.2f} "
            f"{peer['cpu']:8.2f} {peer['peak_mb']:8.0f}  {outcome}"
        )
        if name == "helsinki":
            verdict = "met" if ours["seconds"] < 5 and ours["peak_mb"] < 1024 else "MISSED"
            print(f"Helsinki target (< 5 s wall, < 1 GB): {verdict} (CPU {ours['cpu']:.2f} s)")


if __name__ == "__main__":
    main()
