"""Map layers of natural surveillance: uses at night, camera views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cpted._i18n import _
from cpted.maps import add_geojson_layer

if TYPE_CHECKING:
    import folium

    from cpted.audit import Audit

__all__ = ["add_layers"]

_OPEN = "#1a9850"
_CLOSED = "#636363"
_UNKNOWN = "#bdbdbd"
_PRIVACY = "#d7191c"
_CAMERA = "#e7298a"


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

    Uses coloured by whether they are open at 21:00 (grey when the hours are unknown);
    camera views, red where flagged for privacy and dashed where the direction is not
    mapped. The segments' ``surveillance_score`` (with the share overlooked and the uses
    nearby in its tooltip) colours the one segments layer when picked.
    """
    uses = audit.layers.get("night_uses")
    if uses is not None and len(uses):
        fields = ["name", "category", "opening_hours", "hours", "open_2100", "open_2300"]
        add_geojson_layer(
            m,
            uses,
            _("Surveillance · Active uses (green: open at 21:00)"),
            fields=fields,
            aliases=[
                _("name"),
                _("kind"),
                _("opening hours"),
                _("hours readable"),
                _("open 21:00"),
                _("open 23:00"),
            ],
            style=_use_style,
            show=False,
            legend=[
                (_OPEN, _("open at 21:00")),
                (_CLOSED, _("closed at 21:00")),
                (_UNKNOWN, _("opening hours not mapped")),
            ],
        )
    views = audit.layers.get("camera_views")
    if views is not None and len(views):
        drawn = views[views["watches"].astype(bool) & ~views.geometry.is_empty]
        if len(drawn):
            add_geojson_layer(
                m,
                drawn,
                _("Surveillance · Camera views (red: privacy check; dashed: direction unknown)"),
                fields=[
                    "range_m",
                    "omnidirectional",
                    "private_facade_m",
                    "private_ground_m2",
                    "school_ground_m2",
                    "privacy_flag",
                ],
                aliases=[
                    _("range (m)"),
                    _("direction not mapped"),
                    _("home façades seen (m)"),
                    _("private ground seen (m²)"),
                    _("school ground seen (m²)"),
                    _("privacy review needed"),
                ],
                style=_camera_style,
                show=False,
                simplify=1.5,
                legend=[
                    (_CAMERA, _("camera view")),
                    (_PRIVACY, _("sees homes or private ground: review")),
                    ("#ffffff", _("dashed outline: direction not mapped")),
                ],
            )
