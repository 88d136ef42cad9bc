"""What can go wrong, as the user is told it: one class per kind of failure, each turned into one
message (no traceback) and an exit status by the command line (analysis.pipeline.cli). Kept apart,
and free of heavy imports, so that the command line knows them before it loads any of the work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule in one place of one input file."""

    file: str
    row: int | None  # 1-based data row (the header is not counted); None for the whole file
    column: str | None
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row} (line {self.row + 1})"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.rule}"


class DataError(Exception):
    """The input data breaks one or more rules. str() lists them all, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(
            set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.rule)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class RecordError(Exception):
    """Article records break a rule: the message lists the offending ids (first few and how
    many)."""


class RegistryError(Exception):
    """A page declaration (analysis/pages.py) names something that does not exist."""


class RunError(Exception):
    """A notebook failed, or cannot be run: names the notebook, the cell and the cause."""


class BuildError(Exception):
    """The book build failed; the previous _build/html is untouched."""


class PdfError(Exception):
    """A PDF could not be made (Chromium missing, a chart that never drew)."""


class Terminated(BaseException):
    """The command was asked to stop (SIGTERM). Like Ctrl-C's KeyboardInterrupt it is no
    Exception, so that no handler of failures swallows it while everything unwinds."""
