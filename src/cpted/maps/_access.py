"""Map layers of access control and territory: site edges, entries, traps, dead ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cpted._i18n import _
from cpted.maps import add_geojson_layer

if TYPE_CHECKING:
    import folium

    from cpted.audit import Audit

__all__ = ["EDGE_COLOURS", "ENTRY_COLOURS", "add_layers"]

#: Colours of a site's edge by what defines it (ColorBrewer Dark2, colour-blind safe).
EDGE_COLOURS = {"barrier": "#7570b3", "building": "#1b9e77", "open": "#e6ab02"}

#: Colours of entry points: controlled (gate, door, private) or open.
ENTRY_COLOURS = {"controlled": "#d95f02", "open": "#66a61e"}

_TRAP_COLOURS = {0: "#000000", 1: "#e7298a"}


def add_layers(m: folium.Map, audit: Audit) -> None:
    """
    Add the access layers of an audit to a map.

    Site edges coloured by how they are defined (barrier, building, open), entry points by
    type (controlled or open), paths inside sites with a single way out (or none), the
    dead ends and alleys of the street network. The segments' ``access_score`` colours
    the one segments layer when picked.
    """
    parts = audit.layers.get("access_perimeter")
    if parts is not None and len(parts):
        add_geojson_layer(
            m,
            parts,
            _("Access · Site edges: barrier, building or open"),
            fields=["site", "name", "kind", "length_m"],
            aliases=[_("site"), _("name"), _("edge"), _("length (m)")],
            style=lambda f: {
                "color": EDGE_COLOURS.get(f["properties"].get("kind"), "#999999"),
                "weight": 5,
                "opacity": 0.9,
            },
            legend=[
                (EDGE_COLOURS["barrier"], _("edge: wall, fence, hedge")),
                (EDGE_COLOURS["building"], _("edge: building faces")),
                (EDGE_COLOURS["open"], _("edge: open")),
            ],
        )
    entries = audit.layers.get("access_entries")
    if entries is not None and len(entries):
        add_geojson_layer(
            m,
            entries,
            _("Access · Site entry points"),
            fields=["site", "kind", "controlled", "passable", "on_network"],
            aliases=[_("site"), _("type"), _("controlled"), _("passable"), _("on a path")],
            style=_entry_style,
            radius=5.0,
            legend=[
                (ENTRY_COLOURS["controlled"], _("controlled (gate, door, private)")),
                (ENTRY_COLOURS["open"], _("open")),
            ],
        )
    traps = audit.layers.get("access_entrapment")
    if traps is not None and len(traps):
        add_geojson_layer(
            m,
            traps,
            _("Access · Entrapment: paths inside sites with one way out or none"),
            fields=["site", "ways_out", "exit_distance_m", "length_m"],
            aliases=[_("site"), _("ways out"), _("to nearest exit (m)"), _("length (m)")],
            style=lambda f: {
                "color": _TRAP_COLOURS.get(f["properties"].get("ways_out"), "#e7298a"),
                "weight": 4,
                "opacity": 0.9,
            },
            legend=[(_TRAP_COLOURS[1], _("one way out")), (_TRAP_COLOURS[0], _("no way out"))],
        )
    segments = audit.segments
    if "dead_end" in segments.columns:
        dead = segments[segments["dead_end"].fillna(False).astype(bool)]
        if len(dead):
            add_geojson_layer(
                m,
                dead,
                _("Access · Dead ends and cul-de-sacs"),
                fields=["name", "highway", "dead_end_depth_m", "cul_de_sac_depth_m"],
                aliases=[
                    _("name"),
                    _("highway"),
                    _("depth of far end (m)"),
                    _("cul-de-sac depth (m)"),
                ],
                colour="#b2182b",
                style=lambda f: {"weight": 4, "opacity": 0.9},
                show=False,
            )
    if "alley" in segments.columns:
        alleys = segments[segments["alley"].fillna(False).astype(bool)]
        if len(alleys):
            add_geojson_layer(
                m,
                alleys,
                _("Access · Alleys between blank walls"),
                fields=["name", "highway", "enclosed_share", "doors_n"],
                aliases=[_("name"), _("highway"), _("enclosed share"), _("doors")],
                colour="#542788",
                style=lambda f: {"weight": 4, "opacity": 0.9, "dashArray": "4 4"},
                show=False,
            )


def _entry_style(feature: dict[str, Any]) -> dict[str, Any]:
    controlled = feature["properties"].get("controlled")
    colour = ENTRY_COLOURS["controlled" if controlled else "open"]
    return {"color": "#222222", "fillColor": colour, "fillOpacity": 0.95, "weight": 1}
