"""Frozen result types: Issue, UnitResult, Report.

Data, not behaviour; export.py serialises them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ictscore.errors import CellRef
from ictscore.units import Unit


class Severity(StrEnum):
    ERROR = "error"
    """The sheet cannot be graded as it is: the unit is left out of the ranking."""
    WARNING = "warning"
    """Worth a look; the sheet is still graded."""


@dataclass(frozen=True)
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


class Status(StrEnum):
    GRADED = "graded"
    INVALID = "invalid"
    """A sheet was found but has errors: listed with its issues, not ranked."""
    MISSING = "missing"
    """In the roster, but no sheet was found (chưa nộp)."""


@dataclass(frozen=True)
class InputValue:
    """A value read from an input cell, kept so every point can be traced to its cell."""

    value: Decimal | str | None
    cell: str


@dataclass(frozen=True)
class UnitResult:
    """The outcome for one unit: its points per criterion, totals, band, rank and issues."""

    code: str
    name: str
    group: str
    status: Status
    parent: str | None = None
    parent_name: str | None = None
    file: str | None = None
    points: dict[str, Decimal] = field(default_factory=dict)
    """Leaf criterion id → points, at the rubric's precision."""
    subtotals: dict[str, Decimal] = field(default_factory=dict)
    """Parent criterion id (areas included) → the sum of its children's points."""
    inputs: dict[str, dict[str, InputValue]] = field(default_factory=dict)
    """Leaf criterion id → input slot → the value read and its cell."""
    evidence: dict[str, str] = field(default_factory=dict)
    total: Decimal | None = None
    """The published total (rounded half-up to the rubric's precision); None unless graded."""
    band: str | None = None
    """The band id (e.g. "tot"); None unless graded."""
    rank: int | None = None
    """Standard competition rank within the group (1, 2, 2, 4); None unless graded."""
    issues: tuple[Issue, ...] = ()

    @classmethod
    def of(
        cls,
        unit: Unit,
        status: Status,
        file: str | None = None,
        issues: tuple[Issue, ...] = (),
        **fields: Any,
    ) -> UnitResult:
        """A result for `unit`, its identity copied from the roster entry (or the sheet)."""
        return cls(
            code=unit.code,
            name=unit.name,
            group=unit.group,
            status=status,
            parent=unit.parent,
            parent_name=unit.parent_name,
            file=file,
            issues=issues,
            **fields,
        )

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.parent_name})" if self.parent_name else self.name


@dataclass(frozen=True)
class Report:
    """A graded batch: every unit (graded, invalid, missing) and the issues of files that could
    not be attributed to any unit."""

    rubric_id: str
    rubric_version: str
    rubric_hash: str
    units: tuple[UnitResult, ...]
    issues: tuple[Issue, ...] = ()

    @property
    def all_issues(self) -> list[Issue]:
        return [*self.issues, *(i for u in self.units for i in u.issues)]

    @property
    def ok(self) -> bool:
        """Every expected sheet graded and no error anywhere (exit code 0)."""
        return all(u.status is Status.GRADED for u in self.units) and not any(
            i.is_error for i in self.all_issues
        )
