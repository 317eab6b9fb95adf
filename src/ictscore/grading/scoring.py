"""Pure scoring rules: totals from leaf points, group normalisation, bands, ranking.

The rounding, boundary and tie rules live here and only here:
- leaf points are rounded half-up to the rubric's precision (`publish`); subtotals are exact
  combinations of those published points (a sum or the best of the children, capped where the
  rubric caps), so every printed figure adds up;
- the total is base points (rescaled to the rubric's `scale` when it says so) + bonus − penalty,
  rounded half-up once, and never below 0 unless the rubric allows it;
- a total is classified in the first band (highest first) whose `min` it reaches (`>=`);
- ranks are standard competition ranks (1, 2, 2, 4) on the published total, then on the
  rubric's tie-break criteria; units equal on all of them share a rank.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from ictscore.numbers import round_half_up
from ictscore.rubric.compiled import GroupPlan
from ictscore.rubric.methods import Normalised
from ictscore.rubric.model import Band, Rubric

if TYPE_CHECKING:  # results.py imports Reference from here
    from ictscore.grading.results import UnitResult

K = TypeVar("K", bound=Hashable)
_ZERO = Decimal(0)


def publish(points: Decimal, rubric: Rubric) -> Decimal:
    """Points as published: rounded half-up to the rubric's precision."""
    return round_half_up(points, rubric.precision)


@dataclass(frozen=True)
class Totals:
    """How a unit's total comes from its leaf points."""

    subtotals: dict[str, Decimal]
    """Every applicable parent criterion (areas included) → its points."""
    base: Decimal
    """Points of the base areas, before any rescaling."""
    base_max: Decimal
    """The unit's base maximum (its group's, less criteria marked not applicable for it)."""
    bonus: Decimal
    penalty: Decimal
    """Points deducted (a positive number)."""
    raw_total: Decimal
    """base + bonus − penalty, before rescaling (floored at 0 unless the rubric allows less)."""
    total: Decimal
    """The published total: rescaled where the rubric says so, rounded half-up."""

    @property
    def rescaled(self) -> bool:
        return self.raw_total != self.total


def total_up(
    rubric: Rubric,
    group: str,
    leaf_points: Mapping[str, Decimal],
    skip: frozenset[str] = frozenset(),
) -> Totals:
    """A unit's subtotals and totals from its published leaf points.

    Leaves missing from `leaf_points` count 0 (callers grade only complete sheets); criteria in
    `skip` (marked not applicable for this unit) and criteria not applying to `group` count
    nowhere, and lower the unit's base maximum.
    """
    plan = rubric.plan(group)
    if not skip:
        return _total_up(rubric, plan, leaf_points)
    subtotals: dict[str, Decimal] = {}

    def visit(cid: str) -> Decimal:
        entry = plan.by_id[cid]
        if entry.is_leaf:
            return leaf_points.get(cid, _ZERO)
        subtotals[cid] = entry.combine_points([visit(ch) for ch in plan.children_of(cid, skip)])
        return subtotals[cid]

    by_kind = {"base": _ZERO, "bonus": _ZERO, "penalty": _ZERO}
    for area in plan.areas:
        if plan.max_of(area, skip) > 0:  # it, or one of its parts, applies to the unit
            by_kind[plan.by_id[area].kind] += visit(area)
    return _totals(rubric, plan, subtotals, by_kind, plan.unit_base_max(skip))


def _total_up(rubric: Rubric, plan: GroupPlan, leaf_points: Mapping[str, Decimal]) -> Totals:
    """`total_up` for a unit with every criterion of its group applicable (nearly all units):
    the subtotals in the plan's order, each parent after its children, with no search."""
    subtotals: dict[str, Decimal] = {}
    points = leaf_points if type(leaf_points) is dict else dict(leaf_points.items())
    for entry in plan.parents_in_order:
        subtotals[entry.id] = entry.combine_points(
            [subtotals[ch] if ch in subtotals else points.get(ch, _ZERO) for ch in entry.children]
        )
    by_kind = {"base": _ZERO, "bonus": _ZERO, "penalty": _ZERO}
    for area in plan.areas:
        by_kind[plan.by_id[area].kind] += (
            subtotals[area] if area in subtotals else points.get(area, _ZERO)
        )
    return _totals(rubric, plan, subtotals, by_kind, plan.base_max)


def _totals(
    rubric: Rubric,
    plan: GroupPlan,
    subtotals: dict[str, Decimal],
    by_kind: dict[str, Decimal],
    base_max: Decimal,
) -> Totals:
    base, bonus, penalty = by_kind["base"], by_kind["bonus"], by_kind["penalty"]
    scaled = base
    if plan.rescale_to is not None and base_max:
        scaled = base * plan.rescale_to / base_max
    raw, total = base + bonus - penalty, scaled + bonus - penalty
    if not plan.negative_total:
        raw, total = max(raw, _ZERO), max(total, _ZERO)
    return Totals(subtotals, base, base_max, bonus, penalty, raw, publish(total, rubric))


@dataclass(frozen=True)
class Reference:
    """The highest value of a normalised criterion in a group, and the units that have it."""

    criterion: str
    group: str
    best: Decimal
    units: tuple[str, ...]
    """Codes of the units whose value is `best` (none when every value is 0)."""


def normalise(
    rubric: Rubric, group: str, measures: Mapping[K, Mapping[str, Decimal]]
) -> tuple[dict[K, dict[str, Decimal]], list[Reference]]:
    """The points of every normalised criterion for the units of one group.

    `measures`: unit → criterion id → the value the unit gave. Points = value ÷ the group's
    highest value × maximum, published; all values 0 → 0 points each.
    """
    points: dict[K, dict[str, Decimal]] = {unit: {} for unit in measures}
    references: list[Reference] = []
    for entry in rubric.plan(group).criteria:
        c = entry.criterion
        if not isinstance(c.method, Normalised):
            continue
        values = {unit: m[c.id] for unit, m in measures.items() if c.id in m}
        if not values:
            continue
        best = max(values.values())
        max_points = entry.max
        for unit, value in values.items():
            points[unit][c.id] = publish(Normalised.against(value, best, max_points), rubric)
        leaders = tuple(sorted(str(u) for u, v in values.items() if v == best and best > 0))
        references.append(Reference(c.id, group, best, leaders))
    return points, references


def classify(total: Decimal, bands: Sequence[Band]) -> Band | None:
    """The band of a published total: the first (highest) band whose min it reaches; None when
    the rubric has no bands."""
    for band in bands:
        if band.min is None or total >= band.min:
            return band
    if bands:
        raise ValueError("the last band must have no min")  # guaranteed by the Rubric model
    return None


def ranking_key(
    rubric: Rubric, total: Decimal, subtotals: Mapping[str, Decimal], points: Mapping[str, Decimal]
) -> tuple[Decimal, ...]:
    """What ranks a unit: its total, then the rubric's tie-break criteria in order (higher is
    better; for a criterion of a penalty area, fewer points deducted is better)."""
    keys = [total]
    for c in rubric.tie_breaks:
        value = subtotals.get(c, points.get(c, _ZERO))
        keys.append(-value if rubric.area_kind(c) == "penalty" else value)
    return tuple(keys)


def rank_units(keys: Mapping[K, Decimal | tuple[Decimal, ...]]) -> dict[K, int]:
    """Standard competition ranking: the highest key is 1; equal keys share a rank and the next
    rank skips (1, 2, 2, 4). A key is a total, or a tuple (total, tie-break, …) compared in
    order."""
    as_tuple = {k: v if isinstance(v, tuple) else (v,) for k, v in keys.items()}
    ordered = sorted(as_tuple.values(), reverse=True)
    first_at: dict[tuple[Decimal, ...], int] = {}
    for position, key in enumerate(ordered, start=1):
        first_at.setdefault(key, position)
    return {unit: first_at[key] for unit, key in as_tuple.items()}


def finish(
    rubric: Rubric, result: UnitResult, totals: Totals | None = None, **changes: Any
) -> UnitResult:
    """A graded result with its subtotals, totals and band computed from its points (the group
    pass must have set the points of its normalised criteria: they count 0 otherwise).
    `changes`: other fields to set at the same time (`points` among them, then totalled);
    `totals`: the totals of those points, when the caller has them already."""
    assert result.status == "graded"  # Status.GRADED (results.py imports this module)
    if totals is None:
        points = changes.get("points", result.points)
        totals = total_up(rubric, result.group, points, frozenset(result.not_applicable))
    band = classify(totals.total, rubric.bands)
    return result.replaced(
        **{
            "subtotals": totals.subtotals,
            "total": totals.total,
            "raw_total": totals.raw_total,
            "base_max": totals.base_max,
            "band": band.id if band else None,
            "pending": False,
            **changes,
        },
    )
