"""The audit: every principle measured on every street segment and public space.

:func:`audit` runs the principle modules on a StudyArea and gathers what they measured
into one :class:`Audit`, which draws itself (:meth:`Audit.to_map`) and saves itself
(:meth:`Audit.save`). The scores it combines are absolute: they rest on fixed references
(EN 13201 classes, recognition distances), never on the spread of the area at hand, so two
towns and two years compare.
"""

from __future__ import annotations

import html
import importlib
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from cpted import settings
from cpted._errors import InputError
from cpted._raster import Raster

if TYPE_CHECKING:
    import folium

    from cpted.area import StudyArea

__all__ = ["PRINCIPLES", "Audit", "AuditPart", "audit"]

#: The principle modules, in the order the audit runs them.
PRINCIPLES = ("sightlines", "lighting", "surveillance", "access", "vulnerability")


@dataclass
class AuditPart:
    """What one principle module measured: tables, extra map layers and rasters."""

    segments: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    rasters: dict[str, Raster] = field(default_factory=dict)


def _part(module: Any, area: StudyArea) -> AuditPart | None:
    if hasattr(module, "audit_part"):
        return module.audit_part(area)
    segments = module.segment_measures(area) if hasattr(module, "segment_measures") else None
    sites = module.site_measures(area) if hasattr(module, "site_measures") else None
    if segments is None and sites is None:
        return None
    return AuditPart(segments=segments, sites=sites)


def _join(base: gpd.GeoDataFrame, extra: pd.DataFrame | None, what: str) -> gpd.GeoDataFrame:
    if extra is None or (extra.empty and len(base)):
        return base
    if not extra.index.equals(base.index):
        extra = extra.reindex(base.index)
    extra = extra.drop(columns=[c for c in extra.columns if c in base.columns or c == "geometry"])
    return gpd.GeoDataFrame(base.join(extra), geometry="geometry", crs=base.crs)


def combine_scores(table: pd.DataFrame) -> pd.DataFrame:
    """
    Combine the principle scores of each row into ``cpted_score`` and ``cpted_confidence``.

    The combined score is the weighted mean of the principle scores present
    (``<principle>_score`` columns), with the weights of
    :data:`cpted.settings.SCORE_WEIGHTS`; a missing principle is left out and its weight
    shared among the others. Confidence is the weighted mean of the principles'
    confidences times the share of the total weight that was available, so a row scored on
    fewer principles is trusted less, never scored lower.

    Returns
    -------
    pandas.DataFrame
        ``cpted_score`` (0-100) and ``cpted_confidence`` (0-1), indexed like ``table``.
    """
    weights = settings.SCORE_WEIGHTS
    total = sum(weights.values())
    score_sum = pd.Series(0.0, index=table.index)
    weight_sum = pd.Series(0.0, index=table.index)
    confidence_sum = pd.Series(0.0, index=table.index)
    for principle, weight in weights.items():
        column = f"{principle}_score"
        if column not in table.columns:
            continue
        score = pd.to_numeric(table[column], errors="coerce")
        have = score.notna()
        confidence = pd.to_numeric(
            table.get(f"{principle}_confidence", pd.Series(1.0, index=table.index)),
            errors="coerce",
        ).fillna(0.0)
        score_sum += score.fillna(0.0) * weight
        weight_sum += have * weight
        confidence_sum += confidence.where(have, 0.0) * weight
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = (score_sum / weight_sum).where(weight_sum > 0)
        confidence = (confidence_sum / weight_sum).where(weight_sum > 0) * (weight_sum / total)
    return pd.DataFrame(
        {"cpted_score": combined.clip(0, 100), "cpted_confidence": confidence.clip(0, 1)}
    )


@dataclass
class Audit:
    """
    The CPTED audit of one StudyArea.

    Attributes
    ----------
    area
        The audited StudyArea.
    segments
        ``area.streets`` with every measure and score, indexed like it.
    sites
        ``area.sites`` with every measure and score, indexed like it.
    layers
        Extra geometries the principles produced (dark spots, concealment spots, ...).
    rasters
        Fields the principles computed (illuminance, visibility), as :class:`Raster`.
    principles
        The principle modules that ran.
    """

    area: StudyArea
    segments: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    rasters: dict[str, Raster] = field(default_factory=dict)
    principles: tuple[str, ...] = ()

    def to_map(self, *, basemap: str | None = None) -> folium.Map:
        """Draw the audit on a self-contained folium map (see :func:`cpted.maps.audit_map`)."""
        from cpted.maps import audit_map

        return audit_map(self, basemap=basemap)

    def worst_segments(self, n: int = 10, *, score: str = "cpted_score") -> gpd.GeoDataFrame:
        """Return the ``n`` segments with the lowest ``score`` (default the combined one)."""
        if score not in self.segments.columns:
            msg = f"No column {score!r} in the audit; scores present: {self._scores()}."
            raise InputError(msg)
        return self.segments.sort_values(score).head(n)

    def _scores(self) -> str:
        return ", ".join(c for c in self.segments.columns if c.endswith("_score")) or "none"

    def save(self, directory: str | os.PathLike[str], *, force: bool = False) -> Path:
        """
        Write the audit to ``directory``: a GeoPackage, GeoTIFFs, CSV tables, map and report.

        The files are written to a temporary folder beside ``directory`` and moved into
        place at the end, so an interrupted run leaves no half-written output.

        Parameters
        ----------
        directory
            The output folder. It must not exist yet, unless ``force``.
        force
            Replace an existing folder.

        Returns
        -------
        pathlib.Path
            The output folder.
        """
        from cpted.report import report_html

        target = Path(directory)
        if target.exists() and not force:
            msg = (
                f"The output folder {target} exists already; choose another folder or pass "
                "force=True (--force on the command line) to replace it."
            )
            raise InputError(msg)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; an output folder is for sharing
        try:
            self._write(staging, report_html(self))
            if target.exists():
                old = target.with_name(f".{target.name}.old")
                if old.exists():
                    shutil.rmtree(old)
                target.rename(old)
                staging.rename(target)
                shutil.rmtree(old)
            else:
                staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    def _write(self, folder: Path, report: str) -> None:
        gpkg = folder / "cpted.gpkg"
        tables = {
            "segments": self.segments,
            "sites": self.sites,
            **{n: getattr(self.area, n) for n in (
                "buildings", "barriers", "lamps", "entrances", "pois", "cameras")},
            **self.layers,
        }  # fmt: skip
        with warnings.catch_warnings():
            # pyogrio notes that GeoPackage layer names are case-insensitive etc.
            warnings.simplefilter("ignore", RuntimeWarning)
            for name, table in tables.items():
                if table is None or not len(table):
                    continue
                _gis_safe(table).to_file(gpkg, layer=name, driver="GPKG")
        for name, table in (("segments", self.segments), ("sites", self.sites)):
            table.drop(columns="geometry").to_csv(folder / f"{name}.csv")
        for name, raster in self.rasters.items():
            raster.to_geotiff(folder / f"{name}.tif")
        self.to_map().save(str(folder / "map.html"))
        (folder / "report.html").write_text(report, encoding="utf-8")

    def summary(self) -> pd.DataFrame:
        """Mean, minimum and maximum of every score over segments (and sites)."""
        rows = {}
        for name, table in (("segments", self.segments), ("sites", self.sites)):
            for column in [c for c in table.columns if c.endswith("_score")]:
                values = pd.to_numeric(table[column], errors="coerce")
                rows[(name, column)] = {
                    "mean": round(float(values.mean()), 1) if values.notna().any() else None,
                    "min": round(float(values.min()), 1) if values.notna().any() else None,
                    "max": round(float(values.max()), 1) if values.notna().any() else None,
                    "scored": int(values.notna().sum()),
                }
        return pd.DataFrame.from_dict(rows, orient="index")

    def __repr__(self) -> str:
        return (
            f"<Audit of {self.area.name!r}: {len(self.segments)} segments, {len(self.sites)} "
            f"sites; principles: {', '.join(self.principles) or 'none yet'}>"
        )

    def _repr_html_(self) -> str:
        from cpted.maps import table_html

        summary = self.summary()
        scores = table_html(summary) if len(summary) else "<p>No scores yet.</p>"
        return (
            f"<div><strong>CPTED audit</strong> of {html.escape(self.area.name)}: "
            f"{len(self.segments)} street segments, {len(self.sites)} public spaces; "
            f"principles measured: {html.escape(', '.join(self.principles) or 'none yet')}."
            f"{scores}{self.area._repr_html_()}</div>"
        )


def _gis_safe(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn lists and other objects GIS formats cannot store into text."""
    out = table.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if series.dtype == object:
            out[column] = series.map(
                lambda v: v if v is None or isinstance(v, str | bool | int | float) else str(v)
            )
    name = out.index.name or "id"
    out.index = out.index.astype(str)
    out.index.name = f"{name}_id" if name in out.columns else name
    return out.reset_index()


def audit(
    area: StudyArea, *, principles: tuple[str, ...] | None = None, progress: bool = True
) -> Audit:
    """
    Measure every CPTED principle on every street segment and public space of ``area``.

    Parameters
    ----------
    area
        The study area.
    principles
        The principle modules to run (default all of :data:`PRINCIPLES` that are
        available).
    progress
        Show a progress bar.

    Returns
    -------
    Audit

    Examples
    --------
    >>> import cpted
    >>> area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    >>> result = cpted.audit(area, progress=False)
    >>> result.segments.index.equals(area.streets.index)
    True
    """
    from tqdm.auto import tqdm

    wanted = PRINCIPLES if principles is None else tuple(principles)
    unknown = [p for p in wanted if p not in PRINCIPLES]
    if unknown:
        msg = f"Unknown principles {unknown}; choose from {', '.join(PRINCIPLES)}."
        raise InputError(msg)
    segments = area.streets.copy()
    sites = area.sites.copy()
    layers: dict[str, gpd.GeoDataFrame] = {}
    rasters: dict[str, Raster] = {}
    ran = []
    bar = tqdm(wanted, desc="CPTED audit", disable=not progress, leave=False)
    for name in bar:
        bar.set_postfix_str(name)
        try:
            module = importlib.import_module(f"cpted.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"cpted.{name}":
                continue
            raise
        part = _part(module, area)
        if part is None:
            continue
        segments = _join(segments, part.segments, name)
        sites = _join(sites, part.sites, name)
        layers.update(part.layers)
        rasters.update(part.rasters)
        ran.append(name)
    bar.close()
    for table_name in ("segments", "sites"):
        table = segments if table_name == "segments" else sites
        if any(c.endswith("_score") for c in table.columns):
            combined = combine_scores(table)
            table = gpd.GeoDataFrame(table.join(combined), geometry="geometry", crs=table.crs)
        if table_name == "segments":
            segments = table
        else:
            sites = table
    return Audit(area, segments, sites, layers, rasters, tuple(ran))
