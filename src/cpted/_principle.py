"""
The registry of CPTED principles: what each measures, how it scores, where its rules come from.

Every principle score is a weighted mean of **score parts**. A part turns measured
columns of a segment or site table into a value between 0 (the rule is not met at all)
and 1 (met), has a weight and names the reference it rests on (a standard, a paper or an
established tool). A part whose value is NaN on a row does not apply there (a rule for
fenced school grounds on an open square; a measure that could not be taken) and its
weight is shared among the parts that do. So for each row::

    score  = 100 * sum(w_i * v_i) / sum(w_i)         over the parts that apply
    lost_i = 100 * w_i * (1 - v_i) / sum(w_i)        and sum(lost_i) == 100 - score

The principle modules measure and call :func:`score` for their own principle; the
explanations, the report, the map and the docs read the same parts, so a score and the
points it lost cannot disagree. This module imports no principle module: data flows down.

Titles, labels, references and the detail sentences are written for people: they are
marked for the message catalogues (:mod:`cpted._i18n`) and come out in the current
language; the names (``"sightlines"``, ``"ahead"``) are identifiers and stay English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cpted import _format, settings
from cpted._i18n import N_, _

__all__ = [
    "PRINCIPLES",
    "SCORED",
    "AuditPart",
    "Principle",
    "ScorePart",
    "losses",
    "parts_table",
    "score",
]


@dataclass
class AuditPart:
    """What one principle module measured: tables, extra map layers and rasters."""

    segments: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None
    layers: dict[str, Any] = field(default_factory=dict)
    rasters: dict[str, Any] = field(default_factory=dict)
    #: Layers still being made on a worker, as futures (:class:`cpted._tiles.Workers`):
    #: the audit takes them last, after the scores and explanations.
    pending: dict[str, Any] = field(default_factory=dict)


Values = Callable[[pd.DataFrame], np.ndarray]
Details = Callable[[pd.DataFrame], list[str]]


@dataclass(frozen=True)
class ScorePart:
    """
    One rule of a principle score.

    Attributes
    ----------
    name
        Short key (``"ahead"``), unique within the principle.
    label
        What it measures, in a planner's words (English, marked for the catalogues:
        show it as ``_(part.label)``).
    weight
        A function of nothing returning the weight, so that a change to
        :mod:`cpted.settings` at run time is honoured.
    value
        Measured table -> values in [0, 1], NaN where the rule does not apply.
    detail
        Measured table -> one sentence per row saying what was measured.
    reference
        The source of the rule and of its reference value (translated where shown).
    """

    name: str
    label: str
    weight: Callable[[], float]
    value: Values
    detail: Details
    reference: str


@dataclass(frozen=True)
class Principle:
    """
    One CPTED principle: its measures, its score parts and its map layers.

    ``title`` (``"Natural surveillance"``), ``words`` (how a sentence names it:
    ``"natural surveillance"``) and ``measures`` are English, marked for the catalogues;
    show them through ``_()``.
    """

    name: str
    title: str
    measures: str
    words: str = ""
    segment_parts: tuple[ScorePart, ...] = ()
    site_parts: tuple[ScorePart, ...] = ()
    scored: bool = True
    map_layers: str = ""

    def parts(self, kind: str) -> tuple[ScorePart, ...]:
        """Return the score parts for ``kind`` ("segment" or "site")."""
        return self.segment_parts if kind == "segment" else self.site_parts


# --------------------------------------------------------------------------------------
# Helpers to read measured columns
# --------------------------------------------------------------------------------------


def num(table: pd.DataFrame, column: str, default: float = np.nan) -> np.ndarray:
    """Return a numeric column as floats, ``default`` where it is missing."""
    if column not in table.columns:
        return np.full(len(table), default, dtype=float)
    return pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)


def col(table: pd.DataFrame, column: str, default: Any = None) -> np.ndarray:
    """Return a column as objects, ``default`` where it is missing."""
    if column not in table.columns:
        return np.full(len(table), default, dtype=object)
    return table[column].to_numpy(dtype=object)


def share(values: np.ndarray, reference: float) -> np.ndarray:
    """``min(1, values / reference)``, NaN kept."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(values / reference, 0.0, 1.0)


def fmt(value: float, spec: str = ".0f", unit: str = "") -> str:
    """Format a number for a sentence (``spec`` as ``".1f"``, ``",.0f"``); "unknown" if not finite.

    The notation is the current language's (:func:`cpted._format.number`).
    """
    if _format.is_missing(value) or not np.isfinite(value):
        return _("unknown")
    digits = int(spec.rsplit(".", 1)[-1].rstrip("f") or 0)
    return _format.number(value, digits, group="," in spec) + unit


def pct(value: float) -> str:
    """Format a share as whole percent (:func:`_format.share`); "unknown" when not finite."""
    return _("unknown") if _format.is_missing(value) else _format.share(value)


def lux(value: float) -> str:
    """Format illuminance (:func:`_format.lux`); "unknown" when it is not finite."""
    return _("unknown") if _format.is_missing(value) else _format.lux(value)


def _sentences(message: str, **columns: Any) -> list[str]:
    """Translate ``message`` once and fill it row by row with the texts in ``columns``."""
    text = _(message)
    names = list(columns)
    return [
        text.format(**dict(zip(names, row, strict=True)))
        for row in zip(*columns.values(), strict=True)
    ]


def night_share(table: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """Return the share of evening times a use nearby is open, and whether it was measured."""
    cols = [c for c in table.columns if c.startswith("uses_open_")]
    if not cols:
        return np.full(len(table), np.nan), False
    stack = np.vstack([np.nan_to_num(num(table, c, 0.0)) for c in cols])
    return (stack > 0).mean(axis=0), True


def controlled(table: pd.DataFrame) -> np.ndarray:
    """Mark the sites whose category needs a closed edge (schools, kindergartens, ...)."""
    return np.isin(col(table, "category", ""), list(settings.ACCESS_CONTROLLED_CATEGORIES))


def _where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(mask, values, np.nan)


# --------------------------------------------------------------------------------------
# Sightlines
# --------------------------------------------------------------------------------------


def _ahead(t: pd.DataFrame) -> np.ndarray:
    return share(num(t, "sightline_min_m"), settings.SIGHTLINE_RECOGNITION_DISTANCE)


def _around(t: pd.DataFrame) -> np.ndarray:
    return share(num(t, "visible_share_25"), settings.SIGHTLINE_SHARE_REFERENCE)


_SIGHTLINES = Principle(
    name="sightlines",
    title=N_("Sightlines"),
    words=N_("sightlines"),
    measures=N_("how far and how widely a walker sees: exact isovists from the path"),
    segment_parts=(
        ScorePart(
            "ahead",
            N_("view ahead along the path"),
            lambda: settings.SIGHTLINE_WEIGHTS["ahead"],
            _ahead,
            lambda t: _sentences(
                N_("sees {ahead} m ahead; {reference} m lets a walker recognise who comes"),
                ahead=[fmt(a) for a in num(t, "sightline_min_m")],
                reference=[fmt(settings.SIGHTLINE_RECOGNITION_DISTANCE)] * len(t),
            ),
            N_("Gehl (2010), Cities for People: faces are recognised at 50-70 m"),
        ),
        ScorePart(
            "around",
            N_("open view around (25 m)"),
            lambda: settings.SIGHTLINE_WEIGHTS["around"],
            _around,
            lambda t: _sentences(
                N_("{share} of the 25 m surroundings visible; {reference} is open"),
                share=[pct(s) for s in num(t, "visible_share_25")],
                reference=[pct(settings.SIGHTLINE_SHARE_REFERENCE)] * len(t),
            ),
            N_(
                "Gehl (2010): 25 m face distance; Benedikt (1979) isovists; "
                "the 50 % reference is cpted's (a straight street between frontages)"
            ),
        ),
    ),
    site_parts=(
        ScorePart(
            "seen",
            N_("ground seen from the paths"),
            lambda: 1.0,
            lambda t: np.clip(num(t, "seen_share"), 0.0, 1.0),
            lambda t: _sentences(
                N_("{share} of its open ground is seen from the paths within 50 m"),
                share=[pct(x) for x in num(t, "seen_share")],
            ),
            N_("Newman (1972) Defensible Space: ground that can be watched from where people walk"),
        ),
    ),
    map_layers="sightlines",
)


# --------------------------------------------------------------------------------------
# Lighting
# --------------------------------------------------------------------------------------


def _required(t: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    required = col(t, "p_class_required", "P4")
    table = settings.P_CLASSES
    avg = np.array([table.get(str(c), table["P4"])[0] for c in required], dtype=float)
    low = np.array([table.get(str(c), table["P4"])[1] for c in required], dtype=float)
    return avg, low


def _basis(t: pd.DataFrame) -> list[str]:
    """Where each row's light figure comes from, in words (empty when measured)."""
    basis = col(t, "lighting_basis", "measured")
    words = {k: _(v) for k, v in settings.LIGHTING_BASIS_WORDS.items()}
    return ["" if b == "measured" else f" ({words.get(str(b), str(b))})" for b in basis]


def _lux_part(kind: str) -> tuple[Values, Details]:
    index = 0 if kind == "average" else 1
    column = "lux_mean_scored" if kind == "average" else "lux_min_scored"

    def value(t: pd.DataFrame) -> np.ndarray:
        need = _required(t)[index]
        return np.clip(num(t, column) / need, 0.0, 1.0)

    def detail(t: pd.DataFrame) -> list[str]:
        need = _required(t)[index]
        classes = col(t, "p_class_required", "P4")
        message = (
            N_("average {lux}{basis}; class {p_class} needs {need} lx")
            if kind == "average"
            else N_("minimum {lux}{basis}; class {p_class} needs {need} lx")
        )
        return _sentences(
            message,
            lux=[lux(v) for v in num(t, column)],
            basis=_basis(t),
            p_class=[str(c) for c in classes],
            need=[_format.general(n) for n in need],
        )

    return value, detail


_avg_value, _avg_detail = _lux_part("average")
_min_value, _min_detail = _lux_part("minimum")

_LIGHTING_PARTS = (
    ScorePart(
        "average",
        N_("average illuminance"),
        lambda: 0.5,
        _avg_value,
        _avg_detail,
        N_(
            "EN 13201-2:2015 Table 3, P classes (maintained average lux); class chosen by "
            "CEN/TR 13201-1:2014; Welsh & Farrington (2008): better street lighting cut crime "
            "by about a fifth"
        ),
    ),
    ScorePart(
        "minimum",
        N_("minimum illuminance"),
        lambda: 0.5,
        _min_value,
        _min_detail,
        N_("EN 13201-2:2015 Table 3, P classes (minimum lux): the dark gaps between lamps"),
    ),
)

_LIGHTING = Principle(
    name="lighting",
    title=N_("Lighting"),
    words=N_("lighting"),
    measures=N_("maintained horizontal illuminance on the ground from the lamps, with shadows"),
    segment_parts=_LIGHTING_PARTS,
    site_parts=_LIGHTING_PARTS,
    map_layers="lighting",
)


# --------------------------------------------------------------------------------------
# Natural surveillance
# --------------------------------------------------------------------------------------


def _sw(name: str) -> Callable[[], float]:
    return lambda: settings.SURVEILLANCE_WEIGHTS[name]


def _frontage(t: pd.DataFrame) -> np.ndarray:
    return np.clip((num(t, "overlooked_left", 0) + num(t, "overlooked_right", 0)) / 2, 0, 1)


def _movement(t: pd.DataFrame) -> np.ndarray:
    big = max(settings.MOVEMENT_DISTANCES)
    between = np.nan_to_num(num(t, f"betweenness_{big:.0f}", 0.0))
    return np.clip(np.log1p(between) / np.log1p(settings.MOVEMENT_REFERENCE), 0.0, 1.0)


def _priority(t: pd.DataFrame) -> np.ndarray:
    table = settings.PEDESTRIAN_PRIORITY
    highway = col(t, "highway", "")
    return np.array(
        [table.get(h, table["default"]) if isinstance(h, str) and h else np.nan for h in highway],
        dtype=float,
    )


def _night_value(t: pd.DataFrame) -> np.ndarray:
    value, measured = night_share(t)
    return value if measured else np.zeros(len(t))


_SURVEILLANCE = Principle(
    name="surveillance",
    title=N_("Natural surveillance"),
    words=N_("natural surveillance"),
    measures=N_("eyes on the street: windows, doors, active and evening uses, passers-by, cameras"),
    segment_parts=(
        ScorePart(
            "frontage",
            N_("frontage overlooking the street"),
            _sw("frontage"),
            _frontage,
            lambda t: _sentences(
                N_("{share} of the street is overlooked by windows"),
                share=[pct(f) for f in _frontage(t)],
            ),
            N_(
                "Jacobs (1961) 'eyes upon the street'; van Nes & López (2010), Amsterdam: "
                "entrances and windows facing the street go with less street crime"
            ),
        ),
        ScorePart(
            "entrances",
            N_("doors onto the street"),
            _sw("entrances"),
            lambda t: share(num(t, "entrances_per_100m", 0.0), settings.DOORS_PER_100M_REFERENCE),
            lambda t: _sentences(
                N_("{doors} doors per 100 m; a friendly frontage has {reference}"),
                doors=[fmt(d, ".1f") for d in num(t, "entrances_per_100m", 0.0)],
                reference=[fmt(settings.DOORS_PER_100M_REFERENCE)] * len(t),
            ),
            N_(
                "Gehl, Kaefer & Reigstad (2006) 'Close encounters with buildings': "
                "10-14 doors per 100 m"
            ),
        ),
        ScorePart(
            "uses",
            N_("active uses"),
            _sw("uses"),
            lambda t: share(num(t, "uses_per_100m", 0.0), settings.USES_PER_100M_REFERENCE),
            lambda t: _sentences(
                N_("{uses} shops, cafés and other active uses per 100 m; {reference} is lively"),
                uses=[fmt(u, ".1f") for u in num(t, "uses_per_100m", 0.0)],
                reference=[fmt(settings.USES_PER_100M_REFERENCE)] * len(t),
            ),
            N_("Gehl et al. (2006); Jacobs (1961): shops and public places along the street"),
        ),
        ScorePart(
            "night",
            N_("uses open in the evening"),
            _sw("night"),
            _night_value,
            lambda t: _sentences(
                N_("a use within 25 m is open at {share} of the evening times ({times})"),
                share=[pct(x) for x in _night_value(t)],
                times=[", ".join(settings.NIGHT_TIMES)] * len(t),
            ),
            N_("Jacobs (1961): a street needs users at different hours; opening_hours from OSM"),
        ),
        ScorePart(
            "movement",
            N_("people passing (movement potential)"),
            _sw("movement"),
            _movement,
            lambda t: _sentences(
                N_("{trips} trips within {distance} m pass; {reference} is busy"),
                trips=[
                    fmt(b, ",.0f")
                    for b in num(t, f"betweenness_{max(settings.MOVEMENT_DISTANCES):.0f}", 0.0)
                ],
                distance=[fmt(max(settings.MOVEMENT_DISTANCES))] * len(t),
                reference=[fmt(settings.MOVEMENT_REFERENCE, ",.0f")] * len(t),
            ),
            N_(
                "Hillier et al. (1993) natural movement; Sevtsuk (2021): pedestrian counts rise "
                "with betweenness"
            ),
        ),
        ScorePart(
            "priority",
            N_("a street made for walking"),
            _sw("priority"),
            _priority,
            lambda t: _sentences(
                N_("a {highway} ({share} pedestrian priority)"),
                highway=[str(h).replace("_", " ") for h in col(t, "highway", "")],
                share=[pct(p) for p in _priority(t)],
            ),
            N_(
                "Appleyard (1981) Livable Streets: heavy, fast traffic empties a street of "
                "people and neighbours; Gehl (2010)"
            ),
        ),
        ScorePart(
            "cameras",
            N_("camera coverage"),
            _sw("cameras"),
            lambda t: np.clip(num(t, "camera_coverage", 0.0), 0.0, 1.0),
            lambda t: _sentences(
                N_("cameras see {share} of it"),
                share=[pct(c) for c in num(t, "camera_coverage", 0.0)],
            ),
            N_(
                "Welsh & Farrington (2009) CCTV meta-analysis: a modest effect, mostly in car "
                "parks, hence the smallest weight"
            ),
        ),
    ),
    site_parts=(
        ScorePart(
            "overlooked",
            N_("area overlooked by windows"),
            lambda: 0.6,
            lambda t: np.clip(np.nan_to_num(num(t, "overlooked_share", 0.0)), 0.0, 1.0),
            lambda t: _sentences(
                N_("{share} of its area is within 25 m of windows"),
                share=[pct(o) for o in num(t, "overlooked_share", 0.0)],
            ),
            N_("Newman (1972); Jacobs (1961)"),
        ),
        ScorePart(
            "night",
            N_("uses open in the evening"),
            lambda: 0.25,
            _night_value,
            lambda t: _sentences(
                N_("a use nearby is open at {share} of the evening times"),
                share=[pct(x) for x in _night_value(t)],
            ),
            N_("Jacobs (1961): users at different hours"),
        ),
        ScorePart(
            "cameras",
            N_("camera coverage"),
            lambda: 0.15,
            lambda t: np.clip(np.nan_to_num(num(t, "camera_coverage", 0.0)), 0.0, 1.0),
            lambda t: _sentences(
                N_("cameras see {share} of it"),
                share=[pct(c) for c in num(t, "camera_coverage", 0.0)],
            ),
            N_("Welsh & Farrington (2009)"),
        ),
    ),
    map_layers="surveillance",
)


# --------------------------------------------------------------------------------------
# Access and escape
# --------------------------------------------------------------------------------------


def _aw(name: str) -> Callable[[], float]:
    return lambda: settings.ACCESS_SEGMENT_WEIGHTS[name]


def _permeability(t: pd.DataFrame) -> np.ndarray:
    poor, good = settings.ACCESS_LINK_NODE_RATIO_POOR, settings.ACCESS_LINK_NODE_RATIO_GOOD
    ratio = num(t, f"link_node_ratio_{settings.ACCESS_PERMEABILITY_RADIUS:.0f}")
    # unknown (a segment with no network around it): half marks, neither rewarded nor
    # punished for what could not be measured
    return np.where(np.isnan(ratio), 0.5, np.clip((ratio - poor) / (good - poor), 0.0, 1.0))


def _escape(t: pd.DataFrame) -> np.ndarray:
    dead = col(t, "dead_end", False).astype(bool)
    single = col(t, "single_way_out", False).astype(bool)
    depth = np.nan_to_num(num(t, "dead_end_depth_m", 0.0))
    return np.where(
        dead,
        1.0 - np.clip(depth / settings.ACCESS_DEAD_END_DEPTH, 0.0, 1.0),
        np.where(single, 0.5, 1.0),
    )


def _openness(t: pd.DataFrame) -> np.ndarray:
    enclosed = np.nan_to_num(num(t, "enclosed_share", 0.0))
    doors = num(t, "doors_n", 0.0) > 0
    return 1.0 - enclosed * np.where(doors, 0.5, 1.0)


def _escape_detail(t: pd.DataFrame) -> list[str]:
    dead = col(t, "dead_end", False).astype(bool)
    single = col(t, "single_way_out", False).astype(bool)
    depth = num(t, "dead_end_depth_m", 0.0)
    deep, one, two = _("dead end {depth} m deep"), _("a single way out"), _("two ways out")
    return [
        deep.format(depth=fmt(d)) if de else (one if s else two)
        for d, de, s in zip(depth, dead, single, strict=True)
    ]


def _ctrl_share(t: pd.DataFrame) -> np.ndarray:
    defined = np.nan_to_num(num(t, "defined_share", 0.0))
    entries = num(t, "entries_n", 0.0)
    ctrl_n = num(t, "entries_controlled_n", 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(entries > 0, ctrl_n / entries, defined)


def _ways_out(t: pd.DataFrame) -> np.ndarray:
    return np.nan_to_num(num(t, "exits_n", 0.0)) + np.nan_to_num(num(t, "walkable_open_n", 0.0))


def _open_entries(t: pd.DataFrame) -> np.ndarray:
    rate = np.nan_to_num(num(t, "open_entries_per_100m", 0.0))
    walk = np.nan_to_num(num(t, "walkable_open_share", 0.0))
    return np.maximum(
        np.clip(rate / settings.ACCESS_OPEN_ENTRIES_PER_100M, 0.0, 1.0), np.clip(walk, 0.0, 1.0)
    )


def _trapped(t: pd.DataFrame) -> np.ndarray:
    inside = num(t, "internal_path_m", 0.0)
    single = num(t, "entrapment_m", 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(np.where(inside > 0, single / inside, 0.0))


def _edge_measured(t: pd.DataFrame) -> np.ndarray:
    """Mark the sites whose edge could be assessed (not a building outline, edge measured)."""
    if "defined_share" not in t.columns:
        return np.ones(len(t), dtype=bool)
    return np.isfinite(num(t, "defined_share"))


_ACCESS = Principle(
    name="access",
    title=N_("Access and escape"),
    words=N_("access and escape"),
    measures=N_("ways in and out: dead ends, alleys, permeability; site edges and entries"),
    segment_parts=(
        ScorePart(
            "permeability",
            N_("network permeability"),
            _aw("permeability"),
            _permeability,
            lambda t: _sentences(
                N_("link-node ratio {ratio} within {radius} m; {reference} is well connected"),
                ratio=[
                    fmt(r, ".2f")
                    for r in num(t, f"link_node_ratio_{settings.ACCESS_PERMEABILITY_RADIUS:.0f}")
                ],
                radius=[fmt(settings.ACCESS_PERMEABILITY_RADIUS)] * len(t),
                reference=[_format.general(settings.ACCESS_LINK_NODE_RATIO_GOOD)] * len(t),
            ),
            N_("Ewing (1996) Pedestrian- and transit-friendly design: link-node ratio 1.4"),
        ),
        ScorePart(
            "escape",
            N_("ways out (dead ends)"),
            _aw("escape"),
            _escape,
            _escape_detail,
            N_(
                "Secured by Design (Homes 2019): footpaths should not end in places with a "
                "single way out; entrapment spots in CPTED guidance"
            ),
        ),
        ScorePart(
            "openness",
            N_("enclosed passage"),
            _aw("openness"),
            _openness,
            lambda t: _sentences(
                N_("{share} of it enclosed by walls or back fences on both sides"),
                share=[pct(e) for e in np.nan_to_num(num(t, "enclosed_share", 0.0))],
            ),
            N_("Secured by Design: rear alleys between blank walls give unwatched access"),
        ),
    ),
    site_parts=(
        ScorePart(
            "edge",
            N_("defined edge"),
            lambda: 0.5,
            lambda t: _where(controlled(t) & _edge_measured(t), num(t, "defined_share")),
            lambda t: _sentences(
                N_("{share} of the edge closed; {gaps} open gaps"),
                share=[pct(d) for d in num(t, "defined_share")],
                gaps=[fmt(g) for g in num(t, "gaps_n", 0.0)],
            ),
            N_("Secured by Design Schools (2014): a defined, secure perimeter"),
        ),
        ScorePart(
            "control",
            N_("controlled entries"),
            lambda: 0.3,
            lambda t: _where(controlled(t) & _edge_measured(t), _ctrl_share(t)),
            lambda t: _sentences(
                N_("{share} of {entries} entries controlled"),
                share=[pct(c) for c in _ctrl_share(t)],
                entries=[fmt(e) for e in num(t, "entries_n", 0.0)],
            ),
            N_("Secured by Design Schools (2014): few, controlled entrances"),
        ),
        ScorePart(
            "exits",
            N_("ways out"),
            lambda: 0.2,
            lambda t: _where(
                controlled(t),
                np.clip(np.nan_to_num(num(t, "exits_n", 0.0)) / settings.ACCESS_MIN_EXITS, 0, 1),
            ),
            lambda t: _sentences(
                N_("{ways} ways out; {needed} needed"),
                ways=[fmt(w) for w in num(t, "exits_n", 0.0)],
                needed=[str(settings.ACCESS_MIN_EXITS)] * len(t),
            ),
            N_("NFPA 101 Life Safety Code: at least two means of egress"),
        ),
        ScorePart(
            "open_entries",
            N_("open ways in"),
            lambda: 0.35,
            lambda t: _where(~controlled(t), _open_entries(t)),
            lambda t: _sentences(
                N_("{rate} open ways in per 100 m of edge"),
                rate=[fmt(r, ".1f") for r in num(t, "open_entries_per_100m", 0.0)],
            ),
            N_("Jacobs (1961) and Gehl (2010): public space open to the streets around it"),
        ),
        ScorePart(
            "ways_out",
            N_("ways out"),
            lambda: 0.25,
            lambda t: _where(
                ~controlled(t), np.clip(_ways_out(t) / settings.ACCESS_MIN_EXITS, 0, 1)
            ),
            lambda t: _sentences(
                N_("{ways} ways out; {needed} needed"),
                ways=[fmt(w) for w in _ways_out(t)],
                needed=[str(settings.ACCESS_MIN_EXITS)] * len(t),
            ),
            N_("NFPA 101: at least two means of egress from places where people gather"),
        ),
        ScorePart(
            "trap",
            N_("paths with a single way out"),
            lambda: 0.2,
            lambda t: _where(~controlled(t), 1.0 - _trapped(t)),
            lambda t: _sentences(
                N_("{share} of the paths inside have a single way out"),
                share=[pct(x) for x in _trapped(t)],
            ),
            N_("CPTED guidance on entrapment spots (Crowe 2000)"),
        ),
        ScorePart(
            "territory",
            N_("territorial edge"),
            lambda: 0.2,
            lambda t: _where(~controlled(t), np.nan_to_num(num(t, "territorial_share", 0.0))),
            lambda t: _sentences(
                N_("{share} of the edge shows whose space it is"),
                share=[pct(x) for x in np.nan_to_num(num(t, "territorial_share", 0.0))],
            ),
            N_("Newman (1972): territorial reinforcement marks the edge of a space"),
        ),
    ),
    map_layers="access",
)

_VULNERABILITY = Principle(
    name="vulnerability",
    title=N_("Vulnerability of crowded places"),
    words=N_("vulnerability of crowded places"),
    measures=N_("hostile-vehicle run-up speeds and energies, barrier ratings, responder access"),
    scored=False,
    map_layers="vulnerability",
)

# --------------------------------------------------------------------------------------
# Sites that are buildings
# --------------------------------------------------------------------------------------


def _building(t: pd.DataFrame) -> np.ndarray:
    """
    Mark the sites with no open ground mapped: a building outline, or only a point.

    A school mapped as its building, or a kindergarten mapped as a node (cpted draws a
    small disc round it), has no ground of its own to judge as an open space.
    """
    building = col(t, "ground", "open").astype(object) == "building"
    return building | (col(t, "geometry_source", "").astype(object) == "point")


def _open_only(part: ScorePart) -> ScorePart:
    """Return the same part, not applying to sites that are buildings (no open ground)."""
    from dataclasses import replace

    return replace(part, value=lambda t: _where(~_building(t), part.value(t)))


#: Parts that judge a site's open ground: on a site that is a building they do not apply.
_OPEN_GROUND_PARTS = {
    "sightlines": {"seen"},
    "lighting": {"average", "minimum"},
    "surveillance": {"overlooked"},
    "access": {"open_entries", "ways_out", "trap", "territory"},
}


def _doors(principle: Principle) -> ScorePart:
    column = f"door_{principle.name}_score"
    return ScorePart(
        "doors",
        N_("the streets at its doors"),
        lambda: 1.0,
        lambda t: _where(_building(t), num(t, column) / 100.0),
        lambda t: _sentences(
            N_("the streets within {distance} m of the building score {score} for {principle}"),
            distance=[fmt(settings.SITE_DOOR_DISTANCE)] * len(t),
            score=[fmt(v) for v in num(t, column)],
            principle=[_(principle.words)] * len(t),
        ),
        N_(
            "Jacobs (1961): a building is watched, lit and reached from the streets at its "
            "doors; a site mapped only as its outline has no open ground of its own to judge"
        ),
    )


def _with_buildings(principle: Principle) -> Principle:
    """Judge a building-ground site by the streets at its doors, not by open-ground rules."""
    from dataclasses import replace

    if not principle.scored or not principle.site_parts:
        return principle
    names = _OPEN_GROUND_PARTS.get(principle.name, set())
    parts = tuple(_open_only(p) if p.name in names else p for p in principle.site_parts)
    return replace(principle, site_parts=(*parts, _doors(principle)))


#: Every principle, in the order the audit runs them.
PRINCIPLES: Mapping[str, Principle] = {
    p.name: _with_buildings(p)
    for p in (_SIGHTLINES, _LIGHTING, _SURVEILLANCE, _ACCESS, _VULNERABILITY)
}

#: The principles whose scores make up ``cpted_score``.
SCORED: tuple[str, ...] = tuple(name for name, p in PRINCIPLES.items() if p.scored)


# --------------------------------------------------------------------------------------
# Scores and losses from the parts
# --------------------------------------------------------------------------------------


def _evaluate(
    table: pd.DataFrame, principle: str, kind: str
) -> tuple[tuple[ScorePart, ...], np.ndarray, np.ndarray, np.ndarray]:
    parts = PRINCIPLES[principle].parts(kind)
    n = len(table)
    if not parts:
        return parts, np.zeros((0, n)), np.zeros((0, n)), np.zeros(n)
    values = np.vstack([np.asarray(p.value(table), dtype=float).reshape(n) for p in parts])
    values = np.clip(values, 0.0, 1.0)
    weights = np.array([p.weight() for p in parts], dtype=float)[:, None] * np.isfinite(values)
    total = weights.sum(axis=0)
    return parts, values, weights, total


def score(table: pd.DataFrame, principle: str, kind: str) -> pd.Series:
    """
    Score ``principle`` 0-100 on each row of a measured table.

    Parameters
    ----------
    table
        The principle's measures (or an audit table that holds them).
    principle
        A name of :data:`PRINCIPLES`.
    kind
        ``"segment"`` or ``"site"``.

    Returns
    -------
    pandas.Series
        ``<principle>_score``, NaN where no part applies.
    """
    _parts, values, weights, total = _evaluate(table, principle, kind)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = 100.0 * np.nansum(weights * np.nan_to_num(values), axis=0) / total
    result = np.where(total > 0, result, np.nan)
    return pd.Series(result, index=table.index, name=f"{principle}_score")


def losses(
    table: pd.DataFrame, *, kind: str, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """
    Points each score part lost on each row, within its principle and in ``cpted_score``.

    Parameters
    ----------
    table
        ``audit.segments`` or ``audit.sites`` (or any table with their columns).
    kind
        ``"segment"`` or ``"site"``.
    weights
        The principle weights of the combined score (default
        :data:`cpted.settings.SCORE_WEIGHTS`).

    Returns
    -------
    pandas.DataFrame
        Long table: ``row``, ``principle``, ``part``, ``measure``, ``points`` (lost within
        the principle, 0-100), ``points_cpted`` (lost in the combined score), ``detail``
        and ``reference``. For each row and principle, ``points`` add up to
        ``100 - <principle>_score`` exactly; rows where a part lost nothing are left out.
    """
    weights = dict(settings.SCORE_WEIGHTS if weights is None else weights)
    present = {}
    for name, w in weights.items():
        column = f"{name}_score"
        present[name] = np.isfinite(num(table, column)) * w if column in table else 0.0
    weight_sum = sum(np.asarray(v, dtype=float) for v in present.values()) + np.zeros(len(table))
    frames = []
    counted = 0  # the parts evaluated
    for name in weights:
        if f"{name}_score" not in table.columns:
            continue
        parts, values, part_w, total = _evaluate(table, name, kind)
        scored = np.isfinite(num(table, f"{name}_score"))
        with np.errstate(invalid="ignore", divide="ignore"):
            share_cpted = np.where(weight_sum > 0, present[name] / weight_sum, 0.0)
        for k, part in enumerate(parts):
            with np.errstate(invalid="ignore", divide="ignore"):
                points = np.where(
                    scored & (total > 0),
                    100.0 * part_w[k] * (1.0 - np.nan_to_num(values[k])) / total,
                    0.0,
                )
            # only the rows where the part lost points are told why (about two in five
            # rows and parts lose nothing, and their sentences were most of the time)
            lost = np.flatnonzero(points > 1e-9)
            counted += 1
            if not len(lost):
                continue
            frames.append(
                pd.DataFrame(
                    {
                        "row": table.index[lost],
                        "principle": name,
                        "part": part.name,
                        "measure": _(part.label),
                        "points": points[lost],
                        "points_cpted": points[lost] * share_cpted[lost],
                        "detail": part.detail(_Rows(table, lost)),
                        "reference": _(part.reference),
                    },
                    # numbered as if every row of every part were there (as they were)
                    index=(counted - 1) * len(table) + lost,
                )
            )
    columns = ["row", "principle", "part", "measure", "points", "points_cpted", "detail"]
    if not frames:
        return pd.DataFrame(columns=[*columns, "reference"])
    out = pd.concat(frames)
    return out.sort_values(["row", "points_cpted"], ascending=[True, False], kind="stable")


class _Rows:
    """
    Some rows of a table, read a column at a time, for a score part's ``detail``.

    A detail reads columns by name (:func:`num`, :func:`col`) and the number of rows: this
    hands it the rows asked for without copying the whole table's other columns.
    """

    def __init__(self, table: pd.DataFrame, positions: np.ndarray) -> None:
        self._table = table
        self._positions = positions
        self.columns = table.columns

    def __len__(self) -> int:
        return len(self._positions)

    def __getitem__(self, column: str) -> pd.Series:
        return self._table[column].iloc[self._positions]


def parts_table() -> pd.DataFrame:
    """
    Tabulate every score part of every principle: kind, label, weight and reference.

    The weights of a principle's parts add up to 1 for each kind of place they apply to
    (the access parts of sites: once for controlled categories, once for open ones).
    """
    rows = []
    for principle in PRINCIPLES.values():
        for kind in ("segment", "site"):
            for part in principle.parts(kind):
                rows.append(
                    {
                        "principle": principle.name,
                        "kind": kind,
                        "part": part.name,
                        "measure": part.label,
                        "weight": part.weight(),
                        "reference": part.reference,
                    }
                )
    return pd.DataFrame(rows)
