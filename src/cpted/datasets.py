"""The real OpenStreetMap extracts bundled with cpted.

Both are unmodified OpenStreetMap data, © OpenStreetMap contributors, under the Open
Database License 1.0 (see ``data/samples/README.md``).
"""

from __future__ import annotations

from pathlib import Path

from cpted._errors import InputError

__all__ = ["SAMPLES", "get_path"]

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
        msg = f"No sample named {name!r}; the samples are {', '.join(sorted(SAMPLES))}."
        raise InputError(msg)
    filename = SAMPLES[name][0]
    for folder in _folders():
        if (folder / filename).exists():
            return folder / filename
    msg = f"The sample file {filename} is missing from this installation; reinstall cpted."
    raise InputError(msg)
