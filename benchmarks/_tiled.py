"""Helsinki tiled n x n, for the benchmarks of how cpted grows with the area (issue 15).

``tiled_helsinki(n)`` writes (once) and returns ``build/bench/helsinki_<n>x<n>.osm.pbf``:
n x n copies of the bundled Helsinki sample side by side, made by
:func:`cpted.datasets.repeat` (each copy shifted by the extract's width and height, its ids
offset). Real data, a synthetic place: 1 x 1 is the sample's 3,517 street segments, 4 x 4
about sixteen times that.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cpted

#: Where the tiled files are kept between runs (ignored by git, like build/).
CACHE = Path(__file__).resolve().parents[1] / "build" / "bench"


def tiled_helsinki(n: int, *, cache: Path = CACHE) -> Path:
    """Return the path of Helsinki tiled ``n`` x ``n``, writing it if it is not there yet."""
    source = cpted.datasets.get_path("helsinki")
    path = cache / f"helsinki_{n}x{n}.osm.pbf"
    # a sample newer than the cached copy (a new release of the data) makes a new copy
    if not path.exists() or path.stat().st_mtime < source.stat().st_mtime:
        cpted.datasets.repeat(source, n, n, path, overwrite=True)
    return path


def frame(n: int = 1) -> tuple[float, float, float, float]:
    """Return the frame (west, south, east, north) of the sample, or of copy (n-1, n-1)."""
    import osmium

    reader = osmium.io.Reader(str(cpted.datasets.get_path("helsinki")))
    box = reader.header().box()
    reader.close()
    west, south = box.bottom_left.lon, box.bottom_left.lat
    east, north = box.top_right.lon, box.top_right.lat
    width, height = east - west, north - south
    k = n - 1
    return (west + k * width, south + k * height, east + k * width, north + k * height)


if __name__ == "__main__":
    for size in map(int, sys.argv[1:] or ["1", "2", "3", "4"]):
        print(tiled_helsinki(size))
