"""
Natural access control and territorial reinforcement.

Access control guides people to where they are seen and keeps them from where they should
not be; territorial reinforcement makes clear who a space belongs to (Newman 1972, Crowe
2000). Both can be read from how a site's edge and its paths are built:

* per site: :func:`perimeter` (how much of the edge a barrier, a building or nothing
  defines, with the gaps as lines from :func:`perimeter_parts`), :func:`entry_points`
  (the ways in, controlled or open), :func:`escape_routes` and :func:`internal_paths`
  (ways out and entrapment on the walking network), :func:`territory` (a legible edge
  between public and private);
* per street segment: :func:`dead_ends` (cul-de-sacs and their depth, single ways out),
  :func:`alleys` (narrow passages between blank walls), :func:`permeability`
  (intersection density and link-to-node ratio);
* the scores: :func:`site_access` and :func:`segment_access` on plain GeoDataFrames,
  :func:`site_measures` and :func:`segment_measures` on a StudyArea (what
  :func:`cpted.audit` calls).

Every function takes GeoDataFrames in one projected CRS (metres) and returns a table
indexed like its input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from cpted import settings
from cpted._validate import check_area
from cpted.access._common import layer, sites_frame, streets_frame
from cpted.access._entries import (
    entries_and_pieces,
    entry_points,
    escape_routes,
    escape_table,
    internal_paths,
    pieces_frame,
)
from cpted.access._network import _permeability, alleys, dead_ends, permeability, radius_tag
from cpted.access._perimeter import edge_tables, perimeter, perimeter_parts, territory
from cpted.access._score import segment_score, site_score

if TYPE_CHECKING:
    from cpted._principle import AuditPart
    from cpted.area import StudyArea

__all__ = [
    "alleys",
    "audit_part",
    "dead_ends",
    "entry_points",
    "escape_routes",
    "internal_paths",
    "perimeter",
    "perimeter_parts",
    "permeability",
    "segment_access",
    "segment_measures",
    "site_access",
    "site_measures",
    "territory",
]


def site_access(
    sites: Any,
    *,
    streets: Any = None,
    barriers: Any = None,
    buildings: Any = None,
    entrances: Any = None,
    categories: pd.Series | None = None,
    tolerance: float | None = None,
    merge_distance: float | None = None,
) -> pd.DataFrame:
    """
    Measure and score access control and territory for each site.

    Combines :func:`perimeter`, :func:`entry_points`, :func:`escape_routes` and
    :func:`territory`, then scores each site by the rule of its category
    (``access_profile``): a school, kindergarten, playground or stadium
    (:data:`cpted.settings.ACCESS_CONTROLLED_CATEGORIES`) needs a defined edge with
    controlled entries and at least two ways out; a square, park, market or any other open
    space needs many open entries, two or more ways out, no trap inside and a legible
    edge. The formulas are in :func:`cpted.access._score.site_score`:

    - controlled: ``100 * (0.5 defined_share + 0.3 controlled share of entries +
      0.2 min(1, exits_n / 2))``;
    - open: ``100 * (0.35 openness + 0.25 min(1, ways out / 2) + 0.2 (1 - trapped) +
      0.2 territorial_share)``, openness the larger of ``min(1, open entries per 100 m /
      2)`` and the share of edge open alongside a walkable way, ways out the exits on the
      network plus the open stretches alongside a walkable way, trapped the share of the
      paths inside with a single way out.

    ``access_confidence`` (0-1) starts at 1 and drops by 0.3 when no barriers were given
    (an unmapped fence reads as an open edge), by 0.3 when no walkable way reaches the site
    (its path entries and exits are unknown), by 0.3 for a site mapped only as a point
    (``geometry_source == "point"``: its edge is a circle we drew) and by 0.2 when its
    category is unknown (the open rule is used).

    Parameters
    ----------
    sites
        Site polygons with a ``category`` column (``area.sites``), projected.
    streets, barriers, buildings, entrances
        The layers, as in :func:`entry_points`.
    categories
        Category per site, overriding ``sites["category"]``.
    tolerance, merge_distance
        As in :func:`entry_points`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``: the columns of :func:`perimeter`, entry counts
        (``entries_n``, ``entries_open_n``, ``entries_controlled_n``,
        ``entries_per_100m``, ``open_entries_per_100m``), the columns of
        :func:`escape_routes` and :func:`territory`, ``access_profile``
        (``"controlled"`` or ``"open"``), ``access_score`` and ``access_confidence``.
    """
    return _site_tables(
        sites,
        streets=streets,
        barriers=barriers,
        buildings=buildings,
        entrances=entrances,
        categories=categories,
        tolerance=tolerance,
        merge_distance=merge_distance,
    )[0]


def _site_tables(
    sites: Any,
    *,
    streets: Any,
    barriers: Any,
    buildings: Any,
    entrances: Any,
    categories: pd.Series | None,
    tolerance: float | None,
    merge_distance: float | None,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Site measures and scores, with the entries, inside pieces and edge parts."""
    sites_gdf, crs = sites_frame(sites)
    streets_in = None
    if streets is not None:
        streets_in, _ = streets_frame(streets)
        streets_in = layer(streets_in, crs, what="streets", types={"LineString"})
    barriers_gdf = layer(barriers, crs, what="barriers", types={"Point", "LineString"})
    per, terr, parts = edge_tables(
        sites_gdf,
        barriers=barriers_gdf,
        buildings=buildings,
        streets=streets_in,
        tolerance=tolerance,
    )
    _, entries, pieces, _ = entries_and_pieces(
        sites_gdf, streets_in, barriers_gdf, entrances, buildings, tolerance, merge_distance
    )
    esc = escape_table(sites_gdf, entries, pieces)
    n = len(sites_gdf)
    pos = entries["pos"].to_numpy(dtype=int)
    ctrl = entries["controlled"].to_numpy(dtype=bool)
    count = np.bincount(pos, minlength=n)
    count_ctrl = np.bincount(pos[ctrl], minlength=n)
    length = per["perimeter_m"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ent = pd.DataFrame(
            {
                "entries_n": count,
                "entries_open_n": count - count_ctrl,
                "entries_controlled_n": count_ctrl,
                "entries_per_100m": 100.0 * count / length,
                "open_entries_per_100m": 100.0 * (count - count_ctrl) / length,
            },
            index=sites_gdf.index,
        )
    out = pd.concat([per, ent, esc, terr], axis=1)
    if categories is None:
        if "category" in sites_gdf.columns:
            categories = sites_gdf["category"]
        else:
            categories = pd.Series(None, index=sites_gdf.index, dtype=object)
    categories = pd.Series(categories, index=sites_gdf.index).astype(object)
    out["access_profile"] = np.where(
        categories.isin(list(settings.ACCESS_CONTROLLED_CATEGORIES)), "controlled", "open"
    )
    out["access_score"] = site_score(out, categories)
    confidence = np.ones(n)
    if not len(barriers_gdf):
        confidence -= 0.3
    reached = np.zeros(n, dtype=bool)
    if len(pieces):
        reached[pieces["pos"].to_numpy(dtype=int)] = True
    reached[pos[entries["on_network"].to_numpy(dtype=bool)]] = True
    confidence -= 0.3 * ~reached
    if "geometry_source" in sites_gdf.columns:
        confidence -= 0.3 * (sites_gdf["geometry_source"].astype(str) == "point").to_numpy()
    confidence -= 0.2 * ~categories.isin(list(settings.SITE_CATEGORIES)).to_numpy()
    out["access_confidence"] = np.clip(confidence, 0.0, 1.0)
    return out, entries, pieces, parts


def segment_access(
    streets: Any,
    *,
    buildings: Any = None,
    barriers: Any = None,
    entrances: Any = None,
    boundary: Any = None,
    radius: float | None = None,
    cuts: Any = None,
) -> pd.DataFrame:
    """
    Measure and score access and escape for each street segment.

    Combines :func:`dead_ends`, :func:`alleys` and :func:`permeability` and scores each
    segment 0-100: ``100 * (0.4 permeability + 0.4 escape + 0.2 openness)`` (weights in
    :data:`cpted.settings.ACCESS_SEGMENT_WEIGHTS`), where permeability scales the
    link-to-node ratio from 1.0 (0) to 1.4 (1), escape is 1 with two or more ways out,
    falls to 0 on a dead end 100 m deep and is 0.5 on any other single way out, and
    openness is 1 minus the share of the segment enclosed between walls (half that penalty
    when doors open onto it). See :func:`cpted.access._score.segment_score`.

    ``access_confidence`` (0-1) drops by 0.3 on segments cut by the study-area boundary
    (their dead ends and permeability see only part of the network) and by 0.2 when neither
    buildings nor barriers were given (alleys cannot be seen).

    Parameters
    ----------
    streets
        Street segments (``area.streets``) or a projected osmnx graph.
    buildings, barriers, entrances
        Layers that line passages and open onto them.
    boundary
        Where the data ends (``area.footprint``).
    radius
        Radius of the permeability measures, metres (default
        :data:`cpted.settings.ACCESS_PERMEABILITY_RADIUS`).
    cuts
        Node ids where the data cut the network (see :func:`dead_ends`).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``streets``: the columns of :func:`dead_ends`, :func:`alleys` and
        :func:`permeability`, ``access_score`` and ``access_confidence``.
    """
    return _segment_access(
        streets,
        buildings=buildings,
        barriers=barriers,
        entrances=entrances,
        boundary=boundary,
        radius=radius,
        cuts=cuts,
    )


def _segment_access(
    streets: Any,
    *,
    buildings: Any,
    barriers: Any,
    entrances: Any,
    boundary: Any,
    radius: float | None,
    cuts: Any,
    segments: pd.Index | None = None,
) -> pd.DataFrame:
    """:func:`segment_access` of every segment, or of the ``segments`` (labels) only."""
    streets_gdf, crs = streets_frame(streets)
    buildings_gdf = layer(buildings, crs, what="buildings", types={"Polygon", "MultiPolygon"})
    barriers_gdf = layer(barriers, crs, what="barriers", types={"Point", "LineString"})
    r = settings.ACCESS_PERMEABILITY_RADIUS if radius is None else radius
    # dead ends and bridges are properties of the whole network; alleys and the
    # neighbourhoods of permeability are measured on the kept segments only
    rows = None if segments is None else np.flatnonzero(streets_gdf.index.isin(segments))
    kept = streets_gdf if rows is None else streets_gdf.iloc[rows]
    dead = dead_ends(streets_gdf, boundary=boundary, cuts=cuts)
    if rows is not None:
        dead = dead.iloc[rows]
    ally = alleys(kept, buildings=buildings_gdf, barriers=barriers_gdf, entrances=entrances)
    perm = _permeability(streets_gdf, radius=r, boundary=boundary, cuts=cuts, rows=rows)
    out = pd.concat([dead, ally, perm], axis=1)
    out["access_score"] = segment_score(
        out, link_node_column=f"link_node_ratio_{radius_tag(float(r))}"
    )
    confidence = 1.0 - 0.3 * out["at_boundary"].to_numpy(dtype=float)
    if not len(buildings_gdf) and not len(barriers_gdf):
        confidence = confidence - 0.2
    out["access_confidence"] = np.clip(confidence, 0.0, 1.0)
    return out


def _streets_with_access(area: StudyArea) -> gpd.GeoDataFrame:
    """``area.streets`` with the ``access`` and ``foot`` tags of their graph edges."""
    streets = area.streets
    access: dict[int, Any] = {}
    foot: dict[int, Any] = {}
    for _, _, data in area.graph.edges(data=True):
        segment = data.get("segment")
        if segment is None:
            continue
        if data.get("access") is not None:
            access[segment] = data["access"]
        if data.get("foot") is not None:
            foot[segment] = data["foot"]
    streets = streets.copy()
    streets["access"] = pd.Series(access, dtype=object).reindex(streets.index)
    streets["foot"] = pd.Series(foot, dtype=object).reindex(streets.index)
    return streets


def site_measures(area: StudyArea) -> pd.DataFrame:
    """
    Access control and territory of every site of a study area.

    :func:`site_access` on the area's layers; the walkable ways carry the ``access`` and
    ``foot`` tags of the graph so a private path's crossing counts as controlled.

    Parameters
    ----------
    area
        The study area.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.sites``; see :func:`site_access`.
    """
    check_area(area)
    return site_access(
        area.sites,
        streets=_streets_with_access(area),
        barriers=area.barriers,
        buildings=area.buildings,
        entrances=area.entrances,
    )


def _cut_nodes(area: StudyArea) -> list[Any]:
    """Return the graph nodes where the extract or the boundary cut a way (marked ``cut``)."""
    return [n for n, d in area.graph.nodes(data=True) if d.get("cut")]


def audit_part(area: StudyArea, *, context: Any = None) -> AuditPart:
    """
    Measure access control and territory of a study area for :func:`cpted.audit`.

    Parameters
    ----------
    area
        The study area.
    context
        The audit's :class:`~cpted._context.AuditContext`; when it names the rows the
        caller keeps (a tile's own), only those segments and sites are measured, on the
        whole network and every feature of ``area``.

    Returns
    -------
    cpted.audit.AuditPart
        ``segments`` (:func:`segment_measures`), ``sites`` (:func:`site_measures`) and the
        map layers ``access_perimeter`` (the site edges cut by how they are defined, from
        :func:`perimeter_parts`), ``access_entries`` (:func:`entry_points`) and
        ``access_entrapment`` (paths inside sites with one way out or none, from
        :func:`internal_paths`).
    """
    check_area(area)
    from cpted._principle import AuditPart

    rows = getattr(context, "rows", None)
    segments, kept = (None, None) if rows is None else rows
    # each site is measured on its own edge against every layer: the other sites play
    # no part, so a tile measures only its own
    sites = area.sites if kept is None else area.sites.loc[area.sites.index.isin(kept)]
    streets = _streets_with_access(area)
    table, entries, pieces, parts = _site_tables(
        sites,
        streets=streets,
        barriers=area.barriers,
        buildings=area.buildings,
        entrances=area.entrances,
        categories=None,
        tolerance=None,
        merge_distance=None,
    )
    if "name" in sites.columns:
        parts["name"] = sites["name"].reindex(parts["site"]).to_numpy()
    inside = pieces_frame(sites_frame(sites)[0], entries, pieces, streets.index)
    return AuditPart(
        segments=_segment_measures(area, segments),
        sites=table,
        layers={
            "access_perimeter": parts,
            "access_entries": entries.drop(columns="pos"),
            "access_entrapment": inside[inside["ways_out"] < 2],
        },
    )


def segment_measures(area: StudyArea) -> pd.DataFrame:
    """
    Dead ends, alleys, permeability and the access score of every street segment.

    :func:`segment_access` on the area's layers. Where the data ends is the area's
    ``footprint``, not its ``boundary``: an extract whose data stops short of the boundary
    (an Overpass export of whole ways around a core, as the Neukölln sample) has ways that
    run on beyond the mapped buildings into streets it does not hold, and their ends there
    are no dead ends; so are the nodes where the extract cut a way (graph nodes marked
    ``cut`` by :func:`cpted.area_from_file`).

    Parameters
    ----------
    area
        The study area.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``; see :func:`segment_access`.
    """
    check_area(area)
    return _segment_measures(area)


def _segment_measures(area: StudyArea, segments: pd.Index | None = None) -> pd.DataFrame:
    """:func:`segment_measures` of every segment, or of the ``segments`` (labels) only."""
    return _segment_access(
        area.streets,
        buildings=area.buildings,
        barriers=area.barriers,
        entrances=area.entrances,
        boundary=area.footprint,
        radius=None,
        cuts=_cut_nodes(area),
        segments=segments,
    )
