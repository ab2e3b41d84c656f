"""Frontage and entrances: the windows and doors that overlook each street segment.

Each segment is sampled every ``settings.FRONTAGE_STEP`` metres; from each sample a ray
runs square to the segment, to each side, for ``distance`` metres. The first thing the
ray meets decides what that stretch of street is flanked by on that side:

* ``frontage``: the face of a building that faces the street (its normal within
  ``settings.FRONTAGE_MAX_ANGLE`` of the ray) and is not of a windowless kind;
* ``blank``: a building of a windowless kind (garages, sheds, warehouses, ...; see
  ``settings.BLANK_BUILDINGS``) or a face seen edge-on;
* ``fence``: an opaque barrier (wall, solid fence, hedge) that hides what is behind it;
* ``open``: nothing within the distance (an empty lot, a car park, a wide open space).

The intersections are computed exactly (ray against every wall segment near it); only
the sampling along the street is discrete, so shares are exact to one step.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpted import settings

__all__ = ["CLASSES", "entrances_facing", "frontage_rays", "obstacle_edges"]

CLASSES = ("frontage", "blank", "fence", "open")


def storeys(buildings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Storeys of each building (at least 1) and whether they were estimated."""
    levels = pd.to_numeric(buildings.get("levels"), errors="coerce").to_numpy(float)
    height = pd.to_numeric(buildings.get("height"), errors="coerce").to_numpy(float)
    from_height = np.round(height / settings.STOREY_HEIGHT)
    value = np.where(np.isfinite(levels), levels, from_height)
    value = np.where(np.isfinite(value), value, settings.DEFAULT_LEVELS)
    source = buildings.get("height_source")
    estimated = (
        np.asarray(source == "default", dtype=bool)
        if source is not None
        else ~np.isfinite(levels) & ~np.isfinite(height)
    )
    return np.maximum(value, 1.0), estimated


def is_blank(buildings: pd.DataFrame) -> np.ndarray:
    """Whether each building is of a kind with no windows on the street."""
    kind = buildings.get("building", pd.Series(index=buildings.index, dtype=object))
    use = buildings.get("use", pd.Series(index=buildings.index, dtype=object))
    blank = settings.BLANK_BUILDINGS
    return np.asarray(kind.isin(blank) | (use.isin(blank) & kind.isin({"yes", None})), dtype=bool)


def _line_edges(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-point edges (n, 4) of (multi)line geometries and the geometry each comes from."""
    parts, part_of = shapely.get_parts(lines, return_index=True)
    coords, coord_of = shapely.get_coordinates(parts, return_index=True)
    same = coord_of[1:] == coord_of[:-1]
    edges = np.column_stack([coords[:-1][same], coords[1:][same]])
    owner = part_of[coord_of[:-1][same]]
    keep = np.hypot(edges[:, 2] - edges[:, 0], edges[:, 3] - edges[:, 1]) > 1e-9
    return edges[keep], owner[keep]


def obstacle_edges(buildings: gpd.GeoDataFrame, barriers: gpd.GeoDataFrame) -> dict[str, Any]:
    """Wall edges of buildings and of opaque barriers, with what each edge belongs to."""
    b_edges, b_owner = _line_edges(shapely.boundary(buildings.geometry.to_numpy()))
    f_edges, f_owner = np.empty((0, 4)), np.empty(0, dtype=np.int64)
    if len(barriers):
        opaque = barriers.get("opaque", pd.Series(False, index=barriers.index))
        tall = pd.to_numeric(barriers.get("height"), errors="coerce").fillna(
            settings.CONCEALMENT_HEIGHT
        )
        keep = (
            opaque.fillna(False).astype(bool).to_numpy()
            & (tall >= settings.CONCEALMENT_HEIGHT).to_numpy()
            & barriers.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
        )
        if keep.any():
            f_edges, f_owner = _line_edges(barriers.geometry.to_numpy()[keep])
            f_owner = np.flatnonzero(keep)[f_owner]
    edges = np.vstack([b_edges, f_edges])
    kind = np.r_[np.zeros(len(b_edges), dtype=np.int8), np.ones(len(f_edges), dtype=np.int8)]
    owner = np.r_[b_owner, f_owner].astype(np.int64)
    tree = shapely.STRtree(shapely.linestrings(edges.reshape(-1, 2, 2))) if len(edges) else None
    return {"edges": edges, "kind": kind, "owner": owner, "tree": tree}


def _samples(streets: gpd.GeoDataFrame, step: float) -> dict[str, np.ndarray]:
    """Sample points along each segment, with their unit tangent and the length each holds."""
    geoms = streets.geometry.to_numpy()
    length = shapely.length(geoms)
    n = np.maximum(1, np.ceil(length / step)).astype(np.int64)
    seg = np.repeat(np.arange(len(geoms)), n)
    first = np.repeat(np.cumsum(n) - n, n)
    i = np.arange(len(seg)) - first
    spacing = (length / n)[seg]
    at = (i + 0.5) * spacing
    lines = geoms[seg]
    points = shapely.get_coordinates(shapely.line_interpolate_point(lines, at))
    half = np.minimum(0.5, spacing / 2)
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(lines, at + half))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(lines, at - half))
    tangent = ahead - behind
    norm = np.hypot(tangent[:, 0], tangent[:, 1])
    norm[norm == 0] = 1.0
    tangent = tangent / norm[:, None]
    return {"seg": seg, "xy": points, "tangent": tangent, "weight": spacing}


def frontage_rays(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    obstacles: dict[str, Any],
    *,
    distance: float,
    step: float,
) -> pd.DataFrame:
    """
    Classify the first thing met square to each side of each street sample.

    Returns
    -------
    pandas.DataFrame
        One row per ray: ``seg`` (row position in ``streets``), ``side`` (0 left, 1
        right of the segment's drawing direction), ``weight`` (metres of street the
        sample stands for), ``cls`` (index into :data:`CLASSES`), ``building`` (row
        position of the building met, -1 if none) and ``hit_m``.
    """
    s = _samples(streets, step)
    n = len(s["seg"])
    left = np.column_stack([-s["tangent"][:, 1], s["tangent"][:, 0]])
    origin = np.vstack([s["xy"], s["xy"]])
    direction = np.vstack([left, -left]) * distance
    side = np.r_[np.zeros(n, dtype=np.int8), np.ones(n, dtype=np.int8)]
    seg = np.r_[s["seg"], s["seg"]]
    weight = np.r_[s["weight"], s["weight"]]
    best_t = np.full(2 * n, np.inf)
    best_edge = np.full(2 * n, -1, dtype=np.int64)
    tree = obstacles["tree"]
    if tree is not None and n:
        rays = shapely.linestrings(np.stack([origin, origin + direction], axis=1))
        ray_i, edge_i = tree.query(rays, predicate="intersects")
        e = obstacles["edges"][edge_i]
        o = origin[ray_i]
        d = direction[ray_i]
        ex, ey = e[:, 2] - e[:, 0], e[:, 3] - e[:, 1]
        denom = d[:, 0] * ey - d[:, 1] * ex
        qx, qy = e[:, 0] - o[:, 0], e[:, 1] - o[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qx * ey - qy * ex) / denom
        # a ray running along a wall (parallel, touching) meets it at its nearer end
        parallel = ~np.isfinite(t)
        if parallel.any():
            d_len2 = (d[parallel] ** 2).sum(axis=1)
            t0 = (qx[parallel] * d[parallel, 0] + qy[parallel] * d[parallel, 1]) / d_len2
            t1 = (
                (e[parallel, 2] - o[parallel, 0]) * d[parallel, 0]
                + (e[parallel, 3] - o[parallel, 1]) * d[parallel, 1]
            ) / d_len2
            t[parallel] = np.clip(np.minimum(t0, t1), 0.0, 1.0)
        t = np.clip(t, 0.0, 1.0)
        # Ties (a ray through the corner where two walls meet) go to the lower edge
        # number, not to the order the spatial index happens to return them in: that
        # order changes when any obstacle is added or removed elsewhere.
        order = np.lexsort((edge_i, t, ray_i))
        first = np.ones(len(order), dtype=bool)
        first[1:] = ray_i[order][1:] != ray_i[order][:-1]
        chosen = order[first]
        best_t[ray_i[chosen]] = t[chosen]
        best_edge[ray_i[chosen]] = edge_i[chosen]
    hit = best_edge >= 0
    cls = np.full(2 * n, CLASSES.index("open"), dtype=np.int8)
    building = np.full(2 * n, -1, dtype=np.int64)
    if hit.any():
        kind = obstacles["kind"][best_edge[hit]]
        owner = obstacles["owner"][best_edge[hit]]
        e = obstacles["edges"][best_edge[hit]]
        d = direction[hit]
        ex, ey = e[:, 2] - e[:, 0], e[:, 3] - e[:, 1]
        cos = np.abs(ex * d[:, 1] - ey * d[:, 0]) / (np.hypot(ex, ey) * np.hypot(d[:, 0], d[:, 1]))
        facing = cos >= math.cos(math.radians(settings.FRONTAGE_MAX_ANGLE))
        blank_building = is_blank(buildings)
        is_building = kind == 0
        b_blank = np.zeros(len(owner), dtype=bool)
        b_blank[is_building] = blank_building[owner[is_building]]
        hit_cls = np.where(
            ~is_building,
            CLASSES.index("fence"),
            np.where(facing & ~b_blank, CLASSES.index("frontage"), CLASSES.index("blank")),
        )
        cls[hit] = hit_cls
        building[hit] = np.where(is_building, owner, -1)
    return pd.DataFrame(
        {
            "seg": seg,
            "side": side,
            "weight": weight,
            "cls": cls,
            "building": building,
            "hit_m": np.where(hit, best_t * distance, np.nan),
        }
    )


def entrances_facing(
    streets: gpd.GeoDataFrame,
    entrances: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    distance: float,
) -> np.ndarray:
    """
    Pairs (entrance row, street row) of doors within ``distance`` that face the segment.

    An entrance faces a segment when the straight line from it to the nearest point of
    the segment crosses no building: a door on the far side of its own building is
    hidden by that building.
    """
    if not len(entrances) or not len(streets):
        return np.empty((2, 0), dtype=np.int64)
    kinds = entrances.get("entrance", pd.Series("secondary", index=entrances.index))
    usable = ~kinds.isin(settings.ENTRANCES_NOT_COUNTED).to_numpy()
    points = entrances.geometry.to_numpy()
    tree = shapely.STRtree(streets.geometry.to_numpy())
    ent_i, seg_i = tree.query(points, predicate="dwithin", distance=distance)
    keep = usable[ent_i]
    ent_i, seg_i = ent_i[keep], seg_i[keep]
    if not len(ent_i):
        return np.empty((2, 0), dtype=np.int64)
    lines = shapely.shortest_line(points[ent_i], streets.geometry.to_numpy()[seg_i])
    # start just off the door, so the wall it stands on does not count as in the way
    length = shapely.length(lines)
    start = np.minimum(settings.ENTRANCE_OFFSET, length / 2)
    sub = shapely.line_interpolate_point(lines, start)
    end = shapely.get_coordinates(shapely.get_point(lines, 1))
    sight = shapely.linestrings(np.stack([shapely.get_coordinates(sub), end], axis=1))
    blocked = np.zeros(len(ent_i), dtype=bool)
    if len(buildings):
        btree = shapely.STRtree(buildings.geometry.to_numpy())
        hit_i, _ = btree.query(sight, predicate="intersects")
        blocked[hit_i] = True
    return np.vstack([ent_i[~blocked], seg_i[~blocked]])
