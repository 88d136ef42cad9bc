"""The kinds of command-line argument, each checked when the command line is read, before any work.

Each function takes the text as typed and returns the value, or raises ArgumentTypeError with what
the argument needs; the parser names the argument and exits 2 (see analysis.pipeline.cli.Parser).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

from analysis.pipeline.staging import existing_ancestor

FIRST_YEAR, LAST_YEAR = (
    1901,
    2199,
)  # the years a data year may be (also checked before a notebook runs)
ID = re.compile(
    r"^[a-z0-9]+(-[a-z0-9]+)*$"
)  # subject, city and institution ids: lowercase words joined by -


def _fail(need: str, text: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"needs {need} (got {text!r})")


def is_year(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and FIRST_YEAR <= value <= LAST_YEAR
    )


def year(text: str) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit() and is_year(int(text))):
        raise _fail(f"a year: four digits from {FIRST_YEAR} to {LAST_YEAR}, like 2022", text)
    return int(text)


def year_range(text: str) -> list[int]:
    """`2015-2023` (both included) or one year `2022`."""
    first, dash, last = text.partition("-")
    try:
        years = list(range(year(first), year(last if dash else first) + 1))
    except argparse.ArgumentTypeError:
        years = None
    if not years:
        raise _fail("a year or a range of years, first to last, like 2015-2023", text)
    return years


def whole_number(low: int, high: int):
    """A type: a whole number from low to high (both included)."""

    def parse(text: str) -> int:
        value = int(text) if re.fullmatch(r"[+-]?\d{1,12}", text.strip()) else None
        if value is None or not low <= value <= high:
            raise _fail(f"a whole number from {low:,} to {high:,}", text)
        return value

    parse.__name__ = "whole number"
    return parse


def whole_numbers(low: int, high: int):
    """A type: a comma-separated list of whole numbers from low to high, like 1,4,16."""
    one = whole_number(low, high)

    def parse(text: str) -> list[int]:
        try:
            values = [one(part) for part in text.split(",")]
        except argparse.ArgumentTypeError:
            raise _fail(
                f"whole numbers from {low:,} to {high:,} separated by commas, like 1,4,16", text
            ) from None
        return values

    return parse


def level(text: str) -> float:
    """A confidence level: a decimal from 0.5 up to (not including) 1, like 0.95."""
    value = float(text) if re.fullmatch(r"0?\.\d{1,6}", text.strip()) else None
    if value is None or not 0.5 <= value < 1:
        raise _fail("a confidence level: a decimal from 0.5 to below 1, like 0.95", text)
    return value


def identifier(text: str) -> str:
    if not ID.match(text):
        raise _fail("an id: lowercase letters and digits joined by -, like health-sciences", text)
    return text


def _path(text: str) -> Path:
    if not text.strip() or "\0" in text:
        raise _fail("a path", text)
    return Path(text)


def existing_folder(text: str) -> Path:
    path = _path(text)
    if not path.exists():
        raise _fail("a folder that exists", text)
    if not path.is_dir():
        raise _fail("a folder, not a file", text)
    return path


def existing_file(text: str) -> Path:
    path = _path(text)
    if not path.exists():
        raise _fail("a file that exists", text)
    if not path.is_file():
        raise _fail("a file, not a folder", text)
    return path


def output_folder(text: str) -> Path:
    """A folder that exists or can be created: not a file, and below a folder this user can write
    in (tried by making and removing an empty folder there: as root, permission bits say
    little)."""
    path = _path(text)
    if path.exists() and not path.is_dir():
        raise _fail("a folder to write into, not a file", text)
    above = existing_ancestor(path)
    if not above.is_dir():
        raise _fail(f"a folder to write into, but {str(above)!r} is a file", text)
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".probe-", dir=above))
    except OSError:
        raise _fail(
            f"a folder that can be written, but {str(above)!r} cannot be written in", text
        ) from None
    return path
