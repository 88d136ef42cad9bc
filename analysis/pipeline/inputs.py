"""Whether anything the book is made of changed since the last build: one hash of every input file
(data, code, templates, pages, configuration, pins) and of the built book's own stamp. `make book`
with nothing changed answers from it at once, before any heavy import (pandas, papermill, Sphinx).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.paths import BUILD, REPO

STAMP = BUILD / ".book-inputs-sha256"
FOLDERS = ("data", "analysis", "notebooks", "book")
FILES = ("_config.yml", "_toc.yml", "pyproject.toml", "requirements.lock")
SKIPPED = ("__pycache__", ".staging-", ".old-", ".ipynb_checkpoints")


def digest(source: Path = REPO, key: str = "") -> str:
    """The hash of the book's inputs under `source` (and of `key`: the command's own options)."""
    h = hashlib.sha256(key.encode())
    paths = [source / name for name in FILES]
    for folder in FOLDERS:
        paths += sorted(p for p in (source / folder).rglob("*") if p.is_file())
    for path in paths:
        if path.is_file() and not any(part.startswith(SKIPPED) for part in path.parts):
            h.update(b"\0" + str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    built = BUILD / "html" / ".sources-sha256"
    h.update(built.read_bytes() if built.is_file() else b"<no book>")
    return h.hexdigest()


def unchanged(key: str = "") -> bool:
    return STAMP.is_file() and STAMP.read_text() == digest(key=key)


def record(key: str = "") -> None:
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(digest(key=key))
