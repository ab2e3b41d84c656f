"""
Layers sent to the page packed: whole 1e-5 degrees, each vertex as a step from the last.

A GeoJSON vertex costs about 20 bytes (``[24.94327,60.16651],``) and each feature another
80 of keys; packed, a vertex costs about 8 and a feature nothing but its values. The page
rebuilds the GeoJSON before Leaflet draws it. Layers of one look (one style for all
features: isovists, dark spots, buildings, dead ends) go this way; layers styled feature
by feature stay folium GeoJson.

Data reaches the page only through ``tojson``; every value was escaped for HTML in Python
before the tooltip inserts it.
"""

from __future__ import annotations

from typing import Any

import branca
import folium
import numpy as np

__all__ = ["DEPTH", "PackedLayer", "pack", "steps"]

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


#: The script that turns a packed layer (``this.data``, ``this.types``, ``this.depths``)
#: back into GeoJSON ``data``, with ``spec`` beside it: the start of every packed layer's
#: macro (this module's and the city overview's districts).
UNPACK_SCRIPT = """
          var packed = {{ this.data|tojson }};
          var spec = {{ this.spec|tojson }};
          var types = {{ this.types|tojson }};
          var depths = {{ this.depths|tojson }};
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
          var data = {type: "FeatureCollection", features: packed.g.map(function (g, i) {
            return {type: "Feature", properties: packed.p[i],
                    geometry: {type: types[g[0]], coordinates: unpack(g[1], depths[g[0]])}};
          })};
"""


class PackedLayer(folium.map.Layer):
    """
    Features of one look, packed (see :func:`pack`), with a tooltip (and popup) of fields.

    ``data`` is ``{"g": [packed geometry, ...], "p": [properties, ...]}``; ``spec`` holds
    the style, the (field, label) rows of the tooltip and whether a click repeats them in
    a popup.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
"""
        + UNPACK_SCRIPT
        + """          var layer = L.geoJSON(data, {style: spec.style, bubblingMouseEvents: false});
          function rows(l) {
            var p = l.feature.properties;
            // values and labels were escaped for HTML in Python
            return "<table>" + spec.fields.map(function (f) {
              var v = p[f[0]];
              return "<tr><th>" + f[1] + "</th><td>" + (v === undefined || v === null ? "–" : v)
                + "</td></tr>";
            }).join("") + "</table>";
          }
          if (spec.fields.length) {
            layer.bindTooltip(rows, {sticky: false});
            if (spec.popup) { layer.bindPopup(rows, {maxWidth: 420}); }
          }
          return layer;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], spec: dict[str, Any], name: str) -> None:
        super().__init__(name=name, overlay=True, control=False, show=True)
        self._name = "PackedLayer"
        self.data = data
        self.spec = spec
        self.types = _TYPES
        self.depths = [DEPTH[t] for t in _TYPES]
