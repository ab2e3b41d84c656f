"""The first audit on a fresh install against a warm one (issue 15, "fast first run").

Run from the repository root::

    .venv/bin/python benchmarks/bench_first_run.py [--sample neukoelln]

A fresh install is simulated by copying ``src/cpted`` without any ``__pycache__`` into a
temporary folder and pointing a child interpreter at it (``PYTHONPATH``), with numba's
cache directory also empty: every numba kernel must compile again. Each figure is the wall
time of one child process that loads the sample and audits it:

- **cold**: the first audit of a fresh copy that skipped the install step (the audit
  itself compiles the kernels);
- **install warm-up**: ``cpted.warmup()``, the step ``make install`` runs once;
- **first after install**: the first audit of a fresh copy after that warm-up, the
  audit a planner runs first;
- **warm**: the next audit, every kernel cached.

Target of issue 15: the first audit after install within 15 s of a warm one. Prints the
figures and the ratios; nothing is asserted (the tests check behaviour, not time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_GAP_S = 15.0
ROOT = Path(__file__).resolve().parents[1]

AUDIT = """
import time, cpted
start = time.perf_counter()
area = cpted.area_from_file(cpted.datasets.get_path({sample!r}))
cpted.audit(area, progress=False)
print(time.perf_counter() - start)
"""


def _fresh_copy(folder: Path) -> Path:
    """Copy the package without compiled caches, as a fresh install has it."""
    target = folder / "src" / "cpted"
    shutil.copytree(
        ROOT / "src" / "cpted",
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc", "*.pyc"),
    )
    # the samples ship inside the wheel as cpted/_samples; the source tree finds them in data/
    shutil.copytree(ROOT / "data", folder / "data")
    return target.parent


def _child(code: str, src: Path, cache: Path) -> float:
    """Run ``code`` in a fresh interpreter on the copy; return its wall time in seconds."""
    env = dict(os.environ, PYTHONPATH=str(src), NUMBA_CACHE_DIR=str(cache))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", default="neukoelln")
    args = parser.parse_args()
    code = AUDIT.format(sample=args.sample)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cold_src = _fresh_copy(Path(tmp) / "cold")
        figures["cold (no install step)"] = _child(code, cold_src, Path(tmp) / "cold-cache")
        fresh_src = _fresh_copy(Path(tmp) / "fresh")
        cache = Path(tmp) / "fresh-cache"
        figures["install warm-up"] = _child("import cpted; cpted.warmup()", fresh_src, cache)
        figures["first after install"] = _child(code, fresh_src, cache)
        figures["warm"] = _child(code, fresh_src, cache)
    warm = figures["warm"]
    print(f"first audit of the {args.sample} sample, wall time of one process (s)")
    for name, value in figures.items():
        print(f"  {name:<24} {value:7.1f}   {value / warm:5.2f}× warm")
    gap = figures["first after install"] - warm
    verdict = "met" if gap <= TARGET_GAP_S else "MISSED"
    print(f"  first after install − warm: {gap:.1f} s (target ≤ {TARGET_GAP_S:.0f} s: {verdict})")
    print(f"  cold − warm: {figures['cold (no install step)'] - warm:.1f} s of compilation")


if __name__ == "__main__":
    main()
