"""The ``cpted`` command: audit a place from the shell.

    cpted audit [SOURCE] [--out DIR] [--force] [--site NAME] [--weights FILE]
                [--city-map | --no-city-map] [--districts FILE|METRES]
                [--workers N | --scheduler ADDRESS] [--tile-size METRES] [--frames FILE]
    cpted compare BEFORE AFTER [--out DIR] [--force] [--weights FILE]
    cpted info SOURCE [--frames FILE]
    cpted --version

``--lang fr`` (before or after the command) writes the report, the map and the messages
in French (also ``es``, ``de``; see :func:`cpted._i18n.languages`); the default is the
machine's locale (``CPTED_LANG``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English.

SOURCE is an OSM file or the name of a bundled sample (``neukoelln``, ``helsinki``); it
defaults to the Neukölln sample. ``-q``/``--quiet`` (no progress bars and no note while
the numerical kernels compile on first use) goes before or after the command.
``compare`` audits two sources (two years of the same place, or a plan drawn into a copy
of the OSM file) and writes side-by-side maps and the differences per segment and site.
Errors on bad input print one line on stderr and exit with code 2.

``--out`` is checked before any data is read. An existing empty folder is written into; a
folder cpted wrote (it holds ``.cpted-output.json``) is replaced only with ``--force``; a
folder cpted did not write, one that holds an input, the working or home directory and a
file are never replaced, with or without ``--force``. Two runs on the same ``--out`` at
once: the second stops with exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import logging
import math
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cpted._errors import CptedError, InputError
from cpted._i18n import _, check_language, languages, use

__all__ = ["main"]

EXIT_BAD_INPUT = 2

FORCE_HELP = (
    "replace an output folder an earlier cpted run wrote (never a folder cpted did not "
    "write or one that holds an input)"
)


def _source(value: str | None) -> Path:
    from cpted import datasets

    if value is None:
        return datasets.get_path("neukoelln")
    if value in datasets.SAMPLES:
        return datasets.get_path(value)
    path = Path(value)
    if not path.exists():
        # in the words of the command line, not of the Python API (osm.py's message)
        msg = _(
            "No such file: {file}. Give an OSM file (.osm, .osm.bz2, .osm.gz, .osm.pbf) "
            "or a sample name: {samples}."
        ).format(file=value, samples=", ".join(datasets.SAMPLES))
        raise InputError(msg)
    return path


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cpted")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from cpted import __version__

        return __version__


def _load(source: str | None, *, progress: bool, frames: Any = None):
    from cpted.area import area_from_file

    return area_from_file(_source(source), progress=progress, frames=frames)


def _frames(value: str | None) -> Any:
    """Read ``--frames``: the frames of the extracts a merged file holds, before the work."""
    if value is None:
        return None
    from cpted._validate import check_frames

    return check_frames(Path(value), what="--frames")


def _inputs(*sources: str | None, weights: str | None) -> list[Path]:
    """List the files a command reads (its sources, --weights): no output replaces them."""
    return [_source(s) for s in sources] + ([Path(weights)] if weights else [])


def _cmd_info(args: argparse.Namespace) -> int:
    import pandas as pd

    from cpted.area import QUALITY_MEANINGS

    area = _load(args.source, progress=not args.quiet, frames=_frames(args.frames))
    print(
        _("{place}: {crs}, OSM data of {date}").format(
            place=area.name, crs=area.crs.name, date=area.data_date or _("unknown date")
        )
    )
    print()
    print(area.summary().to_string())
    print()
    quality = area.quality()
    table = pd.DataFrame(
        {
            _("value"): quality.to_numpy(),
            _("meaning"): [_(QUALITY_MEANINGS[k]) for k in quality.index],
        },
        index=quality.index,
    )
    with pd.option_context("display.max_colwidth", 80, "display.width", 140):
        print(table.to_string())
    return 0


def _cmd_warmup(args: argparse.Namespace) -> int:
    from cpted._warmup import cache_folders, warmup

    compiled = warmup(verbose=not args.quiet)
    if not args.quiet:
        print(f"{len(compiled)} kernels compiled now; the compiled code is kept in:")
        for folder in cache_folders():
            print(f"  {folder}")
    return 0


def _districts(value: str | None) -> float | Path | None:
    """Read ``--districts``: a hexagon size in metres, or the path of a district layer."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    path = Path(value)
    if not path.exists():
        msg = _(
            "No such district layer: {path}. Give a GeoJSON or GeoPackage file of district "
            "polygons, or a hexagon size in metres (--districts 500)."
        ).format(path=path)
        raise InputError(msg)
    return path


def _cmd_audit(args: argparse.Namespace) -> int:
    from cpted._output import claim
    from cpted.audit import audit, read_weights

    # --out is claimed (checked and locked) and the weights read before the long work.
    inputs = _inputs(args.source, weights=args.weights)
    districts = _districts(args.districts)  # a missing file stops before the audit
    if isinstance(districts, Path):
        inputs.append(districts)
    frames = _frames(args.frames)  # so does a file that holds no frames
    if args.frames:
        inputs.append(Path(args.frames))
    with claim(args.out, force=args.force, inputs=inputs) as out:
        weights = read_weights(args.weights)
        area = _load(args.source, progress=not args.quiet, frames=frames)
        if args.site:
            area = _only_site(area, args.site, frames=frames)
        with _engine(args) as client:
            result = audit(
                area,
                weights=weights,
                progress=not args.quiet,
                client=client,
                workers=args.workers,
                tile_size=args.tile_size,
            )
        folder = result.save(
            out,
            force=args.force,
            inputs=inputs,
            progress=not args.quiet,
            title=args.title,
            site=args.site,
            city_map=args.city_map,
            districts=districts,
            workers=args.workers,
        )
    print(
        _("Audited {segments} street segments and {sites} public spaces.").format(
            segments=len(result.segments), sites=len(result.sites)
        )
    )
    for note in result.notes:
        print(_("Note: {note}").format(note=note))
    for advice in result.area_recommendations:
        print(_("Data: {action} ({reason}).").format(action=advice.action, reason=advice.reason))
    print(
        _(
            "Wrote {folder}/: map.html (open it in a browser), report.html, cpted.gpkg, CSV tables."
        ).format(folder=folder)
    )
    return 0


@contextlib.contextmanager
def _engine(args: argparse.Namespace) -> Iterator[Any]:
    """Yield the Dask client of ``--scheduler`` (closed afterwards), or None: local processes."""
    if args.scheduler and args.workers:
        msg = _("Give --workers (local processes) or --scheduler (a Dask cluster), not both.")
        raise InputError(msg)
    if not args.scheduler:
        yield None
        return
    from cpted._tiles import connect

    client = connect(args.scheduler)
    try:
        yield client
    finally:
        client.close()


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        msg = f"expected a whole number of processes of at least 1, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _metres(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        msg = f"expected a length in metres such as 2000, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _cmd_compare(args: argparse.Namespace) -> int:
    from cpted._output import claim
    from cpted.audit import audit, read_weights

    inputs = _inputs(args.before, args.after, weights=args.weights)
    with claim(args.out, force=args.force, inputs=inputs) as out:
        weights = read_weights(args.weights)
        progress = not args.quiet
        before = audit(_load(args.before, progress=progress), weights=weights, progress=progress)
        after = audit(_load(args.after, progress=progress), weights=weights, progress=progress)
        comparison = before.compare(after)
        folder = comparison.save(out, force=args.force, inputs=inputs)
    changed = int(comparison.segments["changed"].sum())
    print(
        _(
            "Matched {segments} street segments ({changed} changed) and {sites} public spaces."
        ).format(segments=len(comparison.segments), changed=changed, sites=len(comparison.sites))
    )
    summary = comparison.summary()
    if len(summary):
        print(summary.to_string())
    print(
        _("Wrote {folder}/: compare.html (before and after side by side), CSV tables.").format(
            folder=folder
        )
    )
    return 0


def _fold(text: str) -> str:
    """Fold a name for matching: no accents (NFKD, combining marks dropped), casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


#: A --site value must hold this many letters or digits to match part of a name: "park"
#: finds "Körnerpark", but "." or "a" would match nearly every site.
SITE_MIN_LETTERS = 3


def _site_match(sites, name: str, where: str = "the area"):
    """
    Pick the sites ``name`` means: the same name, or else the one name containing it.

    Names are compared literally (never as a regular expression), without accents and
    case (``korner`` finds ``Körnerpark``). A part of a name needs at least
    :data:`SITE_MIN_LETTERS` letters or digits. Several features sharing one name are one
    place and all kept; a part that fits several different names is refused, naming them.
    """
    query = _fold(name)
    names = sites["name"].dropna().astype(str)
    folded = names.map(_fold)
    same = folded[folded == query]
    if len(same):
        return sites.loc[same.index]
    letters = sum(c.isalnum() for c in query)
    part = folded[folded.str.contains(query, regex=False)] if letters >= SITE_MIN_LETTERS else []
    found = sorted(set(names[part.index])) if len(part) else []
    if len(found) == 1:
        return sites.loc[part.index]
    if len(found) > 1:
        shown = "; ".join(found[:10])
        msg = _(
            "--site {name} matches {count} sites: {shown}. Give one of these names in full."
        ).format(name=repr(name), count=len(found), shown=shown)
        raise InputError(msg)
    choices = sorted(set(names))
    close = difflib.get_close_matches(query, [_fold(n) for n in choices], n=5, cutoff=0.6)
    close_names = [n for n in choices if _fold(n) in close]
    if close_names:
        hint = _("Did you mean: {names}?").format(names="; ".join(close_names))
    else:
        hint = _("Sites with names: {names}.").format(names="; ".join(choices[:20]) or _("none"))
    short = (
        " " + _("A part of a name needs at least {count} letters.").format(count=SITE_MIN_LETTERS)
        if letters < SITE_MIN_LETTERS
        else ""
    )
    msg = _("No site named {name} in {where}.").format(name=repr(name), where=where)
    msg += f"{short} {hint}"
    raise InputError(msg)


def _only_site(area, name: str, *, frames: Any = None):
    """Clip the area to the surroundings of one named site (see :func:`_site_match`)."""
    from cpted import settings
    from cpted.area import area_from_file

    match = _site_match(area.sites, name, area.name)
    around = match.geometry.union_all().buffer(settings.SITE_AUDIT_BUFFER)
    return area_from_file(area.source, boundary=around, frames=frames)


def _global_options(*, command: bool) -> argparse.ArgumentParser:
    """
    Build the options every command takes, before or after its name (``cpted audit -q``).

    The copy given to the commands defaults to SUPPRESS, so an option given before the
    command (``cpted -q audit``) is not reset by the command's own default.
    """
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if command else False,
        help="no progress bars and no note while the numerical kernels compile",
    )
    options.add_argument(
        "--lang",
        metavar="LANG",
        default=argparse.SUPPRESS if command else None,
        help=f"language of the report, map and messages: {', '.join(languages())} "
        "(default: the machine's locale, else en)",
    )
    options.add_argument(
        "--version", action="version", version=f"cpted {_version()}", help="show the version"
    )
    return options


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpted",
        description="CPTED analysis of real places from OpenStreetMap.",
        parents=[_global_options(command=False)],
    )
    shared = [_global_options(command=True)]
    commands = parser.add_subparsers(dest="command", required=True)
    audit = commands.add_parser(
        "audit", parents=shared, help="audit a place and write map, report and GIS files"
    )
    audit.add_argument(
        "source",
        nargs="?",
        help="OSM file (.osm, .osm.bz2, .osm.gz, .osm.pbf) or sample name; default: neukoelln",
    )
    audit.add_argument("--out", default="cpted-audit", help="output folder (default cpted-audit)")
    audit.add_argument("--force", action="store_true", help=FORCE_HELP)
    audit.add_argument(
        "--site",
        help="audit only the surroundings of the site with this name (or a part of it of 3 "
        "letters or more; accents and case do not matter)",
    )
    audit.add_argument(
        "--weights", help="TOML file of principle weights for cpted_score (e.g. lighting = 2)"
    )
    audit.add_argument("--title", help="the place's name for the report's title")
    audit.add_argument(
        "--city-map",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write map.html as a city overview of districts, each opening its detailed map "
        "(default: above cpted.settings.CITY_MAP_SEGMENTS segments, or with --districts)",
    )
    audit.add_argument(
        "--districts",
        help="the overview's districts: a GeoJSON or GeoPackage file of polygons, or a "
        "hexagon size in metres (default hexagons of cpted.settings.CITY_HEX_SIZE_M)",
    )
    audit.add_argument(
        "--workers",
        type=_positive_int,
        help="local processes that audit the tiles of a large area and draw the pages of "
        "its city map (default: one per core)",
    )
    audit.add_argument(
        "--scheduler",
        help="address of a Dask scheduler whose cluster audits the tiles, e.g. "
        "tcp://10.0.0.5:8786 (needs pip install 'cpted[scale]')",
    )
    audit.add_argument(
        "--tile-size",
        type=_metres,
        help="side of the tiles a large area is audited in, metres (default 2000)",
    )
    audit.add_argument(
        "--frames",
        metavar="FILE",
        help="GeoJSON or GeoPackage of the frames (boxes or polygons) of the extracts a "
        "merged file was made from (osmium merge keeps only their union)",
    )
    audit.set_defaults(run=_cmd_audit)
    compare = commands.add_parser(
        "compare",
        parents=shared,
        help="audit two sources (before, after) and map the differences side by side",
    )
    compare.add_argument("before", help="OSM file or sample name: the place before")
    compare.add_argument("after", help="OSM file or sample name: the place after")
    compare.add_argument(
        "--out", default="cpted-compare", help="output folder (default cpted-compare)"
    )
    compare.add_argument("--force", action="store_true", help=FORCE_HELP)
    compare.add_argument("--weights", help="TOML file of principle weights for cpted_score")
    compare.set_defaults(run=_cmd_compare)
    info = commands.add_parser(
        "info", parents=shared, help="list the layers and the data quality of a source"
    )
    info.add_argument("source", help="OSM file or sample name")
    info.add_argument(
        "--frames",
        metavar="FILE",
        help="GeoJSON or GeoPackage of the frames (boxes or polygons) of the extracts a "
        "merged file was made from (osmium merge keeps only their union)",
    )
    info.set_defaults(run=_cmd_info)
    warm = commands.add_parser(
        "warmup",
        parents=shared,
        help="compile the numerical kernels once (about a minute), so the first audit is fast",
    )
    warm.set_defaults(run=_cmd_warmup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    _log_notes()
    try:
        language = check_language(args.lang)  # a language cpted lacks stops before any work
    except CptedError as exc:
        print(_("cpted: error: {error}").format(error=exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    with use(language):
        try:
            return int(args.run(args))
        except CptedError as exc:
            print(_("cpted: error: {error}").format(error=exc), file=sys.stderr)
            return EXIT_BAD_INPUT
        except KeyboardInterrupt:
            print(_("cpted: interrupted; no output was left half-written."), file=sys.stderr)
            return 130


class _Notes(logging.Handler):
    """Print a cpted log record as one line on the stderr of the moment."""

    def emit(self, record: logging.LogRecord) -> None:
        print(_("cpted: note: {note}").format(note=record.getMessage()), file=sys.stderr)


def _log_notes() -> None:
    """Show what cpted logs (a stale lock taken over, an old output restored) as one line."""
    logger = logging.getLogger("cpted")
    if not any(isinstance(h, _Notes) for h in logger.handlers):
        logger.addHandler(_Notes(logging.WARNING))


if __name__ == "__main__":
    sys.exit(main())
