"""The weight of the city overview and of its district pages (issue 15).

Run from the repository root::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_city_pages.py [--sample helsinki]
        [--hexagon 500 250 125]

Audits the sample once and saves it as a city (``city_map=True``, hexagons of
``--hexagon`` metres), then prints, for the overview and for every district page, its
size, the segments it shows and its bytes per segment, both whole and beyond the fixed
cost of an empty detailed page (Leaflet inlined, controls, legends). Several hexagon sizes
show that the overview grows with the number of districts, not with the segments (which
stay the same). The one detailed map of the same audit is printed for comparison. Target
of issue 15: about 1.5 KB per segment a page shows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import shapely

import cpted
from cpted.maps import _city

TARGET_BYTES_PER_SEGMENT = 1500.0


def _empty_page_bytes(audit: cpted.Audit) -> int:
    """The size of a detailed page that shows nothing: the fixed cost of every page."""
    x0, y0, _, _ = audit.segments.total_bounds
    nowhere = shapely.box(x0 - 1e5, y0 - 1e5, x0 - 1e5 + 1, y0 - 1e5 + 1)
    return len(audit.subset(nowhere).to_map().to_html().encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="helsinki")
    parser.add_argument(
        "--hexagon", type=float, nargs="+", default=[cpted.settings.CITY_HEX_SIZE_M, 250.0]
    )
    args = parser.parse_args()
    area = cpted.area_from_file(cpted.datasets.get_path(args.sample))
    audit = cpted.audit(area, progress=False)
    empty = _empty_page_bytes(audit)
    with tempfile.TemporaryDirectory() as tmp:
        detailed = Path(tmp) / "detailed.html"
        audit.to_map().save(str(detailed))
        size = detailed.stat().st_size
        print(f"{args.sample}: {len(audit.segments)} segments")
        print(f"one detailed map: {size / 1e6:.2f} MB, {size / len(audit.segments):.0f} B/segment")
        print(f"fixed cost of a page (empty detailed map): {empty / 1e3:.0f} KB")
        for hexagon in args.hexagon:
            _city_pages(audit, Path(tmp) / f"out-{hexagon:g}", hexagon, empty)


def _city_pages(audit: cpted.Audit, out: Path, hexagon: float, empty: int) -> None:
    start = time.perf_counter()
    folder = audit.save(out, city_map=True, districts=hexagon)
    seconds = time.perf_counter() - start
    plan = _city.district_plan(audit, hexagon)
    counts = plan.segments.value_counts()
    overview = (folder / "map.html").stat().st_size
    print(
        f"\nhexagons of {hexagon:g} m: overview {overview / 1e3:.0f} KB for "
        f"{len(plan.table)} districts ({(overview - empty) / max(len(plan.table), 1):.0f} "
        f"B/district beyond the fixed cost), save {seconds:.1f} s"
    )
    print(f"{'page':>6} {'segments':>9} {'KB':>7} {'B/seg':>7} {'B/seg beyond fixed':>19}")
    worst = 0.0
    total = 0
    for page in sorted((folder / "districts").glob("*.html")):
        n = int(counts.get(page.stem, 0))
        size = page.stat().st_size
        total += size
        beyond = (size - empty) / max(n, 1)
        worst = max(worst, beyond if n >= 50 else 0.0)
        print(f"{page.stem:>6} {n:>9} {size / 1e3:>7.0f} {size / max(n, 1):>7.0f} {beyond:>19.0f}")
    print(
        f"all district pages: {total / 1e6:.2f} MB; worst page of 50+ segments: "
        f"{worst:.0f} B/segment beyond the fixed cost (target {TARGET_BYTES_PER_SEGMENT:.0f})"
    )


if __name__ == "__main__":
    main()
