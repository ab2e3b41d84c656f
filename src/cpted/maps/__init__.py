"""Folium maps of a StudyArea or an Audit.

Every map is self-contained (Leaflet inlined from a pip-installed package; no tiles unless
asked for), credits OpenStreetMap with the data date, and escapes every text that came
from the data, so a street named ``<script>`` shows as text and never runs.

The principle modules add their own layers from ``cpted.maps._<module>.add_layers``.

Every word on a map (layer names, legends, tooltips, popups, the score picker) is written
in the current language (:func:`cpted._i18n.use`; ``language=`` of :func:`audit_map` and
:func:`area_map`), numbers in its notation; names from OpenStreetMap stay as mapped. The
words are fixed when the map is drawn, so a map drawn in French saves in French.
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
from cpted._i18n import N_, _, use
from cpted._principle import PRINCIPLES
from cpted.maps._assets import LEAFLET_CSS_URL, LEAFLET_JS_URL, inline_assets
from cpted.maps._packed import packed_layer
from cpted.maps._render import SafeFigure
from cpted.maps._words import label_and_unit, say, score_label

if TYPE_CHECKING:
    from cpted.area import StudyArea
    from cpted.audit import Audit

__all__ = [
    "CptedMap",
    "LayerList",
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
    """Round to 5 decimals (1 m); across the antimeridian, put west longitudes past 180."""
    if wrap:
        xy = xy.copy()
        xy[:, 0] = np.where(xy[:, 0] < 0, xy[:, 0] + 360.0, xy[:, 0])
    return np.round(xy, 5)


def for_web(
    gdf: gpd.GeoDataFrame, fields: Sequence[str], *, wrap: bool = False, simplify: float = 0.5
) -> dict[str, Any]:
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
    simplify
        Drop vertices within this many metres of a straight line through their
        neighbours (a layer in a projected CRS; 0 keeps every vertex).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection, safe to hand to folium.
    """
    keep = [f for f in fields if f in gdf.columns]
    if simplify and gdf.crs is not None and gdf.crs.is_projected and len(gdf):
        # in metres, before reprojecting: a vertex closer than this to the line through
        # its neighbours adds bytes and nothing a planner can see at street zoom
        gdf = gdf.set_geometry(shapely.simplify(gdf.geometry.values, simplify), crs=gdf.crs)
    web = gdf.to_crs(4326) if gdf.crs is not None else gdf
    # 5 decimals of a degree are about 1 m, what a street map shows; finer digits only
    # make the page heavier (a vertex costs about 20 bytes).
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


def _largest_first(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """
    Order polygons by area, largest first, so the smallest is drawn last, on top.

    Leaflet gives a click to the topmost feature under the cursor: a market inside a
    square, or a playground inside a park, is then picked by a click on it, and the
    larger space by a click beside it.
    """
    if not len(gdf) or not gdf.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        return gdf
    order = np.argsort(-shapely.area(gdf.geometry.values), kind="stable")
    return gdf.iloc[order]


def _say_fields(
    props: dict[str, Any], fields: Sequence[str], units: Sequence[tuple[str, bool]]
) -> None:
    """Write the tooltip ``fields`` of one feature in words with units, in place."""
    for field, (unit, share) in zip(fields, units, strict=True):
        if field in props:
            value = props[field]
            words = say(value, unit, share=share)
            # text from the data was escaped once by for_web (_clean) and say() returns it
            # as it is: escaped again, "H&M" would show as "H&amp;M"
            props[field] = words if isinstance(value, str) else html.escape(words, quote=False)


def _units(
    fields: Sequence[str], aliases: Sequence[str]
) -> tuple[list[str], list[tuple[str, bool]]]:
    """Return labels without their unit, and (unit, is a 0-1 share) of each field."""
    labels, units = [], []
    for field, alias in zip(fields, aliases, strict=True):
        label, unit = label_and_unit(alias)
        if field.endswith("_score"):
            unit = "of 100"  # the unit's key in _words.PRECISION, written in words by say()
        share = unit == "%" or (not unit and ("share" in field or "coverage" in field))
        labels.append(label)
        units.append((unit, share))
    return labels, units


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
    legend: Sequence[tuple[str, str]] | None = None,
    legend_note: str = "",
    simplify: float = 0.5,
) -> folium.FeatureGroup:
    """
    Add a toggleable layer of ``gdf`` with a tooltip (and optionally a popup) of ``fields``.

    Points are drawn as circle markers; polygons largest first, so a click picks the
    smallest feature under the cursor. Tooltip values are written in words with their
    unit (the unit in parentheses at the end of an alias: ``"area (m²)"`` shows
    "Area: 1,234 m²"); every text is escaped before it reaches HTML. ``popup=True``
    repeats the tooltip's fields in a popup on click; a sequence of (field, label) pairs
    shows those fields instead, for text too long for a tooltip (explanations,
    recommendations). The layer's legend (``legend``: (colour, label) pairs; by default
    one swatch of ``colour`` named after the layer) shows while the layer is on.
    ``simplify`` (metres) thins the vertices as :func:`for_web` does: fields of view and
    light, whose edges are estimates, take a coarser tolerance than walls and kerbs.

    Returns
    -------
    folium.FeatureGroup
        The layer, already added to ``m``.
    """
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    extra = [(f, a) for f, a in popup if f in gdf.columns] if not isinstance(popup, bool) else []
    gdf = _largest_first(gdf)
    data = for_web(
        gdf,
        [*fields, *[f for f, _a in extra if f not in fields]],
        wrap=getattr(m, "wrap", False),
        simplify=simplify,
    )
    present = [(f, a) for f, a in zip(fields, aliases or fields, strict=True) if f in gdf]
    keep = [f for f, _a in present]
    labels, units = _units(keep, [a for _f, a in present])
    default_style = {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.35}
    # styles read the measured values, so they are worked out before the values are
    # written in words; the page keeps one style per distinct look
    looks = [
        {**default_style, **style(feature)} if style else default_style
        for feature in data["features"]
    ]
    styles = {f["properties"]["id"]: v for f, v in zip(data["features"], looks, strict=True)}
    for feature in data["features"]:
        _say_fields(feature["properties"], keep, units)
        if extra:
            _say_fields(feature["properties"], *_popup_units(extra, keep))
    popup_only = [f for f, _a in extra if f not in keep]
    popup_labels = [html.escape(label_and_unit(a)[0]) for _f, a in extra]
    columns = [*keep, *popup_only]
    rows: list[list[Any]] = [[k, html.escape(label)] for k, label in enumerate(labels)]
    spec = {
        "fields": rows,
        "popup": (
            [[columns.index(f), label] for (f, _a), label in zip(extra, popup_labels, strict=True)]
            if extra
            else rows
            if popup
            else []
        ),
        "radius": radius,
    }
    layer = packed_layer(data["features"], columns, looks, spec, html.escape(name))
    if layer is not None:  # sent packed (a third of the bytes or less), see _packed
        layer.add_to(group)
        return _finish(m, group, name, legend, colour, legend_note)
    points = bool(len(gdf)) and bool((gdf.geom_type == "Point").any())
    kwargs: dict[str, Any] = {
        "style_function": lambda feature: styles.get(feature["properties"]["id"], default_style)
    }
    if data["features"] and keep:
        kwargs["tooltip"] = folium.GeoJsonTooltip(fields=keep, aliases=labels, sticky=False)
        if extra:
            kwargs["popup"] = folium.GeoJsonPopup(
                fields=[f for f, _a in extra],
                aliases=[label_and_unit(a)[0] for _f, a in extra],
                max_width=420,
            )
        elif popup:
            kwargs["popup"] = folium.GeoJsonPopup(fields=keep, aliases=labels)
    if points:
        kwargs["marker"] = folium.CircleMarker(
            radius=radius, weight=1, color="#222222", fill=True, fill_opacity=0.9
        )
    folium.GeoJson(data, name=html.escape(name), **kwargs).add_to(group)
    return _finish(m, group, name, legend, colour, legend_note)


def _finish(
    m: folium.Map,
    group: folium.FeatureGroup,
    name: str,
    legend: Sequence[tuple[str, str]] | None,
    colour: str,
    note: str,
) -> folium.FeatureGroup:
    """Add the layer to the map with its legend (by default, one swatch named after it)."""
    group.add_to(m)
    entries = legend if legend is not None else [(colour, name.split(" · ")[-1])]
    add_legend(m, name, entries, note, layer=group)
    return group


def _popup_units(
    extra: Sequence[tuple[str, str]], done: Sequence[str]
) -> tuple[list[str], list[tuple[str, bool]]]:
    """Return the popup-only fields and their units (tooltip fields are written already)."""
    todo = [(f, a) for f, a in extra if f not in done]
    return [f for f, _a in todo], _units([f for f, _a in todo], [a for _f, a in todo])[1]


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
          .leaflet-tooltip table th,.leaflet-popup-content table th{text-align:left;
            padding-right:8px;font-weight:600}
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
        return [name for name, _box in self.legends]


def add_legend(
    m: folium.Map,
    title: str,
    entries: Sequence[tuple[str, str]],
    note: str = "",
    *,
    layer: folium.map.Layer | None = None,
    pick_title: str | None = None,
) -> None:
    """
    Add a legend to the map's legend panel: ``entries`` are (colour, label) pairs.

    With ``layer``, the legend shows only while that layer is switched on, so the panel
    explains what is on the map and nothing else. With ``pick_title``, the title ends in
    the name of the score picked in the map's score control (which rewrites it). All text
    is escaped.
    """
    rows = "".join(
        f'<div><span class="swatch" style="background:{html.escape(colour)}"></span>'
        f"{html.escape(label)}</div>"
        for colour, label in entries
    )
    extra = f'<div class="note">{html.escape(note)}</div>' if note else ""
    heading = html.escape(title)
    if pick_title is not None:
        pick = f'<span class="cpted-pick-title">{html.escape(pick_title)}</span>'
        # "Street segments: Lighting"; French puts a space before the colon
        heading = html.escape(_("{title}: {pick}")).format(title=heading, pick=pick)
    box = f'<div class="cpted-legend"><strong>{heading}</strong>{rows}{extra}</div>'
    panel = getattr(m, "_cpted_legends", None)
    if panel is None:
        panel = _Legends(m.get_name())
        m.add_child(panel)
        m._cpted_legends = panel  # type: ignore[attr-defined]
    panel.legends.append((layer.get_name() if layer is not None else None, box))


#: Layers shown when an audit map opens; the others are listed, switched off, in the
#: layer control, so the first view answers "where is it weak?" and not everything at once.
DEFAULT_VISIBLE = (
    N_("Data · Buildings"),
    N_("CPTED · Public spaces by CPTED score"),
    N_("Streets · Street segments (colour: the score picked)"),
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
    if data_date:
        text = _("Data © OpenStreetMap contributors (ODbL), data of {date}").format(date=data_date)
    else:
        text = _("Data © OpenStreetMap contributors (ODbL)")
    m.add_child(_Attribution(m.get_name(), html.escape(text)))


def data_credit(data_date: str | None) -> str:
    """Write the credit of a legend: "© OpenStreetMap contributors, data of 2024-03-30"."""
    return _("© OpenStreetMap contributors, data of {date}").format(
        date=data_date or _("unknown date")
    )


def _framed_map(
    bounds: Any,
    wrap: bool,
    data_date: str | None,
    *,
    tiles: str | None,
    zoom_start: int,
    max_zoom: int,
) -> CptedMap:
    """
    Start a cpted page fitted to ``bounds`` (west, south, east, north in degrees).

    On the land colour of the data-drawn basemap, with the scale bar, the canvas renderer
    and the OpenStreetMap credit with the date of the data; ``wrap`` as in
    :func:`_base_map`.
    """
    centre = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    m = CptedMap(
        location=centre,
        tiles=tiles,
        zoom_start=zoom_start,
        control_scale=True,
        prefer_canvas=True,
        max_zoom=max_zoom,
    )
    m.wrap = wrap
    figure(m).header.add_child(
        branca.element.Element("<style>.leaflet-container{background:#f4f3ef !important}</style>")
    )
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    _attribution(m, data_date)
    return m


def _base_map(area: StudyArea, *, basemap: str | None, grey_streets: bool = True) -> CptedMap:
    frame = gpd.GeoSeries([area.boundary], crs=area.crs).to_crs(4326).to_numpy()
    lon = shapely.get_coordinates(frame)[:, 0]
    # a place across the antimeridian spans nearly 360° when read naively: draw it with
    # its west longitudes past 180° instead, in one piece
    wrap = bool(len(lon)) and float(lon.max() - lon.min()) > 180.0
    bounds = shapely.total_bounds(shapely.transform(frame, lambda xy: _lonlat(xy, wrap)))
    m = _framed_map(bounds, wrap, area.data_date, tiles=basemap, zoom_start=16, max_zoom=21)
    if not basemap:
        from cpted.maps._streets import add_basemap

        add_basemap(m, area, streets=grey_streets)
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
    ("buildings", N_("Data · Buildings"), (("name", N_("name")), ("building", N_("building")),
        ("levels", N_("storeys")), ("height", N_("height (m)")),
        ("height_source", N_("height from"))), 4.0, True),
    ("sites", N_("Data · Public spaces (sites)"), (("name", N_("name")),
        ("category", N_("kind of space")), ("area_m2", N_("area (m²)")),
        ("access", N_("access"))), 4.0, True),
    ("streets", N_("Data · Streets by lighting tag"), (("name", N_("street")),
        ("highway", N_("type")), ("lit", N_("lit")), ("lit_raw", N_("lit tag")),
        ("length", N_("length (m)"))), 4.0, True),
    ("barriers", N_("Data · Barriers (walls, fences, hedges, bollards, gates)"),
        (("barrier", N_("barrier")),
        ("opaque", N_("hides a person")), ("passable", N_("passable on foot")),
        ("height", N_("height (m)"))), 3.0, True),
    ("lamps", N_("Data · Street lamps"), (("height", N_("height (m)")),
        ("height_source", N_("height from")), ("flux", N_("flux (lm)")),
        ("source", N_("source"))), 4.0, True),
    ("entrances", N_("Data · Entrances and gates"), (("entrance", N_("kind")),
        ("entrance_raw", N_("tag")), ("access", N_("access"))), 3.0, True),
    ("pois", N_("Data · Shops and amenities"), (("name", N_("name")), ("category", N_("kind")),
        ("opening_hours", N_("opening hours"))), 3.0, False),
    ("cameras", N_("Data · CCTV cameras"), (("surveillance", N_("where")),
        ("camera_type", N_("camera type")), ("direction", N_("direction (°)")),
        ("direction_known", N_("direction mapped"))), 4.0, True),
)  # fmt: skip


def _lit_style(feature: dict[str, Any]) -> dict[str, Any]:
    lit = feature["properties"].get("lit")
    return {"color": _LIT_COLOURS.get(lit, "#555"), "weight": 4, "opacity": 0.9}


#: Buildings are part of the basemap: drawn in a neutral tone, under the measures.
_BUILDING_STYLE: dict[str, Any] = {
    "color": "#b3aaa0",
    "weight": 1,
    "fillColor": "#d9d2c9",
    "fillOpacity": 1.0,
}


def _building_style(feature: dict[str, Any]) -> dict[str, Any]:
    return _BUILDING_STYLE


#: The area layers drawn under the audit's measures (areas) and above them (points).
_UNDER = ("buildings", "sites")
#: Shops and amenities are drawn by the surveillance layers (with their evening hours).
_OVER = ("barriers", "lamps", "entrances", "cameras")


def _add_area_layers(
    m: folium.Map,
    area: StudyArea,
    lamps: gpd.GeoDataFrame | None = None,
    *,
    only: Sequence[str] | None = None,
) -> dict[str, folium.FeatureGroup]:
    """
    Draw the layers of ``area`` (those named in ``only``, all by default) in that order.

    Lamps are drawn with the heights and fluxes the lighting used (``lamps``, the audit's
    lamp table; :func:`cpted.lighting.lamps_with_defaults` when not given), not as mapped.
    """
    if lamps is None and len(area.lamps) and (only is None or "lamps" in only):
        from cpted.lighting import lamps_with_defaults

        lamps = lamps_with_defaults(area)
    layers = {"lamps": lamps if lamps is not None else area.lamps}
    spec = {row[0]: row for row in _AREA_LAYERS}
    groups = {}
    for layer in only if only is not None else list(spec):
        _key, title, fields, radius, show = spec[layer]
        style = _lit_style if layer == "streets" else None
        colour = settings.LAYER_COLOURS.get(layer, settings.LAYER_COLOURS["streets"])
        legend = lit_legend() if layer == "streets" else None
        if layer == "buildings":
            style, colour = _building_style, str(_BUILDING_STYLE["fillColor"])
        groups[layer] = add_geojson_layer(
            m,
            layers.get(layer, getattr(area, layer)),
            _(title),
            fields=[f for f, _a in fields],
            aliases=[_(a) for _f, a in fields],
            colour=colour,
            style=style,
            radius=radius,
            show=show,
            legend=legend,
            legend_note=data_credit(area.data_date) if layer == "streets" else "",
        )
    return groups


#: The legend of the lit=* tag: (value, label).
LIT_LABELS = (
    ("yes", N_("lit")),
    ("limited", N_("lit part of the night")),
    ("no", N_("not lit")),
    ("unknown", N_("not mapped")),
)


def lit_legend() -> list[tuple[str, str]]:
    """Return the legend of the lit=* tag in the current language: (colour, label) pairs."""
    return [(_LIT_COLOURS[k], _(label)) for k, label in LIT_LABELS]


#: The order of the groups in the layer list: a layer's group is its name up to " · ".
LAYER_GROUPS = (
    N_("Streets"),
    N_("CPTED"),
    N_("Sightlines"),
    N_("Lighting"),
    N_("Surveillance"),
    N_("Access"),
    N_("Vulnerability"),
    N_("Data"),
)


class LayerList(folium.LayerControl):
    """
    The layer list, folded until opened, its layers grouped by principle.

    A layer's group is the start of its name ("Lighting · Dark spots ..."); groups follow
    :data:`LAYER_GROUPS`, layers without one come last, and within a group the layers
    keep the order they were drawn in. The group names are read in the language the list
    is made in, which is the one its layers were named in.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("collapsed", True)
        super().__init__(**kwargs)
        self._groups = [_(group) for group in LAYER_GROUPS]

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Render the control with its overlays in group order."""
        self.reset()
        overlays = []
        parent = self._parent
        assert parent is not None  # rendered only once added to a map
        for item in parent._children.values():
            if not isinstance(item, folium.map.Layer) or not item.control:
                continue
            if not item.overlay:
                self.base_layers[item.layer_name] = item.get_name()
            else:
                overlays.append((item.layer_name, item.get_name()))

        def rank(entry: tuple[str, str]) -> int:
            group = html.unescape(entry[0]).split(" · ", 1)[0]
            groups = self._groups
            return groups.index(group) if group in groups else len(groups)

        for key, name in sorted(overlays, key=rank):
            self.overlays[key] = name
        branca.element.MacroElement.render(self, **kwargs)


def area_map(
    area: StudyArea, *, basemap: str | None = None, language: str | None = None
) -> CptedMap:
    """
    Draw every CPTED-relevant layer of a StudyArea on a self-contained folium map.

    Parameters
    ----------
    area
        The study area.
    basemap
        A folium tile name (e.g. ``"OpenStreetMap"``) for a tile background when online;
        default :data:`cpted.settings.BASEMAP` (None: the basemap is drawn from the data
        itself, fully offline).
    language
        The language of the map's words (``"en"``, ``"fr"``, ``"es"``, ``"de"``); default
        the current one (:func:`cpted._i18n.use`, else the machine's).

    Returns
    -------
    CptedMap
    """
    with use(language):
        m = _base_map(area, basemap=basemap or settings.BASEMAP)
        _add_area_layers(m, area)
        LayerList().add_to(m)
    return m


def audit_map(audit: Audit, *, basemap: str | None = None, language: str | None = None) -> CptedMap:
    """
    Draw an audit: the street segments coloured by the score picked, and every layer.

    The segments are drawn once with every principle's score; the control at the top
    right recolours them. The layer list (folded until opened) groups the other layers
    by principle, and each layer's legend shows while it is on.

    Parameters
    ----------
    audit
        The result of :func:`cpted.audit`.
    basemap
        As in :func:`area_map`.
    language
        As in :func:`area_map`.

    Returns
    -------
    CptedMap
    """
    with use(language):
        m = _audit_layers(audit, basemap=basemap)
        LayerList().add_to(m)
    return m


#: The bands of a 0-100 score: (a score in the band, label).
SCORE_BANDS = (
    (10, N_("0–20 poor")),
    (30, "20–40"),
    (50, "40–60"),
    (70, "60–80"),
    (90, N_("80–100 good")),
)


def score_legend() -> list[tuple[str, str]]:
    """Return the legend of a 0-100 score in the current language: (colour, label) pairs."""
    return [(score_colour(v), _(label)) for v, label in SCORE_BANDS]


#: How a site's fields are named in its tooltip (score columns: :func:`score_label`).
_SITE_FIELDS = {
    "area_m2": N_("area (m²)"),
    "name": N_("name"),
    "category": N_("kind of space"),
}


def _audit_layers(audit: Audit, *, basemap: str | None = None) -> CptedMap:
    """Draw the audit map without its layer control, for pages that add layers of their own."""
    from cpted.maps._streets import add_segments

    area = audit.area
    m = _base_map(area, basemap=basemap or settings.BASEMAP, grey_streets=False)
    _add_area_layers(m, area, only=_UNDER)
    sites = audit.sites
    if "cpted_score" in sites.columns and len(sites):
        site_fields = ["name", "category", "area_m2", *[c for c in sites if c.endswith("_score")]]
        add_geojson_layer(
            m,
            sites,
            _("CPTED · Public spaces by CPTED score"),
            fields=site_fields,
            aliases=[
                _(_SITE_FIELDS[f]) if f in _SITE_FIELDS else score_label(f) for f in site_fields
            ],
            style=lambda f: {
                "color": score_colour(f["properties"].get("cpted_score")),
                "fillColor": score_colour(f["properties"].get("cpted_score")),
                "weight": 3,
                "fillOpacity": 0.35,
            },
            popup=[
                ("name", _("public space")),
                ("category", _("kind")),
                ("cpted_score", _("CPTED score")),
                ("explanation", _("what pulls the score down")),
                ("recommendations", _("what to do")),
            ],
            legend=[*score_legend(), (score_colour(None), _("not scored"))],
            legend_note=data_credit(area.data_date),
        )
    add_segments(m, audit)
    for name in PRINCIPLE_LAYERS:
        try:
            module = importlib.import_module(f"cpted.maps._{name}")
        except ModuleNotFoundError:
            continue
        module.add_layers(m, audit)
    _add_area_layers(m, area, audit.layers.get("lamps"), only=_OVER)
    if "cpted_score" in audit.segments.columns:
        visible = {_(name) for name in DEFAULT_VISIBLE}
        for child in m._children.values():
            if isinstance(child, folium.map.Layer) and child.control:
                child.show = html.unescape(child.layer_name) in visible
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
