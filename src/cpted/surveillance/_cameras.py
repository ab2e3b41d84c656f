"""Camera coverage from exact isovists, and the privacy check of what cameras see."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from cpted import settings
from cpted._errors import InputError

__all__ = ["camera_views"]

# Offsets tried, in metres, to move a camera mapped on or inside a wall into the open.
_NUDGES = (0.3, 0.75, 1.5, 3.0)
_NUDGE_DIRECTIONS = 16


def _range(camera_type: object, surveillance_type: object) -> float:
    ranges = settings.CAMERA_RANGES
    if isinstance(surveillance_type, str) and surveillance_type.upper() == "ALPR":
        return float(ranges["ALPR"])
    if isinstance(camera_type, str) and camera_type in ranges:
        return float(ranges[camera_type])
    return float(ranges["default"])


def _ring(engine: Any, xy: np.ndarray, direction: float) -> np.ndarray | None:
    """Find the nearest open point on rings around ``xy`` (the view side tried first)."""
    start = 0.0 if math.isnan(direction) else math.radians(90.0 - direction)
    angles = start + np.arange(_NUDGE_DIRECTIONS) * 2 * math.pi / _NUDGE_DIRECTIONS
    for r in _NUDGES:
        candidates = xy + r * np.column_stack([np.cos(angles), np.sin(angles)])
        free = ~engine.on_obstacle(candidates)
        if free.any():
            return candidates[int(np.argmax(free))]
    return None


def _free_origin(
    engine: Any, xy: np.ndarray, direction: float, obstacles: np.ndarray
) -> np.ndarray | None:
    """
    Return the camera point if it is in the open, else the nearest open point.

    A camera mapped on a façade sits on the wall line; one mapped inside a footprint is
    taken out through the nearest wall (it watches the street in front of it).
    """
    if not engine.on_obstacle(xy[None, :])[0]:
        return xy
    found = _ring(engine, xy, direction)
    if found is not None:
        return found
    point = shapely.Point(xy)
    holders = obstacles[shapely.contains(obstacles, point)]
    if not len(holders):
        return None
    wall = shapely.boundary(shapely.union_all(holders))
    exit_point = shapely.get_coordinates(shapely.shortest_line(point, wall))[-1]
    return _ring(engine, exit_point, direction)


def camera_views(area: Any, *, engine: Any = None) -> gpd.GeoDataFrame:
    """
    Coverage polygon and privacy flags of every camera; see ``cameras`` in the package.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed like ``area.cameras``.
    """
    from cpted.sightlines import IsovistEngine, obstacles

    cameras = area.cameras
    n = len(cameras)
    out = pd.DataFrame(index=cameras.index)
    kind = cameras.get("surveillance_type", pd.Series("camera", index=cameras.index))
    kind = kind.fillna("camera").astype(str)
    where = cameras.get("surveillance", pd.Series(None, index=cameras.index, dtype=object))
    watches = (~kind.str.lower().isin({"guard"})) & (where.fillna("").astype(str) != "indoor")
    nan = pd.Series(np.nan, index=cameras.index)
    direction = pd.to_numeric(cameras.get("direction", nan), errors="coerce").to_numpy(float)
    known = cameras.get("direction_known")
    known_arr = (
        np.asarray(known.fillna(False), dtype=bool) if known is not None else np.isfinite(direction)
    )
    fov = pd.to_numeric(cameras.get("fov", nan), errors="coerce").to_numpy(float)
    fov = np.where(np.isfinite(fov), fov, settings.CAMERA_FOV)
    fov = np.where(known_arr, fov, 360.0)
    ranges = np.array(
        [
            _range(c, s)
            for c, s in zip(
                cameras.get("camera_type", pd.Series(None, index=cameras.index)),
                kind,
                strict=True,
            )
        ],
        dtype=float,
    )
    geoms = np.full(n, Polygon(), dtype=object)
    placed = np.zeros(n, dtype=bool)
    moved = np.full(n, np.nan)
    if n and watches.any():
        # what a camera cannot see through is what hides a walker: the same obstacles
        blocking = obstacles(area) if engine is None else engine.geometries
        if engine is None:
            engine = IsovistEngine(blocking) if len(blocking) else IsovistEngine([])
        xy = shapely.get_coordinates(cameras.geometry.to_numpy())
        polygons = np.asarray(blocking.to_numpy() if hasattr(blocking, "to_numpy") else blocking)
        polygons = polygons[shapely.get_type_id(polygons) >= 3]
        for i in np.flatnonzero(watches.to_numpy()):
            origin = _free_origin(engine, xy[i], direction[i], polygons)
            if origin is None:
                continue
            moved[i] = float(np.hypot(*(origin - xy[i])))
            try:
                if known_arr[i] and fov[i] < 360.0:
                    view = engine.isovist(
                        origin, radius=ranges[i], fov=fov[i], direction=direction[i]
                    )
                else:
                    view = engine.isovist(origin, radius=ranges[i])
            except InputError:
                continue
            geoms[i] = view
            placed[i] = True
    out["watches"] = watches.to_numpy() & placed
    out["range_m"] = ranges
    out["fov"] = fov
    out["omnidirectional"] = ~known_arr
    out["moved_m"] = moved
    out["coverage_m2"] = shapely.area(geoms)
    out = out.join(_privacy(area, geoms, cameras))
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, index=cameras.index), crs=area.crs)


def _facades_seen(
    homes: np.ndarray, geoms: np.ndarray, nonempty: np.ndarray, cameras: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """
    Measure the home walls each view sees face on: (camera rows, metres) to add up.

    A wall piece counts when it lies on the view (within
    ``settings.PRIVACY_FACADE_TOLERANCE``) and faces the camera: its outward normal within
    ``settings.FRONTAGE_MAX_ANGLE`` of the line to the camera, so a wall that the view
    only grazes edge-on does not count. The building the camera hangs on is left out.
    """
    from cpted.surveillance._frontage import _line_edges

    edges, owner = _line_edges(shapely.boundary(homes))
    mid = (edges[:, :2] + edges[:, 2:]) / 2
    dx, dy = edges[:, 2] - edges[:, 0], edges[:, 3] - edges[:, 1]
    length = np.hypot(dx, dy)
    normal = np.column_stack([dy, -dx]) / length[:, None]
    probe = mid + normal * 0.01
    inward = shapely.contains_xy(homes[owner], probe[:, 0], probe[:, 1])
    normal[inward] *= -1
    lines = shapely.linestrings(edges.reshape(-1, 2, 2))
    views = shapely.buffer(geoms[nonempty], settings.PRIVACY_FACADE_TOLERANCE)
    view_i, edge_i = shapely.STRtree(lines).query(views, predicate="intersects")
    cam_xy = shapely.get_coordinates(cameras.geometry.to_numpy()[nonempty])[view_i]
    pieces = shapely.intersection(lines[edge_i], views[view_i])
    seen = shapely.length(pieces)
    some = seen > 0
    view_i, edge_i, pieces, seen, cam_xy = (
        view_i[some],
        edge_i[some],
        pieces[some],
        seen[some],
        cam_xy[some],
    )
    centre = shapely.get_coordinates(shapely.centroid(pieces))
    to_cam = cam_xy - centre
    dist = np.hypot(to_cam[:, 0], to_cam[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (to_cam * normal[edge_i]).sum(axis=1) / dist
    facing = cos >= math.cos(math.radians(settings.FRONTAGE_MAX_ANGLE))
    host = (
        shapely.distance(cameras.geometry.to_numpy()[nonempty][view_i], homes[owner[edge_i]])
        <= settings.CAMERA_HOST_DISTANCE
    )
    keep = facing & ~host
    return nonempty[view_i[keep]], seen[keep]


def _privacy(area: Any, geoms: np.ndarray, cameras: gpd.GeoDataFrame) -> pd.DataFrame:
    """Measure the private ground each view covers: home façades, private sites, schools."""
    n = len(cameras)
    facade = np.zeros(n)
    private = np.zeros(n)
    school = np.zeros(n)
    nonempty = np.flatnonzero(~shapely.is_empty(geoms)) if n else np.empty(0, dtype=int)
    buildings = area.buildings
    if len(nonempty) and len(buildings):
        residential = settings.RESIDENTIAL_BUILDINGS
        is_home = (
            buildings.get("building", pd.Series(index=buildings.index)).isin(residential)
            | buildings.get("use", pd.Series(index=buildings.index)).isin(residential)
        ).to_numpy()
        homes = buildings.geometry.to_numpy()[is_home]
        if len(homes):
            np.add.at(facade, *_facades_seen(homes, geoms, nonempty, cameras))
    sites = area.sites
    if len(nonempty) and len(sites):
        access = sites.get("access", pd.Series(None, index=sites.index)).fillna("").astype(str)
        category = sites.get("category", pd.Series(None, index=sites.index))
        for target, mask in (
            (private, access.isin(settings.PRIVATE_ACCESS).to_numpy()),
            (school, category.isin(settings.PRIVACY_SITE_CATEGORIES).to_numpy()),
        ):
            ground = sites.geometry.to_numpy()[mask]
            if not len(ground):
                continue
            tree = shapely.STRtree(ground)
            cam_i, site_i = tree.query(geoms[nonempty], predicate="intersects")
            covered = shapely.area(shapely.intersection(geoms[nonempty][cam_i], ground[site_i]))
            np.add.at(target, nonempty[cam_i], covered)
    out = pd.DataFrame(
        {
            "private_facade_m": facade,
            "private_ground_m2": private,
            "school_ground_m2": school,
        },
        index=cameras.index,
    )
    out["privacy_flag"] = (
        (out["private_facade_m"] >= settings.PRIVACY_MIN_FACADE)
        | (out["private_ground_m2"] >= settings.PRIVACY_MIN_AREA)
        | (out["school_ground_m2"] >= settings.PRIVACY_MIN_AREA)
    )
    return out
