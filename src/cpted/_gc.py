"""Pausing Python's cycle collector while a city's tables are put together."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["cycles_paused"]


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
