"""The words cpted writes for people, in their language: gettext catalogues through Babel.

Every sentence a planner reads (report, map, advice, CLI messages) is written in the
code in English and wrapped in :func:`_` (or :func:`n_` when it has a plural, :func:`N_`
where it is only marked, at module level, and translated where it is shown). The
translations are gettext catalogues, ``cpted/locale/<lang>/LC_MESSAGES/*.po`` (one file
per part of the product: ``report.po``, ``map.po``, ...; together they form the ``cpted``
domain); a language is shipped by adding its folder, with no code change
(:func:`languages`).

The language is a context: :func:`use` sets it for the text written inside a ``with``
block (the report, the map, ``Audit.save``), and it is read where a sentence is made.
Outside any block, the language is that of the machine's locale
(:func:`default_language`), English when no catalogue matches.

Numbers follow the language too: :func:`decimal` writes ``12.5`` in English and
``12,5`` in French, Spanish and German (Babel's CLDR data).

Catalogues are read from the ``.po`` text and compiled in memory (Babel's ``write_mo``)
once per process, so a translation edited in the ``.po`` file takes effect at once and
no compiled ``.mo`` file can go stale.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import locale as _locale
import os
from collections.abc import Iterator
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog

__all__ = [
    "N_",
    "_",
    "current_language",
    "decimal",
    "default_language",
    "languages",
    "n_",
    "use",
]

#: The language the code's messages are written in.
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "cpted"

_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cpted_language", default=None
)


def languages() -> tuple[str, ...]:
    """Return the languages cpted writes: English and every shipped catalogue."""
    found = {SOURCE_LANGUAGE}
    if LOCALE_DIR.is_dir():
        found.update(p.name for p in LOCALE_DIR.iterdir() if p.is_dir() and catalogue_files(p.name))
    return tuple(sorted(found, key=lambda code: (code != SOURCE_LANGUAGE, code)))


def catalogue_files(language: str) -> list[Path]:
    """Return the ``.po`` files of ``language``, in name order (none for English)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


def _match(code: str | None) -> str | None:
    """Map a locale name (``fr_FR.UTF-8``, ``de-AT``, ``es``) to a shipped language."""
    if not code:
        return None
    base = code.split(".")[0].split("@")[0].replace("-", "_")
    shipped = languages()
    for candidate in (base, base.split("_")[0]):
        if candidate.lower() in shipped:
            return candidate.lower()
    return None


_LOCALE_VARIABLES = ("CPTED_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def default_language() -> str:
    """Return the machine's language if cpted ships it, else English.

    ``CPTED_LANG`` wins, then the POSIX variables (``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
    ``LANGUAGE``), then Python's locale. The answer is kept for as long as those variables
    keep their values: every sentence written outside :func:`use` asks for it.
    """
    return _default_language(tuple(os.environ.get(v) for v in _LOCALE_VARIABLES))


@functools.lru_cache(maxsize=8)
def _default_language(_environment: tuple[str | None, ...]) -> str:
    for var in ("CPTED_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        found = _match(os.environ.get(var))
        if found:
            return found
    for part in os.environ.get("LANGUAGE", "").split(":"):
        found = _match(part)
        if found:
            return found
    with contextlib.suppress(ValueError, TypeError):
        found = _match(_locale.getlocale()[0])
        if found:
            return found
    return SOURCE_LANGUAGE


def check_language(language: str | None) -> str:
    """Return the shipped language ``language`` names (default: the machine's).

    Raises :class:`cpted.InputError` naming the shipped languages when there is none.
    """
    if language is None:
        return default_language()
    found = _match(str(language))
    if found is None:
        from cpted._errors import InputError

        msg = _(
            "cpted has no catalogue for language {language}; it writes "
            "{languages} (add one in cpted/locale/<lang>/LC_MESSAGES/)."
        ).format(language=repr(language), languages=", ".join(languages()))
        raise InputError(msg)
    return found


def current_language() -> str:
    """Return the language text is written in here (see :func:`use`)."""
    lang = _LANGUAGE.get()
    return lang if lang is not None else default_language()


@contextlib.contextmanager
def use(language: str | None) -> Iterator[str]:
    """Write the text made inside the block in ``language`` (None: keep the current one)."""
    if language is None:
        yield current_language()
        return
    token = _LANGUAGE.set(check_language(language))
    try:
        yield _LANGUAGE.get() or SOURCE_LANGUAGE
    finally:
        _LANGUAGE.reset(token)


def catalogue(language: str) -> Catalog | None:
    """Read the catalogue of ``language``: its ``.po`` files merged (None when it has none).

    The files are merged in name order; a later file's entry replaces an earlier one's.
    """
    from babel.messages.pofile import read_po

    catalog = None
    for path in catalogue_files(language):
        with path.open("rb") as f:
            part = read_po(f, locale=language, domain=DOMAIN)
        if catalog is None:  # the first file gives the header (plural rule)
            catalog = part
            continue
        for message in part:
            if message.id:
                catalog[message.id] = message
    return catalog


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    """Compile the catalogue of ``language`` in memory (no translation for English)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    catalog = catalogue(language)
    if catalog is None:  # the folder emptied since languages() looked
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _(message: str) -> str:
    """Translate ``message`` into the current language (the English text when untranslated)."""
    if not message:
        return message
    return _translations(current_language()).gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural, chosen for ``n`` by the language's plural rule."""
    return _translations(current_language()).ngettext(singular, plural, n)


def p_(context: str, message: str) -> str:
    """Translate ``message`` in ``context`` (a short word where one English text has two senses)."""
    return _translations(current_language()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (translate it where shown)."""
    return message


def babel_locale(language: str | None = None) -> Locale:
    """Return the Babel ``Locale`` of ``language`` (default: the current language)."""
    return Locale.parse(language or current_language())


def decimal(value: float, digits: int = 0, *, group: bool = True) -> str:
    r"""Write ``value`` with ``digits`` decimals in the current language's notation.

    >>> with use("fr"):
    ...     decimal(1234.5, 1).replace("\N{NARROW NO-BREAK SPACE}", " ")
    '1 234,5'
    >>> with use("en"):
    ...     decimal(1234.5, 1)
    '1,234.5'
    """
    from babel.numbers import format_decimal

    fmt = "#,##0" if group else "0"
    if digits:
        fmt += "." + "0" * digits
    return format_decimal(round(value, digits), format=fmt, locale=babel_locale())
