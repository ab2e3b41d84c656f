"""Compiling the numba kernels ahead (cpted.warmup) and telling when they are not yet."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cpted
from cpted import _warmup

SRC = Path(_warmup.__file__).parent


def test_every_module_with_a_kernel_is_listed():
    compiled = {
        ".".join(("cpted", *path.relative_to(SRC).with_suffix("").parts))
        for path in SRC.rglob("*.py")
        if re.search(r"^@(numba\.)?n?jit\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    }
    assert compiled == set(_warmup.KERNEL_MODULES)


def test_warmup_compiles_every_kernel():
    cpted.warmup()
    assert _warmup.cold_kernels(audit_only=False) == []
    kernels = _warmup.kernels()
    # the kernels called from Python are compiled (or loaded) for their argument types; the
    # ones they call are compiled into them and cached with them
    called = {name.rsplit(".", 1)[0] for name, f in kernels.items() if f.signatures}
    assert called == set(_warmup.KERNEL_MODULES)


FRESH_CACHE = """
import json, warnings
import cpted
from cpted import _warmup
from cpted._warmup import _tiny_osm
from pathlib import Path
import tempfile
before = _warmup.cold_kernels(audit_only=False)
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "tiny.osm"
    path.write_text(_tiny_osm(), encoding="utf-8")
    area = cpted.area_from_file(path)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    cpted.audit(area, progress=False)
after_audit = _warmup.cold_kernels()
cpted.warmup()
print(json.dumps([before, after_audit, _warmup.cold_kernels(audit_only=False)]))
"""


@pytest.mark.slow
def test_on_a_fresh_cache_an_audit_leaves_no_audit_kernel_cold_and_warmup_none(tmp_path):
    # numba writes to NUMBA_CACHE_DIR when it is set: an empty one is a fresh install's cache.
    # A kernel the audit does not compile would be announced as "compiling" by every audit,
    # and one warmup misses would be compiled by the first audit after `make install`.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", FRESH_CACHE], env=env, capture_output=True, text=True, check=True
    )
    before, after_audit, after_warmup = json.loads(done.stdout.splitlines()[-1])
    assert len(before) == len(_warmup.kernels())  # the cache was empty: everything cold
    assert after_audit == []
    assert after_warmup == []


def test_a_kernel_without_a_cache_index_is_cold(monkeypatch, tmp_path):
    name, kernel = next(iter(_warmup.kernels().items()))
    cache_file = kernel._cache._cache_file
    monkeypatch.setattr(cache_file, "_index_path", str(tmp_path / "missing.nbi"))
    assert name in _warmup.cold_kernels()
    assert _warmup.cold_kernels() == [name]


def test_a_cold_cache_is_announced_once(monkeypatch):
    monkeypatch.setattr(_warmup, "_announced", False)
    monkeypatch.setattr(_warmup, "_is_cached", lambda kernel: False)
    said: list[str] = []
    assert _warmup.announce_if_cold(said.append)
    assert not _warmup.announce_if_cold(said.append)
    assert said == [_warmup.COMPILING]


def test_a_warm_cache_says_nothing(monkeypatch):
    monkeypatch.setattr(_warmup, "_announced", False)
    monkeypatch.setattr(_warmup, "_is_cached", lambda kernel: True)
    said: list[str] = []
    assert not _warmup.announce_if_cold(said.append)
    assert said == []


def test_cli_warmup_names_the_cache_it_filled(capsys):
    from cpted.cli import main

    assert main(["warmup"]) == 0
    out = capsys.readouterr().out
    folders = _warmup.cache_folders()
    assert folders, "no kernel reports a cache folder"
    for folder in folders:
        assert folder in out
        # the folder holds numba's index of compiled kernels
        assert any(Path(folder).glob("*.nbi")), folder
