"""How lists of names are written, in messages and in the book's prose: one place for each form."""

from __future__ import annotations

from collections.abc import Iterable


def join_names(names: Iterable[str], lang: str = "en") -> str:
    """ "A", "A and B", "A, B and C"; in Chinese "A和B", "A、B和C"."""
    names = [str(n) for n in names]
    separator, last = ("、", "和") if lang == "zh" else (", ", " and ")
    if len(names) <= 2:
        return last.join(names)
    return separator.join(names[:-1]) + last + names[-1]


def first_few(items: Iterable, limit: int = 5) -> str:
    """The first `limit` items and how many there are: "a, b, c, d, e … (12 in all)"."""
    items = [str(i) for i in items]
    more = " …" if len(items) > limit else ""
    return f"{', '.join(items[:limit])}{more} ({len(items)} in all)"
