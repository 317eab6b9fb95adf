"""Pure scoring rules: totals from leaf points, classification into bands, ranking.

The rounding, boundary and tie rules live here and only here:
- leaf points are rounded half-up to the rubric's precision (validate.py calls `publish`);
  subtotals and totals are exact sums of those published points, so every printed figure adds up;
- a total is classified in the first band (highest first) whose `min` it reaches (`>=`);
- ranks are standard competition ranks (1, 2, 2, 4) on the published total.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from ictscore.numbers import round_half_up
from ictscore.rubric import Band, Criterion, Rubric

K = TypeVar("K", bound=Hashable)


def publish(points: Decimal, rubric: Rubric) -> Decimal:
    """Points as published: rounded half-up to the rubric's precision."""
    return round_half_up(points, rubric.precision)


def total_up(
    rubric: Rubric, group: str, leaf_points: Mapping[str, Decimal]
) -> tuple[dict[str, Decimal], Decimal]:
    """Subtotals of every applicable parent criterion and the total, from published leaf points.

    Leaves missing from `leaf_points` count 0 (callers grade only complete sheets).
    """
    subtotals: dict[str, Decimal] = {}

    def visit(c: Criterion) -> Decimal:
        if c.is_leaf:
            return leaf_points.get(c.id, Decimal(0))
        s = sum((visit(ch) for ch in c.children if rubric.applies(ch, group)), Decimal(0))
        subtotals[c.id] = s
        return s

    total = sum((visit(a) for a in rubric.criteria if rubric.applies(a, group)), Decimal(0))
    return subtotals, publish(total, rubric)


def classify(total: Decimal, bands: Sequence[Band]) -> Band:
    """The band of a published total: the first (highest) band whose min it reaches."""
    for band in bands:
        if band.min is None or total >= band.min:
            return band
    raise ValueError("the last band must have no min")  # guaranteed by the Rubric model


def rank_units(totals: Mapping[K, Decimal]) -> dict[K, int]:
    """Standard competition ranking: the highest total is 1; equal totals share a rank and the
    next rank skips (1, 2, 2, 4)."""
    ordered = sorted(totals.values(), reverse=True)
    first_at: dict[Decimal, int] = {}
    for position, total in enumerate(ordered, start=1):
        first_at.setdefault(total, position)
    return {key: first_at[total] for key, total in totals.items()}
