"""cpted: Crime Prevention Through Environmental Design analysis of real places."""

from __future__ import annotations

from cpted import settings
from cpted._errors import CptedError, CRSError, DataError, InputError

__version__ = "0.1.0"

__all__ = ["CRSError", "CptedError", "DataError", "InputError", "__version__", "settings"]
