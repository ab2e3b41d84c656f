"""
Render folium pages without compiling rendered text as a template a second time.

branca draws a page in two passes. Each element's Jinja macros are rendered, and the
output (which already holds the data: GeoJSON, tooltip fields, layer names) is wrapped in
``branca.element.Element(output)``, whose constructor compiles that text as a *new* Jinja
template. Data text that contains ``{{ }}``, ``{% %}`` or ``{# #}`` is then evaluated:
a street named ``{{ 7*7 }}`` shows as "49", ``{% raw %}`` stops the page with a
``TemplateSyntaxError``, and a quote-free expression through ``lipsum.__globals__`` runs
a shell command. HTML escaping cannot help, since the delimiters contain no HTML
characters.

The fix belongs where the second compile happens, not in the data: every page cpted
renders (audit map, report, compare and field-audit maps, notebook reprs) is drawn by a
:class:`SafeFigure`, which, while it renders, makes every ``Element(text)`` created during
rendering keep ``text`` verbatim. Rendered output is final: it is never parsed as a
template again, whatever the data holds and whichever element (folium's or ours) wrapped
it. The templates that elements are *defined* with are compiled as usual, before
rendering; those are our code and folium's, never data.

Escaping every template delimiter in the data would also close the hole, but only for the
text that passed through our escaping, and it changes what the planner reads; serialising
the GeoJSON outside the render would leave layer names, legends and tooltips open.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import branca.element

__all__ = ["SafeFigure", "compact_json", "verbatim_rendering"]

_LOCK = threading.RLock()
_DEPTH = 0
_ORIGINAL_INIT = branca.element.Element.__init__


class _Verbatim:
    """Stands in for a compiled template: renders to its text, unchanged."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self.text


def _verbatim_init(
    self: branca.element.Element, template: str | None = None, template_name: str | None = None
) -> None:
    _ORIGINAL_INIT(self, None, template_name)
    if template is not None:
        # Keep the text, never compile it; and drop the source string so that unpickling
        # (branca re-compiles ``_template_str``) cannot compile it either.
        self._template = _Verbatim(str(template))  # type: ignore[assignment]
        self._template_str = None


@contextlib.contextmanager
def verbatim_rendering() -> Iterator[None]:
    """
    While this context is open, ``branca.element.Element(text)`` keeps ``text`` verbatim.

    The switch is process-wide (branca's constructor is a class attribute), so it is held
    under a lock and undone on exit, also when rendering fails; nested use is fine.
    """
    global _DEPTH
    with _LOCK:
        if _DEPTH == 0:
            branca.element.Element.__init__ = _verbatim_init  # type: ignore[method-assign]
        _DEPTH += 1
        try:
            yield
        finally:
            _DEPTH -= 1
            if _DEPTH == 0:
                branca.element.Element.__init__ = _ORIGINAL_INIT  # type: ignore[method-assign]


@contextlib.contextmanager
def compact_json() -> Iterator[None]:
    r"""
    While this context is open, the ``tojson`` filter writes JSON without spaces.

    ``tojson`` (Jinja's ``htmlsafe_json_dumps``: ``<``, ``>``, ``&`` and ``'`` escaped)
    separates items with ``", "`` and keys with ``": "``; in a page of GeoJSON those
    spaces are a tenth of the bytes; and text stays UTF-8 (the page's charset) instead of
    ``\uXXXX`` escapes. The HTML escaping of ``<``, ``>``, ``&`` and ``'`` is kept. The
    policy belongs to the template environments (folium's and branca's), so it is set
    under the rendering lock and restored on exit.
    """
    import folium.template

    envs = {id(e): e for e in (folium.template.Template("").environment,
                               branca.element.Template("").environment)}  # fmt: skip
    with _LOCK:
        saved = {key: env.policies.get("json.dumps_kwargs") for key, env in envs.items()}
        for env in envs.values():
            kwargs = dict(env.policies.get("json.dumps_kwargs") or {})
            env.policies["json.dumps_kwargs"] = {
                **kwargs,
                "separators": (",", ":"),
                # the page is UTF-8: "–" as itself, not as a six-byte "\\u2013"
                "ensure_ascii": False,
            }
        try:
            yield
        finally:
            for key, env in envs.items():
                env.policies["json.dumps_kwargs"] = saved[key]


class SafeFigure(branca.element.Figure):
    """A branca Figure whose rendered parts are never compiled as templates again."""

    def render(self, **kwargs: Any) -> str:
        """Render the page (JSON without spaces); see :func:`verbatim_rendering`."""
        with verbatim_rendering(), compact_json():
            return super().render(**kwargs)
