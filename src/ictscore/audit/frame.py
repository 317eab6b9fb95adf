"""The graded units of each group, read once from a results file (the JSON contract of `grade`)
with the rubric's maxima of the group's criteria."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ictscore.rubric.model import Rubric


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    max: float
    kind: str
    """base, bonus or penalty (a penalty's points are taken off the total)."""

    @property
    def sign(self) -> int:
        return -1 if self.kind == "penalty" else 1


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    file: str
    total: float
    band: str | None
    rank: int | None
    """Its published rank among the units ranked together."""
    rank_key: str
    """The units ranked together: the group, or the unit's parent (rank_within: parent)."""
    points: Mapping[str, float | None]
    self_points: Mapping[str, float | None]
    appraisal: Mapping[str, Any]
    inputs: Mapping[str, Mapping[str, Any]]
    evidence: Mapping[str, str]
    parent_name: str | None = None


@dataclass(frozen=True)
class Parent:
    """A criterion that combines others: its children's positions in `Tree.nodes`, how they
    combine (sum, best_of) and the points it stops at (None: uncapped)."""

    children: tuple[int, ...]
    combine: str
    cap: float | None


@dataclass(frozen=True)
class Tree:
    """How a group's leaf points add up to a total, as `scoring.total_up` adds them: `nodes`
    children first, each a leaf (its column in `GroupFrame.criteria`) or a `Parent`; `areas`
    (node position, kind); the total is base + bonus − penalty, the base rescaled to
    `rescale_to` out of `base_max` when the rubric rescales, never below 0 unless
    `negative_total`."""

    nodes: tuple[int | Parent, ...]
    areas: tuple[tuple[int, str], ...]
    base_max: float
    rescale_to: float | None = None
    negative_total: bool = False


@dataclass(frozen=True)
class GroupFrame:
    id: str
    label: str
    criteria: tuple[Criterion, ...]
    units: tuple[Unit, ...] = field(default=())
    tree: Tree | None = None
    """The group's criteria tree, for re-scoring (the Monte Carlo); None: totals are moved
    linearly."""

    def column(self, criterion_id: str) -> list[float]:
        """The criterion's points of every unit (a criterion not applicable to a unit: 0)."""
        return [u.points.get(criterion_id) or 0.0 for u in self.units]

    def totals(self) -> list[float]:
        return [u.total for u in self.units]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def group_frames(data: Mapping[str, Any], rubric: Rubric) -> list[GroupFrame]:
    """Each group of the results file in the rubric's order, with its graded units (those with
    a total) and its applicable leaf criteria."""
    frames = []
    for group in data["groups"]:
        gid = group["id"]
        if rubric.group(gid) is None:
            continue
        plan = rubric.plan(gid)
        criteria = []
        for cid in plan.leaves:
            planned = plan.get(cid)
            assert planned is not None
            criteria.append(
                Criterion(cid, str(planned.criterion.title), float(planned.max), plan.kind_of(cid))
            )
        by_parent = group.get("rank_within") == "parent"
        units = tuple(
            _unit(u, gid, by_parent)
            for u in data["units"]
            if u.get("group") == gid and u.get("total") is not None
        )
        tree = _tree(rubric, gid, [c.id for c in criteria])
        frames.append(GroupFrame(gid, str(group.get("label") or gid), tuple(criteria), units, tree))
    return frames


def _tree(rubric: Rubric, group: str, leaves: list[str]) -> Tree:
    """The group's plan as positions: leaves by their column, parents by their children."""
    plan = rubric.plan(group)
    nodes: list[int | Parent] = []

    def place(cid: str) -> int:
        entry = plan.by_id[cid]
        if entry.is_leaf:
            nodes.append(leaves.index(cid))
        else:
            children = tuple(place(ch) for ch in entry.children)
            cap = None if entry.cap is None else float(entry.cap)
            nodes.append(Parent(children, str(entry.combine), cap))
        return len(nodes) - 1

    areas = tuple((place(a), plan.by_id[a].kind) for a in plan.areas)
    rescale = None if plan.rescale_to is None else float(plan.rescale_to)
    return Tree(tuple(nodes), areas, float(plan.base_max), rescale, bool(plan.negative_total))


def _unit(u: Mapping[str, Any], gid: str, by_parent: bool) -> Unit:
    return Unit(
        code=str(u["code"]),
        name=str(u.get("name") or u["code"]),
        file=str(u.get("file") or ""),
        total=float(u["total"]),
        band=u.get("band"),
        rank=u.get("parent_rank") if by_parent else u.get("rank"),
        rank_key=str(u.get("parent") or "") if by_parent else gid,
        points={k: _num(v) for k, v in (u.get("points") or {}).items()},
        self_points={k: _num(v) for k, v in (u.get("self_points") or {}).items()},
        appraisal=u.get("appraisal") or {},
        inputs=u.get("inputs") or {},
        evidence={k: str(v) for k, v in (u.get("evidence") or {}).items() if v},
        parent_name=str(u.get("parent_name") or u.get("parent") or "") if by_parent else None,
    )
