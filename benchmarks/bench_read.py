"""Read Helsinki tiled 1 x 1 .. 4 x 4 whole and within a small box: time and peak memory.

Run: .venv/bin/python benchmarks/bench_read.py

Each read runs in a fresh Python process so its peak resident memory is its own. The box
is one copy's frame (the one at the north-east corner of the tiling), which a tile of a
tiled audit would read with its halo: reading it should cost about the same memory however
large the file (issue 15), while a whole read grows with the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from _tiled import frame, tiled_helsinki

READ = """
import json, resource, time
import cpted
start = time.perf_counter()
area = cpted.area_from_file({path!r}, boundary={boundary!r})
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak, "streets": len(area.streets)}}))
"""


def run(path: str, boundary: tuple[float, float, float, float] | None) -> dict:
    code = textwrap.dedent(READ.format(path=path, boundary=boundary))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"{'tiles':>5} {'read':>6} {'seconds':>8} {'peak MB':>8} {'streets':>8}")
    for n in (1, 2, 3, 4):
        path = str(tiled_helsinki(n))
        for label, boundary in (("whole", None), ("box", frame(n))):
            result = run(path, boundary)
            print(
                f"{n}x{n:<3} {label:>6} {result['seconds']:8.1f} {result['peak_mb']:8.0f} "
                f"{result['streets']:8d}"
            )


if __name__ == "__main__":
    main()
