"""Map layers of the sightlines principle: concealment spots, isovists."""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium

from cpted._i18n import _
from cpted.maps import add_geojson_layer

if TYPE_CHECKING:
    from cpted.audit import Audit

__all__ = ["add_layers"]


def add_layers(m: folium.Map, audit: Audit) -> None:
    """
    Add the sightlines layers of an audit to a map.

    The concealment spots and (off until switched on) the 25 m isovist seen from the
    middle of each segment, whose area and visible share show on hover and click. The
    segments' ``sightlines_score`` colours the one segments layer when picked (see
    :mod:`cpted.maps._streets`).
    """
    spots = audit.layers.get("concealment_spots")
    if spots is not None and len(spots):
        add_geojson_layer(
            m,
            spots,
            _("Sightlines · Concealment spots beside paths"),
            fields=["area_m2", "depth_m", "hidden_both_ways", "segment"],
            aliases=[_("area (m²)"), _("depth from path (m)"), _("hidden both ways"), _("segment")],
            colour="#7b3294",
            style=lambda f: {"fillOpacity": 0.6, "weight": 1},
            legend=[("#7b3294", _("ground a person can stand hidden beside a path"))],
        )
    views = audit.layers.get("sightline_isovists")
    if views is not None and len(views):
        add_geojson_layer(
            m,
            views[~views.geometry.is_empty],
            _("Sightlines · Isovists (25 m) from segment midpoints"),
            fields=["area_m2", "visible_share_25"],
            aliases=[_("visible area (m²)"), _("share of 25 m disc")],
            colour="#2c7fb8",
            style=lambda f: {"fillOpacity": 0.15, "weight": 1, "color": "#2c7fb8"},
            show=False,
            popup=True,
            simplify=1.5,
            legend=[("#2c7fb8", _("what can be seen within 25 m of a segment's middle"))],
        )
