"""Site perimeters: how much of each edge a barrier, a building or nothing defines."""

from __future__ import annotations

import itertools
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from cpted import settings
from cpted._errors import InputError
from cpted.access._common import (
    exterior_rings,
    interval_lines,
    layer,
    line_segments,
    sample_lines,
    segment_pairs,
    sites_frame,
    text_column,
    tolerance_value,
)

__all__ = ["edge_tables", "perimeter", "perimeter_parts", "territory"]

_KINDS = ("barrier", "building", "open")
_COS_45 = float(np.cos(np.pi / 4))


def _near_parallel(
    xy: np.ndarray,
    tangents: np.ndarray,
    segments: tuple[np.ndarray, np.ndarray],
    distance: float,
) -> np.ndarray:
    """
    Which sample points have a line within ``distance`` running along the edge there.

    ``segments`` are the two-point pieces of the lines (:func:`line_segments`). A line counts
    only where it runs within 45 degrees of the edge's direction and beside the point (not
    beyond one of its ends), so a fence that meets the edge at a right angle, the next side
    of a fenced corner or the last metres past a fence's end do not count.
    """
    mask = np.zeros(len(xy), dtype=bool)
    a, b = segments
    point, seg, t, _ = segment_pairs(xy, a, b, distance)
    if not len(point):
        return mask
    vector = b[seg] - a[seg]
    length = np.hypot(vector[:, 0], vector[:, 1])
    direction = vector / length[:, None]
    # Beside the segment, not beyond its end: a fence ending at x = 50 does not cover x = 52.
    along = np.maximum(0.0, np.maximum(-t, t - length))
    cos = np.abs(np.einsum("ij,ij->i", direction, tangents[point]))
    ok = (cos >= _COS_45) & (along < settings.ACCESS_EDGE_STEP / 2.0 - 1e-6)
    mask[point[ok]] = True
    return mask


def _near(xy: np.ndarray, geoms: np.ndarray, distance: float) -> np.ndarray:
    if not len(geoms) or not len(xy):
        return np.zeros(len(xy), dtype=bool)
    dist, _ = cKDTree(shapely.get_coordinates(geoms)).query(xy, distance_upper_bound=distance)
    return np.isfinite(dist) & (dist <= distance)


def _edge_barrier_lines(barriers: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    if not len(barriers):
        return line_segments(np.empty(0, dtype=object))
    kind = text_column(barriers, "barrier")
    geoms = barriers.geometry.to_numpy()
    keep = (shapely.get_type_id(geoms) == 1) & np.isin(kind, list(settings.ACCESS_EDGE_BARRIERS))
    return line_segments(geoms[keep])


def _building_lines(buildings: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    return line_segments(buildings.geometry.to_numpy())


def _symbolic_points(barriers: gpd.GeoDataFrame) -> np.ndarray:
    if not len(barriers):
        return np.empty(0, dtype=object)
    kind = text_column(barriers, "barrier")
    geoms = barriers.geometry.to_numpy()
    keep = (shapely.get_type_id(geoms) == 0) & np.isin(
        kind, list(settings.ACCESS_SYMBOLIC_BARRIERS | settings.ACCESS_GATE_BARRIERS)
    )
    return geoms[keep]


def _runs(mask: np.ndarray, at: np.ndarray, length: float) -> np.ndarray:
    """Turn runs of True samples into ring intervals (a sample stands for its share)."""
    if not mask.any():
        return np.empty((0, 2))
    half = length / len(mask) / 2.0
    edges = np.diff(np.r_[0, mask.astype(int), 0])
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1) - 1
    iv = np.c_[at[starts] - half, at[stops] + half]
    return np.clip(iv, 0.0, length)


def _classify(
    sites: Any,
    barriers: Any,
    buildings: Any,
    tolerance: float | None,
    streets: Any = None,
    walk_distance: float | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[dict[str, np.ndarray]], dict[str, Any]]:
    sites, crs = sites_frame(sites)
    streets = layer(streets, crs, what="streets", types={"LineString"})
    walk = tolerance_value(
        settings.ACCESS_EDGE_WALK_DISTANCE if walk_distance is None else walk_distance,
        name="walk_distance",
    )
    barriers = layer(barriers, crs, what="barriers", types={"Point", "LineString"})
    buildings = layer(buildings, crs, what="buildings", types={"Polygon", "MultiPolygon"})
    tol = tolerance_value(
        settings.ACCESS_EDGE_TOLERANCE if tolerance is None else tolerance, name="tolerance"
    )
    rings = exterior_rings(sites)
    ring_geoms = rings["ring"].to_numpy()
    owner, at, xy, tangents = sample_lines(ring_geoms, settings.ACCESS_EDGE_STEP)
    building_lines = _building_lines(buildings)
    is_barrier = _near_parallel(xy, tangents, _edge_barrier_lines(barriers), tol)
    is_building = _near_parallel(xy, tangents, building_lines, tol) & ~is_barrier
    is_open = ~(is_barrier | is_building)
    walkable = is_open & _near_parallel(
        xy, tangents, line_segments(streets.geometry.to_numpy()), walk
    )
    classes = []
    # Where each ring's samples start and stop; no rings (an area without public
    # spaces) have no samples and no bounds.
    bounds = (
        np.flatnonzero(np.r_[True, owner[1:] != owner[:-1], True])
        if len(owner)
        else np.zeros(1, int)
    )
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        length = ring_geoms[i].length
        classes.append(
            {
                "barrier": _runs(is_barrier[a:b], at[a:b], length),
                "building": _runs(is_building[a:b], at[a:b], length),
                "open": _runs(is_open[a:b], at[a:b], length),
                "walkable": _runs(walkable[a:b], at[a:b], length),
            }
        )
    samples = {
        "owner": owner,
        "at": at,
        "xy": xy,
        "tangents": tangents,
        "bounds": bounds,
        "tol": tol,
        "real": is_barrier | is_building,
        "barriers": barriers,
        "building_lines": building_lines,
    }
    return sites, rings, classes, samples


def _length(iv: np.ndarray) -> float:
    return float((iv[:, 1] - iv[:, 0]).sum()) if len(iv) else 0.0


def perimeter(
    sites: Any,
    *,
    barriers: Any = None,
    buildings: Any = None,
    streets: Any = None,
    tolerance: float | None = None,
    walk_distance: float | None = None,
) -> pd.DataFrame:
    """
    Measure how each site's edge is defined: by a barrier, by building faces, or not at all.

    The edge is the exterior ring of each site polygon (of every part of a MultiPolygon).
    A stretch of edge is *barrier* where a wall, fence, hedge, railing or other line barrier
    of :data:`cpted.settings.ACCESS_EDGE_BARRIERS` runs along it within ``tolerance``;
    *building* where a building face stands within ``tolerance`` (and no barrier); *open*
    otherwise. A barrier or face counts only where it runs within 45 degrees of the edge's
    direction, so a fence that meets the edge at a right angle, or the fence of the next
    side round a corner, does not define it. The edge is read at points every
    :data:`cpted.settings.ACCESS_EDGE_STEP` metres, so lengths are exact to within one step
    at each end of a stretch. Shares add up to 1.

    Given ``streets``, the open edge that runs alongside a walkable way (within
    ``walk_distance``, in the same direction) is measured too: along it a visitor can step
    in and out anywhere, as on a square bordered by a sidewalk, so each such stretch is a
    way in and out although no path crosses the edge.

    Parameters
    ----------
    sites
        Site polygons in a projected CRS (metres), e.g. ``area.sites``.
    barriers
        Barriers with a ``barrier`` column (OSM value); only lines are used here.
    buildings
        Building footprints.
    streets
        Walkable ways (``area.streets``), optional.
    tolerance
        How far a barrier or building may stand from the mapped edge, metres
        (default :data:`cpted.settings.ACCESS_EDGE_TOLERANCE`).
    walk_distance
        How far the centreline of a walkable way may run from the edge, metres
        (default :data:`cpted.settings.ACCESS_EDGE_WALK_DISTANCE`).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``: ``perimeter_m``, ``barrier_m``, ``building_m``, ``open_m``,
        their shares ``barrier_share``, ``building_share``, ``open_share``, the
        ``defined_share`` (barrier + building), ``gaps_n`` (open stretches),
        ``gap_max_m`` (the longest), ``walkable_open_m``, ``walkable_open_share`` and
        ``walkable_open_n`` (open stretches alongside a walkable way, of at least
        :data:`cpted.settings.ACCESS_ENTRY_MERGE` metres: a way in and out each).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> square = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=25833)
    >>> fence = gpd.GeoDataFrame({"barrier": ["fence"]},
    ...                          geometry=[box(0, 0, 100, 100).exterior], crs=25833)
    >>> perimeter(square, barriers=fence)[["perimeter_m", "defined_share"]]
       perimeter_m  defined_share
    0        400.0            1.0
    """
    sites, rings, classes, _ = _classify(
        sites, barriers, buildings, tolerance, streets, walk_distance
    )
    return _perimeter_table(sites, rings, classes)


#: The edge measures that mean nothing on a site that is only a building outline.
_EDGE_SHARES = (
    "barrier_share",
    "building_share",
    "open_share",
    "defined_share",
    "walkable_open_share",
    "territorial_share",
)


def _building_ground(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Sites whose ``ground`` is ``"building"`` (see :func:`cpted.area.site_ground`)."""
    if "ground" not in sites.columns:
        return np.zeros(len(sites), dtype=bool)
    return (sites["ground"].astype(object) == "building").to_numpy(dtype=bool)


def _blank_building_ground(sites: gpd.GeoDataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """
    Make the edge shares of building-ground sites NaN.

    A school mapped only as its building outline would otherwise be "100 % defined by
    building" by its own walls: it has no open ground whose edge could be fenced or
    watched, so how its edge is defined does not apply (it is judged as a building, by
    its entrances and frontage).
    """
    only_building = _building_ground(sites)
    if not only_building.any():
        return table
    for column in _EDGE_SHARES:
        if column in table.columns:
            table.loc[only_building, column] = np.nan
    if "defined_edge" in table.columns:
        table["defined_edge"] = table["defined_edge"].astype("boolean")
        table.loc[only_building, "defined_edge"] = pd.NA
    return table


def _perimeter_table(
    sites: gpd.GeoDataFrame, rings: pd.DataFrame, classes: list[dict[str, np.ndarray]]
) -> pd.DataFrame:
    n = len(sites)
    sums = {k: np.zeros(n) for k in (*_KINDS, "walkable", "perimeter")}
    gaps_n = np.zeros(n, dtype=int)
    walk_n = np.zeros(n, dtype=int)
    gap_max = np.zeros(n)
    for i, (pos, ring) in enumerate(zip(rings["pos"], rings["ring"], strict=True)):
        sums["perimeter"][pos] += ring.length
        for kind in (*_KINDS, "walkable"):
            sums[kind][pos] += _length(classes[i][kind])
        gaps = [g.length for g in interval_lines(ring, classes[i]["open"])]
        gaps_n[pos] += len(gaps)
        gap_max[pos] = max([gap_max[pos], *gaps])
        walks = [g.length for g in interval_lines(ring, classes[i]["walkable"])]
        walk_n[pos] += sum(w >= settings.ACCESS_ENTRY_MERGE for w in walks)
    total = sums["perimeter"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "perimeter_m": total,
                "barrier_m": sums["barrier"],
                "building_m": sums["building"],
                "open_m": sums["open"],
                "barrier_share": sums["barrier"] / total,
                "building_share": sums["building"] / total,
                "open_share": sums["open"] / total,
                "defined_share": (sums["barrier"] + sums["building"]) / total,
                "gaps_n": gaps_n,
                "gap_max_m": gap_max,
                "walkable_open_m": sums["walkable"],
                "walkable_open_share": sums["walkable"] / total,
                "walkable_open_n": walk_n,
            },
            index=sites.index,
        )
    return _blank_building_ground(sites, out)


def perimeter_parts(
    sites: Any,
    *,
    barriers: Any = None,
    buildings: Any = None,
    tolerance: float | None = None,
) -> gpd.GeoDataFrame:
    """
    Cut each site's edge into the stretches :func:`perimeter` measures, as lines.

    The open stretches are the gaps in the edge. Parameters are those of :func:`perimeter`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per stretch, index ``part``: ``site`` (the site's label), ``kind``
        (``"barrier"``, ``"building"`` or ``"open"``), ``length_m`` and a LineString, in the
        sites' CRS. Filter ``kind == "open"`` for the gaps.
    """
    sites, rings, classes, _ = _classify(sites, barriers, buildings, tolerance)
    return _parts_table(sites, rings, classes)


def _parts_table(
    sites: gpd.GeoDataFrame, rings: pd.DataFrame, classes: list[dict[str, np.ndarray]]
) -> gpd.GeoDataFrame:
    labels = sites.index.to_numpy()
    rows_site, rows_kind, geoms = [], [], []
    for i, (pos, ring) in enumerate(zip(rings["pos"], rings["ring"], strict=True)):
        for kind in _KINDS:
            for line in interval_lines(ring, classes[i][kind]):
                rows_site.append(labels[pos])
                rows_kind.append(kind)
                geoms.append(line)
    geo = np.array(geoms, dtype=object)
    out = gpd.GeoDataFrame(
        {
            "site": pd.Series(rows_site, dtype=sites.index.dtype),
            "kind": pd.Series(rows_kind, dtype=object),
            "length_m": shapely.length(geo) if len(geo) else np.empty(0),
        },
        geometry=gpd.GeoSeries(geo, crs=sites.crs),
    )
    out.index.name = "part"
    return out


def territory(
    sites: Any,
    *,
    barriers: Any = None,
    buildings: Any = None,
    tolerance: float | None = None,
    setback: float | None = None,
    reach: float | None = None,
    defined_share: float | None = None,
) -> pd.DataFrame:
    """
    Measure how clearly each site's edge marks a passage from public to private space.

    Newman's (1972) gradient of space runs public, semi-public, semi-private, private, and
    each step is marked by an edge: a real barrier (wall, fence, hedge, railing), a building
    line, a front garden in front of one, or a symbolic barrier a visitor can walk through
    (a row of bollards or planters, a gate post). The territorial share is the share of the
    edge marked by any of them: barriers within ``tolerance``, buildings within ``setback``
    (so a front garden still counts), point markers within ``reach`` along the edge.

    Parameters
    ----------
    sites, barriers, buildings, tolerance
        As in :func:`perimeter`.
    setback
        How far behind the edge a building line still marks it, metres
        (default :data:`cpted.settings.ACCESS_TERRITORY_SETBACK`).
    reach
        How far along the edge one bollard, planter or gate marks it, metres
        (default :data:`cpted.settings.ACCESS_SYMBOLIC_REACH`).
    defined_share
        Share of edge below which a site has no defined edge
        (default :data:`cpted.settings.ACCESS_DEFINED_EDGE_SHARE`).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``: ``territorial_m``, ``symbolic_m`` (marked only by point
        markers), ``territorial_share`` and ``defined_edge`` (bool: the share reaches
        ``defined_share``).
    """
    sites, rings, _, samples = _classify(sites, barriers, buildings, tolerance)
    return _territory_table(sites, rings, samples, setback, reach, defined_share)


def _territory_table(
    sites: gpd.GeoDataFrame,
    rings: pd.DataFrame,
    samples: dict[str, Any],
    setback: float | None,
    reach: float | None,
    defined_share: float | None,
) -> pd.DataFrame:
    depth = tolerance_value(
        settings.ACCESS_TERRITORY_SETBACK if setback is None else setback, name="setback"
    )
    marker = tolerance_value(
        settings.ACCESS_SYMBOLIC_REACH if reach is None else reach, name="reach"
    )
    threshold = float(
        settings.ACCESS_DEFINED_EDGE_SHARE if defined_share is None else defined_share
    )
    if not 0.0 <= threshold <= 1.0:
        msg = f"defined_share must be a share between 0 and 1, got {defined_share!r}."
        raise InputError(msg)
    xy, tangents = samples["xy"], samples["tangents"]
    setback_line = _near_parallel(
        xy, tangents, samples["building_lines"], max(depth, samples["tol"])
    )
    real = samples["real"] | setback_line
    # Markers are small: a single bollard marks its own reach, whatever its direction.
    symbolic = _near(xy, _symbolic_points(samples["barriers"]), marker) & ~real
    ring_geoms = rings["ring"].to_numpy()
    per_sample = ring_geoms[samples["owner"]]
    step = shapely.length(per_sample) / np.bincount(samples["owner"])[samples["owner"]]
    pos = rings["pos"].to_numpy()[samples["owner"]]
    n = len(sites)
    total = np.bincount(pos, weights=step, minlength=n)
    marked = np.bincount(pos, weights=step * (real | symbolic), minlength=n)
    sym_m = np.bincount(pos, weights=step * symbolic, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = marked / total
    table = pd.DataFrame(
        {
            "territorial_m": marked,
            "symbolic_m": sym_m,
            "territorial_share": share,
            "defined_edge": share >= threshold,
        },
        index=sites.index,
    )
    return _blank_building_ground(sites, table)


def edge_tables(
    sites: Any,
    *,
    barriers: Any,
    buildings: Any,
    streets: Any,
    tolerance: float | None,
) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """:func:`perimeter`, :func:`territory` and :func:`perimeter_parts` from one reading."""
    sites, rings, classes, samples = _classify(sites, barriers, buildings, tolerance, streets)
    return (
        _perimeter_table(sites, rings, classes),
        _territory_table(sites, rings, samples, None, None, None),
        _parts_table(sites, rings, classes),
    )
