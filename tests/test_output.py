"""Where cpted writes: --force never deletes inputs or folders cpted did not write; saving
is locked and crash-safe (src/cpted/_output.py, through Audit.save, Comparison.save,
Audit.report and the CLI)."""

from __future__ import annotations

import fcntl
import importlib
import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import osm_xml

import cpted
import cpted.area
from cpted import _output
from cpted.cli import main

MANIFEST = ".cpted-output.json"


@pytest.fixture(scope="module")
def tiny_osm(tmp_path_factory) -> Path:
    """Three streets around two blocks: enough for an area, cheap to audit and save."""
    base_lon, base_lat, step = 13.4370, 52.4730, 0.0009
    ids = {(i, j): 100 + i * 3 + j for i in range(3) for j in range(3)}
    nodes = [(n, base_lon + i * step, base_lat + j * step, {}) for (i, j), n in ids.items()]
    ways = [
        (1, [ids[(0, 0)], ids[(1, 0)], ids[(2, 0)]], {"highway": "residential", "lit": "yes"}),
        (2, [ids[(0, 1)], ids[(1, 1)], ids[(2, 1)]], {"highway": "footway"}),
        (3, [ids[(0, 0)], ids[(0, 1)], ids[(0, 2)]], {"highway": "residential"}),
    ]
    path = tmp_path_factory.mktemp("tiny") / "tiny.osm"
    path.write_text(osm_xml(nodes, ways), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tiny_osm) -> cpted.Audit:
    area = cpted.area_from_file(tiny_osm, progress=False)
    return cpted.audit(area, principles=(), progress=False)


@pytest.fixture
def no_loading(monkeypatch):
    """Make reading any area fail the test: the command must stop before it."""

    def loader(*args, **kwargs):
        raise AssertionError("the area was loaded before --out was checked")

    monkeypatch.setattr(cpted.area, "area_from_file", loader)


@pytest.fixture
def cheap_cli_audit(monkeypatch):
    """Let the CLI audit run without principles: these tests are about where it writes."""
    audit_module = importlib.import_module("cpted.audit")  # the module, not the function
    real = audit_module.audit

    def audit(area, **kwargs):
        return real(area, principles=(), progress=False)

    monkeypatch.setattr(audit_module, "audit", audit)


def dead_pid() -> int:
    """The pid of a process that has finished."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def beside(folder: Path) -> list[str]:
    """What lies beside the output folder (staging, old, lock files would show here)."""
    return sorted(p.name for p in folder.parent.iterdir())


# -- what --force may replace --------------------------------------------------------------


def test_force_never_replaces_a_folder_that_holds_the_input(tmp_path, capsys, tiny_osm):
    proj = tmp_path / "proj"
    proj.mkdir()
    town = proj / "town.osm"
    town.write_bytes(tiny_osm.read_bytes())
    assert main(["-q", "audit", str(town), "--out", str(proj), "--force"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "town.osm, an input" in err
    assert town.read_bytes() == tiny_osm.read_bytes()
    assert sorted(p.name for p in proj.iterdir()) == ["town.osm"]


def test_force_never_replaces_a_cpted_folder_that_holds_the_input(tiny, tmp_path, tiny_osm):
    folder = tiny.save(tmp_path / "out")
    copy = folder / "town.osm"
    copy.write_bytes(tiny_osm.read_bytes())
    with pytest.raises(cpted.InputError, match=r"town\.osm, an input"):
        tiny.save(folder, force=True, inputs=[copy])
    assert copy.read_bytes() == tiny_osm.read_bytes()


def test_the_api_knows_the_input_of_its_area(tmp_path, tiny_osm):
    town = tmp_path / "proj" / "town.osm"
    town.parent.mkdir()
    town.write_bytes(tiny_osm.read_bytes())
    own = cpted.audit(cpted.area_from_file(town, progress=False), principles=(), progress=False)
    with pytest.raises(cpted.InputError, match="an input of this run"):
        own.save(town.parent, force=True)
    with pytest.raises(cpted.InputError, match="an input of this run"):
        own.report(town, force=True)
    assert town.read_bytes() == tiny_osm.read_bytes()


def test_force_never_replaces_a_folder_cpted_did_not_write(tmp_path, capsys, no_loading):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["-q", "audit", "--out", str(out), "--force"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not written by cpted" in err and "nothing" in err
    assert (out / "notes.txt").read_text() == "keep me"
    assert beside(out) == ["mine"]


def test_force_keeps_a_cpted_folder_someone_added_files_to(tiny, tmp_path):
    folder = tiny.save(tmp_path / "out")
    (folder / "notes.txt").write_text("keep me")
    (folder / "cpted.gpkg-wal").write_bytes(b"")  # a GIS side file: no reason to refuse
    with pytest.raises(cpted.InputError, match=r"files cpted did not write \(notes.txt\)"):
        tiny.save(folder, force=True)
    assert (folder / "notes.txt").read_text() == "keep me"
    (folder / "notes.txt").unlink()
    tiny.save(folder, force=True)
    assert not (folder / "cpted.gpkg-wal").exists()


def test_force_replaces_a_cpted_folder_and_updates_its_manifest(tiny, tmp_path):
    folder = tiny.save(tmp_path / "out")
    first = manifest(folder)
    assert first["written_by"] == "cpted" and first["cpted_version"] == cpted.__version__
    assert set(first["files"]) == {p.name for p in folder.iterdir()} - {MANIFEST}
    stamped = {**first, "written": "2000-01-01T00:00:00+0000"}
    (folder / MANIFEST).write_text(json.dumps(stamped))
    (folder / "sites.csv").unlink()
    with pytest.raises(cpted.InputError, match="exists already"):
        tiny.save(folder)
    tiny.save(folder, force=True)
    assert manifest(folder)["written"] != "2000-01-01T00:00:00+0000"
    assert (folder / "sites.csv").exists()
    assert beside(folder) == ["out"]


def test_an_empty_folder_is_written_into_without_force(tiny, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    assert tiny.save(folder) == folder
    assert (folder / "map.html").exists() and manifest(folder)["kind"] == "audit"
    assert beside(folder) == ["out"]


def test_the_cli_writes_into_an_empty_folder(tmp_path, tiny_osm, cheap_cli_audit):
    out = tmp_path / "out"
    out.mkdir()
    assert main(["-q", "audit", str(tiny_osm), "--out", str(out)]) == 0
    assert (out / "report.html").exists()
    assert manifest(out)["inputs"] == [str(tiny_osm)]
    assert beside(out) == ["out"]


@pytest.mark.parametrize(
    ("where", "words"),
    [
        (lambda tmp: tmp, "working directory"),
        (lambda tmp: tmp.parent, "working directory"),
        (lambda tmp: Path("."), "working directory"),
        (lambda tmp: tmp / "home", "home directory"),
        (lambda tmp: Path("/"), "working directory or one of its parents"),
        (lambda tmp: tmp / "file.txt", "existing file"),
    ],
)
def test_places_never_replaced(tiny, tmp_path, monkeypatch, where, words):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.txt").write_text("not a folder")
    target = where(tmp_path)
    with pytest.raises(cpted.InputError, match=words):
        tiny.save(target, force=True)
    assert (tmp_path / "file.txt").read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "home"]


def test_a_filesystem_root_is_never_replaced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(cpted.InputError, match="filesystem root"):
        _output.check_target("/", force=True)


def test_a_symlink_is_not_followed(tiny, tmp_path):
    real = tiny.save(tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(cpted.InputError, match="symbolic link"):
        tiny.save(link, force=True)
    assert (real / "map.html").exists()


# -- checked before the audit --------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("/proc/cpted-x", "cannot be written"),
        ("/proc/self/cpted/x", "cannot be written"),
        ("some_file", "existing file"),
    ],
)
def test_a_bad_out_fails_fast_before_loading(tmp_path, capsys, monkeypatch, no_loading, out, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "some_file").write_text("x")
    start = time.perf_counter()
    assert main(["-q", "audit", "--out", out]) == 2
    assert main(["-q", "compare", "neukoelln", "helsinki", "--out", out]) == 2
    assert time.perf_counter() - start < 1.0
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and err.count(words) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["some_file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_parent_fails_fast(tmp_path, capsys, no_loading):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        assert main(["-q", "audit", "--out", str(locked / "out")]) == 2
    finally:
        locked.chmod(0o755)
    assert "cannot be written" in capsys.readouterr().err


def test_an_existing_cpted_folder_without_force_fails_before_loading(
    tiny, tmp_path, capsys, no_loading
):
    folder = tiny.save(tmp_path / "out")
    assert main(["-q", "audit", "--out", str(folder)]) == 2
    assert "--force" in capsys.readouterr().err


# -- one writer at a time ------------------------------------------------------------------


def hold_lock(target: Path, pid: int):
    """Lock ``target`` as a running cpted would: flock on ``.NAME.lock`` with its pid."""
    lock = target.with_name(f".{target.name}.lock")
    handle = lock.open("w")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    handle.write(json.dumps({"pid": pid, "host": socket.gethostname(), "started": "now"}))
    handle.flush()
    return handle


def test_a_second_run_on_a_locked_folder_stops_at_once(tiny, tmp_path, capsys, no_loading):
    out = tmp_path / "out"
    handle = hold_lock(out, os.getppid())  # a live process that is not this one
    try:
        assert main(["-q", "audit", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Another cpted run" in err
        assert f"pid {os.getppid()}" in err
        with pytest.raises(cpted.InputError, match="Another cpted run"):
            tiny.save(out)
        assert not out.exists()
    finally:
        handle.close()
    tiny.save(out)
    assert beside(out) == ["out"]


def test_the_cli_holds_the_lock_while_it_audits(tmp_path, tiny_osm, monkeypatch, cheap_cli_audit):
    out = tmp_path / "out"
    real = cpted.area.area_from_file
    seen = []

    def loader(*args, **kwargs):
        with (tmp_path / ".out.lock").open() as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                seen.append(json.loads(other.read())["pid"])
        return real(*args, **kwargs)

    monkeypatch.setattr(cpted.area, "area_from_file", loader)
    assert main(["-q", "audit", str(tiny_osm), "--out", str(out)]) == 0
    assert seen == [os.getpid()]
    assert beside(out) == ["out"]


def test_a_stale_lock_file_of_a_dead_run_is_taken(tiny, tmp_path):
    out = tmp_path / "out"
    lock = tmp_path / ".out.lock"
    lock.write_text(json.dumps({"pid": dead_pid(), "host": socket.gethostname()}))
    tiny.save(out)
    assert (out / "map.html").exists() and beside(out) == ["out"]


def test_a_lock_held_on_by_an_orphan_of_a_dead_run_is_taken_over(tiny, tmp_path, caplog):
    # The writer forked (as a process pool does) and was killed; its child still holds
    # the flock, but the pid in the lock is dead.
    out = tmp_path / "out"
    child_pid_file = tmp_path / "child.pid"
    script = textwrap.dedent(
        f"""
        import fcntl, json, os, socket, time
        handle = open({str(tmp_path / ".out.lock")!r}, "w")
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(json.dumps({{"pid": os.getpid(), "host": socket.gethostname()}}))
        handle.flush()
        if os.fork() == 0:
            open({str(child_pid_file)!r}, "w").write(str(os.getpid()))
            time.sleep(60)
            os._exit(0)
        while not os.path.exists({str(child_pid_file)!r}):
            time.sleep(0.01)
        os._exit(0)
        """
    )
    subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=30,
    )
    child = int(child_pid_file.read_text())
    try:
        with caplog.at_level(logging.WARNING, logger="cpted"):
            tiny.save(out)
        assert "Took over the lock" in caplog.text
        assert (out / "map.html").exists()
    finally:
        os.kill(child, 9)


# -- crash safety ----------------------------------------------------------------------------

KILLED_SAVE = """
import os, sys
from pathlib import Path
import cpted

area = cpted.area_from_file(sys.argv[1], progress=False)
result = cpted.audit(area, principles=(), progress=False)
real = Path.rename

def rename(self, target):
    out = real(self, target)
    if ".old-" in Path(target).name:
        os._exit(9)  # killed between the two renames of the swap
    return out

Path.rename = rename
result.save(sys.argv[2], force=True)
"""


def test_a_kill_between_the_renames_keeps_the_old_output_and_the_next_run_restores_it(
    tiny, tmp_path, tiny_osm, caplog
):
    folder = tiny.save(tmp_path / "out")
    before = manifest(folder)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_SAVE, str(tiny_osm), str(folder)],
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr
    # the old output is still there, renamed aside, complete; the new one is half done
    assert not folder.exists()
    left = beside(folder)
    old = [n for n in left if n.startswith(".out.old-")]
    assert len(old) == 1 and manifest(tmp_path / old[0]) == before
    assert any(n.startswith(".out.staging-") for n in left)
    # the next run puts the old output back before it decides anything
    with (
        caplog.at_level(logging.WARNING, logger="cpted"),
        pytest.raises(cpted.InputError, match="exists already"),
    ):
        tiny.save(folder)
    assert "Restored" in caplog.text and "Removed" in caplog.text
    assert manifest(folder) == before and (folder / "map.html").exists()
    assert beside(folder) == ["out"]
    tiny.save(folder, force=True)
    assert manifest(folder)["written"] >= before["written"]


def test_a_failed_swap_puts_the_old_output_back(tiny, tmp_path, monkeypatch):
    folder = tiny.save(tmp_path / "out")
    before = manifest(folder)
    real = Path.rename

    def rename(self, target):
        if ".staging-" in self.name:
            raise OSError("disk gone")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="disk gone"):
        tiny.save(folder, force=True)
    assert manifest(folder) == before and (folder / "map.html").exists()
    assert beside(folder) == ["out"]


def test_an_old_output_is_removed_only_once_the_new_one_is_in_place(
    hostile_osm, tmp_path, monkeypatch
):
    area = cpted.area_from_file(hostile_osm, progress=False)
    scored = cpted.audit(area, principles=("access",), progress=False)
    comparison = scored.compare(scored)
    folder = comparison.save(tmp_path / "cmp")
    (folder / MANIFEST).write_text(json.dumps({**manifest(folder), "written": "old"}))
    real = _output.shutil.rmtree
    removed = []

    def rmtree(path, *args, **kwargs):
        if ".old-" in Path(path).name:
            removed.append(manifest(Path(path))["written"])
            assert manifest(folder)["written"] != "old"  # the new one is already in place
            assert (folder / "compare.html").exists()
        return real(path, *args, **kwargs)

    monkeypatch.setattr(_output.shutil, "rmtree", rmtree)
    comparison.save(folder, force=True)
    assert removed == ["old"]
    assert manifest(folder)["kind"] == "comparison"
    assert beside(folder) == ["cmp"]


def test_stale_staging_folders_of_dead_runs_are_cleaned(tiny, tmp_path, caplog):
    dead, alive = dead_pid(), os.getppid()
    stale = tmp_path / f".out.staging-{dead}-abcd"
    live = tmp_path / f".out.staging-{alive}-abcd"
    other = tmp_path / f".other.staging-{dead}-abcd"
    for path in (stale, live, other):
        path.mkdir()
        (path / "half.csv").write_text("a,b\n")
    with caplog.at_level(logging.WARNING, logger="cpted"):
        tiny.save(tmp_path / "out")
    assert not stale.exists()
    assert live.exists() and other.exists()  # a live writer's, and another target's
    assert f"Removed {stale}" in caplog.text


def test_leftovers_with_this_processes_pid_are_from_an_earlier_run(tiny, tmp_path):
    # In a container pids repeat: a killed run may have had the pid this run has now.
    folder = tiny.save(tmp_path / "out")
    before = manifest(folder)
    folder.rename(tmp_path / f".out.old-{os.getpid()}")
    (tmp_path / f".out.staging-{os.getpid()}-abcd").mkdir()
    with pytest.raises(cpted.InputError, match="exists already"):
        tiny.save(folder)
    assert manifest(folder) == before and beside(folder) == ["out"]


def test_a_cli_note_is_one_line(tmp_path, capsys, tiny_osm, cheap_cli_audit):
    stale = tmp_path / f".out.staging-{dead_pid()}-abcd"
    stale.mkdir()
    assert main(["-q", "audit", str(tiny_osm), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("cpted: note: Removed") and err.count("\n") == 1
    assert not stale.exists()


# -- the report file -------------------------------------------------------------------------


def test_the_report_never_overwrites_the_input(tiny, tiny_osm):
    text = tiny_osm.read_bytes()
    with pytest.raises(cpted.InputError, match="an input of this run"):
        tiny.report(tiny_osm, force=True)
    assert tiny_osm.read_bytes() == text


def test_the_report_cleans_temporary_files_of_dead_runs(tiny, tmp_path):
    stale = tmp_path / f".report.html.staging-{dead_pid()}-x1y2"
    stale.write_text("<!DOCTYPE html>half")
    path = tiny.report(tmp_path / "report.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    with pytest.raises(cpted.InputError, match="is a folder"):
        tiny.report(tmp_path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
