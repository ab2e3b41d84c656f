"""The cpted command: audit and info, and one-line errors with exit code 2."""

from __future__ import annotations

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
    assert "No such OSM file" in result.stderr


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
