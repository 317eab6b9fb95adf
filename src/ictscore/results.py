"""Frozen result types: Issue, UnitResult, Report.

Data, not behaviour; export.py serialises them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ictscore.errors import CellRef
from ictscore.scoring import Reference
from ictscore.units import Unit


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


class Status(StrEnum):
    GRADED = "graded"
    INVALID = "invalid"
    """A sheet was found but has errors: listed with its issues, not ranked."""
    MISSING = "missing"
    """In the roster, but no sheet was found (chưa nộp)."""


@dataclass(frozen=True, slots=True)
class InputValue:
    """A value read from an input cell, kept so every point can be traced to its cell."""

    value: Decimal | str | None
    cell: str


class Inputs(Mapping[str, Mapping[str, InputValue]]):
    """Criterion id → input slot → the value read and its cell, held flat.

    Read-only and compact: one tuple (id, slot, value, cell, id, slot, …) instead of a dict of
    dicts per unit, since a national batch keeps 10,000 units' inputs in memory until it writes
    them out (see `UnitResult.inputs`)."""

    __slots__ = ("_flat",)

    def __init__(self, inputs: Mapping[str, Mapping[str, InputValue]] | None = None) -> None:
        flat: list[Any] = []
        for cid, slots in (inputs or {}).items():
            for slot, value in slots.items():
                flat += (cid, slot, value.value, value.cell)
        self._flat: tuple[Any, ...] = tuple(flat)

    @classmethod
    def from_flat(cls, flat: tuple[Any, ...]) -> Inputs:
        made = cls()
        made._flat = flat
        return made

    @property
    def flat(self) -> tuple[Any, ...]:
        return self._flat

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        return (Inputs.from_flat, (self._flat,))

    def __getitem__(self, cid: str) -> Mapping[str, InputValue]:
        f = self._flat
        found = {
            f[i + 1]: InputValue(f[i + 2], f[i + 3]) for i in range(0, len(f), 4) if f[i] == cid
        }
        if not found:
            raise KeyError(cid)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(self._flat[0::4]))

    def __len__(self) -> int:
        return len(dict.fromkeys(self._flat[0::4]))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Inputs):
            return self._flat == other._flat
        return Mapping.__eq__(self, other)

    def __hash__(self) -> int:
        return hash(self._flat)

    def __repr__(self) -> str:
        return f"Inputs({dict(self.items())!r})"


@dataclass(frozen=True)
class Appraisal:
    """The appraisal council's word on one criterion of one unit (điểm thẩm định)."""

    points: Decimal | None = None
    """Appraised points; None: the self-score stands (or see `value`)."""
    value: Decimal | None = None
    """For a normalised criterion: the appraised value (số liệu), which replaces the unit's."""
    not_applicable: str | None = None
    """The reason the criterion does not apply to this unit; None if it applies."""
    note: str | None = None
    """The council's explanation (ghi chú thẩm định)."""
    where: CellRef | None = None
    """The appraisal row it came from."""


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
    inputs: Mapping[str, Mapping[str, InputValue]] = field(default_factory=Inputs)
    """Leaf criterion id → input slot → the value read and its cell (held as Inputs)."""
    evidence: dict[str, str] = field(default_factory=dict)
    self_points: dict[str, Decimal] = field(default_factory=dict)
    """Leaf criterion id → the points the unit's own inputs give (điểm tự chấm). Differs from
    `points` where the appraisal changed them."""
    measures: dict[str, Decimal] = field(default_factory=dict)
    """Normalised criterion id → the value the group pass scores (after any appraisal)."""
    self_measures: dict[str, Decimal] = field(default_factory=dict)
    """The values the unit typed for its normalised criteria (before any appraisal)."""
    appraisal: dict[str, Appraisal] = field(default_factory=dict)
    """Criterion id → what the appraisal council said about it."""
    not_applicable: dict[str, str] = field(default_factory=dict)
    """Criterion id → why it does not apply to this unit (from the appraisal)."""
    total: Decimal | None = None
    """The published total (rounded half-up to the rubric's precision); None unless graded."""
    self_total: Decimal | None = None
    """The total the unit's own inputs give (before the appraisal); None unless graded."""
    raw_total: Decimal | None = None
    """The total before rescaling to the rubric's scale (equal to `total` unless rescaled)."""
    base_max: Decimal | None = None
    """This unit's base maximum (its group's, less criteria not applicable to it)."""
    band: str | None = None
    """The band id (e.g. "tot"); None unless graded (or when the rubric has no bands)."""
    rank: int | None = None
    """Standard competition rank within the group (1, 2, 2, 4); None unless graded and ranked."""
    parent_rank: int | None = None
    """Rank among the units of the same parent, for groups ranked within parents."""
    unranked: str | None = None
    """Why the unit is scored but not ranked (the rubric lists it); None if ranked."""
    pending: bool = False
    """Normalised criteria still need the group pass: points and total are not final."""
    issues: tuple[Issue, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.inputs, Inputs):
            object.__setattr__(self, "inputs", Inputs(self.inputs))

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
    references: tuple[Reference, ...] = ()
    """For each group and normalised criterion: the highest value and who set it."""

    @property
    def all_issues(self) -> list[Issue]:
        return [*self.issues, *(i for u in self.units for i in u.issues)]

    @property
    def ok(self) -> bool:
        """Every expected sheet graded and no error anywhere (exit code 0)."""
        return all(u.status is Status.GRADED for u in self.units) and not any(
            i.is_error for i in self.all_issues
        )
