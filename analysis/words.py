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


# English country names that take "the" in a sentence (not in a table or a title): "four in the
# United States of America (USA)".
WITH_ARTICLE = (
    "United ",
    "Republic of",
    "Netherlands",
    "Czech Republic",
    "Philippines",
    "Russian Federation",
    "Kingdom of",
)


def in_prose(name: str, lang: str = "en") -> str:
    """A country's name as a sentence uses it: "the United Kingdom (UK)", "China"; in Chinese, as
    it is."""
    if lang == "en" and name.startswith(WITH_ARTICLE):
        return f"the {name}"
    return name


def pair_name(a: str, b: str, lang: str = "en") -> str:
    """Two partners named as a pair in a sentence: "Boston MA / New York MA", "北京与上海" (not
    with a dash: a name may hold one, as Baltimore - Washington does)."""
    return f"{a}与{b}" if lang == "zh" else f"{a} / {b}"


def first_few(items: Iterable, limit: int = 5) -> str:
    """The first `limit` items and how many there are: "a, b, c, d, e … (12 in all)"."""
    items = [str(i) for i in items]
    more = " …" if len(items) > limit else ""
    return f"{', '.join(items[:limit])}{more} ({len(items)} in all)"
