"""Why a segment or site scored as it did, and what a planner could change.

Each principle score is a weighted mean of the parts in the registry
(:mod:`cpted._principle`); :func:`losses` reads the points each part lost from the same
parts, so they add up exactly to ``100 - <principle>_score``; :func:`recommendations`
turns the measures into rule-based advice with its reason. Both read only the audit's
columns, so they work on any table that has them and skip what is missing.

Every sentence is written in the current language (:mod:`cpted._i18n`): the audit writes
its text columns in the language it runs in, and :meth:`cpted.Audit.save`, ``report``
and ``to_map`` write them again in the language asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from cpted import _format, settings
from cpted._i18n import N_, _, n_
from cpted._principle import PRINCIPLES, SCORED
from cpted._principle import losses as _losses

__all__ = [
    "Explanation",
    "Recommendation",
    "data_gaps",
    "explanation_columns",
    "losses",
    "recommendations",
]


def _principle_words(name: str) -> str:
    """Name a principle in a sentence, in the current language (its registry ``words``)."""
    principle = PRINCIPLES.get(name)
    return _(principle.words) if principle is not None and principle.words else name


#: How a sentence names the two kinds of place.
_KIND_WORDS = {"segment": N_("segment"), "site": N_("site")}


def _n0(value: float) -> str:
    """Write a whole number for a sentence, ungrouped, in the language's notation."""
    return _format.number(value, 0, group=False)


@dataclass
class Recommendation:
    """One rule-based recommendation: what to do, why, and the principle it serves."""

    principle: str
    action: str
    reason: str
    points: float = 0.0

    def __str__(self) -> str:
        # '; ' separates recommendations in the text columns, so none may hold it
        text = f"{self.action} ({self.reason})"
        return text.replace(" ; ", ", ").replace("; ", ", ")  # French spaces its semicolon


@dataclass
class Explanation:
    """
    Why one segment or site scored as it did (see :meth:`cpted.Audit.explain`).

    Attributes
    ----------
    kind
        ``"segment"`` or ``"site"``.
    id
        Its index in ``audit.segments`` or ``audit.sites``.
    name
        Its name in the data (street or site name), or ``""``.
    score, confidence
        ``cpted_score`` (0-100) and ``cpted_confidence`` (0-1).
    principles
        One row per principle: its score, confidence, weight and the points of the
        combined score it lost.
    measures
        One row per scoring part that lost points: principle, measure, points lost within
        the principle and in the combined score, and what was measured.
    recommendations
        What a planner could change, most points at stake first.
    """

    kind: str
    id: Any
    name: str
    score: float
    confidence: float
    principles: pd.DataFrame
    measures: pd.DataFrame
    recommendations: list[Recommendation] = field(default_factory=list)

    def __str__(self) -> str:
        kind = _(_KIND_WORDS.get(self.kind, self.kind))
        title = f"{kind} {self.id}" + (f" ({self.name})" if self.name else "")
        lines = [
            _("{title}: CPTED score {score} of 100, confidence {confidence}").format(
                title=title, score=_fmt(self.score), confidence=_fmt_share(self.confidence)
            )
        ]
        line = _("  - {principle}: {measure} lost {points} points ({detail})")
        for row in self.measures.itertuples():
            lines.append(
                line.format(
                    principle=row.principle,
                    measure=row.measure,
                    points=_format.number(row.points_cpted, 1, group=False),
                    detail=row.detail,
                )
            )
        if self.recommendations:
            lines.append(_("Recommendations:"))
            lines += [f"  - {r}" for r in self.recommendations]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        items = "".join(
            f"<li><b>{html.escape(r.action)}</b> — {html.escape(r.reason)}</li>"
            for r in self.recommendations
        )
        measures = "".join(
            f"<tr><td>{html.escape(str(r.principle))}</td><td>{html.escape(str(r.measure))}</td>"
            f"<td>{html.escape(_format.number(r.points_cpted, 1, group=False))}</td>"
            f"<td>{html.escape(str(r.detail))}</td></tr>"
            for r in self.measures.itertuples()
        )
        heads = "".join(
            f"<th>{html.escape(_(h))}</th>"
            for h in (N_("principle"), N_("measure"), N_("points lost"), N_("why"))
        )
        kind = _(_KIND_WORDS.get(self.kind, self.kind))
        score = _("CPTED score {score}").format(score=_fmt(self.score))
        return (
            f"<div><b>{html.escape(kind)} {html.escape(str(self.id))}</b> "
            f"{html.escape(self.name)}: {html.escape(score)}"
            f"<table><tr>{heads}</tr>"
            f"{measures}</table><ul>{items}</ul></div>"
        )


def _lx(value: float) -> str:
    """Illuminance without its unit, by the report's rounding rule (:func:`_format.lux`)."""
    return _format.lux(value, unit=False)


def _fmt(value: float) -> str:
    return _format.score(value)


def _fmt_share(value: float) -> str:
    return _format.share(value)


def _num(table: pd.DataFrame, column: str, default: float = np.nan) -> np.ndarray:
    if column not in table.columns:
        return np.full(len(table), default, dtype=float)
    return pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)


def _col(table: pd.DataFrame, column: str, default: Any = None) -> np.ndarray:
    if column not in table.columns:
        return np.full(len(table), default, dtype=object)
    return table[column].to_numpy(dtype=object)


def _night(t: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, bool]:
    """Share of the night times with a use open nearby, the count of such uses, any column."""
    cols = [c for c in t.columns if c.startswith("uses_open_")]
    if not cols:
        return np.zeros(len(t)), np.full(len(t), np.nan), False
    stack = np.vstack([np.nan_to_num(_num(t, c, 0)) for c in cols])
    return (stack > 0).mean(axis=0), stack.sum(axis=0), True


def _short(value: np.ndarray, ref: float) -> np.ndarray:
    """1 - min(1, value / ref), 0 for NaN values (a part that was not measured)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(1.0 - np.clip(value / ref, 0.0, 1.0), nan=0.0)


# --------------------------------------------------------------------------------------
# Points lost by each part of each principle: from the registry, never re-derived here
# --------------------------------------------------------------------------------------

#: (principle, part) -> a human label of the measure behind it (English; ``_()`` shows it).
MEASURE_LABELS = {
    (name, part.name): part.label
    for name, principle in PRINCIPLES.items()
    for kind in ("segment", "site")
    for part in principle.parts(kind)
}


def losses(table: pd.DataFrame, *, kind: str, weights: dict[str, float]) -> pd.DataFrame:
    """
    Points each scoring part lost, per row of ``table`` (see :func:`cpted._principle.losses`).

    The parts are those the principle scores are computed from, so the points lost by the
    parts of a principle add up exactly to ``100 - <principle>_score``.
    """
    return _losses(table, kind=kind, weights=weights)


# --------------------------------------------------------------------------------------
# Recommendations
# --------------------------------------------------------------------------------------

_COMPASS = (
    N_("north"),
    N_("north-east"),
    N_("east"),
    N_("south-east"),
    N_("south"),
    N_("south-west"),
    N_("west"),
    N_("north-west"),
)


def _compass(dx: float, dy: float) -> str:
    bearing = (np.degrees(np.arctan2(dx, dy)) + 360.0) % 360.0
    return _(_COMPASS[int((bearing + 22.5) // 45) % 8])


#: The barriers that hide people, in words (OSM ``barrier=*``).
_BARRIER_WORDS = {
    "wall": N_("wall"), "city_wall": N_("city wall"), "hedge": N_("hedge"),
    "fence": N_("fence"), "retaining_wall": N_("retaining wall"), "railing": N_("railing"),
    "guard_rail": N_("guard rail"), "gate": N_("gate"), "block": N_("block"),
    "jersey_barrier": N_("jersey barrier"), "planter": N_("planter"),
    "noise_barrier": N_("noise barrier"),
}  # fmt: skip


def _nearest_features(
    lines: Any, features: Any, distance: float
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """
    Longest feature within ``distance`` of each line: its length near the line and side.

    The pieces of the features near the lines are cut :data:`cpted.settings.EXPLAIN_CHUNK_ROWS`
    pairs at a time and only their lengths and centres kept, so a city's zones and pieces
    are never all held at once.
    """
    n = len(lines)
    length = np.zeros(n)
    side = [""] * n
    kind = np.full(n, "", dtype=object)
    if features is None or not len(features) or not n:
        return length, kind, side
    geoms = lines.geometry.to_numpy()
    fgeoms = features.geometry.to_numpy()
    tree = shapely.STRtree(fgeoms)
    li, fi = tree.query(geoms, predicate="dwithin", distance=distance)
    if not len(li):
        return length, kind, side
    outlines = _polygonal(fgeoms[fi])
    along = np.empty(len(li))
    centre_x, centre_y = np.empty(len(li)), np.empty(len(li))
    step = _chunk_rows()
    for start in range(0, len(li), step):
        pairs = slice(start, start + step)
        zones = shapely.buffer(geoms[li[pairs]], distance, cap_style="flat")
        near = fgeoms[fi[pairs]]
        pieces = shapely.intersection(shapely.boundary(near) if outlines else near, zones)
        along[pairs] = shapely.length(pieces)
        centres = shapely.centroid(pieces)
        found = ~shapely.is_empty(centres)  # an empty piece has no centre, nor length
        x, y = np.full(len(centres), np.nan), np.full(len(centres), np.nan)
        x[found], y[found] = shapely.get_x(centres[found]), shapely.get_y(centres[found])
        centre_x[pairs], centre_y[pairs] = x, y
    best: dict[int, int] = {}
    for k in np.argsort(-along):
        best.setdefault(int(li[k]), int(k))
    kinds = features.iloc[:, 0].astype(str).to_numpy() if features.shape[1] > 1 else None
    for row, k in best.items():
        if along[k] <= 0:
            continue
        length[row] = along[k]
        mid = shapely.line_interpolate_point(geoms[row], 0.5, normalized=True)
        side[row] = _compass(centre_x[k] - mid.x, centre_y[k] - mid.y)
        if kinds is not None:
            tag = str(kinds[fi[k]])
            kind[row] = _(_BARRIER_WORDS[tag]) if tag in _BARRIER_WORDS else tag.replace("_", " ")
    return length, kind, side


def _polygonal(geoms: np.ndarray) -> bool:
    return bool(len(geoms)) and bool(np.isin(shapely.get_type_id(geoms), [3, 6]).all())


def recommendations(
    table: pd.DataFrame,
    *,
    kind: str,
    area: Any = None,
    lost: pd.DataFrame | None = None,
    layers: dict[str, Any] | None = None,
) -> list[list[Recommendation]]:
    """
    Rule-based recommendations for every row of ``table``, most points at stake first.

    Advice follows the loss: a piece of design advice is kept only where the score parts it
    would improve lost at least :data:`cpted.settings.RECOMMEND_MIN_POINTS` points of the
    combined score, and its principle scores below
    :data:`cpted.settings.RECOMMEND_BELOW_SCORE`; of those, the
    :data:`cpted.settings.RECOMMENDATIONS_PER_ROW` that would win most points are given.
    Vulnerability advice and the advice on hiding places beside a path
    (``"concealment"``) are always given. Data gaps are advised once for the whole area
    (:func:`data_gaps`).

    Parameters
    ----------
    table
        ``audit.segments`` or ``audit.sites``.
    kind
        ``"segment"`` or ``"site"``.
    area
        The StudyArea, to name the walls, hedges and blank buildings beside a segment.
    lost
        The :func:`losses` of ``table`` (points at stake per principle).
    layers
        The audit's layers (``concealment_spots`` names hiding places beside a path).

    Returns
    -------
    list of list of Recommendation
        One list per row, in the order of ``table``.
    """
    beside = _beside(table, area) if kind == "segment" else None
    hiding = _hiding_places((layers or {}).get("concealment_spots"))
    return _recommend(table, kind=kind, lost=lost, beside=beside, hiding=hiding)


#: What :func:`_beside` finds beside each segment: (length, kind, side) of the longest
#: opaque barrier and of the longest blank building.
Beside = dict[str, tuple[np.ndarray, np.ndarray, list[str]]]


def _recommend(
    table: pd.DataFrame,
    *,
    kind: str,
    lost: pd.DataFrame | None,
    beside: Beside | None,
    hiding: pd.DataFrame | None,
) -> list[list[Recommendation]]:
    """:func:`recommendations` from what is found beside the rows (rows of ``table`` only)."""
    n = len(table)
    by_principle: dict[tuple[Any, str], float] = {}
    by_part: dict[tuple[Any, str, str], float] = {}
    if lost is not None and len(lost):
        grouped = lost.groupby(["row", "principle"])["points_cpted"].sum()
        by_principle = {k: float(v) for k, v in grouped.items()}
        parts = lost.groupby(["row", "principle", "part"])["points_cpted"].sum()
        by_part = {k: float(v) for k, v in parts.items()}
    out: list[list[Recommendation]] = [[] for _ in range(n)]
    index = list(table.index)

    def add(
        i: int, principle: str, action: str, reason: str, parts: tuple[str, ...] | None = None
    ) -> None:
        # the points at stake: what the parts this advice would improve lost (``parts``,
        # the score parts of the principle it serves; None: the whole principle)
        # hiding places are not in a score; they weigh as what the view around lost
        scored = "sightlines" if principle == "concealment" else principle
        if parts is None:
            points = by_principle.get((index[i], scored), 0.0)
        else:
            points = sum(by_part.get((index[i], scored, p), 0.0) for p in parts)
        out[i].append(Recommendation(principle, action, reason, points))

    _lighting_advice(table, add, kind)
    if kind == "segment":
        _segment_advice(table, add, beside)
        _concealment_advice(table, add, hiding)
    else:
        _site_advice(table, add)
    # advice on a principle that already scores well would drown the advice that matters
    good = {p: _num(table, f"{p}_score") >= settings.RECOMMEND_BELOW_SCORE for p in SCORED}
    keep = settings.RECOMMENDATIONS_PER_ROW
    least = settings.RECOMMEND_MIN_POINTS
    for i, recs in enumerate(out):
        design = [
            r
            for r in recs
            if r.principle in good and not good[r.principle][i] and r.points >= least
        ]
        other = [r for r in recs if r.principle not in good]
        design.sort(key=lambda r: -r.points)
        recs[:] = sorted(design[:keep] + other, key=lambda r: -r.points)
    return out


def _lighting_advice(table: pd.DataFrame, add: Any, kind: str) -> None:
    """
    Lighting advice where the measured light falls short of the class the place needs.

    Estimated lighting (lamps not mapped) gets no advice of its own: the area's data gaps
    are one recommendation of the audit (:func:`data_gaps`), not a sentence on every
    street. A street tagged lit is never told it is dark.
    """
    if "lighting_score" not in table:
        return
    basis = _col(table, "lighting_basis", "measured")
    lit = _col(table, "lit", "unknown")
    required = _col(table, "p_class_required", "P4")
    mean = _num(table, "lux_mean")
    low = _num(table, "lux_min")
    met = _col(table, "p_class_met", "")
    street = kind == "segment"
    if street:
        dark = (
            _("Light this street: it is dark after nightfall"),
            _(
                "the street gets {mean} lx on average and {low} lx at its darkest, where "
                "{place} needs {need_mean} lx on average and {need_low} lx everywhere "
                "(EN 13201-2, class {p_class})"
            ),
        )
        raise_ = _(
            "the street gets {mean} lx on average where {place} needs {need_mean} lx "
            "(EN 13201-2, class {p_class})"
        )
    else:
        dark = (
            _("Light this space: it is dark after nightfall"),
            _(
                "the space gets {mean} lx on average and {low} lx at its darkest, where "
                "{place} needs {need_mean} lx on average and {need_low} lx everywhere "
                "(EN 13201-2, class {p_class})"
            ),
        )
        raise_ = _(
            "the space gets {mean} lx on average where {place} needs {need_mean} lx "
            "(EN 13201-2, class {p_class})"
        )
    gaps = _(
        "the darkest point gets {low} lx, where {place} needs at least {need_low} lx "
        "(EN 13201-2, class {p_class}); the average is {mean} lx"
    )
    what = _col(table, "highway" if kind == "segment" else "category", "")
    classes = settings.P_CLASSES
    for i in range(len(table)):
        if basis[i] not in ("measured", "unlit"):
            continue
        req = str(required[i])
        avg_req, low_req = classes.get(req, classes["P4"])
        if not (mean[i] < avg_req or low[i] < low_req):
            continue
        figures = {
            "mean": _lx(mean[i]),
            "low": _lx(low[i]),
            "place": _a_place(what[i], kind),
            "need_mean": _format.general(avg_req),
            "need_low": _format.general(low_req),
            "p_class": req,
        }
        tagged_lit = str(lit[i]) in ("yes", "limited")
        if not tagged_lit and (basis[i] == "unlit" or mean[i] < 0.05):
            add(i, "lighting", dark[0], dark[1].format(**figures), ("average", "minimum"))
        elif low[i] < low_req:
            add(
                i,
                "lighting",
                _("Fill the dark gaps between the lamps"),
                gaps.format(**figures),
                ("minimum",),
            )
        else:
            best = str(met[i] or "")
            reached = _("; it reaches class {p_class}").format(p_class=best)
            add(
                i,
                "lighting",
                _("Raise the light level"),
                raise_.format(**figures) + (reached if best.startswith("P") else ""),
                ("average",),
            )


#: How advice names a street by its ``highway`` class, article and all.
_STREET_WORDS = {
    "trunk": N_("a main road"), "primary": N_("a main street"),
    "secondary": N_("a main street"), "tertiary": N_("a local distributor street"),
    "unclassified": N_("a minor street"), "residential": N_("a residential street"),
    "living_street": N_("a living street"), "pedestrian": N_("a pedestrian street"),
    "footway": N_("a footway"), "sidewalk": N_("a pavement"), "crossing": N_("a crossing"),
    "steps": N_("a flight of steps"), "corridor": N_("a passage"),
    "cycleway": N_("a cycleway"), "service": N_("a service road"), "path": N_("a path"),
    "bridleway": N_("a bridleway"), "track": N_("a track"),
    "place_of_worship": N_("a place of worship"),
}  # fmt: skip

#: How advice names a public space by its category (``settings.SITE_CATEGORIES``).
_SPACE_WORDS = {
    "school": N_("a school"), "kindergarten": N_("a kindergarten"),
    "station": N_("a station"), "marketplace": N_("a marketplace"), "mall": N_("a mall"),
    "stadium": N_("a stadium"), "square": N_("a square"), "playground": N_("a playground"),
    "park": N_("a park"),
}  # fmt: skip

#: A public space's category as a bare noun, for "the school perimeter".
_SPACE_NOUNS = {
    "school": N_("school"), "kindergarten": N_("kindergarten"), "station": N_("station"),
    "marketplace": N_("marketplace"), "mall": N_("mall"), "stadium": N_("stadium"),
    "square": N_("square"), "playground": N_("playground"), "park": N_("park"),
    "pedestrian": N_("pedestrian"), "place_of_worship": N_("place of worship"),
}  # fmt: skip


def _a_place(what: Any, kind: str) -> str:
    """Name the place as the advice does: ``a residential street``, ``a park``."""
    if what is None or str(what) in ("", "nan", "None"):
        return _("a street") if kind == "segment" else _("a public space")
    key = str(what)
    if key in _STREET_WORDS:
        return _(_STREET_WORDS[key])
    if kind != "segment" and key in _SPACE_WORDS:
        return _(_SPACE_WORDS[key])
    words = key.replace("_", " ")
    vowel = words[:1] in "aeiou"
    if kind == "segment":
        return (_("an {kind} street") if vowel else _("a {kind} street")).format(kind=words)
    return (_("an {kind}") if vowel else _("a {kind}")).format(kind=words)


def _space_noun(category: Any) -> str:
    key = str(category)
    return _(_SPACE_NOUNS[key]) if key in _SPACE_NOUNS else key.replace("_", " ")


def _beside(table: pd.DataFrame, area: Any) -> Beside:
    """
    Find the walls, hedges and fences that hide people, and blank buildings, beside each row.

    Found once for the whole table, whose explanations are then written chunk by chunk
    (:func:`_rows_of` hands each chunk its rows): each layer's tree is built once, and
    whether the outlines of the features are measured (when every feature found is a
    polygon) is decided over all that the table's rows found, whatever the chunk size.
    """
    found: Beside = {}
    if area is None or "geometry" not in table:
        return found
    barriers = getattr(area, "barriers", None)
    if barriers is not None and len(barriers) and "opaque" in barriers:
        opaque = barriers[barriers["opaque"].astype(bool) & (barriers.geom_type != "Point")]
        found["screen"] = _nearest_features(
            table, opaque[["barrier", "geometry"]], settings.ACCESS_EDGE_WALK_DISTANCE
        )
    buildings = getattr(area, "buildings", None)
    if buildings is not None and len(buildings) and "building" in buildings:
        blank = buildings[buildings["building"].isin(list(settings.BLANK_BUILDINGS))]
        found["blank"] = _nearest_features(
            table, blank[["building", "geometry"]], settings.FRONTAGE_DISTANCE / 2
        )
    return found


def _rows_of(beside: Beside | None, rows: slice) -> Beside | None:
    """Keep what ``beside`` says about ``rows`` of its table."""
    if beside is None:
        return None
    return {k: (a[rows], b[rows], c[rows]) for k, (a, b, c) in beside.items()}


def _segment_advice(table: pd.DataFrame, add: Any, found: Beside | None) -> None:
    n = len(table)
    length = _num(table, "length", 0)
    # the walls, hedges and fences that hide people, and blank buildings, beside each segment
    nothing = (np.zeros(n), np.full(n, "", dtype=object), [""] * n)
    screen_len, screen_kind, screen_side = (found or {}).get("screen", nothing)
    blank_len, _kinds, blank_side = (found or {}).get("blank", nothing)
    ahead = _num(table, "sightline_min_m")
    share = _num(table, "visible_share_25")
    far = settings.SIGHTLINE_RECOGNITION_DISTANCE
    frontage = (
        _num(table, "overlooked_left", np.nan) + _num(table, "overlooked_right", np.nan)
    ) / 2
    blank_share = _num(table, "blank_wall_share", 0)
    beside = _num(table, "frontage_buildings", 0)
    _share, night_any, night_cols = _night(table)
    doors = _num(table, "entrances_per_100m")
    dead = _col(table, "dead_end", False).astype(bool)
    depth = _num(table, "dead_end_depth_m", 0)
    alley = _col(table, "alley", False).astype(bool)
    ratio = _num(table, "link_node_ratio_400")
    times = _(" or ").join(settings.NIGHT_TIMES)
    pct = _format.share
    for i in range(n):
        if np.isfinite(ahead[i]) and ahead[i] < far / 2:
            add(
                i,
                "sightlines",
                _("Open up the view ahead (corner, recess or planting)"),
                _(
                    "a walker sees only {ahead} m ahead; {reference} m lets them recognise "
                    "who comes (Gehl 2010)"
                ).format(ahead=_n0(ahead[i]), reference=_n0(far)),
                ("ahead",),
            )
        if (
            screen_len[i] >= 5
            and np.isfinite(share[i])
            and share[i] < settings.SIGHTLINE_SHARE_REFERENCE
        ):
            add(
                i,
                "sightlines",
                _("Trim or replace the {length} m {barrier} on the {side} side").format(
                    length=_n0(screen_len[i]), barrier=screen_kind[i], side=screen_side[i]
                ),
                _(
                    "it hides people from the path; {share} of the surroundings within 25 m "
                    "is visible"
                ).format(share=pct(share[i])),
                ("around",),
            )
        if "surveillance_score" in table:
            wall = max(blank_len[i], blank_share[i] * length[i])
            if wall >= 10 and blank_share[i] > 0.2:
                action = (
                    _("Open up the {length} m blank wall on the {side} side")
                    if blank_side[i]
                    else _("Open up the {length} m blank wall")
                )
                add(
                    i,
                    "surveillance",
                    action.format(length=_n0(wall), side=blank_side[i]),
                    _(
                        "windows, doors or an active ground floor would overlook the street "
                        "({share} of its sides are blank walls)"
                    ).format(share=pct(blank_share[i])),
                    ("frontage",),
                )
            elif np.isfinite(frontage[i]) and frontage[i] < 0.3 and beside[i] > 0:
                # buildings stand beside it but turn their backs or blank sides to it
                add(
                    i,
                    "surveillance",
                    _("Bring windows and doors to face the street"),
                    _("only {share} of it is overlooked by the buildings within 25 m").format(
                        share=pct(frontage[i])
                    ),
                    ("frontage",),
                )
            elif np.isfinite(frontage[i]) and frontage[i] < 0.3:
                # nothing is built beside it (a path through a park, a street between yards):
                # windows cannot be moved there, an active edge can be added
                add(
                    i,
                    "surveillance",
                    _(
                        "Give this open stretch an active edge (kiosk, café terrace, homes "
                        "facing it) or lead evening walks along overlooked streets"
                    ),
                    _("no building within 25 m overlooks it (Jacobs 1961)"),
                    ("frontage",),
                )
            if np.isfinite(doors[i]) and doors[i] < 2 and frontage[i] >= 0.3:
                add(
                    i,
                    "surveillance",
                    _("Add entrances onto the street"),
                    _(
                        "{doors} doors per 100 m; a friendly frontage has {reference} "
                        "(Gehl et al. 2006)"
                    ).format(
                        doors=_format.number(doors[i], 1, group=False),
                        reference=_n0(settings.DOORS_PER_100M_REFERENCE),
                    ),
                    ("entrances",),
                )
            # an evening use needs a ground floor to open in: only along built frontage
            if night_cols and night_any[i] == 0 and frontage[i] >= 0.3:
                add(
                    i,
                    "surveillance",
                    _("Consider an evening use nearby (kiosk, café, late shop)"),
                    _("no use within 25 m is open at {times}").format(times=times),
                    ("night",),
                )
        if dead[i] and depth[i] >= settings.ACCESS_DEAD_END_DEPTH / 2:
            add(
                i,
                "access",
                _("Open a through connection at the dead end, or make it visible from the street"),
                _(
                    "the path ends {depth} m from the nearest junction with a single way out "
                    "(Secured by Design)"
                ).format(depth=_n0(depth[i])),
                ("escape",),
            )
        if alley[i]:
            add(
                i,
                "access",
                _("Gate the alley or open it to overlooking frontage"),
                _(
                    "a narrow passage between blank walls or back fences (Secured by Design: "
                    "rear alleys give burglars access)"
                ),
                ("openness",),
            )
        if np.isfinite(ratio[i]) and ratio[i] < settings.ACCESS_LINK_NODE_RATIO_POOR + 0.1:
            add(
                i,
                "access",
                _("Connect the surrounding network (new links, fewer cul-de-sacs)"),
                _(
                    "link–node ratio {ratio} within 400 m; {reference} is well connected "
                    "(Ewing 1996)"
                ).format(
                    ratio=_format.number(ratio[i], 2, group=False),
                    reference=_format.general(settings.ACCESS_LINK_NODE_RATIO_GOOD),
                ),
                ("permeability",),
            )


def _hiding_places(spots: Any) -> pd.DataFrame | None:
    """Count the hiding places of the sightlines module's ``concealment_spots`` per segment."""
    if spots is None or not len(spots) or "segment" not in spots:
        return None
    area_m2 = pd.to_numeric(spots.get("area_m2", pd.Series(np.nan, index=spots.index)))
    both = spots.get("hidden_both_ways", pd.Series(False, index=spots.index)).astype(bool)
    grouped = pd.DataFrame({"segment": spots["segment"], "area": area_m2, "both": both})
    return grouped.groupby("segment").agg(
        n=("area", "size"), largest=("area", "max"), both=("both", "sum")
    )


def _concealment_advice(table: pd.DataFrame, add: Any, summary: pd.DataFrame | None) -> None:
    """Hiding places beside a path, from their count per segment (:func:`_hiding_places`)."""
    if summary is None:
        return
    summary = summary[summary.index.isin(table.index)]  # this table's (or chunk's) rows
    approach = getattr(settings, "CONCEALMENT_APPROACH", 4.0)
    position = {key: i for i, key in enumerate(table.index)}
    for key, row in summary.iterrows():
        i = position.get(key)
        if i is None:
            continue
        count = int(row["n"])
        reason = (
            _(
                "someone could wait there unseen until a walker is within {distance} m, "
                "{both} hidden from both directions (Caminada & van Bommel 1980)"
            )
            if row["both"]
            else _(
                "someone could wait there unseen until a walker is within {distance} m "
                "(Caminada & van Bommel 1980)"
            )
        )
        add(
            i,
            "concealment",
            n_(
                "Remove, open up or light the {n} hiding place beside the path "
                "(largest {largest} m²)",
                "Remove, open up or light the {n} hiding places beside the path "
                "(largest {largest} m²)",
                count,
            ).format(n=count, largest=_n0(row["largest"])),
            reason.format(distance=_format.general(approach), both=int(row["both"])),
            ("around",),
        )


def _site_advice(table: pd.DataFrame, add: Any) -> None:
    n = len(table)
    category = _col(table, "category", "site")
    controlled = np.isin(category, list(settings.ACCESS_CONTROLLED_CATEGORIES))
    gaps = _num(table, "gaps_n", 0)
    gap_max = _num(table, "gap_max_m", 0)
    exits = _num(table, "exits_n", np.nan)
    walk_n = _num(table, "walkable_open_n", 0)
    uncontrolled = _num(table, "entries_n", 0) - _num(table, "entries_controlled_n", 0)
    defined = _num(table, "defined_share")
    territory = _num(table, "territorial_share")
    over = _num(table, "overlooked_share")
    seen = _num(table, "seen_share")
    _share, night_any, night_cols = _night(table)
    soft = _col(table, "soft_target", False)
    open_n = _num(table, "approaches_open", 0)
    worst = _col(table, "worst_vehicle", None)
    times = _(" or ").join(settings.NIGHT_TIMES)
    pct = _format.share
    least = settings.ACCESS_MIN_EXITS
    for i in range(n):
        if "access_score" in table:
            if controlled[i] and (gaps[i] > 0 or uncontrolled[i] > 0):
                holes = int(max(gaps[i], uncontrolled[i]))
                add(
                    i,
                    "access",
                    n_(
                        "Close the perimeter: the {site} perimeter has {n} uncontrolled gap",
                        "Close the perimeter: the {site} perimeter has {n} uncontrolled gaps",
                        holes,
                    ).format(site=_space_noun(category[i]), n=holes),
                    _(
                        "largest open stretch {gap} m; {place} needs a defined, secure edge "
                        "with at least {least} controlled ways in and out (Secured by Design "
                        "Schools 2014; NFPA 101)"
                    ).format(gap=_n0(gap_max[i]), place=_a_place(category[i], "site"), least=least),
                    ("edge", "control"),
                )
            ways = exits[i] if controlled[i] else exits[i] + walk_n[i]
            closing = controlled[i] and (gaps[i] > 0 or uncontrolled[i] > 0)
            # closing an open edge keeps two controlled ways out: one piece of advice,
            # not "close it" and "add a way out" for the same edge
            if np.isfinite(ways) and ways < least and not closing:
                add(
                    i,
                    "access",
                    _("Add a second way out"),
                    n_(
                        "{n} way out; places where people gather need at least {least} "
                        "(NFPA 101 means of egress)",
                        "{n} ways out; places where people gather need at least {least} "
                        "(NFPA 101 means of egress)",
                        int(ways),
                    ).format(n=int(ways), least=least),
                    ("exits",),
                )
            if not controlled[i] and np.isfinite(territory[i]) and territory[i] < 0.5:
                add(
                    i,
                    "access",
                    _("Mark the edge (low planting, kerb, paving change, bollards)"),
                    _("only {share} of its edge shows whose space it is (Newman 1972)").format(
                        share=pct(territory[i])
                    ),
                    ("territory",),
                )
            elif controlled[i] and np.isfinite(defined[i]) and defined[i] < 0.5 and gaps[i] == 0:
                add(
                    i,
                    "access",
                    _("Define the edge with a fence or wall"),
                    _("{share} of the edge is closed").format(share=pct(defined[i])),
                    ("edge",),
                )
        if np.isfinite(seen[i]) and seen[i] < 0.5:
            add(
                i,
                "sightlines",
                _("Open up the hidden parts of the space (low planting, see-through edges)"),
                _("only {share} of its open ground can be seen from the paths within 50 m").format(
                    share=pct(seen[i])
                ),
                ("seen",),
            )
        if "surveillance_score" in table:
            if np.isfinite(over[i]) and over[i] < 0.5:
                add(
                    i,
                    "surveillance",
                    _("Bring overlooking windows or activity to its edges"),
                    _("only {share} of its area is within 25 m of windows").format(
                        share=pct(over[i])
                    ),
                    ("overlooked",),
                )
            if night_cols and night_any[i] == 0 and not controlled[i]:
                add(
                    i,
                    "surveillance",
                    _("Consider an evening use at its edge"),
                    _("no use nearby is open at {times}").format(times=times),
                    ("night",),
                )
        if bool(soft[i]) and open_n[i] > 0:
            rating = (
                str(table[f"rating_{worst[i]}"].iloc[i]) if f"rating_{worst[i]}" in table else ""
            )
            speed = _num(table, f"impact_speed_kmh_{worst[i]}")[i] if worst[i] else np.nan
            approaches = int(open_n[i])
            if rating and _format.is_rating(rating):
                action = n_(
                    "Protect {n} open vehicle approach with barriers rated for {rating}",
                    "Protect {n} open vehicle approaches with barriers rated for {rating}",
                    approaches,
                )
            else:
                action = n_(
                    "Protect {n} open vehicle approach with rated barriers",
                    "Protect {n} open vehicle approaches with rated barriers",
                    approaches,
                )
            rated = _format.barrier_rating(rating, short=True) if rating else ""
            add(
                i,
                "vulnerability",
                action.format(n=approaches, rating=rated),
                _(
                    "a {vehicle} can reach the crowd at {speed} km/h (PAS 68; NPSA hostile "
                    "vehicle mitigation)"
                ).format(vehicle=_format.vehicle_name(worst[i]), speed=_n0(speed)),
            )


# --------------------------------------------------------------------------------------
# The area's data gaps: one recommendation each, for the whole audit
# --------------------------------------------------------------------------------------

#: Share of the street length (or of the sites) with a gap, above which it is reported.
_GAP_REPORTED = 0.1


def data_gaps(segments: pd.DataFrame, sites: pd.DataFrame) -> list[Recommendation]:
    """
    List the area's data gaps as recommendations: what to map, and how much it matters.

    Each gap is measured as a share of the street length (or of the public spaces) whose
    score rests on an estimate, and reported once, for the whole area, when it exceeds
    10 %: lighting estimated because lamps are not mapped (and whether the streets were
    tagged lit), opening hours that could not be read, doors estimated rather than mapped.

    Returns
    -------
    list of Recommendation
        Principle ``"data"``; ``points`` holds the share of streets affected (0-100).
    """
    out: list[Recommendation] = []
    if "audited" in segments.columns:  # what is not audited has no data gap to fill
        segments = segments[segments["audited"].fillna(True).astype(bool).to_numpy()]
    length = _num(segments, "length", 0.0)
    total = float(np.nansum(length)) or 1.0
    pct = _format.share

    def share_of(mask: np.ndarray) -> float:
        return float(np.nansum(length[mask])) / total

    basis = _col(segments, "lighting_basis", "measured")
    tagged = share_of(basis == "estimated_tag")
    unknown = share_of(basis == "estimated_class")
    if tagged + unknown > _GAP_REPORTED:
        out.append(
            Recommendation(
                "data",
                _("Map the street lamps, or walk the area at night"),
                _(
                    "lighting is estimated on {share} of the street length: {tagged} is tagged "
                    "lit with no lamps mapped and {unknown} has no lighting data at all; "
                    "estimates score like the typical mapped street of their class here, with "
                    "low confidence"
                ).format(share=pct(tagged + unknown), tagged=pct(tagged), unknown=pct(unknown)),
                100 * (tagged + unknown),
            )
        )
    if len(sites) and "lighting_basis" in sites:
        gap = float(np.mean(_col(sites, "lighting_basis", "measured") == "estimated_class"))
        if gap > _GAP_REPORTED:
            out.append(
                Recommendation(
                    "data",
                    _("Map the lamps of the public spaces"),
                    _("no lamp is mapped in or beside {share} of the public spaces").format(
                        share=pct(gap)
                    ),
                    100 * gap,
                )
            )
    est = _num(segments, "entrances_estimated", 0.0)
    mapped = _num(segments, "entrances_mapped", 0.0)
    doors = float(np.nansum(est) + np.nansum(mapped))
    if doors and np.nansum(est) / doors > _GAP_REPORTED:
        out.append(
            Recommendation(
                "data",
                _("Map the building entrances"),
                _(
                    "{share} of the doors counted along the streets are estimated from the "
                    "buildings' shape, not mapped"
                ).format(share=pct(np.nansum(est) / doors)),
                100 * float(np.nansum(est) / doors),
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Columns for the audit tables
# --------------------------------------------------------------------------------------


def explanation_columns(
    table: pd.DataFrame,
    *,
    kind: str,
    weights: dict[str, float],
    area: Any = None,
    layers: dict[str, Any] | None = None,
    workers: Any = None,
) -> pd.DataFrame:
    """
    Write the ``explanation`` and ``recommendations`` of every row as GIS-safe text.

    The text is in the current language (:func:`cpted._i18n.use`). The rows are written
    :data:`cpted.settings.EXPLAIN_CHUNK_ROWS` at a time: a row's text reads its own row
    only (and what :func:`_beside` and :func:`_hiding_places` found once for the whole
    table), so the columns are the same for any chunk size, and the long table of points
    lost and the sentences are held for one chunk, not for a city. Given ``workers``
    (:class:`cpted._tiles.Workers`), the chunks are written on its processes, in the
    current language and settings.

    Returns
    -------
    pandas.DataFrame
        ``explanation``, ``recommendations`` ('; '-joined), ``weakest_principle`` and
        ``weakest_measure``, indexed like ``table``.
    """
    beside = _beside(table, area) if kind == "segment" else None
    hiding = _hiding_places((layers or {}).get("concealment_spots"))
    step = _chunk_rows()
    chunks = (  # each made when it is written, or a worker takes it
        (
            table.iloc[start : start + step],
            kind,
            weights,
            _rows_of(beside, slice(start, start + step)),
            hiding,
        )
        for start in range(0, len(table), step)
    )
    if workers is not None and len(table) > step:
        pieces = workers.starmap(_explained_chunk, chunks)
    else:
        pieces = [_explained_chunk(*chunk) for chunk in chunks]
    if len(pieces) == 1:
        return pieces[0]
    if not pieces:
        return _explained(table, kind=kind, weights=weights, beside=beside, hiding=hiding)
    return pd.concat(pieces)


def _explained_chunk(
    table: pd.DataFrame,
    kind: str,
    weights: dict[str, float],
    beside: Beside | None,
    hiding: pd.DataFrame | None,
) -> pd.DataFrame:
    """:func:`_explained` of one chunk of rows, its arguments in order (for a worker)."""
    return _explained(table, kind=kind, weights=weights, beside=beside, hiding=hiding)


def _chunk_rows() -> int:
    return max(1, int(settings.EXPLAIN_CHUNK_ROWS))


def _explained(
    table: pd.DataFrame,
    *,
    kind: str,
    weights: dict[str, float],
    beside: Beside | None,
    hiding: pd.DataFrame | None,
) -> pd.DataFrame:
    """:func:`explanation_columns` of the rows of ``table``."""
    lost = losses(table, kind=kind, weights=weights)
    recs = _recommend(table, kind=kind, lost=lost, beside=beside, hiding=hiding)
    # one pass over plain arrays (a city has tens of thousands of rows: a pandas lookup
    # per row and per field was most of the time of scoring a tiled audit)
    said: dict[Any, list[str]] = {}
    weakest: dict[Any, tuple[Any, Any]] = {}
    score = _num(table, "cpted_score")
    if len(lost):
        top = lost.groupby("row", sort=False).head(3)
        item = _("{principle}: {measure} −{points} ({detail})")
        for row, p, m, pts, d in zip(
            top["row"].to_numpy(object),
            top["principle"].to_numpy(object),
            top["measure"].to_numpy(object),
            top["points_cpted"].to_numpy(object),
            top["detail"].to_numpy(object),
            strict=True,
        ):
            text = item.format(principle=_principle_words(p), measure=m, points=_n0(pts), detail=d)
            said.setdefault(row, []).append(text)
            weakest.setdefault(row, (p, m))
    why_not = _col(table, "not_audited", None)
    not_audited = _("not audited: {reason}")
    lost_on = _("score {score}; points lost on {explanation}")
    nothing_lost = _("score {score}; no measure lost points")
    explanation: list[str] = []
    for i, row in enumerate(table.index):
        lost_here = "; ".join(said.get(row, ()))
        if isinstance(why_not[i], str) and why_not[i]:
            explanation.append(not_audited.format(reason=_(why_not[i])))
            recs[i] = []
        elif not np.isfinite(score[i]):
            explanation.append(_("not scored: no principle could be measured here"))
        elif lost_here:
            explanation.append(lost_on.format(score=_n0(score[i]), explanation=lost_here))
        else:
            explanation.append(nothing_lost.format(score=_n0(score[i])))
    missing = (np.nan, np.nan)  # as pandas fills an object column it was given None for
    weakest_p = [weakest.get(row, missing)[0] for row in table.index]
    weakest_m = [weakest.get(row, missing)[1] for row in table.index]
    return pd.DataFrame(
        {
            "explanation": pd.Series(explanation, index=table.index, dtype=object),
            "recommendations": ["; ".join(str(r) for r in rs) for rs in recs],
            "weakest_principle": pd.Series(weakest_p, index=table.index, dtype=object),
            "weakest_measure": pd.Series(weakest_m, index=table.index, dtype=object),
        },
        index=table.index,
    )
