"""Map layers of natural surveillance: frontage, uses at night, movement, camera views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cpted.maps import add_geojson_layer, score_colour

if TYPE_CHECKING:
    import folium

    from cpted.audit import Audit

__all__ = ["add_layers"]

_OPEN = "#1a9850"
_CLOSED = "#636363"
_UNKNOWN = "#bdbdbd"
_PRIVACY = "#d7191c"
_CAMERA = "#e7298a"


def _share_colour(value: Any) -> str:
    """Colour a 0-1 share on the score scale (0 red, 1 green)."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        return _UNKNOWN
    return score_colour(100.0 * share) if np.isfinite(share) else _UNKNOWN


def _frontage_style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    left = props.get("overlooked_left")
    right = props.get("overlooked_right")
    try:
        share = (float(left) + float(right)) / 2
    except (TypeError, ValueError):
        share = float("nan")
    return {"color": _share_colour(share), "weight": 5, "opacity": 0.9}


def _movement_style(feature: dict[str, Any]) -> dict[str, Any]:
    from cpted import settings

    props = feature["properties"]
    key = f"betweenness_{max(settings.MOVEMENT_DISTANCES):g}"
    try:
        value = float(props.get(key))
        share = np.log1p(max(value, 0.0)) / np.log1p(settings.MOVEMENT_REFERENCE)
    except (TypeError, ValueError):
        share = float("nan")
    weight = 2 + 6 * (min(share, 1.0) if np.isfinite(share) else 0.0)
    return {"color": "#3f007d", "weight": weight, "opacity": 0.8}


def _use_style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    state = props.get("open_2100")
    colour = _OPEN if state is True else _CLOSED if state is False else _UNKNOWN
    return {"color": colour, "fillColor": colour}


def _camera_style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    flagged = bool(props.get("privacy_flag"))
    colour = _PRIVACY if flagged else _CAMERA
    style = {"color": colour, "fillColor": colour, "fillOpacity": 0.25, "weight": 1.5}
    if props.get("omnidirectional"):
        style["dashArray"] = "4 4"
    return style


def add_layers(m: folium.Map, audit: Audit) -> None:
    """
    Add the natural-surveillance layers of an audit to a map.

    Street segments coloured by the share overlooked by frontage and by
    ``surveillance_score``; movement potential drawn as line width; uses coloured by
    whether they are open at 21:00 (grey when the hours are unknown); camera views, red
    where flagged for privacy and dashed where the direction is not mapped.
    """
    segments = audit.segments
    if "overlooked_left" in segments.columns:
        fields = [
            "name",
            "frontage_m",
            "overlooked_left",
            "overlooked_right",
            "blank_wall_share",
            "fence_share",
            "open_share",
            "entrances_mapped",
            "entrances_estimated",
        ]
        aliases = [
            "street",
            "frontage overlooking the street (m, both sides)",
            "share overlooked, left side",
            "share overlooked, right side",
            "share along blank walls",
            "share along walls and fences",
            "share along open ground",
            "doors facing the street (mapped)",
            "doors estimated (none mapped)",
        ]
        add_geojson_layer(
            m,
            segments,
            "Frontage: street overlooked by windows and doors",
            fields=fields,
            aliases=aliases,
            style=_frontage_style,
            show=False,
        )
    if "surveillance_score" in segments.columns:
        fields = [
            "name",
            "surveillance_score",
            "surveillance_confidence",
            "uses",
            "uses_open_2100",
            "uses_open_2300",
            "camera_coverage",
        ]
        aliases = [
            "street",
            "natural surveillance score (0-100)",
            "confidence (0-1)",
            "shops and services within 25 m",
            "open at 21:00",
            "open at 23:00",
            "share seen by cameras",
        ]
        add_geojson_layer(
            m,
            segments,
            "Natural surveillance score",
            fields=fields,
            aliases=aliases,
            style=lambda f: {
                "color": score_colour(f["properties"].get("surveillance_score")),
                "weight": 5,
                "opacity": 0.95,
            },
            show=False,
        )
        movement = [c for c in segments.columns if c.startswith("betweenness_")]
        if movement:
            add_geojson_layer(
                m,
                segments,
                "Movement potential (people passing by)",
                fields=["name", *movement],
                aliases=[
                    "street",
                    *[f"trips within {c.split('_', 1)[1]} m along it" for c in movement],
                ],
                style=_movement_style,
                show=False,
            )
    uses = audit.layers.get("night_uses")
    if uses is not None and len(uses):
        fields = ["name", "category", "opening_hours", "hours", "open_2100", "open_2300"]
        add_geojson_layer(
            m,
            uses,
            "Active uses (green: open at 21:00)",
            fields=fields,
            aliases=["name", "kind", "opening hours", "hours readable", "open 21:00", "open 23:00"],
            style=_use_style,
            show=False,
        )
    views = audit.layers.get("camera_views")
    if views is not None and len(views):
        drawn = views[views["watches"].astype(bool) & ~views.geometry.is_empty]
        if len(drawn):
            add_geojson_layer(
                m,
                drawn,
                "Camera views (red: privacy check; dashed: direction unknown)",
                fields=[
                    "range_m",
                    "omnidirectional",
                    "private_facade_m",
                    "private_ground_m2",
                    "school_ground_m2",
                    "privacy_flag",
                ],
                aliases=[
                    "range (m)",
                    "direction not mapped",
                    "home façades seen (m)",
                    "private ground seen (m²)",
                    "school ground seen (m²)",
                    "privacy review needed",
                ],
                style=_camera_style,
                show=False,
            )
