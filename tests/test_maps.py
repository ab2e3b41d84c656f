"""Maps: self-contained pages, every layer, escaped text, and a real browser with no network."""

from __future__ import annotations

import json
import re

import pytest
from conftest import XSS, open_everything

import cpted
from cpted.maps import for_web, score_colour

LAYER_NAMES = [
    "Buildings",
    "Public spaces (sites)",
    "Streets by lighting tag",
    "Barriers (walls, fences, hedges, bollards, gates)",
    "Street lamps",
    "Entrances and gates",
    "Shops and amenities",
    "CCTV cameras",
]


@pytest.fixture(scope="module")
def neukoelln_audit(neukoelln):
    return cpted.audit(neukoelln, progress=False)


def test_saved_map_needs_no_network(neukoelln_audit, tmp_path):
    page = neukoelln_audit.to_map().to_html()
    assert "cdn." not in page and "cdnjs" not in page and "googleapis" not in page
    assert not re.search(r'<script[^>]+src="http', page)
    assert not re.search(r'<link[^>]+href="http', page)
    assert "L.map(" in page and "leaflet" in page.lower()
    assert "© OpenStreetMap contributors" in page
    assert "2024-03-30" in page


def test_map_has_every_layer(neukoelln_audit):
    page = neukoelln_audit.to_map().to_html()
    for name in LAYER_NAMES:
        assert json.dumps(name)[1:-1] in page or name in page, name


def test_basemap_is_opt_in(neukoelln):
    from cpted.maps import area_map

    assert "tile.openstreetmap.org" not in area_map(neukoelln).to_html()
    online = area_map(neukoelln, basemap="OpenStreetMap").to_html()
    assert "tile.openstreetmap.org" in online


def test_for_web_escapes_every_text(hostile_osm):
    area = cpted.area_from_file(hostile_osm)
    data = for_web(area.streets, ["name", "lit_raw"])
    text = json.dumps(data)
    assert "<img" not in text and "<script" not in text and "<svg" not in text
    assert "&lt;img src=x" in text


def test_jupyter_repr_is_an_offline_iframe(neukoelln_audit):
    html = neukoelln_audit.to_map()._repr_html_()
    assert html.startswith("<div") and "srcdoc=" in html
    assert "https://cdn" not in html


def test_score_colour_bands():
    assert score_colour(0) == score_colour(19.9) != score_colour(20)
    assert score_colour(100) == score_colour(80)
    assert score_colour(float("nan")) == score_colour(None) == "#9e9e9e"


# -- real browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_loads_the_saved_map_offline(neukoelln_audit, tmp_path, artifacts):
    folder = neukoelln_audit.save(tmp_path / "out")
    result, remote, errors = open_everything(folder / "map.html", artifacts / "neukoelln_map.png")
    assert result["maps"] == 1
    assert remote == []
    assert errors == []
    for name in LAYER_NAMES:
        assert name in result["overlays"], name
    assert result["tooltips"] > 200
    # legends follow the layers: switching every layer on shows more of them
    assert 1 <= result["legendsBefore"] < result["legendsAfter"]
    assert (artifacts / "neukoelln_map.png").stat().st_size > 10_000


@pytest.mark.browser
def test_no_script_from_the_data_runs(hostile_osm, tmp_path, artifacts):
    area = cpted.area_from_file(hostile_osm)
    folder = cpted.audit(area, progress=False).save(tmp_path / "hostile")
    result, remote, errors = open_everything(folder / "map.html", artifacts / "hostile_map.png")
    assert result["xss"] == 0
    assert remote == []
    assert errors == []
    assert result["tooltips"] >= 10
    shown = "\n".join(result["texts"])
    # the hostile names are shown to the planner as text, not run
    assert XSS["img"] in shown
    assert XSS["script"] in shown
    report = (folder / "report.html").read_text()
    assert "<img src=x" not in report and "<script>window" not in report
