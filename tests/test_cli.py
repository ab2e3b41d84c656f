"""The cpted command: audit and info, and one-line errors with exit code 2."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cpted.cli import main


def test_info_prints_layers_and_quality(capsys):
    assert main(["-q", "info", "neukoelln"]) == 0
    out = capsys.readouterr().out
    assert "streets" in out and "lamps" in out
    assert "dangling_refs" in out and "2024-03-30" in out


def test_audit_writes_every_output(tmp_path, capsys):
    out = tmp_path / "audit"
    assert main(["-q", "audit", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"map.html", "report.html", "cpted.gpkg", "segments.csv", "sites.csv"} <= names
    assert "map.html" in capsys.readouterr().out
    # nothing half-written is left beside the output
    assert [p.name for p in tmp_path.iterdir()] == ["audit"]


def test_existing_output_is_kept_without_force(tmp_path, capsys, hostile_osm):
    out = tmp_path / "audit"
    assert main(["-q", "audit", str(hostile_osm), "--out", str(out)]) == 0
    written = (out / ".cpted-output.json").read_text()
    capsys.readouterr()
    assert main(["-q", "audit", str(hostile_osm), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert (out / ".cpted-output.json").read_text() == written
    assert main(["-q", "audit", str(hostile_osm), "--out", str(out), "--force"]) == 0
    assert (out / "map.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["audit"]


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"", "empty.osm", "empty"),
        (b"just some text", "notes.osm", "not OpenStreetMap"),
        (b"\x00\x01garbage", "cut.osm.pbf", "truncated"),
    ],
)
def test_bad_files_give_one_line_and_exit_2(tmp_path, capsys, content, name, words):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["-q", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cpted: error:") and words in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_unknown_site(tmp_path, capsys):
    assert main(["-q", "audit", "--site", "Atlantis", "--out", str(tmp_path / "x")]) == 2
    assert "No site named 'Atlantis'" in capsys.readouterr().err


def test_one_site(tmp_path):
    out = tmp_path / "kmp"
    assert main(["-q", "audit", "--site", "Karl-Marx-Platz", "--out", str(out)]) == 0
    assert (out / "map.html").exists()


def test_the_installed_command_runs_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cpted.cli", "info", str(tmp_path / "missing.osm")],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "No such file" in result.stderr and "sample name" in result.stderr


def test_compare_writes_side_by_side_maps_and_tables(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["-q", "compare", "neukoelln", "neukoelln", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"compare.html", "segments_change.csv", "sites_change.csv", "summary.csv"} <= names
    printed = capsys.readouterr().out
    assert "(0 changed)" in printed and "compare.html" in printed
    assert [p.name for p in tmp_path.iterdir()] == ["cmp"]
    # an existing folder is kept without --force
    assert main(["-q", "compare", "neukoelln", "neukoelln", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err


def test_compare_of_a_missing_file_is_one_line(tmp_path, capsys):
    missing = tmp_path / "missing.osm"
    assert main(["-q", "compare", "neukoelln", str(missing), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cpted: error:") and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_audit_with_a_weights_file(tmp_path, capsys):
    weights = tmp_path / "weights.toml"
    weights.write_text("lighting = 3\n", encoding="utf-8")
    out = tmp_path / "audit"
    assert main(["-q", "audit", "--weights", str(weights), "--out", str(out)]) == 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "lighting 3" in report
    weights.write_text("beauty = 3\n", encoding="utf-8")
    assert main(["-q", "audit", "--weights", str(weights), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "unknown principle 'beauty'" in err and err.count("\n") == 1


def test_global_options_go_after_the_command_too(tmp_path, capsys, hostile_osm):
    out = tmp_path / "audit"
    assert main(["audit", str(hostile_osm), "--out", str(out), "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert (out / "map.html").exists()
    # before the command, the command's own default does not undo it
    assert main(["-q", "audit", str(hostile_osm), "--out", str(out), "--force"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["info", "--quiet", str(hostile_osm)]) == 0
    assert capsys.readouterr().err == ""


def test_version(capsys):
    from importlib.metadata import version

    for argv in (["--version"], ["audit", "--version"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 0
        assert capsys.readouterr().out == f"cpted {version('cpted')}\n"


def test_a_missing_file_is_named_in_the_commands_words(tmp_path, capsys):
    missing = tmp_path / "town.osm"
    assert main(["-q", "audit", str(missing), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"cpted: error: No such file: {missing}. Give an OSM file (.osm, .osm.bz2, .osm.gz, "
        ".osm.pbf) or a sample name: neukoelln, helsinki.\n"
    )
    assert "get_path" not in err
    assert not (tmp_path / "x").exists()


def test_progress_runs_to_the_end_and_a_cold_cache_is_announced_once(
    tmp_path, capsys, monkeypatch, hostile_osm
):
    from cpted import _warmup

    monkeypatch.setattr(_warmup, "_announced", False)
    monkeypatch.setattr(_warmup, "_is_cached", lambda kernel: False)
    out = tmp_path / "cmp"
    # two audits in one run: the note comes once, before the first
    assert main(["compare", str(hostile_osm), str(hostile_osm), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count(_warmup.COMPILING) == 1
    assert "Building the study area" in err and "9/9" in err
    monkeypatch.setattr(_warmup, "_announced", False)
    assert main(["audit", str(hostile_osm), "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert err.count(_warmup.COMPILING) == 1
    assert re.search(r"Saving the audit: 100%\|[^\n\r]*\| (\d+)/\1 ", err)


def test_quiet_says_nothing_about_compiling(tmp_path, capsys, monkeypatch, hostile_osm):
    from cpted import _warmup

    monkeypatch.setattr(_warmup, "_announced", False)
    monkeypatch.setattr(_warmup, "_is_cached", lambda kernel: False)
    assert main(["audit", "-q", str(hostile_osm), "--out", str(tmp_path / "a")]) == 0
    assert capsys.readouterr().err == ""
