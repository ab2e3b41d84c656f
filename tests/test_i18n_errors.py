"""The error messages a command-line user reads come out in the language of ``--lang``.

Issue 16: ``cpted: error: <message>`` is translated through the catalogues
(``locale/<lang>/LC_MESSAGES/errors.po``), the English text is unchanged, and the values
put into a message (paths, names) are inserted as they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cpted
import cpted.area
from cpted._i18n import use
from cpted.cli import main

_LOCALE_VARIABLES = ("CPTED_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.fixture
def english_machine(monkeypatch):
    """A machine whose locale names no shipped language: the default is English."""
    for var in _LOCALE_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C")


@pytest.fixture
def no_loading(monkeypatch):
    """Make reading any area fail the test: the command must stop before it."""

    def loader(*args, **kwargs):
        raise AssertionError("the area was loaded before --out was checked")

    monkeypatch.setattr(cpted.area, "area_from_file", loader)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("cpted")
    return err


def test_a_missing_source_is_reported_in_french(tmp_path, capsys, english_machine):
    out = tmp_path / "X"
    assert main(["--lang", "fr", "audit", "/no/such/file.osm", "--out", str(out)]) == 2
    err = _one_error_line(capsys)
    assert err.startswith("cpted : erreur : Fichier introuvable : /no/such/file.osm.")
    assert "Indiquez un fichier OSM" in err and "neukoelln, helsinki" in err
    assert "No such file" not in err and "Give an OSM file" not in err
    assert not out.exists()


def test_lang_after_the_command_works_too(tmp_path, capsys, english_machine):
    assert main(["audit", "/no/such/file.osm", "--lang", "es", "--out", str(tmp_path / "X")]) == 2
    err = _one_error_line(capsys)
    assert "No existe el archivo /no/such/file.osm." in err and "No such file" not in err


def test_a_folder_cpted_did_not_write_is_refused_in_german(
    tmp_path, capsys, english_machine, no_loading
):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["--lang", "de", "-q", "audit", "--out", str(out), "--force"]) == 2
    err = _one_error_line(capsys)
    assert err.startswith(f"cpted: Fehler: Der Ausgabeordner {out} existiert bereits")
    assert "nicht von cpted geschrieben" in err and ".cpted-output.json" in err
    assert "was not written by cpted" not in err and "nothing in it was touched" not in err
    assert (out / "notes.txt").read_text() == "keep me"


def test_an_unknown_language_lists_the_languages(capsys, english_machine):
    assert main(["--lang", "xx", "info", "neukoelln"]) == 2
    err = _one_error_line(capsys)
    assert err == (
        "cpted: error: cpted has no catalogue for language 'xx'; it writes en, de, es, fr "
        "(add one in cpted/locale/<lang>/LC_MESSAGES/).\n"
    )


def test_an_unknown_language_is_told_in_the_machine_language(capsys, monkeypatch):
    for var in _LOCALE_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CPTED_LANG", "fr")
    assert main(["--lang", "xx", "info", "neukoelln"]) == 2
    err = _one_error_line(capsys)
    assert "pas de catalogue pour la langue 'xx'" in err
    assert all(code in err for code in ("en", "de", "es", "fr"))


def test_english_messages_are_unchanged(tmp_path, capsys, english_machine):
    assert main(["--lang", "en", "audit", "/no/such/file.osm", "--out", str(tmp_path / "X")]) == 2
    assert capsys.readouterr().err == (
        "cpted: error: No such file: /no/such/file.osm. Give an OSM file (.osm, .osm.bz2, "
        ".osm.gz, .osm.pbf) or a sample name: neukoelln, helsinki.\n"
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "is empty (0 bytes). Export the area again from OpenStreetMap."),
        ("fr", "est vide (0 octet). Exportez de nouveau la zone depuis OpenStreetMap."),
        ("es", "está vacío (0 bytes). Exporte de nuevo la zona desde OpenStreetMap."),
        ("de", "ist leer (0 Byte). Exportieren Sie das Gebiet erneut aus OpenStreetMap."),
    ],
)
def test_osm_reading_errors_follow_the_language(tmp_path, language, words):
    empty = tmp_path / "leer {x}.osm"  # braces in a path are inserted as they are
    empty.write_bytes(b"")
    with use(language), pytest.raises(cpted.InputError) as caught:
        cpted.area_from_file(empty, progress=False)
    assert str(caught.value) == f"{empty} {words}"


def test_the_readable_check_translates_what_it_names(tmp_path):
    from cpted._validate import check_readable

    folder = tmp_path / "weights.toml"
    folder.mkdir()
    with use("fr"), pytest.raises(cpted.InputError) as caught:
        check_readable(Path(folder), "The weights file")
    assert str(caught.value).startswith(f"Le fichier de pondérations {folder} est un dossier")
