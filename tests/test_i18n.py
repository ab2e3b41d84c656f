"""Translations (issue 16): complete catalogues, reports and CLI in French, Spanish, German."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import PoFileError
from conftest import validation_path
from hypothesis import given
from hypothesis import strategies as st

import cpted
from cpted import _catalogs
from cpted._i18n import _translations, languages, use
from cpted.cli import main

SHIPPED = ("fr", "es", "de")

#: A figure with a decimal comma before its unit, as the three languages write lux.
DECIMAL_COMMA_LUX = re.compile(r"\d,\d+\s?lx")
DECIMAL_POINT_LUX = re.compile(r"\d\.\d+\s?lx")


@pytest.fixture(scope="module")
def template():
    return _catalogs.extract()


# -- (a), (b) every message translated, with the English placeholders ----------------------


def test_the_three_languages_are_shipped():
    assert set(SHIPPED) <= set(languages())


def test_the_source_marks_the_report_and_the_advice(template):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    # one message of each part of issue 16 that this catalogue owns
    for wanted in (
        "How to read this report",  # report
        "Fill the dark gaps between the lamps",  # recommendations
        "Natural surveillance",  # registry
        "mapped street lamps per km of street",  # data-quality labels
        "Wrote {folder}/: map.html (open it in a browser), report.html, cpted.gpkg, CSV tables.",
        "{n} street segment",  # a plural
    ):
        assert wanted in ids, wanted
    assert len(ids) > 300


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_has_a_translation(template, language):
    result = _catalogs.check(language, template)
    assert result.missing == [], result.missing[:10]
    assert result.fuzzy == [], result.fuzzy[:10]
    assert result.conflicts == [] and result.plural_forms == []


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_placeholders(template, language):
    result = _catalogs.check(language, template)
    assert result.placeholders == [], result.placeholders[:5]
    # and independently of check(): every {field} of every entry, read from the merged files
    merged = _catalogs.merged(language)
    for message in template:
        if not message.id or isinstance(message.id, tuple):
            continue
        found = merged.messages[(message.id, message.context)]
        assert _catalogs.placeholders(found.string) == _catalogs.placeholders(message.id)


@pytest.mark.parametrize("language", SHIPPED)
def test_plural_entries_have_every_form(template, language):
    merged = _catalogs.merged(language)
    plurals = [m for m in template if m.id and isinstance(m.id, tuple)]
    assert plurals
    for message in plurals:
        forms = merged.messages[(message.id, message.context)].string
        assert isinstance(forms, tuple) and len(forms) == 2 and all(f.strip() for f in forms)


def test_a_new_language_is_a_new_folder(tmp_path, monkeypatch):
    import shutil

    from cpted import _i18n

    locale = tmp_path / "locale"
    shutil.copytree(_i18n.LOCALE_DIR, locale)
    (locale / "nl" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "nl" / "LC_MESSAGES" / "core.po").write_text(
        _HEADER.replace("Language: fr", "Language: nl").replace("(n > 1)", "(n != 1)")
        + 'msgid "Lighting"\nmsgstr "Verlichting"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(_i18n, "LOCALE_DIR", locale)
    _translations.cache_clear()
    try:
        assert "nl" in _i18n.languages() and _i18n.check_language("nl_BE.UTF-8") == "nl"
        with use("nl"):
            assert _i18n._("Lighting") == "Verlichting"
            assert _i18n._("Overview") == "Overview"  # untranslated: the English text
            assert _i18n.decimal(12.5, 1) == "12,5"
    finally:
        _translations.cache_clear()


def test_plural_rules_follow_each_language():
    with use("fr"):
        from cpted._i18n import n_

        assert n_("{n} street segment", "{n} street segments", 0) == "{n} tronçon de rue"
        assert n_("{n} street segment", "{n} street segments", 2) == "{n} tronçons de rue"
    with use("de"):
        assert n_("{n} street segment", "{n} street segments", 0) == "{n} Straßenabschnitte"
        assert n_("{n} street segment", "{n} street segments", 1) == "{n} Straßenabschnitt"


def test_placeholders_are_read_in_both_styles():
    assert _catalogs.placeholders("{n} of {total}: %(name)s, 50 % open") == {
        "{n}",
        "{total}",
        "%(name)s",
    }


# -- (c) the checks themselves fail on a broken catalogue ----------------------------------

_HEADER = (
    'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)


def _po(path: Path, body: str) -> Path:
    path.write_text(_HEADER + body, encoding="utf-8")
    return path


def _template(*ids: str | tuple[str, str]):
    from babel.messages.catalog import Catalog

    catalog = Catalog()
    for message_id in ids:
        catalog.add(message_id, None)
    return catalog


def test_a_missing_fuzzy_or_misplaced_entry_is_found(tmp_path):
    template = _template("Overview", "Lighting", "{n} lamps at {site}", ("{n} lamp", "{n} lamps"))
    po = _po(
        tmp_path / "core.po",
        'msgid "Overview"\nmsgstr "Vue d\'ensemble"\n\n'
        '#, fuzzy\nmsgid "Lighting"\nmsgstr "Éclairage"\n\n'
        'msgid "{n} lamps at {site}"\nmsgstr "{n} points lumineux à {place}"\n\n'
        'msgid "{n} lamp"\nmsgid_plural "{n} lamps"\nmsgstr[0] "{n} point lumineux"\n'
        'msgstr[1] ""\n',
    )
    result = _catalogs.check("fr", template, [po])
    assert result.fuzzy == ["Lighting"]
    assert [m for m, _form in result.placeholders] == ["{n} lamps at {site}"]
    assert ("{n} lamp", "{n} lamps") in result.missing  # a plural form left empty
    assert bool(result)


def test_two_files_translating_one_id_differently_conflict(tmp_path):
    one = _po(tmp_path / "core.po", 'msgid "no score"\nmsgstr "pas de score"\n')
    other = _po(tmp_path / "map.po", 'msgid "no score"\nmsgstr "sans note"\n')
    same = _po(tmp_path / "city.po", 'msgid "no score"\nmsgstr "pas de score"\n')
    result = _catalogs.check("fr", _template("no score"), [one, other, same])
    assert result.conflicts == [("no score", "core.po", "map.po")]


@pytest.mark.parametrize(
    "body",
    [
        'msgid "Overview"\nmsgstr "Vue d\'ensemble\n',  # a quote left open
        'msgid "Overview"\nVue d\'ensemble\n',  # a line that is no entry
        'msgid "Overview"\n',  # no msgstr
    ],
)
def test_a_po_file_that_does_not_parse_fails(tmp_path, body):
    bad = _po(tmp_path / "core.po", body)
    with pytest.raises(PoFileError):
        _catalogs.merged("fr", [bad])


def test_make_catalogs_writes_the_template_and_passes(tmp_path, monkeypatch, capsys):
    pot = tmp_path / "cpted.pot"
    write = _catalogs.write_template
    monkeypatch.setattr(_catalogs, "write_template", lambda catalog: write(catalog, pot))
    assert _catalogs.main([]) == 0
    printed = capsys.readouterr().out
    for language in SHIPPED:
        assert f"{language}: 0 missing, 0 fuzzy, 0 with other placeholders" in printed
    text = pot.read_text(encoding="utf-8")
    assert 'msgid "Fill the dark gaps between the lamps"' in text
    assert 'msgid_plural "{n} street segments"' in text


# -- (d) reports in French, Spanish and German ---------------------------------------------


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _english_left(text: str, template, language: str) -> list[str]:
    """The English phrases (3 words or more) of the catalogue that the text still holds."""
    translations = _translations(language)
    translated = [
        m.string if isinstance(m.string, str) else " ".join(m.string)
        for m in _catalogs.merged(language).messages.values()
    ]
    everything_translated = "\n".join(translated)
    found = []
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for english in ids:
            if translations.gettext(english) == english and not isinstance(message.id, tuple):
                continue  # the translation is the English text (a citation): allowed
            for piece in re.split(r"\{[^}]*\}", english):
                piece = piece.strip(" .;:,()")
                if len(piece.split()) < 3 or piece in everything_translated:
                    continue
                if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text):
                    found.append(piece)
    return found


@pytest.fixture(scope="module")
def neukoelln_audit(neukoelln):
    return cpted.audit(neukoelln, progress=False)


@pytest.mark.parametrize("language", SHIPPED)
def test_the_report_has_no_english_left(neukoelln_audit, template, tmp_path, language):
    path = neukoelln_audit.report(tmp_path / "report.html", language=language)
    page = path.read_text(encoding="utf-8")
    assert f"<html lang='{language}'>" in page
    text = _visible_text(page)
    assert _english_left(text, template, language) == []
    # the lux figures carry the decimal comma, none the decimal point
    assert DECIMAL_COMMA_LUX.search(text) and not DECIMAL_POINT_LUX.search(text)
    with use(language):
        heading = cpted._i18n._("How to read this report")
    assert heading != "How to read this report" and heading in text
    # the same audit still writes English, untouched by the other language
    english = _visible_text(cpted.report.report_html(neukoelln_audit))
    assert "How to read this report" in english and DECIMAL_POINT_LUX.search(english)


def test_the_english_report_is_found_english(neukoelln_audit, template):
    """The check above would see English: the English report fails it."""
    text = _visible_text(cpted.report.report_html(neukoelln_audit))
    assert len(_english_left(text, template, "fr")) > 50


def test_a_validation_extract_reports_in_french(template, tmp_path):
    area = cpted.area_from_file(validation_path("perth"))
    with pytest.warns(cpted.CptedWarning, match="No street lamps are mapped"):
        result = cpted.audit(area, progress=False)
    path = result.report(tmp_path / "report.html", language="fr")
    text = _visible_text(path.read_text(encoding="utf-8"))
    assert _english_left(text, template, "fr") == []
    assert "Comment lire ce rapport" in text
    # the audit's notes are written again in French too
    assert "Aucun point lumineux n’est cartographié" in text


def test_save_writes_every_text_in_the_language(neukoelln_audit, tmp_path):
    folder = neukoelln_audit.save(tmp_path / "out", language="es")
    segments = pd.read_csv(folder / "segments.csv")
    words = " ".join(segments["explanation"].dropna().astype(str))
    assert "puntos perdidos en" in words and "points lost on" not in words
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "Cómo leer este informe" in report
    # the explanations are written again from the measures, not stored: the audit keeps
    # English, and a second language comes from the same measures
    assert neukoelln_audit.segments["explanation"].str.contains("points lost on").any()
    german = neukoelln_audit._in("de").segments["explanation"]
    assert german.index.equals(neukoelln_audit.segments.index)
    assert german.str.contains("Punkte verloren bei").any()
    assert neukoelln_audit._in("de") is neukoelln_audit._in("de")  # made once per language


def test_the_map_shows_the_explanations_in_the_language(neukoelln_audit):
    page = neukoelln_audit.to_map(language="fr").get_root().render()
    assert "points perdus en" in page
    assert "points lost on" not in page


def test_an_unknown_language_is_refused_before_anything_is_written(neukoelln_audit, tmp_path):
    with pytest.raises(cpted.InputError, match=r"'xx'.*de, es, fr"):
        neukoelln_audit.save(tmp_path / "out", language="xx")
    assert not (tmp_path / "out").exists()


def test_numbers_follow_the_language():
    from cpted import _format as fmt

    with use("fr"):
        assert fmt.lux(12.5) == "12,5 lx" and fmt.kilometres(83_912) == "83,9 km"
        assert fmt.metres(1204.4) == "1\N{NARROW NO-BREAK SPACE}204 m"
    with use("de"):
        assert fmt.metres(1204.4) == "1.204 m" and fmt.number(1234.567, 1) == "1.234,6"
    with use("es"):
        assert fmt.lux(0.456) == "0,46 lx"
    with use("en"):
        assert fmt.metres(1204.4) == "1,204 m" and fmt.lux(12.5) == "12.5 lx"


@given(
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    digits=st.integers(min_value=0, max_value=2),
    language=st.sampled_from(SHIPPED),
)
def test_figures_are_written_as_babel_writes_them(value, digits, language):
    from babel.numbers import format_decimal

    from cpted import _format as fmt

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    with use(language):
        assert fmt.number(value, digits) == format_decimal(
            round(value, digits), format=pattern, locale=language
        )


# -- (e) the command line ------------------------------------------------------------------


def test_cli_writes_a_german_report(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["-q", "--lang", "de", "audit", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Straßenabschnitte und" in printed and "geschrieben" in printed
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<html lang='de'>" in report and "So lesen Sie diesen Bericht" in report


def test_cli_refuses_an_unknown_language(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["-q", "audit", "--lang", "xx", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'xx'" in err and "de, es, fr" in err
    assert not out.exists()


# -- (f) the machine's locale chooses the default ------------------------------------------

_PROBE = (
    "from cpted._i18n import _, current_language, decimal;"
    "print(current_language(), _('Lighting'), decimal(12.5, 1))"
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr_FR.UTF-8", "fr Éclairage 12,5"), ("de_AT.UTF-8", "de Beleuchtung 12,5"),
     ("C", "en Lighting 12.5"), ("pt_BR.UTF-8", "en Lighting 12.5")],
)  # fmt: skip
def test_the_default_language_follows_the_locale(lang, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("CPTED_LANG", "LC_ALL", "LANGUAGE")}
    env.pop("LC_MESSAGES", None)
    env["LANG"] = lang
    env["PYTHONPATH"] = str(Path(cpted.__file__).parents[1])
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == expected


# -- (g) the French report in a browser ----------------------------------------------------


@pytest.mark.browser
def test_french_report_in_the_browser(neukoelln_audit, tmp_path, artifacts):
    from test_report import _render

    folder = neukoelln_audit.save(tmp_path / "out", language="fr")
    info, remote, errors = _render(folder / "report.html", artifacts / "neukoelln_report_fr.png")
    assert remote == [] and errors == []
    assert info["sections"][:3] == [
        "Comment lire ce rapport",
        "Vue d’ensemble",
        "Qualité des données et réserves",
    ]
    assert info["visible"] == len(info["sections"]) and info["mapLink"] == 2
