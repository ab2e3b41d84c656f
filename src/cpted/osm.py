"""Read OpenStreetMap data from files (XML, compressed XML, PBF) and from Overpass.

Real extracts are clipped: a way that leaves the extract keeps references to nodes that
are not in the file. osmnx's ``graph_from_xml`` refuses such files; cpted keeps every valid
piece and counts what it had to drop, so :meth:`cpted.area.StudyArea.quality` can report it.
"""

from __future__ import annotations

import bz2
import gzip
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
import shapely

from cpted._errors import DataError, InputError

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
    data_date: str | None = None
    dangling_refs: int = 0
    ways_clipped: int = 0
    areas_dropped: int = 0
    relations_dropped: int = 0
    areas_mended: set[str] = field(default_factory=set)
    node_count: int = 0
    way_count: int = 0

    def coordinates(self) -> np.ndarray:
        """All (lon, lat) positions of the tagged nodes and the kept ways, as an (n, 2) array."""
        parts = [np.array([(n[1], n[2]) for n in self.nodes]).reshape(-1, 2)]
        for way in self.ways:
            ok = ~np.isnan(way.lon)
            parts.append(np.column_stack([way.lon[ok], way.lat[ok]]))
        return np.vstack(parts)

    @property
    def extent(self) -> tuple[float, float, float, float] | None:
        """Bounds of the data itself (west, south, east, north), or None if empty."""
        xy = self.coordinates()
        if not len(xy):
            return None
        (west, south), (east, north) = xy.min(axis=0), xy.max(axis=0)
        return (float(west), float(south), float(east), float(north))


def _interesting(tags: dict[str, str]) -> bool:
    return any(k in tags for k in _KEYS_OF_INTEREST)


def _check_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if not path.exists():
        msg = (
            f"No such OSM file: {path}. Check the path, or try a bundled sample: "
            "cpted.datasets.get_path('neukoelln')."
        )
        raise InputError(msg)
    if path.is_dir():
        msg = f"{path} is a folder; give the path of an .osm, .osm.bz2, .osm.gz or .osm.pbf file."
        raise InputError(msg)
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        msg = (
            f"{path.name} is not an OSM file cpted can read: the name must end in "
            f"{', '.join(SUFFIXES[:4])}."
        )
        raise InputError(msg)
    if path.stat().st_size == 0:
        msg = f"{path} is empty (0 bytes). Export the area again from OpenStreetMap."
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
        msg = f"{path} cannot be decompressed ({exc}); the file is damaged or not {path.suffix}."
        raise InputError(msg) from exc


def _header_info(path: Path) -> tuple[tuple[float, float, float, float] | None, str | None]:
    bounds = None
    date = None
    if not path.name.lower().endswith(".pbf"):
        head = _xml_head(path)
        if "<osm" not in head:
            msg = (
                f"{path} is not OpenStreetMap XML (no <osm> element at its start). Export "
                "it from openstreetmap.org, Overpass or a Geofabrik extract."
            )
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
            s, w, n, e = (float(v) for v in box.groups())
            bounds = (w, s, e, n)
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        header = reader.header()
        reader.close()
    except RuntimeError as exc:
        msg = f"{path} cannot be read as OSM data: {exc}. The file may be truncated or damaged."
        raise InputError(msg) from exc
    hbox = header.box()
    if hbox.valid():
        bl, tr = hbox.bottom_left, hbox.top_right
        bounds = (bl.lon, bl.lat, tr.lon, tr.lat)
    stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp")
    if stamp:
        date = stamp[:10]
    return bounds, date


def read_osm(path: str | os.PathLike[str]) -> OsmData:
    """
    Read the CPTED-relevant features of an OSM file, keeping what is valid in a clipped file.

    Parameters
    ----------
    path
        An ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file.

    Returns
    -------
    OsmData
        Tagged nodes, ways with node positions (NaN where the node is missing), assembled
        areas (closed ways and multipolygon relations) as shapely geometries, and counts
        of what was dropped.
    """
    path = _check_path(path)
    bounds, date = _header_info(path)
    data = OsmData(source=str(path), bounds=bounds, data_date=date)
    wkb = osmium.geom.WKBFactory()
    latest = None
    closed_ways_of_interest: set[int] = set()
    way_areas: set[int] = set()
    relation_areas: set[int] = set()
    members: dict[int, OsmWay] = {}
    try:
        # Multipolygon relations come last in a file; read them first so that their member
        # ways (often untagged) are kept for mending the ones a clipped extract cuts.
        relations = {
            rel.id: (dict(rel.tags), [(m.ref, m.role) for m in rel.members if m.type == "w"])
            for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION)
            if isinstance(rel, osmium.osm.Relation)
            and rel.tags.get("type") in {"multipolygon", "boundary"}
            and _interesting(dict(rel.tags))
        }
        member_ids = {ref for _, refs in relations.values() for ref, _ in refs}
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                data.node_count += 1
                stamp = obj.timestamp
                if stamp.year > 1970 and (latest is None or stamp > latest):
                    latest = stamp
                if len(obj.tags) and obj.location.valid():
                    tags = dict(obj.tags)
                    if _interesting(tags):
                        data.nodes.append((obj.id, obj.location.lon, obj.location.lat, tags))
            elif isinstance(obj, osmium.osm.Way):
                data.way_count += 1
                stamp = obj.timestamp
                if stamp.year > 1970 and (latest is None or stamp > latest):
                    latest = stamp
                count = len(obj.nodes)
                refs = np.empty(count, dtype=np.int64)
                lon = np.full(count, np.nan)
                lat = np.full(count, np.nan)
                for i, nd in enumerate(obj.nodes):
                    refs[i] = nd.ref
                    if nd.location.valid():
                        lon[i] = nd.location.lon
                        lat[i] = nd.location.lat
                missing = int(np.isnan(lon).sum())
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
        msg = (
            f"{path} could not be read to the end: {exc}. The file is truncated, damaged or "
            "not OpenStreetMap data; download or export it again."
        )
        raise InputError(msg) from exc
    if data.node_count == 0 and data.way_count == 0:
        msg = f"{path} holds no OpenStreetMap nodes or ways."
        raise DataError(msg)
    _mend_clipped_areas(
        data, closed_ways_of_interest - way_areas, relations, relation_areas, members
    )
    if data.data_date is None and latest is not None:
        data.data_date = latest.strftime("%Y-%m-%d")
    return data


def _mend_clipped_areas(
    data: OsmData,
    broken_ways: set[int],
    relations: dict[int, tuple[dict[str, str], list[tuple[int, str]]]],
    assembled: set[int],
    members: dict[int, OsmWay],
) -> None:
    """Close the polygons a clipped extract cut open along the extract's edge, in place."""
    extent = data.bounds or data.extent
    if extent is None:
        return
    frame = shapely.box(*extent)
    by_id = {way.id: way for way in data.ways}
    for way_id in sorted(broken_ways):
        way = by_id[way_id]
        polygon = close_clipped([np.column_stack([x, y]) for _, x, y in way.runs()], frame)
        if polygon is None:
            data.areas_dropped += 1
            continue
        data.areas.append((f"w{way_id}", way.tags, polygon))
        data.areas_mended.add(f"w{way_id}")
    for rel_id, (tags, refs) in relations.items():
        if rel_id in assembled:
            continue
        pieces = [
            np.column_stack([x, y])
            for ref, role in refs
            if role in {"outer", ""} and ref in members
            for _, x, y in members[ref].runs()
        ]
        polygon = close_clipped(pieces, frame) if pieces else None
        if polygon is None:
            data.relations_dropped += 1
            continue
        data.areas.append((f"r{rel_id}", tags, polygon))
        data.areas_mended.add(f"r{rel_id}")


def close_clipped(
    pieces: list[np.ndarray], frame: shapely.Polygon, *, snap: float = 1e-7
) -> shapely.Polygon | shapely.MultiPolygon | None:
    """
    Close the outline of an area that the edge of an extract cut open.

    The pieces of the outline that are in the file are joined end to end; each chain left
    open is closed along the extract's frame, the shorter way round, between the points of
    the frame nearest its two ends. This is exact when the extract was cut along the frame
    (a bounding-box extract) and the area leaves it once; areas leaving it several times
    get one closing stretch per leave.

    Parameters
    ----------
    pieces
        (n, 2) arrays of lon/lat, the runs of the outline present in the file.
    frame
        The extract's bounding box.
    snap
        Distance in degrees within which two ends count as the same node.

    Returns
    -------
    shapely Polygon or MultiPolygon, or None when nothing with an area can be made.
    """
    lines = [shapely.LineString(p) for p in pieces if len(p) >= 2]
    if not lines:
        return None
    merged = shapely.line_merge(
        shapely.snap(shapely.MultiLineString(lines), shapely.MultiLineString(lines), snap)
    )
    chains = list(getattr(merged, "geoms", [merged]))
    ring = frame.exterior
    length = ring.length
    corners = np.asarray(ring.coords)[:-1]
    corner_at = np.array([ring.project(shapely.Point(c)) for c in corners])
    polygons: list[shapely.Polygon] = []
    for chain in chains:
        coords = np.asarray(chain.coords)
        if len(coords) < 2 or (chain.is_closed and len(coords) < 4):
            continue
        if not chain.is_closed:
            start, end = coords[0], coords[-1]
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
            closing = [
                ring.interpolate(d_end).coords[0],
                *map(tuple, between),
                ring.interpolate(d_start).coords[0],
            ]
            coords = np.vstack([coords, closing, coords[:1]])
        shape = shapely.make_valid(shapely.Polygon(coords))
        polygons.extend(
            g for g in getattr(shape, "geoms", [shape]) if g.geom_type == "Polygon" and g.area > 0
        )
    if not polygons:
        return None
    result = shapely.union_all(polygons)
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
