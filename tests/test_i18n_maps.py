"""Maps, compare page and field-audit map in French, Spanish and German.

The catalogue ``map.po`` of each shipped language translates every message of the map
modules (checked against the English ids Babel extracts from the code), keeps each
placeholder, layer group and unit; and a page drawn in a language holds none of the
English sentences of those modules, and writes its numbers with the language's decimal
mark. One browser test reads the French map as a planner would.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import pytest
from babel.messages.extract import extract_from_file
from conftest import validation_path

import cpted
from cpted import fieldaudit, scenarios
from cpted._errors import InputError
from cpted._i18n import LOCALE_DIR, catalogue, current_language, use
from cpted.maps import LAYER_GROUPS, LayerList, audit_map
from cpted.maps._words import label_and_unit, say, say_change

LANGUAGES = ("fr", "es", "de")

#: The plural rule each catalogue must declare (gettext's, from the CLDR rules).
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "de": "nplurals=2; plural=(n != 1);",
}

SRC = Path(cpted.__file__).resolve().parent
#: The modules whose words map.po holds.
MODULES = [
    *sorted((SRC / "maps").glob("*.py")),
    SRC / "fieldaudit.py",
    SRC / "_compare.py",
    SRC / "scenarios.py",
]
#: Babel's keywords for cpted's translation functions (see cpted._i18n).
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2), "p_": ((1, "c"), 2)}

#: Columns of the audit written by the explanations (the report's part, with its own
#: catalogue): left out of the pages here, so these tests judge the map's words only.
EXPLANATIONS = ("explanation", "recommendations")

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _messages(paths=MODULES) -> dict[tuple[str | None, str | tuple[str, ...]], str]:
    """Every message id of ``paths`` (default the map modules), with the file it comes from."""
    found: dict[tuple[str | None, str | tuple[str, ...]], str] = {}
    for path in paths:
        for _line, message, _comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            found.setdefault((context, message), path.name)
    return found


MESSAGES = _messages()


def _english_sentences(messages=None) -> set[str]:
    """The English text of ``messages`` (default the map modules') of 3 words or more, cut
    at the placeholders."""
    out = set()
    for _context, message in MESSAGES if messages is None else messages:
        for text in message if isinstance(message, tuple) else (message,):
            for piece in _PLACEHOLDER.split(text):
                piece = piece.strip(" ;,:()")
                if len(piece.split()) >= 3:
                    out.add(piece)
    return out


def _catalogue(language: str):
    """The language's catalogue: every .po file of its folder, merged as cpted reads them."""
    return catalogue(language)


def _read(page: str) -> str:
    """The text of a page as a reader gets it: JSON and HTML escapes undone."""
    page = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    return html.unescape(html.unescape(page))


def _untranslated(page: str, language: str) -> list[str]:
    """The English sentences of the map modules a page shows (those translated alike aside)."""
    catalogue = _catalogue(language)
    same = {
        str(m.id)
        for m in catalogue
        if m.id and not m.pluralizable and m.string == m.id  # e.g. "{share} %"
    }
    text = _read(page)
    return sorted(s for s in _english_sentences() if s in text and not any(s in t for t in same))


def _map_words_only(audit: cpted.Audit) -> cpted.Audit:
    """The audit without its explanations and advice, whose words are the report's."""
    return dataclasses.replace(
        audit,
        segments=audit.segments.drop(columns=[c for c in EXPLANATIONS if c in audit.segments]),
        sites=audit.sites.drop(columns=[c for c in EXPLANATIONS if c in audit.sites]),
    )


#: A number with a decimal point and a unit, as the map writes it: "0.4 lx", "12.5 m²"
#: (a space before the unit: the page's CSS says "100.0%"; one or two decimals, the
#: most the map writes, since three digits after "." group thousands in Spanish and
#: German: "4.245 m²").
_POINT_NUMBER = re.compile(r"\d\.\d{1,2}[ \u00a0\u202f](?:lx|m²|m|km/h|min|%)(?![\w/])")
_COMMA_NUMBER = re.compile(r"\d,\d{1,2}[ \u00a0\u202f](?:lx|m²|m|km/h|min|%)(?![\w/])")


# -- the catalogues -----------------------------------------------------------------------


def test_the_map_modules_have_words_to_translate():
    assert len(MESSAGES) > 200
    assert (None, "Colour streets by") in MESSAGES
    assert ("highway", "footway") in MESSAGES
    assert (None, ("{n} use", "{n} uses")) in MESSAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_map_message_is_translated(language):
    catalogue = _catalogue(language)
    missing = []
    for (context, message), where in MESSAGES.items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(msgid, context=context)
        strings = () if entry is None else entry.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{where}: {message!r}")
        elif isinstance(message, tuple) and len(strings) != 2:
            missing.append(f"{where}: {message!r} has {len(strings)} plural forms, not 2")
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_names_the_language_and_its_plural_rule(language):
    text = (LOCALE_DIR / language / "LC_MESSAGES" / "map.po").read_text(encoding="utf-8")
    assert f'"Language: {language}\\n"' in text
    assert f'"Plural-Forms: {PLURAL_FORMS[language]}\\n"' in text
    assert _catalogue(language).num_plurals == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for entry in _catalogue(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            if set(_PLACEHOLDER.findall(string)) != wanted:
                wrong.append((entry.id, string))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_layer_names_keep_their_group_and_labels_their_unit(language):
    catalogue = _catalogue(language)
    groups = {g: catalogue.get(g).string for g in LAYER_GROUPS}
    wrong = []
    for entry in catalogue:
        if not entry.id or isinstance(entry.id, tuple):
            continue
        if " · " in entry.id:
            group = entry.id.split(" · ", 1)[0]
            # the layer list groups layers by this prefix, in the group's translation
            if not entry.string.startswith(groups.get(group, "?") + " · "):
                wrong.append((entry.id, entry.string))
        elif label_and_unit(entry.id)[1] != label_and_unit(entry.string)[1]:
            # "area (m²)": the tooltip reads its unit from the parenthesis at the end
            wrong.append((entry.id, entry.string))
    assert wrong == []


def test_tooltip_numbers_and_words_follow_the_language():
    nnbsp = "\N{NARROW NO-BREAK SPACE}"  # CLDR's French group separator
    with use("fr"):
        assert say(1234.4, "m²") == f"1{nnbsp}234 m²"
        assert (say(0.04, "lx"), say(54.2, "of 100"), say(True)) == ("0,04 lx", "54 sur 100", "oui")
    with use("de"):
        assert (say(1234.4, "m²"), say(2.5, "min"), say(False)) == ("1.234 m²", "2,5 min", "nein")
        assert say_change(-0.42, 2) == "-0,42" and say_change(3, 0) == "+3"
    with use("es"):
        assert (say(0.6, share=True), say(12.0, "of 100")) == ("60 %", "12 de 100")
    assert say(1234.4, "m²") == "1,234 m²"  # and English again outside the blocks


def test_remembered_figures_keep_their_language_and_sign():
    # the figures are remembered by value, pattern and language: the same value reads in
    # each language's notation, and a change that rounds to zero has no minus sign, whether
    # -0.0 or 0.0 came first (they are one key)
    with use("de"):
        assert say(1234.5, "m") == "1.234 m" and say(0.25, "lx") == "0,25 lx"
    with use("en"):
        assert say(1234.5, "m") == "1,234 m" and say(0.25, "lx") == "0.25 lx"
    assert say_change(-0.004, 2) == "+0.00" and say_change(0.0, 2) == "+0.00"
    assert say_change(0.001, 1) == "+0.0" and say_change(-0.001, 1) == "+0.0"
    assert say_change(-0.06, 1) == "-0.1"


def test_scenario_and_field_audit_errors_speak_the_language(neukoelln):
    with use("fr"), pytest.raises(InputError, match="Type d'entrée inconnu 'porch'"):
        scenarios.add_entrance(neukoelln, (0.0, 0.0), entrance="porch")
    with use("de"), pytest.raises(InputError, match="außerhalb des Untersuchungsgebiets"):
        scenarios.add_lamp(neukoelln, (0.0, 0.0))
    with use("es"), pytest.raises(InputError, match="Ningún criterio valorado"):
        fieldaudit.observations_from_file(
            gpd.GeoDataFrame({"note": ["x"]}, geometry=gpd.points_from_xy([0], [0]), crs=4326)
        )


def test_a_name_in_the_language_is_shown_where_mapped():
    from shapely import LineString

    from cpted.maps._streets import where

    streets = gpd.GeoDataFrame(
        {
            "name": ["Rue du Marché", "Hauptstraße", None],
            "name:fr": [None, "Rue Principale", None],
            "highway": ["residential", "residential", "footway"],
        },
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 500), (100, 500)]),
                  LineString([(0, 10), (100, 10)])],
        crs=32633,
    )  # fmt: skip
    with use("fr"):
        assert list(where(streets)) == [
            "Rue du Marché",
            "Rue Principale",
            "chemin piéton le long de Rue du Marché",
        ]
    with use("de"):
        assert list(where(streets))[:2] == ["Rue du Marché", "Hauptstraße"]  # as mapped


# -- the pages ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def neukoelln_audit(neukoelln):
    return cpted.audit(neukoelln, progress=False)


@pytest.fixture(scope="module")
def bristol_audit():
    area = cpted.area_from_file(validation_path("bristol"))
    with pytest.warns(cpted.CptedWarning, match="No street lamps are mapped"):  # none are
        return cpted.audit(area, progress=False)


@pytest.fixture(scope="module")
def pages(neukoelln_audit):
    """The Neukölln audit map in each language, drawn as the map modules write it."""
    audit = _map_words_only(neukoelln_audit)
    return {language: audit_map(audit, language=language).to_html() for language in LANGUAGES}


def test_the_english_map_shows_the_english_words(neukoelln_audit):
    page = audit_map(_map_words_only(neukoelln_audit), language="en").to_html()
    assert len(_untranslated(page, "fr")) > 20  # the check finds English where it is


@pytest.mark.parametrize("language", LANGUAGES)
def test_map_holds_no_english_sentence(pages, language):
    assert _untranslated(pages[language], language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_map_of_a_validation_extract_holds_no_english_sentence(bristol_audit, language):
    page = audit_map(_map_words_only(bristol_audit), language=language).to_html()
    assert _untranslated(page, language) == []


def _all_english_sentences() -> set[str]:
    """The English text of every message of cpted of 3 words or more (not the map's only)."""
    return _english_sentences(_messages(sorted(SRC.rglob("*.py"))))


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_whole_map_with_its_advice_holds_no_english_sentence(neukoelln_audit, language):
    # Audit.to_map writes the explanations and advice again in the language: the page,
    # popups included, holds no English sentence from any of cpted's catalogues.
    page = _read(neukoelln_audit.to_map(language=language).get_root().render())
    catalogue = _catalogue(language)
    # text the translations keep as it is (citations such as "Gehl et al. 2006") aside
    kept = [t for m in catalogue if m.id for t in (m.string if m.pluralizable else (m.string,))]
    english = sorted(
        s for s in _all_english_sentences() if s in page and not any(s in t for t in kept)
    )
    assert english == []
    assert "explanation" in neukoelln_audit.segments  # the advice was there to translate


def test_the_whole_english_map_shows_english_advice(neukoelln_audit):
    page = _read(neukoelln_audit.to_map(language="en").get_root().render())
    assert len([s for s in _all_english_sentences() if s in page]) > 30


def _segments(page: str) -> tuple[dict, dict]:
    """The segments layer's data and spec, as the page's script reads them."""
    decoder = json.JSONDecoder()
    for found in re.finditer(r"var packed = ", page):
        data, end = decoder.raw_decode(page, found.end())
        at = page.index("var spec = ", end) + len("var spec = ")
        spec, _end = decoder.raw_decode(page, at)
        if "phrases" in spec:
            return data, spec
    raise AssertionError("no segments layer in the page")


@pytest.mark.parametrize("language", LANGUAGES)
def test_map_numbers_use_the_decimal_comma(pages, language):
    page = pages[language]
    data, spec = _segments(page)
    # the tooltips' phrases: scores and their reasons (the explanations are the report's)
    used = {i for p in data["p"] for pick in p["x"] for i in pick}
    phrases = [spec["phrases"][i] for i in used]
    assert any(_COMMA_NUMBER.search(p) for p in phrases)  # "mesuré 0,45 lx", "3,2 lx"
    assert [p for p in phrases if _POINT_NUMBER.search(p)] == []
    text = _read(page)
    assert "0,4–2 lx" in text and "0.4–2 lx" not in text  # the lux legend
    assert _POINT_NUMBER.findall(text) == []
    assert _COMMA_NUMBER.search(text)


def test_map_words_are_the_languages_own(pages):
    data, spec = _segments(pages["fr"])
    assert [p["label"] for p in spec["picks"]][:3] == ["Score CPTED", "Visibilité", "Éclairage"]
    assert any("sur 100" in p for p in spec["phrases"])
    assert any(p.startswith("chemin piéton le long de ") for p in (r["w"] for r in data["p"]))
    assert "Straßenabschnitte" in _read(pages["de"]) and "Tramos de calle" in _read(pages["es"])
    # street names stay as mapped
    assert all("Karl-Marx-Straße" in _read(pages[lang]) for lang in LANGUAGES)


def test_a_map_drawn_in_a_language_stays_in_it_when_saved_later(neukoelln_audit, tmp_path):
    audit = _map_words_only(neukoelln_audit)
    english = audit_map(audit, language="en")
    with use("de"):
        german = audit_map(audit)
        assert say(0.45, "lx") == "0,45 lx"
    assert current_language() == cpted._i18n.default_language()
    german.save(str(tmp_path / "karte.html"))  # rendered outside the language's block
    assert "Straßenabschnitte" in _read((tmp_path / "karte.html").read_text(encoding="utf-8"))

    def overlays(m: folium.Map) -> list[str]:
        m.get_root().render()
        control = next(c for c in m._children.values() if isinstance(c, LayerList))
        return [html.unescape(name) for name in control.overlays]

    # the layer list keeps the English order of groups, read in German
    with use("de"):
        expected = [cpted._i18n._(name) for name in overlays(english)]
    assert overlays(german) == expected


def test_an_unknown_language_is_refused(neukoelln_audit):
    with pytest.raises(InputError, match="no catalogue for language 'xx'"):
        audit_map(neukoelln_audit, language="xx")


@pytest.fixture(scope="module")
def walked(neukoelln_audit):
    """Ratings at the middle of six segments (lighting, openness, the walk path)."""
    seg = neukoelln_audit.segments
    points = list(seg.geometry.interpolate(0.5, normalized=True).iloc[:6])
    ratings = gpd.GeoDataFrame(
        {"lighting": [0, 1, 2, 3, 2, 1], "openness": [3, 2, 1, 0, 1, 2], "walk_path": [1] * 6},
        geometry=points,
        crs=seg.crs,
    )
    audit = _map_words_only(neukoelln_audit)
    table = fieldaudit.agreement(audit, fieldaudit.observations_from_file(ratings))
    return audit, table


def test_field_audit_map_in_spanish(walked):
    audit, table = walked
    page = fieldaudit.agreement_map(audit, table, language="es").to_html()
    assert _untranslated(page, "es") == []
    text = _read(page)
    assert "Marcha exploratoria: iluminación" in text and "Marcha exploratoria: apertura" in text
    with use("es"):
        points = say(cpted.settings.FIELD_AUDIT_AGREEMENT)
    assert f"coinciden: diferencia de {points} puntos como máximo" in text
    assert " de 100" in text  # the observed and computed ratings
    # the verdicts still colour the observations, read in Spanish
    assert set(table["agreement"]) <= set(fieldaudit.AGREEMENT_COLOURS)


def test_compare_page_in_french(neukoelln, neukoelln_audit):
    seg = neukoelln_audit.segments
    x, y = seg.geometry.iloc[0].centroid.coords[0]
    before = _map_words_only(neukoelln_audit)
    after = _map_words_only(cpted.audit(scenarios.add_lamp(neukoelln, (x, y)), progress=False))
    page = before.compare(after).to_html(language="fr")
    assert _untranslated(page, "fr") == []
    assert "<html lang='fr'>" in page
    text = _read(page)
    assert "Avant et après : " in text and "Plus fortes variations" in text
    # the summary: "tronçons, score d'éclairage : 57,2 → 57,6 (+0,41 ; ...)"
    summary = text[text.index("<footer>") : text.index("</footer>")]
    assert re.search(r"\d,\d → \d+,\d \([+-]\d+,\d\d ;", summary)
    assert not re.search(r"\d\.\d → ", summary)
    data = json.loads(page.split('id="cpted-data">')[1].split("</script>")[0].replace("<\\/", "</"))
    assert data["lang"] == "fr" and data["words"]["lamps"] == "Points lumineux"
    assert data["labels"]["cpted_score"] == "Score CPTED"


# -- in a browser -------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_french_map_reads_in_french(pages, tmp_path, artifacts):
    from conftest import offline_page

    page_file = tmp_path / "carte.html"
    page_file.write_text(pages["fr"], encoding="utf-8")
    with offline_page(1200, 800) as (page, remote, errors):
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        picker = page.locator(".cpted-picker").inner_text()
        assert "Colorer les rues selon" in picker and "Attribut d'éclairage (lit=*)" in picker
        page.get_by_label("Éclairage", exact=True).check()
        legends = page.evaluate(
            """() => Array.from(document.querySelectorAll('.cpted-legend'))
                 .filter(el => el.style.display !== 'none')
                 .map(el => el.innerText)"""
        )
        assert any(t.startswith("Tronçons de rue : Éclairage") for t in legends), legends
        assert any("sans score ; tirets : éclairage non mesuré" in t for t in legends)
        shown = page.evaluate(
            """() => {
              const layer = Object.values(window).find(v => v && v.cptedPick);
              const scored = layer.getLayers().find(l => l.feature.properties.x.length
                && l.feature.properties.o);
              const map = Object.values(window).find(v => v instanceof L.Map);
              map.fitBounds(scored.getBounds());
              // a click on the segment opens its popup, as a planner's would
              const at = {latlng: scored.getCenter()};
              scored.fire('click', at, true);  // to the layer, which holds the popup
              const popup = document.querySelector('.leaflet-popup-content');
              const text = popup && popup.innerText;
              scored.fire('mouseover', at, true);
              const tip = document.querySelector('.cpted-segment-tip');
              return {tip: tip && tip.innerText, popup: text};
            }"""
        )
        page.screenshot(path=str(artifacts / "audit_map_fr_popup.png"))
    assert remote == [] and errors == []
    assert "Voie OSM" in shown["popup"] and "Score CPTED" in shown["popup"]
    assert " sur 100" in shown["popup"]
    assert "Éclairage: " in shown["tip"] and "Longueur" in shown["tip"]
    assert not re.search(r"\d\.\d", shown["tip"])
