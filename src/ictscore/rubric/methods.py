"""Scoring methods: how a leaf criterion turns what a unit typed into points.

Each method is one pydantic model of a closed, discriminated set (`type:` in the rubric YAML) and
owns everything particular to it:

- `slots(max)`: the input cells it needs (their kind, bounds, labels) — the template draws them,
  the reader reads them and validation parses them generically;
- `score(values, max)`: the points, from already-parsed values (pure Decimal arithmetic);
- `formula(cells, max, precision)`: the live Excel formula the template shows (display only);
- `describe(max)`: the Vietnamese rule printed in the sheet;
- `problems(max)`: parameters inconsistent with the criterion's maximum (the rubric checker).

Adding a method means adding a class here and to `Method`; nothing else changes. The types they
work with (`Slot`, `MethodScore`, `Note`) are slots.py's, re-exported here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ictscore.issues import ERROR, WARNING, IssueCode
from ictscore.messages import Msg
from ictscore.numbers import vn_number
from ictscore.rubric.slots import NO, YES, MethodScore, Note, Slot, SlotKind, SlotValue

__all__ = [
    "METHOD_TYPES",
    "NO",
    "YES",
    "Count",
    "DirectPoints",
    "Level",
    "Levels",
    "Method",
    "MethodScore",
    "Normalised",
    "Note",
    "Ratio",
    "Slot",
    "SlotKind",
    "SlotValue",
    "Thresholds",
    "Tier",
    "YesNo",
]

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=6)]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


class _Method(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def problems(self, max_points: Decimal) -> list[tuple[str, str]]:
        """(field, message) for parameters that do not fit the criterion's maximum."""
        return []


class DirectPoints(_Method):
    """The unit types its points, 0 to the maximum; decimals allowed."""

    type: Literal["direct"]

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        return (Slot("points", "Điểm tự chấm", SlotKind.NUMBER, _ZERO, max_points, is_points=True),)

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> MethodScore:
        return MethodScore(_num(values, "points"))

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

    def problems(self, max_points: Decimal) -> list[tuple[str, str]]:
        if self.points is not None and self.points > max_points:
            return [("points", f"yes/no points {self.points} are above the maximum {max_points}")]
        return []

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        return (Slot("answer", "Có/Không", SlotKind.CHOICE, choices=(YES, NO)),)

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> MethodScore:
        return MethodScore(self._yes_points(max_points) if values["answer"] == YES else _ZERO)

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        c = cells["answer"]
        return f'=IF(TRIM({c})="{YES}",ROUND({self._yes_points(max_points)},{precision}),0)'

    def describe(self, max_points: Decimal) -> str:
        return f"Chọn Có hoặc Không. Có: {vn_number(self._yes_points(max_points))} điểm; Không: 0."


class Ratio(_Method):
    """Points = ratio × maximum.

    The ratio is typed as counts (`input: counts`: a numerator and a denominator), as a
    percentage (`input: percent`: 85%) or as a fraction (`input: fraction`: 0.85). A numerator
    above the denominator follows `above_one`: `cap` counts the ratio as 1 with a warning; `error`
    rejects the sheet. A zero denominator is always an error, and so is a percentage above 100% or
    a fraction above 1 (it is nearly always 85 typed for 85%).
    """

    type: Literal["ratio"]
    input: Literal["counts", "percent", "fraction"] = "counts"
    numerator: NonEmptyText | None = None
    """What the numerator counts (input: counts), e.g. "Số CBCC được trang bị máy tính"."""
    denominator: NonEmptyText | None = None
    """What the denominator counts (input: counts), e.g. "Tổng số CBCC"."""
    label: NonEmptyText | None = None
    """What the percentage or fraction measures (input: percent or fraction)."""
    above_one: Literal["cap", "error"] = "cap"

    @model_validator(mode="after")
    def _inputs_named(self) -> Ratio:
        if self.input == "counts" and (self.numerator is None or self.denominator is None):
            raise ValueError("a ratio with input: counts needs 'numerator' and 'denominator'")
        if self.input != "counts" and (self.numerator or self.denominator):
            raise ValueError(
                f"a ratio with input: {self.input} takes 'label', not numerator/denominator "
                "(use input: counts for those)"
            )
        if self.input == "counts" and self.label is not None:
            raise ValueError("a ratio with input: counts is labelled by numerator/denominator")
        return self

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        if self.input == "percent":
            label = self.label or "Tỷ lệ (%)"
            return (Slot("percent", label, SlotKind.NUMBER, _ZERO, _ONE, percent=True),)
        if self.input == "fraction":
            label = self.label or "Tỷ lệ (từ 0 đến 1)"
            return (Slot("fraction", label, SlotKind.NUMBER, _ZERO, _ONE),)
        assert self.numerator is not None and self.denominator is not None
        return (
            Slot("numerator", self.numerator, SlotKind.NUMBER, _ZERO),
            Slot("denominator", self.denominator, SlotKind.NUMBER, _ZERO),
        )

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> MethodScore:
        if self.input != "counts":
            return MethodScore(_num(values, self.input) * max_points)  # the slot bounds it to 0..1
        num, den = _num(values, "numerator"), _num(values, "denominator")
        if den == 0:
            den_label = self.denominator or ""
            note = Note(
                IssueCode.ZERO_DENOMINATOR,
                ERROR,
                Msg("the denominator ({label}) is 0; the ratio is undefined", label=den_label),
                "denominator",
            )
            return MethodScore(_ZERO, (note,))
        if num > den:
            what = Msg(
                "numerator {numerator} is greater than denominator {denominator}",
                numerator=num,
                denominator=den,
            )
            return self._above_one(what, "numerator", max_points)
        # NOTE: multiply first: num × max is exact, so a ratio whose points end in 5 at the
        # published precision (125/600 × 3 = 0.625) is not cut to 0.62499… by the division.
        return MethodScore(num * max_points / den)

    def _above_one(self, what: Msg, slot: str, max_points: Decimal) -> MethodScore:
        if self.above_one == "error":
            text = Msg("{what}; the ratio may not exceed 1", what=what)
            note = Note(IssueCode.RATIO_ABOVE_ONE, ERROR, text, slot)
            return MethodScore(_ZERO, (note,))
        note = Note(
            IssueCode.RATIO_ABOVE_ONE,
            WARNING,
            Msg("{what}; the ratio is capped at 1 (full {max} points)", what=what, max=max_points),
            slot,
        )
        return MethodScore(max_points, (note,))

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        if self.input != "counts":
            p = cells[self.input]
            return f"=IF(ISNUMBER({p}),ROUND(MIN(MAX({p},0),1)*{max_points},{precision}),0)"
        n, d = cells["numerator"], cells["denominator"]
        return (
            f"=IF(AND(ISNUMBER({n}),ISNUMBER({d})),IF({d}>0,"
            f"ROUND(MIN(MAX({n},0)/{d},1)*{max_points},{precision}),0),0)"
        )

    def describe(self, max_points: Decimal) -> str:
        m = vn_number(max_points)
        if self.input != "counts":
            what = self.label or "tỷ lệ"
            return f"Điểm = tỷ lệ ({_lower_first(what)}) × {m}; tối đa {m} điểm."
        rule = (
            "tử số lớn hơn mẫu số được tính là 100%"
            if self.above_one == "cap"
            else "tử số không được lớn hơn mẫu số"
        )
        num = _lower_first(self.numerator or "")
        den = _lower_first(self.denominator or "")
        return f"Điểm = ({num} ÷ {den}) × {m}; {rule}."


class Tier(BaseModel):
    """One step of a thresholds method: from `min` (inclusive) up, `points`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: Amount
    points: Amount


class Thresholds(_Method):
    """Points by the highest tier a number reaches (`tiers`, highest `min` first); 0 below the
    lowest tier. With `input: percent`, `min` is in percent (`min: 80` is 80%)."""

    type: Literal["thresholds"]
    input: Literal["number", "percent"] = "number"
    label: NonEmptyText
    """What the number measures, e.g. "Số cuộc họp của Ban chỉ đạo trong năm"."""
    tiers: tuple[Tier, ...] = Field(min_length=1)
    integer: bool = False
    """The number counts things (meetings, documents): a whole number."""

    @model_validator(mode="after")
    def _counts_are_not_percentages(self) -> Thresholds:
        if self.integer and self.input == "percent":
            raise ValueError("integer: true is for counts; a percentage is not a whole number")
        return self

    def problems(self, max_points: Decimal) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.input == "percent":
            out.extend(
                (f"tiers[{i}].min", f"min {t.min} is above 100%: no percentage reaches it")
                for i, t in enumerate(self.tiers)
                if t.min > 100
            )
        for i, (hi, lo) in enumerate(zip(self.tiers, self.tiers[1:], strict=False), start=1):
            if lo.min >= hi.min:
                out.append(
                    (
                        f"tiers[{i}].min",
                        f"tiers go from the highest min to the lowest: {lo.min} "
                        f"is not below {hi.min}",
                    )
                )
        for i, tier in enumerate(self.tiers):
            if tier.points > max_points:
                out.append(
                    (
                        f"tiers[{i}].points",
                        f"{tier.points} points are above the maximum {max_points}",
                    )
                )
        return out

    def _value(self, number: Decimal) -> Decimal:
        return number * _HUNDRED if self.input == "percent" else number

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        return (
            Slot(
                "value",
                self.label,
                SlotKind.NUMBER,
                _ZERO,
                _ONE if self.input == "percent" else None,  # above 100%: 85 typed for 85%
                percent=self.input == "percent",
                integer=self.integer,
            ),
        )

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> MethodScore:
        value = self._value(_num(values, "value"))
        for tier in self.tiers:
            if value >= tier.min:
                return MethodScore(tier.points)
        return MethodScore(_ZERO)

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        c = cells["value"]
        v = f"{c}*100" if self.input == "percent" else c
        inner = "0"
        for tier in reversed(self.tiers):
            inner = f"IF({v}>={tier.min},{tier.points},{inner})"
        return f"=IF(ISNUMBER({c}),ROUND({inner},{precision}),0)"

    def describe(self, max_points: Decimal) -> str:
        unit = "%" if self.input == "percent" else ""
        steps = [f"từ {vn_number(t.min)}{unit}: {vn_number(t.points)} điểm" for t in self.tiers]
        lowest = self.tiers[-1].min
        if lowest > 0:
            steps.append(f"dưới {vn_number(lowest)}{unit}: 0 điểm")
        return f"{self.label}: " + "; ".join(steps) + "."


class Level(BaseModel):
    """One level of a levels method: its text and its worth, in points or as a fraction of the
    maximum (exactly one of the two)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: NonEmptyText
    points: Amount | None = None
    fraction: Annotated[Decimal, Field(ge=0, le=1)] | None = None

    @model_validator(mode="after")
    def _one_worth(self) -> Level:
        if (self.points is None) == (self.fraction is None):
            raise ValueError("a level takes exactly one of 'points' and 'fraction'")
        return self

    def worth(self, max_points: Decimal) -> Decimal:
        return self.points if self.points is not None else (self.fraction or _ZERO) * max_points


class Levels(_Method):
    """The unit picks one described level (a drop-down of the level texts); each level is worth
    given points or a fraction of the maximum."""

    type: Literal["levels"]
    levels: tuple[Level, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique(self) -> Levels:
        seen: set[str] = set()
        for level in self.levels:
            key = _squash(level.label).casefold()
            if key in seen:
                raise ValueError(f"level {level.label!r} is listed twice")
            seen.add(key)
        return self

    def problems(self, max_points: Decimal) -> list[tuple[str, str]]:
        return [
            (
                f"levels[{i}].points",
                f"level worth {level.worth(max_points)} points is above the maximum {max_points}",
            )
            for i, level in enumerate(self.levels)
            if level.worth(max_points) > max_points
        ]

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        labels = tuple(_squash(level.label) for level in self.levels)
        return (Slot("level", "Mức đạt được", SlotKind.CHOICE, choices=labels, listed=True),)

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> MethodScore:
        chosen = values["level"]
        for level in self.levels:
            if _squash(level.label) == chosen:
                return MethodScore(level.worth(max_points))
        raise ValueError(f"not a level: {chosen!r}")  # parse_slot only passes listed choices

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        # NOTE: the level texts and their points are written in cells by the template (long
        # texts do not fit in a formula); `labels` and `worths` are those ranges.
        c, labels, worths = cells["level"], cells["labels"], cells["worths"]
        # MATCH treats ~ * ? in the typed text as wildcards: escape them (a level "Đạt*" must
        # not match "Đạt một phần")
        typed = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(TRIM({c}),"~","~~"),"*","~*"),"?","~?")'
        return f"=IFERROR(ROUND(INDEX({worths},MATCH({typed},{labels},0)),{precision}),0)"

    def describe(self, max_points: Decimal) -> str:
        parts = [
            f"{_squash(level.label)}: {vn_number(level.worth(max_points))} điểm"
            for level in self.levels
        ]
        return "Chọn một mức: " + "; ".join(parts) + "."


class Count(_Method):
    """Points = count × `per_item`, at most `cap` (default: the maximum)."""

    type: Literal["count"]
    label: NonEmptyText
    """What is counted, e.g. "Số ứng dụng đang dùng trên mạng diện rộng"."""
    per_item: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=6)]
    cap: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=6)] | None = None

    def _cap(self, max_points: Decimal) -> Decimal:
        return max_points if self.cap is None else self.cap

    def problems(self, max_points: Decimal) -> list[tuple[str, str]]:
        if self.cap is not None and self.cap > max_points:
            return [("cap", f"the cap {self.cap} is above the maximum {max_points}")]
        return []

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        return (Slot("count", self.label, SlotKind.NUMBER, _ZERO, integer=True),)

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> MethodScore:
        return MethodScore(min(_num(values, "count") * self.per_item, self._cap(max_points)))

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        c = cells["count"]
        cap = self._cap(max_points)
        return f"=IF(ISNUMBER({c}),ROUND(MIN(MAX({c},0)*{self.per_item},{cap}),{precision}),0)"

    def describe(self, max_points: Decimal) -> str:
        return (
            f"{self.label}: mỗi trường hợp {vn_number(self.per_item)} điểm, "
            f"tối đa {vn_number(self._cap(max_points))} điểm."
        )


class Normalised(_Method):
    """Points = value ÷ the highest value in the unit's group × maximum (R1 I.3). Scored in a
    second pass over the group; when every value is 0, every unit scores 0."""

    type: Literal["normalised"]
    label: NonEmptyText
    """What the value measures, e.g. "Băng thông Internet quy đổi trên CBCCVC (Mbps)"."""

    def slots(self, max_points: Decimal) -> tuple[Slot, ...]:
        return (Slot("value", self.label, SlotKind.NUMBER, _ZERO),)

    def score(self, values: Mapping[str, SlotValue], max_points: Decimal) -> MethodScore:
        return MethodScore(_ZERO, measure=_num(values, "value"), pending=True)

    @staticmethod
    def against(value: Decimal, best: Decimal, max_points: Decimal) -> Decimal:
        """The points of `value` when the group's highest value is `best`."""
        return _ZERO if best == 0 else value * max_points / best

    def formula(self, cells: Mapping[str, str], max_points: Decimal, precision: int) -> str:
        return '=""'  # needs every unit of the group: only grading knows

    def describe(self, max_points: Decimal) -> str:
        m = vn_number(max_points)
        return (
            f"Điểm = {_lower_first(self.label)} ÷ giá trị cao nhất trong khối × {m} "
            "(Sở tính khi tổng hợp)."
        )


def _num(values: Mapping[str, SlotValue], key: str) -> Decimal:
    value = values[key]
    assert isinstance(value, Decimal)
    return value


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _lower_first(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return text[:1].lower() + text[1:]


Method = Annotated[
    DirectPoints | YesNo | Ratio | Thresholds | Levels | Count | Normalised,
    Field(discriminator="type"),
]
"""A leaf criterion's scoring method (`type:` picks the variant)."""

METHOD_TYPES: frozenset[str] = frozenset(
    get_args(cls.model_fields["type"].annotation)[0] for cls in get_args(get_args(Method)[0])
)
"""The `type:` tags of every method (pydantic puts them in error locations)."""
