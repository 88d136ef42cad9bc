"""Write beside, then swap: the one way this project replaces a folder or a file.

Every command that writes (the notebooks of an edition, the HTML book, `tables`, `simulate`,
`build`, `ingest --write`, `book --out`) first writes into a staging folder on the same file system
and moves the result into place only when all of it succeeded. A failure removes the staging folder
and leaves the target exactly as it was, absent if it was absent. Names: `.staging-<name>` and
`.old-<name>` (the book's `_config.yml` excludes both).
"""

from __future__ import annotations

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


def replace(new: Path, target: Path) -> None:
    """Put `new` (a file or a folder) where `target` is. The old target is renamed aside and
    removed only once the new one is in place, so an interruption never leaves neither."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() and not target.is_symlink():
        new.rename(target)
        return
    old = target.parent / f".old-{target.name}"
    _remove(old)
    target.rename(old)
    new.rename(target)
    _remove(old)


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
    where = target.parent if target.parent.is_dir() else existing_ancestor(target.parent)
    return Path(tempfile.mkdtemp(prefix=f".staging-{target.name}-", dir=where))


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
