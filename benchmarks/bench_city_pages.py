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
of issue 15: about 1.5 KB per segment a page shows, for every page: the worst page's
figure is printed and said met or MISSED. The segments a page shows are counted in the
page itself (its segments layer), since ``Audit.save`` merges a district too small to
keep to the target into a neighbour.
"""

from __future__ import annotations

import argparse
import json
import re
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


_SEGMENTS_LAYER = re.compile(
    r"var segments_layer_[0-9a-f]{32} = \(function \(\) \{\s*var packed = "
)


def _segments_shown(page: str) -> int:
    """The number of segments a detailed page draws (the features of its segments layer)."""
    found = _SEGMENTS_LAYER.search(page)
    if found is None:
        return 0
    data, _end = json.JSONDecoder().raw_decode(page, found.end())
    return len(data["g"])


def _city_pages(audit: cpted.Audit, out: Path, hexagon: float, empty: int) -> None:
    start = time.perf_counter()
    folder = audit.save(out, city_map=True, districts=hexagon)
    seconds = time.perf_counter() - start
    plan = _city.district_plan(audit, hexagon)
    pages = sorted((folder / "districts").glob("*.html"))
    overview = (folder / "map.html").stat().st_size
    print(
        f"\nhexagons of {hexagon:g} m: {len(plan.table)} districts laid, {len(pages)} pages "
        f"after merging the small ones; overview {overview / 1e3:.0f} KB "
        f"({(overview - empty) / max(len(pages), 1):.0f} B/district beyond the fixed cost), "
        f"save {seconds:.1f} s"
    )
    print(f"{'page':>6} {'segments':>9} {'KB':>7} {'B/seg':>7} {'B/seg beyond fixed':>19}")
    worst_page, worst = "", 0.0
    total = 0
    shown = 0
    for page in pages:
        size = page.stat().st_size
        n = _segments_shown(page.read_text(encoding="utf-8"))
        total += size
        shown += n
        whole = size / n if n else float("inf")
        beyond = (size - empty) / max(n, 1)
        if whole > worst:
            worst_page, worst = page.stem, whole
        print(f"{page.stem:>6} {n:>9} {size / 1e3:>7.0f} {whole:>7.0f} {beyond:>19.0f}")
    verdict = "met" if worst <= TARGET_BYTES_PER_SEGMENT else "MISSED"
    print(
        f"all district pages: {total / 1e6:.2f} MB for {shown} segments "
        f"({total / max(shown, 1):.0f} B/segment on average); worst page {worst_page}: "
        f"{worst:.0f} B/segment, target {TARGET_BYTES_PER_SEGMENT:.0f}: {verdict}"
    )


if __name__ == "__main__":
    main()
