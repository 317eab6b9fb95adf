"""Exceptions: ictscore cannot do what was asked with these inputs. One class per kind of refusal.

An exception means "cannot continue"; a problem inside one score sheet is an Issue (issues.py),
collected, never raised. The CLI turns every IctscoreError into one message and exit code 2.
RubricError and UnitsError carry Findings (issues.py): located problems in a rubric or a roster
file.
"""

from __future__ import annotations

from collections.abc import Sequence

from ictscore.issues import CellRef, Finding, IssueCode
from ictscore.messages import Msg

__all__ = [
    "AppraisalFormError",
    "ExportError",
    "FolderError",
    "IctscoreError",
    "ResultsFileError",
    "RubricChoiceError",
    "RubricError",
    "UnitsError",
    "UsageError",
    "WorkbookError",
]


class IctscoreError(Exception):
    """Base class: ictscore cannot do what was asked with these inputs."""

    def lines(self) -> list[str]:
        """The message's lines as they are meant to be shown: a newline inside a quoted name
        or path is part of its line, not the start of another (the CLI escapes it)."""
        return [str(self)]


class _FindingsError(IctscoreError):
    """An input file with one or more located problems (`Finding`s), all reported at once."""

    what = "input"

    def __init__(self, path: str, findings: Sequence[Finding]) -> None:
        self.path = path
        self.findings = tuple(findings)
        count = len(self.findings)
        self.head = f"invalid {self.what} {path} ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [self.head, *(f"  {f}" for f in self.findings)]

    @property
    def problems(self) -> list[str]:
        """Each finding as text (`file:line: path: message`)."""
        return [str(f) for f in self.findings]

    def __reduce__(self) -> tuple[type[_FindingsError], tuple[str, tuple[Finding, ...]]]:
        return (type(self), (self.path, self.findings))


class RubricError(_FindingsError):
    """An unreadable or invalid rubric. Carries every error found, each located."""

    what = "rubric"


class UnitsError(_FindingsError):
    """An unreadable or invalid units roster (CSV). Carries every problem found, each located."""

    what = "units file"


class WorkbookError(IctscoreError):
    """A workbook that cannot be read as a score sheet at all (not a template, unreadable)."""

    def __init__(
        self, where: CellRef, message: Msg, code: IssueCode = IssueCode.UNREADABLE_FILE
    ) -> None:
        self.where = where
        self.code = code
        self.message = message
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[WorkbookError], tuple[CellRef, Msg, IssueCode]]:
        # travels back from the worker processes that read files (isolate.py)
        return (WorkbookError, (self.where, self.message, self.code))


class ExportError(IctscoreError):
    """An output that cannot be written."""


class FolderError(IctscoreError):
    """The folder to grade cannot be read, or holds no score sheet."""


class RubricChoiceError(IctscoreError):
    """The rubric to grade with cannot be chosen from the sheets: they lost their record of it,
    record one that is not at hand or of another version, or record different rubrics."""


class AppraisalFormError(IctscoreError):
    """The appraisal council's form cannot be read, or was made for other criteria."""


class ResultsFileError(IctscoreError):
    """A results file (the JSON of `grade`) or a criterion mapping that `compare` cannot use."""


class UsageError(IctscoreError):
    """Options that name nothing there is (a unit code, a group) or that cannot go together."""
