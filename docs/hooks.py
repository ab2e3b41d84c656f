"""MkDocs hooks for the cpted site.

Our docstrings use Sphinx roles (``:func:`frontage```), which numpydoc readers expect;
mkdocstrings prints the role literally. Drop the role and keep the code-formatted name.
"""

from __future__ import annotations

import re

_ROLE = re.compile(r":(?:py:)?(?:func|data|class|meth|mod|attr|obj|exc|const):(?=<code>)")


def on_page_content(html: str, **kwargs: object) -> str:
    """Remove Sphinx role prefixes left in front of code spans."""
    return _ROLE.sub("", html)
