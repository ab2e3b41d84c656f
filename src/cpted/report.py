"""The HTML audit report: what a planner takes to the council.

One self-contained page (no network, no script of its own): data quality and its caveats,
the score of each principle with charts of their distributions drawn as inline SVG, the
worst street segments and public spaces with their explanations and recommendations, the
vulnerability of crowded places, and an overview figure (a static SVG map drawn from the
data, :mod:`cpted._overview`) with a link to the interactive ``map.html`` beside it; the
map itself is not embedded, so the page stays light. Its title names the place (or the
site it is about), and it holds no local path. Every figure is rounded by one rule per
kind (:mod:`cpted._format`). It prints cleanly to PDF from a browser (``@media print``
rules). Every text that came from the data is escaped, and the report credits
OpenStreetMap with the data date. It is written in the current language
(:func:`cpted._i18n.use`), figures in that language's notation; names from the data stay
as mapped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from cpted import _format as fmt
from cpted import settings
from cpted._i18n import N_, _, current_language, n_
from cpted._principle import PRINCIPLES, SCORED
from cpted.area import QUALITY_MEANINGS

if TYPE_CHECKING:
    from cpted.audit import Audit

__all__ = ["histogram_svg", "place_title", "report_html", "site_rows"]

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
figure.overview{margin:1em 0}
figure.overview svg{max-width:100%;height:auto;border:1px solid var(--line)}
.maplink a{font-weight:bold}
footer{margin-top:3em;color:var(--muted);font-size:13px;border-top:1px solid var(--line);
 padding-top:.5em}
nav.toc{columns:2;font-size:14px}@page{size:A4;margin:14mm}
@media print{ body{max-width:none;margin:0;font-size:11pt} nav.toc{display:none}
 h2{break-after:avoid}section{break-before:auto}
tr,.item,figure{break-inside:avoid} a{color:inherit;text-decoration:none}}
"""

#: Score columns and their titles, from the registry of principles (English; ``_()``).
_PRINCIPLE_TITLES = {
    "cpted_score": N_("Combined CPTED score"),
    **{f"{name}_score": PRINCIPLES[name].title for name in SCORED},
}


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _text(value: str) -> str:
    """Escape a sentence for an element's text (quotes kept as they are)."""
    return html.escape(value, quote=False)


def _category(value: Any) -> str:
    """Name a site category in words, in the current language: ``place of worship``."""
    from cpted._explain import _space_noun

    return _space_noun(value)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "<td>–</td>"
    if isinstance(value, bool | np.bool_):
        return "<td>" + _esc(_("yes") if value else _("no")) + "</td>"
    if isinstance(value, int | np.integer):
        return f'<td class="num">{_esc(fmt.number(int(value)))}</td>'
    if isinstance(value, float | np.floating):
        return f'<td class="num">{_esc(fmt.number(value, 1))}</td>'
    if isinstance(value, str) and _FIGURE.fullmatch(value):
        return f'<td class="num">{_esc(value)}</td>'  # a figure _format wrote: right-aligned
    return f"<td>{_esc(value)}</td>"


#: Text that is one figure as :mod:`cpted._format` writes it ("1,204 m", "42%", "3.2 lx"),
#: in any language's notation ("1 204 m", "12,5 lx", "42 %": no-break spaces in French).
_FIGURE = re.compile(r"[<>]?-?\d[\d,.\u202f\u00a0]*([ \u00a0\u202f]?(%|m|km|lx|m²|t|km/h))?|–")


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
            f"<title>{edges[k]:.0f}–{edges[k + 1]:.0f}: {_esc(fmt.number(count, 2))} "
            f"{_esc(unit)}</title></rect>"
        )
    for tick in (0, 50, 100):
        x = left + plot_w * tick / 100
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 13}" text-anchor="middle">{tick}</text>'
        )
    parts.append(
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{_esc(fmt.number(peak, 1))}</text>'
    )
    parts.append(f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>')
    axis = _("score (bars: {unit})").format(unit=unit)
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 2}" text-anchor="middle" fill="#555">'
        f"{_esc(axis)}</text></svg>"
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
            _(
                "Only {lamps} lamps are mapped per km of street: lighting is measured where "
                "lamps are mapped and rests on the lit=* tag elsewhere, with low confidence."
            ).format(lamps=fmt.number(q("lamps_per_km"), 1, group=False))
        )
    if q("streets_with_lit") < 0.8:
        notes.append(
            _("{share} of the streets carry a lit=* tag.").format(
                share=fmt.share(q("streets_with_lit"))
            )
        )
    if q("buildings_with_height") < 0.5:
        notes.append(
            _(
                "Only {share} of the buildings have mapped levels or height; the rest are "
                "taken as {levels} storeys."
            ).format(
                share=fmt.share(q("buildings_with_height")),
                levels=fmt.number(settings.DEFAULT_LEVELS, group=False),
            )
        )
    if q("cameras_with_direction") < 0.5 and len(audit.area.cameras):
        notes.append(
            _("Most cameras have no mapped direction; their views are taken as all-round.")
        )
    if q("pois_with_opening_hours") < 0.5:
        notes.append(
            _(
                "Opening hours are mapped for {share} of the shops and amenities, so "
                "night-time activity is a lower bound."
            ).format(share=fmt.share(q("pois_with_opening_hours")))
        )
    if q("ways_clipped") > 0 or q("dangling_refs") > 0:
        notes.append(
            _(
                "The extract cuts ways at its edge: streets near the boundary miss part of "
                "their network, so movement and access measures there are less reliable."
            )
        )
    notes.append(
        _(
            "Scores measure the built environment as mapped, not crime: hedges, trees, kiosks "
            "and temporary structures are seldom in OpenStreetMap. Walk the worst places "
            "before acting."
        )
    )
    return notes


def _item(title: str, score: Any, rows: list[tuple[str, str]], recs: str) -> str:
    label = _("{label}:")  # French sets a space before the colon
    body = "".join(
        f"<div><b>{_esc(label.format(label=k))}</b> {_esc(v)}</div>" for k, v in rows if v
    )
    items = "".join(f"<li>{_esc(r)}</li>" for r in str(recs or "").split("; ") if r.strip())
    heading = _esc(_("Recommendations:"))
    rec_html = f"<div><b>{heading}</b><ul>{items}</ul></div>" if items else ""
    return f'<div class="item"><h3>{_badge(score)} {_esc(title)}</h3>{body}{rec_html}</div>'


def _name(value: Any, fallback: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return fallback
    return str(value)


def _people(value: Any) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return _("unknown") if pd.isna(number) else fmt.number(int(number))


def _vulnerability_assumptions() -> str:
    """List the assumptions behind the crowd and run-up figures, short and plain."""
    table = settings.CROWD_CAPACITY
    groups: dict[tuple[str, str], list[str]] = {}
    for category, spec in table.items():
        if category == "default":
            continue
        key = (fmt.general(float(spec["m2_per_person"])), str(spec["source"]))  # type: ignore[arg-type]
        groups.setdefault(key, []).append(_category(category))
    per_person = _("{categories}: {area} m² per person ({source})")
    rows = "".join(
        "<li>"
        + _esc(per_person.format(categories=", ".join(cats), area=per, source=source))
        + "</li>"
        for (per, source), cats in groups.items()
    )
    classes = ", ".join(
        f"{fmt.vehicle_name(name)} {fmt.general(float(v['mass_kg']) / 1000)} t"  # type: ignore[arg-type]
        for name, v in settings.VEHICLES.items()
    )
    capacity = _text(
        _(
            "Capacity is OpenStreetMap's {capacity} where mapped, else the ground people "
            "stand on divided by a floor-space factor for its category: open ground (the site "
            "less its buildings) for open spaces, the buildings' floor for schools and malls "
            "(storeys from {levels}, one where not mapped), one storey for single halls "
            "(places of worship, stations, stadiums). Kindergartens hold the children their "
            "outdoor (10 m²) and indoor ({indoor} m²) norms allow, whichever is fewer."
        )
    ).format(
        capacity="<code>capacity=*</code>",
        levels="<code>building:levels</code>",
        indoor=_esc(fmt.general(settings.KINDERGARTEN_INDOOR_M2_PER_CHILD)),
    )
    point = _text(
        _(
            "A site mapped only as a point has no outline to measure: its capacity is "
            "unknown, and it is not counted as a soft target until its outline or "
            "{capacity} is mapped."
        )
    ).format(capacity="<code>capacity=*</code>")
    vehicles = _text(
        _(
            "Vehicle classes (IWA 14-1 / PAS 68 test vehicles): {classes}. They start from "
            "rest, accelerate at full throttle, and take every bend and every turn at a "
            "junction at no more than √(μ g R), with tyre friction μ = {friction} (dry road) "
            "and R the racing line the carriageway allows (through a junction: the largest "
            "arc between the outer kerbs that clears the inner corner, kerb radius "
            "{kerb} m)."
        ).format(
            classes=classes,
            friction=fmt.general(settings.TYRE_FRICTION),
            kerb=fmt.general(settings.JUNCTION_KERB_RADIUS_M),
        )
    )
    return (
        "<h3>" + _esc(_("Assumptions")) + f"</h3><ul>"
        f"<li>{capacity}<ul>{rows}</ul></li>"
        f"<li>{point}</li>"
        f"<li>{vehicles}</li></ul>"
    )


def _vulnerability(audit: Audit) -> list[str]:
    sites = audit.sites
    if "capacity_persons" not in sites:
        return [
            "<p>"
            + _text(_("The vulnerability module did not run, so crowded places were not assessed."))
            + "</p>"
        ]
    parts = []
    soft = sites[sites.get("soft_target", pd.Series(False, index=sites.index)).astype(bool)]
    soft = soft.sort_values("capacity_persons", ascending=False)
    crowded = n_(
        "{n} public space can hold at least {people} people at their busiest (crowded places; "
        "see the assumptions below).",
        "{n} public spaces can hold at least {people} people at their busiest (crowded "
        "places; see the assumptions below).",
        len(soft),
    )
    parts.append(
        "<p>"
        + _text(
            crowded.format(
                n=len(soft), people=fmt.number(settings.SOFT_TARGET_MIN_PERSONS, group=False)
            )
        )
        + "</p>"
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
        if "frontage_exposed_m" in table:
            table["frontage_exposed_m"] = [
                fmt.metres(v, unit=False) for v in table["frontage_exposed_m"]
            ]
        if "worst_vehicle" in table:
            table["worst_vehicle"] = [
                fmt.vehicle_name(v) if isinstance(v, str) and v else ""
                for v in table["worst_vehicle"]
            ]
        if "category" in table:
            table["category"] = [_category(c) for c in table["category"]]
        if "capacity_source" in table:
            table["capacity_source"] = [_capacity_source(c) for c in table["capacity_source"]]
        table = table.rename(columns={k: _(v) for k, v in _CROWD_COLUMNS.items()})
        parts.append("<h3>" + _esc(_("Crowded places")) + "</h3>" + _table(table))
    unknown = sites[pd.to_numeric(sites["capacity_persons"], errors="coerce").isna()]
    if len(unknown):
        listed = [
            f"{_name(n, str(i))} ({_category(c)})"
            for i, n, c in zip(
                unknown.index,
                unknown.get("name", pd.Series(None, index=unknown.index)),
                unknown.get("category", pd.Series("site", index=unknown.index)),
                strict=True,
            )
        ]
        sentence = n_(
            "Capacity unknown for {n} site mapped only as a point: {sites}. Map its outline "
            "or tag {capacity}, or judge it on site.",
            "Capacity unknown for {n} sites mapped only as points: {sites}. Map their "
            "outlines or tag {capacity}, or judge them on site.",
            len(unknown),
        )
        sites_text = _esc(", ".join(listed[:20])) + (" …" if len(listed) > 20 else "")
        parts.append(
            "<p>"
            + _text(sentence).format(
                n=len(unknown), sites=sites_text, capacity="<code>capacity=*</code>"
            )
            + "</p>"
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
            names = {
                c: "km/h " + fmt.vehicle_name(c.removeprefix("speed_kmh_")) for c in speed_cols
            }
            names.update({k: _(v) for k, v in _APPROACH_COLUMNS.items()})
            table = open_[cols].head(25).copy()
            for c in ("runup_m", "frontage_m"):
                if c in table:
                    table[c] = [fmt.metres(v, unit=False) for v in table[c]]
            for c in speed_cols:
                table[c] = [fmt.number(v) for v in table[c]]
            for c in ("rating_car", "rating_heavy_truck"):
                if c in table:
                    table[c] = [fmt.barrier_rating(v, short=True) for v in table[c]]
            table = table.rename(columns=names)
            parts.append(
                "<h3>"
                + _esc(_("Open vehicle approaches"))
                + "</h3><p>"
                + _text(
                    _(
                        "Each approach a vehicle can take to a site's edge, with the speed it "
                        "reaches there and the impact rating (IWA 14-1 / PAS 68) a barrier "
                        "across it would need. Fastest first."
                    )
                )
                + "</p>"
                + _table(table, index=False)
            )
        closed = approaches[approaches["status"] != "open"]
        closed_text = n_(
            "{n} approach is closed by mapped barriers.",
            "{n} approaches are closed by mapped barriers.",
            len(closed),
        ).format(n=len(closed))
        parts.append(f"<p>{_text(closed_text)}</p>")
    services = [c[: -len("_access")] for c in sites.columns if c.endswith("_access")]
    services = [s for s in services if f"{s}_time_s" in sites]
    if services:
        rows = {}
        for s in services:
            access = sites[f"{s}_access"].astype(str)
            times = pd.to_numeric(sites[f"{s}_time_s"], errors="coerce")
            rows[_(_SERVICE_WORDS.get(s, s))] = {
                _("sites reached"): int(times.notna().sum()),
                _("median minutes"): round(float(times.median()) / 60, 1)
                if times.notna().any()
                else None,
                _("longest minutes"): round(float(times.max()) / 60, 1)
                if times.notna().any()
                else None,
                _("no station in the extract"): int((access == "none_in_extract").sum()),
            }
        responders = _(
            "Network travel time from the police, fire and ambulance stations in the data to "
            "each site; a site with no station in the extract is flagged, not given a number."
        )
        parts.append(
            "<h3>"
            + _esc(_("Responder access"))
            + f"</h3><p>{_text(responders)}</p>"
            + _table(pd.DataFrame.from_dict(rows, orient="index"))
        )
    parts.append(_vulnerability_assumptions())
    return parts


#: Column titles of the crowded-places table.
_CROWD_COLUMNS = {
    "name": N_("name"),
    "category": N_("category"),
    "capacity_persons": N_("people (capacity)"),
    "capacity_source": N_("capacity from"),
    "approaches_open": N_("open approaches"),
    "approaches_closed": N_("closed approaches"),
    "frontage_exposed_m": N_("exposed frontage (m)"),
    "worst_vehicle": N_("worst vehicle"),
}

#: Column titles of the open-approaches table.
_APPROACH_COLUMNS = {
    "site_name": N_("site"),
    "highway": N_("street"),
    "runup_m": N_("run-up (m)"),
    "frontage_m": N_("frontage (m)"),
    "rating_car": N_("barrier rated for (car)"),
    "rating_heavy_truck": N_("barrier rated for (30 t truck)"),
}

#: The emergency services of the responder-access table (``settings.RESPONDER_SERVICES``).
_SERVICE_WORDS = {"police": N_("police"), "fire": N_("fire"), "ambulance": N_("ambulance")}


def _capacity_source(value: Any) -> str:
    """Say where a capacity figure came from, in words (the ``capacity_source`` column).

    ``osm`` and ``unknown`` are translated, ``density: <category>`` names its category in
    words; English keeps the column's own text.
    """
    text = _text_of(value)
    if current_language() == "en":
        return text
    if text == "osm":
        return _("capacity=* mapped")
    if text == "unknown":
        return _("unknown")
    if text.startswith("density: "):
        return _("density: {category}").format(category=_category(text.removeprefix("density: ")))
    return text


#: Words of a file name that mean "an extract of", not the place: left out of the title.
_STEM_NOISE = {"osm", "extract", "export", "map", "data", "latest"}

_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _fold(word: str) -> str:
    """Fold a word as file names spell it: ``Neukölln`` and ``neukoelln`` both give neukoelln."""
    import unicodedata

    text = word.casefold().translate(_GERMAN_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def place_title(area: Any) -> str:
    """
    Name the place an area covers, for a report's title.

    The area keeps no place tags (``addr:city``, ``is_in``, ``place``), so the name comes
    from its source: a place query (``"Xàbia, Spain"``) as given, else the file's stem
    made readable (``neukoelln_karl-marx-platz.osm.bz2`` -> "Neukölln Karl-Marx-Platz").
    A word of the stem that a street, site, building or shop name spells with umlauts or
    accents takes that spelling from the data.

    Returns
    -------
    str
        Plain text (not escaped).
    """
    import re
    from pathlib import PurePath

    source = str(getattr(area, "source", "") or "")
    if not source:
        return _("the study area")
    looks_like_file = bool(re.search(r"\.(osm|pbf|bz2|gz|xml|gpkg|geojson)$", source, re.I))
    if not looks_like_file and "/" not in source and "\\" not in source:
        return source  # a place query such as "Xàbia, Spain"
    stem = PurePath(source.replace("\\", "/")).name
    stem = re.sub(r"(\.(osm|pbf|bz2|gz|xml|gpkg|geojson))+$", "", stem, flags=re.I)
    # the spellings the data uses, keyed by their folded form
    spelling: dict[str, str] = {}
    for layer in ("sites", "streets", "pois", "buildings"):
        table = getattr(area, layer, None)
        if table is None or "name" not in table:
            continue
        for name in table["name"].dropna().astype(str).unique()[:5000]:
            for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", name):
                spelling.setdefault(_fold(word), word)
                for piece in word.split("-"):
                    spelling.setdefault(_fold(piece), piece)
    words = []
    for word in re.split(r"[_\s.]+", stem):
        if not word or word.casefold() in _STEM_NOISE or re.fullmatch(r"[\d-]+", word):
            continue
        if _fold(word) in spelling:
            words.append(spelling[_fold(word)])
            continue
        pieces = [spelling.get(_fold(p), p[:1].upper() + p[1:]) for p in word.split("-")]
        words.append("-".join(pieces))
    return " ".join(words) or stem


def site_rows(sites: pd.DataFrame, site: Any) -> list[Any]:
    """
    Find the index values of ``sites`` that ``site`` means: ids, or a name.

    A name matches without accents and case, in full or as the one name holding it (of
    3 letters or more), as ``cpted audit --site`` matches it; several features sharing
    the name are one place. None means no site: ``[]``.

    Raises
    ------
    InputError
        ``site`` is no id and no name of ``sites``.
    """
    if site is None:
        return []
    found = _site_rows(sites, site)
    if not found:
        from cpted._errors import InputError

        names = sorted(set(sites["name"].dropna().astype(str))) if "name" in sites else []
        msg = (
            f"No site {site!r} in the audit; give a site id such as "
            f"{', '.join(map(str, sites.index[:3])) or '(none)'} or a name such as "
            f"{'; '.join(names[:5]) or '(none)'}."
        )
        raise InputError(msg)
    return found


def _site_rows(sites: pd.DataFrame, site: Any) -> list[Any]:
    wanted = list(site) if isinstance(site, list | tuple | set | pd.Index) else [site]
    found = [s for s in wanted if s in sites.index]
    if found:
        return found
    if "name" not in sites:
        return []
    raw = sites["name"].fillna("").astype(str)
    for fold in (_plain, _fold):  # "korner" and "koerner" both find Körnerpark
        names = raw.map(fold)
        query = fold(str(site)).strip()
        same = names.index[names == query]
        if len(same):
            return list(same)
        part = names.index[names.str.contains(query, regex=False)] if len(query) >= 3 else []
        if len(part) and len(set(raw[part])) == 1:
            return list(part)
    return []


def _plain(text: str) -> str:
    """Fold a name as ``cpted audit --site`` does: accents dropped, casefolded."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def report_html(
    audit: Audit,
    *,
    title: str | None = None,
    site: Any = None,
    map_link: str | None = None,
    worst: int = 15,
) -> str:
    """
    Write the audit report as one self-contained HTML page.

    Parameters
    ----------
    audit
        The audit to report.
    title
        The name of the place, for the title (default: :func:`place_title`, or with
        ``site`` "<site> and its surroundings"). Escaped.
    site
        The site the report is about (an index of ``audit.sites``, a list of them, or a
        name): named in the title, highlighted in the overview figure, its scores,
        explanation and recommendations first, the other lists limited to what lies
        within :data:`cpted.settings.SITE_AUDIT_BUFFER` of it.
    map_link
        The address of the interactive map beside the report (``"map.html"``), linked
        from the overview; None: no link.
    worst
        How many of the worst segments and sites to list.

    Returns
    -------
    str
        The page.

    Raises
    ------
    InputError
        ``site`` names no site of the audit.
    """
    from cpted._overview import overview_svg

    area = audit.area
    quality = area.quality()
    segments, sites = audit.segments, audit.sites
    chosen = site_rows(sites, site)
    site_name = ""
    surroundings = None
    if chosen:
        names = list(sites.loc[chosen, "name"].dropna().astype(str)) if "name" in sites else []
        site_name = names[0] if names else str(chosen[0])
        outline = sites.loc[chosen].geometry.union_all()
        surroundings = outline.buffer(settings.SITE_AUDIT_BUFFER)
        near = segments.geometry.intersects(surroundings)
        segments = segments[near]
        near_sites = sites.geometry.intersects(surroundings) & ~sites.index.isin(chosen)
        others = sites[near_sites]
    else:
        others = sites
    place = title or (
        _("{site} and its surroundings").format(site=site_name) if chosen else place_title(area)
    )
    heading = _("CPTED audit of {place}").format(place=place)
    date = str(area.data_date or _("unknown date"))
    credit = _("Map data © OpenStreetMap contributors (ODbL), data of {date}.").format(date=date)
    sections = [
        ("reading", _("How to read this report")),
        ("overview", _("Overview")),
        *([("site", site_name)] if chosen else []),
        ("quality", _("Data quality and caveats")),
        ("scores", _("Scores by principle")),
        ("segments", _("Street segments that need attention")),
        ("sites", _("Public spaces that need attention")),
        ("vulnerability", _("Vulnerability of crowded places")),
        ("method", _("How the scores are made")),
    ]
    toc = "".join(f'<li><a href="#{k}">{_esc(t)}</a></li>' for k, t in sections)
    length = float(pd.to_numeric(segments["length"], errors="coerce").sum())
    n_segments = n_("{n} street segment", "{n} street segments", len(segments)).format(
        n=fmt.number(len(segments))
    )
    if chosen:
        scope = n_(
            "{segments} ({km}) within {buffer} of {site}, and {n} other public space there.",
            "{segments} ({km}) within {buffer} of {site}, and {n} other public spaces there.",
            len(others),
        ).format(
            segments=n_segments,
            km=fmt.kilometres(length),
            buffer=fmt.metres(settings.SITE_AUDIT_BUFFER),
            site=site_name,
            n=fmt.number(len(others)),
        )
        if len(segments) == len(audit.segments):
            scope += " " + _(
                "The extract reaches no further than that, so the surroundings are all of it."
            )
    else:
        scope = n_(
            "{segments} ({km}) and {n} public space.",
            "{segments} ({km}) and {n} public spaces.",
            len(sites),
        ).format(segments=n_segments, km=fmt.kilometres(length), n=fmt.number(len(sites)))
    link = (
        f"<p class='maplink'><a href='{_esc(map_link)}'>"
        + _text(_("Open the interactive map"))
        + ""
        "</a> "
        + _text(_("(map.html beside this report: every layer, each segment's figures on a click)."))
        + "</p>"
        if map_link
        else ""
    )
    measured = ", ".join(_principle_words(p) for p in audit.principles) or _("none")
    lead = _("{scope} Principles measured: {principles}. {credit}").format(
        scope=scope, principles=measured, credit=credit
    )
    parts = [
        f"<!DOCTYPE html><html lang='{_esc(current_language())}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{_esc(heading)}</title><style>{_STYLE}</style></head><body>",
        f"<header><h1>{_esc(heading)}</h1>",
        f"<p class='lead'>{_esc(lead)}</p>{link}</header>",
        f"<nav class='toc'><ol>{toc}</ol></nav>",
        _reading(),
    ]
    # overview figure
    extent = None
    if surroundings is not None:
        # the surroundings as far as the data reaches: an extract may end within the buffer
        data = shapely.box(*audit.segments.total_bounds) if len(audit.segments) else surroundings
        extent = surroundings.intersection(data.union(sites.loc[chosen].geometry.union_all()))
    figure = overview_svg(
        audit,
        site=chosen or None,
        extent=extent,
        site_name=site_name or None,
        ring=surroundings,
    )
    caption = (
        _(
            "Street segments coloured by their combined CPTED score; {site} outlined in blue. "
            "North is up."
        ).format(site=site_name)
        if chosen
        else _("Street segments coloured by their combined CPTED score. North is up.")
    )
    parts += [
        "<section id='overview'><h2>" + _esc(_("Overview")) + "</h2>",
        f"<figure class='overview'>{figure}<figcaption>{_text(caption)}</figcaption></figure>",
        link,
        "</section>",
    ]
    if chosen:
        parts += _site_section(audit, chosen, site_name)
    # data quality
    good_data = _text(
        _(
            "Every CPTED result is only as good as the map it stands on. Where data is "
            "missing, a score uses a documented estimate (for lighting: the typical mapped "
            "street of the same class in this area) and its {confidence} is lowered; an "
            "estimate never scores better than the same place with good data."
        )
    ).format(confidence="<i>" + _text(_("confidence")) + "</i>")
    parts += [
        "<section id='quality'><h2>" + _esc(_("Data quality and caveats")) + "</h2>",
        f"<p>{good_data}</p>",
        *[
            f"<div class='caveat'>{_esc(c)}</div>"
            for c in [*audit.notes, *_caveats(audit, quality)]
        ],
        *(
            [
                "<h3>" + _esc(_("What to map first")) + "</h3><ul class='gaps'>",
                *[
                    f"<li><b>{_esc(r.action)}</b>: {_esc(r.reason)}</li>"
                    for r in audit.area_recommendations
                ],
                "</ul>",
            ]
            if audit.area_recommendations
            else []
        ),
        _quality_table(quality),
        "</section>",
    ]
    # scores
    parts.append("<section id='scores'><h2>" + _esc(_("Scores by principle")) + "</h2>")
    summary = _summary(segments, others if chosen else sites)
    if len(summary):
        weights = ", ".join(
            f"{_principle_words(k)} {fmt.general(v)}" for k, v in audit.weights.items()
        )
        scale = _(
            "Scores run from 0 (the place does nothing for safety by that principle) to 100 "
            "(it meets the reference: EN 13201 lighting class, 50 m recognition distance, "
            "friendly frontage, two ways out). Weights of the combined score: {weights}."
        ).format(weights=weights)
        if chosen:
            scale += " " + _("Figures for the surroundings of {site}.").format(site=site_name)
        parts.append(f"<p>{_esc(scale)}</p>")
        parts.append(_table(summary))
        charts = []
        length_km = pd.to_numeric(segments["length"], errors="coerce") / 1000
        for column, chart_title in _PRINCIPLE_TITLES.items():
            if column in segments:
                shown = _(chart_title)
                svg = histogram_svg(
                    segments[column], title=shown, weights=length_km, unit=_("km of street")
                )
                caption = _("{title}: street length by score").format(title=shown)
                charts.append(f"<figure>{svg}<figcaption>{_esc(caption)}</figcaption></figure>")
        if "cpted_score" in sites and len(others):
            svg = histogram_svg(others["cpted_score"], title=_("Public spaces"), unit=_("spaces"))
            charts.append(
                f"<figure>{svg}<figcaption>" + _esc(_("Combined score of the public spaces")) + ""
                "</figcaption></figure>"
            )
        parts.append(f"<div class='charts'>{''.join(charts)}</div>")
    else:
        parts.append("<p>" + _esc(_("No principle was scored.")) + "</p>")
    lit = segments.groupby("lit")["length"].sum().to_frame("km")
    lit["km"] = [fmt.kilometres(v) for v in lit["km"]]
    lit.index.name = None
    parts += [
        "<h3>" + _esc(_("Street lighting as mapped (lit=*)")) + "</h3>",
        _table(lit),
        "</section>",
    ]
    # worst segments
    parts.append(
        "<section id='segments'><h2>" + _esc(_("Street segments that need attention")) + "</h2>"
    )
    if "cpted_score" in segments and segments["cpted_score"].notna().any():
        ranked = audit.worst_segments(len(audit.segments))
        ranked = ranked[ranked.index.isin(segments.index)].head(worst)
        if chosen:
            intro = n_(
                "The {n} segment within {buffer} of {site} with the lowest combined score, "
                "with the measures that lost most points and what could be done.",
                "The {n} segments within {buffer} of {site} with the lowest combined score, "
                "with the measures that lost most points and what could be done.",
                len(ranked),
            )
        else:
            intro = n_(
                "The {n} segment with the lowest combined score, with the measures that lost "
                "most points and what could be done.",
                "The {n} segments with the lowest combined score, with the measures that lost "
                "most points and what could be done.",
                len(ranked),
            )
        intro = intro.format(
            n=len(ranked), buffer=fmt.metres(settings.SITE_AUDIT_BUFFER), site=site_name
        )
        parts.append(f"<p>{_esc(intro)}</p>")
        from cpted.maps._streets import where as described

        # as the map names them: "footway beside Karl-Marx-Straße" for an unnamed path
        names = described(audit.segments).reindex(ranked.index)
        for key, row in ranked.iterrows():
            item_title = (
                _("{name} (segment {segment}, OSM way {osmid})")
                if _text_of(row.get("osmid"))
                else _("{name} (segment {segment})")
            ).format(name=names[key], segment=key, osmid=row.get("osmid"))
            parts.append(
                _item(
                    item_title,
                    row.get("cpted_score"),
                    [
                        (_("Street"), f"{row.get('highway')}, {fmt.metres(row.get('length'))}"),
                        (_("Confidence"), fmt.share(row.get("cpted_confidence"))),
                        (_("Why"), str(row.get("explanation") or "")),
                    ],
                    str(row.get("recommendations") or ""),
                )
            )
    else:
        parts.append("<p>" + _esc(_("No segment was scored.")) + "</p>")
    parts.append("</section>")
    # worst sites
    parts.append(
        "<section id='sites'><h2>" + _esc(_("Public spaces that need attention")) + "</h2>"
    )
    others = (
        others[pd.to_numeric(others.get("cpted_score"), errors="coerce").notna()]
        if len(others) and "cpted_score" in others
        else others
    )
    if len(others) and "cpted_score" in others:
        if chosen:
            others_text = _(
                "The other public spaces within {buffer} of {site}, lowest combined score first."
            ).format(buffer=fmt.metres(settings.SITE_AUDIT_BUFFER), site=site_name)
            parts.append(f"<p>{_esc(others_text)}</p>")
        for key, row in others.sort_values("cpted_score").head(worst).iterrows():
            parts.append(_site_item(key, row))
    else:
        parts.append("<p>" + _esc(_("No public space was scored.")) + "</p>")
    parts.append("</section>")
    parts += [
        "<section id='vulnerability'><h2>" + _esc(_("Vulnerability of crowded places")) + "</h2>",
        *_vulnerability(audit),
        "</section>",
    ]
    field = audit.layers.get("field_agreement")
    if field is not None and len(field):
        from cpted.fieldaudit import agreement_summary

        observations = int(field["observation"].nunique())
        walked = n_(
            "{n} walk-audit observation was joined to the street segments and each rated item "
            "set beside the score that measures it. 'map higher' means the map scores the "
            "place better than the walkers rated it: look there for what the map does not "
            "hold (broken lamps, hedges, empty shop fronts). Agreement: within {points} points.",
            "{n} walk-audit observations were joined to the street segments and each rated "
            "item set beside the score that measures it. 'map higher' means the map scores "
            "the place better than the walkers rated it: look there for what the map does not "
            "hold (broken lamps, hedges, empty shop fronts). Agreement: within {points} points.",
            observations,
        ).format(n=observations, points=fmt.general(settings.FIELD_AUDIT_AGREEMENT))
        parts += [
            "<section id='field'><h2>" + _esc(_("Walk audit and computation")) + "</h2>",
            f"<p>{_text(walked)}</p>",
            _table(agreement_summary(field)),
            "</section>",
        ]
    method = _(
        "Each principle score rests on a fixed reference, never on the other streets of this "
        "area, so scores compare between places and years. The combined score is the "
        "weighted mean of the principle scores that could be measured; a principle that "
        "could not be measured lowers the confidence, not the score. Recommendations are "
        "rules applied to the measures: check them on site."
    )
    footer = _("{credit} Source: {source}. Made with cpted.").format(
        credit=credit, source=_source_name(area)
    )
    parts += [
        "<section id='method'><h2>" + _esc(_("How the scores are made")) + "</h2>",
        f"<p>{_text(method)}</p>",
        "</section>",
        f"<footer>{_esc(footer)}</footer>",
        "</body></html>",
    ]
    return "".join(parts)


def _source_name(area: Any) -> str:
    """Name the input by its file name, never its folder: a report travels."""
    from pathlib import PurePath

    source = str(getattr(area, "source", "") or "")
    return PurePath(source.replace("\\", "/")).name if source else _("no file")


def _reading() -> str:
    """Write the short guide near the top: what the numbers, colours and confidence mean."""
    from cpted.maps import score_colour

    bands = "".join(
        f"<span class='score' style='background:{score_colour(b + 10)}'>{b}–{b + 20}</span> "
        for b in range(0, 100, 20)
    )
    grey = f"<span class='score' style='background:{score_colour(None)}'>–</span>"
    scores = _text(
        _(
            "{scale} 100 means the street or space meets the reference of that principle (a "
            "lighting class of EN 13201, seeing 50 m ahead, overlooking windows and doors, two "
            "ways out); 0 means it does nothing for safety by that principle. The combined "
            "CPTED score is the weighted mean of the four."
        )
    ).format(scale="<b>" + _text(_("Scores run from 0 to 100.")) + "</b>")
    colours = _text(
        _("{colours}, here and on the map: {bands} and {grey} where nothing could be measured.")
    ).format(colours="<b>" + _text(_("Colours")) + "</b>", bands=bands, grey=grey)
    confidence = _text(
        _(
            "{confidence} (0–100 %) says how much of a score rests on mapped data; where data "
            "is missing, a score uses a documented {estimate}, lowers its confidence, and "
            "never scores better than the same place with good data."
        )
    ).format(
        confidence="<b>" + _text(_("Confidence")) + "</b>",
        estimate="<b>" + _text(_("estimate")) + "</b>",
    )
    crime = _text(
        _(
            "Scores describe the built environment as mapped, not crime. Each recommendation "
            "names the standard or study it follows in brackets; walk the place before acting."
        )
    )
    return (
        "<section id='reading'><h2>" + _text(_("How to read this report")) + f"</h2><ul>"
        f"<li>{scores}</li><li>{colours}</li><li>{confidence}</li><li>{crime}</li>"
        "</ul></section>"
    )


def _quality_table(quality: pd.Series) -> str:
    """Tabulate the data-quality figures, each written the way its kind of figure is."""
    values = []
    for key, value in quality.items():
        if "_with_" in str(key):
            values.append(fmt.share(value))
        elif key in ("streets_km", "lamps_per_km"):
            values.append(fmt.number(value, 1))
        else:
            values.append(fmt.number(value))
    table = pd.DataFrame(
        {
            _("figure"): [_(QUALITY_MEANINGS.get(str(k), str(k))) for k in quality.index],
            _("value"): values,
        },
        index=quality.index,
    )
    return _table(table, index=False)


def _summary(segments: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Mean, lowest and highest of every score, as whole numbers, with how many were scored."""
    rows = {}
    label = _("{kind}: {score}")
    for kind, table in ((_("street segments"), segments), (_("public spaces"), sites)):
        for column in [c for c in table.columns if c.endswith("_score")]:
            values = pd.to_numeric(table[column], errors="coerce")
            title = _(_PRINCIPLE_TITLES[column]) if column in _PRINCIPLE_TITLES else column
            rows[label.format(kind=kind, score=title)] = {
                _("mean"): fmt.score(values.mean()),
                _("lowest"): fmt.score(values.min()),
                _("highest"): fmt.score(values.max()),
                _("scored"): fmt.number(int(values.notna().sum())),
            }
    return pd.DataFrame.from_dict(rows, orient="index")


def _principle_words(name: str) -> str:
    """Name a principle in a sentence, in the current language."""
    principle = PRINCIPLES.get(name)
    return _(principle.words) if principle is not None and principle.words else name


def _text_of(value: Any) -> str:
    """Return the text of a value, "" for None, NaN and empty text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _site_item(key: Any, row: pd.Series) -> str:
    category = _category(row.get("category") or "site")
    unnamed = _("unnamed {category}").format(category=category)
    item_title = _("{name} ({category}, {site})").format(
        name=_name(row.get("name"), unnamed), category=category, site=key
    )
    return _item(
        item_title,
        row.get("cpted_score"),
        [
            (_("Area"), f"{fmt.number(row.get('area_m2'))} m²"),
            (_("Confidence"), fmt.share(row.get("cpted_confidence"))),
            (_("Why"), str(row.get("explanation") or "")),
        ],
        str(row.get("recommendations") or ""),
    )


def _site_section(audit: Audit, chosen: list[Any], site_name: str) -> list[str]:
    """Write the section on the site the report is about: its scores, why, what to do."""
    parts = [f"<section id='site'><h2>{_esc(site_name)}</h2>"]
    for key in chosen:
        row = audit.sites.loc[key]
        explanation = audit.explain(key)
        table = explanation.principles.copy()
        shown = pd.DataFrame(
            {
                _("score"): [fmt.score(v) for v in table["score"]],
                _("confidence"): [fmt.share(v) for v in table["confidence"]],
                _("weight"): [fmt.general(float(v)) for v in table["weight"]],
                _("points lost"): [fmt.score(v) for v in table["points_lost"]],
            },
            index=[_(PRINCIPLES[p].title) if p in PRINCIPLES else p for p in table.index],
        )
        parts += [
            _site_item(key, row),
            "<h3>" + _esc(_("Scores by principle")) + "</h3>",
            _table(shown),
        ]
    parts.append("</section>")
    return parts
