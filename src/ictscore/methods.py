"""Scoring methods: how a leaf criterion turns what a unit typed into points.

Each method is one pydantic model of a closed, discriminated set (`type:` in the rubric YAML) and
owns everything particular to it:

- `slots(max)`: the input cells it needs (their kind, bounds, labels) — the template draws them,
  the reader reads them and validation parses them generically;
- `score(values, max)`: the points, from already-parsed values (pure Decimal arithmetic);
- `formula(cells, max, precision)`: the live Excel formula the template shows (display only);
- `describe(max)`: the Vietnamese rule printed in the sheet.

Adding a method means adding a class here and to `Method`; nothing else changes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ictscore.numbers import vn_number

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class SlotKind(StrEnum):
    """What an input cell holds."""

    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True)
class Slot:
    """One input cell of a criterion."""

    key: str
    """Stable key, used in defined names and JSON (`points`, `numerator`, …)."""
    label: str
    """Vietnamese label shown to the unit (input message, instructions)."""
    kind: SlotKind
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    percent: bool = False
    """The number is a fraction shown as a percentage (0.85 is 85%)."""
    is_points: bool = False
    """The number is itself the criterion's points (more decimals than published: a warning)."""


SlotValue = Decimal | str
"""A parsed input: a number, or the canonical text of a choice."""


@dataclass(frozen=True)
class Note:
    """A problem a method found in otherwise well-formed inputs (e.g. a zero denominator)."""

    code: str
    severity: Literal["error", "warning"]
    message: str
    slot: str


@dataclass(frozen=True)
class Outcome:
    """The points a method gives, with any problems it noticed."""

    points: Decimal
    notes: tuple[Note, ...] = field(default=())


YES = "Có"
NO = "Không"
_ZERO = Decimal(0)


class _Method(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DirectPoints(_Method):
    """The unit types its points, 0 to the maximum; decimals allowed."""

    type: Literal["direct"]

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        return (Slot("points", "Điểm tự chấm", SlotKind.NUMBER, _ZERO, max_points, is_points=True),)

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> Outcome:
        points = values["points"]
        assert isinstance(points, Decimal)
        return Outcome(points)

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        c = cells["points"]
        return f"=IF(ISNUMBER({c}),ROUND(MIN(MAX({c},0),{max_points}),{precision}),0)"

    def describe(self, max_points: Decimal) -> str:
        return f"Tự chấm từ 0 đến {vn_number(max_points)} điểm."


class YesNo(_Method):
    """Có → `points` (default: the maximum), Không → 0."""

    type: Literal["yes_no"]
    points: Decimal | None = Field(default=None, gt=0)
    """Points for Có; the criterion's maximum when omitted."""

    def _yes_points(self, max_points: Decimal) -> Decimal:
        return max_points if self.points is None else self.points

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        return (Slot("answer", "Có/Không", SlotKind.CHOICE, choices=(YES, NO)),)

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> Outcome:
        return Outcome(self._yes_points(max_points) if values["answer"] == YES else _ZERO)

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        c = cells["answer"]
        return f'=IF(TRIM({c})="{YES}",{self._yes_points(max_points)},0)'

    def describe(self, max_points: Decimal) -> str:
        return f"Chọn Có hoặc Không. Có: {vn_number(self._yes_points(max_points))} điểm; Không: 0."


class Ratio(_Method):
    """Points = ratio × maximum, capped at the maximum.

    `input: fraction` asks for a numerator and a denominator; `input: percent` asks for a
    percentage (stored as a fraction, 85% = 0.85). A zero denominator is an error in the sheet;
    a numerator above the denominator is capped at the maximum, with a warning.
    """

    type: Literal["ratio"]
    input: Literal["fraction", "percent"] = "fraction"
    numerator: NonEmptyText | None = None
    """What the numerator counts (input: fraction), e.g. "Số CBCC được trang bị máy tính"."""
    denominator: NonEmptyText | None = None
    """What the denominator counts (input: fraction), e.g. "Tổng số CBCC"."""
    label: NonEmptyText | None = None
    """What the percentage measures (input: percent)."""

    @model_validator(mode="after")
    def _inputs_named(self) -> Ratio:
        if self.input == "fraction" and (self.numerator is None or self.denominator is None):
            raise ValueError("a ratio with input: fraction needs 'numerator' and 'denominator'")
        if self.input == "percent" and (self.numerator or self.denominator):
            raise ValueError("a ratio with input: percent takes 'label', not numerator/denominator")
        return self

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        if self.input == "percent":
            return (
                Slot(
                    "percent",
                    self.label or "Tỷ lệ (%)",
                    SlotKind.NUMBER,
                    _ZERO,
                    Decimal(1),
                    percent=True,
                ),
            )
        assert self.numerator is not None and self.denominator is not None
        return (
            Slot("numerator", self.numerator, SlotKind.NUMBER, _ZERO),
            Slot("denominator", self.denominator, SlotKind.NUMBER, _ZERO),
        )

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> Outcome:
        if self.input == "percent":
            ratio = values["percent"]
            assert isinstance(ratio, Decimal)
            return Outcome(min(ratio, Decimal(1)) * max_points)
        num, den = values["numerator"], values["denominator"]
        assert isinstance(num, Decimal) and isinstance(den, Decimal)
        if den == 0:
            note = Note(
                "zero-denominator",
                "error",
                f"the denominator ({self.denominator}) is 0; the ratio is undefined",
                "denominator",
            )
            return Outcome(_ZERO, (note,))
        if num > den:
            note = Note(
                "ratio-above-one",
                "warning",
                f"numerator {num} is greater than denominator {den}; "
                f"the ratio is capped at 1 (full {max_points} points)",
                "numerator",
            )
            return Outcome(max_points, (note,))
        # NOTE: multiply first: num × max is exact, so a ratio whose points end in 5 at the
        # published precision (125/600 × 3 = 0.625) is not cut to 0.62499… by the division.
        return Outcome(num * max_points / den)

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        if self.input == "percent":
            p = cells["percent"]
            return f"=IF(ISNUMBER({p}),ROUND(MIN(MAX({p},0),1)*{max_points},{precision}),0)"
        n, d = cells["numerator"], cells["denominator"]
        return (
            f"=IF(AND(ISNUMBER({n}),ISNUMBER({d})),IF({d}>0,"
            f"ROUND(MIN(MAX({n},0)/{d},1)*{max_points},{precision}),0),0)"
        )

    def describe(self, max_points: Decimal) -> str:
        m = vn_number(max_points)
        if self.input == "percent":
            return f"Điểm = tỷ lệ ({self.label or 'tỷ lệ %'}) × {m}; tối đa {m} điểm."
        num = _lower_first(self.numerator or "")
        den = _lower_first(self.denominator or "")
        return f"Điểm = ({num} ÷ {den}) × {m}; tối đa {m} điểm."


def _lower_first(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return text[:1].lower() + text[1:]


Method = Annotated[DirectPoints | YesNo | Ratio, Field(discriminator="type")]
"""A leaf criterion's scoring method (`type:` picks the variant)."""

METHOD_TYPES: frozenset[str] = frozenset(
    get_args(cls.model_fields["type"].annotation)[0] for cls in get_args(get_args(Method)[0])
)
"""The `type:` tags of every method (pydantic puts them in error locations)."""
