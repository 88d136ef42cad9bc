"""Write beside, then swap: the one way this project replaces a folder or a file.

Every command that writes (the executed notebooks, the HTML book, `tables`, `simulate`,
`from-records`, `ingest --write`, `book --out`) first writes into a staging folder on the same file
system and moves the result into place only when all of it succeeded. A failure removes the
staging folder and leaves the target exactly as it was, absent if it was absent; what a killed
process could not remove, the next write of the same target does. Names: `.staging-<name>-<pid>-…`
and `.old-<name>-<pid>` (the book's `_config.yml` excludes both).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2  # fcntl.h, linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not
    available (another system, an old kernel, a file system without it)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def replace(new: Path, target: Path) -> None:
    """Put `new` (a file or a folder) where `target` is, in one step where the system can swap two
    paths at once; elsewhere the old target is renamed aside and removed only once the new one is
    in place, so an interruption leaves one of them (`clear_leftovers` puts the old one back)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() and not target.is_symlink():
        new.rename(target)
        return
    if _exchange(new, target):
        _remove(new)  # now the old target
        return
    old = target.parent / f".old-{target.name}-{os.getpid()}"
    _remove(old)
    target.rename(old)
    new.rename(target)
    _remove(old)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _writer(path: Path, prefix: str) -> int | None:
    """The process id in a leftover's name (`<prefix><pid>-...` or `<prefix><pid>`), if any."""
    rest = path.name[len(prefix) :].split("-")[0]
    return int(rest) if rest.isdigit() else None


def clear_leftovers(target: Path) -> None:
    """Clear what interrupted writes of `target` left beside it, once the process that made them is
    gone: staging folders are removed, and an old target that was renamed aside and never replaced
    is put back. (The names carry the writer's process id: a write still under way is left
    alone.)"""
    target = Path(target).absolute()
    if not target.parent.is_dir():
        return
    for kind, restore in ((".old-", True), (".staging-", False)):
        prefix = f"{kind}{target.name}-"
        for leftover in target.parent.glob(f"{prefix}*"):
            pid = _writer(leftover, prefix)
            if pid is None or _alive(pid):
                continue
            if restore and not target.exists():
                leftover.rename(target)
            else:
                _remove(leftover)


def existing_ancestor(path: Path) -> Path:
    """The nearest folder above `path` (or `path` itself) that exists."""
    path = Path(path).absolute()
    while not path.exists():
        path = path.parent
    return path


def fresh_staging(target: Path) -> Path:
    """An empty staging folder for `target`, on the same file system (so the final move is a
    rename) and not inside a folder that does not exist yet (nothing is created at the target
    before success)."""
    target = Path(target).absolute()
    clear_leftovers(target)
    where = target.parent if target.parent.is_dir() else existing_ancestor(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{target.name}-{os.getpid()}-", dir=where))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp's 0700 would become the target's mode
    return staging


@contextmanager
def staged(target: Path, *, seed: bool = False) -> Iterator[Path]:
    """Yield a staging folder for the folder `target`; when the block succeeds, move each of its
    entries into `target`, replacing the entry of the same name (other entries of `target` stay).
    With `seed`, the staging folder starts as a copy of `target`, for edits in place.
    On any error (or interruption) the staging folder is removed and `target` is untouched."""
    target = Path(target)
    staging = fresh_staging(target)
    try:
        if seed and target.is_dir():
            shutil.copytree(target, staging, dirs_exist_ok=True, symlinks=True)
        yield staging
        target.mkdir(parents=True, exist_ok=True)
        for entry in sorted(staging.iterdir()):
            replace(entry, target / entry.name)
    finally:
        _remove(staging)
