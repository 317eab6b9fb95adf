"""Issues: a problem found in the input, with a stable code, a severity and a location.

Imports nothing from the stages: every stage reports its problems as Issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ictscore.errors import CellRef


class Severity(StrEnum):
    ERROR = "error"
    """The sheet cannot be graded as it is: the unit is left out of the ranking."""
    WARNING = "warning"
    """Worth a look; the sheet is still graded."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the input, with a stable kebab-case code and a location."""

    code: str
    severity: Severity
    message: str
    where: CellRef | None = None
    criterion: str | None = None
    """The criterion id the issue is about, if any."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
