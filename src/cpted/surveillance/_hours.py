"""Opening hours: which uses are open at a given local time.

Parsing is done by opening-hours-py (the Python binding of the Rust crate
``opening-hours``, which follows the OSM specification and the reference JavaScript
library opening_hours.js). OSM values are free text, so nothing here may raise on a
value: unreadable ones are reported as ``"invalid"`` and kept apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import opening_hours
import pandas as pd

__all__ = ["HOURS_STATUS", "hours_state", "parse_clock"]

#: Values of the ``hours`` column: a usable expression, no tag, or a tag that cannot be read.
HOURS_STATUS = ("parsed", "missing", "invalid")

# An OSM tag value holds at most 255 characters (OSM API limit); longer text is not a tag.
_MAX_LENGTH = 255


def parse_clock(value: str) -> dt.time:
    """Read ``"HH:MM"`` (00:00-23:59) or raise ValueError."""
    hour, _, minute = str(value).strip().partition(":")
    return dt.time(int(hour), int(minute or 0))


def _state_of(
    text: object,
    moments: Sequence[dt.datetime],
    coords: tuple[float, float] | None,
    cache: dict[str, tuple[str, list[bool | None]]],
) -> tuple[str, list[bool | None]]:
    if text is None or (isinstance(text, float) and text != text):
        return "missing", [None] * len(moments)
    value = str(text).strip()
    if not value:
        return "missing", [None] * len(moments)
    if value in cache:
        return cache[value]
    result: tuple[str, list[bool | None]]
    if len(value) > _MAX_LENGTH:
        result = ("invalid", [None] * len(moments))
    else:
        try:
            if coords is None:
                parsed = opening_hours.OpeningHours(value)
            else:
                parsed = opening_hours.OpeningHours(value, coords=coords)
            states: list[bool | None] = []
            for moment in moments:
                state, _comment = parsed.state(moment)
                if state == opening_hours.State.OPEN:
                    states.append(True)
                elif state == opening_hours.State.CLOSED:
                    states.append(False)
                else:
                    states.append(None)
            result = ("parsed", states)
        except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
            raise
        except BaseException:
            # ParserError, and a Rust panic (pyo3 PanicException derives from
            # BaseException) on an expression the parser accepts but cannot evaluate.
            result = ("invalid", [None] * len(moments))
    cache[value] = result
    return result


def hours_state(
    values: pd.Series,
    times: Sequence[str],
    date: str,
    *,
    coords: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """
    Evaluate opening hours at local times on one date.

    Parameters
    ----------
    values
        ``opening_hours`` texts (None or NaN when untagged).
    times
        Local clock times ``"HH:MM"``.
    date
        ISO date of the day evaluated.
    coords
        (latitude, longitude) of the place, for public holidays and sunrise/sunset.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``values``: ``hours`` (one of :data:`HOURS_STATUS`) and one nullable
        boolean column ``open_HHMM`` per time (NA when the hours are missing, invalid or
        say ``unknown`` at that time).
    """
    day = dt.date.fromisoformat(date)
    moments = [dt.datetime.combine(day, parse_clock(t)) for t in times]
    names = [f"open_{m.strftime('%H%M')}" for m in moments]
    cache: dict[str, tuple[str, list[bool | None]]] = {}
    status: list[str] = []
    columns: list[list[bool | None]] = [[] for _ in moments]
    for text in values.tolist():
        kind, states = _state_of(text, moments, coords, cache)
        status.append(kind)
        for column, state in zip(columns, states, strict=True):
            column.append(state)
    out = pd.DataFrame(index=values.index)
    out["hours"] = pd.Categorical(status, categories=list(HOURS_STATUS))
    for name, column in zip(names, columns, strict=True):
        out[name] = pd.array(column, dtype="boolean")
    return out
