"""Folium maps of a StudyArea or an Audit.

Every map is self-contained (Leaflet inlined from a pip-installed package; no tiles unless
asked for), credits OpenStreetMap with the data date, and escapes every text that came
from the data, so a street named ``<script>`` shows as text and never runs.

The principle modules add their own layers from ``cpted.maps._<module>.add_layers``.
"""

from __future__ import annotations

import html
import importlib
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

import branca
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpted import settings
from cpted._principle import PRINCIPLES
from cpted.maps._assets import LEAFLET_CSS_URL, LEAFLET_JS_URL, inline_assets
from cpted.maps._render import SafeFigure

if TYPE_CHECKING:
    from cpted.area import StudyArea
    from cpted.audit import Audit

__all__ = [
    "CptedMap",
    "add_geojson_layer",
    "add_legend",
    "area_map",
    "audit_map",
    "figure",
    "for_web",
    "score_colour",
]

#: Principle modules whose ``cpted.maps._<name>.add_layers(m, audit)`` adds map layers
#: (from the registry of principles).
PRINCIPLE_LAYERS = tuple(p.map_layers for p in PRINCIPLES.values() if p.map_layers)


class CptedMap(folium.Map):
    """
    A folium Map that loads Leaflet from the installed package, never from a CDN.

    It is drawn on a :class:`~cpted.maps._render.SafeFigure`, so no text of the data is
    ever compiled as a template, whichever way the page is rendered (``save``,
    ``to_html``, the notebook repr, or ``get_root().render()``).
    """

    default_js: ClassVar[list[tuple[str, str]]] = [("leaflet", LEAFLET_JS_URL)]  # type: ignore[misc]
    default_css: ClassVar[list[tuple[str, str]]] = [("leaflet_css", LEAFLET_CSS_URL)]  # type: ignore[misc]

    #: Whether the map lies across the antimeridian (longitudes drawn past 180°).
    wrap: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        SafeFigure().add_child(self)

    def to_html(self, *, allow_remote: bool = False) -> str:
        """Render the whole page with Leaflet inlined."""
        page = self.get_root().render()
        return inline_assets(page, allow_remote=allow_remote or self._has_tiles)

    @property
    def _has_tiles(self) -> bool:
        return any(isinstance(c, folium.TileLayer) for c in self._children.values())

    def save(self, outfile: Any, close_file: bool = True, **kwargs: Any) -> None:
        """Write the self-contained page to ``outfile`` (a path or a file object)."""
        page = self.to_html()
        if hasattr(outfile, "write"):
            outfile.write(page)
            if close_file:
                outfile.close()
            return
        with open(outfile, "w", encoding="utf-8") as fh:
            fh.write(page)

    def _repr_html_(self, **kwargs: Any) -> str:
        page = html.escape(self.to_html())
        return (
            '<div style="width:100%;"><div style="position:relative;width:100%;height:0;'
            'padding-bottom:60%;"><iframe srcdoc="' + page + '" style="position:absolute;'
            'width:100%;height:100%;left:0;top:0;border:none !important;" '
            "allowfullscreen></iframe></div></div>"
        )


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else round(float(value), 2)
    # Everything else is text that may have come from the data: escape it, because
    # Leaflet tooltips and popups insert it as HTML.
    return html.escape(str(value))


def _lonlat(xy: np.ndarray, wrap: bool) -> np.ndarray:
    """Round to 6 decimals (0.1 m); across the antimeridian, put west longitudes past 180."""
    if wrap:
        xy = xy.copy()
        xy[:, 0] = np.where(xy[:, 0] < 0, xy[:, 0] + 360.0, xy[:, 0])
    return np.round(xy, 6)


def for_web(gdf: gpd.GeoDataFrame, fields: Sequence[str], *, wrap: bool = False) -> dict[str, Any]:
    """
    Return a GeoJSON dict in WGS84 with only ``fields``, every text escaped for HTML.

    Parameters
    ----------
    gdf
        A layer in any CRS.
    fields
        The columns to keep as properties (missing ones are skipped).
    wrap
        The map lies across the antimeridian: longitudes west of it are given as past 180°,
        so Leaflet draws the place in one piece (see :func:`_base_map`).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection, safe to hand to folium.
    """
    keep = [f for f in fields if f in gdf.columns]
    web = gdf.to_crs(4326) if gdf.crs is not None else gdf
    # 6 decimals of a degree are about 0.1 m: finer digits only make the page heavier.
    web = web.set_geometry(
        shapely.transform(web.geometry.values, lambda xy: _lonlat(xy, wrap)), crs=web.crs
    )
    features = []
    for index, geom, *values in zip(web.index, web.geometry, *(web[c] for c in keep), strict=True):
        if geom is None or geom.is_empty:
            continue
        props = {"id": _clean(index)}
        props.update({c: _clean(v) for c, v in zip(keep, values, strict=True)})
        features.append(
            {"type": "Feature", "properties": props, "geometry": geom.__geo_interface__}
        )
    return {"type": "FeatureCollection", "features": features}


def add_geojson_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    name: str,
    *,
    fields: Sequence[str],
    aliases: Sequence[str] | None = None,
    colour: str = "#333333",
    style: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    radius: float = 4.0,
    show: bool = True,
    popup: bool | Sequence[tuple[str, str]] = False,
) -> folium.FeatureGroup:
    """
    Add a toggleable layer of ``gdf`` with a tooltip (and optionally a popup) of ``fields``.

    Points are drawn as circle markers; every text is escaped before it reaches HTML.
    ``popup=True`` repeats the tooltip's fields in a popup on click; a sequence of
    (field, label) pairs shows those fields instead, for text too long for a tooltip
    (explanations, recommendations).

    Returns
    -------
    folium.FeatureGroup
        The layer, already added to ``m``.
    """
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    extra = [(f, a) for f, a in popup if f in gdf.columns] if not isinstance(popup, bool) else []
    data = for_web(
        gdf, [*fields, *[f for f, _ in extra if f not in fields]], wrap=getattr(m, "wrap", False)
    )
    keep = ["id", *[f for f in fields if f in gdf.columns]]
    labels = ["id", *[a for f, a in zip(fields, aliases or fields, strict=True) if f in gdf]]
    default_style = {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.35}
    kwargs: dict[str, Any] = {
        "style_function": (lambda feature: {**default_style, **style(feature)})
        if style
        else (lambda feature: default_style),
    }
    if data["features"]:
        kwargs["tooltip"] = folium.GeoJsonTooltip(fields=keep, aliases=labels, sticky=False)
        if extra:
            kwargs["popup"] = folium.GeoJsonPopup(
                fields=[f for f, _ in extra], aliases=[a for _, a in extra], max_width=420
            )
        elif popup:
            kwargs["popup"] = folium.GeoJsonPopup(fields=keep, aliases=labels)
    points = bool(len(gdf)) and bool((gdf.geom_type == "Point").any())
    if points:
        kwargs["marker"] = folium.CircleMarker(
            radius=radius, weight=1, color="#222222", fill=True, fill_opacity=0.9
        )
    folium.GeoJson(data, name=html.escape(name), **kwargs).add_to(group)
    group.add_to(m)
    return group


def figure(m: folium.Map) -> branca.element.Figure:
    """Return the page (branca Figure) a map is drawn on, to add legends and styles to."""
    return cast(branca.element.Figure, m.get_root())


def score_colour(score: float | None) -> str:
    """Colour a 0-100 score from red (poor) through yellow to green (good); grey if unknown."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "#9e9e9e"
    stops = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"]
    return stops[min(int(max(score, 0.0) // 20), 4)]


class _Legends(branca.element.MacroElement):
    """One panel of legends, bottom left; each legend shows while its layer is on the map."""

    _template = branca.element.Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          #cpted-legends{position:fixed;bottom:56px;left:12px;z-index:9999;display:flex;
            flex-direction:column;gap:6px;max-height:calc(100vh - 140px);overflow-y:auto;
            font:12px/1.4 sans-serif}
          .cpted-legend{background:rgba(255,255,255,0.93);padding:8px 10px;border-radius:4px;
            box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:270px}
          .cpted-legend .swatch{display:inline-block;width:12px;height:12px;margin-right:6px;
            border:1px solid #444;vertical-align:-1px}
          .cpted-legend .note{margin-top:4px;color:#555}
          .leaflet-control-layers-expanded{max-height:calc(100vh - 60px);overflow-y:auto;
            font-size:12px}
        </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div id="cpted-legends">{% for legend in this.legends %}{{ legend[1] }}{% endfor %}</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this.map_name }};
          // layer variables are looked up when needed: they are declared after this script
          var legends = {{ this.legend_layers|tojson }};
          function refresh() {
            var boxes = document.querySelectorAll("#cpted-legends > .cpted-legend");
            legends.forEach(function (name, i) {
              var layer = name ? window[name] : null;
              var shown = !layer || map.hasLayer(layer);
              if (boxes[i]) { boxes[i].style.display = shown ? "" : "none"; }
            });
          }
          map.on("overlayadd overlayremove layeradd layerremove", refresh);
          window.addEventListener("load", refresh);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str) -> None:
        super().__init__()
        self._name = "CptedLegends"
        self.map_name = map_name
        self.legends: list[tuple[str | None, str]] = []

    @property
    def legend_layers(self) -> list[str | None]:
        """The JavaScript names of the layers the legends belong to (None: always shown)."""
        return [name for name, _ in self.legends]


def add_legend(
    m: folium.Map,
    title: str,
    entries: Sequence[tuple[str, str]],
    note: str = "",
    *,
    layer: folium.map.Layer | None = None,
) -> None:
    """
    Add a legend to the map's legend panel: ``entries`` are (colour, label) pairs.

    With ``layer``, the legend shows only while that layer is switched on, so the panel
    explains what is on the map and nothing else. All text is escaped.
    """
    rows = "".join(
        f'<div><span class="swatch" style="background:{html.escape(colour)}"></span>'
        f"{html.escape(label)}</div>"
        for colour, label in entries
    )
    extra = f'<div class="note">{html.escape(note)}</div>' if note else ""
    box = f'<div class="cpted-legend"><strong>{html.escape(title)}</strong>{rows}{extra}</div>'
    panel = getattr(m, "_cpted_legends", None)
    if panel is None:
        panel = _Legends(m.get_name())
        m.add_child(panel)
        m._cpted_legends = panel  # type: ignore[attr-defined]
    panel.legends.append((layer.get_name() if layer is not None else None, box))


#: Layers shown when an audit map opens; the others are listed, switched off, in the
#: layer control, so the first view answers "where is it weak?" and not everything at once.
DEFAULT_VISIBLE = (
    "Buildings",
    "Public spaces by CPTED score",
    "CPTED score by street segment",
)


class _Attribution(branca.element.MacroElement):
    """The credit line; its text is a template variable, never part of the template."""

    _template = branca.element.Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.map_name }}.attributionControl.addAttribution({{ this.text|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, map_name: str, text: str) -> None:
        super().__init__()
        self._name = "CptedAttribution"
        self.map_name = map_name
        self.text = text


def _attribution(m: folium.Map, data_date: str | None) -> None:
    text = "Data © OpenStreetMap contributors (ODbL)"
    if data_date:
        text += f", data of {data_date}"
    m.add_child(_Attribution(m.get_name(), html.escape(text)))


def _base_map(area: StudyArea, *, basemap: str | None) -> CptedMap:
    frame = gpd.GeoSeries([area.boundary], crs=area.crs).to_crs(4326).to_numpy()
    lon = shapely.get_coordinates(frame)[:, 0]
    # a place across the antimeridian spans nearly 360° when read naively: draw it with
    # its west longitudes past 180° instead, in one piece
    wrap = bool(len(lon)) and float(lon.max() - lon.min()) > 180.0
    bounds = shapely.total_bounds(shapely.transform(frame, lambda xy: _lonlat(xy, wrap)))
    centre = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    m = CptedMap(
        location=centre,
        tiles=basemap,
        zoom_start=16,
        control_scale=True,
        prefer_canvas=True,
        max_zoom=21,
    )
    m.wrap = wrap
    figure(m).header.add_child(
        branca.element.Element("<style>.leaflet-container{background:#f4f3ef !important}</style>")
    )
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    _attribution(m, area.data_date)
    return m


_LIT_COLOURS = {
    "yes": settings.LAYER_COLOURS["lit_yes"],
    "limited": settings.LAYER_COLOURS["lit_limited"],
    "no": settings.LAYER_COLOURS["lit_no"],
    "unknown": settings.LAYER_COLOURS["lit_unknown"],
}


#: The layers of a StudyArea on a map: (layer, title, [(field, label), ...], point radius,
#: shown when the map opens). Streets are coloured by their lighting tag.
_AREA_LAYERS: tuple[tuple[str, str, tuple[tuple[str, str], ...], float, bool], ...] = (
    ("buildings", "Buildings", (("name", "name"), ("building", "building"),
        ("levels", "storeys"), ("height", "height (m)"), ("height_source", "height from")),
     4.0, True),
    ("sites", "Public spaces (sites)", (("name", "name"), ("category", "kind of space"),
        ("area_m2", "area (m²)"), ("access", "access")), 4.0, True),
    ("streets", "Streets by lighting tag", (("name", "street"), ("highway", "type"),
        ("lit", "lit"), ("lit_raw", "lit tag"), ("length", "length (m)")), 4.0, True),
    ("barriers", "Barriers (walls, fences, hedges, bollards, gates)", (("barrier", "barrier"),
        ("opaque", "hides a person"), ("passable", "passable on foot"),
        ("height", "height (m)")), 3.0, True),
    ("lamps", "Street lamps", (("height", "height (m)"), ("height_source", "height from"),
        ("flux", "flux (lm)"), ("source", "source")), 4.0, True),
    ("entrances", "Entrances and gates", (("entrance", "kind"), ("entrance_raw", "tag"),
        ("access", "access")), 3.0, True),
    ("pois", "Shops and amenities", (("name", "name"), ("category", "kind"),
        ("opening_hours", "opening hours")), 3.0, False),
    ("cameras", "CCTV cameras", (("surveillance", "where"), ("camera_type", "camera type"),
        ("direction", "direction (°)"), ("direction_known", "direction mapped")), 4.0, True),
)  # fmt: skip


def _lit_style(feature: dict[str, Any]) -> dict[str, Any]:
    lit = feature["properties"].get("lit")
    return {"color": _LIT_COLOURS.get(lit, "#555"), "weight": 4, "opacity": 0.9}


def _add_area_layers(
    m: folium.Map, area: StudyArea, lamps: gpd.GeoDataFrame | None = None
) -> folium.FeatureGroup:
    """
    Draw every layer of ``area``; return the streets layer, whose legend follows it.

    Lamps are drawn with the heights and fluxes the lighting used (``lamps``, the audit's
    lamp table; :func:`cpted.lighting.lamps_with_defaults` when not given), not as mapped.
    """
    if lamps is None and len(area.lamps):
        from cpted.lighting import lamps_with_defaults

        lamps = lamps_with_defaults(area)
    layers = {"lamps": lamps if lamps is not None else area.lamps}
    groups = {
        layer: add_geojson_layer(
            m,
            layers.get(layer, getattr(area, layer)),
            title,
            fields=[f for f, _ in fields],
            aliases=[a for _, a in fields],
            colour=settings.LAYER_COLOURS.get(layer, settings.LAYER_COLOURS["streets"]),
            style=_lit_style if layer == "streets" else None,
            radius=radius,
            show=show,
        )
        for layer, title, fields, radius, show in _AREA_LAYERS
    }
    return groups["streets"]


_LIT_LEGEND = [
    (_LIT_COLOURS[k], label)
    for k, label in (
        ("yes", "lit"),
        ("limited", "lit part of the night"),
        ("no", "not lit"),
        ("unknown", "not mapped"),
    )
]


def area_map(area: StudyArea, *, basemap: str | None = None) -> CptedMap:
    """
    Draw every CPTED-relevant layer of a StudyArea on a self-contained folium map.

    Parameters
    ----------
    area
        The study area.
    basemap
        A folium tile name (e.g. ``"OpenStreetMap"``) for a tile background when online;
        default :data:`cpted.settings.BASEMAP` (None: no tiles, fully offline).

    Returns
    -------
    CptedMap
    """
    m = _base_map(area, basemap=basemap or settings.BASEMAP)
    streets = _add_area_layers(m, area)
    add_legend(
        m,
        "Streets by lighting tag (lit=*)",
        _LIT_LEGEND,
        layer=streets,
        note=f"© OpenStreetMap contributors, data of {area.data_date or 'unknown date'}",
    )
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def audit_map(audit: Audit, *, basemap: str | None = None) -> CptedMap:
    """
    Draw an audit: segments coloured by their combined CPTED score, and every layer.

    Parameters
    ----------
    audit
        The result of :func:`cpted.audit`.
    basemap
        As in :func:`area_map`.

    Returns
    -------
    CptedMap
    """
    m = _audit_layers(audit, basemap=basemap)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


#: Tooltip labels of segment fields that read better in words than as column names.
_SEGMENT_ALIASES = {"not_audited": "not audited because"}


def _audit_layers(audit: Audit, *, basemap: str | None = None) -> CptedMap:
    """Draw the audit map without its layer control, for pages that add layers of their own."""
    area = audit.area
    m = _base_map(area, basemap=basemap or settings.BASEMAP)
    streets = _add_area_layers(m, area, audit.layers.get("lamps"))
    add_legend(m, "Streets by lighting tag (lit=*)", _LIT_LEGEND, layer=streets)
    segments = audit.segments
    score_columns = [c for c in segments.columns if c.endswith("_score")]
    fields = ["name", "highway", "length", "lit", *score_columns, "not_audited"]
    aliases = [_SEGMENT_ALIASES.get(f, f.replace("_", " ")) for f in fields]
    if "cpted_score" in segments.columns:
        score_layer = add_geojson_layer(
            m,
            segments,
            "CPTED score by street segment",
            fields=fields,
            aliases=aliases,
            style=lambda f: {
                "color": score_colour(f["properties"].get("cpted_score")),
                "weight": 5,
                "opacity": 0.95,
            },
            popup=[
                ("name", "street"),
                ("cpted_score", "CPTED score"),
                ("explanation", "what pulls the score down"),
                ("recommendations", "what to do"),
            ],
        )
        add_legend(
            m,
            "CPTED score of street segments",
            [
                (score_colour(v), label)
                for v, label in (
                    (10, "0–20 poor"),
                    (30, "20–40"),
                    (50, "40–60"),
                    (70, "60–80"),
                    (90, "80–100 good"),
                    (None, "not scored or not audited"),
                )
            ],
            note=f"© OpenStreetMap contributors, data of {area.data_date or 'unknown date'}",
            layer=score_layer,
        )
    sites = audit.sites
    if "cpted_score" in sites.columns and len(sites):
        site_fields = ["name", "category", "area_m2", *[c for c in sites if c.endswith("_score")]]
        add_geojson_layer(
            m,
            sites,
            "Public spaces by CPTED score",
            fields=site_fields,
            aliases=[f.replace("_", " ") for f in site_fields],
            style=lambda f: {
                "color": score_colour(f["properties"].get("cpted_score")),
                "fillColor": score_colour(f["properties"].get("cpted_score")),
                "weight": 3,
                "fillOpacity": 0.35,
            },
            popup=[
                ("name", "public space"),
                ("category", "kind"),
                ("cpted_score", "CPTED score"),
                ("explanation", "what pulls the score down"),
                ("recommendations", "what to do"),
            ],
        )
    for name in PRINCIPLE_LAYERS:
        try:
            module = importlib.import_module(f"cpted.maps._{name}")
        except ModuleNotFoundError:
            continue
        module.add_layers(m, audit)
    if "cpted_score" in segments.columns:
        for child in m._children.values():
            if isinstance(child, folium.FeatureGroup):
                child.show = html.unescape(child.layer_name) in DEFAULT_VISIBLE
    return m


def table_html(frame: pd.DataFrame) -> str:
    """Render a small table with every cell escaped (for reprs and reports)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>"
        + f"<th>{html.escape(str(i))}</th>"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        + "</tr>"
        for i, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    return f"<table><tr><th></th>{head}</tr>{body}</table>"
