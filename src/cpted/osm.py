"""Read OpenStreetMap data from files (XML, compressed XML, PBF) and from Overpass.

Real extracts are clipped: a way that leaves the extract keeps references to nodes that
are not in the file. osmnx's ``graph_from_xml`` refuses such files; cpted keeps every valid
piece and counts what it had to drop, so :meth:`cpted.area.StudyArea.quality` can report it.

Hand-edited and generated files break OpenStreetMap's rules in other ways, and the same
principle holds for them: keep what is valid, count what is not, and raise an
:class:`~cpted.InputError` only when nothing usable is left or the file cannot be parsed.

- A node whose ``lat``/``lon`` is not a number, infinite or out of range is left out (a way
  through it is cut there, as at the edge of an extract) and counted as
  ``invalid_coordinates``. libosmium cannot parse such a file at all, and reads exponents of
  three digits (``1e308``) as 0, so cpted reads a repaired copy of it (the input is never
  changed).
- A tag key or value longer than libosmium's 1024 bytes (OpenStreetMap itself allows 255
  characters) is cut to 1024 bytes and counted as ``tags_truncated``.
- Negative ids (objects drawn in JOSM and not uploaded) are valid and kept.
- Ids that occur more than once are counted as ``duplicate_ids``; one of each is used.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import itertools
import math
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np
import osmium
import shapely

from cpted._errors import CptedError, DataError, InputError
from cpted._i18n import _
from cpted._validate import check_frames

__all__ = ["OsmData", "download_bbox", "read_osm"]

SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".xml", ".osm.xml")

#: Tag keys that make a feature interesting for a CPTED analysis. Everything else is
#: skipped while reading, which keeps memory low on city-sized files.
_KEYS_OF_INTEREST = (
    "highway",
    "building",
    "barrier",
    "amenity",
    "shop",
    "leisure",
    "tourism",
    "office",
    "craft",
    "healthcare",
    "place",
    "railway",
    "public_transport",
    "man_made",
    "entrance",
    "door",
    "emergency",
    "light_source",
    "area:highway",
    "landuse",
    "natural",
    "waterway",
    "water",
    "surveillance",
)


@dataclass
class OsmWay:
    """A way with the positions of the nodes that are in the file (NaN where clipped)."""

    id: int
    tags: dict[str, str]
    refs: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    def runs(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Yield the runs of at least two consecutive nodes that are present."""
        ok = ~np.isnan(self.lon)
        if ok.all():
            yield self.refs, self.lon, self.lat
            return
        edges = np.flatnonzero(np.diff(np.r_[0, ok.astype(np.int8), 0]))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            if stop - start >= 2:
                yield self.refs[start:stop], self.lon[start:stop], self.lat[start:stop]


@dataclass
class OsmData:
    """What cpted read from one OSM source, in WGS84."""

    source: str
    nodes: list[tuple[int, float, float, dict[str, str]]] = field(default_factory=list)
    ways: list[OsmWay] = field(default_factory=list)
    areas: list[tuple[str, dict[str, str], shapely.Geometry]] = field(default_factory=list)
    bounds: tuple[float, float, float, float] | None = None
    #: The frames of the extracts the file holds: those given to :func:`read_osm`
    #: (``frames``), else those the file states where it states more than one (an XML
    #: file of merged extracts keeps a ``<bounds>`` each, a file of
    #: :func:`cpted.datasets.repeat` names its layout; a PBF merged by another tool only
    #: their union, in ``bounds``). Boxes (west, south, east, north) or shapely Polygons,
    #: in WGS84. Polygons cut open are closed along their own extract's frame.
    frames: list[tuple[float, float, float, float] | shapely.Polygon] = field(default_factory=list)
    #: Whether the data stops at the seams between the frames: the copies of
    #: :func:`cpted.datasets.repeat` are copies, not neighbours, and an area a copy's
    #: frame cut open is closed along that frame. Otherwise (merged extracts of one map)
    #: along the outline of the frames' union.
    seams_cut: bool = False
    data_date: str | None = None
    dangling_refs: int = 0
    ways_clipped: int = 0
    areas_dropped: int = 0
    relations_dropped: int = 0
    areas_mended: set[str] = field(default_factory=set)
    areas_failed: int = 0
    invalid_coordinates: int = 0
    duplicate_ids: int = 0
    tags_truncated: int = 0
    node_count: int = 0
    way_count: int = 0
    #: The box (west, south, east, north) the file was read within, or None when it was
    #: read whole (:func:`read_osm`, ``bbox``).
    read_box: tuple[float, float, float, float] | None = None

    def coordinates(self) -> np.ndarray:
        """
        All (lon, lat) positions of the tagged nodes and the kept ways, as an (n, 2) array.

        Where the data crosses the antimeridian, longitudes west of it run on past 180°
        (-179.9 becomes 180.1), so that neighbours stay neighbours; pyproj projects both
        alike.
        """
        nodes = np.array([(n[1], n[2]) for n in self.nodes], dtype=float).reshape(-1, 2)
        # every way's positions in one array (a small array per way cost a second at 3 × 3)
        lon = np.concatenate([w.lon for w in self.ways]) if self.ways else np.empty(0)
        lat = np.concatenate([w.lat for w in self.ways]) if self.ways else np.empty(0)
        ok = ~np.isnan(lon)
        xy = np.vstack([nodes, np.column_stack([lon[ok], lat[ok]])])
        if crosses_antimeridian(xy[:, 0]):
            xy[:, 0] = unwrap(xy[:, 0])
        return xy

    @property
    def crosses_antimeridian(self) -> bool:
        """Whether the data lies across 180° longitude (see :func:`crosses_antimeridian`)."""
        xy = self.coordinates()
        return bool(len(xy)) and bool(xy[:, 0].max() > 180.0)

    @property
    def extent(self) -> tuple[float, float, float, float] | None:
        """
        Bounds of the data itself (west, south, east, north), or None if empty.

        ``east`` is beyond 180 where the data crosses the antimeridian.
        """
        xy = self.coordinates()
        if not len(xy):
            return None
        (west, south), (east, north) = xy.min(axis=0), xy.max(axis=0)
        return (float(west), float(south), float(east), float(north))


def crosses_antimeridian(lon: np.ndarray) -> bool:
    """
    Tell whether longitudes lie closer together across 180° than across 0°.

    Data at 179.9° and -179.9° spans 359.8° taken naively but 0.2° across the antimeridian;
    a local projection must be centred on 180°, not on 0°.
    """
    if len(lon) < 2:
        return False
    naive = float(lon.max() - lon.min())
    if naive <= 180.0:
        return False
    wrapped = unwrap(lon)
    return float(wrapped.max() - wrapped.min()) < naive


def unwrap(lon: np.ndarray) -> np.ndarray:
    """Move longitudes west of 0° on past 180° (-179.9 to 180.1)."""
    return np.where(lon < 0.0, lon + 360.0, lon)


def _interesting(tags: dict[str, str]) -> bool:
    return any(k in tags for k in _KEYS_OF_INTEREST)


def _check_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if not path.exists():
        msg = _(
            "No such OSM file: {path}. Check the path, or try a bundled sample: "
            "cpted.datasets.get_path('neukoelln')."
        ).format(path=path)
        raise InputError(msg)
    if path.is_dir():
        msg = _(
            "{path} is a folder; give the path of an .osm, .osm.bz2, .osm.gz or .osm.pbf file."
        ).format(path=path)
        raise InputError(msg)
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        msg = _(
            "{name} is not an OSM file cpted can read: the name must end in {suffixes}."
        ).format(name=path.name, suffixes=", ".join(SUFFIXES[:4]))
        raise InputError(msg)
    if path.stat().st_size == 0:
        msg = _("{path} is empty (0 bytes). Export the area again from OpenStreetMap.").format(
            path=path
        )
        raise InputError(msg)
    return path


def _xml_head(path: Path) -> str:
    suffix = path.suffix.lower()
    try:
        if suffix == ".bz2":
            with bz2.open(path, "rb") as fh:
                raw = fh.read(4096)
        elif suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                raw = fh.read(4096)
        else:
            with open(path, "rb") as fh:
                raw = fh.read(4096)
        return raw.decode("utf-8", errors="replace")
    except (OSError, EOFError, ValueError) as exc:
        msg = _(
            "{path} cannot be decompressed ({error}); the file is damaged or not {suffix}."
        ).format(path=path, error=exc, suffix=path.suffix)
        raise InputError(msg) from exc


def _usable_bounds(
    west: float, south: float, east: float, north: float
) -> tuple[float, float, float, float] | None:
    """Return a stated frame if it is one (degrees, in range, not flat), else None."""
    values = (west, south, east, north)
    if not all(math.isfinite(v) for v in values):
        return None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90):
        return None
    if west == east:
        return None
    if west > east:  # a frame across the antimeridian, as coordinates() unwraps it
        east += 360.0
    return (west, south, east, north)


def _header_info(
    path: Path,
) -> tuple[tuple[float, float, float, float] | None, str | None, str]:
    """Read the file's frame, data date and generator (``""`` when it names none)."""
    bounds = None
    date = None
    if not path.name.lower().endswith(".pbf"):
        head = _xml_head(path)
        if "<osm" not in head:
            msg = _(
                "{path} is not OpenStreetMap XML (no <osm> element at its start). Export "
                "it from openstreetmap.org, Overpass or a Geofabrik extract."
            ).format(path=path)
            raise InputError(msg)
        found = re.search(r'osm_base="([^"]+)"', head)
        if found:
            date = found.group(1)[:10]
        box = re.search(
            r'<bounds[^>]*minlat="([-\d.]+)"[^>]*minlon="([-\d.]+)"[^>]*maxlat="([-\d.]+)"'
            r'[^>]*maxlon="([-\d.]+)"',
            head,
        )
        if box:
            with contextlib.suppress(ValueError):  # "-" or "1.2.3": no usable frame
                s, w, n, e = (float(v) for v in box.groups())
                bounds = _usable_bounds(w, s, e, n)
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        header = reader.header()
        reader.close()
    except osmium.InvalidLocationError:
        # A <bounds> element with coordinates that are not numbers: the frame is unknown,
        # the data may still be good (read_osm repairs it).
        return bounds, date, ""
    except RuntimeError as exc:
        msg = _(
            "{path} cannot be read as OSM data: {error}. The file may be truncated or damaged."
        ).format(path=path, error=exc)
        raise InputError(msg) from exc
    hbox = header.box()
    if hbox.valid():
        bl, tr = hbox.bottom_left, hbox.top_right
        bounds = _usable_bounds(bl.lon, bl.lat, tr.lon, tr.lat)
    stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp")
    if stamp:
        date = stamp[:10]
    return bounds, date, header.get("generator") or ""


_BOUNDS = re.compile(r"<bounds\s[^>]*>")
_BOUND_VALUE = re.compile(r"""(minlat|minlon|maxlat|maxlon)\s*=\s*["']([^"']*)["']""")


def _xml_frames(path: Path) -> list[tuple[float, float, float, float]]:
    """
    Return the frames an OSM XML file states when it states several, else [].

    ``osmium merge`` of XML extracts writes one ``<bounds>`` per input; libosmium's header
    keeps only the first.
    """
    frames = []
    for element in _BOUNDS.findall(_xml_head(path)):
        values = dict(_BOUND_VALUE.findall(element))
        try:
            w, s, e, n = (float(values[k]) for k in ("minlon", "minlat", "maxlon", "maxlat"))
        except (KeyError, ValueError):
            continue
        if (frame := _usable_bounds(w, s, e, n)) is not None:
            frames.append(frame)
    return frames if len(frames) > 1 else []


#: The generator :func:`cpted.datasets.repeat` writes in the header: its copies' layout.
_REPEAT_GENERATOR = re.compile(r"^cpted\.datasets\.repeat (\d+)x(\d+) of ")


def _repeat_frames(
    generator: str, bounds: tuple[float, float, float, float] | None
) -> list[tuple[float, float, float, float]]:
    """
    Return the frames of the copies a file of :func:`cpted.datasets.repeat` holds, else [].

    A PBF header states one box, the union of the copies' frames (``bounds``); the
    ``generator`` it names (``cpted.datasets.repeat 4x4 of helsinki_centre.osm.pbf``) gives
    their layout, and
    each copy's frame is its cell of the union. Without them an area the source's frame
    cut open would be closed along the union's frame instead of its own copy's (strips of
    ground up to a copy's height long at the seams).
    """
    found = _REPEAT_GENERATOR.match(generator)
    if bounds is None or found is None:
        return []
    nx, ny = int(found.group(1)), int(found.group(2))
    if not 1 < nx * ny <= 10_000:
        return []
    west, south, east, north = bounds
    width, height = (east - west) / nx, (north - south) / ny
    return [
        (west + i * width, south + j * height, west + (i + 1) * width, south + (j + 1) * height)
        for j in range(ny)
        for i in range(nx)
    ]


#: The longest tag key, value or member role libosmium reads, in bytes of UTF-8
#: (``osmium::max_osm_string_length``). OpenStreetMap's API allows 255 characters.
MAX_STRING_BYTES = 1024


def frame_polygon(frame: tuple[float, float, float, float] | shapely.Polygon) -> shapely.Polygon:
    """Return a frame of :attr:`OsmData.frames` as a polygon (a box stays a box)."""
    return frame if isinstance(frame, shapely.Polygon) else shapely.box(*frame)


def _frames_bounds(
    frames: list[tuple[float, float, float, float] | shapely.Polygon],
) -> tuple[float, float, float, float]:
    """Return the (west, south, east, north) of the union of ``frames``."""
    boxes = np.array([frame_polygon(f).bounds for f in frames])
    west, south = boxes[:, :2].min(axis=0)
    east, north = boxes[:, 2:].max(axis=0)
    return (float(west), float(south), float(east), float(north))


def _frames_holding(
    frames: list[tuple[float, float, float, float] | shapely.Polygon], xy: np.ndarray
) -> list[bool]:
    """Tell for each frame whether any of the positions ``xy`` (lon, lat) lies on it."""
    held = []
    for frame in frames:
        polygon = frame_polygon(frame)
        west, south, east, north = polygon.bounds
        near = xy[
            (xy[:, 0] >= west) & (xy[:, 0] <= east) & (xy[:, 1] >= south) & (xy[:, 1] <= north)
        ]
        held.append(bool(len(near)) and bool(shapely.intersects_xy(polygon, *near.T).any()))
    return held


def _refuse_frames(
    frames: list[tuple[float, float, float, float] | shapely.Polygon],
    held: list[bool],
    *,
    path: Path,
    against: str,
    extent: tuple[float, float, float, float],
) -> None:
    """Raise InputError naming the frames that do not touch ``against`` (``held`` False)."""
    away = [
        f"{i} {tuple(round(v, 5) for v in frame_polygon(f).bounds)}"
        for i, (f, ok) in enumerate(zip(frames, held, strict=True))
        if not ok
    ]
    if away:
        msg = _(
            "frames {frames} do not touch {against} of {name}, which covers {extent} "
            "(west, south, east, north). Give the frames of the extracts this file was "
            "merged from, in WGS84 longitude/latitude, or leave frames out."
        ).format(
            frames="; ".join(away),
            against=against,
            name=path.name,
            extent=tuple(round(v, 5) for v in extent),
        )
        raise InputError(msg)


def read_osm(
    path: str | os.PathLike[str],
    *,
    bbox: tuple[float, float, float, float] | None = None,
    frames: Any = None,
) -> OsmData:
    """
    Read the CPTED-relevant features of an OSM file, keeping what is valid in a clipped file.

    Nodes with unusable coordinates, over-long tags, negative and duplicate ids are
    handled as the module docstring says; the counts are on the returned object.

    Parameters
    ----------
    path
        An ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file.
    bbox
        (west, south, east, north) in degrees: read only what lies within it, streaming
        the file (:func:`_read_within`), so that memory follows the box, not the file. The
        tagged nodes inside, the ways with a node inside or crossing it (whole, every node
        located through a node-location index on disk) and the multipolygons with such a
        way (with all their member ways) are kept: the same features a whole read gives
        there. Counts (``dangling_refs``, ``node_count``...) are of what was kept.
    frames
        The frames of the extracts a merged file holds (``osmium merge`` of several
        extracts states only their union): a list of (west, south, east, north) boxes in
        degrees, a GeoDataFrame or GeoSeries of polygons in any CRS (those given to
        ``osmium extract --polygon``), or the path of a GeoJSON or GeoPackage file of
        them (:func:`cpted._validate.check_frames`). They override the frames the file
        states, and ``bounds`` becomes the box of their union. An area an extract's frame
        cut open is closed along that frame (:func:`close_clipped`).

    Returns
    -------
    OsmData
        Tagged nodes, ways with node positions (NaN where the node is missing), assembled
        areas (closed ways and multipolygon relations) as shapely geometries, and counts
        of what was dropped. ``bounds`` is the file's frame, also when read within a box.

    Raises
    ------
    InputError
        The file cannot be read, or ``frames`` are not frames (not 4 numbers, west > east,
        out of range, empty, an unreadable file) or one of them touches none of the data
        (read within a box: none of the file's stated frame).
    """
    given = None if frames is None else check_frames(frames, what="frames")
    path = _check_path(path)
    bounds, date, generator = _header_info(path)
    xml = not path.name.lower().endswith(".pbf")
    repeats: list[tuple[float, float, float, float]] = []  # the copies of datasets.repeat
    if given is not None:
        if bounds is not None and bounds[2] <= 180.0:
            # a frame away from the one the file states (another file's, or latitude and
            # longitude swapped) is refused before the file is read
            stated = shapely.box(*bounds)
            held = [frame_polygon(f).intersects(stated) for f in given]
            _refuse_frames(given, held, path=path, against=_("the frame stated"), extent=bounds)
        frames = list(given)
        bounds = _frames_bounds(frames)
    else:
        repeats = _repeat_frames(generator, bounds)
        frames = (_xml_frames(path) if xml else []) or repeats
    seams_cut = bool(repeats)
    if bbox is not None:
        within = _read_within(
            path, bbox, bounds=bounds, date=date, frames=frames, seams_cut=seams_cut
        )
        if within is not None:
            return within
        # libosmium cannot stream this file as it is (a hand-edited XML file that needs
        # repair): it is read whole, then clipped by the caller.
    data = OsmData(
        source=str(path), bounds=bounds, data_date=date, frames=frames, seams_cut=seams_cut
    )
    problem: Exception | None = None
    try:
        suspect = _read(path, data)
    except CptedError:
        raise
    except (osmium.InvalidLocationError, ValueError, _Unordered) as exc:
        problem, suspect = exc, True
    if suspect and xml and problem is None:
        # a node exactly on the equator or the prime meridian may be real: repair only if
        # some coordinate in the file is written with an exponent
        suspect = _has_exponent_coordinates(path)
    if suspect and xml:
        # libosmium stops at a coordinate it cannot parse, reads a three-digit exponent
        # (1e308) as 0 and stops at ways out of id order (hand-edited files); read a copy
        # in which every coordinate is written plainly, every unusable one is removed and
        # the objects are in order. Only files that need it pay for the second pass.
        data = OsmData(
            source=str(path), bounds=bounds, data_date=date, frames=frames, seams_cut=seams_cut
        )
        with _repaired_copy(path) as (copy, repairs):
            try:
                _read(copy, data)
            except CptedError:
                raise
            except (osmium.InvalidLocationError, ValueError, _Unordered) as exc:
                problem = exc
            else:
                problem = None
            data.tags_truncated = repairs["truncated"]
            data.duplicate_ids += repairs["duplicates"]
    if isinstance(problem, _Unordered):
        msg = _(
            "{path}: {problem}. libosmium needs objects sorted by type and id; sort the "
            "file with `osmium sort` (osmium-tool) and read the sorted copy."
        ).format(path=path, problem=problem)
        raise InputError(msg) from problem
    if problem is not None:
        msg = _(
            "{path} holds an element libosmium cannot read: {problem}. Fix that element "
            "(e.g. in JOSM) or export the area again from OpenStreetMap."
        ).format(path=path, problem=problem)
        raise InputError(msg) from problem
    if data.node_count == 0 and data.way_count == 0:
        msg = _("{path} holds no OpenStreetMap nodes or ways.").format(path=path)
        raise DataError(msg)
    if given is not None and data.extent is not None:
        held = _frames_holding(given, data.coordinates())
        _refuse_frames(given, held, path=path, against=_("the data"), extent=data.extent)
    return data


def _only(fltr: Any, kinds: Any) -> Any:
    """Return a pyosmium filter applied to the object types ``kinds`` only."""
    fltr.enable_for(kinds)
    return fltr


def _read_within(
    path: Path,
    bbox: tuple[float, float, float, float],
    *,
    bounds: tuple[float, float, float, float] | None,
    date: str | None,
    frames: list[tuple[float, float, float, float] | shapely.Polygon],
    seams_cut: bool = False,
) -> OsmData | None:
    """
    Read what an OSM file holds within ``bbox``, streaming it; None if it cannot stream.

    Memory holds what is kept, the node-location index lives on disk, and the ids of the
    file's multipolygon member ways (8 bytes each) are the only thing kept of the whole
    file. Three passes:

    1. relations: the multipolygons cpted reads, and their member ways;
    2. nodes and ways, every node's location going to a ``sparse_file_array`` index on
       disk (pyosmium's storage for files larger than memory): the tagged nodes inside
       ``bbox`` and the ways (of interest, or members) with a node inside it or a segment
       across it are kept, with the locations of all their nodes;
    3. the member ways, outside ``bbox``, of the multipolygons one of whose ways is kept,
       located through the index, and those multipolygons.

    What was kept is written to a temporary PBF (what only completes a way or a
    multipolygon, without its tags: it is outside ``bbox``) and read by :func:`_read` like
    any file, so areas are assembled and mended exactly as in a whole read, along the
    frame of the original file. (pyosmium's ``IdFilter`` and ``BackReferenceWriter`` do
    parts of this in C++, but their id sets are bitmaps over the id range: a gigabyte for
    Helsinki's ids up to 6.4 × 10⁹, and four times that tiled 2 × 2.)
    """
    west, south, east, north = bbox
    frame = shapely.box(west, south, east, north)

    def inside(lon: float, lat: float) -> bool:
        return west <= lon <= east and south <= lat <= north

    nodes: dict[int, Any] = {}  # id -> mutable node, tagged and inside
    located: dict[int, tuple[float, float]] = {}  # nodes of kept ways
    ways: dict[int, Any] = {}  # id -> mutable way
    with tempfile.TemporaryDirectory(prefix="cpted-within-") as folder:
        part = Path(folder) / "within.osm.pbf"
        try:
            outlines: dict[int, np.ndarray] = {}
            for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
                if not isinstance(rel, osmium.osm.Relation):
                    continue
                if rel.tags.get("type") in {"multipolygon", "boundary"} and _interesting(
                    dict(rel.tags)
                ):
                    refs = [m.ref for m in rel.members if m.type == "w"]
                    outlines[rel.id] = np.asarray(refs, dtype=np.int64)
            member_ways = (
                np.unique(np.concatenate(list(outlines.values())))
                if outlines
                else np.zeros(0, np.int64)
            )

            def is_member(way_id: int) -> bool:
                i = int(np.searchsorted(member_ways, way_id))
                return i < len(member_ways) and member_ways[i] == way_id

            index = osmium.index.create_map(f"sparse_file_array,{Path(folder) / 'locations'}")
            locate = osmium.NodeLocationsForWays(index)
            locate.ignore_errors()  # a clipped extract's missing nodes stay unlocated
            drawn: dict[int, tuple[float, float]] = {}
            processor = (
                osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                .with_filter(locate)
                .with_filter(_only(osmium.filter.EmptyTagFilter(), osmium.osm.NODE))
            )
            for obj in processor:
                if isinstance(obj, osmium.osm.Node):
                    loc = obj.location
                    if not loc.valid():
                        continue
                    if obj.id < 0:
                        drawn[obj.id] = (loc.lon, loc.lat)
                    if inside(loc.lon, loc.lat) and _interesting(tags := dict(obj.tags)):
                        nodes[obj.id] = osmium.osm.mutable.Node(
                            id=obj.id,
                            location=(loc.lon, loc.lat),
                            tags=tags,
                            timestamp=obj.timestamp,
                        )
                    continue
                if not isinstance(obj, osmium.osm.Way):
                    continue
                tags = dict(obj.tags)
                if not (_interesting(tags) or is_member(obj.id)):
                    continue
                refs, xy = [], {}
                for nd in obj.nodes:
                    refs.append(nd.ref)
                    if nd.location.valid():
                        xy[nd.ref] = (nd.location.lon, nd.location.lat)
                    elif nd.ref in drawn:
                        xy[nd.ref] = drawn[nd.ref]
                line = [xy[r] for r in refs if r in xy]
                if any(inside(x, y) for x, y in line) or (
                    len(line) > 1 and shapely.LineString(line).intersects(frame)
                ):
                    ways[obj.id] = osmium.osm.mutable.Way(
                        id=obj.id, nodes=refs, tags=tags, timestamp=obj.timestamp
                    )
                    located.update(xy)
            kept = {r for r, refs in outlines.items() if np.isin(refs, list(ways)).any()}
            wanted = {int(w) for r in kept for w in outlines[r]} - ways.keys()
            del outlines
            relations: dict[int, Any] = {}
            if kept:
                for obj in osmium.FileProcessor(str(path), osmium.osm.WAY | osmium.osm.RELATION):
                    if isinstance(obj, osmium.osm.Way) and obj.id in wanted:
                        refs = [nd.ref for nd in obj.nodes]
                        ways[obj.id] = osmium.osm.mutable.Way(id=obj.id, nodes=refs)
                        for ref in refs:
                            if ref not in located:
                                with contextlib.suppress(KeyError):
                                    loc = index.get(ref)
                                    located[ref] = (loc.lon, loc.lat)
                    elif isinstance(obj, osmium.osm.Relation) and obj.id in kept:
                        relations[obj.id] = osmium.osm.mutable.Relation(
                            id=obj.id,
                            members=[(m.type, m.ref, m.role) for m in obj.members],
                            tags=dict(obj.tags),
                            timestamp=obj.timestamp,
                        )
            del index
            for ref, (lon, lat) in located.items():
                if ref not in nodes:
                    nodes[ref] = osmium.osm.mutable.Node(id=ref, location=(lon, lat))
            header = osmium.io.Header()
            header.set("sorting", "Type_then_ID")
            with osmium.SimpleWriter(str(part), header=header, overwrite=True) as writer:
                for oid in sorted(nodes, key=_id_order):
                    writer.add_node(nodes[oid])
                for oid in sorted(ways, key=_id_order):
                    writer.add_way(ways[oid])
                for oid in sorted(relations, key=_id_order):
                    writer.add_relation(relations[oid])
        except (RuntimeError, ValueError, osmium.InvalidLocationError):
            return None
        data = OsmData(
            source=str(path),
            bounds=bounds,
            data_date=date,
            frames=frames,
            seams_cut=seams_cut,
            read_box=bbox,
        )
        if not (nodes or ways):
            return data  # nothing within the box: the caller says so
        try:
            _read(part, data)
        except (RuntimeError, ValueError, osmium.InvalidLocationError, _Unordered):
            return None
    return data


_EXPONENT = re.compile(rb"""\b(?:lat|lon)=["'][-+]?[\d.]*[eE]""")


def _has_exponent_coordinates(path: Path) -> bool:
    """Tell whether any ``lat``/``lon`` in an OSM XML file is written with an exponent."""
    opener: Any = {".bz2": bz2.open, ".gz": gzip.open}.get(path.suffix.lower(), open)
    tail = b""
    with opener(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            if _EXPONENT.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


class _Unordered(Exception):
    """libosmium's area assembly met a way or relation id out of order or twice."""


def _id_order(oid: int) -> tuple[bool, int]:
    # libosmium's ``id_order``: 0, then negative ids by absolute value, then 1, 2, ...
    return (oid > 0, abs(oid))


def _read(path: Path, data: OsmData) -> bool:
    """
    Read ``path`` into ``data``; return whether a coordinate may have been misread.

    libosmium reads a coordinate written with a large exponent as exactly 0; a node
    exactly on the equator or the prime meridian is rare enough in real data that one
    such node asks for a careful second reading.
    """
    wkb = osmium.geom.WKBFactory()
    latest = None
    suspect = False
    closed_ways_of_interest: set[int] = set()
    way_areas: set[int] = set()
    relation_areas: set[int] = set()
    members: dict[int, OsmWay] = {}
    # libosmium's location index holds non-negative ids only; the (few) nodes a JOSM user
    # drew and never uploaded have negative ids and are looked up here instead.
    drawn: dict[int, tuple[float, float]] = {}
    unusable: set[int] = set()
    ids = {"n": array("q"), "w": array("q"), "r": array("q")}
    try:
        # Multipolygon relations come last in a file; read them first so that their member
        # ways (often untagged) are kept for mending the ones a clipped extract cuts.
        relations: dict[int, tuple[dict[str, str], list[tuple[int, str]]]] = {}
        for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
            if not isinstance(rel, osmium.osm.Relation):
                continue
            ids["r"].append(rel.id)
            if rel.tags.get("type") in {"multipolygon", "boundary"} and _interesting(
                dict(rel.tags)
            ):
                ways = [(m.ref, m.role) for m in rel.members if m.type == "w"]
                relations[rel.id] = (dict(rel.tags), ways)
        member_ids = {ref for _, refs in relations.values() for ref, _ in refs}
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                data.node_count += 1
                ids["n"].append(obj.id)
                stamp = obj.timestamp
                if stamp.year > 1970 and (latest is None or stamp > latest):
                    latest = stamp
                location = obj.location
                if not location.valid():
                    data.invalid_coordinates += 1
                    unusable.add(obj.id)
                    continue
                if location.x == 0 or location.y == 0:
                    suspect = True
                if obj.id < 0:
                    drawn[obj.id] = (location.lon, location.lat)
                if len(obj.tags):
                    tags = dict(obj.tags)
                    if _interesting(tags):
                        data.nodes.append((obj.id, location.lon, location.lat, tags))
            elif isinstance(obj, osmium.osm.Way):
                data.way_count += 1
                ids["w"].append(obj.id)
                stamp = obj.timestamp
                if stamp.year > 1970 and (latest is None or stamp > latest):
                    latest = stamp
                count = len(obj.nodes)
                refs = np.empty(count, dtype=np.int64)
                lon = np.full(count, np.nan)
                lat = np.full(count, np.nan)
                missing = 0
                for i, nd in enumerate(obj.nodes):
                    refs[i] = nd.ref
                    if nd.location.valid():
                        lon[i] = nd.location.lon
                        lat[i] = nd.location.lat
                    elif nd.ref in drawn:
                        lon[i], lat[i] = drawn[nd.ref]
                    elif nd.ref not in unusable:
                        missing += 1
                if missing:
                    data.dangling_refs += missing
                    data.ways_clipped += 1
                tags = dict(obj.tags)
                way = OsmWay(obj.id, tags, refs, lon, lat)
                if obj.id in member_ids:
                    members[obj.id] = way
                if not _interesting(tags):
                    continue
                if count >= 4 and refs[0] == refs[-1]:
                    closed_ways_of_interest.add(obj.id)
                data.ways.append(way)
            elif isinstance(obj, osmium.osm.Area):
                tags = dict(obj.tags)
                if not _interesting(tags):
                    continue
                try:
                    geom = shapely.from_wkb(wkb.create_multipolygon(obj))
                except (RuntimeError, shapely.errors.GEOSException):
                    continue
                if geom.is_empty:
                    continue
                if obj.from_way():
                    way_areas.add(obj.orig_id())
                    key = f"w{obj.orig_id()}"
                else:
                    relation_areas.add(obj.orig_id())
                    key = f"r{obj.orig_id()}"
                if len(geom.geoms) == 1:
                    geom = geom.geoms[0]
                data.areas.append((key, tags, geom))
    except RuntimeError as exc:
        if "out of order" in str(exc) or "twice in input" in str(exc):
            raise _Unordered(str(exc)) from exc
        msg = _(
            "{path} could not be read to the end: {error}. The file is truncated, "
            "damaged or not OpenStreetMap data; download or export it again."
        ).format(path=data.source, error=exc)
        raise InputError(msg) from exc
    data.duplicate_ids = sum(len(v) - len(np.unique(np.asarray(v))) for v in ids.values())
    if data.bounds is not None and data.crosses_antimeridian:
        west, south, east, north = data.bounds
        if east - west > 180.0:
            # libosmium orders a frame across 180° as (east, west): the whole world round
            data.bounds = (east, south, west + 360.0, north)
    _mend_clipped_areas(
        data, closed_ways_of_interest - way_areas, relations, relation_areas, members
    )
    if data.data_date is None and latest is not None:
        data.data_date = latest.strftime("%Y-%m-%d")
    return suspect


@contextlib.contextmanager
def _repaired_copy(path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    """
    Write a copy of an OSM XML file that libosmium can read; yield it and what was repaired.

    Coordinates are written as plain decimals; a node whose ``lat`` or ``lon`` is not a
    finite number in range loses both (libosmium then reads it as a node without a
    location, which :func:`_read` counts). Tag keys, values and member roles longer than
    :data:`MAX_STRING_BYTES` are cut to fit, at a character boundary (``"truncated"``).
    Nodes, ways and relations are written in libosmium's order, and of an id that occurs
    twice only the first object is kept (``"duplicates"``). Metadata cpted does not use
    (``version``, ``changeset``, ``uid``) is dropped where it is not a number. The copy
    lives in a temporary folder removed afterwards; the input is never changed. It is held
    in memory while sorted: only files that need repair pay for it.
    """
    opener: Any = {".bz2": bz2.open, ".gz": gzip.open}.get(path.suffix.lower(), open)
    repairs = {"truncated": 0, "duplicates": 0}

    def cut(value: str) -> str:
        raw = value.encode("utf-8")
        if len(raw) <= MAX_STRING_BYTES:
            return value
        repairs["truncated"] += 1
        return raw[:MAX_STRING_BYTES].decode("utf-8", errors="ignore")

    def coordinate(text: str | None, limit: float) -> str | None:
        try:
            value = float(text) if text is not None else math.nan
        except ValueError:
            return None
        return f"{value:.7f}" if math.isfinite(value) and abs(value) <= limit else None

    head: list[bytes] = []  # <bounds>, <meta> and the like, before every object
    objects: dict[str, dict[int, bytes]] = {"node": {}, "way": {}, "relation": {}}
    unreadable: list[bytes] = []  # ids that are not numbers: libosmium will name them
    start = b""
    end = b""
    try:
        with opener(path, "rb") as source:
            depth = 0
            root: ET.Element | None = None
            for event, elem in ET.iterparse(source, events=("start", "end")):
                if event == "start":
                    if depth == 0:
                        root = elem
                        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in elem.attrib.items())
                        start = f"<{elem.tag}{attrs}>\n".encode()
                        end = f"</{elem.tag}>\n".encode()
                    depth += 1
                    continue
                depth -= 1
                if depth != 1 or root is None:
                    continue
                _repair_element(elem, cut, coordinate)
                elem.tail = "\n"
                text = ET.tostring(elem, encoding="utf-8", xml_declaration=False)
                if elem.tag in objects:
                    table = objects[elem.tag]
                    try:
                        oid = int(elem.attrib.get("id", "0"))
                    except ValueError:
                        unreadable.append(text)
                    else:
                        if oid in table:
                            repairs["duplicates"] += 1
                        else:
                            table[oid] = text
                elif elem.tag != "_drop":
                    head.append(text)
                root.clear()
    except (ET.ParseError, OSError, EOFError) as exc:
        msg = _(
            "{path} could not be read to the end: {error}. The file is truncated, "
            "damaged or not OpenStreetMap data; download or export it again."
        ).format(path=path, error=exc)
        raise InputError(msg) from exc
    with tempfile.TemporaryDirectory(prefix="cpted-osm-") as folder:
        copy = Path(folder) / "repaired.osm"
        with open(copy, "wb") as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n' + start)
            out.writelines(head)
            out.writelines(unreadable)
            for table in objects.values():
                out.writelines(table[oid] for oid in sorted(table, key=_id_order))
            out.write(end)
        yield copy, repairs


def _repair_element(elem: ET.Element, cut: Any, coordinate: Any) -> None:
    """Make one top-level element of an OSM file readable by libosmium, in place."""
    for key in ("version", "changeset", "uid"):
        if key in elem.attrib and not elem.attrib[key].isdigit():
            del elem.attrib[key]
    if elem.tag == "node":
        lat = coordinate(elem.attrib.get("lat"), 90.0)
        lon = coordinate(elem.attrib.get("lon"), 180.0)
        if lat is None or lon is None:
            elem.attrib.pop("lat", None)
            elem.attrib.pop("lon", None)
        else:
            elem.attrib["lat"], elem.attrib["lon"] = lat, lon
    elif elem.tag == "bounds":
        names = ("minlat", "minlon", "maxlat", "maxlon")
        values = [coordinate(elem.attrib.get(n), 90.0 if "lat" in n else 180.0) for n in names]
        if None in values:
            elem.tag = "_drop"
            return
        elem.attrib.update(zip(names, values, strict=True))
    for child in elem:
        if child.tag == "tag":
            child.attrib["k"] = cut(child.attrib.get("k", ""))
            child.attrib["v"] = cut(child.attrib.get("v", ""))
        elif child.tag == "member" and "role" in child.attrib:
            child.attrib["role"] = cut(child.attrib["role"])


def _mend_clipped_areas(
    data: OsmData,
    broken_ways: set[int],
    relations: dict[int, tuple[dict[str, str], list[tuple[int, str]]]],
    assembled: set[int],
    members: dict[int, OsmWay],
) -> None:
    """
    Close the polygons a clipped extract cut open along the extract's edge, in place.

    Outlines that are whole but which libosmium did not assemble (those of negative-id
    nodes) are closed here too, and not counted as mended. A closing stretch never runs
    across other data (:func:`close_clipped`, ``crosses``): where several extracts were
    merged into one file (``osmium merge``, :func:`cpted.datasets.repeat`), the file's
    frame is the union of theirs, and an area cut at the seam between two of them would
    otherwise be closed round the far side of the union, across its neighbours' streets
    and buildings. An area that cannot be closed without crossing data, or on which GEOS
    fails ("Iterated noding failed to converge"), is counted in ``areas_failed`` and left
    out rather than ending the whole read.
    """
    crossing = data.crosses_antimeridian
    extent = data.bounds or data.extent
    if extent is None:
        return
    frames = [frame_polygon(f) for f in data.frames] or [shapely.box(*extent)]
    if crossing:
        frames = [
            shapely.transform(f, lambda xy: np.column_stack([unwrap(xy[:, 0]), xy[:, 1]]))
            for f in frames
        ]
    if len(frames) > 1 and not data.seams_cut:
        # Extracts of one map, merged: a way across the seam between two of them is whole
        # (each of its nodes is in one of them), so a way was cut where it left all of
        # them, at the outline of their union (an L, or apart where they leave a gap), and
        # an area spanning two extracts is closed along that outline. Closed along one
        # extract's frame instead, it would follow the seam: four of Helsinki's areas
        # halved that way lost up to a twentieth of their ground.
        union = shapely.union_all(frames)
        frames = list(getattr(union, "geoms", [union]))

    def pieces_of(way: OsmWay) -> list[np.ndarray]:
        return [np.column_stack([unwrap(x) if crossing else x, y]) for _, x, y in way.runs()]

    by_id = {way.id: way for way in data.ways}
    # What a closing stretch must not pass round: the closed ways the file holds whole
    # (buildings, squares, parks). A stretch along the frame of a bounding-box extract
    # runs through the band between the last nodes inside and the frame, where only the
    # stubs of other cut ways lie; one drawn round the far side of merged extracts
    # encloses whole buildings of its neighbours.
    owners: list[int] = []
    rings: list[shapely.LineString] = []
    for way in itertools.chain(data.ways, (m for i, m in members.items() if i not in by_id)):
        if len(way.refs) < 4 or way.refs[0] != way.refs[-1] or np.isnan(way.lon).any():
            continue
        owners.append(way.id)
        rings.append(shapely.LineString(pieces_of(way)[0]))
    tree = shapely.STRtree(rings)
    owner_of = np.asarray(owners, dtype=np.int64)

    def holds_data(own: set[int]) -> Any:
        def holds(region: shapely.Geometry) -> bool:
            inside = tree.query(region, predicate="contains")
            return bool(len(inside)) and not np.isin(owner_of[inside], list(own)).all()

        return holds

    def close(pieces: list[np.ndarray], own: set[int]) -> Any:
        try:
            return close_clipped(pieces, frames, encloses=holds_data(own))
        except shapely.errors.GEOSException:
            data.areas_failed += 1
            return False

    for way_id in sorted(broken_ways):
        way = by_id[way_id]
        polygon = close(pieces_of(way), {way_id})
        if polygon is False:
            continue
        if polygon is None:
            data.areas_dropped += 1
            continue
        data.areas.append((f"w{way_id}", way.tags, polygon))
        if np.isnan(way.lon).any():
            data.areas_mended.add(f"w{way_id}")
    for rel_id, (tags, refs) in relations.items():
        if rel_id in assembled:
            continue
        outer = [ref for ref, role in refs if role in {"outer", ""}]
        pieces = [p for ref in outer if ref in members for p in pieces_of(members[ref])]
        polygon = close(pieces, {ref for ref, _ in refs}) if pieces else None
        if polygon is False:
            continue
        if polygon is None:
            data.relations_dropped += 1
            continue
        data.areas.append((f"r{rel_id}", tags, polygon))
        if any(ref not in members or np.isnan(members[ref].lon).any() for ref in outer):
            data.areas_mended.add(f"r{rel_id}")


def _closing_along(
    ring: shapely.LinearRing, start: np.ndarray, end: np.ndarray
) -> list[tuple[float, float]]:
    """Return the way from ``end`` to ``start`` along ``ring``, the shorter way round."""
    length = ring.length
    coords = np.asarray(ring.coords)
    corners = coords[:-1]
    # how far along the ring each corner lies: the ring's own lengths, summed (a frame
    # drawn for ``osmium extract --polygon`` may have thousands of corners)
    corner_at = np.r_[0.0, np.cumsum(np.hypot(*np.diff(coords, axis=0).T))][:-1]
    d_end = ring.project(shapely.Point(end))
    d_start = ring.project(shapely.Point(start))
    forward = (d_start - d_end) % length
    if forward <= length / 2:
        passed = (corner_at - d_end) % length
        order = np.argsort(passed)
        between = corners[order][passed[order] < forward]
    else:
        passed = (d_end - corner_at) % length
        order = np.argsort(passed)
        between = corners[order][passed[order] < length - forward]
    return [
        tuple(end),
        ring.interpolate(d_end).coords[0],
        *map(tuple, between),
        ring.interpolate(d_start).coords[0],
        tuple(start),
    ]


def close_clipped(
    pieces: list[np.ndarray],
    frame: shapely.Polygon | list[shapely.Polygon],
    *,
    snap: float = 1e-7,
    encloses: Any = None,
) -> shapely.Polygon | shapely.MultiPolygon | None:
    """
    Close the outline of an area that the edge of an extract cut open.

    The pieces of the outline that are in the file are joined end to end; each chain left
    open is closed along the extract's frame, the shorter way round, between the points of
    the frame nearest its two ends. This is exact when the extract was cut along the frame
    (a bounding-box extract) and the area leaves it once; areas leaving it several times
    get one closing stretch per leave.

    A file may hold several extracts, each with its frame: a chain is closed along the
    frame nearest its two ends, its own extract's. The way left its extract between its
    last node and the next one, so the frame lies within about one edge of the way (its
    longest edge in the file) beyond each end. Where it lies farther and the ground the
    closing stretch adds beyond the straight line between the chain's ends holds data of
    its own (``encloses``: a whole building, a square), the stretch would run across data,
    as it does round the far side of merged extracts for an area cut at the seam between
    two of them when the file states only their union; the chain is then closed by that
    straight line, which is the seam itself when both ends lie along it.

    Parameters
    ----------
    pieces
        (n, 2) arrays of lon/lat, the runs of the outline present in the file.
    frame
        The extract's frame, or the frames of the extracts the file holds (boxes or
        polygons, in the order they are tried).
    snap
        Distance in degrees within which two ends count as the same node.
    encloses
        Tells whether a region (a shapely geometry in lon/lat) holds other data that a
        closing stretch must not pass round; None: nothing to avoid.

    Returns
    -------
    shapely Polygon or MultiPolygon, or None when nothing with an area can be made.
    """
    lines = [shapely.LineString(p) for p in pieces if len(p) >= 2]
    if not lines:
        return None
    frames = [frame] if isinstance(frame, shapely.Polygon) else list(frame)
    merged = shapely.line_merge(
        shapely.snap(shapely.MultiLineString(lines), shapely.MultiLineString(lines), snap)
    )
    chains = list(getattr(merged, "geoms", [merged]))
    polygons: list[shapely.Polygon] = []
    for chain in chains:
        coords = np.asarray(chain.coords)
        if len(coords) < 2 or (chain.is_closed and len(coords) < 4):
            continue
        if not chain.is_closed:
            start, end = coords[0], coords[-1]
            ends = shapely.points([start, end])
            # The way left the extract between its last node and the next, missing one,
            # so the frame lies within about one edge of the way beyond each end: a
            # longer leg to the frame, round ground that holds data, is no cut edge.
            edge = float(np.sqrt((np.diff(coords, axis=0) ** 2).sum(axis=1)).max())
            ring = min(
                (f.exterior for f in frames),
                key=lambda r: float(shapely.distance(r, ends).sum()),
            )
            closing = _closing_along(ring, start, end)
            legs = max(math.dist(closing[0], closing[1]), math.dist(closing[-2], closing[-1]))
            if (
                encloses is not None
                and legs > edge
                and encloses(shapely.make_valid(shapely.Polygon(closing)))
            ):
                closing = [tuple(end), tuple(start)]
            coords = np.vstack([coords, np.reshape(closing[1:-1], (-1, 2)), coords[:1]])
        shape = shapely.make_valid(shapely.Polygon(coords))
        polygons.extend(
            g for g in getattr(shape, "geoms", [shape]) if g.geom_type == "Polygon" and g.area > 0
        )
    if not polygons:
        return None
    try:
        result = shapely.union_all(polygons)
    except shapely.errors.GEOSException:
        # Noding can fail to converge where a closing stretch runs along or across other
        # rings; on a grid as fine as ``snap`` (about 1 cm) it converges.
        result = shapely.union_all(polygons, grid_size=snap)
    return result if result.geom_type in {"Polygon", "MultiPolygon"} else None


def overpass_query(bbox: tuple[float, float, float, float], *, timeout: int = 180) -> str:
    """Return the Overpass QL that fetches every feature in ``bbox`` with its whole ways."""
    west, south, east, north = bbox
    return f"[out:xml][timeout:{timeout}];(nwr({south},{west},{north},{east}););(._;>;);out meta;"


def download_bbox(bbox: tuple[float, float, float, float]) -> Path:
    """
    Download every feature in ``bbox`` from the Overpass API to a temporary ``.osm`` file.

    The endpoint, timeout and user agent are osmnx's settings
    (``osmnx.settings.overpass_url``, ``requests_timeout``, ``http_user_agent``), so a
    user who points osmnx at another Overpass server points cpted there too.
    """
    import osmnx as ox
    import requests

    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        msg = (
            f"bbox {bbox} is not (west, south, east, north) in degrees with west < east and "
            "south < north."
        )
        raise InputError(msg)
    url = ox.settings.overpass_url.rstrip("/") + "/interpreter"
    try:
        response = requests.post(
            url,
            data={"data": overpass_query(bbox)},
            timeout=ox.settings.requests_timeout,
            headers={"User-Agent": ox.settings.http_user_agent},
        )
    except requests.RequestException as exc:
        msg = (
            f"Overpass at {url} could not be reached ({exc}). Check the connection, or load a file."
        )
        raise DataError(msg) from exc
    if response.status_code != 200:
        msg = f"Overpass at {url} answered {response.status_code}: {response.text[:200]}"
        raise DataError(msg)
    fd, name = tempfile.mkstemp(prefix="cpted-overpass-", suffix=".osm")
    with os.fdopen(fd, "wb") as fh:
        fh.write(response.content)
    return Path(name)
