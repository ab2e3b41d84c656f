"""Shared fixtures: the real samples (loaded once), tiny hand-made OSM files, tolerances."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

import cpted

#: Shared tolerances (cityseer's config.ATOL habit).
ATOL = 1e-9
RTOL = 1e-6

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def neukoelln() -> cpted.StudyArea:
    return cpted.area_from_file(cpted.datasets.get_path("neukoelln"))


@pytest.fixture(scope="session")
def helsinki() -> cpted.StudyArea:
    return cpted.area_from_file(cpted.datasets.get_path("helsinki"))


@pytest.fixture(scope="session")
def helsinki_audit(helsinki) -> cpted.Audit:
    """The full audit of the Helsinki sample (about a minute): share it, never repeat it."""
    return cpted.audit(helsinki, progress=False)


# CI runs the property tests on the same examples every time (Hypothesis's advice for
# CI): a submission lands or not on its code, not on the draw. Locally they stay random,
# and what they find is kept in .hypothesis/ and replayed.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")

#: The validation extracts (shared/ lies beside the repository, on a developer's machine
#: and in CI): real places the library was not tuned on.
VALIDATION_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "validation"
VALIDATION = {
    "borough": "borough_sausage_links.osm.bz2",
    "bristol": "bristol_contraflow_cycleway.osm.bz2",
    "perth": "perth_peanut_roundabout.osm.bz2",
}


def validation_path(name: str) -> Path:
    """The path of a validation extract; CI fails without it, elsewhere the test skips."""
    path = VALIDATION_DIR / VALIDATION[name]
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the validation extract {path} is missing: shared/ must lie beside")
        pytest.skip(f"no validation extract at {path}")
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def chromium_path() -> str | None:
    """Path of a Chromium the browser tests can drive, or None."""
    for candidate in (os.environ.get("CPTED_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def osm_xml(
    nodes: list[tuple[int, float, float, dict[str, str]]],
    ways: list[tuple[int, list[int], dict[str, str]]],
) -> str:
    """Write a tiny OSM XML document (tags are escaped as XML, like any real export)."""
    from xml.sax.saxutils import quoteattr

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="cpted tests">',
        '<meta osm_base="2024-05-01T00:00:00Z"/>',
    ]
    for node_id, lon, lat, tags in nodes:
        inner = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append(f'<node id="{node_id}" version="1" lat="{lat}" lon="{lon}">{inner}</node>')
    for way_id, refs, tags in ways:
        inner = "".join(f'<nd ref="{r}"/>' for r in refs)
        inner += "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append(f'<way id="{way_id}" version="1">{inner}</way>')
    lines.append("</osm>")
    return "\n".join(lines)


#: Text a hostile mapper could put in names and tags. Each payload, if it ever ran, would
#: set window.__xss; the browser test proves it never does.
XSS = {
    "img": '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
    "script": "<script>window.__xss=(window.__xss||0)+1</script>",
    "svg": '"><svg onload="window.__xss=(window.__xss||0)+1">',
    "close": "</script><script>window.__xss=(window.__xss||0)+1</script>",
}


#: Template syntax a hostile mapper could put in names and tags. Compiled as a Jinja
#: template, "expr" would show 42, "concat" cptedxevalx (letters no hex element id of
#: folium's holds), "loop" againagainagain, "comment" nothing, "raw" would stop the page
#: with a TemplateSyntaxError, "mkdir" would create the folder ``cpted_pwned`` in the
#: working directory and "popen" would run ``id`` and show its output ("uid=..."). Every
#: page must show each of them as the literal text it is.
TEMPLATE = {
    "expr": "{{ 6*7 }}",
    "concat": "{{ (dict(cpted=1)|first) ~ (dict(xevalx=1)|first) }}",
    "loop": "{% for x in range(3) %}again{% endfor %}",
    "comment": "{# hidden #}",
    "raw": "{% raw %}",
    "mkdir": "{{ lipsum.__globals__.os.mkdir(dict(cpted_pwned=1)|first) }}",
    "popen": "{{ lipsum.__globals__.os.popen(dict(id=1)|first).read() }}",
}

#: What the TEMPLATE payloads would leave in a page if they had been evaluated.
TEMPLATE_EVALUATED = ("cptedxevalx", "againagainagain", "uid=")


@pytest.fixture(scope="session")
def hostile_osm(tmp_path_factory) -> Path:
    """A small real-looking place whose names and tags carry HTML and script."""
    base_lon, base_lat = 13.4370, 52.4730
    step = 0.0009  # about 60 m east-west, 100 m north-south

    def at(i: float, j: float) -> tuple[float, float]:
        return base_lon + i * step, base_lat + j * step

    nodes = []
    ids = {}
    for i in range(3):
        for j in range(3):
            ids[(i, j)] = 100 + i * 3 + j
            nodes.append((ids[(i, j)], *at(i, j), {}))
    square = [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7)]
    for k, (i, j) in enumerate(square):
        nodes.append((200 + k, *at(i, j), {}))
    house = [(1.2, 0.2), (1.8, 0.2), (1.8, 0.8), (1.2, 0.8)]
    for k, (i, j) in enumerate(house):
        nodes.append((300 + k, *at(i, j), {}))
    nodes += [
        (
            400,
            *at(0.5, 1.0),
            {"highway": "street_lamp", "lamp_mount": XSS["svg"], "ref": TEMPLATE["raw"]},
        ),
        (
            401,
            *at(1.0, 0.5),
            {"man_made": "surveillance", "camera:direction": "NE", "surveillance": XSS["close"]},
        ),
        (
            402,
            *at(1.5, 1.0),
            {"shop": "bakery", "name": XSS["img"], "opening_hours": XSS["script"]},
        ),
        (403, *at(1.2, 0.5), {"entrance": "main", "access": XSS["img"]}),
        (405, *at(1.6, 1.0), {"amenity": "bar", "name": TEMPLATE["popen"]}),
        (406, *at(0.5, 1.5), {"amenity": "kindergarten", "name": TEMPLATE["loop"]}),
        (404, *at(0.0, 0.5), {"barrier": "bollard", "name": XSS["script"]}),
    ]
    ways = [
        (
            1,
            [ids[(0, 0)], ids[(1, 0)], ids[(2, 0)]],
            {"highway": "residential", "name": XSS["img"], "lit": XSS["script"]},
        ),
        (
            2,
            [ids[(0, 1)], ids[(1, 1)], ids[(2, 1)]],
            {"highway": "footway", "name": XSS["svg"], "lit": "yes"},
        ),
        (
            3,
            [ids[(0, 2)], ids[(1, 2)], ids[(2, 2)]],
            {"highway": "residential", "name": XSS["close"], "lit": "no"},
        ),
        (
            4,
            [ids[(0, 0)], ids[(0, 1)], ids[(0, 2)]],
            {"highway": "residential", "name": TEMPLATE["expr"], "lit": TEMPLATE["raw"]},
        ),
        (
            5,
            [ids[(2, 0)], ids[(2, 1)], ids[(2, 2)]],
            {"highway": "service", "name": TEMPLATE["mkdir"], "surface": TEMPLATE["comment"]},
        ),
        (6, [200, 201, 202, 203, 200], {"place": "square", "name": XSS["script"]}),
        (
            7,
            [300, 301, 302, 303, 300],
            {"building": "retail", "name": XSS["img"], "building:levels": XSS["svg"]},
        ),
        (8, [ids[(1, 0)], ids[(1, 1)]], {"barrier": "hedge", "name": XSS["close"]}),
        (
            9,
            [ids[(1, 1)], ids[(1, 2)]],
            {
                "highway": "footway",
                "name": " ".join([TEMPLATE["raw"], TEMPLATE["comment"], TEMPLATE["concat"]]),
            },
        ),
    ]
    path = tmp_path_factory.mktemp("hostile") / "hostile.osm"
    path.write_text(osm_xml(nodes, ways), encoding="utf-8")
    return path


@contextlib.contextmanager
def offline_page(width: int = 1200, height: int = 800):
    """
    Open a headless Chromium page that may load only local files.

    Yields ``(page, remote, errors)``: every request for anything but a file, data or
    about URL is refused and recorded in ``remote``; console errors and uncaught page
    errors are collected in ``errors``. Without Chromium the test is skipped, except in
    CI (``CI=true``), where the browser tests must run.
    """
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium at /usr/bin/chromium: .ci/run must install it")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this test")
    playwright = pytest.importorskip("playwright.sync_api")
    remote: list[str] = []
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})

            def route(r):
                if r.request.url.startswith(("file:", "data:", "about:")):
                    r.continue_()
                else:
                    remote.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page, remote, errors
        finally:
            browser.close()


#: Hover and click every feature of every Leaflet map of a page, as a planner would, and
#: report what the tooltips and popups showed and whether any data script ran.
OPEN_EVERYTHING = """
() => {
  // Hover and click every feature, as a planner would, so that every tooltip and popup
  // renders its (escaped) text.
  const maps = Array.from(new Set(Object.values(window).filter(v => v instanceof L.Map)
    .concat(window.cptedMaps ? Object.values(window.cptedMaps) : [])));
  const legendsShown = () => Array.from(document.querySelectorAll('.cpted-legend'))
    .filter(el => el.style.display !== 'none').length;
  const legendsBefore = legendsShown();
  // switch every layer on, as a curious planner would
  document.querySelectorAll('.leaflet-control-layers-overlays input').forEach(box => {
    if (!box.checked) { box.click(); }
  });
  const legendsAfter = legendsShown();
  let tooltips = 0, popups = 0;
  const texts = [];
  const where = l => l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
  const visit = (group, layer) => {
    if (layer.eachLayer && !(layer instanceof L.Path)) {
      layer.eachLayer(l => visit(layer, l));
      return;
    }
    const owner = [layer, group].find(o => o && o.getTooltip && o.getTooltip());
    if (owner) {
      layer.fire('mouseover', {latlng: where(layer)}, true); tooltips++;
      const el = owner.getTooltip().getElement(); if (el) texts.push(el.textContent);
      layer.fire('mouseout', {latlng: where(layer)}, true);
    }
    const host = [layer, group].find(o => o && o.getPopup && o.getPopup());
    if (host) {
      layer.fire('click', {latlng: where(layer)}, true); popups++;
      const el = host.getPopup().getElement(); if (el) texts.push(el.textContent);
      host.closePopup();
    }
  };
  maps.forEach(m => m.eachLayer(l => visit(null, l)));
  const overlays = Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
    .map(l => l.textContent.trim());
  return {maps: maps.length, tooltips, popups, texts, overlays, legendsBefore, legendsAfter,
          xss: window.__xss || 0};
}
"""


def open_everything(html_file: Path, screenshot: Path) -> tuple[dict, list[str], list[str]]:
    """
    Open a saved page offline, switch every layer on and open every tooltip and popup.

    Maps inside iframes (a Jupyter repr, the compare page) are visited too; their counts and texts
    are added up. Returns ``(result, remote requests, console errors)``.
    """
    with offline_page(1200, 800) as (page, remote, errors):
        page.goto(html_file.as_uri())
        page.wait_for_load_state("load")
        result: dict = {"maps": 0, "tooltips": 0, "popups": 0, "texts": [], "overlays": []}
        for frame in page.frames:
            if not frame.evaluate("typeof L !== 'undefined'"):
                continue
            part = frame.evaluate(OPEN_EVERYTHING)
            for key in ("maps", "tooltips", "popups", "texts", "overlays"):
                result[key] += part[key]
            for key in ("legendsBefore", "legendsAfter"):
                result[key] = result.get(key, 0) + part[key]
        result["xss"] = sum(frame.evaluate("window.__xss || 0") for frame in page.frames)
        result["text"] = page.evaluate("document.body.innerText")
        page.screenshot(path=str(screenshot))
    return result, remote, errors
