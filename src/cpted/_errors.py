"""The errors cpted raises on bad input.

Every error cpted raises because of what it was given derives from :class:`CptedError`,
so a caller (or the CLI) can catch one class and show its message, which always says what
was wrong, where, and what to do about it.
"""

from __future__ import annotations

__all__ = ["CRSError", "CptedError", "CptedWarning", "DataError", "InputError"]


class CptedError(Exception):
    """Base of every error cpted raises on bad input."""


class InputError(CptedError, ValueError):
    """An argument, a file or a layer cannot be used as given."""


class CRSError(CptedError, ValueError):
    """Geometry is in a coordinate reference system a measure cannot use."""


class DataError(CptedError):
    """The data is readable but does not hold what the analysis needs."""


class CptedWarning(UserWarning):
    """cpted used the data but changed or doubted part of it; the message says what."""
