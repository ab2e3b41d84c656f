"""The real OpenStreetMap extracts bundled with cpted, and copies of an extract tiled side by side.

Both are unmodified OpenStreetMap data, © OpenStreetMap contributors, under the Open
Database License 1.0 (see ``data/samples/README.md``).
"""

from __future__ import annotations

import os
from pathlib import Path

from cpted._errors import DataError, InputError
from cpted._i18n import _

__all__ = ["SAMPLES", "get_path", "repeat"]

#: Sample name -> (file name, what it holds).
SAMPLES = {
    "neukoelln": (
        "neukoelln_karl-marx-platz.osm.bz2",
        "Berlin-Neukölln around Karl-Marx-Platz, OSM XML (bzip2), Overpass export 2024-03-30",
    ),
    "helsinki": (
        "helsinki_centre.osm.pbf",
        "Helsinki centre (Kluuvi, Kaartinkaupunki, Kruununhaka, Hakaniemi), PBF, 2019-04",
    ),
}


def _folders() -> list[Path]:
    here = Path(__file__).resolve().parent
    # Installed wheel: packaged copies; source checkout or editable install: data/samples.
    return [here / "_samples", here.parents[1] / "data" / "samples"]


def get_path(name: str) -> Path:
    """
    Return the path of a bundled sample extract.

    Parameters
    ----------
    name
        ``"neukoelln"`` (Berlin-Neukölln, Karl-Marx-Platz) or ``"helsinki"`` (Helsinki
        centre).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import cpted
    >>> cpted.datasets.get_path("neukoelln").name
    'neukoelln_karl-marx-platz.osm.bz2'
    """
    if name not in SAMPLES:
        msg = _("No sample named {name}; the samples are {samples}.").format(
            name=repr(name), samples=", ".join(sorted(SAMPLES))
        )
        raise InputError(msg)
    filename = SAMPLES[name][0]
    for folder in _folders():
        if (folder / filename).exists():
            return folder / filename
    msg = _(
        "The sample file {filename} is missing from this installation; reinstall cpted."
    ).format(filename=filename)
    raise InputError(msg)


#: Fixed-point scale of OSM coordinates: libosmium stores degrees × 10⁷ as integers
#: (``osmium::coordinate_precision``), so shifts by a whole number of these steps are exact.
_COORDINATE_PRECISION = 10_000_000


def _extract_frame(path: Path) -> tuple[int, int, int, int]:
    """
    Return an extract's frame (west, south, east, north) in libosmium's 10⁻⁷ degree steps.

    The header's box when it states one, else the bounds of the nodes.
    """
    import osmium

    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    box = reader.header().box()
    reader.close()
    if box.valid():
        bl, tr = box.bottom_left, box.top_right
        return (bl.x, bl.y, tr.x, tr.y)
    xs, ys = [], []
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if isinstance(node, osmium.osm.Node) and node.location.valid():
            xs.append(node.location.x)
            ys.append(node.location.y)
    if not xs:
        msg = f"{path} holds no node with a location: there is nothing to repeat."
        raise DataError(msg)
    return (min(xs), min(ys), max(xs), max(ys))


def _id_span(path: Path) -> tuple[int, bool]:
    """Return the largest id or reference of a file (absolute) and whether any is negative."""
    import osmium

    largest, negative = 0, False
    for obj in osmium.FileProcessor(str(path)):
        ids = [obj.id]
        if isinstance(obj, osmium.osm.Way):
            ids += [nd.ref for nd in obj.nodes]
        elif isinstance(obj, osmium.osm.Relation):
            ids += [m.ref for m in obj.members]
        largest = max(largest, max(abs(i) for i in ids))
        negative = negative or min(ids) < 0
    return largest, negative


def repeat(
    source: str | os.PathLike[str],
    nx: int,
    ny: int,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
) -> Path:
    """
    Write an OSM file that holds ``nx`` × ``ny`` copies of an extract, side by side.

    Copy (i, j) is shifted east by ``i`` times the extract's width and north by ``j`` times
    its height (of the header's box, or of its nodes when the header states none), so the
    copies tile the plane like the extract's frame; copy ``k = j * nx + i`` adds
    ``k * stride`` to every node, way and relation id and to every reference (negative ids
    move further below zero), where ``stride`` is the power of ten above the largest id or
    reference in the file, so a reference to a node the extract left out stays dangling
    and never lands on another copy's node. Objects are written by type, then id, as
    libosmium and ``osmium sort`` order them. The header's box is the union of the copies'
    frames, and the data date of the source is kept; its generator names the layout
    (``cpted.datasets.repeat 4x4 of ...``), from which :func:`cpted.osm.read_osm` finds each
    copy's frame, so an area the source's frame cut open is closed along its own copy's.

    Researchers make large synthetic areas this way to measure how cpted scales (the
    benchmarks tile Helsinki 4 × 4); the copies are real data, but the place is not.

    Parameters
    ----------
    source
        A sample name (``"helsinki"``) or the path of an OSM file.
    nx, ny
        Copies east-west and south-north, at least 1 each.
    path
        The file to write; its suffix (``.osm.pbf``, ``.osm``, ...) chooses the format.
    overwrite
        Replace ``path`` if it exists.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        ``nx`` or ``ny`` is not a positive whole number, ``path`` exists (without
        ``overwrite``) or the copies would run past 180° or the poles.

    Examples
    --------
    >>> import tempfile, pathlib, cpted
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "neukoelln_2x2.osm.pbf"
    >>> cpted.datasets.repeat("neukoelln", 2, 2, out).name
    'neukoelln_2x2.osm.pbf'
    """
    import osmium

    from cpted.osm import _check_path, _header_info

    for name, value in (("nx", nx), ("ny", ny)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            msg = f"{name} must be a whole number of copies, at least 1; got {value!r}."
            raise InputError(msg)
    source = get_path(str(source)) if str(source) in SAMPLES else _check_path(source)
    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path} exists; pass overwrite=True to replace it, or choose another name."
        raise InputError(msg)
    west, south, east, north = _extract_frame(source)
    width, height = east - west, north - south
    if width <= 0 or height <= 0:
        msg = f"The frame of {source.name} has no area ({west}, {south}, {east}, {north})."
        raise InputError(msg)
    scale = _COORDINATE_PRECISION
    if east + (nx - 1) * width > 180 * scale or north + (ny - 1) * height > 90 * scale:
        msg = (
            f"{nx} × {ny} copies of {source.name} would run past 180° east or 90° north; "
            "use fewer copies."
        )
        raise InputError(msg)
    largest, negative = _id_span(source)
    stride = 10 ** len(str(largest + 1))

    header = osmium.io.Header()
    header.add_box(
        osmium.osm.Box(
            osmium.osm.Location(west / scale, south / scale),
            osmium.osm.Location(
                (east + (nx - 1) * width) / scale, (north + (ny - 1) * height) / scale
            ),
        )
    )
    header.set("sorting", "Type_then_ID")
    header.set("generator", f"cpted.datasets.repeat {nx}x{ny} of {source.name}")
    reader = osmium.io.Reader(str(source), osmium.osm.osm_entity_bits.NOTHING)
    stamp = reader.header().get("osmosis_replication_timestamp")
    reader.close()
    if not stamp and (date := _header_info(source)[1]):
        # an Overpass export dates its data in <meta osm_base=...>, which libosmium skips
        stamp = f"{date}T00:00:00Z"
    if stamp:
        header.set("osmosis_replication_timestamp", stamp)

    def moved(oid: int, offset: int) -> int:
        return oid - offset if oid < 0 else oid + offset

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial{''.join(path.suffixes)}")
    partial.unlink(missing_ok=True)
    copies = [(i, j) for j in range(ny) for i in range(nx)]
    signs = (True, False) if negative else (False,)
    writer = osmium.SimpleWriter(str(partial), header=header, overwrite=True)
    try:
        for kind in (osmium.osm.NODE, osmium.osm.WAY, osmium.osm.RELATION):
            # libosmium's order within a type: negative ids (by absolute value), then
            # positive; each copy's ids lie in their own band of ``stride``.
            for below_zero in signs:
                for k, (i, j) in enumerate(copies):
                    offset = k * stride
                    dx, dy = i * width, j * height
                    for obj in osmium.FileProcessor(str(source), kind):
                        if (obj.id < 0) != below_zero:
                            continue
                        if isinstance(obj, osmium.osm.Node):
                            loc = obj.location
                            location = (
                                osmium.osm.Location((loc.x + dx) / scale, (loc.y + dy) / scale)
                                if loc.valid()
                                else osmium.osm.Location()
                            )
                            writer.add_node(
                                obj.replace(id=moved(obj.id, offset), location=location)
                            )
                        elif isinstance(obj, osmium.osm.Way):
                            refs = [moved(nd.ref, offset) for nd in obj.nodes]
                            writer.add_way(obj.replace(id=moved(obj.id, offset), nodes=refs))
                        elif isinstance(obj, osmium.osm.Relation):
                            members = [(m.type, moved(m.ref, offset), m.role) for m in obj.members]
                            writer.add_relation(
                                obj.replace(id=moved(obj.id, offset), members=members)
                            )
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise
    writer.close()
    os.replace(partial, path)
    return path
