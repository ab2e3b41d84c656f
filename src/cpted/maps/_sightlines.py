"""Map layers of the sightlines principle: segments by score, concealment, isovists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium

from cpted.maps import add_geojson_layer, add_legend, score_colour

if TYPE_CHECKING:
    from cpted.audit import Audit

__all__ = ["add_layers"]

#: Legend of the score colours (the bands of :func:`cpted.maps.score_colour`).
_SCORE_BANDS = (
    ("#d73027", "0–20: little seen ahead or around"),
    ("#fc8d59", "20–40"),
    ("#fee08b", "40–60"),
    ("#91cf60", "60–80"),
    ("#1a9850", "80–100: 50 m ahead both ways, open around"),
    ("#9e9e9e", "not measured (path inside a building)"),
)


def _segment_style(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "color": score_colour(feature["properties"].get("sightlines_score")),
        "weight": 5,
        "opacity": 0.95,
    }


def add_layers(m: folium.Map, audit: Audit) -> None:
    """
    Add the sightlines layers of an audit to a map.

    The street segments coloured by ``sightlines_score`` with a legend, the concealment
    spots, and (off until switched on) the 25 m isovist seen from the middle of each
    segment, whose area and visible share show on hover and click.
    """
    segments = audit.segments
    if "sightlines_score" in segments.columns:
        fields = [
            "name",
            "highway",
            "sightline_uv_m",
            "sightline_vu_m",
            "visible_share_25",
            "isovist_area_mean_25",
            "isovist_area_min_25",
            "sightlines_score",
            "sightlines_confidence",
        ]
        aliases = [
            "name",
            "highway",
            "seen ahead u→v (m)",
            "seen ahead v→u (m)",
            "share of 25 m disc seen",
            "isovist 25 m, mean (m²)",
            "isovist 25 m, min (m²)",
            "sightlines score",
            "confidence",
        ]
        group = add_geojson_layer(
            m,
            segments,
            "Sightlines score by street segment",
            fields=fields,
            aliases=aliases,
            style=_segment_style,
            show=False,
        )
        add_legend(
            m,
            "Sightlines score",
            list(_SCORE_BANDS),
            "60 % seeing 50 m ahead (recognising who comes), 40 % the share of the 25 m "
            "face-distance disc in view; only mapped buildings and walls block sight.",
            layer=group,
        )
    spots = audit.layers.get("concealment_spots")
    if spots is not None and len(spots):
        add_geojson_layer(
            m,
            spots,
            "Concealment spots beside paths",
            fields=["area_m2", "depth_m", "hidden_both_ways", "segment"],
            aliases=["area (m²)", "depth from path (m)", "hidden both ways", "segment"],
            colour="#7b3294",
            style=lambda f: {"fillOpacity": 0.6, "weight": 1},
        )
    views = audit.layers.get("sightline_isovists")
    if views is not None and len(views):
        add_geojson_layer(
            m,
            views[~views.geometry.is_empty],
            "Isovists (25 m) from segment midpoints",
            fields=["area_m2", "visible_share_25"],
            aliases=["visible area (m²)", "share of 25 m disc"],
            colour="#2c7fb8",
            style=lambda f: {"fillOpacity": 0.15, "weight": 1, "color": "#2c7fb8"},
            show=False,
            popup=True,
        )
