"""Where cpted writes: the one set of rules for output folders and report files.

Every folder cpted writes carries a small manifest (:data:`MANIFEST`: the cpted version,
the time, the files written). ``force`` replaces only such a folder, and only when it holds
nothing cpted did not write; it never replaces a folder that holds an input, the working
directory or one of its parents, the home directory, a filesystem root or a mount point.
An existing empty folder may be written into without ``force``.

A folder is written under an exclusive lock (``.NAME.lock`` beside it, holding the pid of
the writer), into a hidden staging folder beside it (``.NAME.staging-PID-XXXX``), and
swapped in only when complete: the previous output is renamed aside (``.NAME.old-PID``),
the staging folder renamed into place, and only then the previous output deleted. A run
that is killed half way therefore leaves either the old or the new output reachable; the
next run on the same target puts an orphaned old output back (or deletes it, if the new
one made it into place) and removes staging folders whose writer is dead, saying so on the
``cpted`` logger.

:func:`check_target` is what the command line calls before the long audit starts and what
:func:`writing` calls again under the lock, so a bad ``--out`` fails within a second.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from cpted._errors import InputError
from cpted._i18n import N_, _

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the lock falls back to O_EXCL alone
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "MANIFEST",
    "check_report",
    "check_target",
    "claim",
    "read_manifest",
    "write_file",
    "writing",
]

log = logging.getLogger("cpted")

#: The file that marks a folder as written by cpted (and lists what it wrote).
MANIFEST = ".cpted-output.json"

#: Files others add to a folder they look at, which ``force`` may delete with it: desktop
#: litter, and side files GIS programs write next to the files cpted wrote
#: (``cpted.gpkg-wal``, ``lighting_lux.tif.aux.xml``), which start with their name.
_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

_FORCE_HINT = N_("choose another folder or pass force=True (--force on the command line)")

Paths = Iterable[str | os.PathLike[str]] | None


# -- the checks --------------------------------------------------------------------------


def check_target(
    path: str | os.PathLike[str], *, force: bool = False, inputs: Paths = None
) -> Path:
    """
    Check that cpted may write its output folder at ``path``; raise InputError if not.

    Nothing is created or changed: the parent is probed with a directory that is removed
    at once.

    Parameters
    ----------
    path
        The output folder.
    force
        Whether an existing folder written by cpted may be replaced.
    inputs
        The files the run reads; a folder that holds one of them is never replaced.

    Returns
    -------
    pathlib.Path
        ``path`` as a Path.
    """
    target = Path(path)
    _refuse_special(target, what="output folder")
    if target.is_symlink():
        msg = _(
            "The output folder {target} is a symbolic link; give the folder it points to, "
            "or another folder."
        ).format(target=target)
        raise InputError(msg)
    if target.exists() and not target.is_dir():
        msg = _(
            "The output folder {target} is an existing file; choose a folder with --out."
        ).format(target=target)
        raise InputError(msg)
    if target.is_dir():
        _check_replaceable(target, force=force, inputs=inputs)
    _probe_parent(target)
    return target


def check_report(
    path: str | os.PathLike[str], *, force: bool = False, inputs: Paths = None
) -> Path:
    """Check that a single output file (the report) may be written at ``path``."""
    target = Path(path)
    _refuse_special(target, what="report")
    if target.is_dir():
        msg = _("The report {target} is a folder; give the path of an .html file.").format(
            target=target
        )
        raise InputError(msg)
    for source in _existing(inputs):
        if target.exists() and os.path.samefile(target, source):
            msg = _("The report {target} is an input of this run; it is never overwritten.").format(
                target=target
            )
            raise InputError(msg)
    if target.exists() and not force:
        msg = _(
            "The report {target} exists already; choose another path or pass force=True."
        ).format(target=target)
        raise InputError(msg)
    _probe_parent(target)
    return target


def read_manifest(folder: str | os.PathLike[str]) -> dict | None:
    """Return the manifest of a folder cpted wrote, or None if it has none (or a broken one)."""
    try:
        text = (Path(folder) / MANIFEST).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("written_by") == "cpted" else None


def _refuse_special(target: Path, *, what: str) -> None:
    """Refuse the places no output may replace, with or without ``force``."""
    resolved = target.resolve()
    cwd = Path.cwd().resolve()
    reasons = []
    if resolved == cwd or resolved in cwd.parents:
        reasons.append(_("the working directory or one of its parents"))
    if resolved == Path.home().resolve():
        reasons.append(_("the home directory"))
    if resolved.parent == resolved:
        reasons.append(_("a filesystem root"))
    elif resolved.is_dir() and os.path.ismount(resolved):
        reasons.append(_("a mount point"))
    if reasons:
        places = _(" and ").join(reasons)
        if what == "report":
            msg = _(
                "The report {target} is {places}; cpted never writes over it. "
                "Choose a new folder inside it."
            ).format(target=target, places=places)
        else:
            msg = _(
                "The output folder {target} is {places}; cpted never writes over it. "
                "Choose a new folder inside it."
            ).format(target=target, places=places)
        raise InputError(msg)


def _check_replaceable(target: Path, *, force: bool, inputs: Paths) -> None:
    """Check an existing folder: empty, or written by cpted and ``force`` given."""
    entries = _entries(target)
    if not entries:
        return  # an empty folder (mkdir out) is taken as it is
    resolved = target.resolve()
    for source in _existing(inputs):
        if resolved in Path(source).resolve().parents:
            msg = _(
                "The output folder {target} holds {name}, an input of this run; "
                "cpted never replaces it. Choose another folder with --out."
            ).format(target=target, name=Path(source).name)
            raise InputError(msg)
    manifest = read_manifest(target)
    if manifest is None:
        msg = _(
            "The output folder {target} exists already and was not written by cpted "
            "(it has no {manifest}); nothing in it was touched. Choose another folder "
            "(a folder from a cpted version without manifests: delete it yourself)."
        ).format(target=target, manifest=MANIFEST)
        raise InputError(msg)
    foreign = _foreign(entries, manifest)
    if foreign:
        shown = ", ".join(sorted(foreign)[:3]) + (", ..." if len(foreign) > 3 else "")
        msg = _(
            "The output folder {target} holds files cpted did not write ({shown}); nothing "
            "in it was touched. Move them out or choose another folder."
        ).format(target=target, shown=shown)
        raise InputError(msg)
    if not force:
        msg = _("The output folder {target} exists already; {hint} to replace it.").format(
            target=target, hint=_(_FORCE_HINT)
        )
        raise InputError(msg)


def _entries(folder: Path) -> list[str]:
    try:
        return [p.name for p in folder.iterdir()]
    except OSError as exc:
        msg = _("The output folder {folder} cannot be read ({reason}); choose another.").format(
            folder=folder, reason=exc.strerror
        )
        raise InputError(msg) from exc


def _foreign(entries: list[str], manifest: dict) -> set[str]:
    """Return the entries of a folder that its manifest does not account for."""
    written = {str(f) for f in manifest.get("files", [])} | {MANIFEST}
    return {
        e
        for e in entries
        if e not in written and e not in _LITTER and not any(e.startswith(w) for w in written)
    }


def _existing(inputs: Paths) -> list[Path]:
    out = []
    for item in inputs or ():
        path = Path(item)
        with contextlib.suppress(OSError):
            if path.exists():
                out.append(path)
    return out


def _probe_parent(target: Path) -> None:
    """Create and remove a directory where ``target`` would go, to prove that it can be."""
    parent = target.absolute().parent
    while not parent.exists() and parent.parent != parent:
        parent = parent.parent  # the missing folders are made later, by the save itself
    try:
        probe = tempfile.mkdtemp(prefix=f".{target.name}.probe-{os.getpid()}-", dir=parent)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        msg = _(
            "The output {target} cannot be written: no folder can be made in {parent} "
            "({reason}). Choose a writable place with --out."
        ).format(target=target, parent=parent, reason=reason)
        raise InputError(msg) from exc
    os.rmdir(probe)


# -- the lock ----------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists, under another user (or we cannot tell: assume alive)
    return True


def _read_lock(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _stale(info: dict) -> bool:
    """Whether a lock's recorded writer is certainly dead (same host, no such process)."""
    pid = info.get("pid")
    return isinstance(pid, int) and info.get("host") == socket.gethostname() and not _alive(pid)


#: The locks this process holds, by lock file, with the thread that holds each: a save
#: inside :func:`claim` (the CLI claims ``--out`` before the audit) takes its lock again.
_HELD: dict[Path, int] = {}


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``target`` (``.NAME.lock`` beside it) for the block."""
    lock = target.absolute().with_name(f".{target.name}.lock")
    if _HELD.get(lock) == threading.get_ident():
        yield
        return
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now()}
    for _attempt in range(5):
        if fcntl is None:  # pragma: no cover
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                held = _read_lock(lock)
                if _stale(held):
                    log.warning("Took over the lock %s of a dead cpted run.", lock)
                    lock.unlink(missing_ok=True)
                    continue
                raise _busy(target, held) from None
        else:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                    raise
                held = _read_lock(lock)
                if _stale(held):
                    # The writer died, yet its lock lives on in a child that inherited it.
                    log.warning("Took over the lock %s of a dead cpted run.", lock)
                    lock.unlink(missing_ok=True)
                    continue
                raise _busy(target, held) from None
            # Another run may have removed the file between our open and our lock.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(me).encode())
            _HELD[lock] = threading.get_ident()
            yield
        finally:
            _HELD.pop(lock, None)
            with contextlib.suppress(OSError):
                if os.path.samestat(os.fstat(fd), os.stat(lock)):
                    lock.unlink()
            os.close(fd)
        return
    raise _busy(target, _read_lock(lock))


def _busy(target: Path, held: dict) -> InputError:
    if "pid" in held:
        msg = _(
            "Another cpted run (pid {pid}, since {started}) is writing to {target}; wait for "
            "it to finish or choose another folder."
        ).format(pid=held["pid"], started=held.get("started", "?"), target=target)
    else:
        msg = _(
            "Another cpted run is writing to {target}; wait for it to finish or choose "
            "another folder."
        ).format(target=target)
    return InputError(msg)


# -- writing a folder --------------------------------------------------------------------

_AFTERMATH = re.compile(r"^\.(?P<name>.+)\.(?P<kind>staging|old|probe)-(?P<pid>\d+)(?:-.*)?$")


def _aftermath(target: Path) -> list[tuple[str, int, Path]]:
    """List the staging, old and probe folders runs on ``target`` left beside it."""
    found = []
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            match = _AFTERMATH.match(entry.name)
            if match and match["name"] == target.name:
                found.append((match["kind"], int(match["pid"]), entry))
    return found


def _recover(target: Path) -> None:
    """Put back or clear what an interrupted run on ``target`` left (the lock is held)."""
    # What carries this process's own pid is stale as well: with the lock held, this
    # process has no staging or old folder of the target yet, so those came from an
    # earlier run that had the same pid (in a container pids repeat from run to run).
    left = [
        (kind, path)
        for kind, pid, path in _aftermath(target)
        if path.is_dir() and not path.is_symlink() and (pid == os.getpid() or not _alive(pid))
    ]
    for kind, path in sorted(left, key=lambda item: item[1].stat().st_mtime, reverse=True):
        if kind == "probe":
            shutil.rmtree(path, ignore_errors=True)
        elif kind == "staging":
            log.warning("Removed %s, left half-written by an interrupted cpted run.", path)
            shutil.rmtree(path, ignore_errors=True)
        elif not target.exists() and not target.is_symlink():
            # Killed between its two renames: the previous output goes back in place.
            path.rename(target)
            log.warning("Restored %s from %s, set aside by an interrupted cpted run.", target, path)
        elif read_manifest(target) is not None:
            # Killed after the new output was in place: the old one is no longer needed.
            log.warning("Removed %s, the output an interrupted cpted run replaced.", path)
            shutil.rmtree(path, ignore_errors=True)
        else:
            log.warning("Kept %s, an earlier output set aside by an interrupted run.", path)


@contextlib.contextmanager
def claim(
    path: str | os.PathLike[str], *, force: bool = False, inputs: Paths = None
) -> Iterator[Path]:
    """
    Hold ``path`` for this run: check it, lock it, and put right what a killed run left.

    The command line claims ``--out`` before it reads any data, so a second run on the
    same folder stops at once instead of after its audit; a save inside the block
    (:func:`writing`) uses the lock already held.

    Parameters
    ----------
    path
        The output folder (see :func:`check_target` for what it may be).
    force
        Replace an existing folder written by cpted.
    inputs
        The files the run reads; a folder that holds one of them is never replaced.
    """
    target = check_target(path, force=force, inputs=inputs)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        _recover(target)
        check_target(target, force=force, inputs=inputs)  # again, now that it is ours
        yield target


@contextlib.contextmanager
def writing(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    inputs: Paths = None,
    kind: str = "audit",
) -> Iterator[Path]:
    """
    Write an output folder safely: yield a staging folder, then swap it in at ``path``.

    The block writes its files into the yielded folder. When it ends without an error the
    manifest is added and the folder takes the place of ``path``; the previous output
    stays reachable until then. When it raises, the staging folder is removed and
    ``path`` is left as it was.

    Parameters
    ----------
    path
        The output folder (see :func:`check_target` for what it may be).
    force
        Replace an existing folder written by cpted.
    inputs
        The files the run read; recorded in the manifest, and never replaced.
    kind
        What is written (``audit``, ``comparison``), recorded in the manifest.
    """
    with claim(path, force=force, inputs=inputs) as target:
        pid = os.getpid()
        staging = target.with_name(f".{target.name}.staging-{pid}-{secrets.token_hex(4)}")
        staging.mkdir()
        try:
            yield staging
            files = sorted(p.name for p in staging.iterdir())
            manifest = {
                "written_by": "cpted",
                "cpted_version": _version(),
                "kind": kind,
                "written": _now(),
                "inputs": [str(p.absolute()) for p in _existing(inputs)],
                "files": files,
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            _swap(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; the old output is deleted only once the new is there."""
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old)


# -- writing one file --------------------------------------------------------------------


def write_file(
    path: str | os.PathLike[str], text: str, *, force: bool = False, inputs: Paths = None
) -> Path:
    """
    Write ``text`` to the file ``path`` through a temporary file beside it and a rename.

    An interrupted write leaves no half file; temporary files of dead writers are removed.
    The checks are those of :func:`check_report`: an input is never overwritten, an
    existing file only with ``force``.
    """
    target = check_report(path, force=force, inputs=inputs)
    target.parent.mkdir(parents=True, exist_ok=True)
    for kind, pid, left in _aftermath(target):
        if kind == "staging" and left.is_file() and not _alive(pid):
            log.warning("Removed %s, left half-written by an interrupted cpted run.", left)
            left.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(name, 0o644)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target


def _version() -> str:
    from cpted import __version__

    return __version__


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
