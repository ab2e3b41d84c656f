"""Before and after: per-segment and per-site differences of two audits, side-by-side maps.

The side-by-side page is cpted's own: two Leaflet maps in one page whose views follow each
other (pan or zoom one and the other moves with it), with Leaflet inlined from the
installed package, so the page works offline like every cpted map. Its words are in the
current language (:func:`cpted._i18n.use`, or ``language=``), numbers in its notation.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from cpted._errors import InputError
from cpted._i18n import N_, _, decimal, n_, use

if TYPE_CHECKING:
    from cpted.audit import Audit

__all__ = ["Comparison", "compare_audits", "side_by_side_html"]

#: Change of a score below which a row counts as unchanged (rounding of the measures).
CHANGE_TOLERANCE = 0.05


def _scores(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c.endswith("_score")]


def _match(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, keys: list[str]) -> pd.DataFrame:
    """Pairs of (before index, after index) of the same segment or site."""
    same_index = before.index.equals(after.index)
    if same_index and (
        not len(before)
        or bool(before.geometry.geom_equals_exact(after.geometry, tolerance=0.01).all())
    ):
        return pd.DataFrame({"before": before.index, "after": after.index})
    if keys and all(k in before and k in after for k in keys):
        left = before[keys].astype(str).reset_index(names="before")
        right = after[keys].astype(str).reset_index(names="after")
        return left.merge(right, on=keys, how="inner")[["before", "after"]]
    common = before.index.intersection(after.index)
    return pd.DataFrame({"before": common, "after": common})


def _difference(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, keys: list[str], label: list[str]
) -> gpd.GeoDataFrame:
    pairs = _match(before, after, keys)
    scores = [c for c in _scores(before) if c in after.columns]
    out = pd.DataFrame(index=pd.Index(pairs["after"].to_numpy(), name=after.index.name))
    out[f"{before.index.name or 'id'}_before"] = pairs["before"].to_numpy()
    for column in label:
        if column in after:
            out[column] = after.loc[pairs["after"], column].to_numpy()
    changed = np.zeros(len(out), dtype=bool)
    for column in scores:
        b = pd.to_numeric(before.loc[pairs["before"], column], errors="coerce").to_numpy()
        a = pd.to_numeric(after.loc[pairs["after"], column], errors="coerce").to_numpy()
        out[f"{column}_before"] = b
        out[f"{column}_after"] = a
        change = a - b
        out[f"{column}_change"] = change
        both_nan = np.isnan(a) & np.isnan(b)
        changed |= ~both_nan & ~(np.abs(np.nan_to_num(change, nan=np.inf)) <= CHANGE_TOLERANCE)
    out["changed"] = changed
    if "recommendations" in after:
        out["recommendations_after"] = after.loc[pairs["after"], "recommendations"].to_numpy()
    geometry = after.geometry.loc[pairs["after"]].to_numpy()
    return gpd.GeoDataFrame(out, geometry=geometry, crs=after.crs)


@dataclass
class Comparison:
    """
    The difference between two audits (see :meth:`cpted.Audit.compare`).

    Attributes
    ----------
    before, after
        The two audits.
    segments
        One row per matched segment (indexed like ``after.segments``): for every score
        ``<score>_before``, ``<score>_after``, ``<score>_change`` (after minus before),
        and ``changed``.
    sites
        The same for sites.
    """

    before: Audit
    after: Audit
    segments: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame

    def summary(self) -> pd.DataFrame:
        """Mean score before and after, mean change, and rows that improved or worsened."""
        rows = {}
        for name, table in (("segments", self.segments), ("sites", self.sites)):
            for column in [c[: -len("_change")] for c in table.columns if c.endswith("_change")]:
                change = table[f"{column}_change"]
                rows[(name, column)] = {
                    "before": round(float(table[f"{column}_before"].mean()), 2),
                    "after": round(float(table[f"{column}_after"].mean()), 2),
                    "mean_change": round(float(change.mean()), 2) if change.notna().any() else 0.0,
                    "improved": int((change > CHANGE_TOLERANCE).sum()),
                    "worsened": int((change < -CHANGE_TOLERANCE).sum()),
                }
        return pd.DataFrame.from_dict(rows, orient="index")

    def changed_segments(self, score: str = "cpted_score") -> gpd.GeoDataFrame:
        """Return the segments whose scores changed, largest change of ``score`` first."""
        column = f"{score}_change"
        if column not in self.segments:
            msg = (
                f"No score {score!r} in both audits; compare one of {_scores(self.after.segments)}."
            )
            raise InputError(msg)
        changed = self.segments[self.segments["changed"]]
        return changed.reindex(changed[column].abs().sort_values(ascending=False).index)

    def to_html(
        self, *, score: str = "cpted_score", title: str | None = None, language: str | None = None
    ) -> str:
        """Draw the side-by-side page: before and after maps with synchronised views."""
        return side_by_side_html(self, score=score, title=title, language=language)

    def save(
        self,
        directory: str | os.PathLike[str],
        *,
        force: bool = False,
        inputs: Iterable[str | os.PathLike[str]] | None = None,
    ) -> Path:
        """
        Write ``compare.html`` (side-by-side maps) and the difference tables as CSV.

        Written to a hidden folder and swapped into place, under the same rules as
        :meth:`cpted.Audit.save` (``force`` replaces only a folder cpted wrote; ``inputs``
        default to the source files of the two audits).
        """
        from cpted import _output

        if inputs is None:
            inputs = [*self.before._inputs(), *self.after._inputs()]
        with _output.writing(directory, force=force, inputs=inputs, kind="comparison") as staging:
            (staging / "compare.html").write_text(self.to_html(), encoding="utf-8")
            self.segments.drop(columns="geometry").to_csv(staging / "segments_change.csv")
            self.sites.drop(columns="geometry").to_csv(staging / "sites_change.csv")
            self.summary().to_csv(staging / "summary.csv")
        return Path(directory)

    def _repr_html_(self) -> str:
        page = html.escape(self.to_html(), quote=True)
        title = html.escape(_("before and after"))
        return (
            f'<iframe srcdoc="{page}" style="width:100%;height:560px;border:none" '
            f'title="{title}"></iframe>'
        )

    def __repr__(self) -> str:
        return (
            f"<Comparison: {int(self.segments['changed'].sum())} of {len(self.segments)} "
            f"segments and {int(self.sites['changed'].sum())} of {len(self.sites)} sites changed>"
        )


def compare_audits(before: Audit, after: Audit) -> Comparison:
    """Compare two audits; see :meth:`cpted.Audit.compare`."""
    from cpted.audit import Audit

    if not isinstance(after, Audit):
        msg = f"Compare an Audit with another Audit (from cpted.audit), got {type(after).__name__}."
        raise InputError(msg)
    segments = _difference(
        before.segments, after.segments, ["u", "v", "key"], ["name", "highway", "length"]
    )
    sites = _difference(before.sites, after.sites, [], ["name", "category"])
    return Comparison(before, after, segments, sites)


# --------------------------------------------------------------------------------------
# The side-by-side page
# --------------------------------------------------------------------------------------

_PAGE_STYLE = """
html,body{margin:0;height:100%;font:14px/1.4 system-ui,sans-serif}
header{padding:6px 12px;background:#f4f3ef;border-bottom:1px solid #ccc}
header h1{font-size:17px;margin:0}
.pair{display:flex;height:calc(100% - 120px)}
.pane{flex:1;display:flex;flex-direction:column;border-right:1px solid #bbb}
.pane h2{font-size:14px;margin:0;padding:3px 10px;background:#fafafa}
.map{flex:1}.leaflet-container{background:#f4f3ef}
footer{padding:4px 12px;font-size:12px;color:#555;max-height:110px;overflow:auto}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;border:1px solid #444}
@media print{.pair{height:90vh}}
"""

# Our own script: build two maps from the same data description and keep their views in
# step. A flag stops the echo (moving B because A moved must not move A again).
_PAGE_SCRIPT = """
(function(){
  var data = JSON.parse(document.getElementById('cpted-data').textContent);
  function colour(s){
    if (s === null || s === undefined) { return '#9e9e9e'; }
    var stops = ['#d73027','#fc8d59','#fee08b','#91cf60','#1a9850'];
    return stops[Math.min(Math.floor(Math.max(s, 0) / 20), 4)];
  }
  // labels and text values were escaped for HTML in Python; numbers are written in the
  // page's language (the same CLDR notation Babel writes in Python)
  function value(v){
    if (v === true) { return data.words.yes; }
    if (v === false) { return data.words.no; }
    if (typeof v === 'number') {
      return v.toLocaleString(data.lang, {maximumFractionDigits: 2});
    }
    return v;
  }
  function tip(p, fields){
    var out = [];
    for (var i = 0; i < fields.length; i++) {
      var v = p[fields[i]];
      var label = data.labels[fields[i]] || fields[i];
      if (v !== null && v !== undefined) { out.push(label + ': ' + value(v)); }
    }
    return out.join('<br>');
  }
  function build(id, side){
    var m = L.map(id, {preferCanvas: true, maxZoom: 21});
    var overlays = {};
    var sites = L.geoJSON(side.sites, {
      style: function(f){ return {color: '#6a3d9a', weight: 1,
        fillColor: colour(f.properties[data.score]), fillOpacity: 0.35}; },
      onEachFeature: function(f, l){ l.bindTooltip(tip(f.properties, data.siteFields)); }
    }).addTo(m);
    overlays[data.words.sites] = sites;
    var streets = L.geoJSON(side.segments, {
      style: function(f){ return {color: colour(f.properties[data.score]),
        weight: f.properties.changed ? 7 : 4, opacity: 0.95}; },
      onEachFeature: function(f, l){ l.bindTooltip(tip(f.properties, data.segmentFields)); }
    }).addTo(m);
    overlays[data.words.streets] = streets;
    var point = function(c, r){ return function(f, ll){ return L.circleMarker(ll,
      {radius: r || 4, color: '#222', weight: 1, fillColor: c, fillOpacity: 0.9}); }; };
    overlays[data.words.lamps] = L.geoJSON(side.lamps, {pointToLayer: point('#ffd92f')}).addTo(m);
    overlays[data.words.barriers] = L.geoJSON(side.barriers, {pointToLayer: point('#8c564b', 2),
      style: function(){ return {color: '#8c564b', weight: 2}; }}).addTo(m);
    overlays[data.words.uses] = L.geoJSON(side.pois, {pointToLayer: point('#1f78b4', 3)});
    overlays[data.words.entrances] = L.geoJSON(side.entrances,
      {pointToLayer: point('#33a02c', 3)});
    L.control.layers(null, overlays, {collapsed: true}).addTo(m);
    L.control.scale().addTo(m);
    m.attributionControl.addAttribution(data.credit);
    return m;
  }
  var before = build('map-before', data.before);
  var after = build('map-after', data.after);
  var busy = false;
  function follow(source, target){
    source.on('move zoomend', function(){
      if (busy) { return; }
      busy = true;
      target.setView(source.getCenter(), source.getZoom(), {animate: false});
      busy = false;
    });
  }
  follow(before, after);
  follow(after, before);
  before.fitBounds(data.bounds);
  after.setView(before.getCenter(), before.getZoom(), {animate: false});
  window.cptedMaps = {before: before, after: after};
})();
"""


#: The names of the page's layers, in the layer list of each map.
_LAYER_WORDS = {
    "sites": N_("Public spaces"),
    "streets": N_("Streets by score"),
    "lamps": N_("Lamps"),
    "barriers": N_("Barriers"),
    "uses": N_("Uses"),
    "entrances": N_("Entrances"),
}

#: How the fields of a tooltip are named (score columns: their score label).
_FIELD_WORDS = {
    "name": N_("name"),
    "highway": N_("type"),
    "category": N_("kind of space"),
    "changed": N_("changed"),
}

#: The tables of the summary line.
_TABLE_WORDS = {"segments": N_("segments"), "sites": N_("sites")}


def _labels(fields: Iterable[str], score: str) -> dict[str, str]:
    """Escaped labels of the tooltip fields, in the current language."""
    from cpted.maps._words import score_label

    out = {}
    for field in fields:
        if field == f"{score}_change":
            label = _("change of {score}").format(score=score_label(score))
        elif field in _FIELD_WORDS:
            label = _(_FIELD_WORDS[field])
        else:
            label = score_label(field)
        out[field] = html.escape(label)
    return out


def _fixed(value: Any, digits: int) -> str:
    """Write a figure to ``digits`` decimals in the current language's notation ("–": missing)."""
    from cpted._format import is_missing

    return "–" if is_missing(value) else decimal(float(value), digits)


def _label(row: pd.Series) -> str:
    name = row.get("name")
    if isinstance(name, str) and name:
        return f"({name})"
    highway = row.get("highway")
    return f"({highway})" if isinstance(highway, str) else ""


def _side(audit: Audit, table: gpd.GeoDataFrame, score: str, fields: list[str]) -> dict[str, Any]:
    from cpted.maps import for_web

    area = audit.area
    return {
        "segments": for_web(table, [score, *fields]),
        "sites": for_web(audit.sites, [score, "name", "category"]),
        "lamps": for_web(audit.layers.get("lamps", area.lamps), ["height", "flux", "source"]),
        "barriers": for_web(area.barriers, ["barrier", "height"]),
        "pois": for_web(area.pois, ["name", "category", "opening_hours"]),
        "entrances": for_web(area.entrances, ["entrance"]),
    }


def side_by_side_html(
    comparison: Comparison,
    *,
    score: str = "cpted_score",
    title: str | None = None,
    language: str | None = None,
) -> str:
    """
    Draw before and after side by side, with synchronised views, as one offline page.

    Parameters
    ----------
    comparison
        The result of :meth:`cpted.Audit.compare`.
    score
        The score that colours streets and sites.
    title
        Page title (escaped).
    language
        The language of the page's words (default the current one, see
        :func:`cpted._i18n.use`).

    Returns
    -------
    str
        A self-contained HTML page (Leaflet inlined; no request leaves the browser).
    """
    with use(language) as lang:
        return _side_by_side(comparison, score=score, title=title, lang=lang)


def _side_by_side(comparison: Comparison, *, score: str, title: str | None, lang: str) -> str:
    from cpted.maps import score_colour
    from cpted.maps._assets import _leaflet_css, _leaflet_js
    from cpted.maps._words import say_change, score_label

    before, after = comparison.before, comparison.after
    if score not in after.segments and score not in after.sites:
        msg = f"No score {score!r} in the audits; choose one of {_scores(after.segments)}."
        raise InputError(msg)
    fields = ["name", "highway", "changed", f"{score}_change"]
    seg_before = before.segments.copy()
    seg_after = after.segments.copy()
    diff = comparison.segments
    change = diff.get(f"{score}_change")
    flags = diff["changed"]
    seg_after["changed"] = flags.reindex(seg_after.index).fillna(False).astype(bool)
    if change is not None:
        seg_after[f"{score}_change"] = change.reindex(seg_after.index)
    back = pd.Series(flags.to_numpy(), index=diff[f"{before.segments.index.name or 'id'}_before"])
    seg_before["changed"] = back.reindex(seg_before.index).fillna(False).astype(bool).to_numpy()
    # frame the data (an extract's boundary can be much larger than what it holds)
    extent = after.segments if len(after.segments) else after.sites
    frame = (
        extent.geometry if len(extent) else gpd.GeoSeries([after.area.boundary], crs=after.area.crs)
    )
    bounds = frame.to_crs(4326).total_bounds
    date = after.area.data_date or _("unknown date")
    data = {
        "score": score,
        "segmentFields": [score, *fields],
        "siteFields": [score, "name", "category"],
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "credit": html.escape(
            _("Data © OpenStreetMap contributors (ODbL), data of {date}").format(date=date)
        ),
        # the page's words, escaped: its script inserts them as HTML
        "lang": lang,
        "labels": _labels([score, *fields, "name", "category"], score),
        "words": {
            **{key: html.escape(_(word)) for key, word in _LAYER_WORDS.items()},
            "yes": html.escape(_("yes")),
            "no": html.escape(_("no")),
        },
        "before": _side(before, seg_before, score, fields),
        "after": _side(after, seg_after, score, fields),
    }
    # JSON inside <script type="application/json">: "</" must not close the element.
    payload = json.dumps(data, allow_nan=False, default=str).replace("</", "<\\/")
    summary = comparison.summary()
    rows = ""
    if len(summary):
        line = _("{table} {score}: {before} → {after} ({change}; {better}, {worse})")
        for (table, column), row in summary.iterrows():
            better, worse = int(row["improved"]), int(row["worsened"])
            text = line.format(
                table=_(_TABLE_WORDS[table]) if table in _TABLE_WORDS else table,
                score=score_label(str(column)),
                before=_fixed(row["before"], 1),
                after=_fixed(row["after"], 1),
                change=say_change(row["mean_change"], 2),
                better=n_("{n} better", "{n} better", better).format(n=better),
                worse=n_("{n} worse", "{n} worse", worse).format(n=worse),
            )
            rows += f"<span>{html.escape(text)}</span> · "
    changes = ""
    column = f"{score}_change"
    if column in diff and diff["changed"].any():
        top = diff[diff["changed"]]
        top = top.reindex(top[column].abs().sort_values(ascending=False).index).head(15)
        item = _("segment {id} {street}: {before} → {after} ({change})")
        items = "".join(
            "<li>"
            + html.escape(
                item.format(
                    id=key,
                    street=_label(row),
                    before=_fixed(row[f"{score}_before"], 0),
                    after=_fixed(row[f"{score}_after"], 0),
                    change=say_change(row[column], 1),
                )
            )
            + "</li>"
            for key, row in top.iterrows()
        )
        largest = html.escape(_("Largest changes"))
        changes = f"<details><summary>{largest}</summary><ol>{items}</ol></details>"
    legend = "".join(
        f'<span style="background:{score_colour(v)}"></span>{label}'
        for v, label in ((10, "0–20"), (30, "20–40"), (50, "40–60"), (70, "60–80"), (90, "80–100"))
    )
    heading = title or _("Before and after: {place}").format(place=after.area.name)
    leaflet = _leaflet_js().replace("</script", "<\\/script")
    thick = html.escape(_("thick lines: segments whose scores changed"))
    credit = _("Map data © OpenStreetMap contributors (ODbL), data of {date}. Made with cpted.")
    panes = html.escape(_("Before")), html.escape(_("After"))
    return (
        f"<!DOCTYPE html><html lang='{html.escape(lang)}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(heading)}</title>"
        f"<style>{_leaflet_css()}</style><style>{_PAGE_STYLE}</style></head><body>"
        f"<header><h1>{html.escape(heading)}</h1>"
        f"<div class='legend'>{html.escape(score_label(score))}:{legend} "
        f"— {thick}</div></header>"
        f"<div class='pair'><div class='pane'><h2>{panes[0]}</h2>"
        "<div id='map-before' class='map'></div></div>"
        f"<div class='pane'><h2>{panes[1]}</h2><div id='map-after' class='map'>"
        f"</div></div></div><footer>{rows}{changes}<br>"
        f"{html.escape(credit.format(date=date))}</footer>"
        f'<script type="application/json" id="cpted-data">{payload}</script>'
        f"<script>{leaflet}</script>"
        f"<script>{_PAGE_SCRIPT}</script></body></html>"
    )
