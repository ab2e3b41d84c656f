"""The message catalogues' upkeep: extract the messages, find what a language lacks.

``python -m cpted._catalogs`` (``make catalogs``) extracts every message the source marks
(``_``, ``n_``, ``N_``, ``p_``; :mod:`cpted._i18n`) with Babel into
``cpted/locale/cpted.pot``, then lists, per shipped language, the messages that none of
its ``.po`` files translates (missing, empty or fuzzy), the translations whose
placeholders differ from the English ones, and the messages two files of one language
translate differently. The exit code is 1 when anything is listed, so a build can stop
on it. Nothing here runs at install or at run time: :mod:`cpted._i18n` reads the ``.po``
files themselves.
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from cpted._i18n import DOMAIN, LOCALE_DIR, SOURCE_LANGUAGE, catalogue_files, languages

__all__ = [
    "KEYWORDS",
    "Check",
    "check",
    "extract",
    "main",
    "merged",
    "placeholders",
    "write_template",
]

SOURCE_DIR = Path(__file__).parent
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"

#: The marking functions of :mod:`cpted._i18n`, as Babel's extractor reads them:
#: ``_(msg)``, ``n_(singular, plural, n)``, ``N_(msg)``, ``p_(context, msg)``.
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "N_": None,
    "n_": (1, 2),
    "p_": ((1, "c"), 2),
}

MessageId = str | tuple[str, ...] | list[str]


def extract(source: Path = SOURCE_DIR) -> Catalog:
    """
    Extract every marked message of the Python files under ``source`` into a catalogue.

    Returns
    -------
    babel.messages.catalog.Catalog
        The English messages (the template), each with the places it is used.
    """
    from babel.messages.extract import extract_from_dir

    from cpted import __version__

    catalog = Catalog(
        project="cpted",
        version=__version__,
        copyright_holder="The cpted developers",
        domain=DOMAIN,
        fuzzy=False,
        header_comment="# The messages cpted writes for people, extracted from its source.\n"
        "# Regenerate with `make catalogs`; translate them in <lang>/LC_MESSAGES/*.po.",
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        str(source),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            None,
            [(str(Path("cpted") / filename), lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def write_template(catalog: Catalog, path: Path = TEMPLATE) -> Path:
    """Write ``catalog`` as the ``.pot`` template at ``path``."""
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True)
    return path


def _key(message: Message) -> tuple[MessageId, str | None]:
    return message.id, message.context


@dataclass
class Merged:
    """One language's ``.po`` files merged, and the conflicts between them."""

    messages: dict[tuple[MessageId, str | None], Message] = field(default_factory=dict)
    #: (message id, file, other file) where two files translate one id differently.
    conflicts: list[tuple[MessageId, str, str]] = field(default_factory=list)
    #: The plural count each file's header declares, by file name.
    plurals: dict[str, int] = field(default_factory=dict)


def merged(language: str, files: Iterable[Path] | None = None) -> Merged:
    """
    Read and merge the ``.po`` files of ``language``, as :mod:`cpted._i18n` does.

    A file that does not parse raises Babel's ``PoFileError`` (naming the line), and so
    does a quoted line left open (which Babel's reader would quietly mend); an id two
    files translate differently is listed in ``conflicts``.
    """
    from babel.messages.pofile import read_po

    out = Merged()
    where: dict[tuple[MessageId, str | None], str] = {}
    for path in catalogue_files(language) if files is None else files:
        _check_quotes(Path(path))
        with Path(path).open("rb") as f:
            catalog = read_po(f, locale=language, domain=DOMAIN, abort_invalid=True)
        out.plurals[Path(path).name] = catalog.num_plurals
        for message in catalog:
            if not message.id:
                continue
            key = _key(message)
            if key in out.messages and out.messages[key].string != message.string:
                out.conflicts.append((message.id, where[key], Path(path).name))
                continue
            out.messages.setdefault(key, message)
            where.setdefault(key, Path(path).name)
    return out


_QUOTED = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"$')


def _check_quotes(path: Path) -> None:
    """Raise ``PoFileError`` on a line of ``path`` whose quoted text is not closed."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import PoFileError

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if text.startswith(("msg", '"')) and not _QUOTED.match(text):
            msg = f"{path.name}:{lineno}: the quoted text is not closed: {text[:60]}"
            raise PoFileError(msg, Catalog(), text, lineno)


_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0+-]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> set[str]:
    """Return the placeholders of ``text``: ``{name}`` fields and ``%(name)s``-style ones."""
    found = {m.group(0) for m in _PRINTF.finditer(text) if m.group(0) != "%%"}
    try:
        fields = {
            "{" + name + "}"
            for _literal, name, _spec, _conv in string.Formatter().parse(text)
            if name is not None
        }
    except ValueError:  # unbalanced braces: reported as an odd placeholder
        fields = {"{?}"}
    return found | fields


def _texts(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


@dataclass
class Check:
    """What one language's catalogues lack, measured against the template."""

    language: str
    missing: list[MessageId] = field(default_factory=list)
    fuzzy: list[MessageId] = field(default_factory=list)
    placeholders: list[tuple[MessageId, str]] = field(default_factory=list)
    conflicts: list[tuple[MessageId, str, str]] = field(default_factory=list)
    plural_forms: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        """Tell whether anything is wrong."""
        return bool(
            self.missing or self.fuzzy or self.placeholders or self.conflicts or self.plural_forms
        )


def check(language: str, template: Catalog, files: Iterable[Path] | None = None) -> Check:
    """
    Check the catalogues of ``language`` against the ``template`` of extracted messages.

    Every message must have a non-empty translation that is not fuzzy (for a plural, every
    form the language's ``Plural-Forms`` counts), holding exactly the placeholders of its
    English text; no two files may translate a message differently.
    """
    po = merged(language, files)
    result = Check(language, conflicts=po.conflicts)
    counts = set(po.plurals.values())
    if len(counts) > 1:  # the merged domain has one plural rule: its files must agree
        result.plural_forms += [f"{name}: nplurals={n}" for name, n in po.plurals.items()]
    nplurals = max(counts, default=2)
    for message in template:
        if not message.id:
            continue
        found = po.messages.get(_key(message))
        if found is None:
            result.missing.append(message.id)
            continue
        forms = _texts(found.string)
        if found.fuzzy:
            result.fuzzy.append(message.id)
        if not all(f.strip() for f in forms) or (message.pluralizable and len(forms) < nplurals):
            result.missing.append(message.id)
            continue
        english = placeholders(" ".join(_texts(message.id)))
        for form in forms:
            have = placeholders(form)
            # a singular form may name the count in words ("un tronçon") and drop {n}
            allowed = english - {"{n}"} if message.pluralizable else english
            if not (allowed <= have <= english):
                result.placeholders.append((message.id, form))
    return result


def main(argv: list[str] | None = None) -> int:
    """Extract the template and report what each language lacks; 1 when anything does."""
    template = extract()
    path = write_template(template)
    print(f"{len(template)} messages extracted into {path}")
    status = 0
    for language in languages():
        if language == SOURCE_LANGUAGE:
            continue
        result = check(language, template)
        print(
            f"{language}: {len(result.missing)} missing, {len(result.fuzzy)} fuzzy, "
            f"{len(result.placeholders)} with other placeholders, "
            f"{len(result.conflicts)} translated differently in two files"
        )
        for problem in result.plural_forms:
            print(f"  plural forms: {problem}")
        for message_id in result.missing:
            print(f"  missing: {message_id!r}")
        for message_id in result.fuzzy:
            print(f"  fuzzy: {message_id!r}")
        for message_id, form in result.placeholders:
            print(f"  placeholders: {message_id!r} -> {form!r}")
        for message_id, one, other in result.conflicts:
            print(f"  conflict: {message_id!r} in {one} and {other}")
        status = status or int(bool(result))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
