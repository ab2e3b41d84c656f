"""QGIS styles for the files an audit writes, so a planner opens them coloured as the map.

:func:`write_layer_styles` adds to a GeoPackage the ``layer_styles`` table QGIS itself
writes when one saves a style "in the database" (the same columns, registered in
``gpkg_contents`` as an attributes table): a default style on ``cpted_score`` for the
``segments`` and ``sites`` layers, and one named style per principle score. The classes
are the map's (:func:`cpted.maps.score_colour`): 0-20 #d73027 to 80-100 #1a9850, grey for
no score. They are written as a rule-based renderer, because QGIS's graduated renderer
draws nothing for NULL, and a segment no principle could measure must still show (grey).

:func:`write_lux_style` writes the ``.qml`` sidecar QGIS reads beside a GeoTIFF of the
same name: a discrete pseudocolour ramp with the EN 13201 class breaks of the map's lux
layer (:data:`cpted.maps._lighting.LUX_CLASSES`).
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from cpted._i18n import _

__all__ = ["SCORE_CLASSES", "layer_style_qml", "write_layer_styles", "write_lux_style"]

#: (lower, upper, colour) of the score classes; upper is inclusive only for 100.
SCORE_CLASSES: tuple[tuple[float, float, str], ...] = (
    (0.0, 20.0, "#d73027"),
    (20.0, 40.0, "#fc8d59"),
    (40.0, 60.0, "#fee08b"),
    (60.0, 80.0, "#91cf60"),
    (80.0, 100.0, "#1a9850"),
)
NO_SCORE = "#9e9e9e"

#: The layers that carry scores, and the kind of symbol that draws them.
STYLED_LAYERS = {"segments": "line", "sites": "fill"}

_QGIS_VERSION = "3.28.0-Firenze"


def _rgba(colour: str, alpha: int = 255) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[k : k + 2], 16) for k in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _symbol(kind: str, colour: str, key: int) -> str:
    if kind == "line":
        layer = (
            '<layer class="SimpleLine" enabled="1" pass="0" locked="0"><Option type="Map">'
            f'<Option name="line_color" type="QString" value="{_rgba(colour)}"/>'
            '<Option name="line_width" type="QString" value="0.8"/>'
            '<Option name="line_width_unit" type="QString" value="MM"/>'
            '<Option name="capstyle" type="QString" value="round"/>'
            '<Option name="joinstyle" type="QString" value="round"/>'
            "</Option></layer>"
        )
    else:
        layer = (
            '<layer class="SimpleFill" enabled="1" pass="0" locked="0"><Option type="Map">'
            f'<Option name="color" type="QString" value="{_rgba(colour, 150)}"/>'
            f'<Option name="outline_color" type="QString" value="{_rgba("#333333")}"/>'
            '<Option name="outline_width" type="QString" value="0.4"/>'
            '<Option name="style" type="QString" value="solid"/>'
            "</Option></layer>"
        )
    return (
        f'<symbol name="{key}" type="{kind}" alpha="1" clip_to_extent="1" '
        f'force_rhr="0">{layer}</symbol>'
    )


def layer_style_qml(field: str, *, kind: str = "line", title: str | None = None) -> str:
    """
    Write a QGIS layer style (QML) that colours ``field`` (0-100) in the map's classes.

    Parameters
    ----------
    field
        The score column, e.g. ``"cpted_score"``.
    kind
        ``"line"`` (segments) or ``"fill"`` (sites).
    title
        What the legend calls the score (default: the field).

    Returns
    -------
    str
        A QML document (XML) with a rule-based renderer: five classes and an ELSE rule,
        grey, for no score.
    """
    name = title or field
    quoted = '"' + field.replace('"', '""') + '"'
    rules, symbols = [], []
    for key, (low, high, colour) in enumerate(SCORE_CLASSES):
        upper = "<=" if math.isclose(high, 100.0) else "<"
        expression = f"{quoted} >= {low:g} AND {quoted} {upper} {high:g}"
        rules.append(
            f'<rule key={quoteattr(f"r{key}")} symbol="{key}" '
            f"label={quoteattr(f'{low:g}–{high:g}')} filter={quoteattr(expression)}/>"
        )
        symbols.append(_symbol(kind, colour, key))
    none_key = len(SCORE_CLASSES)
    none = quoteattr(_("no score"))
    rules.append(f'<rule key="rnull" symbol="{none_key}" label={none} filter="ELSE"/>')
    symbols.append(_symbol(kind, NO_SCORE, none_key))
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="{_QGIS_VERSION}" styleCategories="Symbology">'
        f'<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" '
        f'forceraster="0" referencescale="-1">'
        f'<rules key="root">{"".join(rules)}</rules>'
        f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
        f"<layerGeometryType>{1 if kind == 'line' else 2}</layerGeometryType>"
        f"<!-- {escape(name)}: cpted score classes, as on the cpted map -->"
        "</qgis>"
    )


def _sld(layer: str, field: str, kind: str) -> str:
    """Write the same classes as an OGC SLD (QGIS fills ``styleSLD`` for other clients)."""
    rules = []
    for low, high, colour in SCORE_CLASSES:
        if kind == "line":
            sym = (
                f'<se:LineSymbolizer><se:Stroke><se:SvgParameter name="stroke">{colour}'
                '</se:SvgParameter><se:SvgParameter name="stroke-width">3</se:SvgParameter>'
                "</se:Stroke></se:LineSymbolizer>"
            )
        else:
            sym = (
                f'<se:PolygonSymbolizer><se:Fill><se:SvgParameter name="fill">{colour}'
                "</se:SvgParameter></se:Fill></se:PolygonSymbolizer>"
            )
        rules.append(
            f"<se:Rule><se:Name>{low:g}–{high:g}</se:Name><ogc:Filter><ogc:PropertyIsBetween>"
            f"<ogc:PropertyName>{escape(field)}</ogc:PropertyName>"
            f"<ogc:LowerBoundary><ogc:Literal>{low:g}</ogc:Literal></ogc:LowerBoundary>"
            f"<ogc:UpperBoundary><ogc:Literal>{high:g}</ogc:Literal></ogc:UpperBoundary>"
            f"</ogc:PropertyIsBetween></ogc:Filter>{sym}</se:Rule>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><StyledLayerDescriptor version="1.1.0" '
        'xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" '
        'xmlns:se="http://www.opengis.net/se"><NamedLayer>'
        f"<se:Name>{escape(layer)}</se:Name><UserStyle><se:Name>{escape(field)}</se:Name>"
        f"<se:FeatureTypeStyle>{''.join(rules)}</se:FeatureTypeStyle></UserStyle>"
        "</NamedLayer></StyledLayerDescriptor>"
    )


_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  f_table_catalog TEXT(256),
  f_table_schema TEXT(256),
  f_table_name TEXT(256),
  f_geometry_column TEXT(256),
  styleName TEXT(30),
  styleQML TEXT,
  styleSLD TEXT,
  useAsDefault BOOLEAN,
  description TEXT,
  owner TEXT(30),
  ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def write_layer_styles(gpkg: str | Path) -> int:
    """
    Add the ``layer_styles`` table QGIS reads to a GeoPackage the audit wrote.

    For each of ``segments`` and ``sites`` present: the default style ``cpted_score``
    (``useAsDefault`` 1) and a named style per other ``*_score`` column. Call it after the
    layers are written (geopandas writes them); styles already there are replaced.

    Returns
    -------
    int
        The number of styles written.
    """
    from cpted._principle import PRINCIPLES

    titles = {f"{name}_score": _(p.title) for name, p in PRINCIPLES.items()}
    titles["cpted_score"] = _("Combined CPTED score")
    written = 0
    with sqlite3.connect(gpkg) as db:
        geometry = dict(
            db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
        db.execute(_CREATE)
        db.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS layer styles', strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        )
        for layer, kind in STYLED_LAYERS.items():
            if layer not in geometry:
                continue
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{layer}")')]
            scores = [c for c in columns if c.endswith("_score")]
            if "cpted_score" in scores:  # the default first
                scores.remove("cpted_score")
                scores.insert(0, "cpted_score")
            db.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
            for field in scores:
                title = titles.get(field, field)
                db.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, '', '')",
                    (
                        layer,
                        geometry[layer],
                        field,
                        layer_style_qml(field, kind=kind, title=title),
                        _sld(layer, field, kind),
                        1 if field == "cpted_score" else 0,
                        _("{title}, coloured as on the cpted map (0-100; grey: no score)").format(
                            title=title
                        ),
                    ),
                )
                written += 1
        has_counts = db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'"
        ).fetchone()
        if has_counts:
            db.execute(
                "INSERT OR REPLACE INTO gpkg_ogr_contents (table_name, feature_count) "
                "VALUES ('layer_styles', (SELECT COUNT(*) FROM layer_styles))"
            )
    return written


def write_lux_style(path: str | Path) -> Path:
    """
    Write the QGIS sidecar style of the lux GeoTIFF (``lux.qml`` beside ``lux.tif``).

    A discrete pseudocolour ramp with the map's EN 13201 breaks (:data:`LUX_CLASSES`):
    dark below P6's minimum 0.4 lx, then 2, 5, 10 and 15 lx; no data is transparent.

    Returns
    -------
    pathlib.Path
    """
    from cpted.maps._lighting import LUX_CLASSES

    items = []
    for upper, colour, label in LUX_CLASSES:
        value = "inf" if math.isinf(upper) else f"{upper:g}"
        items.append(
            f'<item alpha="255" value="{value}" color="{colour}" label={quoteattr(_(label))}/>'
        )
    qml = (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="{_QGIS_VERSION}" styleCategories="Symbology">'
        '<pipe><rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" '
        'classificationMin="0" classificationMax="15" alphaBand="-1" nodataColor="">'
        '<rastershader><colorrampshader colorRampType="DISCRETE" classificationMode="3" '
        f'clip="0" minimumValue="0" maximumValue="15">{"".join(items)}</colorrampshader>'
        "</rastershader></rasterrenderer></pipe>"
        "<!-- illuminance, lux: EN 13201-2 P-class breaks, as on the cpted map -->"
        "</qgis>"
    )
    out = Path(path)
    out.write_text(qml, encoding="utf-8")
    return out
