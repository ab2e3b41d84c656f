"""Freed memory goes back to the system between the stages of an audit (issue 15)."""

from __future__ import annotations

import sys
import types

import pytest

from cpted import _memory


def test_release_without_arrows_release(monkeypatch):
    # a pool that cannot release (pyarrow's system pool of an old release): nothing breaks
    fake = types.SimpleNamespace(default_memory_pool=lambda: types.SimpleNamespace())
    monkeypatch.setitem(sys.modules, "pyarrow", fake)
    _memory.release_unused()


def test_release_asks_arrows_pool(monkeypatch):
    calls = []
    pool = types.SimpleNamespace(release_unused=lambda: calls.append("released"))
    fake = types.SimpleNamespace(default_memory_pool=lambda: pool)
    monkeypatch.setitem(sys.modules, "pyarrow", fake)
    _memory.release_unused()
    assert calls == ["released"]


@pytest.mark.skipif(_memory._libc() is None, reason="malloc_trim is glibc's; not this C library")
def test_release_gives_freed_heap_back():
    psutil = pytest.importorskip("psutil")
    process = psutil.Process()
    # many small objects (glibc's heap, not mmap): about 300 MB, then all freed
    held = [bytes(200) + str(i).encode() for i in range(1_200_000)]
    high = process.memory_info().rss
    del held
    before = process.memory_info().rss
    _memory.release_unused()
    after = process.memory_info().rss
    assert high - after > 100 * 2**20  # most of it is back with the system
    assert after < before
