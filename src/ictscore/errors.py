"""Exceptions ictscore raises when it cannot continue, and CellRef, the location of a cell.

Imports nothing from ictscore. An exception means "cannot do what was asked with these inputs";
a problem inside one score sheet is an Issue (see results.py), collected, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class CellRef:
    """Where something is: a file, optionally a sheet and a cell (`file:Sheet!C7`)."""

    file: str
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return self.file
        if self.cell is None:
            return f"{self.file}:{self.sheet}"
        return f"{self.file}:{self.sheet}!{self.cell}"


class IctscoreError(Exception):
    """Base class: ictscore cannot do what was asked with these inputs."""


class _ProblemsError(IctscoreError):
    """An input file with one or more located problems, all reported at once."""

    what = "input"

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        count = len(problems)
        head = f"invalid {self.what} {path} ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([head, *(f"  {p}" for p in problems)]))


class RubricError(_ProblemsError):
    """An unreadable or invalid rubric. Carries every problem found, each already located."""

    what = "rubric"


class UnitsError(_ProblemsError):
    """An unreadable or invalid units roster (CSV). Carries every problem found."""

    what = "units file"


class WorkbookError(IctscoreError):
    """A workbook that cannot be read as a score sheet at all (not a template, unreadable)."""

    def __init__(self, where: CellRef, message: str, code: str = "unreadable-file") -> None:
        self.where = where
        self.code = code
        self.message = message
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[WorkbookError], tuple[CellRef, str, str]]:
        # travels back from the worker processes that read files (isolate.py)
        return (WorkbookError, (self.where, self.message, self.code))


class ExportError(IctscoreError):
    """An output that cannot be written."""
