"""
Compile cpted's numba kernels ahead of the first audit, and tell when they are not yet.

numba compiles each ``@njit(cache=True)`` kernel on its first call and keeps the machine
code in the ``__pycache__`` folder beside the module (or numba's user cache when that is
read-only). On a fresh install the first audit therefore spends about a minute compiling;
:func:`warmup` pays that once, on a tiny synthetic place, so ``make install`` can do it,
and :func:`announce_if_cold` says so when an audit is about to pay it instead.
"""

from __future__ import annotations

import importlib
import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "COMPILING",
    "KERNEL_MODULES",
    "announce_if_cold",
    "cache_folders",
    "cold_kernels",
    "kernels",
    "warmup",
]

logger = logging.getLogger("cpted")

#: The modules that hold numba kernels; tests check that no other module does.
KERNEL_MODULES = (
    "cpted.sightlines._concealment",
    "cpted.sightlines._locate",
    "cpted.sightlines._segments",
    "cpted.sightlines._sites",
    "cpted.sightlines._star",
    "cpted.sightlines._sweep",
    "cpted.sightlines._vga",
    "cpted.surveillance._centrality",
    "cpted.vulnerability._dynamics",
    "cpted.vulnerability._paths",
)

#: Kernel modules and kernels an audit does not call: visibility graph analysis and a single
#: vehicle's speed profile (:func:`cpted.vulnerability.speed_profile`) are research tools.
_NOT_IN_AUDIT = frozenset({"cpted.sightlines._vga", "cpted.vulnerability._dynamics._forward"})

COMPILING = "Compiling cpted's numerical kernels for this machine (once, about a minute)…"

_announced = False


def kernels(modules: tuple[str, ...] = KERNEL_MODULES) -> dict[str, Any]:
    """Return the numba dispatchers defined in ``modules``, by ``module.function``."""
    from numba.core.registry import CPUDispatcher

    found = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # a build without that principle (the audit skips it the same way)
            if exc.name and name.startswith(exc.name):
                continue
            raise
        for attr, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == name:
                found[f"{name}.{attr}"] = value
    return found


def _is_cached(dispatcher: Any) -> bool:
    """Tell whether numba's cache holds compiled code for ``dispatcher``'s current source."""
    try:
        # numba's own check: the index exists, belongs to this source file's stamp and
        # this numba version, and lists at least one compiled signature.
        return bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # a numba without this layout: assume compiled, say nothing
        return True


def cache_folders() -> list[str]:
    """Return the folders where numba keeps cpted's compiled kernels on this machine.

    numba writes beside each module (``__pycache__``), or under ``NUMBA_CACHE_DIR`` when
    that is set or the package folder is read-only; deleting them makes the next audit
    compile again.
    """
    folders = set()
    for f in kernels().values():
        try:
            folders.add(str(f._cache._cache_path))
        except AttributeError:  # a numba without this layout
            continue
    return sorted(folders)


def cold_kernels(*, audit_only: bool = True) -> list[str]:
    """
    List the kernels numba has not compiled and cached on this machine yet.

    Parameters
    ----------
    audit_only
        Only the kernels an audit calls (not visibility graph analysis).
    """
    modules = tuple(m for m in KERNEL_MODULES if not (audit_only and m in _NOT_IN_AUDIT))
    return [
        name
        for name, f in kernels(modules).items()
        if not (audit_only and name in _NOT_IN_AUDIT) and not _is_cached(f)
    ]


def announce_if_cold(write: Callable[[str], object] | None = None) -> bool:
    """
    Say once per process that the kernels are about to be compiled, if the cache is cold.

    :func:`cpted.audit` calls it before its first principle. The note goes to the
    ``cpted`` logger at INFO level and, given ``write`` (the audit passes ``tqdm.write``
    to stderr when it shows progress, as the command line does unless ``-q``), to it as
    well. The cache is checked on the first call only. Returns whether the note was given.
    """
    global _announced
    if _announced:
        return False
    _announced = True  # checked once per process: a warm cache stays warm
    if not cold_kernels():
        return False
    logger.info(COMPILING)
    if write is not None:
        write(COMPILING)
    return True


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _tiny_osm() -> str:
    """Write a place of a few streets, a square, a shop, a lamp, a hedge and a kindergarten."""
    lon, lat, step = 13.4370, 52.4730, 0.0009  # about 60 m east-west, 100 m north-south

    def at(i: float, j: float) -> str:
        return f'lat="{lat + j * step:.7f}" lon="{lon + i * step:.7f}"'

    nodes: list[tuple[int, str, dict[str, str]]] = [
        (100 + i * 3 + j, at(i, j), {}) for i in range(3) for j in range(3)
    ]
    square = [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7)]
    house = [(1.2, 0.2), (1.8, 0.2), (1.8, 0.8), (1.2, 0.8)]
    nodes += [(200 + k, at(i, j), {}) for k, (i, j) in enumerate(square)]
    nodes += [(300 + k, at(i, j), {}) for k, (i, j) in enumerate(house)]
    nodes += [
        (400, at(0.5, 1.0), {"highway": "street_lamp"}),
        (401, at(1.0, 0.5), {"man_made": "surveillance", "camera:direction": "NE"}),
        (402, at(1.5, 1.0), {"shop": "bakery", "opening_hours": "Mo-Sa 07:00-19:00"}),
        (403, at(1.2, 0.5), {"entrance": "main"}),
        (404, at(0.0, 0.5), {"barrier": "bollard"}),
        (405, at(1.6, 1.0), {"amenity": "bar"}),
        (406, at(0.5, 1.5), {"amenity": "kindergarten"}),
        (407, at(0.5, 0.5), {}),
    ]
    ways = [
        (1, [100, 103, 106], {"highway": "residential", "lit": "yes"}),
        (2, [101, 104, 107], {"highway": "footway", "lit": "yes"}),
        (3, [102, 105, 108], {"highway": "residential", "lit": "no"}),
        (4, [100, 101, 102], {"highway": "residential"}),
        (5, [106, 107, 108], {"highway": "service"}),
        (6, [200, 201, 202, 203, 200], {"place": "square", "name": "Platz"}),
        (7, [300, 301, 302, 303, 300], {"building": "retail", "building:levels": "3"}),
        (8, [103, 104], {"barrier": "hedge"}),
        (9, [104, 105], {"highway": "footway"}),
        # a street driven into the square: the vulnerability kernels model its run-up
        (10, [101, 407], {"highway": "residential"}),
    ]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="cpted">']
    for node_id, where, tags in nodes:
        inner = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<node id="{node_id}" version="1" {where}>{inner}</node>')
    for way_id, refs, tags in ways:
        inner = "".join(f'<nd ref="{r}"/>' for r in refs)
        inner += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{way_id}" version="1">{inner}</way>')
    lines.append("</osm>")
    return "\n".join(lines)


def warmup(*, verbose: bool = False) -> list[str]:
    """
    Compile every numba kernel of cpted, so the first real audit starts at full speed.

    Audits a tiny synthetic place (three streets, a square, a building, a lamp), runs a
    visibility graph analysis of its square and a vehicle's speed profile along a street.
    numba keeps the compiled code in its cache, so this takes about a minute once per
    machine (and per cpted version), then about a second. ``make install`` runs it.

    Parameters
    ----------
    verbose
        Say on stderr what is being compiled and when it is done.

    Returns
    -------
    list of str
        The kernels that were not compiled before (empty when the cache was warm).
    """
    import warnings

    from cpted import settings, sightlines, vulnerability
    from cpted._errors import CptedWarning
    from cpted.area import area_from_file
    from cpted.audit import audit

    cold = cold_kernels(audit_only=False)
    if verbose:
        _stderr(COMPILING if cold else "cpted's numerical kernels are compiled already.")
    with tempfile.TemporaryDirectory(prefix="cpted-warmup-") as folder:
        path = Path(folder) / "tiny.osm"
        path.write_text(_tiny_osm(), encoding="utf-8")
        area = area_from_file(path)
    with warnings.catch_warnings():
        # the tiny place is incomplete on purpose; the audit says so, which is no news here
        warnings.simplefilter("ignore", CptedWarning)
        audit(area, progress=False)
    sightlines.vga(area.sites.geometry.iloc[0], sightlines.obstacles(area), cell=5.0)
    vulnerability.speed_profile(area.streets.geometry.iloc[0], next(iter(settings.VEHICLES)))
    if verbose and cold:
        kernels = "kernel" if len(cold) == 1 else "kernels"
        _stderr(f"Compiled {len(cold)} {kernels}; audits start at full speed from now on.")
    return cold


if __name__ == "__main__":
    warmup(verbose=True)
