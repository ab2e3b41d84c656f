"""
Reading a large file in a process of its own, so the caller keeps only what was read.

Reading an OpenStreetMap file makes millions of short-lived Python objects (the nodes'
coordinates, the ways' tags, the simplified graphs' intermediate edges) among the few that
last (the StudyArea's tables and graphs). Once the reading is done, the freed memory stays
with the process: CPython's object allocator can hand an arena back only when every object
in it is gone, and the lasting objects are spread over most of them. Measured on Helsinki
copied 3 × 3 (issue 15): the StudyArea is 133 MB of live objects, but the process that
read it holds 317 MB more than before, and that difference grows with the area (it was
the largest part of the calling process's growth with the area at city scale).

:func:`read_apart` runs the reading in a fresh Python (``python -m cpted._apart``, not
``multiprocessing``: a fresh process started that way would import the user's script
again) and takes back the StudyArea pickled, which is the live objects only. The child
gets the values of :mod:`cpted.settings` and the language of the caller; what it writes
to standard error (the progress bar) is copied to the caller's, so a notebook shows it;
the warnings it gives are given again by the caller; and an error it raises is raised by
the caller, with its class and message. A file smaller than
:data:`cpted.settings.READ_APART_MB` is read in the calling process: the child's start
(importing cpted, about a second) would cost more than the memory it saves there.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

from cpted import settings
from cpted._errors import CptedError, InputError

__all__ = ["apart_worth_it", "read_apart"]

#: Set in the child's environment: a child reads in its own process, never in another.
CHILD_FLAG = "CPTED_READING_APART"

#: How much larger an uncompressed OSM XML file is than the same data as PBF (or
#: compressed XML), roughly: XML spells every tag and coordinate out.
_XML_FACTOR = 10.0


def apart_worth_it(path: Path) -> bool:
    """Say whether ``path`` is large enough to be read in a process of its own."""
    if os.environ.get(CHILD_FLAG) or settings.READ_APART_MB is None:
        return False
    try:
        size = path.stat().st_size / 2**20
    except OSError:
        return False  # the reader says what is wrong with it
    if path.name.lower().endswith(".osm"):
        size /= _XML_FACTOR
    return size >= float(settings.READ_APART_MB)


def _copy(source: Any, target: Any) -> None:
    """Copy the child's standard error to the caller's as it comes (a progress bar)."""
    for chunk in iter(lambda: source.read1(4096), b""):
        with contextlib.suppress(Exception):  # a closed or odd stream: the bar is lost only
            target.write(chunk.decode("utf-8", "replace"))
            target.flush()


def read_apart(function: str, *args: Any, **kwargs: Any) -> Any:
    """
    Call ``cpted.area.<function>(*args, **kwargs)`` in a fresh Python; return its result.

    The child's warnings are given again here, and its error raised here. If the child
    cannot be started, or dies without an answer (killed for memory), an
    :class:`~cpted.InputError` says so.
    """
    from cpted._i18n import current_language
    from cpted._tiles import settings_snapshot

    with tempfile.TemporaryDirectory(prefix="cpted-read-") as folder:
        ask, answer = Path(folder) / "ask.pickle", Path(folder) / "answer.pickle"
        job = (function, args, kwargs, settings_snapshot(), current_language())
        ask.write_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        env = {**os.environ, CHILD_FLAG: "1"}
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "cpted._apart", str(ask), str(answer)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            msg = f"Could not start a Python ({sys.executable}) to read the file in: {exc}."
            raise InputError(msg) from exc
        relay = threading.Thread(target=_copy, args=(child.stderr, sys.stderr), daemon=True)
        relay.start()
        try:
            code = child.wait()
        except BaseException:  # Ctrl-C in the caller stops the reading too
            child.kill()
            child.wait()
            raise
        finally:
            relay.join(timeout=5.0)
        if not answer.exists():
            msg = (
                f"The process reading the file stopped without an answer (exit code {code}); "
                "it may have run out of memory. Read a smaller boundary "
                "(area_from_file(path, boundary=...)), or set cpted.settings.READ_APART_MB = "
                "None to read in this process."
            )
            raise InputError(msg)
        status, value, caught = pickle.loads(answer.read_bytes())
    for message, category in caught:
        warnings.warn(message, category, stacklevel=3)
    if status == "error":
        raise value
    return value


def _child(ask: Path, answer: Path) -> int:
    """Run the job in ``ask`` and write its outcome to ``answer`` (in the child)."""
    from cpted import area
    from cpted._i18n import use
    from cpted._tiles import apply_settings

    function, args, kwargs, snapshot, language = pickle.loads(ask.read_bytes())
    apply_settings(snapshot)
    with warnings.catch_warnings(record=True) as caught, use(language):
        warnings.simplefilter("always")
        try:
            outcome: tuple[str, Any] = ("ok", getattr(area, function)(*args, **kwargs))
        except CptedError as exc:
            outcome = ("error", exc)
        except Exception as exc:  # said to the caller, whatever it is
            outcome = ("error", InputError(f"Reading the file failed: {exc!r}"))
    said = [(str(w.message), w.category) for w in caught]
    try:
        payload = pickle.dumps((*outcome, said), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # an error that does not pickle
        error = InputError(f"{type(outcome[1]).__name__}: {outcome[1]}")
        payload = pickle.dumps(("error", error, said), protocol=pickle.HIGHEST_PROTOCOL)
    partial = answer.with_suffix(".part")
    partial.write_bytes(payload)
    partial.replace(answer)  # whole or not at all: a child killed mid-write leaves none
    return 0


if __name__ == "__main__":
    sys.exit(_child(Path(sys.argv[1]), Path(sys.argv[2])))
