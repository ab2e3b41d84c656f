"""Normalise the OpenStreetMap tags a CPTED analysis relies on.

OSM values are free text: ``lit=24/7``, ``building:levels=3;4``, ``height=12,5 m``,
``camera:direction=NE``. Each function here turns one tag into a value cpted can compute
with, and returns a missing value (``None`` or NaN) rather than guessing when the text
cannot be read. Every rule cites the OSM wiki page it follows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from cpted import settings
from cpted._i18n import N_

__all__ = [
    "audit_scope",
    "barrier_class",
    "camera_direction",
    "entrance_kind",
    "parse_angle",
    "parse_height",
    "parse_levels",
    "parse_lit",
    "poi_category",
    "site_category",
]

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")

# https://wiki.openstreetmap.org/wiki/Key:lit
_LIT_YES = {"yes", "24/7", "automatic", "sunset-sunrise", "dusk-dawn", "on", "true", "1"}
_LIT_LIMITED = {"limited", "interval", "part_time", "part-time", "conditional"}
_LIT_NO = {"no", "disused", "none", "off", "false", "0"}


def parse_lit(value: object) -> str:
    """
    Classify an OSM ``lit=*`` value as ``"yes"``, ``"limited"``, ``"no"`` or ``"unknown"``.

    ``yes``, ``24/7``, ``automatic`` and ``sunset-sunrise`` mean lit through the night;
    ``limited``, ``interval`` and opening-hours-like times (``sunset-01:00``) mean lit for
    part of it; ``no`` and ``disused`` mean unlit (OSM wiki, Key:lit). Several values
    separated by ``;`` take the least lit one, because a path is only as lit as its darkest
    stretch.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    parts = [p.strip().lower() for p in str(value).split(";") if p.strip()]
    if not parts:
        return "unknown"
    ranks = {"no": 0, "limited": 1, "yes": 2}
    found = []
    for part in parts:
        if part in _LIT_YES:
            found.append("yes")
        elif part in _LIT_NO:
            found.append("no")
        elif part in _LIT_LIMITED or re.search(r"\d{1,2}:\d{2}", part):
            found.append("limited")
    if not found:
        return "unknown"
    return min(found, key=ranks.__getitem__)


def _numbers(value: object) -> list[float]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    return [float(m.replace(",", ".")) for m in _NUMBER.findall(str(value))]


def parse_levels(value: object) -> float:
    """
    Read ``building:levels`` as a number of storeys above ground, NaN when unreadable.

    ``"5"`` is 5, ``"2.5"`` is 2.5 (a partial top storey), ``"3;4"`` (parts of different
    height) takes the higher part, because the taller part is what overlooks the street.
    Negative values and values above 200 are treated as errors.
    """
    nums = [n for n in _numbers(value) if 0 <= n <= 200]
    return max(nums) if nums else math.nan


_FEET = 0.3048
_INCH = 0.0254


def parse_height(value: object) -> float:
    """
    Read an OSM ``height=*`` or ``min_height=*`` value in metres, NaN when unreadable.

    Metres are the default unit (OSM wiki, Key:height); ``"12 m"``, ``"12,5"`` (decimal
    comma) and ``"12.5m"`` read as metres, ``"40 ft"`` and ``12'6"`` as feet and inches.
    ``"3;4"`` takes the higher value.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, int | float):
        return float(value) if value >= 0 else math.nan
    text = str(value).strip().lower()
    heights = []
    for part in text.split(";"):
        part = part.strip()
        feet = re.fullmatch(r"(\d+(?:\.\d+)?)\s*'\s*(?:(\d+(?:\.\d+)?)\s*\")?", part)
        if feet:
            heights.append(float(feet.group(1)) * _FEET + float(feet.group(2) or 0) * _INCH)
            continue
        match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(m|metres?|meters?|ft|feet)?", part)
        if match:
            number = float(match.group(1).replace(",", "."))
            unit = match.group(2) or "m"
            heights.append(number * _FEET if unit in {"ft", "feet"} else number)
    heights = [h for h in heights if 0 <= h <= 1000]
    return max(heights) if heights else math.nan


def barrier_class(tags: Mapping[str, str]) -> dict[str, object]:
    """
    Classify a ``barrier=*`` feature by what it does to sight, people and vehicles.

    Returns a dict with ``barrier`` (the value), ``opaque`` (hides a person standing behind
    it), ``passable`` (a person on foot can pass), ``blocks_vehicles`` and ``height`` in
    metres (tagged, or the class default from :mod:`cpted.settings`), plus
    ``height_source``. Fences are see-through unless ``fence_type`` says they are solid
    (wood, panel, concrete, ...), as chain-link and railings are the common case (OSM wiki,
    Key:fence_type).
    """
    value = str(tags.get("barrier", "")).strip().lower()
    opaque = value in settings.OPAQUE_BARRIERS
    if value == "fence":
        opaque = str(tags.get("fence_type", "")).lower() in settings.OPAQUE_FENCE_TYPES
    passable = value in settings.PASSABLE_BARRIERS or value in settings.VEHICLE_BARRIERS
    locked = str(tags.get("locked", "")).lower() == "yes"
    if value in settings.PASSABLE_BARRIERS and (
        locked or str(tags.get("access", "")).lower() in {"no", "private"}
    ):
        passable = False
    blocks_vehicles = value not in settings.VEHICLE_PASSABLE_BARRIERS
    height = parse_height(tags.get("height"))
    source = "osm"
    if math.isnan(height):
        height = settings.BARRIER_HEIGHTS.get(value, settings.BARRIER_HEIGHTS["default"])
        source = "default"
    if value == "hedge" or value in settings.OPAQUE_BARRIERS:
        # A barrier lower than eye level hides a crouching person but not a standing one.
        opaque = opaque and height >= settings.CONCEALMENT_HEIGHT
    return {
        "barrier": value,
        "opaque": bool(opaque),
        "passable": bool(passable),
        "blocks_vehicles": bool(blocks_vehicles),
        "height": float(height),
        "height_source": source,
    }


#: The 16 compass points OSM's ``direction=*`` takes, in degrees clockwise from north.
COMPASS = {
    name: i * 22.5
    for i, name in enumerate(
        "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()  # noqa: SIM905
    )
}


def camera_direction(value: object) -> float:
    """
    Read ``camera:direction`` (or ``direction``) as degrees clockwise from north.

    Accepts numbers (``"90"``, ``"90°"``), compass points (``"NE"``, ``"SSW"``), and
    ranges ``"45-135"`` (their middle). Several values (``"90;270"``) take the first, the
    way the OSM wiki reads them for single cameras. NaN when the text is no direction
    (``"forward"`` on a traffic sign, an empty value).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    text = str(value).split(";")[0].strip().upper().rstrip("°")
    if text in COMPASS:
        return COMPASS[text]
    span = re.fullmatch(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)", text)
    if span:
        a, b = float(span.group(1)), float(span.group(2))
        if b < a:
            b += 360.0
        return ((a + b) / 2.0) % 360.0
    try:
        return float(text.replace(",", ".")) % 360.0
    except ValueError:
        return math.nan


def parse_angle(value: object) -> float:
    """Read ``camera:angle`` (tilt below the horizontal, degrees), NaN when unreadable."""
    nums = _numbers(value)
    if not nums or not -90 <= nums[0] <= 90:
        return math.nan
    return nums[0]


def entrance_kind(tags: Mapping[str, str]) -> str:
    """
    Group an ``entrance=*`` or ``door=*`` node as main, secondary, service, emergency or exit.

    Values follow the OSM wiki (Key:entrance): ``main``; ``yes``, ``secondary``,
    ``staircase``, ``home``, ``shop``, ``side`` are everyday doors (secondary);
    ``service``, ``garage``, ``delivery`` are service doors; ``emergency`` and ``exit`` open
    only outwards.
    """
    value = str(tags.get("entrance", "")).strip().lower()
    if value == "main":
        return "main"
    if value in {"service", "garage", "delivery", "loading_dock"}:
        return "service"
    if value == "emergency":
        return "emergency"
    if value == "exit":
        return "exit"
    return "secondary"


def site_category(tags: Mapping[str, str]) -> str | None:
    """
    Name the public-space category of an OSM area, or None when it is not one.

    Categories and their tags are listed in :data:`cpted.settings.SITE_CATEGORIES`; the
    first match in that order wins, so a school mapped with ``amenity=school`` and
    ``leisure=park`` counts as a school.
    """
    for category, rules in settings.SITE_CATEGORIES.items():
        for key, values in rules.items():
            if key in tags and (values is None or tags[key] in values):
                if (
                    category == "pedestrian"
                    and tags.get("area") not in {"yes"}
                    and ("area:highway" not in tags)
                ):
                    continue
                return category
    return None


def poi_category(tags: Mapping[str, str]) -> str | None:
    """
    Group a shop, amenity, leisure, tourism, office or craft feature by the activity it brings.

    Returns one of the keys of :data:`cpted.settings.POI_CATEGORIES` or None for street
    furniture (benches, bins, parking) that brings no one to the street.
    """
    amenity = tags.get("amenity")
    if amenity in settings.POI_IGNORED_AMENITIES:
        amenity = None
    for category, rules in settings.POI_CATEGORIES.items():
        for key, values in rules.items():
            value = amenity if key == "amenity" else tags.get(key)
            if value is not None and (values is None or value in values):
                return category
    return None


# https://wiki.openstreetmap.org/wiki/Key:access and Key:foot
_FOOT_ALLOWED = {"yes", "designated", "permissive"}
_NO_ENTRY = {"private", "no"}
_BUS_ONLY = {"yes", "designated"}
_MOTOR_ROADS = {"motorway", "motorway_link", "trunk", "trunk_link"}
_SIDEWALK_KEYS = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")


def _value(tags: Mapping[str, object], key: str) -> str:
    value = tags.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip().lower()


#: Why a way is not audited, in English: the ``not_audited`` column keeps these (GIS files
#: read the same in every language); :func:`say_scope` writes one in the current language.
SCOPE_REASONS = {
    "motorway": N_("motorway: no walking allowed"),
    "trunk_no_foot": N_("trunk road closed to people on foot (foot=no)"),
    "trunk_sidewalk": N_("trunk road whose sidewalk is mapped separately: the sidewalk is audited"),
    "busway": N_("bus-only road (highway=busway)"),
    "bus_only": N_("bus-only road (access=no, {key}={value})"),
    "lift": N_("indoors: a lift (highway=elevator)"),
    "indoor_corridor": N_("indoors: a corridor inside a building"),
    "indoor_corridor_level": N_("indoors: a corridor inside a building, level {level}"),
    "indoor_way": N_("indoors: a way inside a building"),
    "indoor_way_level": N_("indoors: a way inside a building, level {level}"),
    "passage": N_("passage through a building with no public access (access={value})"),
    "private": N_("private way (access={value})"),
    "private_foot": N_("private way (foot=private)"),
}


def _reason_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(pattern)


def say_scope(reason: str) -> str:
    """
    Write a ``not_audited`` reason (English, as stored) in the current language.

    >>> from cpted._i18n import use
    >>> with use("de"):
    ...     say_scope("private way (access=no)")
    'Privatweg (access=no)'
    """
    from cpted._i18n import _

    for template in SCOPE_REASONS.values():
        found = _reason_pattern(template).fullmatch(reason)
        if found:
            return _(template).format(**found.groupdict())
    return _(reason)


def audit_scope(tags: Mapping[str, object]) -> str | None:
    """
    Say why a walkable way is no public place to walk, or None when it is one.

    A CPTED audit judges the streets and paths the public uses. Some ways stay in the walk
    network because they connect it, yet an audit of them would judge what nobody should be
    asked to act on. The reasons, first match wins:

    - a motorway (``highway=motorway``, ``motorway_link``): walking is forbidden on it;
    - a trunk road (``trunk``, ``trunk_link``) with ``foot=no``, or with its sidewalk mapped
      as a way of its own (``sidewalk[:both|:left|:right]=separate``): the sidewalk is the
      place to audit (OSM wiki, Key:sidewalk);
    - a bus-only road (``highway=busway``, or ``access=no`` with ``psv`` or ``bus`` =
      ``yes``/``designated``) unless ``foot=yes``/``designated`` lets people walk it
      (OSM wiki, Tag:highway=busway, Key:psv);
    - indoors (``indoor=*`` other than ``no``, ``highway=corridor``, a lift
      ``highway=elevator``): streetlights, building fronts and sightlines over open ground
      do not apply inside a building (OSM wiki, Simple Indoor Tagging);
    - a passage through a building (``tunnel=building_passage``, or ``covered=yes``) with
      ``access=private``/``no`` and no foot access;
    - a private way (``access=private``/``no`` or ``foot=private``) without
      ``foot=yes``/``designated``/``permissive``.

    Several values (``"no; yes"``, from ways merged into one segment) are each tested, and
    a way is out of scope when any part is.

    Parameters
    ----------
    tags
        The way's OSM tags (or a segment's, with merged values joined by ``"; "``).

    Returns
    -------
    str or None
        A reason a planner can read, or None for a way to audit.

    Examples
    --------
    >>> audit_scope({"highway": "service", "access": "no", "psv": "yes"})
    'bus-only road (access=no, psv=yes)'
    >>> audit_scope({"highway": "footway", "tunnel": "building_passage"}) is None
    True
    """

    def values(key: str) -> set[str]:
        return {v.strip() for v in _value(tags, key).split(";") if v.strip()}

    highway = values("highway")
    foot = values("foot")
    access = values("access")
    foot_ok = bool(foot & _FOOT_ALLOWED)
    if highway & {"motorway", "motorway_link"}:
        return SCOPE_REASONS["motorway"]
    if highway & _MOTOR_ROADS:
        if "no" in foot:
            return SCOPE_REASONS["trunk_no_foot"]
        if any("separate" in values(k) for k in _SIDEWALK_KEYS):
            return SCOPE_REASONS["trunk_sidewalk"]
    if not ({"yes", "designated"} & foot):
        if "busway" in highway:
            return SCOPE_REASONS["busway"]
        for key in ("psv", "bus"):
            if "no" in access and values(key) & _BUS_ONLY:
                value = sorted(values(key) & _BUS_ONLY)[0]
                return SCOPE_REASONS["bus_only"].format(key=key, value=value)
    indoor = values("indoor") - {"no"}
    if indoor or highway & {"corridor", "elevator"}:
        if "elevator" in highway:
            return SCOPE_REASONS["lift"]
        level = _value(tags, "level")
        kind = "corridor" if "corridor" in highway | indoor else "way"
        if level and level != "0":
            return SCOPE_REASONS[f"indoor_{kind}_level"].format(level=level)
        return SCOPE_REASONS[f"indoor_{kind}"]
    private = bool(access & _NO_ENTRY) or "private" in foot
    if private and not foot_ok:
        passage = "building_passage" in values("tunnel") or "yes" in values("covered")
        word = sorted(access & _NO_ENTRY)[0] if access & _NO_ENTRY else "private"
        if passage:
            return SCOPE_REASONS["passage"].format(value=word)
        if access & _NO_ENTRY:
            return SCOPE_REASONS["private"].format(value=word)
        return SCOPE_REASONS["private_foot"]
    return None
