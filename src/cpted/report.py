"""The HTML audit report: what a planner takes to the council.

One self-contained page (no network, no script of its own): data quality and its caveats,
the score of each principle with charts of their distributions drawn as inline SVG, the
worst street segments and public spaces with their explanations and recommendations, the
vulnerability of crowded places, and the audit map embedded as an offline ``iframe``. It
prints cleanly to PDF from a browser (``@media print`` rules). Every text that came from
the data is escaped, and the report credits OpenStreetMap with the data date.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cpted import settings
from cpted._principle import PRINCIPLES, SCORED
from cpted.area import QUALITY_MEANINGS

if TYPE_CHECKING:
    from cpted.audit import Audit

__all__ = ["histogram_svg", "report_html"]

_STYLE = """
:root{--ink:#222;--muted:#666;--line:#ccc}
body{font:15px/1.5 system-ui,sans-serif;max-width:1060px;margin:2em auto;padding:0 1em;
 color:var(--ink)}
h1{margin-bottom:.2em}h2{border-bottom:2px solid #2a7f62;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:13px;max-width:100%}
td,th{border:1px solid var(--line);padding:3px 8px;vertical-align:top}
th{background:#f0f0f0;text-align:left}td.num{text-align:right;white-space:nowrap}
.lead{color:var(--muted)}
.caveat{background:#fff8e1;border-left:4px solid #f9a825;padding:.4em .8em;margin:.4em 0}
.charts{display:flex;flex-wrap:wrap;gap:12px}.charts figure{margin:0}
figcaption{font-size:13px;color:var(--muted)}
.item{border:1px solid var(--line);border-radius:4px;padding:.5em .9em;margin:.7em 0;
 break-inside:avoid}
.item h3{margin:.1em 0 .3em;font-size:16px}
.score{display:inline-block;min-width:2.4em;text-align:center;border-radius:3px;
 padding:0 .3em;font-weight:bold}
.item ul{margin:.3em 0;padding-left:1.3em}
iframe.map{width:100%;height:640px;border:1px solid var(--line)}.print-only{display:none}
footer{margin-top:3em;color:var(--muted);font-size:13px;border-top:1px solid var(--line);
 padding-top:.5em}
nav.toc{columns:2;font-size:14px}@page{size:A4;margin:14mm}
@media print{ body{max-width:none;margin:0;font-size:11pt} iframe.map,nav.toc{display:none}
.print-only{display:block} h2{break-after:avoid}section{break-before:auto}
tr,.item,figure{break-inside:avoid} a{color:inherit;text-decoration:none}}
"""

#: Score columns and their titles, from the registry of principles.
_PRINCIPLE_TITLES = {
    "cpted_score": "Combined CPTED score",
    **{f"{name}_score": PRINCIPLES[name].title for name in SCORED},
}


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "<td>–</td>"
    if isinstance(value, bool | np.bool_):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | np.integer):
        return f'<td class="num">{int(value):,}</td>'
    if isinstance(value, float | np.floating):
        return f'<td class="num">{float(value):,.1f}</td>'
    return f"<td>{_esc(value)}</td>"


def _table(frame: pd.DataFrame, *, index: bool = True) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    rows = []
    for key, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        first = f"<th>{_esc(key)}</th>" if index else ""
        rows.append(f"<tr>{first}{''.join(_cell(v) for v in row)}</tr>")
    corner = "<th></th>" if index else ""
    return f"<table><tr>{corner}{head}</tr>{''.join(rows)}</table>"


def _badge(score: Any) -> str:
    from cpted.maps import score_colour

    value = float(score) if score is not None and pd.notna(score) else float("nan")
    text = "–" if math.isnan(value) else f"{value:.0f}"
    return f'<span class="score" style="background:{score_colour(value)}">{_esc(text)}</span>'


def histogram_svg(
    values: Sequence[float] | pd.Series,
    *,
    title: str,
    weights: Sequence[float] | pd.Series | None = None,
    unit: str = "km",
    bins: int = 10,
    width: int = 320,
    height: int = 170,
) -> str:
    """
    Draw the distribution of 0-100 scores as an inline SVG bar chart.

    Parameters
    ----------
    values
        Scores, 0-100 (NaN are left out).
    title
        Chart title (escaped).
    weights
        What each value counts for (e.g. segment length in km); default one each.
    unit
        The unit of the bars' heights, for the axis label.
    bins
        Number of equal bins over 0-100.
    width, height
        Size in pixels.

    Returns
    -------
    str
        An ``<svg>`` element with a ``<title>``, bars coloured by score band.
    """
    from cpted.maps import score_colour

    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    keep = np.isfinite(v) & np.isfinite(w)
    counts, edges = np.histogram(
        np.clip(v[keep], 0, 100), bins=bins, range=(0, 100), weights=w[keep]
    )
    left, bottom, top = 36, 26, 22
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = float(counts.max()) if len(counts) and counts.max() > 0 else 1.0
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="10">',
        f"<title>{_esc(title)}</title>",
        f'<text x="{left}" y="14" font-size="12" font-weight="bold">{_esc(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#444"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#444"/>',
    ]
    for k, count in enumerate(counts):
        h = plot_h * float(count) / peak
        x = left + k * bar_w
        mid = (edges[k] + edges[k + 1]) / 2
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="{score_colour(mid)}" stroke="#555" stroke-width="0.5">'
            f"<title>{edges[k]:.0f}–{edges[k + 1]:.0f}: {count:,.2f} {_esc(unit)}</title></rect>"
        )
    for tick in (0, 50, 100):
        x = left + plot_w * tick / 100
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 13}" text-anchor="middle">{tick}</text>'
        )
    parts.append(f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{peak:,.1f}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>')
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 2}" text-anchor="middle" fill="#555">'
        f"score (bars: {_esc(unit)})</text></svg>"
    )
    return "".join(parts)


def _caveats(audit: Audit, quality: pd.Series) -> list[str]:
    notes = []

    def q(key: str) -> float:
        try:
            return float(quality.get(key, np.nan))
        except (TypeError, ValueError):
            return float("nan")

    if q("lamps_per_km") < 5:
        notes.append(
            f"Only {q('lamps_per_km'):.1f} lamps are mapped per km of street: lighting is measured "
            "where lamps are mapped and rests on the lit=* tag elsewhere, with low confidence."
        )
    if q("streets_with_lit") < 0.8:
        notes.append(f"{q('streets_with_lit'):.0%} of the streets carry a lit=* tag.")
    if q("buildings_with_height") < 0.5:
        notes.append(
            f"Only {q('buildings_with_height'):.0%} of the buildings have mapped levels or height; "
            f"the rest are taken as {settings.DEFAULT_LEVELS:.0f} storeys."
        )
    if q("cameras_with_direction") < 0.5 and len(audit.area.cameras):
        notes.append("Most cameras have no mapped direction; their views are taken as all-round.")
    if q("pois_with_opening_hours") < 0.5:
        notes.append(
            f"Opening hours are mapped for {q('pois_with_opening_hours'):.0%} of the shops and "
            "amenities, so night-time activity is a lower bound."
        )
    if q("ways_clipped") > 0 or q("dangling_refs") > 0:
        notes.append(
            "The extract cuts ways at its edge: streets near the boundary miss part of their "
            "network, so movement and access measures there are less reliable."
        )
    notes.append(
        "Scores measure the built environment as mapped, not crime: hedges, trees, kiosks and "
        "temporary structures are seldom in OpenStreetMap. Walk the worst places before acting."
    )
    return notes


def _item(title: str, score: Any, rows: list[tuple[str, str]], recs: str) -> str:
    body = "".join(f"<div><b>{_esc(k)}:</b> {_esc(v)}</div>" for k, v in rows if v)
    items = "".join(f"<li>{_esc(r)}</li>" for r in str(recs or "").split("; ") if r.strip())
    rec_html = f"<div><b>Recommendations:</b><ul>{items}</ul></div>" if items else ""
    return f'<div class="item"><h3>{_badge(score)} {_esc(title)}</h3>{body}{rec_html}</div>'


def _name(value: Any, fallback: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return fallback
    return str(value)


def _people(value: Any) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "unknown" if pd.isna(number) else f"{int(number):,}"


def _vulnerability_assumptions() -> str:
    """List the assumptions behind the crowd and run-up figures, short and plain."""
    table = settings.CROWD_CAPACITY
    groups: dict[tuple[str, str], list[str]] = {}
    for category, spec in table.items():
        if category == "default":
            continue
        key = (f"{float(spec['m2_per_person']):g}", str(spec["source"]))  # type: ignore[arg-type]
        groups.setdefault(key, []).append(category.replace("_", " "))
    rows = "".join(
        f"<li>{_esc(', '.join(cats))}: {_esc(per)} m² per person ({_esc(source)})</li>"
        for (per, source), cats in groups.items()
    )
    classes = ", ".join(
        f"{name.replace('_', ' ')} {float(v['mass_kg']) / 1000:g} t"  # type: ignore[arg-type]
        for name, v in settings.VEHICLES.items()
    )
    return (
        "<h3>Assumptions</h3><ul>"
        "<li>Capacity is OpenStreetMap's <code>capacity=*</code> where mapped, else the ground "
        "people stand on divided by a floor-space factor for its category: open ground (the "
        "site less its buildings) for open spaces, the buildings' floor for schools and "
        "malls (storeys from <code>building:levels</code>, one where not mapped), one storey "
        "for single halls (places of worship, stations, stadiums). Kindergartens hold the "
        "children their outdoor (10 m²) and indoor "
        f"({settings.KINDERGARTEN_INDOOR_M2_PER_CHILD:g} m²) norms allow, whichever is fewer."
        f"<ul>{rows}</ul></li>"
        "<li>A site mapped only as a point has no outline to measure: its capacity is "
        "unknown, and it is not counted as a soft target until its outline or "
        "<code>capacity=*</code> is mapped.</li>"
        "<li>Vehicle classes (IWA 14-1 / PAS 68 test vehicles): "
        f"{_esc(classes)}. They start from rest, accelerate at full throttle, and take "
        "every bend and every turn at a junction at no more than √(μ g R), with tyre "
        f"friction μ = {settings.TYRE_FRICTION:g} (dry road) and R the racing line the "
        "carriageway allows (through a junction: the largest arc between the outer kerbs "
        f"that clears the inner corner, kerb radius {settings.JUNCTION_KERB_RADIUS_M:g} m)."
        "</li></ul>"
    )


def _vulnerability(audit: Audit) -> list[str]:
    sites = audit.sites
    if "capacity_persons" not in sites:
        return ["<p>The vulnerability module did not run, so crowded places were not assessed.</p>"]
    parts = []
    soft = sites[sites.get("soft_target", pd.Series(False, index=sites.index)).astype(bool)]
    soft = soft.sort_values("capacity_persons", ascending=False)
    parts.append(
        f"<p>{len(soft)} public spaces can hold at least {settings.SOFT_TARGET_MIN_PERSONS:.0f} "
        "people at their busiest (crowded places; see the assumptions below).</p>"
    )
    if len(soft):
        cols = [
            c
            for c in (
                "name", "category", "capacity_persons", "capacity_source", "approaches_open",
                "approaches_closed", "frontage_exposed_m", "worst_vehicle",
            )
            if c in soft
        ]  # fmt: skip
        table = soft[cols].head(30).copy()
        table["capacity_persons"] = [_people(v) for v in table["capacity_persons"]]
        table = table.rename(
            columns={
                "capacity_persons": "people (capacity)",
                "capacity_source": "capacity from",
                "approaches_open": "open approaches",
                "approaches_closed": "closed approaches",
                "frontage_exposed_m": "exposed frontage (m)",
                "worst_vehicle": "worst vehicle",
            }
        )
        parts.append("<h3>Crowded places</h3>" + _table(table))
    unknown = sites[pd.to_numeric(sites["capacity_persons"], errors="coerce").isna()]
    if len(unknown):
        listed = [
            f"{_name(n, str(i))} ({str(c).replace('_', ' ')})"
            for i, n, c in zip(
                unknown.index,
                unknown.get("name", pd.Series(None, index=unknown.index)),
                unknown.get("category", pd.Series("site", index=unknown.index)),
                strict=True,
            )
        ]
        parts.append(
            f"<p>Capacity unknown for {len(unknown)} sites mapped only as points: "
            f"{_esc(', '.join(listed[:20]))}{' …' if len(listed) > 20 else ''}. Map their "
            "outlines or tag <code>capacity=*</code>, or judge them on site.</p>"
        )
    approaches = audit.layers.get("vulnerability_approaches")
    if approaches is not None and len(approaches):
        open_ = approaches[approaches["status"] == "open"].copy()
        if len(open_):
            speed_cols = [c for c in open_.columns if c.startswith("speed_kmh_")]
            open_["fastest_kmh"] = open_[speed_cols].max(axis=1) if speed_cols else np.nan
            open_ = open_.sort_values("fastest_kmh", ascending=False)
            cols = [
                c
                for c in ("site_name", "highway", "runup_m", "frontage_m", *speed_cols,
                          "rating_car", "rating_heavy_truck")
                if c in open_
            ]  # fmt: skip
            names = {c: c.replace("speed_kmh_", "km/h ").replace("_", " ") for c in speed_cols}
            names.update(
                {
                    "site_name": "site",
                    "runup_m": "run-up (m)",
                    "frontage_m": "frontage (m)",
                    "rating_car": "barrier rating (car)",
                    "rating_heavy_truck": "barrier rating (30 t truck)",
                }
            )
            table = open_[cols].head(25).rename(columns=names)
            parts.append(
                "<h3>Open vehicle approaches</h3><p>Each approach a vehicle can take to a site's "
                "edge, with the speed it reaches there and the impact rating (IWA 14-1 / PAS 68) "
                "a barrier across it would need. Fastest first.</p>" + _table(table, index=False)
            )
        closed = approaches[approaches["status"] != "open"]
        parts.append(f"<p>{len(closed)} approaches are closed by mapped barriers.</p>")
    services = [c[: -len("_access")] for c in sites.columns if c.endswith("_access")]
    services = [s for s in services if f"{s}_time_s" in sites]
    if services:
        rows = {}
        for s in services:
            access = sites[f"{s}_access"].astype(str)
            times = pd.to_numeric(sites[f"{s}_time_s"], errors="coerce")
            rows[s] = {
                "sites reached": int(times.notna().sum()),
                "median minutes": round(float(times.median()) / 60, 1)
                if times.notna().any()
                else None,
                "longest minutes": round(float(times.max()) / 60, 1)
                if times.notna().any()
                else None,
                "no station in the extract": int((access == "none_in_extract").sum()),
            }
        parts.append(
            "<h3>Responder access</h3><p>Network travel time from the police, fire and "
            "ambulance stations in the data to each site; a site with no station in the "
            "extract is flagged, not given a number.</p>"
            + _table(pd.DataFrame.from_dict(rows, orient="index"))
        )
    parts.append(_vulnerability_assumptions())
    return parts


def report_html(audit: Audit, *, map_page: str | None = None, worst: int = 15) -> str:
    """
    Write the audit report as one self-contained HTML page.

    Parameters
    ----------
    audit
        The audit to report.
    map_page
        The rendered audit map (``audit.to_map().to_html()``), if already made; it is
        embedded as an ``iframe`` ``srcdoc``, so the report needs no other file.
    worst
        How many of the worst segments and sites to list.

    Returns
    -------
    str
        The page.
    """
    area = audit.area
    quality = area.quality()
    quality_table = pd.DataFrame(
        {
            "figure": [QUALITY_MEANINGS.get(k, k) for k in quality.index],
            "value": [str(v) for v in quality.to_numpy()],
        },
        index=quality.index,
    )
    segments, sites = audit.segments, audit.sites
    date = str(area.data_date or "unknown date")
    credit = f"Map data © OpenStreetMap contributors (ODbL), data of {date}."
    sections = [
        ("quality", "Data quality and caveats"),
        ("scores", "Scores by principle"),
        ("segments", "Street segments that need attention"),
        ("sites", "Public spaces that need attention"),
        ("vulnerability", "Vulnerability of crowded places"),
        ("map", "Map"),
        ("method", "How to read this report"),
    ]
    toc = "".join(f'<li><a href="#{k}">{_esc(t)}</a></li>' for k, t in sections)
    km = float(area.streets["length"].sum()) / 1000 if len(area.streets) else 0.0
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>CPTED audit — {_esc(area.name)}</title><style>{_STYLE}</style></head><body>",
        f"<header><h1>CPTED audit of {_esc(area.name)}</h1>",
        f"<p class='lead'>{len(segments)} street segments ({km:.1f} km) and {len(sites)} public "
        f"spaces. Principles measured: {_esc(', '.join(audit.principles) or 'none')}. "
        f"{_esc(credit)}</p></header>",
        f"<nav class='toc'><ol>{toc}</ol></nav>",
    ]
    # data quality
    parts += [
        "<section id='quality'><h2>Data quality and caveats</h2>",
        "<p>Every CPTED result is only as good as the map it stands on. Where data is "
        "missing, a score uses a documented estimate (for lighting: the typical mapped street "
        "of the same class in this area) and its <i>confidence</i> is lowered; an estimate "
        "never scores better than the same place with good data.</p>",
        *[
            f"<div class='caveat'>{_esc(c)}</div>"
            for c in [*audit.notes, *_caveats(audit, quality)]
        ],
        *(
            [
                "<h3>What to map first</h3><ul class='gaps'>",
                *[
                    f"<li><b>{_esc(r.action)}</b>: {_esc(r.reason)}</li>"
                    for r in audit.area_recommendations
                ],
                "</ul>",
            ]
            if audit.area_recommendations
            else []
        ),
        _table(quality_table),
        "</section>",
    ]
    # scores
    parts.append("<section id='scores'><h2>Scores by principle</h2>")
    summary = audit.summary()
    if len(summary):
        weights = ", ".join(f"{k} {v:g}" for k, v in audit.weights.items())
        parts.append(
            "<p>Scores run from 0 (the place does nothing for safety by that principle) to 100 "
            "(it meets the reference: EN 13201 lighting class, 50 m recognition distance, "
            f"friendly frontage, two ways out). Weights of the combined score: {_esc(weights)}.</p>"
        )
        summary.index = [
            f"{table}: {_PRINCIPLE_TITLES.get(col, col)}" for table, col in summary.index
        ]
        parts.append(_table(summary))
        charts = []
        length_km = pd.to_numeric(segments["length"], errors="coerce") / 1000
        for column, title in _PRINCIPLE_TITLES.items():
            if column in segments:
                svg = histogram_svg(
                    segments[column], title=title, weights=length_km, unit="km of street"
                )
                charts.append(
                    f"<figure>{svg}<figcaption>{_esc(title)}: street length by score"
                    "</figcaption></figure>"
                )
        if "cpted_score" in sites and len(sites):
            svg = histogram_svg(sites["cpted_score"], title="Public spaces", unit="spaces")
            charts.append(
                f"<figure>{svg}<figcaption>Combined score of the public spaces"
                "</figcaption></figure>"
            )
        parts.append(f"<div class='charts'>{''.join(charts)}</div>")
    else:
        parts.append("<p>No principle was scored.</p>")
    lit = segments.groupby("lit")["length"].sum().div(1000).round(2).to_frame("km")
    parts += ["<h3>Street lighting as mapped (lit=*)</h3>", _table(lit), "</section>"]
    # worst segments
    parts.append("<section id='segments'><h2>Street segments that need attention</h2>")
    if "cpted_score" in segments and segments["cpted_score"].notna().any():
        parts.append(
            f"<p>The {worst} segments with the lowest combined score, with the measures that "
            "lost most points and what could be done.</p>"
        )
        for key, row in audit.worst_segments(worst).iterrows():
            unnamed = "unnamed " + str(row.get("highway") or "way")
            title = f"{_name(row.get('name'), unnamed)} (segment {key})"
            parts.append(
                _item(
                    title,
                    row.get("cpted_score"),
                    [
                        ("Street", f"{row.get('highway')}, {float(row.get('length', 0)):.0f} m"),
                        ("Confidence", f"{float(row.get('cpted_confidence', float('nan'))):.0%}"),
                        ("Why", str(row.get("explanation") or "")),
                    ],
                    str(row.get("recommendations") or ""),
                )
            )
    else:
        parts.append("<p>No segment was scored.</p>")
    parts.append("</section>")
    # worst sites
    parts.append("<section id='sites'><h2>Public spaces that need attention</h2>")
    if len(sites) and "cpted_score" in sites:
        scored = sites[pd.to_numeric(sites["cpted_score"], errors="coerce").notna()]
        for key, row in scored.sort_values("cpted_score").head(worst).iterrows():
            category = str(row.get("category") or "site").replace("_", " ")
            title = f"{_name(row.get('name'), 'unnamed ' + category)} ({category}, {key})"
            parts.append(
                _item(
                    title,
                    row.get("cpted_score"),
                    [
                        ("Area", f"{float(row.get('area_m2', float('nan'))):,.0f} m²"),
                        ("Why", str(row.get("explanation") or "")),
                    ],
                    str(row.get("recommendations") or ""),
                )
            )
    else:
        parts.append("<p>No public space was scored.</p>")
    parts.append("</section>")
    parts += [
        "<section id='vulnerability'><h2>Vulnerability of crowded places</h2>",
        *_vulnerability(audit),
        "</section>",
    ]
    field = audit.layers.get("field_agreement")
    if field is not None and len(field):
        from cpted.fieldaudit import agreement_summary

        parts += [
            "<section id='field'><h2>Walk audit and computation</h2>",
            f"<p>{field['observation'].nunique()} walk-audit observations were joined to the "
            "street segments and each rated item set beside the score that measures it. "
            "'map higher' means the map scores the place better than the walkers rated it: "
            "look there for what the map does not hold (broken lamps, hedges, empty shop "
            f"fronts). Agreement: within {settings.FIELD_AUDIT_AGREEMENT:g} points.</p>",
            _table(agreement_summary(field)),
            "</section>",
        ]
    # map
    if map_page is None:
        try:
            from cpted.maps import audit_map

            map_page = audit_map(audit).to_html()
        except Exception as exc:  # the report stays useful without its map
            map_page = None
            parts.append(f"<p>The map could not be drawn: {_esc(exc)}</p>")
    parts.append("<section id='map'><h2>Map</h2>")
    if map_page is not None:
        parts.append(
            "<p>Street segments coloured by their combined score; switch layers on and off at "
            "the top right. The map works offline.</p>"
            '<iframe class="map" title="CPTED audit map" '
            f'srcdoc="{html.escape(map_page, quote=True)}"></iframe>'
            "<p class='print-only'>The interactive map is in map.html beside this report.</p>"
        )
    parts.append("</section>")
    parts += [
        "<section id='method'><h2>How to read this report</h2>",
        "<p>Each principle score rests on a fixed reference, never on the other streets of "
        "this area, so scores compare between places and years. The combined score is the "
        "weighted mean of the principle scores that could be measured; a principle that "
        "could not be measured lowers the confidence, not the score. Recommendations are "
        "rules applied to the measures: check them on site.</p>",
        "</section>",
        f"<footer>{_esc(credit)} Source: {_esc(area.source)}. Made with cpted.</footer>",
        "</body></html>",
    ]
    return "".join(parts)
