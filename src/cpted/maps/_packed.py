"""
Layers sent to the page packed: whole 1e-5 degrees, each vertex as a step from the last.

A GeoJSON vertex costs about 20 bytes (``[24.94327,60.16651],``) and each feature another
80 of keys; packed, a vertex costs about 8 and a feature nothing but its values. The page
rebuilds the GeoJSON before Leaflet draws it. Every layer of the maps goes this way (lines,
polygons and points, one look or a look per feature) but the segments (their own layer,
:mod:`cpted.maps._streets`) and a geometry type not packed (a GeometryCollection), which
stays folium GeoJson.

A :class:`PackedLayer` feature carries no keys: its properties are ``[look, word, ...]``,
the index of its style among the layer's looks, then one index per column into the
layer's words (each distinct text said once: "yes", "shop", "4 m" repeat on hundreds of
lamps and shops), null where the value is missing (shown "–", as :func:`say` writes it).

Data reaches the page only through ``tojson``; every value was escaped for HTML in Python
before the tooltip inserts it.
"""

from __future__ import annotations

import json
from typing import Any

import branca
import folium
import numpy as np

__all__ = ["DEPTH", "PackedLayer", "Words", "pack", "packed_layer", "steps", "unpack"]

#: How deep each geometry type nests its coordinates (0: one position).
DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "Polygon": 2,
    "MultiLineString": 2,
    "MultiPolygon": 3,
}

_TYPES = list(DEPTH)


def steps(positions: Any) -> list[int]:
    """Return positions as whole 1e-5 degrees, each after the first as the step from the last."""
    ints = np.rint(np.asarray(positions, dtype=float).reshape(-1, 2) * 1e5).astype(np.int64)
    if not len(ints):
        return []
    steps = np.vstack([ints[:1], np.diff(ints, axis=0)])
    return [int(v) for v in steps.ravel()]


def _pack(coordinates: Any, depth: int) -> Any:
    if depth == 0:
        return [int(v) for v in np.rint(np.asarray(coordinates, dtype=float) * 1e5)]
    if depth == 1:
        return steps(coordinates)
    return [_pack(part, depth - 1) for part in coordinates]


def pack(geometry: dict[str, Any]) -> list[Any] | None:
    """
    Pack a GeoJSON geometry as ``[type, coordinates]``; None for a type not packed.

    A position is in whole 1e-5 degrees; along a line or ring each position after the
    first is the step from the one before.
    """
    kind = geometry.get("type")
    if kind not in DEPTH:
        return None
    return [_TYPES.index(kind), _pack(geometry["coordinates"], DEPTH[kind])]


def _unpack(c: Any, depth: int) -> Any:
    if depth == 0:
        return [c[0] / 1e5, c[1] / 1e5]
    if depth == 1:
        xy = np.cumsum(np.asarray(c, dtype=np.int64).reshape(-1, 2), axis=0) / 1e5
        return xy.tolist()
    return [_unpack(part, depth - 1) for part in c]


def unpack(packed: list[Any]) -> dict[str, Any]:
    """Return the GeoJSON geometry of a packed one, as the page's ``cptedUnpack`` does."""
    kind = _TYPES[packed[0]]
    return {"type": kind, "coordinates": _unpack(packed[1], DEPTH[kind])}


#: The one script of every page with packed layers, in its head: ``cptedUnpack(packed)``
#: turns a packed layer's data back into GeoJSON (this module's layers and the city
#: overview's districts); ``cptedPackedLayer(packed, spec)`` draws a :class:`PackedLayer`.
#: Said once per page, not once per layer (some 20 layers on an audit map).
UNPACK_SCRIPT = (
    """
function cptedUnpack(packed) {
  var types = """
    + json.dumps(_TYPES)
    + """, depths = """
    + json.dumps([DEPTH[t] for t in _TYPES])
    + """;
  function unpack(c, d) {
    if (d === 0) { return [c[0] / 1e5, c[1] / 1e5]; }
    if (d === 1) {
      var x = 0, y = 0, out = [];
      for (var i = 0; i + 1 < c.length; i += 2) {
        x += c[i]; y += c[i + 1];
        out.push([x / 1e5, y / 1e5]);
      }
      return out;
    }
    return c.map(function (part) { return unpack(part, d - 1); });
  }
  return {type: "FeatureCollection", features: packed.g.map(function (g, i) {
    return {type: "Feature", properties: packed.p[i],
            geometry: {type: types[g[0]], coordinates: unpack(g[1], depths[g[0]])}};
  })};
}
function cptedPackedLayer(packed, spec) {
  function look(f) { return spec.looks[f.properties[0] || 0]; }
  var layer = L.geoJSON(cptedUnpack(packed), Object.assign({
    style: look,
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, Object.assign(
        {radius: spec.radius, bubblingMouseEvents: false}, look(f)));
    },
    bubblingMouseEvents: false}, spec.options));
  function rows(fields) {
    return function (l) {
      var p = l.feature.properties;
      // words and labels were escaped for HTML in Python
      return "<table>" + fields.map(function (f) {
        var i = p[f[0] + 1];
        return "<tr><th>" + f[1] + "</th><td>"
          + (i === undefined || i === null ? "\u2013" : spec.words[i]) + "</td></tr>";
      }).join("") + "</table>";
    };
  }
  if (spec.fields.length) { layer.bindTooltip(rows(spec.fields), {sticky: false}); }
  if (spec.popup.length) { layer.bindPopup(rows(spec.popup), {maxWidth: 420}); }
  return layer;
}
"""
)


def add_unpack_script(element: branca.element.Element) -> None:
    """Put :data:`UNPACK_SCRIPT` in the head of the page ``element`` is drawn on, once."""
    root = element.get_root()
    if isinstance(root, branca.element.Figure):
        root.header.add_child(
            branca.element.Element(f"<script>{UNPACK_SCRIPT}</script>"), name="cpted_unpack"
        )


class PackedLayer(folium.map.Layer):
    """
    Features packed (see :func:`pack`), each with its look, and a tooltip (and popup) of fields.

    ``data`` is ``{"g": [packed geometry, ...], "p": [[look, word, ...], ...]}`` (see the
    module's docstring). ``spec`` holds ``looks`` (the Leaflet styles), ``words``,
    ``fields`` and ``popup`` (the ``[column, label]`` rows of the tooltip and of the popup;
    labels escaped), ``radius`` (of the circle markers points are drawn as) and
    ``options`` (more Leaflet GeoJSON options: a pane, ``interactive``).
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var packed = {{ this.data|tojson }};
          var spec = {{ this.spec|tojson }};
          return cptedPackedLayer(packed, spec);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        spec: dict[str, Any],
        name: str,
        *,
        control: bool = False,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=True)
        self._name = "PackedLayer"
        self.data = data
        self.spec = {"fields": [], "popup": [], "radius": 4.0, "options": {}, **spec}
        #: The name of each column of the rows (not sent to the page: the tooltip has labels).
        self.columns: list[str] = []

    def render(self, **kwargs: Any) -> Any:
        """Render the layer, with the page's one unpacking script."""
        add_unpack_script(self)
        return super().render(**kwargs)

    def _get_self_bounds(self) -> list[list[float | None]]:
        """Return ``[[south, west], [north, east]]`` of the features (folium's ``get_bounds``)."""
        xy = [
            np.asarray(unpack(g)["coordinates"], dtype=float).reshape(-1, 2) for g in self.data["g"]
        ]
        if not xy or not sum(len(a) for a in xy):
            return [[None, None], [None, None]]
        every = np.vstack(xy)
        (west, south), (east, north) = every.min(axis=0), every.max(axis=0)
        return [[float(south), float(west)], [float(north), float(east)]]

    def records(self) -> list[dict[str, str | None]]:
        """Return each feature's values by column, as its tooltip shows them (None: "–")."""
        words = self.spec["words"]
        out = []
        for row in self.data["p"]:
            cells = row[1:]
            out.append(
                {
                    c: words[cells[k]] if k < len(cells) and cells[k] is not None else None
                    for k, c in enumerate(self.columns)
                }
            )
        return out


class Words:
    """The distinct texts of one layer, each said once; a feature refers to them by number."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def index(self, text: str) -> int:
        """Return the number of ``text``, adding it when new."""
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.items)
            self.items.append(text)
        return found


def packed_layer(
    features: list[dict[str, Any]],
    columns: list[str],
    looks: list[dict[str, Any]],
    spec: dict[str, Any],
    name: str,
    *,
    control: bool = False,
) -> PackedLayer | None:
    """
    Pack GeoJSON ``features`` with the ``columns`` of their properties, each in ``looks``.

    ``looks`` is the style of each feature; the layer keeps each distinct one once. A
    missing value, or one written "–", is sent as null (the tooltip writes "–" for it).
    Returns None when a geometry cannot be packed (the caller draws folium GeoJson).
    """
    geometries = [pack(feature["geometry"]) for feature in features]
    if any(g is None for g in geometries):
        return None
    words = Words()
    styles: dict[str, int] = {}
    distinct: list[dict[str, Any]] = []
    rows = []
    for feature, style in zip(features, looks, strict=True):
        key = json.dumps(style, sort_keys=True)
        if key not in styles:
            styles[key] = len(distinct)
            distinct.append(style)
        props = feature.get("properties") or {}
        row: list[int | None] = [styles[key]]
        for column in columns:
            value = props.get(column)
            row.append(None if value is None or value == "–" else words.index(str(value)))
        while len(row) > 1 and row[-1] is None:
            row.pop()
        rows.append(row if len(row) > 1 or row[0] else [])
    full = {**spec, "looks": distinct or [{}], "words": words.items}
    layer = PackedLayer({"g": geometries, "p": rows}, full, name, control=control)
    layer.columns = list(columns)
    return layer
