"""The size and load time of report.html for the Helsinki sample (issue 14).

Run from the repository root::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_report.py [--sample helsinki] [--against REV]

Audits the sample, saves it (:meth:`cpted.Audit.save`: GeoPackage, map.html, report.html,
...) into a temporary folder, and prints the size of report.html and map.html, the time
to write the report, and how long headless Chromium (``/usr/bin/chromium`` or
``$CPTED_CHROMIUM``, through playwright, offline: only file URLs load) takes to load the
report: the page's own Navigation Timing from the start of navigation to the end of its
``load`` event (which waits for an embedded map's frame and scripts), the median of three
loads. With ``--against REV`` (default :data:`BASELINE`, main before issue 14, when the
report embedded the whole map) the same runs on that commit in a temporary git worktree,
in a child process of the same interpreter, and both are printed side by side.
Targets of issue 14: report.html at most 3 MB and loaded in under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _baseline import run_at

import cpted

TARGET_MB = 3.0
TARGET_S = 2.0

#: main before issue 14: the report carried the map as an escaped iframe srcdoc.
BASELINE = "775dc79"


def _chromium() -> str | None:
    for candidate in (os.environ.get("CPTED_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def load_seconds(page_file: Path, repeat: int = 3) -> float:
    """Median seconds from navigation start to the end of the load event, offline."""
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    if executable is None:
        return float("nan")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith(("file:", "data:",
                                                                          "about:")) else r.abort(),
                )  # fmt: skip
                page.goto(page_file.as_uri(), wait_until="load", timeout=120_000)
                ms = page.evaluate(
                    "() => { const t = performance.getEntriesByType('navigation')[0];"
                    " return t.loadEventEnd - t.startTime; }"
                )
                times.append(float(ms) / 1000)
                page.close()
        finally:
            browser.close()
    return statistics.median(times)


def run(sample: str) -> dict[str, float]:
    area = cpted.area_from_file(cpted.datasets.get_path(sample))
    result = cpted.audit(area, progress=False)
    with tempfile.TemporaryDirectory() as folder:
        out = result.save(Path(folder) / "out")
        figures = {
            "report.html MB": (out / "report.html").stat().st_size / 1e6,
            "map.html MB": (out / "map.html").stat().st_size / 1e6,
            "write report s": result.timings.get("save: report.html", float("nan")),
            "load report s": load_seconds(out / "report.html"),
        }
    return figures


def _before(rev: str, sample: str) -> dict[str, float] | None:
    """Run this benchmark on commit ``rev`` (see :func:`_baseline.run_at`)."""
    return run_at(rev, Path(__file__), ["--sample", sample])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="helsinki", choices=sorted(cpted.datasets.SAMPLES))
    parser.add_argument("--against", default=BASELINE, help="commit to compare with")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    start = time.perf_counter()
    after = run(args.sample)
    if args.json:
        print(json.dumps(after))
        return 0
    before = _before(args.against, args.sample) if args.against else None
    print(f"\n{args.sample}: report.html, audit saved by cpted.Audit.save")
    print(f"{'figure':<18}{'before':>10}{'after':>10}{'after/before':>14}")
    for key, a in after.items():
        b = before.get(key) if before else None
        ratio = f"{a / b:14.3f}" if b else f"{'':>14}"
        fb = f"{b:10.2f}" if b is not None else f"{'–':>10}"
        print(f"{key:<18}{fb}{a:10.2f}{ratio}")
    if before:
        print(f"(before = {args.against}, after = this tree; the same machine)")
    ok = after["report.html MB"] <= TARGET_MB and after["load report s"] < TARGET_S
    print(f"targets: report.html <= {TARGET_MB:g} MB, load < {TARGET_S:g} s: "
          + ("met" if ok else "NOT MET"))  # fmt: skip
    print(f"({time.perf_counter() - start:.0f} s in all)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
