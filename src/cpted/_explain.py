"""Why a segment or site scored as it did, and what a planner could change.

Each principle score is a weighted mean of the parts in the registry
(:mod:`cpted._principle`); :func:`losses` reads the points each part lost from the same
parts, so they add up exactly to ``100 - <principle>_score``; :func:`recommendations`
turns the measures into rule-based advice with its reason. Both read only the audit's
columns, so they work on any table that has them and skip what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from cpted import _format, settings
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

#: How the explanations name each principle (its title, from the registry).
_PRINCIPLE_WORDS = {name: p.title.lower() for name, p in PRINCIPLES.items()}


@dataclass
class Recommendation:
    """One rule-based recommendation: what to do, why, and the principle it serves."""

    principle: str
    action: str
    reason: str
    points: float = 0.0

    def __str__(self) -> str:
        # '; ' separates recommendations in the text columns, so none may hold it
        return f"{self.action} ({self.reason})".replace("; ", ", ")


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
        title = f"{self.kind} {self.id}" + (f" ({self.name})" if self.name else "")
        lines = [
            f"{title}: CPTED score {_fmt(self.score)} of 100, "
            f"confidence {_fmt_share(self.confidence)}"
        ]
        for row in self.measures.itertuples():
            lines.append(
                f"  - {row.principle}: {row.measure} lost {row.points_cpted:.1f} points "
                f"({row.detail})"
            )
        if self.recommendations:
            lines.append("Recommendations:")
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
            f"<td>{r.points_cpted:.1f}</td><td>{html.escape(str(r.detail))}</td></tr>"
            for r in self.measures.itertuples()
        )
        return (
            f"<div><b>{html.escape(self.kind)} {html.escape(str(self.id))}</b> "
            f"{html.escape(self.name)}: CPTED score {_fmt(self.score)}"
            "<table><tr><th>principle</th><th>measure</th><th>points lost</th><th>why</th></tr>"
            f"{measures}</table><ul>{items}</ul></div>"
        )


def _count(n: int, noun: str, plural: str = "s") -> str:
    """``1 gap``, ``3 gaps``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{plural}"


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

#: (principle, part) -> a human label of the measure behind it.
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
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
)


def _compass(dx: float, dy: float) -> str:
    bearing = (np.degrees(np.arctan2(dx, dy)) + 360.0) % 360.0
    return _COMPASS[int((bearing + 22.5) // 45) % 8]


def _nearest_features(
    lines: Any, features: Any, distance: float
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Longest feature within ``distance`` of each line: its length near the line and side."""
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
    zones = shapely.buffer(geoms[li], distance, cap_style="flat")
    pieces = shapely.intersection(
        shapely.boundary(fgeoms[fi]) if _polygonal(fgeoms[fi]) else fgeoms[fi], zones
    )
    along = shapely.length(pieces)
    best: dict[int, int] = {}
    for k in np.argsort(-along):
        best.setdefault(int(li[k]), int(k))
    kinds = features.iloc[:, 0].astype(str).to_numpy() if features.shape[1] > 1 else None
    for row, k in best.items():
        if along[k] <= 0:
            continue
        length[row] = along[k]
        mid = shapely.line_interpolate_point(geoms[row], 0.5, normalized=True)
        centre = shapely.centroid(pieces[k])
        side[row] = _compass(centre.x - mid.x, centre.y - mid.y)
        if kinds is not None:
            kind[row] = str(kinds[fi[k]]).replace("_", " ")
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

    def add(i: int, principle: str, action: str, reason: str) -> None:
        # the points at stake: what the parts this advice would improve lost
        parts = next((p for prefix, p in _ACTION_PARTS if action.startswith(prefix)), None)
        # hiding places are not in a score; they weigh as what the view around lost
        scored = "sightlines" if principle == "concealment" else principle
        if parts is None:
            points = by_principle.get((index[i], scored), 0.0)
        else:
            points = sum(by_part.get((index[i], scored, p), 0.0) for p in parts)
        out[i].append(Recommendation(principle, action, reason, points))

    _lighting_advice(table, add, kind)
    if kind == "segment":
        _segment_advice(table, add, area)
        _concealment_advice(table, add, (layers or {}).get("concealment_spots"))
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


#: Which scoring parts a recommendation would improve, by the start of its action text.
_ACTION_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Open up the view ahead", ("ahead",)),
    ("Open up the hidden parts", ("seen",)),
    ("Open up the ", ("frontage",)),  # a blank wall
    ("Trim or replace", ("around",)),
    ("Remove, open up or light", ("around",)),
    ("Bring windows", ("frontage",)),
    ("Give this open stretch", ("frontage",)),
    ("Bring overlooking", ("overlooked",)),
    ("Add entrances", ("entrances",)),
    ("Consider an evening use", ("night",)),
    ("Light this", ("average", "minimum")),
    ("Fill the dark gaps", ("minimum",)),
    ("Raise the light level", ("average",)),
    ("Open a through connection", ("escape",)),
    ("Gate the alley", ("openness",)),
    ("Connect the surrounding", ("permeability",)),
    ("Close the perimeter", ("edge", "control")),
    ("Add a second way out", ("exits",)),
    ("Mark the edge", ("territory",)),
    ("Define the edge", ("edge",)),
)


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
    where = "this street" if kind == "segment" else "this space"
    it = "the street" if kind == "segment" else "the space"
    what = _col(table, "highway" if kind == "segment" else "category", "")
    classes = settings.P_CLASSES
    for i in range(len(table)):
        if basis[i] not in ("measured", "unlit"):
            continue
        req = str(required[i])
        avg_req, low_req = classes.get(req, classes["P4"])
        if not (mean[i] < avg_req or low[i] < low_req):
            continue
        needs = f"where {_a_place(what[i], kind)} needs"
        ref = f"(EN 13201-2, class {req})"
        tagged_lit = str(lit[i]) in ("yes", "limited")
        if not tagged_lit and (basis[i] == "unlit" or mean[i] < 0.05):
            add(
                i,
                "lighting",
                f"Light {where}: it is dark after nightfall",
                f"{it} gets {_lx(mean[i])} lx on average and {_lx(low[i])} lx at its darkest, "
                f"{needs} {avg_req:g} lx on average and {low_req:g} lx everywhere {ref}",
            )
        elif low[i] < low_req:
            add(
                i,
                "lighting",
                "Fill the dark gaps between the lamps",
                f"the darkest point gets {_lx(low[i])} lx, {needs} at least {low_req:g} lx "
                f"{ref}; the average is {_lx(mean[i])} lx",
            )
        else:
            best = str(met[i] or "")
            reached = f"; it reaches class {best}" if best.startswith("P") else ""
            add(
                i,
                "lighting",
                "Raise the light level",
                f"{it} gets {_lx(mean[i])} lx on average {needs} {avg_req:g} lx {ref}{reached}",
            )


#: How advice names a street by its ``highway`` class, or a space by its category.
_PLACE_WORDS = {
    "trunk": "main road", "primary": "main street", "secondary": "main street",
    "tertiary": "local distributor street", "unclassified": "minor street",
    "residential": "residential street", "living_street": "living street",
    "pedestrian": "pedestrian street", "footway": "footway", "sidewalk": "pavement",
    "crossing": "crossing", "steps": "flight of steps", "corridor": "passage",
    "cycleway": "cycleway", "service": "service road", "path": "path",
    "bridleway": "bridleway", "track": "track", "place_of_worship": "place of worship",
}  # fmt: skip


def _a_place(what: Any, kind: str) -> str:
    """Name the place as the advice does: ``a residential street``, ``a park``."""
    if what is None or str(what) in ("", "nan", "None"):
        return "a street" if kind == "segment" else "a public space"
    words = _PLACE_WORDS.get(str(what), str(what).replace("_", " "))
    if kind == "segment" and str(what) not in _PLACE_WORDS:
        words += " street"
    return ("an " if words[:1] in "aeiou" else "a ") + words


def _segment_advice(table: pd.DataFrame, add: Any, area: Any) -> None:
    n = len(table)
    length = _num(table, "length", 0)
    # the walls, hedges and fences that hide people, and blank buildings, beside each segment
    screen_len = np.zeros(n)
    screen_kind = np.full(n, "", dtype=object)
    screen_side = [""] * n
    blank_len = np.zeros(n)
    blank_side = [""] * n
    if area is not None and "geometry" in table:
        barriers = getattr(area, "barriers", None)
        if barriers is not None and len(barriers) and "opaque" in barriers:
            opaque = barriers[barriers["opaque"].astype(bool) & (barriers.geom_type != "Point")]
            screen_len, screen_kind, screen_side = _nearest_features(
                table, opaque[["barrier", "geometry"]], settings.ACCESS_EDGE_WALK_DISTANCE
            )
        buildings = getattr(area, "buildings", None)
        if buildings is not None and len(buildings) and "building" in buildings:
            blank = buildings[buildings["building"].isin(list(settings.BLANK_BUILDINGS))]
            blank_len, _, blank_side = _nearest_features(
                table, blank[["building", "geometry"]], settings.FRONTAGE_DISTANCE / 2
            )
    ahead = _num(table, "sightline_min_m")
    share = _num(table, "visible_share_25")
    far = settings.SIGHTLINE_RECOGNITION_DISTANCE
    frontage = (
        _num(table, "overlooked_left", np.nan) + _num(table, "overlooked_right", np.nan)
    ) / 2
    blank_share = _num(table, "blank_wall_share", 0)
    beside = _num(table, "frontage_buildings", 0)
    _, night_any, night_cols = _night(table)
    doors = _num(table, "entrances_per_100m")
    dead = _col(table, "dead_end", False).astype(bool)
    depth = _num(table, "dead_end_depth_m", 0)
    alley = _col(table, "alley", False).astype(bool)
    ratio = _num(table, "link_node_ratio_400")
    for i in range(n):
        if np.isfinite(ahead[i]) and ahead[i] < far / 2:
            add(
                i,
                "sightlines",
                "Open up the view ahead (corner, recess or planting)",
                f"a walker sees only {ahead[i]:.0f} m ahead; {far:.0f} m lets them recognise who "
                "comes (Gehl 2010)",
            )
        if (
            screen_len[i] >= 5
            and np.isfinite(share[i])
            and share[i] < settings.SIGHTLINE_SHARE_REFERENCE
        ):
            add(
                i,
                "sightlines",
                f"Trim or replace the {screen_len[i]:.0f} m {screen_kind[i]} "
                f"on the {screen_side[i]} side",
                f"it hides people from the path; {share[i]:.0%} of the surroundings "
                "within 25 m is visible",
            )
        if "surveillance_score" in table:
            wall = max(blank_len[i], blank_share[i] * length[i])
            if wall >= 10 and blank_share[i] > 0.2:
                side = f" on the {blank_side[i]} side" if blank_side[i] else ""
                add(
                    i,
                    "surveillance",
                    f"Open up the {wall:.0f} m blank wall{side}",
                    "windows, doors or an active ground floor would overlook the street "
                    f"({blank_share[i]:.0%} of its sides are blank walls)",
                )
            elif np.isfinite(frontage[i]) and frontage[i] < 0.3 and beside[i] > 0:
                # buildings stand beside it but turn their backs or blank sides to it
                add(
                    i,
                    "surveillance",
                    "Bring windows and doors to face the street",
                    f"only {frontage[i]:.0%} of it is overlooked by the buildings within 25 m",
                )
            elif np.isfinite(frontage[i]) and frontage[i] < 0.3:
                # nothing is built beside it (a path through a park, a street between yards):
                # windows cannot be moved there, an active edge can be added
                add(
                    i,
                    "surveillance",
                    "Give this open stretch an active edge (kiosk, café terrace, homes facing "
                    "it) or lead evening walks along overlooked streets",
                    "no building within 25 m overlooks it (Jacobs 1961)",
                )
            if np.isfinite(doors[i]) and doors[i] < 2 and frontage[i] >= 0.3:
                add(
                    i,
                    "surveillance",
                    "Add entrances onto the street",
                    f"{doors[i]:.1f} doors per 100 m; a friendly frontage has "
                    f"{settings.DOORS_PER_100M_REFERENCE:.0f} (Gehl et al. 2006)",
                )
            # an evening use needs a ground floor to open in: only along built frontage
            if night_cols and night_any[i] == 0 and frontage[i] >= 0.3:
                add(
                    i,
                    "surveillance",
                    "Consider an evening use nearby (kiosk, café, late shop)",
                    f"no use within 25 m is open at {' or '.join(settings.NIGHT_TIMES)}",
                )
        if dead[i] and depth[i] >= settings.ACCESS_DEAD_END_DEPTH / 2:
            add(
                i,
                "access",
                "Open a through connection at the dead end, or make it visible from the street",
                f"the path ends {depth[i]:.0f} m from the nearest junction with a single way out "
                "(Secured by Design)",
            )
        if alley[i]:
            add(
                i,
                "access",
                "Gate the alley or open it to overlooking frontage",
                "a narrow passage between blank walls or back fences (Secured by Design: rear "
                "alleys give burglars access)",
            )
        if np.isfinite(ratio[i]) and ratio[i] < settings.ACCESS_LINK_NODE_RATIO_POOR + 0.1:
            add(
                i,
                "access",
                "Connect the surrounding network (new links, fewer cul-de-sacs)",
                f"link–node ratio {ratio[i]:.2f} within 400 m; "
                f"{settings.ACCESS_LINK_NODE_RATIO_GOOD} is well connected (Ewing 1996)",
            )


def _concealment_advice(table: pd.DataFrame, add: Any, spots: Any) -> None:
    """Hiding places beside a path, from the sightlines module's ``concealment_spots``."""
    if spots is None or not len(spots) or "segment" not in spots:
        return
    spots = pd.DataFrame(spots.drop(columns="geometry", errors="ignore"))
    area_m2 = pd.to_numeric(spots.get("area_m2", pd.Series(np.nan, index=spots.index)))
    both = spots.get("hidden_both_ways", pd.Series(False, index=spots.index)).astype(bool)
    grouped = pd.DataFrame({"segment": spots["segment"], "area": area_m2, "both": both})
    summary = grouped.groupby("segment").agg(
        n=("area", "size"), largest=("area", "max"), both=("both", "sum")
    )
    approach = getattr(settings, "CONCEALMENT_APPROACH", 4.0)
    position = {key: i for i, key in enumerate(table.index)}
    for key, row in summary.iterrows():
        i = position.get(key)
        if i is None:
            continue
        where = f", {int(row['both'])} hidden from both directions" if row["both"] else ""
        add(
            i,
            "concealment",
            f"Remove, open up or light the {_count(int(row['n']), 'hiding place')} beside the path "
            f"(largest {row['largest']:.0f} m²)",
            f"someone could wait there unseen until a walker is within {approach:g} m{where} "
            "(Caminada & van Bommel 1980)",
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
    _, night_any, night_cols = _night(table)
    soft = _col(table, "soft_target", False)
    open_n = _num(table, "approaches_open", 0)
    worst = _col(table, "worst_vehicle", None)
    for i in range(n):
        what = str(category[i]).replace("_", " ")
        if "access_score" in table:
            if controlled[i] and (gaps[i] > 0 or uncontrolled[i] > 0):
                holes = int(max(gaps[i], uncontrolled[i]))
                add(
                    i,
                    "access",
                    f"Close the perimeter: the {what} perimeter has "
                    f"{_count(holes, 'uncontrolled gap')}",
                    f"largest open stretch {gap_max[i]:.0f} m; a {what} needs a defined, secure "
                    f"edge with at least {settings.ACCESS_MIN_EXITS} controlled ways in and out "
                    "(Secured by Design Schools 2014; NFPA 101)",
                )
            ways = exits[i] if controlled[i] else exits[i] + walk_n[i]
            closing = controlled[i] and (gaps[i] > 0 or uncontrolled[i] > 0)
            # closing an open edge keeps two controlled ways out: one piece of advice,
            # not "close it" and "add a way out" for the same edge
            if np.isfinite(ways) and ways < settings.ACCESS_MIN_EXITS and not closing:
                add(
                    i,
                    "access",
                    "Add a second way out",
                    f"{_count(int(ways), 'way')} out; places where people gather need at least "
                    f"{settings.ACCESS_MIN_EXITS} (NFPA 101 means of egress)",
                )
            if not controlled[i] and np.isfinite(territory[i]) and territory[i] < 0.5:
                add(
                    i,
                    "access",
                    "Mark the edge (low planting, kerb, paving change, bollards)",
                    f"only {territory[i]:.0%} of its edge shows whose space it is (Newman 1972)",
                )
            elif controlled[i] and np.isfinite(defined[i]) and defined[i] < 0.5 and gaps[i] == 0:
                add(
                    i,
                    "access",
                    "Define the edge with a fence or wall",
                    f"{defined[i]:.0%} of the edge is closed",
                )
        if np.isfinite(seen[i]) and seen[i] < 0.5:
            add(
                i,
                "sightlines",
                "Open up the hidden parts of the space (low planting, see-through edges)",
                f"only {seen[i]:.0%} of its open ground can be seen from the paths within 50 m",
            )
        if "surveillance_score" in table:
            if np.isfinite(over[i]) and over[i] < 0.5:
                add(
                    i,
                    "surveillance",
                    "Bring overlooking windows or activity to its edges",
                    f"only {over[i]:.0%} of its area is within 25 m of windows",
                )
            if night_cols and night_any[i] == 0 and not controlled[i]:
                add(
                    i,
                    "surveillance",
                    "Consider an evening use at its edge",
                    f"no use nearby is open at {' or '.join(settings.NIGHT_TIMES)}",
                )
        if bool(soft[i]) and open_n[i] > 0:
            rating = (
                str(table[f"rating_{worst[i]}"].iloc[i]) if f"rating_{worst[i]}" in table else ""
            )
            speed = _num(table, f"impact_speed_kmh_{worst[i]}")[i] if worst[i] else np.nan
            rated = _format.barrier_rating(rating, short=True) if rating else ""
            barriers = f"barriers rated for {rated}" if rated.startswith("a ") else "rated barriers"
            add(
                i,
                "vulnerability",
                f"Protect {_count(int(open_n[i]), 'open vehicle approach', 'es')} with {barriers}",
                f"a {str(worst[i]).replace('_', ' ')} can reach the crowd at {speed:.0f} km/h "
                "(PAS 68; NPSA hostile vehicle mitigation)",
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

    def share_of(mask: np.ndarray) -> float:
        return float(np.nansum(length[mask])) / total

    basis = _col(segments, "lighting_basis", "measured")
    tagged = share_of(basis == "estimated_tag")
    unknown = share_of(basis == "estimated_class")
    if tagged + unknown > _GAP_REPORTED:
        out.append(
            Recommendation(
                "data",
                "Map the street lamps, or walk the area at night",
                f"lighting is estimated on {tagged + unknown:.0%} of the street length: "
                f"{tagged:.0%} is tagged lit with no lamps mapped and {unknown:.0%} has no "
                "lighting data at all; estimates score like the typical mapped street of "
                "their class here, with low confidence",
                100 * (tagged + unknown),
            )
        )
    if len(sites) and "lighting_basis" in sites:
        gap = float(np.mean(_col(sites, "lighting_basis", "measured") == "estimated_class"))
        if gap > _GAP_REPORTED:
            out.append(
                Recommendation(
                    "data",
                    "Map the lamps of the public spaces",
                    f"no lamp is mapped in or beside {gap:.0%} of the public spaces",
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
                "Map the building entrances",
                f"{np.nansum(est) / doors:.0%} of the doors counted along the streets are "
                "estimated from the buildings' shape, not mapped",
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
) -> pd.DataFrame:
    """
    Write the ``explanation`` and ``recommendations`` of every row as GIS-safe text.

    Returns
    -------
    pandas.DataFrame
        ``explanation``, ``recommendations`` ('; '-joined), ``weakest_principle`` and
        ``weakest_measure``, indexed like ``table``.
    """
    lost = losses(table, kind=kind, weights=weights)
    recs = recommendations(table, kind=kind, area=area, lost=lost, layers=layers)
    explanation = pd.Series("", index=table.index, dtype=object)
    weakest_p = pd.Series(None, index=table.index, dtype=object)
    weakest_m = pd.Series(None, index=table.index, dtype=object)
    score = _num(table, "cpted_score")
    if len(lost):
        top = lost.groupby("row", sort=False).head(3)
        for row, group in top.groupby("row", sort=False):
            text = "; ".join(
                f"{_PRINCIPLE_WORDS.get(p, p)}: {m} −{pts:.0f} ({d})"
                for p, m, pts, d in zip(
                    group["principle"],
                    group["measure"],
                    group["points_cpted"],
                    group["detail"],
                    strict=True,
                )
            )
            explanation[row] = text
            weakest_p[row] = group["principle"].iloc[0]
            weakest_m[row] = group["measure"].iloc[0]
    why_not = _col(table, "not_audited", None)
    for i, row in enumerate(table.index):
        if isinstance(why_not[i], str) and why_not[i]:
            explanation[row] = f"not audited: {why_not[i]}"
            recs[i] = []
        elif not np.isfinite(score[i]):
            explanation[row] = "not scored: no principle could be measured here"
        elif explanation[row]:
            explanation[row] = f"score {score[i]:.0f}; points lost on " + explanation[row]
        else:
            explanation[row] = f"score {score[i]:.0f}; no measure lost points"
    return pd.DataFrame(
        {
            "explanation": explanation,
            "recommendations": ["; ".join(str(r) for r in rs) for rs in recs],
            "weakest_principle": weakest_p,
            "weakest_measure": weakest_m,
        },
        index=table.index,
    )
