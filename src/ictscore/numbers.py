"""Decimal helpers: the one rounding rule, and numbers written the Vietnamese way."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import Final

LARGEST: Final = Decimal(10) ** 15
"""No figure of a score sheet is this large: a cell value beyond it is not read as a number."""


def round_half_up(value: Decimal, precision: int) -> Decimal:
    """Round to `precision` decimals, halves away from zero (99.995 → 100.00 at precision 2)."""
    quantum = _QUANTA.get(precision) or Decimal(1).scaleb(-precision)
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=_CONTEXT)


_CONTEXT: Final = Context(prec=60)
"""Enough digits for any value below LARGEST at any rubric precision (whatever the caller's
decimal context says)."""
_QUANTA: Final = {p: Decimal(1).scaleb(-p) for p in range(13)}


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 5.50 → '5.5', 1E+1 → '10'."""
    return format(value.normalize(), "f")


def vn_number(value: Decimal, precision: int | None = None) -> str:
    """A number as Vietnamese text writes it: decimal comma, thousands with a dot (1.234,5)."""
    return _written(value, value.is_signed(), precision)  # equal values write alike, but -0


@lru_cache(maxsize=16_384)  # a batch's reports write the same figures many thousand times
def _written(value: Decimal, _signed: bool, precision: int | None) -> str:
    return _vn_number(value, precision)


def _vn_number(value: Decimal, precision: int | None) -> str:
    if precision is not None:
        value = round_half_up(value, precision)
        text = f"{value:,.{precision}f}"
    else:
        text = f"{value.normalize():,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def excel_number_format(precision: int) -> str:
    """The Excel number format that shows `precision` decimals: 2 → "0.00", 0 → "0"."""
    return "0." + "0" * precision if precision else "0"


def json_number(value: Decimal | None) -> float | int | None:
    """A figure as JSON writes it: a whole number as an int (100), else a float (97.5)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
