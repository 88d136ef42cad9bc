"""Where things live. Every path is resolved from the repository, never from the working directory,
because papermill and nbval run notebooks from other folders."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
NOTEBOOKS = REPO / "notebooks"
BOOK = REPO / "book"
GENERATED = BOOK / "generated"
BUILD = REPO / "_build"


def shown(path: Path) -> str:
    """A path as a person reads it in a message: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        return str(path)
