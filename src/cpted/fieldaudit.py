"""Field audits: walk-audit observations set beside what cpted computed.

A walk audit rates places on a fixed rubric. The common one (Safetipin's safety audit,
after the Women's Safety Audit of METRAC, Toronto 1989) rates lighting, openness,
visibility, people, security, walk path, public transport and feeling, each on a small
scale (Safetipin: 0-3). :func:`observations_from_file` reads such ratings (points or
segments, CSV or GeoJSON) and turns them to 0-100; :func:`agreement` joins them to the
audited street segments and says, item by item, where observation and computation agree
and where they do not; :func:`agreement_summary` and :func:`agreement_map` show it.

Disagreement is information, not error: a street the map scores well but walkers rate
badly points at what the map does not hold (broken lamps, a hedge, an empty shop front).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpted import settings
from cpted._errors import InputError
from cpted._i18n import N_, _, use

if TYPE_CHECKING:
    from cpted.audit import Audit
    from cpted.maps import CptedMap

__all__ = [
    "RUBRIC",
    "agreement",
    "agreement_map",
    "agreement_summary",
    "observations_from_file",
]

#: The rated items of the common walk-audit rubric (Safetipin).
RUBRIC = (
    "lighting",
    "openness",
    "visibility",
    "people",
    "security",
    "walk_path",
    "transport",
    "feeling",
)

_ALIASES = {
    "walk_path": ("walk_path", "walkpath", "walk path", "footpath", "walk-path"),
    "transport": ("transport", "public_transport", "public transport", "publictransport"),
    "feeling": ("feeling", "feel", "overall", "safety_feeling"),
    "people": ("people", "crowd", "crowdedness"),
}


def _scale(values: pd.DataFrame) -> tuple[float, float]:
    """Guess the rating scale: the smallest of 0-3, 1-5, 0-5, 0-10 and 0-100 that fits."""
    finite = values.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return (0.0, 3.0)
    low, high = float(finite.min()), float(finite.max())
    for lo, hi in ((0.0, 3.0), (1.0, 5.0), (0.0, 5.0), (0.0, 10.0), (0.0, 100.0)):
        if lo <= low and high <= hi:
            return (lo, hi)
    msg = _("Ratings run from {low} to {high}; pass scale=(lowest, highest) to read them.").format(
        low=f"{low:g}", high=f"{high:g}"
    )
    raise InputError(msg)


def observations_from_file(
    source: str | os.PathLike[str] | gpd.GeoDataFrame,
    *,
    scale: tuple[float, float] | None = None,
    crs: Any = None,
) -> gpd.GeoDataFrame:
    """
    Read walk-audit observations and turn their ratings to 0-100.

    Parameters
    ----------
    source
        A CSV (``lon``/``lat`` or ``x``/``y`` columns) or GeoJSON/GeoPackage file of points
        or lines, or a GeoDataFrame, with one column per rated item of :data:`RUBRIC`
        (case-insensitive; ``walk path``, ``public_transport`` and the like are accepted).
        Other columns (a comment, the auditor, the time) are kept.
    scale
        ``(lowest, highest)`` rating; by default the smallest of 0-3 (Safetipin), 1-5,
        0-5, 0-10 and 0-100 that holds every rating.
    crs
        The CRS of x/y coordinates when the file does not say.

    Returns
    -------
    geopandas.GeoDataFrame
        The observations with each rated item as 0-100 (higher is safer), the raw rating
        kept as ``<item>_rating``, indexed ``observation``.

    Raises
    ------
    InputError
        No rubric column, ratings that are not numbers, outside the scale, or geometries
        that are neither points nor lines.
    """
    from cpted.area import read_layer

    if not isinstance(source, gpd.GeoDataFrame | str | os.PathLike):
        msg = _(
            "source must be the path of a CSV, GeoJSON or GeoPackage file of observations, "
            "or a GeoDataFrame; got {kind} {value}."
        ).format(kind=type(source).__name__, value=repr(source))
        raise InputError(msg)
    frame = source.copy() if isinstance(source, gpd.GeoDataFrame) else read_layer(source, crs=crs)
    if frame.crs is None:
        msg = _("The observations have no CRS; pass crs=... (e.g. crs=4326 for lon/lat).")
        raise InputError(msg)
    kinds = set(frame.geom_type.dropna())
    if not kinds <= {"Point", "LineString", "MultiLineString"}:
        got = ", ".join(sorted(kinds))
        msg = _("Observations must be points or lines (walked segments), got {got}.").format(
            got=got
        )
        raise InputError(msg)
    lower = {str(c).strip().lower(): c for c in frame.columns if c != "geometry"}
    found: dict[str, Any] = {}
    for item in RUBRIC:
        for alias in _ALIASES.get(item, (item,)):
            if alias in lower:
                found[item] = lower[alias]
                break
    if not found:
        msg = _("No rated item found among the columns ({columns}); name them {items}.").format(
            columns=", ".join(map(str, lower.values())), items=", ".join(RUBRIC)
        )
        raise InputError(msg)
    ratings = pd.DataFrame(
        {item: pd.to_numeric(frame[col], errors="coerce") for item, col in found.items()},
        index=frame.index,
    )
    bad = frame[list(found.values())].notna().to_numpy() & ratings.isna().to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        msg = _("Rating {value} of {item} (observation {n}) is not a number.").format(
            value=repr(frame[list(found.values())[col]].iloc[row]),
            item=list(found)[col],
            n=row + 1,
        )
        raise InputError(msg)
    lo, hi = scale if scale is not None else _scale(ratings)
    if not hi > lo:
        msg = _("scale must be (lowest, highest) with highest > lowest, got {scale}.").format(
            scale=repr(scale)
        )
        raise InputError(msg)
    outside = (ratings < lo) | (ratings > hi)
    if outside.to_numpy().any():
        item = outside.any().idxmax()
        msg = _(
            "{item} ratings lie outside the scale {low}-{high}; pass scale=(lowest, highest)."
        ).format(item=item, low=f"{lo:g}", high=f"{hi:g}")
        raise InputError(msg)
    out = frame.drop(columns=list(found.values()))
    for item in found:
        out[f"{item}_rating"] = ratings[item]
        out[item] = (ratings[item] - lo) / (hi - lo) * 100.0
    out.index = pd.RangeIndex(len(out), name="observation")
    out.attrs["scale"] = (lo, hi)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)


def _join(segments: gpd.GeoDataFrame, observations: gpd.GeoDataFrame, distance: float):
    """Pairs (observation position, segment position) of segments each observation rates."""
    geoms = segments.geometry.to_numpy()
    obs = observations.geometry.to_numpy()
    points = shapely.get_type_id(obs) == 0
    pairs_o, pairs_s = [], []
    if points.any():
        tree = shapely.STRtree(geoms)
        where = np.flatnonzero(points)
        o_i, s_i = tree.query_nearest(obs[points], max_distance=distance, all_matches=False)
        pairs_o.append(where[o_i])
        pairs_s.append(s_i)
    if (~points).any():
        # a walked line rates the segments whose middle lies along it
        mids = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
        tree = shapely.STRtree(mids)
        where = np.flatnonzero(~points)
        o_i, s_i = tree.query(obs[~points], predicate="dwithin", distance=distance)
        pairs_o.append(where[o_i])
        pairs_s.append(s_i)
    return np.concatenate(pairs_o or [np.empty(0, int)]), np.concatenate(
        pairs_s or [np.empty(0, int)]
    )


def agreement(
    audit: Audit, observations: gpd.GeoDataFrame, *, distance: float | None = None
) -> gpd.GeoDataFrame:
    """
    Join observations to the audited segments and compare each rated item with its score.

    Each rated item is compared with the score of :data:`cpted.settings.FIELD_AUDIT_SCORES`
    (lighting with ``lighting_score``, openness with ``sightlines_score``, ...; items the
    map cannot measure, such as the walk path's surface, are kept but not compared). A point
    rates the nearest segment within ``distance``; a walked line rates the segments whose
    middle lies within ``distance`` of it (their length-weighted mean score).

    Parameters
    ----------
    audit
        The audit.
    observations
        From :func:`observations_from_file`.
    distance
        Join distance, metres (default :data:`cpted.settings.FIELD_AUDIT_DISTANCE`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per observation and rated item: ``observation``, ``item``, ``observed``
        (0-100), ``score`` (the column compared), ``computed`` (0-100), ``difference``
        (computed - observed), ``agreement`` (``"agree"`` within
        :data:`cpted.settings.FIELD_AUDIT_AGREEMENT` points, ``"map higher"``,
        ``"map lower"``, ``"not compared"`` or ``"no segment"``), ``segments`` (the joined
        segment ids as text); geometry of the observation, in the audit's CRS.
        The result is also kept as ``audit.layers["field_agreement"]``, so
        :meth:`cpted.Audit.save` writes it and the report shows it.
    """
    distance = settings.FIELD_AUDIT_DISTANCE if distance is None else float(distance)
    if not np.isfinite(distance) or distance <= 0:
        msg = _("distance must be a positive number of metres, got {distance}.").format(
            distance=repr(distance)
        )
        raise InputError(msg)
    items = [i for i in RUBRIC if i in observations.columns]
    if not items:
        msg = _("The observations hold no rated item; read them with observations_from_file().")
        raise InputError(msg)
    obs = observations.to_crs(audit.segments.crs)
    segments = audit.segments
    o_pos, s_pos = _join(segments, obs, distance)
    length = segments["length"].to_numpy(dtype=float)
    rows = []
    ids = segments.index.to_numpy()
    for k in range(len(obs)):
        mine = s_pos[o_pos == k]
        joined = "; ".join(str(ids[s]) for s in mine)
        for item in items:
            observed = float(obs[item].iloc[k])
            if not np.isfinite(observed):
                continue
            column = settings.FIELD_AUDIT_SCORES.get(item)
            computed = np.nan
            if column and column in segments and len(mine):
                values = pd.to_numeric(segments[column].iloc[mine], errors="coerce").to_numpy()
                weights = length[mine] * np.isfinite(values)
                if weights.sum() > 0:
                    computed = float(np.nansum(values * weights) / weights.sum())
            if not len(mine):
                verdict = "no segment"
            elif not column or column not in segments or not np.isfinite(computed):
                verdict = "not compared"
            elif abs(computed - observed) <= settings.FIELD_AUDIT_AGREEMENT:
                verdict = "agree"
            else:
                verdict = "map higher" if computed > observed else "map lower"
            rows.append(
                {
                    "observation": obs.index[k],
                    "item": item,
                    "observed": observed,
                    "score": column or "",
                    "computed": computed,
                    "difference": computed - observed,
                    "agreement": verdict,
                    "segments": joined,
                    "geometry": obs.geometry.iloc[k],
                }
            )
    columns = [
        "observation", "item", "observed", "score", "computed", "difference", "agreement",
        "segments", "geometry",
    ]  # fmt: skip
    out = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=columns), geometry="geometry", crs=segments.crs
    )
    out.index.name = "rating"
    audit.layers["field_agreement"] = out
    return out


def agreement_summary(table: gpd.GeoDataFrame) -> pd.DataFrame:
    """
    Agreement of observation and computation, item by item.

    Parameters
    ----------
    table
        From :func:`agreement`.

    Returns
    -------
    pandas.DataFrame
        Indexed by item: ``compared`` (ratings set beside a score), ``agree``,
        ``map_higher``, ``map_lower``, ``agree_share``, ``mean_observed``,
        ``mean_computed``, ``mean_abs_difference`` and ``spearman`` (rank correlation of
        observed and computed, NaN below 3 comparisons or without spread).
    """
    from scipy.stats import spearmanr

    rows = {}
    for item, group in table.groupby("item", sort=False):
        compared = group[group["agreement"].isin(["agree", "map higher", "map lower"])]
        n = len(compared)
        rho = np.nan
        if n >= 3 and compared["observed"].nunique() > 1 and compared["computed"].nunique() > 1:
            rho = float(spearmanr(compared["observed"], compared["computed"]).statistic)
        rows[item] = {
            "compared": n,
            "agree": int((compared["agreement"] == "agree").sum()),
            "map_higher": int((compared["agreement"] == "map higher").sum()),
            "map_lower": int((compared["agreement"] == "map lower").sum()),
            "agree_share": round((compared["agreement"] == "agree").mean(), 3) if n else np.nan,
            "mean_observed": round(float(group["observed"].mean()), 1),
            "mean_computed": round(float(compared["computed"].mean()), 1) if n else np.nan,
            "mean_abs_difference": round(float(compared["difference"].abs().mean()), 1)
            if n
            else np.nan,
            "spearman": round(rho, 3) if np.isfinite(rho) else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


#: The verdicts of :func:`agreement` in a planner's words (the table keeps the English
#: keys; the map shows these, in the current language).
VERDICTS = {
    "agree": N_("agree"),
    "map higher": N_("map higher"),
    "map lower": N_("map lower"),
    "not compared": N_("not compared"),
    "no segment": N_("no segment"),
}

#: The rated items in a planner's words.
ITEMS = {
    "lighting": N_("lighting"),
    "openness": N_("openness"),
    "visibility": N_("visibility"),
    "people": N_("people"),
    "security": N_("security"),
    "walk_path": N_("walk path"),
    "transport": N_("public transport"),
    "feeling": N_("feeling"),
}

#: Colours of the agreement layer.
AGREEMENT_COLOURS = {
    "agree": "#1a9850",
    "map higher": "#d73027",
    "map lower": "#4575b4",
    "not compared": "#9e9e9e",
    "no segment": "#000000",
}


def agreement_map(
    audit: Audit, table: gpd.GeoDataFrame | None = None, *, language: str | None = None
) -> CptedMap:
    """
    Draw the audit map with the observations coloured by agreement, one layer per item.

    Parameters
    ----------
    audit
        The audit.
    table
        From :func:`agreement` (default ``audit.layers["field_agreement"]``).
    language
        The language of the map's words (default the current one, see
        :func:`cpted.maps.audit_map`).

    Returns
    -------
    cpted.maps.CptedMap
    """
    if table is None:
        table = audit.layers.get("field_agreement")
    if table is None:
        msg = _("No field observations joined yet; call audit.compare_observations(...) first.")
        raise InputError(msg)
    with use(language):
        return _agreement_map(audit, table)


def _agreement_map(audit: Audit, table: gpd.GeoDataFrame) -> CptedMap:
    from cpted.maps import LayerList, _audit_layers, add_geojson_layer
    from cpted.maps._words import say

    verdicts = {k: _(v) for k, v in VERDICTS.items()}
    colours = {verdicts.get(k, k): c for k, c in AGREEMENT_COLOURS.items()}
    # the walk layers join the audit's before the layer control is drawn, so it lists them
    m = _audit_layers(audit)
    for item, group in table.groupby("item", sort=False):
        word = _(ITEMS[item]) if item in ITEMS else str(item).replace("_", " ")
        shown = group.assign(
            item=word, agreement=group["agreement"].map(lambda v: verdicts.get(v, v))
        )
        add_geojson_layer(
            m,
            shown,
            _("Walk audit: {item}").format(item=word),
            fields=["item", "observed", "computed", "difference", "agreement", "segments"],
            aliases=[
                _("item"),
                _("observed (0-100)"),
                _("computed (0-100)"),
                _("map − walk"),
                _("verdict"),
                _("segments"),
            ],
            style=lambda f: {
                "color": colours.get(f["properties"].get("agreement"), "#9e9e9e"),
                "fillColor": colours.get(f["properties"].get("agreement"), "#9e9e9e"),
                "weight": 4,
            },
            radius=6,
            show=item == table["item"].iloc[0],
            legend=[(c, k) for k, c in colours.items()],
            legend_note=_("agree: within {points} points").format(
                points=say(settings.FIELD_AUDIT_AGREEMENT)
            ),
        )
    LayerList().add_to(m)
    return m
