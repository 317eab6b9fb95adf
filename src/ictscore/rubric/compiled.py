"""The compiled rubric: what grading and the reports need of a rubric for one group, as plain data.

A `Rubric` is the document as its author wrote it: a tree whose maxima, applicability and caps
follow from rules (a child applies only where its parent does; a parent is worth what its
children combine to, capped where the rubric says so). `Rubric.plan(group_id)` works those rules
out once per group and returns a `GroupPlan`: frozen, slotted, read without asking the rubric
again. The `Rubric` queries (`max_for`, `nodes_for`, `base_max`, `applicable_children`, …) are
answered from these plans, so the rules live here and only here.

`GroupPlan` (one group):
- `group`, `precision`, `rescale_to` (the `scale` when totals are rescaled, else None),
  `negative_total`, `tie_breaks`;
- `criteria`: a `PlannedCriterion` for every criterion that counts for the group (a maximum
  above 0), depth first in sheet order, parents before children; `nodes`: the same as `Node`s
  (what `Rubric.nodes_for` returns); `by_id`: id → PlannedCriterion;
- `leaves`: the ids of the applicable leaves; `areas`: the applicable top-level areas;
- `base_max`, `bonus_max`, `penalty_max`: the group's maxima by area kind; `published_max`:
  the base maximum as published (`scale` when totals are rescaled);
- `max_of(id, skip)`, `children_of(id, skip)`, `unit_base_max(skip)`: the same figures for a unit
  whose criteria in `skip` are marked not applicable (0 for a criterion that does not count);
- `kind_of(id)`: the kind (base, bonus, penalty) of the area of any criterion of the rubric.

`PlannedCriterion` (one applicable criterion): `criterion` (the model: title, method, guidance),
`id`, `depth`, `parent` (its parent's id, None for an area), `area` (its area's id), `kind` (its
area's kind), `max` (its maximum for the group), `children` (the ids of its applicable children,
in order), `combine` (sum or best_of), `cap` (the points a parent stops at, None if uncapped),
`is_leaf`; `combine_points(values)` is the parent's points from its children's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ictscore.rubric.model import Criterion, Node, Rubric
    from ictscore.rubric.slots import Slot

Kind = Literal["base", "bonus", "penalty"]
Combine = Literal["sum", "best_of"]
_ZERO = Decimal(0)
_NO_SKIP: frozenset[str] = frozenset()


def combine(how: Combine, values: Iterable[Decimal], cap: Decimal | None) -> Decimal:
    """A parent's value from its children's (maxima or points): their sum, or the best of them
    (0 when there are none), stopped at `cap` when the parent is capped."""
    combined = max(values, default=_ZERO) if how == "best_of" else sum(values, _ZERO)
    return combined if cap is None else min(combined, cap)


@dataclass(frozen=True, slots=True)
class PlannedCriterion:
    """A criterion that counts for the group (its maximum is above 0), in its place in the tree."""

    criterion: Criterion
    id: str
    depth: int
    parent: str | None
    """The parent's id; None for a top-level area."""
    area: str
    """The id of the top-level area it belongs to."""
    kind: Kind
    """The kind of its area: base, bonus or penalty."""
    max: Decimal
    """Its maximum for the group (a parent's: its applicable children's, combined and capped)."""
    children: tuple[str, ...]
    """The ids of its children that count for the group, in order (none for a leaf)."""
    combine: Combine
    cap: Decimal | None
    """The points a parent stops at (a block cap, or parent_max: cap); None when uncapped."""
    is_leaf: bool
    slots: tuple[Slot, ...] = ()
    """A leaf's input slots at its maximum for the group, in the input columns' order (none for
    a parent or a leaf without a method)."""

    def combine_points(self, values: Iterable[Decimal]) -> Decimal:
        """A parent's points from its children's: their sum or the best of them, capped."""
        return combine(self.combine, values, self.cap)


@dataclass(frozen=True, slots=True)
class GroupPlan:
    """A rubric compiled for one group (see the module docstring)."""

    group: str
    precision: int
    rescale_to: Decimal | None
    """The base maximum totals are rescaled to (not_applicable: rescale); None otherwise."""
    negative_total: bool
    tie_breaks: tuple[str, ...]
    criteria: tuple[PlannedCriterion, ...]
    nodes: tuple[Node, ...]
    by_id: Mapping[str, PlannedCriterion]
    leaves: tuple[str, ...]
    areas: tuple[str, ...]
    base_max: Decimal
    bonus_max: Decimal
    penalty_max: Decimal
    published_max: Decimal
    kinds: Mapping[str, Kind]
    """Every criterion id of the rubric (applicable or not) → the kind of its area."""
    parents_in_order: tuple[PlannedCriterion, ...] = ()
    """The parents, each after its children (area by area, depth first): the order in which
    a unit's subtotals are worked out from its leaves' points."""

    def __contains__(self, criterion_id: object) -> bool:
        return criterion_id in self.by_id

    def get(self, criterion_id: str) -> PlannedCriterion | None:
        return self.by_id.get(criterion_id)

    def kind_of(self, criterion_id: str) -> Kind:
        """The kind (base, bonus, penalty) of the area a criterion of the rubric belongs to."""
        return self.kinds[criterion_id]

    def max_of(self, criterion_id: str, skip: frozenset[str] = _NO_SKIP) -> Decimal:
        """The criterion's maximum for the group: 0 where it does not count, or for a unit that
        has it (or all of its parts) in `skip`, marked not applicable."""
        entry = self.by_id.get(criterion_id)
        if entry is None or criterion_id in skip:
            return _ZERO
        if entry.is_leaf or not skip:
            return entry.max
        return entry.combine_points(self.max_of(ch, skip) for ch in entry.children)

    def children_of(self, criterion_id: str, skip: frozenset[str] = _NO_SKIP) -> tuple[str, ...]:
        """The ids of the children that count for a unit that has `skip` marked not applicable."""
        entry = self.by_id.get(criterion_id)
        if entry is None:
            return ()
        if not skip:
            return entry.children
        return tuple(ch for ch in entry.children if self.max_of(ch, skip) > 0)

    def unit_base_max(self, skip: frozenset[str] = _NO_SKIP) -> Decimal:
        """The base maximum of a unit that has the criteria in `skip` marked not applicable."""
        if not skip:
            return self.base_max
        return self._kind_max("base", skip)

    def unit_bonus_max(self, skip: frozenset[str] = _NO_SKIP) -> Decimal:
        """The bonus maximum of a unit that has the criteria in `skip` marked not applicable."""
        return self._kind_max("bonus", skip) if skip else self.bonus_max

    def unit_penalty_max(self, skip: frozenset[str] = _NO_SKIP) -> Decimal:
        """The penalty maximum of a unit that has the criteria in `skip` marked not applicable."""
        return self._kind_max("penalty", skip) if skip else self.penalty_max

    def unit_published_max(self, skip: frozenset[str] = _NO_SKIP) -> Decimal:
        """The maximum a unit's total is published against: its own base maximum under
        `shrink`, the scale under `rescale` (its base points are converted to it)."""
        return self.unit_base_max(skip) if self.rescale_to is None else self.rescale_to

    def _kind_max(self, kind: Kind, skip: frozenset[str]) -> Decimal:
        return sum((self.max_of(a, skip) for a in self.areas if self.by_id[a].kind == kind), _ZERO)


def compile_group(rubric: Rubric, group: str) -> GroupPlan:
    """Work out the plan of `group` from the rubric's rules, once. A group the rubric does not
    have gets an empty plan: nothing counts for it."""
    maxima: dict[str, Decimal] = {}

    def cap_of(c: Criterion) -> Decimal | None:
        return c.max if rubric.is_capped(c) else None

    def maximum(c: Criterion) -> Decimal:
        if not rubric.applies(c, group):
            value = _ZERO  # nor any of its children: a child never applies beyond its parent
        elif c.is_leaf:
            assert c.max is not None
            value = c.max
        else:
            value = combine(c.combine, [maximum(ch) for ch in c.children], cap_of(c))
        maxima[c.id] = value
        return value

    for area in rubric.criteria:
        maximum(area)
    nodes = tuple(n for n in rubric.walk() if maxima.get(n.criterion.id, _ZERO) > 0)
    criteria = tuple(
        PlannedCriterion(
            criterion=n.criterion,
            id=n.criterion.id,
            depth=n.depth,
            parent=n.parent.id if n.parent else None,
            area=n.area.id,
            kind=n.area.kind,
            max=maxima[n.criterion.id],
            children=tuple(ch.id for ch in n.criterion.children if maxima.get(ch.id, _ZERO) > 0),
            combine=n.criterion.combine,
            cap=cap_of(n.criterion),
            is_leaf=n.criterion.is_leaf,
            slots=(n.criterion.method.slots(maxima[n.criterion.id]) if n.criterion.method else ()),
        )
        for n in nodes
    )
    by_kind: dict[Kind, Decimal] = {"base": _ZERO, "bonus": _ZERO, "penalty": _ZERO}
    for c in criteria:
        if c.parent is None:
            by_kind[c.kind] += c.max
    rescale_to = (
        rubric.scale if rubric.not_applicable == "rescale" and rubric.scale is not None else None
    )
    return GroupPlan(
        group=group,
        precision=rubric.precision,
        rescale_to=rescale_to,
        negative_total=rubric.negative_total,
        tie_breaks=rubric.tie_breaks,
        criteria=criteria,
        nodes=nodes,
        by_id={c.id: c for c in criteria},
        leaves=tuple(c.id for c in criteria if c.is_leaf),
        areas=tuple(c.id for c in criteria if c.parent is None),
        base_max=by_kind["base"],
        bonus_max=by_kind["bonus"],
        penalty_max=by_kind["penalty"],
        published_max=by_kind["base"] if rescale_to is None else rescale_to,
        kinds={n.criterion.id: n.area.kind for n in rubric.walk()},
        parents_in_order=_parents_in_order(criteria),
    )


def _parents_in_order(criteria: tuple[PlannedCriterion, ...]) -> tuple[PlannedCriterion, ...]:
    by_id = {c.id: c for c in criteria}
    out: list[PlannedCriterion] = []

    def visit(entry: PlannedCriterion) -> None:
        if entry.is_leaf:
            return
        for child in entry.children:
            visit(by_id[child])
        out.append(entry)

    for c in criteria:
        if c.parent is None:
            visit(c)
    return tuple(out)
