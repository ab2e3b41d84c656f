"""The HTML report: sections, charts, escaping, offline rendering and printing in Chromium."""

from __future__ import annotations

import html
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import XSS, offline_page

import cpted
from cpted import settings
from cpted.report import histogram_svg, place_title, report_html

SECTIONS = (
    "reading", "overview", "quality", "scores", "segments", "sites", "vulnerability", "method",
)  # fmt: skip

#: The largest report.html of the Helsinki sample (issue 14: it was 28 MB with the map inside).
HELSINKI_REPORT_MB = 3.0


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
    # no map copy inside: a static overview figure, and no script at all
    assert "<iframe" not in page and "srcdoc" not in page and "<script" not in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="overview"') == 1


def test_title_is_the_place_and_can_be_given(result, page):
    assert place_title(result.area) == "Neukölln Karl-Marx-Platz"
    assert "<title>CPTED audit of Neukölln Karl-Marx-Platz</title>" in page
    assert "<h1>CPTED audit of Neukölln Karl-Marx-Platz</h1>" in page
    mine = report_html(result, title="Rixdorf <b>")
    assert "<h1>CPTED audit of Rixdorf &lt;b&gt;</h1>" in mine


def test_report_holds_no_local_path(result, tmp_path):
    folder = result.save(tmp_path / "out")
    text = (folder / "report.html").read_text(encoding="utf-8")
    source = Path(result.area.source).resolve()
    for path in (str(source), str(source.parent), str(tmp_path), str(Path.home()), "/tmp"):
        assert path not in text, path
    assert source.name in text  # the input is named by its file name
    assert "href='map.html'" in text and "Open the interactive map" in text
    alone = result.report(tmp_path / "alone" / "report.html")
    assert "map.html'" not in alone.read_text(encoding="utf-8")  # no map beside it: no link


def test_figures_are_rounded_one_way(page):
    scores = page.split("id='scores'")[1].split("<div class='charts'>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>|<td>([^<]*)</td>', scores)
    numbers = [a or b for a, b in cells if re.fullmatch(r"[\d.,–]+", a or b)]
    assert numbers and all("." not in n for n in numbers)  # scores are whole numbers
    lead = page.split("<p class='lead'>")[1]
    assert re.match(r"[\d,]+ street segments \(\d+\.\d km\)", lead)


def test_advice_reads_plainly(result, page):
    recs = " ".join(result.segments["recommendations"].dropna())
    assert re.search(
        r"gets [\d.]+ lx.*?, where an? [a-z ]+ needs (at least )?[\d.]+ lx.*?"
        r"\(EN 13201-2, class P\d\)",
        recs,
    )
    assert "P4 needs" not in recs
    site_recs = " ".join(result.sites["recommendations"].dropna())
    for code in re.findall(r"\S*V/\d+\[\w+\]/>?\d+", page + site_recs):
        # every barrier rating says what it stops: "a 30 t heavy truck at 64 km/h (IWA 14-1 ...)"
        assert code.startswith("V/") and f"(IWA 14-1 {code.rstrip(')')}" in page + site_recs
    assert "way(s)" not in page


def test_reading_guide_comes_first(page):
    assert page.index("id='reading'") < page.index("id='overview'") < page.index("id='quality'")
    guide = page.split("id='reading'")[1].split("</section>")[0]
    for word in ("0 to 100", "Colours", "Confidence", "estimate"):
        assert word in guide


def test_site_report_is_about_the_site_and_its_surroundings(result):
    page = report_html(result, site="korner")
    assert "<h1>CPTED audit of Körnerpark and its surroundings</h1>" in page
    assert page.index("id='site'") < page.index("id='segments'")
    assert 'class="highlight"' in page  # outlined in the overview figure
    park = result.sites[result.sites["name"] == "Körnerpark"]
    around = park.geometry.union_all().buffer(settings.SITE_AUDIT_BUFFER)
    listed = [int(k) for k in re.findall(r"\(segment (\d+)[,)]", page)]
    assert listed
    assert result.segments.loc[listed].geometry.intersects(around).all()
    far = result.segments[~result.segments.intersects(around)]
    assert not any(re.search(rf"\(segment {k}[,)]", page) for k in far.index)
    assert f"within {settings.SITE_AUDIT_BUFFER:.0f} m of Körnerpark" in page
    with pytest.raises(cpted.InputError, match="No site 'Atlantis'"):
        report_html(result, site="Atlantis")


def test_worst_places_come_with_explanations_and_recommendations(result, page):
    worst = result.worst_segments(3)
    for key in worst.index:
        assert re.search(rf"\(segment {key}[,)]", page)
    assert page.count("Recommendations:") >= 3
    assert "EN 13201-2" in page


def test_vulnerability_section_lists_crowded_places_and_approaches(result, page):
    section = page.split("id='vulnerability'")[1].split("</section>")[0]
    soft = result.sites[result.sites["soft_target"].astype(bool)]
    assert f"{len(soft)} public spaces can hold" in section
    assert "Open vehicle approaches" in section and "(IWA 14-1 V/1500[M1]" in section
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
    for payload in XSS.values():
        assert payload not in page
    assert "&lt;img src=x" in page


def test_no_audit_principles_still_reports(neukoelln):
    page = report_html(cpted.audit(neukoelln, principles=(), progress=False))
    assert "No principle was scored" in page and "No segment was scored" in page


# -- a real browser ----------------------------------------------------------------------


def _render(html_file, screenshot, pdf=None):
    with offline_page(1200, 900) as (page, remote, errors):
        start = time.perf_counter()
        page.goto(html_file.as_uri(), wait_until="load")
        seconds = time.perf_counter() - start
        info = page.evaluate(
            """() => {
              const fig = document.querySelector('svg.overview');
              const box = fig ? fig.getBoundingClientRect() : {width: 0, height: 0};
              return {
                sections: Array.from(document.querySelectorAll('section h2'))
                  .map(h => h.textContent),
                charts: document.querySelectorAll('svg rect').length,
                visible: Array.from(document.querySelectorAll('section'))
                  .filter(s => s.getBoundingClientRect().height > 0).length,
                xss: window.__xss || 0,
                figure: [box.width, box.height],
                segments: fig ? fig.querySelectorAll('path.segments').length : 0,
                highlight: Array.from(document.querySelectorAll('.highlight'))
                  .map(e => e.getBoundingClientRect().width).reduce((a, b) => a + b, 0),
                mapLink: Array.from(document.querySelectorAll('a'))
                  .filter(a => a.getAttribute('href') === 'map.html').length,
              };
            }"""
        )
        info["seconds"] = seconds
        page.locator("svg.overview").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot), full_page=False)
        if pdf is not None:
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4")
    return info, remote, errors


@pytest.mark.browser
def test_report_renders_offline_and_prints(result, tmp_path, artifacts):
    folder = result.save(tmp_path / "out")
    info, remote, errors = _render(
        folder / "report.html", artifacts / "neukoelln_report.png", tmp_path / "report.pdf"
    )
    assert remote == [] and errors == []
    assert info["sections"][:2] == ["How to read this report", "Overview"]
    assert info["sections"][2:7] == [
        "Data quality and caveats",
        "Scores by principle",
        "Street segments that need attention",
        "Public spaces that need attention",
        "Vulnerability of crowded places",
    ]
    assert info["visible"] == len(info["sections"])
    assert info["charts"] >= 50
    assert info["figure"][0] > 300 and info["figure"][1] > 300  # the overview is drawn
    assert info["segments"] >= 3 and info["mapLink"] == 2
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert (artifacts / "neukoelln_report.png").stat().st_size > 10_000


@pytest.mark.browser
def test_site_report_in_the_browser(result, tmp_path, artifacts):
    folder = result.save(tmp_path / "site", site="Körnerpark")
    info, remote, errors = _render(folder / "report.html", artifacts / "neukoelln_site_report.png")
    assert remote == [] and errors == []
    assert info["sections"][:3] == ["How to read this report", "Overview", "Körnerpark"]
    assert info["highlight"] > 100  # the park is outlined, large, in the overview
    assert info["mapLink"] == 2


@pytest.mark.browser
def test_no_script_from_the_data_runs_in_the_report(hostile_osm, tmp_path, artifacts):
    area = cpted.area_from_file(hostile_osm)
    path = cpted.audit(area, progress=False).report(tmp_path / "report.html")
    info, remote, errors = _render(path, artifacts / "hostile_report.png")
    assert info["xss"] == 0
    assert remote == [] and errors == []


# -- the Helsinki sample: a light report, a styled GeoPackage ------------------------------


@pytest.fixture(scope="module")
def helsinki_out(helsinki_audit, tmp_path_factory):
    return helsinki_audit.save(tmp_path_factory.mktemp("helsinki") / "out")


@pytest.mark.slow
def test_helsinki_report_is_light(helsinki_out):
    size = (helsinki_out / "report.html").stat().st_size
    assert size <= HELSINKI_REPORT_MB * 1e6, f"{size / 1e6:.1f} MB"


@pytest.mark.slow
@pytest.mark.browser
def test_helsinki_report_opens_fast_offline(helsinki_out, artifacts):
    info, remote, errors = _render(helsinki_out / "report.html", artifacts / "helsinki_report.png")
    assert remote == [] and errors == []
    assert info["seconds"] < 2.0
    assert info["figure"][0] > 300 and info["segments"] >= 3 and info["mapLink"] == 2


@pytest.mark.slow
def test_geopackage_carries_qgis_styles(helsinki_out):
    with sqlite3.connect(helsinki_out / "cpted.gpkg") as db:
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
            "useAsDefault FROM layer_styles"
        ).fetchall()
        columns = [r[1] for r in db.execute("PRAGMA table_info(layer_styles)")]
        registered = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
        layer_columns = {
            layer: [r[1] for r in db.execute(f"PRAGMA table_info({layer})")]
            for layer in ("segments", "sites")
        }
    assert columns == [
        "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
        "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui",
        "update_time",
    ]  # fmt: skip
    assert registered == ("attributes",)
    for layer, fields in layer_columns.items():
        scores = {c for c in fields if c.endswith("_score")}
        mine = {r[2]: r for r in rows if r[0] == layer}
        assert scores and set(mine) == scores, layer
        assert [name for name, r in mine.items() if r[5]] == ["cpted_score"]
        for name, (_, geometry, _, qml, sld, _) in mine.items():
            assert geometry in fields
            root = ET.fromstring(qml.split(">", 1)[1])  # after the DOCTYPE
            assert root.tag == "qgis"
            assert all(f'"{name}"' in r.get("filter") for r in root.iter("rule")
                       if r.get("filter") != "ELSE")  # fmt: skip
            for colour in ("215,48,39", "252,141,89", "254,224,139", "145,207,96", "26,152,80"):
                assert colour in qml, (layer, name, colour)
            assert "158,158,158" in qml  # grey for no score
            ET.fromstring(sld)
    lux = ET.parse(helsinki_out / "lux.qml").getroot()
    items = [(i.get("value"), i.get("color")) for i in lux.iter("item")]
    assert [v for v, _ in items] == ["0.4", "2", "5", "10", "15", "inf"]
    assert (helsinki_out / "lux.tif").exists()


def test_overview_geometry_is_simplified_and_rounded(result):
    from cpted._overview import overview_svg

    svg = overview_svg(result)
    paths = re.findall(r' d="([^"]+)"', svg)
    assert paths and not any(re.search(r"\d\.\d", d) for d in paths)  # whole pixels
    assert "scale-bar" in svg and "north-arrow" in svg
    assert len(svg) < 200_000
    box = shapely.box(*result.segments.total_bounds)
    assert box.area > 0


# -- the command line: --site and --title reach the report ----------------------------------


def test_cli_site_report_is_about_the_site(tmp_path):
    from cpted.cli import main

    out = tmp_path / "site"
    assert main(["-q", "audit", "--site", "korner", "--out", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h1>CPTED audit of Körnerpark and its surroundings</h1>" in page
    assert f"within {settings.SITE_AUDIT_BUFFER:.0f} m of Körnerpark" in page
    assert 'class="highlight"' in page and "id='site'" in page


def test_title_reaches_the_saved_report(result, tmp_path):
    from cpted.cli import _parser

    assert _parser().parse_args(["audit", "--title", "Rixdorf"]).title == "Rixdorf"
    folder = result.save(tmp_path / "t", title="Rixdorf")
    assert "<h1>CPTED audit of Rixdorf</h1>" in (folder / "report.html").read_text("utf-8")
    with pytest.raises(cpted.InputError, match="No site 'Atlantis'"):
        result.save(tmp_path / "never", site="Atlantis")
    assert not (tmp_path / "never").exists()  # refused before anything was written


def test_weakest_segments_are_named_as_the_map_names_them(result):
    """An unnamed path reads as the street it runs beside, with its OSM way id."""
    from cpted.maps._streets import where
    from cpted.report import report_html

    page = report_html(result)
    worst = result.worst_segments(10)
    names = where(result.segments)
    for key in worst.index:
        title = html.escape(f"{names[key]} (segment {key}")
        assert title in page, title
    assert names.str.contains(" beside ").any()  # the sample's sidewalks read so
