"""
The street layers of an audit map: a basemap drawn from the data, and one segments layer.

The basemap (green spaces, the street network in grey, street and place names that appear
from zoom 17) is drawn first, under everything, from the study area itself, so a saved map
reads as a map with no tile server. The audit's street segments are drawn once, carrying
every principle's score; a small control recolours that one layer (Leaflet ``setStyle``
from each feature's scores) when the planner picks a principle, instead of one copy of the
geometry per score.

Data reaches the page only as template variables and JSON (``tojson``); every text is
escaped for HTML in Python before JavaScript inserts it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import branca
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpted import settings
from cpted._i18n import N_, _, current_language, n_, p_
from cpted._principle import PRINCIPLES
from cpted._tags import say_scope
from cpted.maps._packed import Words, packed_layer, steps
from cpted.maps._words import say

if TYPE_CHECKING:
    from cpted.area import StudyArea
    from cpted.audit import Audit

__all__ = [
    "LABEL_ZOOM",
    "PICKS",
    "add_basemap",
    "add_segments",
    "highway_words",
    "local_names",
    "where",
]

#: Zoom from which street and place names show (Leaflet zoom 17: about 1 m per pixel).
LABEL_ZOOM = 17

#: How far an unnamed path may lie from a named street and still be described by it, m.
BESIDE_M = 30.0

#: The scores the planner picks between: (label, score column).
PICKS: tuple[tuple[str, str], ...] = (
    (N_("CPTED score"), "cpted_score"),
    (N_("Sightlines"), "sightlines_score"),
    (N_("Lighting"), "lighting_score"),
    (N_("Surveillance"), "surveillance_score"),
    (N_("Access"), "access_score"),
)


def highway_words() -> dict[str, str]:
    """
    Name the common kinds of way (OSM ``highway=*``) in the current language.

    Other values are shown as mapped, "_" read as a space. English keeps the tag's own
    word ("service beside Mittelweg"); the context "highway" tells a translator that
    "service" is a service road, not an emergency service.
    """
    return {
        "footway": p_("highway", "footway"),
        "path": p_("highway", "path"),
        "pedestrian": p_("highway", "pedestrian"),
        "living_street": p_("highway", "living street"),
        "residential": p_("highway", "residential"),
        "service": p_("highway", "service"),
        "steps": p_("highway", "steps"),
        "cycleway": p_("highway", "cycleway"),
        "track": p_("highway", "track"),
        "bridleway": p_("highway", "bridleway"),
        "corridor": p_("highway", "corridor"),
        "elevator": p_("highway", "elevator"),
        "unclassified": p_("highway", "unclassified"),
        "tertiary": p_("highway", "tertiary"),
        "secondary": p_("highway", "secondary"),
        "primary": p_("highway", "primary"),
        "trunk": p_("highway", "trunk"),
        "busway": p_("highway", "busway"),
        "platform": p_("highway", "platform"),
        "crossing": p_("highway", "crossing"),
    }


_GREEN = "#d3e8c4"

#: Fill of each kind of land cover in the basemap: pale neutral tones, so that the scores
#: drawn over them keep their colours.
_COVER_COLOURS = {"built": "#ebe7e0", "green": _GREEN, "water": "#c6dcef"}
_BASE_STREET = "#b8b8b8"
_GREEN_CATEGORIES = ("park", "playground")
_NOT_MEASURED = ("lit_lamps_not_mapped", "unknown")
_SCORE_STOPS = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"]
_NO_SCORE = "#9e9e9e"


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def local_names(frame: pd.DataFrame) -> pd.Series:
    """
    Return each feature's name as mapped, or its ``name:<lang>`` in the current language.

    OSM names stay as mapped; where a layer carries a ``name:fr`` (``name:de``, ...)
    column, as a planner's own layers may, the map shows that name in French.
    """
    names = frame["name"].map(_text) if "name" in frame else pd.Series(None, frame.index)
    column = f"name:{current_language()}"
    if column in frame:
        local = frame[column].map(_text)
        names = local.where(local.notna(), names)
    return names.astype(object)


def where(streets: gpd.GeoDataFrame) -> pd.Series:
    """
    Name each segment for a planner: its street, or the named street it runs beside.

    A segment without a name of its own (or named after the street beside it, as
    sidewalks are) reads "footway beside Karl-Marx-Straße" when a named street lies within
    :data:`BESIDE_M`, else "unnamed footway", in the current language (the kinds of way
    of :func:`highway_words`; street names stay as mapped). Returns plain text (not
    escaped).
    """
    names = local_names(streets)
    kind = (
        streets["highway"].map(_text).fillna("path")
        if "highway" in streets
        else pd.Series("path", streets.index)
    )
    words = highway_words()
    kind = kind.map(lambda k: words.get(k) or k.replace("_", " "))
    borrowed = (
        streets["name_source"].eq("nearby street")
        if "name_source" in streets
        else pd.Series(False, streets.index)
    )
    out = names.where(~borrowed & names.notna(), None).astype(object)
    beside = names.where(borrowed, None)
    missing = names.isna()
    if missing.any() and names.notna().any():
        # a sidewalk named after its street stands for that street too
        known = names.notna()
        named = gpd.GeoDataFrame(
            {"street": names[known]}, geometry=streets.geometry[known], crs=streets.crs
        )
        lost = gpd.GeoDataFrame(geometry=streets.geometry[missing], crs=streets.crs)
        near = gpd.sjoin_nearest(lost, named, max_distance=BESIDE_M, how="left")
        near = near[~near.index.duplicated()]
        beside = beside.fillna(near["street"].reindex(streets.index))
    near_by, unnamed = _("{kind} beside {street}"), _("unnamed {kind}")
    described = [
        unnamed.format(kind=k) if pd.isna(b) else near_by.format(kind=k, street=b)
        for k, b in zip(kind, beside, strict=True)
    ]
    return out.where(out.notna(), pd.Series(described, index=streets.index, dtype=object))


def _angle(line: Any) -> float:
    """Return the reading angle of a line at its middle, in CSS degrees (clockwise)."""
    a = line.interpolate(0.45, normalized=True)
    b = line.interpolate(0.55, normalized=True)
    deg = -math.degrees(math.atan2(b.y - a.y, b.x - a.x))
    if deg > 90:
        deg -= 180
    elif deg < -90:
        deg += 180
    return round(deg)


def _to_web(points: Sequence[Any], crs: Any, wrap: bool) -> np.ndarray:
    from cpted.maps import _lonlat

    series = gpd.GeoSeries(list(points), crs=crs).to_crs(4326)
    return _lonlat(shapely.get_coordinates(series.to_numpy()), wrap)


def _labels(area: StudyArea, wrap: bool) -> list[list[Any]]:
    """One label per named street on its longest segment, and one per named site."""
    streets = area.streets
    rows: list[list[Any]] = []
    if len(streets) and "name" in streets:
        names = local_names(streets)
        # a street's own segments carry its label; a name only sidewalks borrowed (the
        # road itself not walkable) is placed on the longest of those sidewalks
        borrowed = (
            streets["name_source"].eq("nearby street")
            if "name_source" in streets
            else pd.Series(False, streets.index)
        )
        own_names = set(names[names.notna() & ~borrowed])
        own = names.notna() & (~borrowed | ~names.isin(own_names))
        if own.any():
            longest = streets.geometry[own].length.groupby(names[own]).idxmax()
            lines = streets.geometry.loc[longest.to_numpy()]
            mids = _to_web(lines.interpolate(0.5, normalized=True), streets.crs, wrap)
            for (name, _i), (lon, lat), line in zip(longest.items(), mids, lines, strict=True):
                rows.append([lat, lon, html.escape(name), _angle(line), "s"])
    sites = area.sites
    if len(sites) and "name" in sites:
        names = local_names(sites)
        named = sites[names.notna()]
        if len(named):
            spots = _to_web(named.geometry.representative_point(), sites.crs, wrap)
            for name, (lon, lat) in zip(names[names.notna()], spots, strict=True):
                rows.append([lat, lon, html.escape(str(name)), 0, "p"])
    return rows


class _Labels(branca.element.MacroElement):
    """Street and place names, shown from :data:`LABEL_ZOOM`; the names are JSON data."""

    _template = branca.element.Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .cpted-label{background:none;border:none}
          .cpted-label span{display:block;white-space:nowrap;font:11px/1 sans-serif;
            color:#4a4a4a;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;
            pointer-events:none}
          .cpted-label-p span{font-style:italic;color:#2f5e1f;font-size:12px}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this.map_name }};
          var labels = {{ this.labels|tojson }};
          var minZoom = {{ this.min_zoom|tojson }};
          var group = L.layerGroup();
          labels.forEach(function (l) {
            // the name is escaped for HTML in Python; the angle is a number
            var icon = L.divIcon({
              className: "cpted-label cpted-label-" + (l[4] === "p" ? "p" : "s"),
              html: '<span style="transform:translate(-50%,-50%) rotate(' + Number(l[3]) +
                'deg)">' + l[2] + "</span>",
              iconSize: null
            });
            L.marker([l[0], l[1]], {icon: icon, interactive: false, keyboard: false})
              .addTo(group);
          });
          function refresh() {
            if (map.getZoom() >= minZoom) { group.addTo(map); } else { group.remove(); }
          }
          map.on("zoomend", refresh);
          map.whenReady(refresh);
          window.cptedLabels = group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, labels: list[list[Any]], min_zoom: int) -> None:
        super().__init__()
        self._name = "CptedLabels"
        self.map_name = map_name
        self.labels = labels
        self.min_zoom = min_zoom


def _merged_lines(geoms: gpd.GeoSeries, wrap: bool) -> dict[str, Any]:
    """All lines as one MultiLineString feature in WGS84 (no properties: nothing to read)."""
    from cpted.maps import _lonlat

    web = geoms.to_crs(4326).to_numpy()
    web = shapely.transform(web, lambda xy: _lonlat(xy, wrap))
    lines = shapely.get_parts(web)
    lines = lines[shapely.get_type_id(lines) == 1]
    merged = shapely.multilinestrings(lines) if len(lines) else None
    features = []
    if merged is not None:
        features.append({"type": "Feature", "properties": {}, "geometry": merged.__geo_interface__})
    return {"type": "FeatureCollection", "features": features}


def add_basemap(m: folium.Map, area: StudyArea, *, streets: bool = True) -> None:
    """
    Draw a basemap from the study area under every other layer.

    Green spaces (parks and playgrounds among the sites; a ``landuse`` layer when the area
    has one), the walkable street network in a neutral grey, and the names of streets and
    places, shown from zoom :data:`LABEL_ZOOM`. Buildings are the buildings layer, drawn
    just above. Nothing here answers the mouse, so every click reaches the layers above.
    ``streets=False`` leaves the grey network to the segments layer, which draws it from
    its own geometry (an audit map holds the street geometry once).
    """
    from cpted.maps import for_web

    wrap = getattr(m, "wrap", False)
    # a pane of its own under the overlays (and under the lux raster): nothing here is
    # interactive, so its canvas never takes a click from the layers above
    folium.map.CustomPane("cptedBase", z_index=300, pointer_events=False).add_to(m)
    green = area.sites[area.sites["category"].isin(_GREEN_CATEGORIES)] if len(area.sites) else None
    landuse = getattr(area, "landuse", None)
    # built land first, then green, then water: each drawn over the one before
    covers = []
    if landuse is not None and len(landuse):
        covers += [(kind, landuse[landuse["kind"] == kind]) for kind in ("built", "green", "water")]
    if green is not None and len(green):
        covers.insert(len(covers) - 1 if covers else 0, ("green", green))
    for kind, layer in covers:
        if not len(layer):
            continue
        colour = _COVER_COLOURS[kind]
        look = {"color": colour, "weight": 0, "fillColor": colour, "fillOpacity": 1.0}
        _add_base(m, for_web(layer[["geometry"]], [], wrap=wrap), look, f"base-{kind}")
    if streets and len(area.streets):
        look = {"color": _BASE_STREET, "weight": 3, "opacity": 1.0}
        _add_base(m, _merged_lines(area.streets.geometry, wrap), look, "base-streets")
    labels = _labels(area, wrap)
    if labels:
        m.add_child(_Labels(m.get_name(), labels, LABEL_ZOOM))


def _add_base(m: folium.Map, data: dict[str, Any], look: dict[str, Any], name: str) -> None:
    """Draw basemap features in one look, in the basemap's pane, answering no mouse."""
    spec = {"options": {"pane": "cptedBase", "interactive": False}}
    features = data["features"]
    layer = packed_layer(features, [], [look] * len(features), spec, name)
    if layer is not None:
        layer.add_to(m)
        return
    folium.GeoJson(
        data,
        style_function=lambda f: look,
        control=False,
        interactive=False,
        pane="cptedBase",
    ).add_to(m)


# -- the one segments layer -------------------------------------------------------------


def _score(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number) if math.isfinite(number) else None


def _number_or_none(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index)


def _sightlines_words(s: pd.DataFrame) -> pd.Series:
    text = _("sees {ahead} ahead and {back} back; {share} of the 25 m disc in view")
    return pd.Series(
        [
            text.format(ahead=say(a, "m"), back=say(b, "m"), share=say(d, share=True))
            for a, b, d in zip(
                _col(s, "sightline_uv_m"),
                _col(s, "sightline_vu_m"),
                _col(s, "visible_share_25"),
                strict=True,
            )
        ],
        index=s.index,
        dtype=object,
    )


def _lighting_words(s: pd.DataFrame) -> pd.Series:
    out = []
    for status, mean, low, need in zip(
        _col(s, "lighting_status"),
        _col(s, "lux_mean_scored").fillna(_col(s, "lux_mean")),
        _col(s, "lux_min_scored").fillna(_col(s, "lux_min")),
        _col(s, "p_class_required"),
        strict=True,
    ):
        need_lx = settings.P_CLASSES.get(str(need), (math.nan, math.nan))[0]
        if status in _NOT_MEASURED:
            why = _("lit=* not mapped") if status == "unknown" else _("tagged lit, no lamp mapped")
            text = _("not measured ({why})").format(why=why)
            if _number_or_none(mean) is not None:
                text = _("estimated {lux} ({why})").format(lux=say(mean, "lx"), why=why)
        elif status == "unlit":
            text = _("not lit (lit=no)")
        else:
            text = _("measured {lux} (minimum {low})").format(
                lux=say(mean, "lx"), low=say(low, "lx")
            )
        if math.isfinite(need_lx):
            text = _("{measure}, needs {lux} for class {p_class}").format(
                measure=text, lux=say(need_lx, "lx"), p_class=need
            )
        out.append(text)
    return pd.Series(out, index=s.index)


def _surveillance_words(s: pd.DataFrame) -> pd.Series:
    left = pd.to_numeric(_col(s, "overlooked_left"), errors="coerce")
    right = pd.to_numeric(_col(s, "overlooked_right"), errors="coerce")
    seen = ((left + right) / 2).map(lambda v: say(v, share=True))
    text = _("{share} overlooked by windows and doors; {uses} within 25 m, {late} open at 21:00")
    out = []
    for share, n, late in zip(seen, _col(s, "uses"), _col(s, "uses_open_2100"), strict=True):
        count = _number_or_none(n)
        # the plural is chosen by the language's rule; a missing count reads "–"
        uses = n_("{n} use", "{n} uses", 2 if count is None else round(count)).format(n=say(n))
        out.append(text.format(share=share, uses=uses, late=say(late)))
    return pd.Series(out, index=s.index, dtype=object)


def _access_words(s: pd.DataFrame) -> pd.Series:
    out = []
    for dead, single, alley, depth in zip(
        _col(s, "dead_end").fillna(False),
        _col(s, "single_way_out").fillna(False),
        _col(s, "alley").fillna(False),
        _col(s, "dead_end_depth_m"),
        strict=True,
    ):
        parts = []
        if bool(dead):
            parts.append(
                _("dead end ({depth} deep)").format(depth=say(depth, "m"))
                if _score(depth)
                else _("dead end")
            )
        elif bool(single):
            parts.append(_("one way out"))
        if bool(alley):
            parts.append(_("alley between blank walls"))
        out.append(", ".join(parts) or _("through route"))
    return pd.Series(out, index=s.index)


_WORDS = {
    "sightlines_score": _sightlines_words,
    "lighting_score": _lighting_words,
    "surveillance_score": _surveillance_words,
    "access_score": _access_words,
}

_LIT_CODES = {"yes": 0, "limited": 1, "no": 2}


def _segment_table(
    segments: gpd.GeoDataFrame, picks: Sequence[tuple[str, str]], phrases: _Phrases
) -> pd.DataFrame:
    """Short keys the page needs: where, way id, length, scores, their words, the popup."""
    esc = lambda v: html.escape(v, quote=False)  # noqa: E731
    table = pd.DataFrame(index=segments.index)
    table["w"] = where(segments).map(esc)
    if "osmid" in segments:
        table["o"] = segments["osmid"].map(lambda v: esc(str(v)) if _text(v) else None)
    table["L"] = segments["length"].map(lambda v: say(v, "m")) if "length" in segments else None
    scores = [[_score(v) for v in segments[c]] for _label, c in picks]
    table["k"] = [list(row) for row in zip(*scores, strict=True)] if scores else [[]] * len(table)
    words = []
    for _label, column in picks:
        head = [say(_score(v), "of 100") for v in segments[column]]
        if column in _WORDS:
            tail = list(_WORDS[column](segments))
        elif column == "cpted_score" and "weakest_principle" in segments:
            weakest = _("weakest: {principle}")
            tail = [
                weakest.format(principle=_principle_word(w)) if _text(w) else ""
                for w in segments["weakest_principle"]
            ]
        else:
            tail = [""] * len(segments)
        # the score, then its reasons ("; "-separated), each as an index into the phrases
        words.append(
            [
                [phrases.index(esc(h)), *phrases.indices(esc(t))]
                for h, t in zip(head, tail, strict=True)
            ]
        )
    table["x"] = [list(row) for row in zip(*words, strict=True)] if words else [[]] * len(table)
    if "lighting_status" in segments:
        table["d"] = segments["lighting_status"].isin(_NOT_MEASURED).astype(int)
    if "lit" in segments:
        table["t"] = segments["lit"].map(lambda v: _LIT_CODES.get(v, 3))
    if "not_audited" in segments:  # private, indoor, bus-only ways: why they have no score
        # the reason in the current language where the catalogue has it, else as written
        table["n"] = segments["not_audited"].map(
            lambda v: esc(say_scope(str(v))) if _text(v) else None
        )
    for key, column in (("e", "explanation"), ("r", "recommendations")):
        if column in segments:
            table[key] = [
                phrases.indices(esc(str(v))) if _text(v) else None for v in segments[column]
            ]
    return table


def _principle_word(name: Any) -> str:
    """Name a principle in a tooltip: its key in English ("lighting"), else its title."""
    principle = PRINCIPLES.get(str(name))
    if principle is None:
        return str(name)
    title = _(principle.title)
    return str(name) if title == principle.title else title


class _Phrases(Words):
    """
    The texts of a page said once: each feature refers to its phrases by number.

    Explanations and advice repeat the same clauses on thousands of segments ("0 % of the
    street is overlooked by windows"); said once, the Helsinki page carries 0.2 MB of them
    instead of 1.7 MB. Texts are split at "; " and joined back the same way in the page.
    """

    def indices(self, text: str) -> list[int]:
        return [self.index(part) for part in text.split("; ") if part]


class SegmentsLayer(folium.map.Layer):
    """
    The audit's street segments, drawn once; :meth:`pick` in the page recolours them.

    The features carry short keys (see :func:`_segment_table`); ``spec`` holds the labels,
    colours and the scores to pick between. Both reach the page through ``tojson``.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var packed = {{ this.data|tojson }};
          function unpack(parts) {
            var lines = parts.map(function (flat) {
              var x = 0, y = 0, out = [];
              for (var i = 0; i + 1 < flat.length; i += 2) {
                x += flat[i]; y += flat[i + 1];
                out.push([x / 1e5, y / 1e5]);
              }
              return out;
            });
            return lines.length === 1 ? {type: "LineString", coordinates: lines[0]}
              : {type: "MultiLineString", coordinates: lines};
          }
          var data = {type: "FeatureCollection", features: packed.g.map(function (g, i) {
            return {type: "Feature", geometry: unpack(g), properties: packed.p[i]};
          })};
          var spec = {{ this.spec|tojson }};
          var pick = 0;
          function say(ids) {
            return ids.map(function (i) { return spec.phrases[i]; }).join("; ");
          }
          function words(x) {
            // a score, then its reasons
            var rest = say(x.slice(1));
            return spec.phrases[x[0]] + (rest ? " — " + rest : "");
          }
          function colour(v) {
            if (v === null || v === undefined) { return spec.none; }
            return spec.stops[Math.min(Math.floor(Math.max(v, 0) / 20), 4)];
          }
          function style(f) {
            var p = f.properties;
            if (pick === spec.picks.length) {
              return {color: spec.lit[p.t === undefined ? 3 : p.t], weight: 4, opacity: 0.9,
                      dashArray: null};
            }
            if (spec.picks[pick].dash && p.d) {
              return {color: spec.none, weight: 4, opacity: 0.9, dashArray: "6 6"};
            }
            return {color: colour(p.k[pick]), weight: 5, opacity: 0.95, dashArray: null};
          }
          var layer = L.geoJSON(data, {style: style, bubblingMouseEvents: false});
          // the basemap's grey street network, from the same geometry, under everything
          var base = L.geoJSON(data, {pane: "cptedBase", interactive: false,
            style: {color: spec.base, weight: 3, opacity: 1}});
          if ({{ this._parent.get_name() }}.getPane("cptedBase")) {
            base.addTo({{ this._parent.get_name() }});
          }
          // every value below was escaped for HTML in Python; labels are ours, escaped too
          layer.bindTooltip(function (l) {
            var p = l.feature.properties;
            var rows = ["<b>" + p.w + "</b>"];
            if (p.n) { rows.push(spec.not_audited + ": " + p.n); }
            if (p.L) { rows.push(spec.length + ": " + p.L); }
            spec.picks.forEach(function (s, i) {
              var line = s.label + ": " + words(p.x[i]);
              rows.push(i === pick ? "<b>" + line + "</b>" : line);
            });
            return rows.join("<br>");
          }, {sticky: false, className: "cpted-segment-tip"});
          layer.bindPopup(function (l) {
            var p = l.feature.properties;
            var out = "<b>" + p.w + "</b>";
            if (p.o) { out += "<br>" + spec.way + ": " + p.o; }
            if (p.x.length) { out += "<br>" + spec.picks[0].label + ": " + words(p.x[0]); }
            if (p.e) { out += "<br><i>" + spec.explanation + ":</i> " + say(p.e); }
            if (p.r && p.r.length) { out += "<br><i>" + spec.advice + ":</i> " + say(p.r); }
            return out;
          }, {maxWidth: 420});
          layer.cptedPick = function (i) { pick = i; layer.setStyle(style); };
          layer.cptedPicked = function () { return pick; };
          return layer;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], spec: dict[str, Any], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "SegmentsLayer"
        self.data = data
        self.spec = spec


class _Picker(branca.element.MacroElement):
    """The radio buttons that recolour the segments layer; labels are JSON data."""

    _template = branca.element.Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .cpted-picker{background:rgba(255,255,255,0.95);padding:6px 10px;
            font:12px/1.5 sans-serif;border-radius:4px}
          .cpted-picker label{display:block;cursor:pointer;white-space:nowrap}
          .cpted-picker input{margin:0 6px 0 0;vertical-align:-2px}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this.map_name }};
          var layer = {{ this.layer_name }};
          var options = {{ this.options|tojson }};
          var title = {{ this.title|tojson }};
          var control = L.control({position: "topright"});
          control.onAdd = function () {
            var box = L.DomUtil.create("div", "cpted-picker leaflet-bar");
            var head = L.DomUtil.create("strong", "", box);
            head.textContent = title;
            options.forEach(function (text, i) {
              var label = L.DomUtil.create("label", "", box);
              var input = L.DomUtil.create("input", "", label);
              input.type = "radio";
              input.name = "cpted-pick";
              input.value = String(i);
              input.checked = i === 0;
              label.appendChild(document.createTextNode(text));
              input.addEventListener("change", function () {
                layer.cptedPick(i);
                document.querySelectorAll(".cpted-pick-title").forEach(function (el) {
                  el.textContent = text;
                });
              });
            });
            L.DomEvent.disableClickPropagation(box);
            L.DomEvent.disableScrollPropagation(box);
            return box;
          };
          control.addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, layer_name: str, options: list[str], title: str) -> None:
        super().__init__()
        self._name = "CptedPicker"
        self.map_name = map_name
        self.layer_name = layer_name
        self.options = options
        self.title = title


#: The name of the segments layer in the layer list.
SEGMENTS_NAME = N_("Streets · Street segments (colour: the score picked)")


def add_segments(m: folium.Map, audit: Audit) -> SegmentsLayer | None:
    """
    Draw the audit's segments once, with every score, and the control that picks one.

    Returns the layer (None when the audit has no scores).
    """
    from cpted.maps import _LIT_COLOURS, add_legend, for_web, lit_legend, score_legend

    segments = audit.segments
    picks = [(_(label), column) for label, column in PICKS if column in segments]
    if not picks or not len(segments):
        return None
    phrases = _Phrases()
    table = _segment_table(segments, picks, phrases)
    # geometry through for_web (rounded, wrapped); the properties are the table's own,
    # already escaped (for_web would flatten the score lists to text)
    web = for_web(segments[["geometry"]], [], wrap=getattr(m, "wrap", False))
    records = {_key(k): v for k, v in table.to_dict("index").items()}
    data: dict[str, list[Any]] = {"g": [], "p": []}
    for feature in web["features"]:
        row = records[_key(feature["properties"]["id"])]
        data["p"].append({k: v for k, v in row.items() if _present(v)})
        data["g"].append(_packed(feature["geometry"]))
    spec = {
        "picks": [
            {"label": html.escape(label), "dash": column == "lighting_score"}
            for label, column in picks
        ],
        "stops": _SCORE_STOPS,
        "none": _NO_SCORE,
        "base": _BASE_STREET,
        "lit": [_LIT_COLOURS[k] for k in ("yes", "limited", "no", "unknown")],
        # our words, translated: escaped like the data, since the page inserts them as HTML
        "length": html.escape(_("Length")),
        "way": html.escape(_("OSM way")),
        "explanation": html.escape(_("What pulls the score down")),
        "not_audited": html.escape(_("Not audited because")),
        "advice": html.escape(_("What to do")),
        "phrases": phrases.items,
    }
    layer = SegmentsLayer(data, spec, html.escape(_(SEGMENTS_NAME)))
    layer.add_to(m)
    options = [label for label, _column in picks] + [_("Lighting tag (lit=*)")]
    m.add_child(_Picker(m.get_name(), layer.get_name(), options, _("Colour streets by")))
    lighting_tag = _("lighting tag: {label}")
    add_legend(
        m,
        _("Street segments"),
        [
            *score_legend(),
            (_NO_SCORE, _("not scored; dashed: light not measured")),
            *[(colour, lighting_tag.format(label=label)) for colour, label in lit_legend()],
        ],
        _(
            "Score of the principle picked above (0–100, higher supports safety better), "
            "or the lit=* tag as mapped."
        ),
        layer=layer,
        pick_title=picks[0][0],
    )
    return layer


def _packed(geometry: dict[str, Any]) -> list[list[int]]:
    """
    Pack a line as its parts, each as :func:`cpted.maps._packed.steps` gives it.

    The page rebuilds the GeoJSON (``unpack`` in :class:`SegmentsLayer`); a vertex costs
    about 8 bytes instead of 20, and a feature no GeoJSON keys.
    """
    lines = geometry["coordinates"]
    if geometry["type"] == "LineString":
        lines = [lines]
    return [steps(line) for line in lines]


def _key(value: Any) -> str:
    return html.escape(str(value))


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
