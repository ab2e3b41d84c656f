"""The access scores: absolute rules on the measured values, documented in the docstrings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpted import settings

__all__ = ["segment_score", "site_score"]


def _clip01(values: object) -> np.ndarray:
    return np.clip(np.asarray(values, dtype=float), 0.0, 1.0)


def segment_score(measures: pd.DataFrame, *, link_node_column: str) -> pd.Series:
    """
    Score each segment 0-100 from its dead-end, alley and permeability measures.

    ``permeability`` is the link-to-node ratio scaled from
    :data:`~cpted.settings.ACCESS_LINK_NODE_RATIO_POOR` (0) to
    :data:`~cpted.settings.ACCESS_LINK_NODE_RATIO_GOOD` (1), 0.5 when unknown.
    ``escape`` is 1 with two or more ways out; on a dead end it falls linearly with the
    depth of its far end, to 0 at :data:`~cpted.settings.ACCESS_DEAD_END_DEPTH`; another
    segment with a single way out (a bridge) scores 0.5. ``openness`` is 1 minus the
    enclosed share, whose weight halves when doors open onto the passage. The score is
    ``100 * sum(weight * part)`` with :data:`~cpted.settings.ACCESS_SEGMENT_WEIGHTS`.
    """
    weights = settings.ACCESS_SEGMENT_WEIGHTS
    poor, good = settings.ACCESS_LINK_NODE_RATIO_POOR, settings.ACCESS_LINK_NODE_RATIO_GOOD
    ratio = measures[link_node_column].to_numpy(dtype=float)
    perm = np.where(np.isnan(ratio), 0.5, _clip01((ratio - poor) / (good - poor)))
    depth = measures["dead_end_depth_m"].to_numpy(dtype=float)
    dead = measures["dead_end"].to_numpy(dtype=bool)
    single = measures["single_way_out"].to_numpy(dtype=bool)
    depth_part = 1.0 - _clip01(np.nan_to_num(depth, nan=0.0) / settings.ACCESS_DEAD_END_DEPTH)
    escape = np.where(dead, depth_part, np.where(single, 0.5, 1.0))
    doors = measures["doors_n"].to_numpy(dtype=float) > 0
    enclosed = measures["enclosed_share"].to_numpy(dtype=float)
    openness = 1.0 - enclosed * np.where(doors, 0.5, 1.0)
    total = sum(weights.values())
    score = (
        weights["permeability"] * perm + weights["escape"] * escape + weights["openness"] * openness
    ) / total
    return pd.Series(100.0 * _clip01(score), index=measures.index, name="access_score")


def site_score(measures: pd.DataFrame, categories: pd.Series) -> pd.Series:
    """
    Score each site 0-100 by the rule of its category.

    *Controlled* categories (:data:`~cpted.settings.ACCESS_CONTROLLED_CATEGORIES`: schools,
    kindergartens, playgrounds, stadiums) need a closed edge and controlled entries, with
    enough ways out: ``100 * (0.5 * defined_share + 0.3 * controlled_share + 0.2 *
    min(1, exits_n / ACCESS_MIN_EXITS))``, where ``controlled_share`` is the share of
    entries that are controlled (the defined share when no entry is mapped).

    *Open* categories (squares, pedestrian areas, parks, markets, stations, ...) need many
    open ways in, several ways out, no trap inside and a legible edge: ``100 * (0.35 *
    openness + 0.25 * min(1, (exits_n + walkable_open_n) / ACCESS_MIN_EXITS) + 0.2 *
    (1 - entrapment_share) + 0.2 * territorial_share)``. ``openness`` is the larger of
    ``min(1, open entries per 100 m / ACCESS_OPEN_ENTRIES_PER_100M)`` and the
    ``walkable_open_share`` (edge open alongside a sidewalk can be entered anywhere, and
    each such stretch is a way out); the entrapment here is the share of the paths inside
    with a single way out (paths with none are reached across the open surface), 0
    without paths inside.
    """
    controlled = categories.isin(list(settings.ACCESS_CONTROLLED_CATEGORIES)).to_numpy()
    defined = np.nan_to_num(measures["defined_share"].to_numpy(dtype=float))
    entries = measures["entries_n"].to_numpy(dtype=float)
    ctrl_n = measures["entries_controlled_n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ctrl_share = np.where(entries > 0, ctrl_n / entries, defined)
    exits = _clip01(measures["exits_n"].to_numpy(dtype=float) / settings.ACCESS_MIN_EXITS)
    closed = 0.5 * defined + 0.3 * ctrl_share + 0.2 * exits
    open_rate = measures["open_entries_per_100m"].to_numpy(dtype=float)
    open_part = _clip01(np.nan_to_num(open_rate) / settings.ACCESS_OPEN_ENTRIES_PER_100M)
    walk_share = np.nan_to_num(measures["walkable_open_share"].to_numpy(dtype=float))
    open_part = np.maximum(open_part, _clip01(walk_share))
    ways_out = measures["exits_n"].to_numpy(dtype=float) + measures["walkable_open_n"].to_numpy(
        dtype=float
    )
    open_exits = _clip01(ways_out / settings.ACCESS_MIN_EXITS)
    # Paths with no way out on the network inside an open space (a footway round a statue)
    # are reached across its open surface: only single ways out count as traps here.
    inside = measures["internal_path_m"].to_numpy(dtype=float)
    single = measures["entrapment_m"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        trapped = np.where(inside > 0, single / inside, 0.0)
    territory = np.nan_to_num(measures["territorial_share"].to_numpy(dtype=float))
    opened = 0.35 * open_part + 0.25 * open_exits + 0.2 * (1.0 - trapped) + 0.2 * territory
    score = np.where(controlled, closed, opened)
    return pd.Series(100.0 * _clip01(score), index=measures.index, name="access_score")
