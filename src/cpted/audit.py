"""The audit: every principle measured on every street segment and public space.

:func:`audit` runs the principle modules on a StudyArea and gathers what they measured
into one :class:`Audit`, which draws itself (:meth:`Audit.to_map`) and saves itself
(:meth:`Audit.save`). The scores it combines are absolute: they rest on fixed references
(EN 13201 classes, recognition distances), never on the spread of the area at hand, so two
towns and two years compare.

The audit's sentences (explanations, recommendations, notes) are written in the language
it runs in (:func:`cpted._i18n.use`, by default the machine's); :meth:`Audit.save`,
:meth:`Audit.report` and :meth:`Audit.to_map` take a ``language`` and write them again in
it from the same measures (once per language), rather than translating stored text.
"""

from __future__ import annotations

import html
import importlib
import inspect
import math
import os
import sys
import time
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpted import _tiles, settings
from cpted._context import AuditContext
from cpted._errors import CptedWarning, InputError
from cpted._i18n import N_, _, check_language, current_language, use
from cpted._memory import cycles_paused, release_unused
from cpted._principle import PRINCIPLES as _REGISTRY
from cpted._principle import SCORED as _SCORED
from cpted._principle import AuditPart
from cpted._raster import Raster
from cpted._validate import check_area, check_count, check_path_arg, check_readable

if TYPE_CHECKING:
    import folium

    from cpted._compare import Comparison
    from cpted._explain import Explanation
    from cpted.area import StudyArea
    from cpted.maps import CptedMap

__all__ = ["PRINCIPLES", "Audit", "AuditPart", "audit", "combine_scores", "read_weights"]

#: The principle modules, in the order the audit runs them (from the registry).
PRINCIPLES = tuple(_REGISTRY)


def _principle_module(name: str) -> Any:
    """Import the module of principle ``name``; None when it is not installed."""
    try:
        return importlib.import_module(f"cpted.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"cpted.{name}":
            return None
        raise


def _part(module: Any, area: StudyArea, context: AuditContext) -> AuditPart | None:
    if hasattr(module, "audit_part"):
        if "context" in inspect.signature(module.audit_part).parameters:
            return module.audit_part(area, context=context)
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


def read_weights(weights: Mapping[str, float] | str | os.PathLike[str] | None) -> dict[str, float]:
    """
    Check the principle weights of the combined score, or read them from a TOML file.

    Parameters
    ----------
    weights
        None (:data:`cpted.settings.SCORE_WEIGHTS`), a mapping ``{principle: weight}``, or
        the path of a TOML file holding such keys at its top level or in a ``[weights]``
        table, e.g. ``lighting = 2.0``. Principles not named keep their default weight.

    Returns
    -------
    dict
        ``{principle: weight}`` for sightlines, lighting, surveillance and access.

    Raises
    ------
    InputError
        The file is missing or not TOML, a principle is unknown, a weight is negative or
        not a number, or every weight is 0.
    """
    merged = dict(settings.SCORE_WEIGHTS)
    if weights is None:
        return merged
    if isinstance(weights, str | os.PathLike):
        path = Path(weights)
        if not path.exists():
            msg = f"No such weights file: {path}. Write a TOML file such as 'lighting = 2.0'."
            raise InputError(msg)
        check_readable(path, "The weights file")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            msg = f"{path.name} is not a TOML file of weights ({exc}); write e.g. 'lighting = 2.0'."
            raise InputError(msg) from exc
        weights = data.get("weights", data)
    if not isinstance(weights, Mapping):
        msg = f"weights must be a mapping of principle to weight or a TOML path, got {weights!r}."
        raise InputError(msg)
    problems = []
    for name, value in weights.items():
        if name not in _SCORED:
            problems.append(f"unknown principle {name!r} (choose from {', '.join(_SCORED)})")
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            problems.append(f"{name} = {value!r} is not a non-negative number")
            continue
        merged[name] = float(value)
    if problems:
        msg = "Bad score weights: " + "; ".join(problems) + "."
        raise InputError(msg)
    if sum(merged.values()) <= 0:
        msg = "Every score weight is 0; give at least one principle a positive weight."
        raise InputError(msg)
    return merged


def combine_scores(
    table: pd.DataFrame, *, weights: Mapping[str, float] | str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """
    Combine the principle scores of each row into ``cpted_score`` and ``cpted_confidence``.

    The combined score is the weighted mean of the principle scores present
    (``<principle>_score`` columns), with ``weights`` (default
    :data:`cpted.settings.SCORE_WEIGHTS`; see :func:`read_weights`); a missing principle
    is left out and its weight shared among the others. Confidence is the weighted mean of
    the principles' confidences times the share of the total weight that was available, so
    a row scored on fewer principles is trusted less, never scored lower.

    Returns
    -------
    pandas.DataFrame
        ``cpted_score`` (0-100) and ``cpted_confidence`` (0-1), indexed like ``table``.
    """
    weights = read_weights(weights)
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
    weights
        The principle weights of ``cpted_score``.
    timings
        Wall time of each stage, seconds: each principle module, ``scores`` (combining and
        explaining) and, after :meth:`save`, ``save: <file>``. A tiled audit adds
        ``tiles``, the wall time of measuring the tiles; its principle times are summed
        over the tiles (on several processes, more than the wall time).
    area_recommendations
        What to do for the whole area, as :class:`cpted._explain.Recommendation`: the data
        gaps that the scores had to estimate (one each, with the share of streets).
    notes
        What the audit could not assess because the area lacks it (no public spaces, no
        lamps, no buildings, hardly any streets), one sentence each.
    language
        The language its text columns, recommendations and notes are written in.
    """

    area: StudyArea
    segments: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    rasters: dict[str, Raster] = field(default_factory=dict)
    principles: tuple[str, ...] = ()
    weights: dict[str, float] = field(default_factory=lambda: dict(settings.SCORE_WEIGHTS))
    timings: dict[str, float] = field(default_factory=dict)
    area_recommendations: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    language: str = field(default_factory=current_language)
    #: The tiles or principles whose measures failed (GEOS errors), said again in
    #: every language by :attr:`notes`.
    failures: list[Any] = field(default_factory=list, repr=False)
    #: The audit with its text written in another language, by language (see _in).
    _texts: dict[str, Audit] = field(default_factory=dict, repr=False, compare=False)

    def _in(self, language: str | None) -> Audit:
        """
        Return this audit with its sentences in ``language`` (None: the current language).

        The explanations, recommendations, data-gap advice and notes are written again
        from the measures in that language, once per language; the measures, scores and
        layers are the same objects.
        """
        lang = current_language() if language is None else check_language(language)
        if lang == self.language:
            return self
        if lang not in self._texts:
            from dataclasses import replace

            with cycles_paused(), use(lang):
                tables = {}
                for name in ("segments", "sites"):
                    table = getattr(self, name)
                    if "explanation" in table.columns and any(
                        c.endswith("_score") for c in table.columns
                    ):
                        from cpted._explain import explanation_columns

                        kind = "segment" if name == "segments" else "site"
                        text = explanation_columns(
                            table, kind=kind, weights=self.weights, area=self.area,
                            layers=self.layers,
                        )  # fmt: skip
                        table = table.copy()
                        for column in text.columns:
                            table[column] = text[column]
                    tables[name] = table
                advice = self.area_recommendations
                if advice or "explanation" in self.segments.columns:
                    from cpted._explain import data_gaps

                    advice = data_gaps(tables["segments"], tables["sites"])
                self._texts[lang] = replace(
                    self,
                    segments=tables["segments"],
                    sites=tables["sites"],
                    area_recommendations=advice,
                    notes=_notes(self.area, self.principles) + _tiles.failure_notes(self.failures),
                    language=lang,
                    _texts=self._texts,
                )
        return self._texts[lang]

    def explain(self, key: Any) -> Explanation:
        """
        Explain the score of one segment or site: points lost per measure, and advice.

        Parameters
        ----------
        key
            An index of ``segments`` (an int) or of ``sites`` (a str such as
            ``"w986957296"``), or a site's name.

        Returns
        -------
        Explanation
            Printable (``print(audit.explain(12))``) and shown as HTML in a notebook;
            its ``principles`` and ``measures`` tables hold the figures.

        Raises
        ------
        InputError
            No segment or site has that id or name.
        """
        from cpted._explain import Explanation, losses, recommendations

        kind, table, row = self._locate(key)
        one = table.loc[[row]]
        lost = losses(one, kind=kind, weights=self.weights)
        recs = recommendations(one, kind=kind, area=self.area, lost=lost, layers=self.layers)[0]
        rows = []
        for principle, weight in self.weights.items():
            column = f"{principle}_score"
            if column not in one:
                continue
            value = pd.to_numeric(one[column], errors="coerce").iloc[0]
            rows.append(
                {
                    "principle": principle,
                    "score": value,
                    "confidence": pd.to_numeric(
                        one.get(f"{principle}_confidence", pd.Series([np.nan])), errors="coerce"
                    ).iloc[0],
                    "weight": weight,
                    "points_lost": float(
                        lost.loc[lost["principle"] == principle, "points_cpted"].sum()
                    ),
                }
            )
        principles = pd.DataFrame(
            rows, columns=["principle", "score", "confidence", "weight", "points_lost"]
        ).set_index("principle")
        name = one["name"].iloc[0] if "name" in one else None
        measures = lost.drop(columns=["row"]).reset_index(drop=True)
        return Explanation(
            kind=kind,
            id=row,
            name=""
            if name is None or (isinstance(name, float) and math.isnan(name))
            else str(name),
            score=float(
                pd.to_numeric(one.get("cpted_score", pd.Series([np.nan])), errors="coerce").iloc[0]
            ),
            confidence=float(
                pd.to_numeric(
                    one.get("cpted_confidence", pd.Series([np.nan])), errors="coerce"
                ).iloc[0]
            ),
            principles=principles,
            measures=measures,
            recommendations=recs,
        )

    def _locate(self, key: Any) -> tuple[str, gpd.GeoDataFrame, Any]:
        if not isinstance(key, str | bytes) and key in self.segments.index:
            return "segment", self.segments, key
        if key in self.sites.index:
            return "site", self.sites, key
        if isinstance(key, str) and "name" in self.sites:
            names = self.sites["name"].fillna("").astype(str).str.casefold()
            match = self.sites.index[names == key.casefold()]
            if len(match):
                return "site", self.sites, match[0]
        if isinstance(key, str) and key.lstrip("-").isdigit() and int(key) in self.segments.index:
            return "segment", self.segments, int(key)
        msg = (
            f"No segment or site {key!r} in the audit: segments are numbered "
            f"{self.segments.index.min()}-{self.segments.index.max()}, sites are ids such as "
            f"{', '.join(map(str, self.sites.index[:3])) or '(none)'} or their names."
        )
        raise InputError(msg)

    def compare(self, other: Audit) -> Comparison:
        """
        Compare this audit (before) with ``other`` (after, e.g. a scenario).

        Segments and sites are matched by their index when both audits come from the same
        StudyArea (a scenario), else by their OSM identity (node ids ``u``, ``v``, ``key``
        of segments; site ids).

        Returns
        -------
        cpted._compare.Comparison
            ``segments`` and ``sites`` with ``<score>_before``, ``<score>_after`` and
            ``<score>_change`` columns, :meth:`~cpted._compare.Comparison.summary`, and
            :meth:`~cpted._compare.Comparison.to_html` (side-by-side maps with synchronised
            views).
        """
        from cpted._compare import compare_audits

        return compare_audits(self, other)

    def report(
        self,
        path: str | os.PathLike[str],
        *,
        force: bool = False,
        inputs: Iterable[str | os.PathLike[str]] | None = None,
        title: str | None = None,
        site: Any = None,
        language: str | None = None,
    ) -> Path:
        """
        Write the self-contained HTML report (see :func:`cpted.report.report_html`).

        The page is written to a temporary file and renamed, so an interrupted run leaves
        no half file. When a ``map.html`` lies beside it (as :meth:`save` writes it), the
        report links to it.

        Parameters
        ----------
        path
            The file to write (``report.html``).
        force
            Replace an existing file. The input file of the audit is never replaced.
        inputs
            The files the audit read (default: the source file of its area).
        title
            The place's name for the report's title (default: from the data, see
            :func:`cpted.report.place_title`).
        site
            The site the report is about: an index of ``sites``, a list of them or a name.
        language
            The language of the report, such as ``"fr"`` (see :func:`cpted._i18n.languages`);
            default the current one (the machine's locale, else English).

        Returns
        -------
        pathlib.Path
        """
        from cpted import _output
        from cpted.report import report_html

        check_path_arg(path, "path")
        view = self._in(language)  # an unknown language stops before anything is written
        sources = self._inputs() if inputs is None else inputs
        _output.check_report(path, force=force, inputs=sources)  # before the page is drawn
        beside = Path(path).with_name("map.html")
        with use(view.language):
            page = report_html(
                view, title=title, site=site, map_link="map.html" if beside.exists() else None
            )
        return _output.write_file(path, page, force=force, inputs=sources)

    def compare_observations(
        self, observations: Any, *, distance: float | None = None
    ) -> gpd.GeoDataFrame:
        """
        Join walk-audit observations to segments and compare them with the scores.

        Parameters
        ----------
        observations
            The result of :func:`cpted.fieldaudit.observations_from_file`, or a path of a
            CSV or GeoJSON file it reads.
        distance
            How far an observation point may lie from a segment, metres (default
            :data:`cpted.settings.FIELD_AUDIT_DISTANCE`).

        Returns
        -------
        geopandas.GeoDataFrame
            One row per observation and rated item; see
            :func:`cpted.fieldaudit.agreement`.
        """
        from cpted.fieldaudit import agreement, observations_from_file

        if not isinstance(observations, gpd.GeoDataFrame):
            observations = observations_from_file(observations)
        return agreement(self, observations, distance=distance)

    def to_map(
        self,
        *,
        basemap: str | None = None,
        language: str | None = None,
        district: Any = None,
        city_map: bool | None = None,
        districts: Any = None,
    ) -> folium.Map:
        """
        Draw the audit on a self-contained folium map (see :func:`cpted.maps.audit_map`).

        A city is drawn as :meth:`save` writes it: above
        :data:`cpted.settings.CITY_MAP_SEGMENTS` segments (or with ``districts``), the
        city overview of districts coloured by median score, whose tooltips name each
        district; ``district=`` then draws that district's detailed map. So a notebook
        never holds a page that grows with the whole city.

        Parameters
        ----------
        basemap
            A tile provider for the detailed maps (default: drawn from the data).
        language
            The language of legends, popups and explanations, such as ``"fr"``; default
            the current one.
        district
            The id (``"d07"``) or name of one district of the overview: its detailed map.
        city_map, districts
            As in :meth:`save`: ``city_map=False`` always draws one detailed map of
            everything; ``districts`` lays the overview (user polygons or a hexagon size).

        Raises
        ------
        InputError
            ``district`` names no district; bad ``districts`` or ``city_map``.
        """
        from cpted.maps import _city, audit_map

        view = self._in(language)
        with use(view.language):
            if district is not None:
                if city_map is False:
                    msg = "district= draws a district of the city overview; drop city_map=False."
                    raise InputError(msg)
                laid = _city.district_plan(view, districts)
                return _city.district_map(view, laid, district, basemap=basemap)
            city = _city.plan(view, city_map=city_map, districts=districts)
            if city is None:
                return audit_map(view, basemap=basemap)
            return _city.overview_map(view, city, pages={})

    def subset(self, polygon: Any) -> Audit:
        """
        Return the audit of the part of the place within ``polygon`` (e.g. a district).

        The segments whose midpoint lies in ``polygon`` and the public spaces whose
        representative point does, with their scores as measured in the whole place; the
        layers, the area's layers and the rasters that reach them (see
        :func:`cpted.maps._city.subset`).

        Parameters
        ----------
        polygon
            A shapely polygon in the audit's CRS (``audit.area.crs``, metres).

        Examples
        --------
        >>> import cpted
        >>> area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
        >>> result = cpted.audit(area, principles="lighting", progress=False)
        >>> centre = area.boundary.centroid.buffer(150)
        >>> len(result.subset(centre).segments) < len(result.segments)
        True
        """
        from cpted.maps._city import subset

        if not isinstance(polygon, shapely.Polygon | shapely.MultiPolygon):
            msg = (
                f"subset needs a shapely Polygon in the audit's CRS, got "
                f"{type(polygon).__name__}; e.g. districts.geometry.iloc[0]."
            )
            raise InputError(msg)
        return subset(self, polygon)

    def worst_segments(
        self, n: int = 10, *, score: str = "cpted_score", min_length: float | None = None
    ) -> gpd.GeoDataFrame:
        """
        Return the ``n`` segments with the lowest ``score`` (default the combined one).

        Segments shorter than ``min_length`` metres (default
        :data:`cpted.settings.WORST_SEGMENT_MIN_LENGTH`) are left out: a flight of steps or
        the 2 m link between two footways is no stretch a planner walks or acts on, and its
        measures (how far ahead one sees) are cut short by its length. Segments without a
        score (not audited: ``not_audited`` says why) are left out too.
        """
        n = check_count(n, "n (the number of segments)")
        if score not in self.segments.columns:
            msg = f"No column {score!r} in the audit; scores present: {self._scores()}."
            raise InputError(msg)
        shortest = settings.WORST_SEGMENT_MIN_LENGTH if min_length is None else min_length
        long_enough = self.segments[self.segments["length"] >= shortest]
        # Unaudited segments (private, indoor, bus-only ways) have no score: never rank them.
        scored = long_enough[pd.to_numeric(long_enough[score], errors="coerce").notna()]
        return scored.sort_values(score).head(n)

    def _scores(self) -> str:
        return ", ".join(c for c in self.segments.columns if c.endswith("_score")) or "none"

    def save(
        self,
        directory: str | os.PathLike[str],
        *,
        force: bool = False,
        inputs: Iterable[str | os.PathLike[str]] | None = None,
        progress: bool = False,
        title: str | None = None,
        site: Any = None,
        city_map: bool | None = None,
        districts: Any = None,
        language: str | None = None,
        workers: int | None = None,
    ) -> Path:
        """
        Write the audit to ``directory``: GeoPackage, GeoParquet, GeoTIFFs, CSV, map, report.

        The files are written to a hidden folder beside ``directory`` and moved into place
        at the end, so an interrupted run leaves no half-written output and the previous
        output stays reachable until the new one is complete. The folder is marked with a
        manifest (``.cpted-output.json``) that lists what was written.

        Parameters
        ----------
        directory
            The output folder. It must not exist yet or be empty, unless ``force``.
        force
            Replace an existing folder that cpted wrote. A folder cpted did not write, one
            that holds an input, the working directory, the home directory and a
            filesystem root are never replaced.
        inputs
            The files the audit read (default: the source file of its area); a folder
            that holds one of them is never replaced.
        progress
            Show a progress bar over the files written (the GeoPackage counts one step
            per layer; the map and the report of a large area take longest).
        title, site
            The report's title and the site it is about (see :meth:`report`).
        city_map
            Write ``map.html`` as a city overview of districts, each opening its detailed
            map in ``districts/<id>.html`` (:mod:`cpted.maps._city`), so that no page grows
            with the whole city. None (the default) does so above
            :data:`cpted.settings.CITY_MAP_SEGMENTS` segments or when ``districts`` is
            given; False always writes one detailed map.
        districts
            The districts of the overview: a GeoDataFrame of polygons (named by their
            ``name`` column) or the path of a GeoJSON or GeoPackage file of them, or a
            hexagon size in metres; default hexagons of
            :data:`cpted.settings.CITY_HEX_SIZE_M`.
        language
            The language of the map, the report and the text columns of the tables, such
            as ``"fr"``; default the current one (the machine's locale, else English).
        workers
            Local processes that draw the district pages of a city map, as
            :func:`cpted.audit` measures tiles (default: one per core; 1 draws them here,
            one after the other). A single detailed map is always drawn here.

        Returns
        -------
        pathlib.Path
            The output folder.

        Notes
        -----
        ``segments.parquet`` and ``sites.parquet`` hold the GeoPackage's two layers as
        GeoParquet (read fast by QGIS, DuckDB, ``geopandas.read_parquet``); the GeoPackage
        and GeoParquet are written :data:`cpted.settings.SAVE_CHUNK_ROWS` rows at a time.
        """
        check_path_arg(directory, "directory")
        from cpted import _output

        view = self._in(language)  # an unknown language stops before anything is written
        sources = self._inputs() if inputs is None else inputs
        if site is not None:
            from cpted.report import site_rows

            site_rows(self.sites, site)  # an unknown site stops before anything is written
        from cpted.maps import _city

        # bad districts and workers stop before anything is written, too
        city = _city.plan(view, city_map=city_map, districts=districts)
        _tiles.check_workers(workers)
        with (
            use(view.language),
            _output.writing(directory, force=force, inputs=sources, kind="audit") as staging,
        ):
            view._write(
                staging, progress=progress, title=title, site=site, city=city, workers=workers
            )
        return Path(directory)

    def _inputs(self) -> list[str]:
        """Return the file the area was read from, if it was read from one."""
        return [self.area.source] if self.area.source else []

    def _write(
        self,
        folder: Path,
        *,
        progress: bool = False,
        title: str | None = None,
        site: Any = None,
        city: Any = None,
        workers: int | None = 1,
    ) -> None:
        from tqdm.auto import tqdm

        from cpted import _qgis
        from cpted.report import report_html

        gpkg = folder / "cpted.gpkg"
        tables = {
            "segments": self.segments,
            "sites": self.sites,
            **{n: getattr(self.area, n) for n in (
                "buildings", "barriers", "lamps", "entrances", "pois", "cameras")},
            **self.layers,
        }  # fmt: skip
        layers = {n: t for n, t in tables.items() if t is not None and len(t)}
        csvs = {"segments": self.segments, "sites": self.sites}
        # + the GeoParquet tables, map.html, report.html
        steps = len(layers) + 2 * len(csvs) + len(self.rasters) + 2
        bar = tqdm(
            total=steps, desc=_("Saving the audit"), unit="file", disable=not progress, leave=False
        )
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            self.timings[f"save: {stage}"] = now - clock
            clock = now

        def writing(name: str) -> None:
            bar.set_postfix_str(name)  # shown while the file is written, not after

        with bar:
            with warnings.catch_warnings():
                # pyogrio notes that GeoPackage layer names are case-insensitive etc.
                warnings.simplefilter("ignore", RuntimeWarning)
                for name, table in layers.items():
                    writing(f"cpted.gpkg: {name}")
                    _write_geopackage_layer(table, gpkg, name)
                    bar.update()
            if layers:  # an audit of no rows and no features writes no GeoPackage
                _qgis.write_layer_styles(gpkg)  # QGIS opens them coloured as the map is
            lap("cpted.gpkg")
            for name, table in csvs.items():
                if len(table):  # as in the GeoPackage, an empty table makes no file
                    writing(f"{name}.parquet")
                    _write_geoparquet(table, folder / f"{name}.parquet")
                bar.update()
            lap("parquet")
            for name, table in csvs.items():
                writing(f"{name}.csv")
                table.drop(columns="geometry").to_csv(folder / f"{name}.csv")
                bar.update()
            lap("csv")
            for name, raster in self.rasters.items():
                writing(f"{name}.tif")
                raster.to_geotiff(folder / f"{name}.tif")
                if name == "lux":
                    _qgis.write_lux_style(folder / f"{name}.qml")
                bar.update()
            lap("geotiff")
            if city is not None:  # a city: an overview, and a detailed page per district
                from cpted.maps._city import write_city_maps

                # merges small pages
                write_city_maps(self, folder, city, progress=writing, workers=workers)
            else:
                writing("map.html")
                page = cast("CptedMap", self.to_map()).to_html()
                (folder / "map.html").write_text(page, encoding="utf-8")
            bar.update()
            lap("map.html")
            writing("report.html")
            report = report_html(self, title=title, site=site, map_link="map.html")
            (folder / "report.html").write_text(report, encoding="utf-8")
            bar.update()
            bar.refresh()  # the last step shows (steps/steps) however fast it was
            lap("report.html")

    def summary(self, *, readable: bool = False) -> pd.DataFrame:
        """
        Return the mean, minimum and maximum of every score over segments (and sites).

        Parameters
        ----------
        readable
            Label the rows in words, ``"street segments: Sightlines"``, for showing to
            people; by default the index holds ``(table, column)`` pairs such as
            ``("segments", "sightlines_score")``, for selecting
            (``summary.loc["segments"]``).

        Examples
        --------
        >>> import cpted
        >>> area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
        >>> result = cpted.audit(area, principles="lighting", progress=False)
        >>> result.summary(readable=True).index[0]
        'street segments: Lighting'
        """
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
        table = pd.DataFrame.from_dict(rows, orient="index")
        if readable and len(table):
            table.index = pd.Index([_score_label(t, c) for t, c in rows], name="score")
        return table

    def __repr__(self) -> str:
        return (
            f"<Audit of {self.area.name!r}: {len(self.segments)} segments, {len(self.sites)} "
            f"sites; principles: {', '.join(self.principles) or 'none yet'}"
            + "".join(f"; note: {n}" for n in self.notes)
            + ">"
        )  # for developers: English, principle names as identifiers

    def _repr_html_(self) -> str:
        from cpted.maps import table_html

        summary = self.summary(readable=True)
        scores = (
            table_html(summary)
            if len(summary)
            else "<p>" + html.escape(_("No scores yet.")) + "</p>"
        )
        principles = ", ".join(_(_REGISTRY[p].words) for p in self.principles if p in _REGISTRY)
        counts = _(
            "{segments} street segments, {sites} public spaces; principles measured: {principles}."
        ).format(
            segments=len(self.segments),
            sites=len(self.sites),
            principles=principles or _("none yet"),
        )
        audit_of = _("{cpted_audit} of {place}").format(
            cpted_audit="<strong>" + html.escape(_("CPTED audit")) + "</strong>",
            place=html.escape(self.area.name),
        )
        note = html.escape(_("Note:"))
        return (
            f"<div>{audit_of}: {html.escape(counts)}"
            + "".join(f"<p><em>{note}</em> {html.escape(n)}</p>" for n in self.notes)
            + f"{scores}{self.area._repr_html_()}</div>"
        )


#: How a summary names the two tables.
_TABLE_WORDS = {"segments": N_("street segments"), "sites": N_("public spaces")}


def _score_label(table: str, column: str) -> str:
    """Name a score of a table in words: ``street segments: Natural surveillance``."""
    name = column.removesuffix("_score")
    if column == "cpted_score":
        title = _("Combined CPTED score")
    elif name in _REGISTRY:
        title = _(_REGISTRY[name].title)
    else:
        title = column.replace("_", " ")
    kind = _(_TABLE_WORDS[table]) if table in _TABLE_WORDS else table
    return _("{kind}: {score}").format(kind=kind, score=title)


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


def _chunks(table: gpd.GeoDataFrame, rows: int | None = None) -> Iterable[gpd.GeoDataFrame]:
    """Yield ``table`` in slices of :data:`cpted.settings.SAVE_CHUNK_ROWS` rows (views)."""
    step = max(int(rows or settings.SAVE_CHUNK_ROWS), 1)
    for start in range(0, len(table), step):
        yield table.iloc[start : start + step]


def _write_geopackage_layer(table: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """
    Write ``table`` as ``layer`` of the GeoPackage ``path``, one chunk after the other.

    Each chunk is made GIS-safe and appended, so the save never holds a GIS-safe copy of
    a whole city's table; the layer read back equals one written at once.
    """
    for i, chunk in enumerate(_chunks(table)):
        _gis_safe(chunk).to_file(path, layer=layer, driver="GPKG", mode="a" if i else "w")


def _as_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _write_geoparquet(table: gpd.GeoDataFrame, path: Path) -> None:
    """
    Write ``table`` as a GeoParquet file, one row group per chunk, as the GeoPackage has it.

    The columns are those of the GeoPackage layer (:func:`_gis_safe`; mixed or object
    columns as text, as GDAL stores them). The geometry is WKB and the file carries the
    ``geo`` metadata of GeoParquet 1.0.0 (geoparquet.org: encoding, geometry types, CRS as
    PROJJSON, bounding box), worked out on the whole table before the chunks are written.
    """
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    geometry = table.geometry.name
    types = sorted({str(t) for t in table.geom_type.dropna().unique()})
    column: dict[str, Any] = {
        "encoding": "WKB",
        "geometry_types": types,
        "crs": table.crs.to_json_dict() if table.crs is not None else None,
    }
    bounds = [float(v) for v in table.total_bounds]
    if all(math.isfinite(v) for v in bounds):
        column["bbox"] = bounds
    geo = {"version": "1.0.0", "primary_column": geometry, "columns": {geometry: column}}
    writer = None
    schema = None
    try:
        for chunk in _chunks(table):
            safe = _gis_safe(chunk)
            frame = pd.DataFrame({c: safe[c] for c in safe.columns if c != geometry})
            for name in frame.columns:
                if frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name]):
                    frame[name] = frame[name].map(_as_text).astype(object)
            frame[geometry] = shapely.to_wkb(safe.geometry.to_numpy())
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
            if schema is None:
                # a column all empty in the first chunk is text (as in the GeoPackage)
                fields = [
                    pa.field(f.name, pa.string() if pa.types.is_null(f.type) else f.type)
                    for f in arrow.schema
                ]
                schema = pa.schema(fields, metadata={b"geo": json.dumps(geo).encode()})
                writer = pq.ParquetWriter(path, schema)
            assert writer is not None
            writer.write_table(arrow.replace_schema_metadata(None).cast(schema))
    finally:
        if writer is not None:
            writer.close()


def audit(
    area: StudyArea,
    *,
    principles: tuple[str, ...] | str | None = None,
    weights: Mapping[str, float] | str | os.PathLike[str] | None = None,
    explain: bool = True,
    progress: bool = True,
    client: Any = None,
    workers: int | None = None,
    tile_size: float | None = None,
) -> Audit:
    """
    Measure every CPTED principle on every street segment and public space of ``area``.

    An area larger than one tile (``tile_size``) is measured in tiles, each with a halo as
    wide as the reach of its measures, and the tiles' results are put together so they
    equal an untiled audit (see :mod:`cpted._tiles` and the docs' "Auditing at city
    scale"). The tiles run on ``client``'s Dask cluster, or on ``workers`` local processes.

    Scores are combined into ``cpted_score`` with ``weights`` (:func:`combine_scores`),
    and each row gets an ``explanation`` (the measures that lost most points, and how
    many) and ``recommendations`` (rule-based, '; '-joined so GIS files hold them).

    Parameters
    ----------
    area
        The study area.
    principles
        The principle modules to run (default all of :data:`PRINCIPLES` that are
        available): names such as ``("lighting", "access")``, or one name as a string.
    weights
        Weights of the principles in ``cpted_score``: a mapping or a TOML file (see
        :func:`read_weights`); default :data:`cpted.settings.SCORE_WEIGHTS`.
    explain
        Add the ``explanation``, ``recommendations``, ``weakest_principle`` and
        ``weakest_measure`` columns.
    progress
        Show a progress bar.
    client
        A ``dask.distributed.Client``: the tiles run as tasks on its cluster (even an area
        of one tile). Needs the ``scale`` extra (``pip install 'cpted[scale]'``).
    workers
        Without a client, the local processes that measure the tiles (default
        ``os.cpu_count()``; 1 measures them in this process, one after the other).
    tile_size
        Side of a tile, metres (default :data:`cpted.settings.TILE_SIZE_M`). An area whose
        boundary fits in one tile is audited whole.

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
    check_area(area)
    from tqdm.auto import tqdm

    from cpted._warmup import announce_if_cold

    weights = read_weights(weights)
    if isinstance(principles, str):
        principles = (principles,)  # one principle, not its letters
    if principles is not None and not isinstance(principles, list | tuple | set | frozenset):
        msg = (
            f"principles must be a name or a tuple of names such as ('lighting', 'access'), "
            f"got {type(principles).__name__} {principles!r}."
        )
        raise InputError(msg)
    wanted = PRINCIPLES if principles is None else tuple(principles)
    unknown = [p for p in wanted if p not in PRINCIPLES]
    if unknown:
        msg = (
            f"Unknown principles {', '.join(map(repr, unknown))}; the principles are "
            f"{', '.join(PRINCIPLES)}, e.g. principles=('lighting', 'access')."
        )
        raise InputError(msg)
    segments = area.streets.copy()
    sites = area.sites.copy()
    layers: dict[str, gpd.GeoDataFrame] = {}
    rasters: dict[str, Raster] = {}
    ran = []
    timings: dict[str, float] = {}
    # A fresh install compiles the numba kernels now, for about a minute: say so, once.
    if wanted:
        announce_if_cold((lambda text: tqdm.write(text, file=sys.stderr)) if progress else None)
    if workers is not None:
        _tiles.check_workers(workers)
    if client is not None:
        _tiles.check_client(client)
    tiles = _tiles.tile_grid(area, tile_size)
    failures: list[_tiles.Failure] = []
    release_unused()  # what reading the file freed, before the tiles grow the process
    whole_only = all(p in _tiles.WHOLE_AREA for p in wanted)
    # local processes, up from the first tile to the last explanation (on a cluster the
    # tiles are its tasks, and what follows them is done here)
    pool = _tiles.Workers(1)
    if client is None and len(tiles) > 1:
        pool = _tiles.Workers.for_tasks(workers, 1 if whole_only else len(tiles) + 1)
    with pool:
        if len(tiles) == 1 and client is None:
            parts = _measure_whole(area, wanted, timings, failures, progress)
        else:
            parts = _measure_tiled(
                area, tiles, wanted, timings, failures, client=client,
                workers=pool if client is None else None, progress=progress,
            )  # fmt: skip
        language = current_language()
        pending: dict[str, Any] = {}
        with cycles_paused(), use(language):  # the sentences, in the audit's language
            for name in wanted:
                part = parts.pop(name, None)  # let go of each part once it is joined
                if part is None:
                    continue
                segments = _join(segments, part.segments, name)
                sites = _join(sites, part.sites, name)
                layers.update(part.layers)
                # a layer made on a worker meanwhile keeps its place among the layers
                layers.update(dict.fromkeys(part.pending))
                pending.update(part.pending)
                # float32 as saved, half the memory (the lighting's grid already is)
                rasters.update({key: raster.as_stored() for key, raster in part.rasters.items()})
                ran.append(name)
            del parts
            release_unused()  # the tiles' tables, now joined
            start = time.perf_counter()
            made = {k: v for k, v in layers.items() if k not in pending}
            segments, sites, area_advice, notes = _scored(
                area, segments, sites, made, weights, explain=explain, ran=tuple(ran),
                workers=pool,
            )  # fmt: skip
            notes = notes + _tiles.failure_notes(failures)
            layers.update({key: pool.result(future) for key, future in pending.items()})
            del made, pending
    release_unused()  # the explanations' working tables
    timings["scores"] = time.perf_counter() - start
    if notes:
        warnings.warn(
            _("The audit of {place} is incomplete: {notes}").format(
                place=area.name, notes=" ".join(notes)
            ),
            CptedWarning,
            stacklevel=2,
        )
    return Audit(
        area, segments, sites, layers, rasters, tuple(ran), weights, timings, area_advice, notes,
        language, failures,
    )  # fmt: skip


def _scored(
    area: StudyArea,
    segments: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    layers: dict[str, Any],
    weights: dict[str, float],
    *,
    explain: bool,
    ran: tuple[str, ...],
    workers: _tiles.Workers | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[Any], list[str]]:
    """
    Combine the scores, write the explanations and advice, and the audit's notes.

    The explanations of a table longer than a chunk are written on ``workers``.
    """
    segments = _edge_effects(_drop_unaudited(segments), area)
    sites = _building_sites(sites, segments)
    for table_name in ("segments", "sites"):
        table = segments if table_name == "segments" else sites
        if any(c.endswith("_score") for c in table.columns):
            combined = combine_scores(table, weights=weights)
            table = gpd.GeoDataFrame(table.join(combined), geometry="geometry", crs=table.crs)
            if explain:
                from cpted._explain import explanation_columns

                kind = "segment" if table_name == "segments" else "site"
                text = explanation_columns(
                    table, kind=kind, weights=weights, area=area, layers=layers,
                    workers=workers,
                )  # fmt: skip
                table = gpd.GeoDataFrame(table.join(text), geometry="geometry", crs=table.crs)
        if table_name == "segments":
            segments = table
        else:
            sites = table
    area_advice = []
    if explain:
        from cpted._explain import data_gaps

        area_advice = data_gaps(segments, sites)
    return segments, sites, area_advice, _notes(area, ran)


#: Fewer street segments than this form no network to measure permeability or movement on.
FEW_SEGMENTS = 3


def _notes(area: StudyArea, ran: tuple[str, ...]) -> list[str]:
    """Say, one sentence each, what the audit of ``area`` could not assess, and why."""
    notes = []
    if ran and not len(area.sites):
        notes.append(
            _(
                "No public spaces (squares, parks, playgrounds, ...) in the area, so no site "
                "is scored; add them with area.with_layer('sites', path)."
            )
        )
    if "lighting" in ran and not len(area.lamps):
        notes.append(
            _(
                "No street lamps are mapped, so lighting is estimated from the streets' lit=* "
                "tags and the design lighting of each street class, with low confidence; add "
                "a lamp inventory with area.with_layer('lamps', path)."
            )
        )
    if {"sightlines", "surveillance"} & set(ran) and not len(area.buildings):
        notes.append(
            _(
                "No buildings are mapped, so nothing blocks a view and no frontage overlooks "
                "a street: sightlines read too open and surveillance too low."
            )
        )
    if {"access", "surveillance", "vulnerability"} & set(ran) and len(area.streets) < FEW_SEGMENTS:
        notes.append(
            _(
                "Only {n} street segment(s), too few for the network measures (permeability, "
                "dead ends, movement) to mean much."
            ).format(n=len(area.streets))
        )
    return notes


def _building_sites(sites: gpd.GeoDataFrame, segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """
    Score the sites that are buildings (or only points) by the streets at their doors.

    A site whose ground is a building (``ground == "building"``: a school mapped only as its
    outline) or that is mapped as a point has no open ground for the open-space rules; each
    principle judges it instead
    by ``door_<principle>_score``, the length-weighted mean score of the audited segments
    within :data:`cpted.settings.SITE_DOOR_DISTANCE` of it (the "doors" part of the
    registry), and every site score is recomputed from the registry's parts.
    """
    from cpted._principle import _building, score

    if not len(sites):
        return sites
    out = sites.copy(deep=False)  # every column set below is a new array: none is copied
    building = _building(out)
    length = pd.to_numeric(segments.get("length"), errors="coerce").to_numpy(dtype=float)
    near_site = np.array([], dtype=int)
    near_seg = np.array([], dtype=int)
    if building.any() and len(segments):
        tree = shapely.STRtree(segments.geometry.to_numpy())
        near_site, near_seg = tree.query(
            out.geometry.to_numpy()[building],
            predicate="dwithin",
            distance=settings.SITE_DOOR_DISTANCE,
        )
        near_site = np.flatnonzero(building)[near_site]
    for name in _SCORED:
        column = f"{name}_score"
        if column not in out.columns:
            continue
        values = np.full(len(out), np.nan)
        if len(near_site) and column in segments.columns:
            seg = pd.to_numeric(segments[column], errors="coerce").to_numpy(dtype=float)[near_seg]
            w = np.where(np.isfinite(seg), length[near_seg], 0.0)
            total = np.bincount(near_site, weights=w, minlength=len(out))
            summed = np.bincount(near_site, weights=np.nan_to_num(seg) * w, minlength=len(out))
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.where(total > 0, summed / total, np.nan)
        out[f"door_{name}_score"] = values
        out[column] = score(out, name, "site")
        confidence = f"{name}_confidence"
        if confidence in out.columns:
            # judged from its surroundings, not from ground of its own: trusted half as much
            door = pd.to_numeric(segments.get(f"{name}_confidence"), errors="coerce")
            trust = np.nan_to_num(door.mean() if door is not None else 0.5, nan=0.5) * 0.5
            current = pd.to_numeric(out[confidence], errors="coerce").to_numpy(dtype=float)
            out[confidence] = np.where(building, trust, current)
    return out


def _drop_unaudited(segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """
    Blank the principle scores of the segments that are no public place to walk.

    ``area.streets["audited"]`` is False on private, indoor and bus-only ways and on roads
    whose sidewalk is mapped on its own (:func:`cpted._tags.audit_scope`, reason in
    ``not_audited``). They stay in the table with their measures, because the network
    measures of their neighbours used them, but every ``<principle>_score`` and
    ``<principle>_confidence`` is NaN there, so ``cpted_score`` is NaN, the map greys them
    and rankings skip them.
    """
    if "audited" not in segments.columns:
        return segments
    out = segments.copy(deep=False)  # the columns set below are new arrays: none is copied
    audited = out["audited"].fillna(True).astype(bool).to_numpy()
    out["audited"] = audited
    columns = [f"{p}_{kind}" for p in PRINCIPLES for kind in ("score", "confidence")]
    for column in columns:
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce").where(audited)
    return out


def _edge_effects(segments: gpd.GeoDataFrame, area: StudyArea) -> gpd.GeoDataFrame:
    """
    Add ``edge_distance_m`` and trust less what was measured near the edge of the data.

    ``edge_distance_m`` is the distance from the segment to the edge of
    ``area.footprint``. Within a principle's reach
    (:data:`cpted.settings.EDGE_REACH_M`) its measures saw part of their catchment cut off
    by the extract, so ``<principle>_confidence`` is multiplied by ``edge_distance_m /
    reach``, clipped to :data:`cpted.settings.EDGE_CONFIDENCE_FLOOR`..1. Scores are left as
    measured.
    """
    out = segments.copy(deep=False)  # the columns set below are new arrays: none is copied
    edge = shapely.boundary(area.footprint)
    out["edge_distance_m"] = shapely.distance(out.geometry.to_numpy(), edge)
    distance = out["edge_distance_m"].to_numpy(dtype=float)
    for principle, reach in settings.EDGE_REACH_M.items():
        column = f"{principle}_confidence"
        if column not in out.columns:
            continue
        factor = np.clip(distance / float(reach), settings.EDGE_CONFIDENCE_FLOOR, 1.0)
        out[column] = pd.to_numeric(out[column], errors="coerce") * factor
    return out


def _measure_whole(
    area: StudyArea,
    wanted: tuple[str, ...],
    timings: dict[str, float],
    failures: list[_tiles.Failure],
    progress: bool,
) -> dict[str, AuditPart]:
    """Measure each principle on the whole area, in this process (an area of one tile)."""
    from tqdm.auto import tqdm

    with tqdm(total=len(wanted), desc="CPTED audit", disable=not progress, leave=False) as bar:

        def starting(name: str) -> None:
            bar.update(wanted.index(name) - bar.n)  # the principles before it are done
            bar.set_postfix_str(name)

        result = _tiles.measure_whole_area(area, wanted, starting=starting)
    failures.extend(result.failures)
    timings.update(result.seconds)
    return result.parts


def _measure_tiled(
    area: StudyArea,
    tiles: list[_tiles.Tile],
    wanted: tuple[str, ...],
    timings: dict[str, float],
    failures: list[_tiles.Failure],
    *,
    client: Any,
    workers: int | _tiles.Workers | None,
    progress: bool,
) -> dict[str, AuditPart]:
    """Measure the tiled principles tile by tile, the others on the whole area."""
    from tqdm.auto import tqdm

    tiled = tuple(p for p in wanted if p not in _tiles.WHOLE_AREA)
    whole = tuple(p for p in wanted if p in _tiles.WHOLE_AREA)
    parts: dict[str, AuditPart] = {}
    start = time.perf_counter()
    # the whole-area principles are one more task beside the tiles, on the same workers
    bar = tqdm(total=len(tiles) * bool(tiled) + bool(whole), desc="CPTED audit, tiles",
               unit="tile", disable=not progress, leave=False)  # fmt: skip

    mosaics: dict[tuple[str, str], _tiles.Mosaic] = {}

    def arrived(result: _tiles.TileResult) -> None:
        if result.tile != _tiles.WHOLE:  # a tile's rasters onto the area's grids, let go of
            _tiles.paste(area, result, mosaics)
        bar.update(1)

    results, rest = _tiles.run_tiles(
        area, tiles if tiled else [], tiled, whole=whole, client=client, workers=workers,
        progress=arrived,
    )  # fmt: skip
    bar.close()
    for result in [*results, *([rest] if rest is not None else [])]:
        failures.extend(result.failures)
        for name, seconds in result.seconds.items():
            timings[name] = timings.get(name, 0.0) + seconds
    if tiled:
        with cycles_paused():
            pool = workers if isinstance(workers, _tiles.Workers) else None
            parts.update(_tiles.merge(area, results, tiled, mosaics, workers=pool))
        mosaics.clear()
    if rest is not None:
        parts.update(rest.parts)
    timings["tiles"] = time.perf_counter() - start
    return parts
