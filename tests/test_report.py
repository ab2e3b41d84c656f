"""The HTML report: sections, charts, escaping, offline rendering and printing in Chromium."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import XSS, offline_page

import cpted
from cpted.report import histogram_svg, report_html

SECTIONS = ("quality", "scores", "segments", "sites", "vulnerability", "map", "method")


@pytest.fixture(scope="module")
def result(neukoelln):
    return cpted.audit(neukoelln, progress=False)


@pytest.fixture(scope="module")
def page(result):
    return report_html(result)


def test_every_section_is_there(page):
    for section in SECTIONS:
        assert f"id='{section}'" in page, section
    assert page.count("<svg") >= 5  # one chart per principle, the combined score, the sites
    assert "@media print" in page and "@page" in page
    assert "© OpenStreetMap contributors" in page and "2024-03-30" in page


def test_the_report_is_self_contained(page):
    assert not re.search(r"<(script|img|link)[^>]+(src|href)=[\"']?https?:", page)
    # the map travels inside the page as an escaped srcdoc
    srcdoc = page.split('srcdoc="')[1].split('"')[0]
    assert "&lt;script&gt;" in srcdoc and "L.map(" in srcdoc


def test_worst_places_come_with_explanations_and_recommendations(result, page):
    worst = result.worst_segments(3)
    for key in worst.index:
        assert f"(segment {key})" in page
    assert page.count("Recommendations:") >= 3
    assert "EN 13201-2" in page


def test_vulnerability_section_lists_crowded_places_and_approaches(result, page):
    section = page.split("id='vulnerability'")[1].split("</section>")[0]
    soft = result.sites[result.sites["soft_target"].astype(bool)]
    assert f"{len(soft)} public spaces can hold" in section
    assert "Open vehicle approaches" in section and "V/1500[M1]" in section
    assert "run-up (m)" in section
    assert "Responder access" in section


def test_caveats_follow_the_data(result, page):
    quality = result.area.quality()
    assert ("cameras have no mapped direction" in page) == (
        quality["cameras_with_direction"] < 0.5 and len(result.area.cameras) > 0
    )
    assert "Walk the worst places before acting" in page


def test_histogram_by_hand():
    svg = histogram_svg([5, 15, 15, 95, np.nan], title="<b>t</b>", bins=10)
    heights = [float(h) for h in re.findall(r'<rect[^>]+height="([\d.]+)"', svg)]
    assert len(heights) == 10
    assert heights[1] == pytest.approx(2 * heights[0]) and heights[9] == pytest.approx(heights[0])
    assert heights[2:9] == [0.0] * 7
    assert "<b>t</b>" not in svg and "&lt;b&gt;t&lt;/b&gt;" in svg
    weighted = histogram_svg([5, 15], title="w", weights=[3.0, 1.0], bins=10)
    h = [float(x) for x in re.findall(r'<rect[^>]+height="([\d.]+)"', weighted)]
    assert h[0] == pytest.approx(3 * h[1], abs=0.2)  # heights are written to 0.1 px


def test_hostile_names_are_escaped(hostile_osm):
    area = cpted.area_from_file(hostile_osm)
    page = report_html(cpted.audit(area, progress=False))
    outside_map = page.split('srcdoc="')[0] + page.split('srcdoc="')[1].split('"', 1)[1]
    for payload in XSS.values():
        assert payload not in outside_map
    assert "&lt;img src=x" in page


def test_no_audit_principles_still_reports(neukoelln):
    page = report_html(cpted.audit(neukoelln, principles=(), progress=False), map_page="<p></p>")
    assert "No principle was scored" in page and "No segment was scored" in page


# -- a real browser ----------------------------------------------------------------------


def _render(html_file, screenshot, pdf=None):
    with offline_page(1200, 900) as (page, remote, errors):
        page.goto(html_file.as_uri())
        frame = page.frame_locator("iframe.map")
        frame.locator(".leaflet-container").wait_for(timeout=15_000)
        info = page.evaluate(
            """() => ({
              sections: Array.from(document.querySelectorAll('section h2'))
                .map(h => h.textContent),
              charts: document.querySelectorAll('svg rect').length,
              visible: Array.from(document.querySelectorAll('section'))
                .filter(s => s.getBoundingClientRect().height > 0).length,
              xss: window.__xss || 0,
              mapXss: document.querySelector('iframe.map').contentWindow.__xss || 0,
              mapLayers: (() => { const w = document.querySelector('iframe.map')
                .contentWindow; return Object.values(w).filter(v => v instanceof w.L.Map)
                .length; })(),
            })"""
        )
        page.screenshot(path=str(screenshot), full_page=False)
        page.emulate_media(media="print")
        info["printMap"] = page.evaluate(
            "getComputedStyle(document.querySelector('iframe.map')).display"
        )
        if pdf is not None:
            page.pdf(path=str(pdf), format="A4")
    return info, remote, errors


@pytest.mark.browser
def test_report_renders_offline_and_prints(result, tmp_path, artifacts):
    folder = result.save(tmp_path / "out")
    info, remote, errors = _render(
        folder / "report.html", artifacts / "neukoelln_report.png", tmp_path / "report.pdf"
    )
    assert remote == [] and errors == []
    assert info["sections"][:5] == [
        "Data quality and caveats",
        "Scores by principle",
        "Street segments that need attention",
        "Public spaces that need attention",
        "Vulnerability of crowded places",
    ]
    assert info["visible"] == len(info["sections"])
    assert info["charts"] >= 50
    assert info["mapLayers"] == 1
    assert info["printMap"] == "none"  # the interactive map is left out of the print
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert (artifacts / "neukoelln_report.png").stat().st_size > 10_000


@pytest.mark.browser
def test_no_script_from_the_data_runs_in_the_report(hostile_osm, tmp_path, artifacts):
    area = cpted.area_from_file(hostile_osm)
    path = cpted.audit(area, progress=False).report(tmp_path / "report.html")
    info, remote, errors = _render(path, artifacts / "hostile_report.png")
    assert info["xss"] == 0 and info["mapXss"] == 0
    assert remote == [] and errors == []
