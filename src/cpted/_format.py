"""How the report writes a number: one rounding rule per kind of figure, written once.

Scores are whole numbers (a score of 63.4 claims a precision the data does not have);
each measure keeps its unit's sensible precision: metres whole, lux to 0.1 (0.01 below
1 lx, where the dark gaps differ by tenths), shares as whole percent. A missing value is
an en dash. Every function returns plain text; the caller escapes it for HTML.

Figures follow the current language (:func:`cpted._i18n.use`): English keeps Python's
own notation (``1,204 m``, ``42%``), byte for byte as before; French, Spanish and German
write the decimal comma and their own grouping and percent sign (``1 204 m``,
``12,5 lx``, ``42 %``) from Babel's CLDR data.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from cpted._i18n import N_, SOURCE_LANGUAGE, _, current_language

__all__ = [
    "barrier_rating",
    "count",
    "general",
    "is_missing",
    "is_rating",
    "kilometres",
    "lux",
    "metres",
    "number",
    "score",
    "share",
    "vehicle_name",
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


def _english() -> bool:
    return current_language() == SOURCE_LANGUAGE


@functools.cache
def _notation(language: str) -> tuple[dict[int, str], str, str]:
    """
    Read a language's number symbols from CLDR (through Babel).

    Returns Python's ``,.-`` mapped to them, and what comes before and after a whole
    percent (``42 %`` in French).
    """
    from babel import Locale
    from babel.numbers import format_percent

    symbols = Locale.parse(language).number_symbols["latn"]
    table = str.maketrans(
        {",": symbols["group"], ".": symbols["decimal"], "-": symbols["minusSign"]}
    )
    before, _n, after = format_percent(0.42, locale=language).partition("42")
    return table, before, after


def _decimal(v: float, digits: int, *, group: bool = True) -> str:
    """Write ``v`` in the current language: Python's notation in English, else CLDR's.

    Python rounds and groups (by threes, as Babel's ``format_decimal`` does with a
    ``#,##0`` pattern); the language's symbols replace Python's. This is what Babel
    writes, at a hundredth of its cost (an audit writes tens of thousands of figures).
    """
    text = f"{v:,.{digits}f}" if group else f"{v:.{digits}f}"
    return text if _english() else text.translate(_notation(current_language())[0])


def _percent(v: float) -> str:
    if _english():
        return f"{v:.0%}"
    table, before, after = _notation(current_language())
    return before + f"{v * 100:.0f}".translate(table) + after


def general(value: Any) -> str:
    """Write a figure with no more digits than it has (``7.2``, ``1.5``), as ``{:g}`` does."""
    v = _float(value)
    if math.isnan(v):
        return MISSING
    return f"{v:g}" if _english() else f"{v:g}".translate(_notation(current_language())[0])


def score(value: Any) -> str:
    """Write a 0-100 score as a whole number: ``63``."""
    v = _float(value)
    return MISSING if math.isnan(v) else _decimal(v, 0, group=False)


def metres(value: Any, *, unit: bool = True) -> str:
    """Write a length in whole metres, thousands separated: ``1,204 m``."""
    v = _float(value)
    if math.isnan(v):
        return MISSING
    text = _decimal(v, 0)
    return f"{text} m" if unit else text


def kilometres(value_m: Any) -> str:
    """Write a length given in metres as km to 0.1: ``12.3 km``."""
    v = _float(value_m)
    return MISSING if math.isnan(v) else f"{_decimal(v / 1000, 1)} km"


def lux(value: Any, *, unit: bool = True) -> str:
    """Illuminance to 0.1 lx, to 0.01 lx below 1 lx: ``3.2 lx``, ``0.45 lx``."""
    v = _float(value)
    if math.isnan(v):
        return MISSING
    text = _decimal(v, 2, group=False) if abs(v) < 1 else _decimal(v, 1)
    return f"{text} lx" if unit else text


def share(value: Any) -> str:
    """Write a share 0-1 as whole percent: ``42%``."""
    v = _float(value)
    return MISSING if math.isnan(v) else _percent(v)


def number(value: Any, digits: int = 0, *, group: bool = True) -> str:
    """Write any other figure, thousands separated (unless not ``group``), to ``digits``."""
    v = _float(value)
    return MISSING if math.isnan(v) else _decimal(v, digits, group=group)


def count(n: Any, noun: str, plural: str | None = None) -> str:
    """``1 hiding place``, ``2 hiding places``; give ``plural`` where it is not noun + s."""
    k = 0 if is_missing(n) else int(float(n))
    if k == 1:
        return f"1 {noun}"
    if plural is None:
        plural = noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{k:,} {plural}"


_RATING = r"V/(\d+)\[([A-Z0-9]+)\]/(>?)(\d+)"


def is_rating(code: Any) -> bool:
    """Tell whether ``code`` is an IWA 14-1 rating such as ``V/7200[N2A]/48``."""
    import re

    return isinstance(code, str) and re.fullmatch(_RATING, code.strip()) is not None


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
    match = re.fullmatch(_RATING, text.strip())
    if not match:
        return text or MISSING
    mass, test_class, above, speed = match.groups()
    vehicle = next(
        (vehicle_name(name) for name, v in settings.VEHICLES.items()
         if v.get("test_class") == test_class),
        _("class {test_class} vehicle").format(test_class=test_class),
    )  # fmt: skip
    at = (_("over {speed} km/h") if above else _("{speed} km/h")).format(speed=speed)
    what = _("a {mass} t {vehicle} at {speed} (IWA 14-1 {rating})").format(
        mass=general(float(mass) / 1000), vehicle=vehicle, speed=at, rating=text.strip()
    )
    return what if short else _("a barrier rated for {what}").format(what=what)


#: The test vehicles of :data:`cpted.settings.VEHICLES`, in words (IWA 14-1 classes).
_VEHICLE_WORDS = {
    "car": N_("car"),
    "van": N_("van"),
    "light_truck": N_("light truck"),
    "heavy_truck": N_("heavy truck"),
}


def vehicle_name(name: Any) -> str:
    """Name a test vehicle of :data:`cpted.settings.VEHICLES` in words: ``light truck``."""
    key = str(name)
    return _(_VEHICLE_WORDS[key]) if key in _VEHICLE_WORDS else key.replace("_", " ")
