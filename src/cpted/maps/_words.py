"""
Numbers in words a planner reads: the one formatting helper of map tooltips and popups.

A score reads "54 of 100", a length "10 m", an illuminance "0.4 lx", a share "60 %".
Each unit has its sensible precision (a street is measured to the metre, light to a tenth
of a lux); values below one keep a decimal more, so a dim 0.04 lx does not read as 0.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["label_and_unit", "say"]

#: Decimals shown per unit.
PRECISION = {
    "m": 0,
    "m²": 0,
    "lx": 1,
    "lm": 0,
    "km/h": 0,
    "min": 1,
    "s": 0,
    "°": 0,
    "kJ": 0,
    "%": 0,
    "of 100": 0,
    "": 1,
}

_UNIT_IN_LABEL = re.compile(r"^(?P<label>.*?)\s*\((?P<unit>[^()]*)\)\s*$")


def label_and_unit(alias: str) -> tuple[str, str]:
    """
    Split a label such as ``"area (m²)"`` into ``("Area", "m²")``.

    A parenthesis that is not a unit (``"(mapped)"``) stays in the label.
    """
    match = _UNIT_IN_LABEL.match(alias)
    label, unit = alias, ""
    if match and match["unit"].strip() in PRECISION | {"0-100": 0, "0-1": 0}:
        label, unit = match["label"], match["unit"].strip()
        unit = {"0-100": "of 100", "0-1": "%"}.get(unit, unit)
    return (label[:1].upper() + label[1:]), unit


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def say(value: Any, unit: str = "", *, share: bool = False) -> str:
    """
    Write ``value`` in words with its unit: ``say(10.29, "m") == "10 m"``.

    Parameters
    ----------
    value
        A number, a bool (``"yes"``/``"no"``), text (returned as it is) or a missing value
        (``"–"``).
    unit
        ``"of 100"`` for a score (whole numbers), ``"%"`` for a 0–1 share (``share=True``
        is implied), or a unit of :data:`PRECISION`.
    share
        ``value`` is a share from 0 to 1, written as a percentage.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = _number(value)
    if number is None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        text = str(value)
        return "–" if text in {"", "nan", "None"} else text
    if unit == "%" or share:
        number, unit = 100.0 * number, "%"
    digits = PRECISION.get(unit, 1)
    if number != 0 and abs(number) < 1 and unit not in {"of 100", "%"}:
        digits += 1
    text = f"{number:,.{digits}f}"
    if "." in text:
        # decimals show only where they say something: 5 lx, 0.4 lx, 2.5 min
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", "-0.0"}:
        text = text[1:]
    if unit == "of 100":
        return f"{text} of 100"
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}" if unit else text
