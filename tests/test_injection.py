"""OSM text never runs: no name or tag reaches a template compiler, on any page cpted writes."""

from __future__ import annotations

import os
from pathlib import Path

import branca.element
import geopandas as gpd
import pandas as pd
import pytest
from conftest import TEMPLATE, TEMPLATE_EVALUATED, XSS, open_everything

import cpted
from cpted import fieldaudit
from cpted.cli import main
from cpted.maps import PRINCIPLE_LAYERS, area_map
from cpted.maps._render import SafeFigure, verbatim_rendering

#: The payloads carried by street names, which every map and the report show.
SHOWN_NAMES = (TEMPLATE["expr"], TEMPLATE["mkdir"], TEMPLATE["concat"])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A working directory of its own: the "mkdir" payload, if it ran, would write here."""
    path = tmp_path_factory.mktemp("cwd")
    before = Path.cwd()
    os.chdir(path)
    yield path
    os.chdir(before)


@pytest.fixture(scope="module")
def hostile_audit(hostile_osm, workdir):
    return cpted.audit(cpted.area_from_file(hostile_osm), progress=False)


def _assert_literal(page: str, *, shown: tuple[str, ...] = SHOWN_NAMES) -> None:
    for evaluated in TEMPLATE_EVALUATED:
        assert evaluated not in page, evaluated
    for payload in shown:
        assert payload in page, payload


def _no_payload_ran(workdir: Path) -> None:
    assert not (workdir / "cpted_pwned").exists()
    assert not (Path.cwd() / "cpted_pwned").exists()


# -- the mechanism -------------------------------------------------------------------------


def test_branca_compiles_rendered_text_outside_the_guard():
    # what the guard is for: branca compiles the text given to Element as a template
    assert branca.element.Element("{{ 6*7 }}").render() == "42"


def test_verbatim_rendering_keeps_text_and_is_undone():
    with verbatim_rendering(), verbatim_rendering():
        assert branca.element.Element("{{ 6*7 }}").render() == "{{ 6*7 }}"
        assert branca.element.Element(TEMPLATE["raw"]).render() == TEMPLATE["raw"]
    assert branca.element.Element("{{ 6*7 }}").render() == "42"
    with pytest.raises(RuntimeError, match="inside"), verbatim_rendering():
        raise RuntimeError("failed inside")
    assert branca.element.Element("{{ 6*7 }}").render() == "42"


def test_every_cpted_map_is_drawn_on_a_safe_figure(hostile_audit, workdir):
    m = hostile_audit.to_map()
    assert isinstance(m.get_root(), SafeFigure)
    # any way of rendering it is safe, also folium's own
    _assert_literal(m.get_root().render())
    _no_payload_ran(workdir)


# -- every page kind -------------------------------------------------------------------------


def test_saved_audit_shows_templates_literally(hostile_audit, workdir, tmp_path):
    folder = hostile_audit.save(tmp_path / "out")
    _assert_literal((folder / "map.html").read_text(encoding="utf-8"))
    _assert_literal((folder / "report.html").read_text(encoding="utf-8"))
    for csv in folder.glob("*.csv"):
        text = csv.read_text(encoding="utf-8")
        assert not any(e in text for e in TEMPLATE_EVALUATED), csv
    _no_payload_ran(workdir)


def test_data_text_is_escaped_once(hostile_audit, workdir):
    # in the page's JSON "&" is written \u0026: the name escaped for the tooltips'
    # innerHTML is "\u0026lt;img ...", escaped twice it would be "\u0026amp;lt;img ..."
    page = hostile_audit.to_map().to_html().replace("\\u0026", "&")
    assert "&lt;img src=x onerror=" in page
    assert "&amp;lt;" not in page and "&amp;quot;" not in page


def test_area_map_and_each_principle_layer(hostile_audit, workdir):
    _assert_literal(area_map(hostile_audit.area).to_html())
    import importlib

    from cpted.maps import _base_map

    for name in PRINCIPLE_LAYERS:
        m = _base_map(hostile_audit.area, basemap=None)
        importlib.import_module(f"cpted.maps._{name}").add_layers(m, hostile_audit)
        page = m.to_html()
        assert not any(e in page for e in TEMPLATE_EVALUATED), name
    _no_payload_ran(workdir)


def test_notebook_reprs(hostile_audit, workdir):
    _assert_literal(hostile_audit.to_map()._repr_html_())
    for page in (hostile_audit._repr_html_(), hostile_audit.area._repr_html_()):
        assert not any(e in page for e in TEMPLATE_EVALUATED)
    _no_payload_ran(workdir)


def test_attribution_date_is_data_not_template():
    from cpted.maps import CptedMap, _attribution

    m = CptedMap(location=[52.47, 13.44], tiles=None)
    _attribution(m, TEMPLATE["expr"] + XSS["close"])
    page = m.to_html()
    assert TEMPLATE["expr"] in page and "42" not in page.split("addAttribution")[1][:80]
    assert "</script><script>window.__xss" not in page


def test_compare_page(hostile_audit, workdir):
    page = hostile_audit.compare(hostile_audit).to_html()
    _assert_literal(page)
    _no_payload_ran(workdir)


@pytest.fixture(scope="module")
def walk_csv(hostile_audit, tmp_path_factory):
    """Walk-audit ratings at the middle of every segment, with a hostile note."""
    seg = hostile_audit.segments
    mids = gpd.GeoSeries(seg.geometry.interpolate(0.5, normalized=True), crs=seg.crs).to_crs(4326)
    table = pd.DataFrame(
        {
            "lon": mids.x.to_numpy(),
            "lat": mids.y.to_numpy(),
            "Lighting": [1] * len(seg),
            "note": [TEMPLATE["popen"]] * len(seg),
        }
    )
    path = tmp_path_factory.mktemp("walk") / "walk.csv"
    table.to_csv(path, index=False)
    return path


def test_field_audit_map(hostile_audit, walk_csv, workdir):
    hostile_audit.compare_observations(walk_csv)
    _assert_literal(fieldaudit.agreement_map(hostile_audit).to_html())
    _no_payload_ran(workdir)


def test_cli_audit_exits_0_and_runs_nothing(hostile_osm, workdir, tmp_path, capsys):
    assert main(["-q", "audit", str(hostile_osm), "--out", str(tmp_path / "cli")]) == 0
    _assert_literal((tmp_path / "cli" / "map.html").read_text(encoding="utf-8"))
    _no_payload_ran(workdir)
    assert "Traceback" not in capsys.readouterr().err


# -- in the browser, every tooltip and popup opened ----------------------------------------


def _shown_literally(result: dict) -> str:
    assert result["xss"] == 0
    shown = "\n".join(result["texts"])
    for evaluated in TEMPLATE_EVALUATED:
        assert evaluated not in shown and evaluated not in result["text"]
    return shown


@pytest.mark.browser
def test_browser_map_shows_template_text(hostile_audit, workdir, tmp_path, artifacts):
    folder = hostile_audit.save(tmp_path / "b")
    result, remote, errors = open_everything(folder / "map.html", artifacts / "template_map.png")
    assert remote == [] and errors == []
    assert result["tooltips"] >= 10 and result["popups"] >= 5
    shown = _shown_literally(result)
    for payload in SHOWN_NAMES:
        assert payload in shown, payload
    assert TEMPLATE["raw"] in shown  # the footway named "{% raw %} {# #}"
    # text is escaped once: a tooltip shows <img ...> as text, never "&lt;img ...&gt;"
    assert XSS["img"] in "\n".join(result["texts"])
    assert not [t for t in result["texts"] if "&lt;" in t or "&amp;" in t]


@pytest.mark.browser
def test_browser_report_shows_template_text(hostile_audit, workdir, tmp_path, artifacts):
    path = hostile_audit.report(tmp_path / "report.html")
    result, remote, errors = open_everything(path, artifacts / "template_report.png")
    assert remote == [] and errors == []
    assert result["maps"] == 0  # the report links map.html; its figure is a static SVG
    _shown_literally(result)
    assert TEMPLATE["expr"] in result["text"]  # named in the report's own tables


@pytest.mark.browser
def test_browser_compare_page_shows_template_text(hostile_audit, workdir, tmp_path, artifacts):
    folder = hostile_audit.compare(hostile_audit).save(tmp_path / "cmp")
    result, remote, errors = open_everything(
        folder / "compare.html", artifacts / "template_compare.png"
    )
    assert remote == [] and errors == []
    assert result["maps"] == 2
    _shown_literally(result)


@pytest.mark.browser
def test_browser_field_audit_map(hostile_audit, walk_csv, workdir, tmp_path, artifacts):
    hostile_audit.compare_observations(walk_csv)
    path = tmp_path / "walk.html"
    fieldaudit.agreement_map(hostile_audit).save(path)
    result, remote, errors = open_everything(path, artifacts / "field_audit_map.png")
    assert remote == [] and errors == []  # no "reading 'setZIndex'" on load
    assert any(o.startswith("Walk audit: lighting") for o in result["overlays"])
    assert result["tooltips"] >= len(hostile_audit.segments)
    _shown_literally(result)
