"""The weight of the audit map a planner opens and mails (issue 14).

Run from the repository root::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_pages.py [--sample helsinki] [--against REV]

Audits the sample once, saves its ``map.html`` and prints the page's size, its bytes per
street segment and the time headless Chromium (``/usr/bin/chromium``, through playwright,
network off) takes to load it: from navigation start to the end of the load event, the
best of three loads. With ``--against REV`` (default :data:`BASELINE`, the commit before
issue 14's map) the same runs on that commit, checked out into a temporary git worktree
in a child process of the same interpreter (as ``bench_audit.py`` does), and the figures
are printed side by side with their ratio (after / before). ``--against ""`` skips it.
Targets of issue 14: at most 1.5 KB per segment and under 2 s to load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from _baseline import run_at

import cpted

#: The commit the page is compared with by default: main before issue 14's map.
BASELINE = "775dc79"

TARGET_BYTES_PER_SEGMENT = 1500.0
TARGET_LOAD_S = 2.0

CHROMIUM = os.environ.get("CPTED_CHROMIUM", "/usr/bin/chromium")


def load_seconds(page_file: Path, *, repeat: int = 3) -> float:
    """The best time of ``repeat`` loads of ``page_file`` in headless Chromium, offline."""
    from playwright.sync_api import sync_playwright

    best = float("inf")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                page.route(
                    "**/*",
                    lambda r: (
                        r.continue_()
                        if r.request.url.startswith(("file:", "data:", "about:"))
                        else r.abort()
                    ),
                )
                page.goto(page_file.as_uri(), wait_until="load", timeout=120_000)
                ms = page.evaluate(
                    "() => { const t = performance.getEntriesByType('navigation')[0];"
                    " return t.loadEventEnd - t.startTime; }"
                )
                best = min(best, ms / 1000.0)
                page.close()
        finally:
            browser.close()
    return best


def run(sample: str) -> dict[str, float]:
    area = cpted.area_from_file(cpted.datasets.get_path(sample))
    result = cpted.audit(area, progress=False)
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "map.html"
        result.to_map().save(str(page_file))
        size = page_file.stat().st_size
        seconds = load_seconds(page_file)
    segments = len(area.streets)
    return {
        "segments": segments,
        "bytes": size,
        "bytes per segment": size / segments,
        "load s": seconds,
    }


def _before(rev: str, sample: str) -> dict[str, float] | None:
    """Run this benchmark on commit ``rev`` (see :func:`_baseline.run_at`)."""
    return run_at(rev, Path(__file__), ["--sample", sample])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="helsinki", choices=sorted(cpted.datasets.SAMPLES))
    parser.add_argument("--against", default=BASELINE, help="commit to compare with")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    after = run(args.sample)
    if args.json:
        print(json.dumps(after))
        return 0
    before = _before(args.against, args.sample) if args.against else None
    print(f"{args.sample}: {after['segments']:.0f} street segments")
    print(f"\n{'':<20}{'before':>12}{'after':>12}{'after/before':>14}")
    for key, fmt in (("bytes", "{:12,.0f}"), ("bytes per segment", "{:12,.0f}"),
                     ("load s", "{:12.2f}")):  # fmt: skip
        a = after[key]
        b = before.get(key) if before else None
        fb = fmt.format(b) if b is not None else f"{'–':>12}"
        ratio = f"{a / b:14.2f}" if b else f"{'':>14}"
        print(f"{key:<20}{fb}{fmt.format(a)}{ratio}")
    if before is not None:
        print(f"(before = {args.against}, after = this tree; the same machine)")
    ok = after["bytes per segment"] <= TARGET_BYTES_PER_SEGMENT and after["load s"] < TARGET_LOAD_S
    print(
        f"targets: ≤ {TARGET_BYTES_PER_SEGMENT:.0f} bytes per segment, < {TARGET_LOAD_S:.0f} s "
        f"to load: {'met' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
