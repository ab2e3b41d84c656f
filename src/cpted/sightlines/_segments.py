"""What a walker sees along every street segment: isovists at face and recognition distance."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numba import njit

from cpted import settings
from cpted._errors import InputError
from cpted._principle import score
from cpted.sightlines import _star
from cpted.sightlines._isovist import IsovistEngine, _arc_vertices

if TYPE_CHECKING:
    from cpted._context import AuditContext
    from cpted.area import StudyArea

__all__ = [
    "SEGMENT_COLUMNS",
    "audit_part",
    "obstacles",
    "segment_measures",
    "viewpoint_isovists",
]

#: The columns of :func:`segment_measures`, in order.
SEGMENT_COLUMNS = (
    "isovist_area_mean_25",
    "isovist_area_min_25",
    "isovist_area_mean_50",
    "isovist_area_min_50",
    "visible_share_25",
    "sightline_uv_m",
    "sightline_vu_m",
    "sightline_min_m",
    "sightline_viewpoints",
    "sightlines_score",
    "sightlines_confidence",
)


def obstacles(area: StudyArea) -> gpd.GeoSeries:
    """
    Return what blocks sight in a study area: building footprints and opaque barriers.

    Parameters
    ----------
    area
        The study area.

    Returns
    -------
    geopandas.GeoSeries
        Polygons of ``area.buildings`` and the LineStrings of ``area.barriers`` whose
        ``opaque`` flag is set (walls, hedges, solid fences: they hide a standing
        person), indexed by ``(layer, id)`` and in ``area.crs``.

    Examples
    --------
    >>> import cpted
    >>> area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    >>> obs = obstacles(area)
    >>> sorted(set(obs.index.get_level_values("layer")))
    ['barriers', 'buildings']
    """
    buildings = area.buildings.geometry
    barriers = area.barriers
    if len(barriers):
        opaque = barriers["opaque"].fillna(False).astype(bool).to_numpy()
        lines = barriers.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
        walls = barriers.geometry[opaque & lines]
    else:
        walls = barriers.geometry
    parts = [("buildings", buildings), ("barriers", walls)]
    index = pd.MultiIndex.from_arrays(
        [
            [layer for layer, geoms in parts for _ in geoms.index],
            [i for _, geoms in parts for i in geoms.index],
        ],
        names=["layer", "id"],
    )
    values: list[object] = [g for _, geoms in parts for g in geoms.to_numpy()]
    return gpd.GeoSeries(values, index=index, crs=area.crs)


def _viewpoints(lines: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Owner segment, position along it (m) and length of its line, per viewpoint."""
    length = shapely.length(lines)
    count = np.maximum(1, np.ceil(length / spacing).astype(np.int64))
    owner = np.repeat(np.arange(len(lines)), count)
    first = np.cumsum(count) - count
    k = np.arange(owner.size) - first[owner]
    position = (k + 0.5) * length[owner] / count[owner]
    return owner, position, length[owner]


def _viewpoint_xy(lines: np.ndarray, owner: np.ndarray, position: np.ndarray) -> np.ndarray:
    """
    Coordinates ``(n, 2)`` of the points ``position`` metres along ``lines[owner]``.

    The same numbers as ``shapely.line_interpolate_point`` (GEOS's length-indexed line:
    the first piece whose end lies beyond the position, then the fraction along it), in
    one compiled pass instead of one GEOS line walk and one Point per viewpoint, which
    took a second for the 2 m viewpoints of a large tile. Anything but non-empty
    LineStrings and positions from 0 to the line's length goes to shapely.
    """
    coords, index = shapely.get_coordinates(lines, return_index=True)
    types = shapely.get_type_id(lines)
    if (
        len(position)
        and (types == 1).all()
        and not shapely.is_empty(lines).any()
        and np.isfinite(position).all()
        and (position >= 0).all()
    ):
        start = np.searchsorted(index, np.arange(len(lines) + 1))
        return _along(
            np.ascontiguousarray(coords[:, 0]),
            np.ascontiguousarray(coords[:, 1]),
            start,
            owner,
            np.ascontiguousarray(position, dtype=float),
        )
    return shapely.get_coordinates(shapely.line_interpolate_point(lines[owner], position))


@njit(cache=True)
def _along(
    x: np.ndarray, y: np.ndarray, start: np.ndarray, owner: np.ndarray, position: np.ndarray
) -> np.ndarray:
    """GEOS ``LengthIndexedLine.extractPoint`` of each viewpoint (position >= 0)."""
    n = owner.shape[0]
    out = np.empty((n, 2))
    for v in range(n):
        a = start[owner[v]]
        b = start[owner[v] + 1]
        d = position[v]
        px = x[a]
        py = y[a]
        if d > 0.0:
            px = x[b - 1]  # beyond the end: the last vertex
            py = y[b - 1]
            total = 0.0
            for i in range(a, b - 1):
                dx = x[i + 1] - x[i]
                dy = y[i + 1] - y[i]
                piece = math.sqrt(dx * dx + dy * dy)
                if total + piece > d:
                    frac = (d - total) / piece
                    if frac <= 0.0:
                        px, py = x[i], y[i]
                    elif frac >= 1.0:
                        px, py = x[i + 1], y[i + 1]
                    else:
                        px = dx * frac + x[i]
                        py = dy * frac + y[i]
                    break
                total += piece
        out[v, 0] = px
        out[v, 1] = py
    return out


def segment_measures(
    area: StudyArea,
    *,
    spacing: float | None = None,
    engine: IsovistEngine | None = None,
) -> pd.DataFrame:
    """
    Measure what a walker sees along every street segment.

    Viewpoints sit on each segment's centre line at the centres of equal pieces at most
    ``spacing`` long. From each, cpted computes the exact isovist among buildings and
    opaque barriers (:func:`obstacles`) within 25 m (face distance) and 50 m (recognition
    distance), and how far ahead along the path, in both directions, it sees without a
    break. A viewpoint that falls on or inside an obstacle (a street mapped through a
    building passage) is left out.

    Parameters
    ----------
    area
        The study area.
    spacing
        Largest distance between viewpoints, metres; default
        ``settings.SIGHTLINE_SPACING`` (10 m).
    engine
        An :class:`IsovistEngine` built on ``obstacles(area)``, to reuse; built if None.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``area.streets``; areas in m², lengths in m:

        - ``isovist_area_mean_25``, ``isovist_area_min_25``: mean and smallest isovist
          area within ``settings.SIGHTLINE_FACE_DISTANCE`` (25 m; Gehl 2010: faces and
          expressions are read at 22-25 m) over the viewpoints;
        - ``isovist_area_mean_50``, ``isovist_area_min_50``: the same within
          ``settings.SIGHTLINE_RECOGNITION_DISTANCE`` (50 m; Gehl 2010: individuals are
          recognised at 50-70 m);
        - ``visible_share_25``: mean share of the 25 m disc that is visible (1 in the
          open; the disc's polygon, drawn like the isovists' arcs, is the reference);
        - ``sightline_uv_m``, ``sightline_vu_m``: mean over the viewpoints of the length
          of path seen without a break ahead, walking from ``u`` to ``v`` and back, up to
          50 m, tested every ``settings.SIGHTLINE_STEP`` (1 m). Past the segment's end
          the path goes on straight, as a walker crossing a junction looks: a street
          ending at a T-junction sees the facade across;
        - ``sightline_min_m``: the worse of the two directions;
        - ``sightline_viewpoints``: viewpoints used (not inside an obstacle);
        - ``sightlines_score`` (0-100): ``100 × (0.6 min(1, sightline_min_m / 50) +
          0.4 min(1, visible_share_25 / 0.5))`` with the weights of
          ``settings.SIGHTLINE_WEIGHTS`` and the references
          ``settings.SIGHTLINE_RECOGNITION_DISTANCE`` and
          ``settings.SIGHTLINE_SHARE_REFERENCE``: full marks for a path on which one sees
          who comes 50 m ahead in both directions and half the face-distance disc around;
          NaN when no viewpoint is usable;
        - ``sightlines_confidence`` (0-1): ``settings.SIGHTLINE_MAP_CONFIDENCE`` (0.8:
          hedges, trees and kiosks are seldom mapped, so views are often smaller than
          measured) times the share of viewpoints used.

    Raises
    ------
    InputError
        ``spacing`` is not a positive number of metres.

    Examples
    --------
    >>> import cpted
    >>> area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    >>> seg = segment_measures(area)
    >>> bool(seg.index.equals(area.streets.index))
    True
    >>> bool(seg["sightlines_score"].dropna().between(0, 100).all())
    True
    """
    spacing = settings.SIGHTLINE_SPACING if spacing is None else spacing
    if not (isinstance(spacing, int | float) and math.isfinite(spacing) and spacing > 0):
        msg = f"spacing must be a positive number of metres; got {spacing!r}."
        raise InputError(msg)
    streets = area.streets
    out = pd.DataFrame(index=streets.index, columns=list(SEGMENT_COLUMNS), dtype=float)
    out["sightline_viewpoints"] = 0
    if not len(streets):
        return out
    if engine is None:
        engine = IsovistEngine(obstacles(area))
    face = float(settings.SIGHTLINE_FACE_DISTANCE)
    far = float(settings.SIGHTLINE_RECOGNITION_DISTANCE)
    step = float(settings.SIGHTLINE_STEP)

    lines = streets.geometry.to_numpy()
    owner, position, _ = _viewpoints(lines, spacing)
    xy = _viewpoint_xy(lines, owner, position)
    _, _, raw_25, _, inside = engine._raw(xy, radius=face)
    ring, ring_start, raw_50, _, _ = engine._raw(xy, radius=far)
    ok = ~inside

    line_xy, line_index = shapely.get_coordinates(lines, return_index=True)
    line_start = np.searchsorted(line_index, np.arange(len(lines) + 1))
    n_steps = max(1, round(far / step))
    sight = np.column_stack(
        [
            _star.sightlines_ahead(
                np.ascontiguousarray(line_xy[:, 0]),
                np.ascontiguousarray(line_xy[:, 1]),
                line_start,
                owner,
                position,
                sign,
                np.ascontiguousarray(xy[:, 0]),
                np.ascontiguousarray(xy[:, 1]),
                ring,
                ring_start,
                step,
                n_steps,
            )
            for sign in (1.0, -1.0)
        ]
    )

    n_arc = _arc_vertices()
    disc = 0.5 * n_arc * face**2 * math.sin(2 * math.pi / n_arc)  # the open disc's polygon
    share = raw_25[:, 0] / disc
    n = len(streets)
    used = np.bincount(owner[ok], minlength=n)
    total = np.bincount(owner, minlength=n)

    def mean(values: np.ndarray) -> np.ndarray:
        sums = np.bincount(owner[ok], weights=values[ok], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(used > 0, sums / used, np.nan)

    def minimum(values: np.ndarray) -> np.ndarray:
        low = np.full(n, np.inf)
        np.minimum.at(low, owner[ok], values[ok])
        return np.where(used > 0, low, np.nan)

    area_25 = raw_25[:, 0]
    area_50 = raw_50[:, 0]
    out["isovist_area_mean_25"] = mean(area_25)
    out["isovist_area_min_25"] = minimum(area_25)
    out["isovist_area_mean_50"] = mean(area_50)
    out["isovist_area_min_50"] = minimum(area_50)
    out["visible_share_25"] = np.minimum(mean(share), 1.0)
    out["sightline_uv_m"] = mean(sight[:, 0])
    out["sightline_vu_m"] = mean(sight[:, 1])
    out["sightline_min_m"] = np.fmin(out["sightline_uv_m"], out["sightline_vu_m"])
    out["sightline_viewpoints"] = used

    out["sightlines_score"] = score(out, "sightlines", "segment")
    out["sightlines_confidence"] = settings.SIGHTLINE_MAP_CONFIDENCE * used / np.maximum(total, 1)
    return out


def viewpoint_isovists(
    area: StudyArea,
    *,
    engine: IsovistEngine | None = None,
    simplify: float = 0.25,
) -> gpd.GeoDataFrame:
    """
    Return the 25 m isovist of the middle of every street segment, for maps.

    Parameters
    ----------
    area
        The study area.
    engine
        An :class:`IsovistEngine` built on ``obstacles(area)``, to reuse; built if None.
    simplify
        Tolerance in metres of the simplification that keeps maps light (the arc's
        vertices every half degree are not needed on screen).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed like ``area.streets``: ``area_m2`` and ``visible_share_25`` of the exact
        isovist, and its simplified polygon (empty where the middle of the segment lies
        in an obstacle).
    """
    streets = area.streets
    if engine is None:
        engine = IsovistEngine(obstacles(area))
    face = float(settings.SIGHTLINE_FACE_DISTANCE)
    mid = shapely.line_interpolate_point(streets.geometry.to_numpy(), 0.5, normalized=True)
    xy = shapely.get_coordinates(mid).reshape(-1, 2)
    iso = engine.isovists(xy, radius=face)
    n_arc = _arc_vertices()
    disc = 0.5 * n_arc * face**2 * math.sin(2 * math.pi / n_arc)
    return gpd.GeoDataFrame(
        {
            "area_m2": iso["area"].to_numpy(),
            "visible_share_25": np.minimum(iso["area"].to_numpy() / disc, 1.0),
        },
        geometry=shapely.simplify(iso.geometry.to_numpy(), simplify),
        index=streets.index,
        crs=area.crs,
    )


def audit_part(area: StudyArea, *, context: AuditContext | None = None) -> object:
    """
    Measure the sightlines of a study area for :func:`cpted.audit`.

    Parameters
    ----------
    area
        The study area.

    Returns
    -------
    cpted.audit.AuditPart
        ``segments`` from :func:`segment_measures`, ``sites`` from
        :func:`cpted.sightlines.site_measures` and the map layers
        ``sightline_isovists`` (:func:`viewpoint_isovists`) and ``concealment_spots``
        (:func:`cpted.sightlines.concealment_spots`), sharing one engine.
    """
    from cpted._principle import AuditPart
    from cpted.sightlines._concealment import concealment_spots
    from cpted.sightlines._sites import site_measures

    engine = context.engine if context is not None else IsovistEngine(obstacles(area))
    return AuditPart(
        segments=segment_measures(area, engine=engine),
        sites=site_measures(area, engine=engine),
        layers={
            "sightline_isovists": viewpoint_isovists(area, engine=engine),
            "concealment_spots": concealment_spots(area, engine=engine),
        },
    )
