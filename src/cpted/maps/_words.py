"""
Numbers in words a planner reads: the one formatting helper of map tooltips and popups.

A score reads "54 of 100", a length "10 m", an illuminance "0.4 lx", a share "60 %".
Each unit has its sensible precision (a street is measured to the metre, light to a tenth
of a lux); values below one keep a decimal more, so a dim 0.04 lx does not read as 0.
Numbers are written in the current language's notation (:mod:`cpted._i18n`: "0,4 lx" in
French, Spanish and German), and the words around them in its words.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from babel.numbers import format_decimal

from cpted._i18n import N_, _, babel_locale, current_language

__all__ = ["SCORE_LABELS", "label_and_unit", "say", "say_change", "score_label"]

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


@functools.lru_cache(maxsize=1 << 16)
def _formatted(number: float, pattern: str, language: str) -> str:
    """
    Write ``number`` with Babel's ``format_decimal``, remembered.

    A city's map writes the same few thousand rounded figures hundreds of thousands of
    times (Babel took 8 of the 27 s of saving Helsinki copied 2 × 2), and the text
    depends on nothing else.
    """
    return format_decimal(number, format=pattern, locale=babel_locale(language))


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
        return _("yes") if value else _("no")
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
    number = round(number, digits)
    if number == 0:
        number = 0.0  # no "-0"
    # optional decimals ("#"): they show only where they say something: 5 lx, 0.4 lx
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    text = _formatted(number, pattern, current_language())
    if unit == "of 100":
        return _("{score} of 100").format(score=text)
    if unit == "%":
        return _("{share} %").format(share=text)
    return f"{text} {unit}" if unit else text


#: How a score column is named for a planner (other columns: "_" read as a space).
SCORE_LABELS = {
    "cpted_score": N_("CPTED score"),
    "sightlines_score": N_("sightlines score"),
    "lighting_score": N_("lighting score"),
    "surveillance_score": N_("surveillance score"),
    "access_score": N_("access score"),
    "vulnerability_score": N_("vulnerability score"),
    "door_sightlines_score": N_("door sightlines score"),
    "door_lighting_score": N_("door lighting score"),
    "door_surveillance_score": N_("door surveillance score"),
    "door_access_score": N_("door access score"),
}


def score_label(column: str) -> str:
    """Name a score column in the current language: ``"lighting_score"`` -> "lighting score"."""
    return _(SCORE_LABELS[column]) if column in SCORE_LABELS else column.replace("_", " ")


def say_change(value: Any, digits: int = 1) -> str:
    """Write a change with its sign in the current language's notation: "+2.5", "−0,4".

    A change that rounds to zero reads "+0.0", never "-0.0".
    """
    number = _number(value)
    if number is None:
        return "–"
    zeros = "0" * digits
    pattern = f"+#,##0.{zeros};-#,##0.{zeros}" if digits else "+#,##0;-#,##0"
    number = round(number, digits)
    return _formatted(0.0 if number == 0 else number, pattern, current_language())
