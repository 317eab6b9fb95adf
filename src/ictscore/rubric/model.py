"""The rubric model: a competition's criteria, groups and bands, as pydantic models.

A `Rubric` is a value (frozen): the document as its author wrote it, validated field by field
and against the cross-field rules (rules.py). Its queries answer per group from the compiled
plan (`Rubric.plan(group)`, compiled.py). Checking rubric text with every problem located is
lint.py's; reading files and the bundled rubrics is load.py's (`load_rubric`).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ictscore.issues import ERROR
from ictscore.rubric.compiled import GroupPlan, compile_group
from ictscore.rubric.methods import Method
from ictscore.rubric.rules import rule_findings, yaml_path

__all__ = ["Band", "Criterion", "Group", "Node", "Rubric", "Unranked"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_nfc)]
"""Non-empty text, normalised to NFC (Vietnamese diacritics compare equal however typed)."""
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
"""A lowercase ASCII identifier with hyphens (`so-nganh`)."""
CriterionId = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")]
"""A criterion id: letters or digits separated by dots ("1", "1.2", "1.2.a", "I.3")."""
Points = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Model):
    """A group of units ranked against each other (e.g. the commune People's Committees)."""

    id: Slug
    label: Text
    """Vietnamese label, e.g. "UBND cấp xã"."""
    rank_within: Literal["group", "parent"] = "group"
    """`parent`: units are also ranked within their parent unit (communes within their
    district), as `parent_rank`; `rank` is always the rank within the group."""


class Unranked(_Model):
    """A unit scored and listed, but left out of the ranking (e.g. for security reasons)."""

    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    """The unit's code."""
    reason: Text


class Band(_Model):
    """A classification band: a unit is in the first band (highest first) whose `min` it reaches."""

    id: Slug
    label: Text
    """Vietnamese label, e.g. "Tốt"."""
    min: Decimal | None = None
    """Lower bound, inclusive (bands are half-open: from `min` to below the next band's `min`).
    The last band has none: it takes every total below the band above it."""
    color: str = "default"
    """A colour name for terminal and workbook output (rich colour names: green, yellow, …)."""


class Criterion(_Model):
    """A node of the criteria tree: an area, a criterion or a sub-criterion."""

    id: CriterionId
    title: Text
    guidance: Text | None = None
    """How to score it or what evidence to give; printed in the sheet."""
    max: Points | None = None
    """Maximum points. Required on leaves; on a parent it must equal the sum of its children."""
    groups: tuple[Slug, ...] | None = Field(default=None, min_length=1)
    """The groups this node applies to; all groups (or all of its parent's) when omitted."""
    kind: Literal["base", "bonus", "penalty"] = "base"
    """Top-level areas only. `bonus` (điểm thưởng): added on top of the base maximum;
    `penalty` (điểm trừ): its points are subtracted. Their `max` caps them."""
    combine: Literal["sum", "best_of"] = "sum"
    """How a parent's points come from its children: their sum, or the best of them
    (alternatives: "tính điểm cho trường hợp nào có điểm cao nhất")."""
    capped: bool = False
    """A block cap: the parent is worth at most its `max`, whatever its children add up to."""
    method: Method | None = None
    """How a leaf is scored (`type: direct | yes_no | ratio | thresholds | levels | count |
    normalised`). Parents have none."""
    children: tuple[Criterion, ...] = ()

    @model_validator(mode="after")
    def _leaf_or_parent(self) -> Criterion:
        if self.children:
            if self.method is not None:
                raise ValueError(f"criterion {self.id} has children, so it takes no 'method'")
        else:
            if self.method is None:
                raise ValueError(f"leaf criterion {self.id} needs a 'method' (how it is scored)")
            if self.max is None:
                raise ValueError(f"leaf criterion {self.id} needs a 'max'")
            if self.combine != "sum" or self.capped:
                raise ValueError(f"'combine' and 'capped' are for parents; {self.id} is a leaf")
        if self.capped and self.max is None:
            raise ValueError(f"criterion {self.id} is capped, so it needs a 'max' (the cap)")
        return self

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class Node:
    """A criterion in its place in the tree, as `Rubric.walk()` yields it."""

    criterion: Criterion
    parent: Criterion | None
    depth: int
    area: Criterion
    """The top-level criterion (area) this node belongs to."""


class Rubric(_Model):
    """A competition's score sheet: metadata, groups, criteria tree and bands."""

    id: Slug
    version: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    title: Text
    year: int = Field(ge=1990, le=2100)
    issuer: Text
    source_notes: Text | None = None
    """Where the rubric comes from, and how faithful it is to the official text."""
    precision: int = Field(default=2, ge=0, le=4)
    """Decimals at which points and totals are published (rounded half-up)."""
    parent_max: Literal["equal", "cap"] = "equal"
    """When a parent declares a `max` other than what its children add up to: `equal` makes it
    an error; `cap` caps the parent at its `max` (reported as a warning by the checker)."""
    not_applicable: Literal["shrink", "rescale"] = "shrink"
    """Criteria that do not apply to a group (or that the appraisal council marks not applicable
    for a unit): `shrink` lowers that maximum; `rescale` converts the base points to `scale`
    ("quy đổi về thang 100"): published = base points × scale ÷ the unit's base maximum."""
    scale: Points | None = None
    """The base maximum totals are rescaled to (not_applicable: rescale)."""
    plain_percent: StrictBool = False
    """85 typed in a percentage cell: an error (default: "type 85%"), or, when true, read as 85%
    with a warning. Either way 0.85 and "85%" are read as 85%."""
    negative_total: bool = False
    """Penalties may take a total below 0 (by default a total stops at 0)."""
    appraisal: Literal["optional", "required"] = "optional"
    """`optional`: the appraised points where the council gave them, the self-score otherwise;
    `required`: every criterion of a graded sheet must be appraised."""
    tie_breaks: tuple[CriterionId, ...] = ()
    """Criteria whose points break equal totals, in order (e.g. ["1"]: the higher area 1
    subtotal first); units equal on all of them share a rank."""
    unranked: tuple[Unranked, ...] = ()
    """Units scored and listed but not ranked."""
    groups: tuple[Group, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = ()
    """Classification bands, highest first; none: totals are not classified."""
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        errors = [f for f in rule_findings(self.model_dump()) if f.severity is ERROR]
        if errors:
            raise PydanticCustomError(
                "rubric_rules",
                "{summary}",
                {
                    "summary": "; ".join(f"{yaml_path(f.loc)}: {f.message}" for f in errors),
                    "problems": [(f.loc, f.message) for f in errors],
                },
            )
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Rubric:
        """A copy (not validated, as pydantic's), without the cached values of the original."""
        copy = super().model_copy(update=update, deep=deep)
        for cached in (
            "content_hash",
            "_applicable",
            "_by_id",
            "_unranked",
            "_area_kinds",
            "_plans",
            "_groups",
            "parent_ids",
        ):
            copy.__dict__.pop(cached, None)
        return copy

    # --- queries -------------------------------------------------------------------------

    def walk(self) -> Iterator[Node]:
        """Every criterion, depth first, in document order."""

        def visit(
            c: Criterion, parent: Criterion | None, depth: int, area: Criterion
        ) -> Iterator[Node]:
            yield Node(c, parent, depth, area)
            for child in c.children:
                yield from visit(child, c, depth + 1, area)

        for area in self.criteria:
            yield from visit(area, None, 0, area)

    @cached_property
    def _applicable(self) -> dict[str, frozenset[str]]:
        """Criterion id → the groups it applies to (a child never applies beyond its parent)."""
        all_groups = frozenset(g.id for g in self.groups)
        out: dict[str, frozenset[str]] = {}
        for node in self.walk():
            inherited = out[node.parent.id] if node.parent else all_groups
            own = frozenset(node.criterion.groups) if node.criterion.groups else all_groups
            out[node.criterion.id] = inherited & own
        return out

    def applies(self, criterion: Criterion, group: str) -> bool:
        return group in self._applicable[criterion.id]

    def plan(self, group_id: str) -> GroupPlan:
        """The rubric compiled for one of its groups (see compiled.py), worked out once.
        Raises KeyError for a group the rubric does not have."""
        if self.group(group_id) is None:
            raise KeyError(f"group {group_id!r} is not in rubric {self.id}")
        return self._plan(group_id)

    def _plan(self, group: str) -> GroupPlan:
        plans: dict[str, GroupPlan] = self.__dict__.setdefault("_plans", {})
        if group not in plans:
            plans[group] = compile_group(self, group)
        return plans[group]

    def nodes_for(self, group: str) -> list[Node]:
        """The criteria that apply to `group`, depth first, parents before children, leaves
        only where at least one of their descendants applies."""
        return list(self._plan(group).nodes)

    def max_for(
        self, criterion: Criterion, group: str, skip: frozenset[str] = frozenset()
    ) -> Decimal:
        """The criterion's maximum for `group`: 0 where it does not apply (or its id is in
        `skip`: marked not applicable for one unit); a parent's comes from its children
        (their sum, or the best of them), capped at its `max` where the rubric says so."""
        return self._plan(group).max_of(criterion.id, skip)

    def applicable_children(
        self, criterion: Criterion, group: str, skip: frozenset[str] = frozenset()
    ) -> list[Criterion]:
        """The children of `criterion` that count for `group` (a maximum above 0)."""
        plan = self._plan(group)
        return [plan.by_id[ch].criterion for ch in plan.children_of(criterion.id, skip)]

    def is_capped(self, criterion: Criterion) -> bool:
        """Whether a parent's points stop at its `max` (a block cap, or parent_max: cap)."""
        return (
            not criterion.is_leaf
            and criterion.max is not None
            and (criterion.capped or self.parent_max == "cap")
        )

    def combine_cap(self, criterion: Criterion, combined: Decimal) -> Decimal:
        """A parent's combined children (maxima or points), capped where the rubric says so."""
        if self.is_capped(criterion):
            assert criterion.max is not None
            return min(combined, criterion.max)
        return combined

    def base_max(self, group: str, skip: frozenset[str] = frozenset()) -> Decimal:
        """The group's maximum of base points (bonus and penalty areas aside); `skip`: criteria
        marked not applicable for one unit."""
        return self._plan(group).unit_base_max(skip)

    def bonus_max(self, group: str) -> Decimal:
        return self._plan(group).bonus_max

    def penalty_max(self, group: str) -> Decimal:
        return self._plan(group).penalty_max

    def published_max(self, group: str) -> Decimal:
        """The base maximum as published: `scale` when totals are rescaled."""
        return self._plan(group).published_max

    def area_kind(self, criterion_id: str) -> str:
        """The kind (base, bonus, penalty) of the area a criterion belongs to."""
        return self._area_kinds[criterion_id]

    @cached_property
    def _area_kinds(self) -> dict[str, str]:
        return {n.criterion.id: n.area.kind for n in self.walk()}

    @cached_property
    def parent_ids(self) -> dict[str, str]:
        """Criterion id → its parent's id (areas have none)."""
        return {n.criterion.id: n.parent.id for n in self.walk() if n.parent}

    def unranked_reason(self, unit_code: str) -> str | None:
        """Why the unit is left out of the ranking, or None if it is ranked."""
        return self._unranked.get(unit_code)

    @cached_property
    def _unranked(self) -> dict[str, str]:
        return {u.unit: u.reason for u in self.unranked}

    def group(self, group_id: str) -> Group | None:
        return self._groups.get(group_id)

    @cached_property
    def _groups(self) -> dict[str, Group]:
        """Group id → the group (the first of an id: ids are unique, the model checks)."""
        found: dict[str, Group] = {}
        for g in self.groups:
            found.setdefault(g.id, g)
        return found

    def band(self, band_id: str | None) -> Band | None:
        return next((b for b in self.bands if b.id == band_id), None)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return self._by_id.get(criterion_id)

    @cached_property
    def _by_id(self) -> dict[str, Criterion]:
        return {n.criterion.id: n.criterion for n in self.walk()}

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of what a score sheet depends on: criteria, groups, maxima, methods, bands,
        precision, totals policy. Not the YAML formatting, comments, display colours, source
        notes, nor the rules applied after the sheets are in (ranking: tie_breaks, unranked,
        rank_within; the appraisal policy; how plain numbers in percentage cells are read), so
        deciding those later does not invalidate the
        sheets already filled. Numbers hash by value (`max: 5` and `max: 5.0` alike)."""
        content = self.model_dump(
            exclude={
                "bands": {"__all__": {"color"}},
                "groups": {"__all__": {"rank_within"}},
                "source_notes": True,
                "tie_breaks": True,
                "unranked": True,
                "appraisal": True,
                "plain_percent": True,
            }
        )
        canonical = json.dumps(
            content,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=lambda v: format(v.normalize(), "f") if isinstance(v, Decimal) else str(v),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
