"""The HTML audit report: what a planner takes to the council.

Every text that came from the data is escaped, and the report credits OpenStreetMap with
the data date.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from cpted.area import QUALITY_MEANINGS

if TYPE_CHECKING:
    from cpted.audit import Audit

__all__ = ["report_html"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}
th{background:#f0f0f0;text-align:left}td.num{text-align:right}
footer{margin-top:3em;color:#666;font-size:13px}
"""


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for index, row in frame.iterrows():
        cells = []
        for value in row:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            text = f"{value:,.1f}" if isinstance(value, float) else str(value)
            if value is None or (isinstance(value, float) and pd.isna(value)):
                text = "–"
            css = ' class="num"' if number else ""
            cells.append(f"<td{css}>{html.escape(text)}</td>")
        rows.append(f"<tr><th>{html.escape(str(index))}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def report_html(audit: Audit) -> str:
    """
    Write the audit report as one self-contained HTML page.

    Parameters
    ----------
    audit
        The audit to report.

    Returns
    -------
    str
        The page.
    """
    area = audit.area
    esc = html.escape
    quality = area.quality()
    quality_table = pd.DataFrame(
        {"figure": [QUALITY_MEANINGS[k] for k in quality.index], "value": quality.to_numpy()},
        index=quality.index,
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>CPTED audit — {esc(area.name)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>CPTED audit of {esc(area.name)}</h1>",
        f"<p>{len(audit.segments)} street segments ({area.streets['length'].sum() / 1000:.1f} km)"
        f" and {len(audit.sites)} public spaces. Principles measured: "
        f"{esc(', '.join(audit.principles) or 'none yet')}.</p>",
    ]
    summary = audit.summary()
    if len(summary):
        parts += ["<h2>Scores</h2>", _table(summary)]
    if "cpted_score" in audit.segments.columns:
        worst = audit.worst_segments(15)
        columns = [c for c in ("name", "highway", "length", "lit", "cpted_score") if c in worst]
        parts += ["<h2>Street segments with the lowest scores</h2>", _table(worst[columns])]
    lit = audit.segments.groupby("lit")["length"].sum().div(1000).round(2).to_frame("km")
    parts += ["<h2>Street lighting as mapped (lit=*)</h2>", _table(lit)]
    sites = audit.sites.drop(columns="geometry")
    columns = [c for c in ("name", "category", "area_m2") if c in sites]
    columns += [c for c in sites.columns if c.endswith("_score")]
    if len(sites):
        parts += ["<h2>Public spaces</h2>", _table(sites[columns])]
    parts += [
        "<h2>How complete is the map?</h2>",
        "<p>Every CPTED result is only as good as the map it stands on.</p>",
        _table(quality_table),
        f"<footer>Map data © OpenStreetMap contributors, available under the Open Database "
        f"License; data of {esc(str(area.data_date or 'unknown date'))}. Source: "
        f"{esc(area.source)}. Made with cpted.</footer></body></html>",
    ]
    return "".join(parts)
