"""How the report writes a number: one rounding rule per kind of figure, written once.

Scores are whole numbers (a score of 63.4 claims a precision the data does not have);
each measure keeps its unit's sensible precision: metres whole, lux to 0.1 (0.01 below
1 lx, where the dark gaps differ by tenths), shares as whole percent. A missing value is
an en dash. Every function returns plain text; the caller escapes it for HTML.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "barrier_rating",
    "count",
    "is_missing",
    "kilometres",
    "lux",
    "metres",
    "number",
    "score",
    "share",
]

MISSING = "–"


def is_missing(value: Any) -> bool:
    """Tell whether a value is None, NaN, pandas NA or text that is no number."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _float(value: Any) -> float:
    return float("nan") if is_missing(value) else float(value)


def score(value: Any) -> str:
    """Write a 0-100 score as a whole number: ``63``."""
    v = _float(value)
    return MISSING if math.isnan(v) else f"{v:.0f}"


def metres(value: Any, *, unit: bool = True) -> str:
    """Write a length in whole metres, thousands separated: ``1,204 m``."""
    v = _float(value)
    if math.isnan(v):
        return MISSING
    return f"{v:,.0f} m" if unit else f"{v:,.0f}"


def kilometres(value_m: Any) -> str:
    """Write a length given in metres as km to 0.1: ``12.3 km``."""
    v = _float(value_m)
    return MISSING if math.isnan(v) else f"{v / 1000:,.1f} km"


def lux(value: Any, *, unit: bool = True) -> str:
    """Illuminance to 0.1 lx, to 0.01 lx below 1 lx: ``3.2 lx``, ``0.45 lx``."""
    v = _float(value)
    if math.isnan(v):
        return MISSING
    text = f"{v:.2f}" if abs(v) < 1 else f"{v:,.1f}"
    return f"{text} lx" if unit else text


def share(value: Any) -> str:
    """Write a share 0-1 as whole percent: ``42%``."""
    v = _float(value)
    return MISSING if math.isnan(v) else f"{v:.0%}"


def number(value: Any, digits: int = 0) -> str:
    """Write any other figure, thousands separated, to ``digits`` decimals."""
    v = _float(value)
    return MISSING if math.isnan(v) else f"{v:,.{digits}f}"


def count(n: Any, noun: str, plural: str | None = None) -> str:
    """``1 hiding place``, ``2 hiding places``; give ``plural`` where it is not noun + s."""
    k = 0 if is_missing(n) else int(float(n))
    if k == 1:
        return f"1 {noun}"
    if plural is None:
        plural = noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{k:,} {plural}"


def barrier_rating(code: Any, *, short: bool = False) -> str:
    """
    Say what an IWA 14-1 rating such as ``V/7200[N2A]/48`` asks of a barrier.

    ``"a barrier rated for a 7.2 t light truck at 48 km/h (IWA 14-1 V/7200[N2A]/48)"``;
    ``short`` leaves out "a barrier rated for" (for a table column that says it). Text
    that is no rating comes back as it is; an empty rating is :data:`MISSING`.
    """
    import re

    from cpted import settings

    text = "" if is_missing(code) and not isinstance(code, str) else str(code)
    match = re.fullmatch(r"V/(\d+)\[([A-Z0-9]+)\]/(>?)(\d+)", text.strip())
    if not match:
        return text or MISSING
    mass, test_class, above, speed = match.groups()
    vehicle = next(
        (name.replace("_", " ") for name, v in settings.VEHICLES.items()
         if v.get("test_class") == test_class),
        f"class {test_class} vehicle",
    )  # fmt: skip
    at = f"over {speed} km/h" if above else f"{speed} km/h"
    what = f"a {float(mass) / 1000:g} t {vehicle} at {at} (IWA 14-1 {text.strip()})"
    return what if short else f"a barrier rated for {what}"
