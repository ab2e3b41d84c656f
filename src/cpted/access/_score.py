"""The access scores: the parts of the registry (:mod:`cpted._principle`) on the measures."""

from __future__ import annotations

import pandas as pd

from cpted import settings

__all__ = ["segment_score", "site_score"]


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
    from cpted._principle import score

    table = measures
    expected = f"link_node_ratio_{settings.ACCESS_PERMEABILITY_RADIUS:.0f}"
    if link_node_column != expected and link_node_column in measures:
        table = measures.assign(**{expected: measures[link_node_column]})
    return score(table, "access", "segment").clip(0, 100).rename("access_score")


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
    from cpted._principle import score

    table = measures.assign(category=pd.Series(categories, index=measures.index).to_numpy())
    return score(table, "access", "site").clip(0, 100).rename("access_score")
