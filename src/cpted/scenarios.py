"""Scenarios: change a StudyArea, audit it again, compare.

Each helper returns a NEW :class:`~cpted.area.StudyArea` (the original is never changed),
so a trainer can chain them and compare the audits::

    import cpted
    from cpted import scenarios

    area = cpted.area_from_file(cpted.datasets.get_path("neukoelln"))
    lit = scenarios.add_lamp(area, (392_650.0, 5_814_160.0), height=5.0, flux=3000.0)
    before, after = cpted.audit(area), cpted.audit(lit)
    change = before.compare(after)
    change.save("lamp-scenario")

Coordinates are in the area's CRS (metres) unless ``crs`` says otherwise (e.g.
``crs=4326`` for longitude and latitude). New features get ids ``scenario-<layer>-<n>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from cpted._errors import InputError
from cpted._i18n import N_, _
from cpted._validate import read_crs

if TYPE_CHECKING:
    from cpted.area import StudyArea

__all__ = [
    "add_barrier",
    "add_entrance",
    "add_lamp",
    "add_use",
    "move_lamp",
    "remove_barrier",
    "remove_lamp",
]


def _geometries(where: Any, area: StudyArea, crs: Any, kinds: set[str], what: str) -> list[Any]:
    """Turn a point, (x, y), a list of them or a shapely geometry into the area's CRS."""
    if isinstance(where, BaseGeometry):
        items: list[Any] = [where]
    elif (
        isinstance(where, Sequence)
        and len(where) == 2
        and all(isinstance(v, int | float | np.number) for v in where)
    ):
        items = [shapely.Point(float(where[0]), float(where[1]))]
    elif isinstance(where, Iterable) and not isinstance(where, str | bytes):
        items = []
        for item in where:
            items += _geometries(item, area, None, kinds, what)
    else:
        msg = _("{what} must be a shapely geometry or (x, y) coordinates, got {value}.").format(
            what=_(what), value=repr(where)
        )
        raise InputError(msg)
    bad = [g.geom_type for g in items if g.geom_type not in kinds]
    if bad:
        msg = _("{what} must be {kinds}; got {got}.").format(
            what=_(what), kinds=_(" or ").join(sorted(kinds)), got=", ".join(sorted(set(bad)))
        )
        raise InputError(msg)
    series = gpd.GeoSeries(items, crs=read_crs(crs, what=_(what)) if crs is not None else area.crs)
    if series.crs is not None and not series.crs.equals(area.crs):
        series = series.to_crs(area.crs)
    geoms = list(series.to_numpy())
    outside = [g for g in geoms if not area.boundary.buffer(1.0).intersects(g)]
    if outside:
        bx = area.boundary.bounds
        msg = _(
            "{what} lies outside the study area ({geometry}); give coordinates in the area's "
            "CRS ({crs}, bounds {bounds}) or pass crs=4326 for longitude/latitude."
        ).format(
            what=_(what),
            geometry=outside[0].wkt[:60],
            crs=area.crs.to_string(),
            bounds=", ".join(f"{v:.0f}" for v in bx),
        )
        raise InputError(msg)
    return geoms


def _add(area: StudyArea, layer: str, frame: gpd.GeoDataFrame) -> StudyArea:
    """Normalise ``frame`` as a user layer and append it with fresh scenario ids."""
    from cpted.area import _DEFAULTED, LAYERS, _normalise_user_layer

    counts = dict.fromkeys(_DEFAULTED, 0)
    rows = _normalise_user_layer(layer, frame, area.crs, user_crs=area.crs, counts=counts)
    new = area.copy()
    for key, count in counts.items():
        new.stats[key] = new.stats.get(key, 0) + count
    current = getattr(new, layer)
    prefix = f"scenario-{layer}-"
    taken = sum(str(i).startswith(prefix) for i in current.index)
    rows.index = pd.Index([f"{prefix}{taken + k}" for k in range(len(rows))], name=LAYERS[layer][0])
    combined = pd.concat([current, rows]) if len(current) else rows
    setattr(new, layer, gpd.GeoDataFrame(combined, geometry="geometry", crs=area.crs))
    return new


def _existing(area: StudyArea, layer: str, ids: Any, what: str) -> list[Any]:
    table = getattr(area, layer)
    wanted = [ids] if isinstance(ids, str | int | np.integer) else list(ids)
    missing = [i for i in wanted if i not in table.index]
    if missing:
        examples = ", ".join(map(str, table.index[:5])) or _("(the layer is empty)")
        msg = _("No {what} {id} in the study area; its ids look like {examples}.").format(
            what=_(what), id=repr(missing[0]), examples=examples
        )
        raise InputError(msg)
    return wanted


def add_lamp(
    area: StudyArea,
    where: Any,
    *,
    height: float | None = None,
    flux: float | None = None,
    crs: Any = None,
) -> StudyArea:
    """
    Add one or more street lamps.

    Parameters
    ----------
    area
        The study area.
    where
        A point, ``(x, y)`` or a list of them.
    height
        Mounting height, metres (default: by the street class, as for OSM lamps).
    flux
        Luminous flux, lumens (default: by the street class).
    crs
        CRS of ``where`` (default the area's).

    Returns
    -------
    StudyArea
    """
    geoms = _geometries(where, area, crs, {"Point"}, N_("A lamp position"))
    frame = gpd.GeoDataFrame(
        {"height": [height] * len(geoms), "flux": [flux] * len(geoms)},
        geometry=geoms,
        crs=area.crs,
    )
    # a lamp without height or flux gets "default" sources, which the lighting module
    # fills by the class of the nearest street, as for OSM lamps
    return _add(area, "lamps", frame)


def move_lamp(area: StudyArea, lamp: Any, to: Any, *, crs: Any = None) -> StudyArea:
    """
    Move a lamp to a new position (keeping its height, flux and photometry).

    Parameters
    ----------
    area
        The study area.
    lamp
        The lamp's id in ``area.lamps``.
    to
        The new position: a point or ``(x, y)``.
    crs
        CRS of ``to`` (default the area's).

    Returns
    -------
    StudyArea
    """
    (key,) = _existing(area, "lamps", [lamp], N_("lamp"))
    (point,) = _geometries(to, area, crs, {"Point"}, N_("The new lamp position"))
    new = area.copy()
    lamps = new.lamps.copy()
    lamps.loc[key, "geometry"] = point
    new.lamps = gpd.GeoDataFrame(lamps, geometry="geometry", crs=area.crs)
    return new


def remove_lamp(area: StudyArea, lamp: Any) -> StudyArea:
    """Remove one or more lamps (ids of ``area.lamps``)."""
    keys = _existing(area, "lamps", lamp, N_("lamp"))
    new = area.copy()
    new.lamps = new.lamps.drop(index=keys)
    return new


def remove_barrier(area: StudyArea, barrier: Any) -> StudyArea:
    """
    Remove one or more barriers (a hedge, wall, fence, gate, bollard...).

    Parameters
    ----------
    area
        The study area.
    barrier
        Id or ids of ``area.barriers``.

    Returns
    -------
    StudyArea
    """
    keys = _existing(area, "barriers", barrier, N_("barrier"))
    new = area.copy()
    new.barriers = new.barriers.drop(index=keys)
    return new


def add_barrier(
    area: StudyArea,
    where: Any,
    *,
    barrier: str = "wall",
    height: float | None = None,
    crs: Any = None,
) -> StudyArea:
    """
    Add a barrier: a line (wall, fence, hedge) or points (bollards, gates, blocks).

    Parameters
    ----------
    area
        The study area.
    where
        A LineString, a point, ``(x, y)`` or a list of them.
    barrier
        The OSM ``barrier=*`` value; it sets whether it hides people, lets them pass and
        stops vehicles (see :data:`cpted.settings.OPAQUE_BARRIERS` and the others).
    height
        Height, metres (default by kind, :data:`cpted.settings.BARRIER_HEIGHTS`).
    crs
        CRS of ``where`` (default the area's).

    Returns
    -------
    StudyArea
    """
    geoms = _geometries(where, area, crs, {"Point", "LineString"}, N_("A barrier"))
    frame = gpd.GeoDataFrame(
        {"barrier": [barrier] * len(geoms), "height": [height] * len(geoms)},
        geometry=geoms,
        crs=area.crs,
    )
    return _add(area, "barriers", frame)


def add_use(
    area: StudyArea,
    where: Any,
    *,
    category: str = "food_drink",
    name: str | None = None,
    opening_hours: str | None = "Mo-Su 07:00-24:00",
    crs: Any = None,
) -> StudyArea:
    """
    Add an active ground-floor use (a café, kiosk, shop) as a point of interest.

    Parameters
    ----------
    area
        The study area.
    where
        A point or ``(x, y)`` (or a list of them).
    category
        A key of :data:`cpted.settings.POI_CATEGORIES` (``"food_drink"``, ``"shop"``...).
    name
        Its name.
    opening_hours
        OSM ``opening_hours`` syntax; by default open until midnight, so it counts as a
        night-time use.
    crs
        CRS of ``where`` (default the area's).

    Returns
    -------
    StudyArea
    """
    from cpted import settings

    if category not in settings.POI_CATEGORIES:
        msg = _("Unknown use category {category}; choose from {choices}.").format(
            category=repr(category), choices=", ".join(settings.POI_CATEGORIES)
        )
        raise InputError(msg)
    geoms = _geometries(where, area, crs, {"Point"}, N_("A use"))
    frame = gpd.GeoDataFrame(
        {
            "category": [category] * len(geoms),
            "name": [name] * len(geoms),
            "opening_hours": [opening_hours] * len(geoms),
        },
        geometry=geoms,
        crs=area.crs,
    )
    return _add(area, "pois", frame)


def add_entrance(
    area: StudyArea,
    where: Any,
    *,
    entrance: str = "main",
    access: str | None = None,
    crs: Any = None,
) -> StudyArea:
    """
    Add a door or gate onto the street.

    Parameters
    ----------
    area
        The study area.
    where
        A point or ``(x, y)`` on a building's outline (or a list of them).
    entrance
        ``"main"``, ``"secondary"``, ``"service"``, ``"emergency"`` or ``"exit"``.
    access
        OSM ``access=*`` of the door, if restricted.
    crs
        CRS of ``where`` (default the area's).

    Returns
    -------
    StudyArea
    """
    from cpted.area import _attach_entrances

    kinds = ("main", "secondary", "service", "emergency", "exit")
    if entrance not in kinds:
        msg = _("Unknown entrance kind {kind}; choose from {choices}.").format(
            kind=repr(entrance), choices=", ".join(kinds)
        )
        raise InputError(msg)
    geoms = _geometries(where, area, crs, {"Point"}, N_("An entrance"))
    frame = gpd.GeoDataFrame(
        {"entrance": [entrance] * len(geoms), "access": [access] * len(geoms)},
        geometry=geoms,
        crs=area.crs,
    )
    new = _add(area, "entrances", frame)
    _attach_entrances(new.entrances, new.buildings)
    return new
