"""What a unit typed into a cell, read as the rubric's slot wants it.

The one reader of numbers as people type them: a number cell, or text that is plainly one
("9,5", " 10 điểm", "８５%"), never a number with a thousands separator (`GROUPED`: 1.500 could
be either); yes/no synonyms; the problems (`Problem`) and the notes of a value read from text.
validate.py reads a sheet's input cells with it, appraisal.py the council's points.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from ictscore.issues import IssueCode
from ictscore.messages import Msg, Percent
from ictscore.numbers import LARGEST
from ictscore.rubric.methods import NO, YES, Slot, SlotKind, SlotValue
from ictscore.sheets.reader import FormulaResult, RawCell


def shorten(title: str, width: int = 60) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


@lru_cache(maxsize=4096)  # the same titles and choices, sheet after sheet
def squash(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


_SPACES = re.compile(r"\s+")


Problem = tuple[IssueCode, Msg]
"""(issue code, what is wrong and what was expected)."""


def parse_slot(
    slot: Slot, raw: RawCell, plain_percent: bool = False
) -> tuple[SlotValue | None, Problem | None]:
    """A raw cell value as the slot wants it, or the problem (see `read_slot`)."""
    value, problem, _ = read_slot(slot, raw, plain_percent)
    return value, problem


def read_slot(
    slot: Slot, raw: RawCell, plain_percent: bool = False
) -> tuple[SlotValue | None, Problem | None, Msg | None]:
    """A raw cell value as the slot wants it: (value, None, note) or (None, problem, None).

    Values as people type them are accepted and normalised, with `note` saying how the typed
    text was read (a `coerced-value` warning): a decimal comma ("9,5"), spaces and non-breaking
    spaces, a unit word ("10 điểm"), full-width digits, "85%" typed as text, yes/no synonyms
    ("x", "Đạt", "Không đạt", "co", "khong"). With `plain_percent` (the rubric's rule), 85 in a
    percentage cell is read as 85%. Anything else that is not what the slot wants is a problem.
    """
    if raw.blank:
        return (
            None,
            (IssueCode.MISSING_VALUE, Msg("no value; expected {what}", what=_expected(slot))),
            None,
        )
    value = raw.value
    if isinstance(value, FormulaResult):
        if value.error:
            text = Msg(
                "a formula whose result is {error}: correct the formula or type the value",
                error=value.error,
            )
            return None, (IssueCode.FORMULA_ERROR, text), None
        text = Msg(
            "a formula without a saved result: open the file in Excel or LibreOffice and save "
            "it, or type the value"
        )
        return None, (IssueCode.FORMULA_WITHOUT_VALUE, text), None
    if slot.kind is SlotKind.CHOICE:
        return _read_choice(slot, value)
    number, note = _read_number(value, slot)
    if isinstance(number, tuple):
        return None, number, None
    if number is None:
        text = Msg("expected {what}, found {found}", what=_expected(slot), found=shown(value))
        return None, (IssueCode.NOT_A_NUMBER, text), None
    typed_percent = isinstance(value, str) and "%" in unicodedata.normalize("NFKC", value)
    if (
        plain_percent
        and slot.percent
        and slot.maximum is not None
        and slot.maximum < number <= 100
        and not typed_percent
    ):
        note = Msg(
            "read {found} as {percent} (the rubric reads plain numbers in a percentage cell "
            "as percentages)",
            found=shown(value),
            percent=Percent(number / 100),
        )
        number = number / 100
    if slot.integer and number != number.to_integral_value():
        problem = (
            IssueCode.NOT_A_WHOLE_NUMBER,
            Msg("expected a whole number (a count), found {found}", found=number),
        )
        return None, problem, None
    if slot.minimum is not None and number < slot.minimum:
        return (
            None,
            (
                IssueCode.BELOW_MINIMUM,
                Msg(
                    "{found} is below the minimum {minimum}",
                    found=_fmt(slot, number),
                    minimum=_fmt(slot, slot.minimum),
                ),
            ),
            None,
        )
    if slot.maximum is not None and number > slot.maximum:
        found, maximum = _fmt(slot, number), _fmt(slot, slot.maximum)
        text = Msg("{found} is above the maximum {maximum}", found=found, maximum=maximum)
        if slot.percent and number <= 100 and not typed_percent:
            text = Msg(
                "{found} is above the maximum {maximum} (type {percent} rather than {number})",
                found=found,
                maximum=maximum,
                percent=Percent(number / 100),
                number=number,
            )
        return None, (IssueCode.ABOVE_MAXIMUM, text), None
    return number, None, note


_YES_WORDS = frozenset({"x", "✓", "✔", "đạt", "co", "có đạt"})
_NO_WORDS = frozenset({"không đạt", "khong", "khong dat", "chưa đạt", "chua dat"})


def _read_choice(slot: Slot, value: Any) -> tuple[SlotValue | None, Problem | None, Msg | None]:
    text = squash(str(value)).casefold()
    for choice in slot.choices:
        if text == squash(choice).casefold():
            return choice, None, None
    if set(slot.choices) == {YES, NO}:  # yes/no, as people also answer it
        folded = unicodedata.normalize("NFKC", text)
        meant = YES if folded in _YES_WORDS else NO if folded in _NO_WORDS else None
        if meant is not None:
            return (
                meant,
                None,
                Msg('read "{text}" as "{meant}"', text=shorten(str(value), 30), meant=meant),
            )
    text = Msg("expected {what}, found {found}", what=_expected(slot), found=shown(value))
    return None, (IssueCode.NOT_A_CHOICE, text), None


_TYPED_NUMBER = re.compile(r"([+-]?)(\d+(?:[.,]\d+)?)\s*(%|[^\d\s%][^\d%]*)?", re.IGNORECASE)
_POINT_WORDS = frozenset({"điểm", "đ"})
_COUNT_WORDS = frozenset({"người", "cuộc", "lần", "văn bản", "phần mềm", "máy", "cái", "bộ"})
_DIGITS = frozenset("0123456789０１２３４５６７８９")
"""Digits read as digits: ASCII and full-width (as typed with a Vietnamese or CJK input method)."""
GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:[.,]\d{3})+")
"""1.500 or 1,500: a thousands separator or a decimal point? Never guessed: text so written is
an ambiguous value, in a sheet as in the appraisal form."""
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
"""A number as typed in a CSV cell or as text: an optional sign, digits, a decimal point or
comma."""


def _read_number(value: Any, slot: Slot) -> tuple[Decimal | Problem | None, Msg | None]:
    """A number cell, or text that is plainly a number ("9,5", " 10 điểm", "８５%")."""
    if not isinstance(value, str):
        return number_of(value), None
    if any(unicodedata.category(ch) in ("Nd", "No") and ch not in _DIGITS for ch in value):
        return None, None  # "10²", "①", "٣": not read as plain digits
    text = unicodedata.normalize("NFKC", value).strip()  # full-width digits, non-breaking spaces
    match = _TYPED_NUMBER.fullmatch(text)
    if match is None:
        return None, None
    sign, digits, unit = match.groups()
    word = squash(unit).casefold() if unit and unit != "%" else None
    fits = _POINT_WORDS if slot.is_points else set() if slot.percent else _COUNT_WORDS
    if word is not None and word not in fits:
        return None, None  # "5 người" is not points, "10 điểm" is not a count
    if GROUPED.fullmatch(digits):
        return (
            IssueCode.AMBIGUOUS_VALUE,
            Msg(
                'text "{text}" could be a decimal or a number with a thousands separator: '
                "retype it as a plain number",
                text=shorten(value, 30),
            ),
        ), None
    percent = unit == "%"
    if percent and not slot.percent:
        return None, None
    number = Decimal(sign + digits.replace(",", "."))
    if abs(number) >= LARGEST:
        return None, None
    if percent:
        number /= 100
    shown = Percent(number) if percent else number
    return number, Msg('read text "{text}" as {shown}', text=shorten(value, 30), shown=shown)


def number_of(value: Any) -> Decimal | None:
    """An int or float cell value as Decimal; None for anything else (text, dates, booleans)."""
    if type(value) is float and value:  # 0.0 and -0.0 are equal keys: not remembered
        return _float_number(value)
    return _number_of(value)


@lru_cache(maxsize=8192)  # every sheet holds the same maxima and many of the same values
def _float_number(value: float) -> Decimal | None:
    return _number_of(value)


def _number_of(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < LARGEST else None


def _fmt(slot: Slot, number: Decimal) -> Decimal | Percent:
    return Percent(number) if slot.percent else number


def _expected(slot: Slot) -> Msg:
    if slot.kind is SlotKind.CHOICE and slot.listed:
        levels = "; ".join(f'"{shorten(c)}"' for c in slot.choices)
        return Msg("one of the levels: {levels}", levels=levels)
    if slot.kind is SlotKind.CHOICE:
        *first, last = slot.choices
        return Msg("{first} or {last}", first=" / ".join(first), last=last)
    lo = slot.minimum if slot.minimum is not None else Decimal(0)
    if slot.maximum is None:
        return Msg("a number from {low} up", low=_fmt(slot, lo))
    if slot.percent:
        return Msg(
            "a percentage from {low} to {high}", low=_fmt(slot, lo), high=_fmt(slot, slot.maximum)
        )
    return Msg("a number from {low} to {high}", low=_fmt(slot, lo), high=_fmt(slot, slot.maximum))


def shown(value: Any) -> Msg | str:
    if value is None:
        return Msg("nothing")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return Msg("a date/time ({value})", value=str(value))
    if isinstance(value, bool):
        return Msg("a boolean ({value})", value=str(value))
    if isinstance(value, dt.timedelta):
        return Msg("a duration ({value})", value=str(value))
    if isinstance(value, str):
        return Msg('text "{text}"', text=shorten(value, 40))
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.6g}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # calamine gives 20.0 for a cell showing 20
    if isinstance(value, float):
        return Msg("{value}", value=Decimal(str(value)))  # 9,5 in Vietnamese
    return str(value)
