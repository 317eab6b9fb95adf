"""Frozen result types: UnitResult, Report (issues are in ictscore.issues).

Data, not behaviour; export.py serialises them.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from ictscore.grading.scoring import Reference
from ictscore.issues import CellRef, Issue
from ictscore.roster import Unit
from ictscore.rubric.model import Rubric


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


V = TypeVar("V")

_KEYS: dict[tuple[Any, ...], tuple[tuple[Any, ...], dict[Any, int]]] = {}
"""Key tuples in use, each held once with its index (10,000 units share a handful)."""


def _shared_keys(keys: tuple[Any, ...]) -> tuple[tuple[Any, ...], dict[Any, int]]:
    found = _KEYS.get(keys)
    if found is None:
        found = _KEYS[keys] = (keys, {k: i for i, k in enumerate(keys)})
    return found


class Keyed(Mapping[str, V]):
    """A read-only mapping held as two tuples: its keys, shared by every Keyed with the same
    keys (criterion ids: the same for every unit of a group), and its values.

    A unit's points, subtotals and evidence are such mappings: a national batch keeps 10,000
    units' results until it writes them out, and a dict of 33 entries costs about 1.7 KiB where
    a tuple of 33 values costs 0.3 KiB."""

    __slots__ = ("_index", "_keys", "_values")

    def __init__(self, items: Mapping[str, V] | None = None) -> None:
        keys = tuple(items) if items else ()
        self._keys, self._index = _shared_keys(keys)
        self._values: tuple[V, ...] = tuple(items.values()) if items else ()

    @classmethod
    def of(cls, items: Mapping[str, V]) -> Keyed[V]:
        """`items` as a Keyed (itself if it is one; the one empty Keyed if it is empty)."""
        if isinstance(items, Keyed):
            return items
        return cls(items) if items else _EMPTY

    @classmethod
    def from_tuples(cls, keys: tuple[str, ...], values: tuple[V, ...]) -> Keyed[V]:
        if not keys:
            return _EMPTY
        made: Keyed[V] = cls()
        made._keys, made._index = _shared_keys(keys)
        made._values = values
        return made

    @property
    def values_tuple(self) -> tuple[V, ...]:
        return self._values

    def updated(self, more: Mapping[str, V]) -> Keyed[V]:
        """A copy with `more` set (as {**self, **more}: new keys last), sharing the keys when
        `more` adds none."""
        index = self._index
        if all(key in index for key in more):
            values = list(self._values)
            for key, value in more.items():
                values[index[key]] = value
            return Keyed.from_tuples(self._keys, tuple(values))
        return Keyed({**dict(zip(self._keys, self._values, strict=True)), **more})

    def __reduce__(self) -> tuple[Any, tuple[tuple[str, ...], tuple[V, ...]]]:
        return (Keyed.from_tuples, (self._keys, self._values))

    def __getitem__(self, key: str) -> V:
        return self._values[self._index[key]]

    def get(self, key: str, default: Any = None) -> Any:
        i = self._index.get(key)
        return default if i is None else self._values[i]

    def items(self) -> ItemsView[str, V]:
        return dict(zip(self._keys, self._values, strict=True)).items()

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Keyed) and self._keys == other._keys:
            return self._values == other._values
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Keyed({dict(self.items())!r})"


_EMPTY: Keyed[Any] = Keyed()


def _empty() -> Keyed[Any]:
    return _EMPTY


class Inputs(Mapping[str, Mapping[str, InputValue]]):
    """Criterion id → input slot → the value read and its cell, held flat: the (id, slot, cell)
    triples are shared by every unit whose sheet has the same layout, and the values are one
    tuple (see Keyed)."""

    __slots__ = ("_keys", "_values")

    def __init__(self, inputs: Mapping[str, Mapping[str, InputValue]] | None = None) -> None:
        keys: list[tuple[str, str, str]] = []
        values: list[Any] = []
        for cid, slots in (inputs or {}).items():
            for slot, value in slots.items():
                keys.append((cid, slot, value.cell))
                values.append(value.value)
        self._keys = _shared_keys(tuple(keys))[0]
        self._values = tuple(values)

    @classmethod
    def from_tuples(cls, keys: tuple[tuple[str, str, str], ...], values: tuple[Any, ...]) -> Inputs:
        made = cls()
        made._keys = _shared_keys(keys)[0]
        made._values = values
        return made

    @property
    def values_tuple(self) -> tuple[Any, ...]:
        return self._values

    @property
    def slots_tuple(self) -> tuple[tuple[str, str, str], ...]:
        """(criterion id, slot, cell) of each value."""
        return self._keys

    def __reduce__(self) -> tuple[Any, tuple[Any, tuple[Any, ...]]]:
        return (Inputs.from_tuples, (self._keys, self._values))

    def __getitem__(self, cid: str) -> Mapping[str, InputValue]:
        found = {
            slot: InputValue(value, cell)
            for (c, slot, cell), value in zip(self._keys, self._values, strict=True)
            if c == cid
        }
        if not found:
            raise KeyError(cid)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k[0] for k in self._keys))

    def __len__(self) -> int:
        return len(dict.fromkeys(k[0] for k in self._keys))

    def items(self) -> ItemsView[str, Mapping[str, InputValue]]:  # one pass, not one per id
        grouped: dict[str, dict[str, InputValue]] = {}
        for (cid, slot, cell), value in zip(self._keys, self._values, strict=True):
            grouped.setdefault(cid, {})[slot] = InputValue(value, cell)
        return grouped.items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Inputs) and self._keys == other._keys:
            return self._values == other._values
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

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


@dataclass(frozen=True, slots=True)
class UnitResult:
    """The outcome for one unit: its points per criterion, totals, band, rank and issues."""

    code: str
    name: str
    group: str
    status: Status
    parent: str | None = None
    parent_name: str | None = None
    file: str | None = None
    points: Mapping[str, Decimal] = field(default_factory=_empty)
    """Leaf criterion id → points, at the rubric's precision."""
    subtotals: Mapping[str, Decimal] = field(default_factory=_empty)
    """Parent criterion id (areas included) → the sum of its children's points."""
    inputs: Mapping[str, Mapping[str, InputValue]] = field(default_factory=Inputs)
    """Leaf criterion id → input slot → the value read and its cell (held as Inputs)."""
    evidence: Mapping[str, str] = field(default_factory=_empty)
    self_points: Mapping[str, Decimal] = field(default_factory=_empty)
    """Leaf criterion id → the points the unit's own inputs give (điểm tự chấm). Differs from
    `points` where the appraisal changed them."""
    measures: Mapping[str, Decimal] = field(default_factory=_empty)
    """Normalised criterion id → the value the group pass scores (after any appraisal)."""
    self_measures: Mapping[str, Decimal] = field(default_factory=_empty)
    """The values the unit typed for its normalised criteria (before any appraisal)."""
    appraisal: Mapping[str, Appraisal] = field(default_factory=_empty)
    """Criterion id → what the appraisal council said about it."""
    not_applicable: Mapping[str, str] = field(default_factory=_empty)
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
    verified: bool = False
    """The sheet's hidden record carries the token of the unit it names (layout.unit_token):
    it was made for that unit. What resolves several sheets claiming one unit (groups.py)."""
    issues: tuple[Issue, ...] = ()

    def __post_init__(self) -> None:
        """Mappings given as dicts are held compactly (Keyed, Inputs); one given twice (points
        and self-points alike) stays one."""
        held: dict[int, Any] = {}
        for name in _KEYED_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, Keyed):
                if id(value) not in held:
                    held[id(value)] = Keyed.of(value)
                object.__setattr__(self, name, held[id(value)])
        if not isinstance(self.inputs, Inputs):
            object.__setattr__(self, "inputs", Inputs(self.inputs))

    def replaced(self, **changes: Any) -> UnitResult:
        """`dataclasses.replace(self, **changes)` in a third of its time (a batch makes tens of
        thousands): the fields not changed are taken as they are held, the mappings among the
        changed ones held as `__post_init__` holds them."""
        if not changes.keys() <= _FIELDS:
            raise TypeError(f"not fields of UnitResult: {sorted(changes.keys() - _FIELDS)}")
        new = object.__new__(UnitResult)
        for name, get, put in _SLOTS:
            put(new, changes[name] if name in changes else get(self))
        if not _HELD.isdisjoint(changes):
            new.__post_init__()
        return new

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


_KEYED_FIELDS = (
    "points",
    "self_points",
    "subtotals",
    "evidence",
    "measures",
    "self_measures",
    "appraisal",
    "not_applicable",
)
_FIELDS = frozenset(UnitResult.__dataclass_fields__)
_HELD = frozenset((*_KEYED_FIELDS, "inputs"))
_SLOTS = tuple(
    (name, (slot := getattr(UnitResult, name)).__get__, slot.__set__)
    for name in UnitResult.__dataclass_fields__
)
"""Each field's name and how to read and set it (its slot's, past the frozen class's guard)."""


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
    rostered: bool = False
    """Units were checked against a roster (`--units`): its units without a sheet are listed as
    missing. Without one, units that sent nothing are not known, nor counted."""
    rubric: Rubric | None = field(default=None, compare=False, repr=False)
    """The rubric the batch was graded with (what the writers need beside the report); None
    for a Report built by hand."""

    @property
    def all_issues(self) -> list[Issue]:
        return [*self.issues, *(i for u in self.units for i in u.issues)]

    @property
    def ok(self) -> bool:
        """Every expected sheet graded and no error anywhere (exit code 0)."""
        return all(u.status is Status.GRADED for u in self.units) and not any(
            i.is_error for i in self.all_issues
        )
