"""
Memory and the garbage collector through an audit's stages.

:func:`cycles_paused` switches Python's cycle collector off while a stage makes millions
of short-lived objects and no cycles; :func:`release_unused` hands the memory a finished
stage freed back to the system.

A large audit's stages (reading the file, each tile, putting the tiles together, the
scores and explanations) each allocate and free hundreds of megabytes. Freed memory is not
given back by itself: glibc's ``malloc`` keeps it in its heaps for the next allocation, and
Arrow's memory pool (mimalloc, which pandas' text columns allocate from) keeps its own.
The next stage then grows the process anew, and the peak a city's audit reaches is the sum
of every allocator's high-water mark rather than of what is alive. Measured on Helsinki
tiled 2×2 (issue 15): the calling process held 650 MB after the audit, of which about
90 MB was Arrow's pool and 120 MB glibc's free heap.

:func:`release_unused` is called between stages by :func:`cpted.audit` (in the calling
process) and after each tile (in a worker). It costs a few milliseconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from functools import cache
from typing import Any

__all__ = ["cycles_paused", "release_unused"]


@cache
def _libc() -> Any:
    """Return the C library when it is glibc (which has ``malloc_trim``), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # musl has none


def release_unused() -> None:
    """
    Give the memory that is allocated but free back to the operating system.

    Arrow's default pool releases its unused pages (when pyarrow is imported, as pandas
    does), and glibc trims its heaps (``malloc_trim(0)``); on another C library the
    second step is skipped. Nothing alive is touched.
    """
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        pool = arrow.default_memory_pool()
        release = getattr(pool, "release_unused", None)
        if release is not None:
            release()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextlib.contextmanager
def cycles_paused() -> Iterator[None]:
    """
    Run the block with Python's cyclic garbage collector paused.

    Putting an audit together (the tiles' tables merged, the explanations written) makes
    millions of objects that live for a moment, and no reference cycles. Each full
    collection they trigger walks every object of the heap (the area's layers, the tables)
    and finds nothing to free: on Helsinki tiled 3x3, four collections of 0.3-0.4 s, a
    third of the time of finishing the audit. Reference counting frees every object as
    usual meanwhile; the collector is switched back on when the block ends (if it was on),
    and collects then as it would have. The switch is the process's: other threads run
    without the collector for as long, too.
    """
    if not gc.isenabled():  # paused by the caller, who will switch it back on
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
