"""
cpted: Crime Prevention Through Environmental Design analysis of real places.

Read OpenStreetMap (and your own layers) into a :class:`StudyArea`, audit it with
:func:`audit`, and look at the result on a map::

    import cpted

    area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    audit = cpted.audit(area)
    audit.to_map()

The analysis modules (``cpted.sightlines``, ``cpted.lighting``, ``cpted.surveillance``,
``cpted.access``, ``cpted.vulnerability``), ``cpted.scenarios`` (what-if changes) and
``cpted.fieldaudit`` (walk-audit observations) are imported on first use, so
``import cpted`` stays fast. ``cpted.warmup()`` compiles the numerical kernels once per
machine (``make install`` runs it), so the first audit starts at full speed.
"""

from __future__ import annotations

import importlib
from typing import Any

from cpted import datasets, settings
from cpted._errors import CptedError, CptedWarning, CRSError, DataError, InputError
from cpted.area import StudyArea, area_from_bbox, area_from_file, area_from_place, read_layer

# Bound after the submodule import, so ``cpted.audit`` is the function, not the module.
from cpted.audit import Audit, audit

__version__ = "0.1.0"

_LAZY_MODULES = {
    "sightlines",
    "lighting",
    "surveillance",
    "access",
    "vulnerability",
    "maps",
    "report",
    "scenarios",
    "fieldaudit",
}

__all__ = [
    "Audit",
    "CRSError",
    "CptedError",
    "CptedWarning",
    "DataError",
    "InputError",
    "StudyArea",
    "__version__",
    "access",
    "area_from_bbox",
    "area_from_file",
    "area_from_place",
    "audit",
    "datasets",
    "fieldaudit",
    "lighting",
    "read_layer",
    "scenarios",
    "settings",
    "sightlines",
    "surveillance",
    "vulnerability",
    "warmup",
]


def __getattr__(name: str) -> Any:
    # Lazy imports: the analysis modules pull in numba, igraph and rasterio.
    if name in _LAZY_MODULES:
        return importlib.import_module(f"cpted.{name}")
    if name == "warmup":  # compiles the numba kernels; imported on first use like them
        return importlib.import_module("cpted._warmup").warmup
    msg = f"module 'cpted' has no attribute {name!r}"
    raise AttributeError(msg)
