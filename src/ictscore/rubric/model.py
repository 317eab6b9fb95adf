"""The rubric: pydantic models of a competition's criteria, groups and bands, and `load_rubric`.

`load_rubric(path)` is the one function that reads rubric files. It reports every problem at once,
each located by file, line and YAML path (`rubrics/x.yaml:42: criteria[2].children[0].max: …`).
Schema problems (pydantic) and the cross-field rules (unique ids, known groups, ordered bands,
parent maxima) are reported together: the rules run on the YAML as loaded, so a schema error does
not hide them.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ictscore.errors import RubricError
from ictscore.rubric.compiled import GroupPlan, compile_group
from ictscore.rubric.methods import METHOD_TYPES, Method


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
        problems = [
            (loc, msg) for sev, loc, msg in _rule_problems(self.model_dump()) if sev == ERROR
        ]
        if problems:
            raise PydanticCustomError(
                "rubric_rules",
                "{summary}",
                {
                    "summary": "; ".join(f"{_yaml_path(loc)}: {msg}" for loc, msg in problems),
                    "problems": problems,
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
        return next((g for g in self.groups if g.id == group_id), None)

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


Loc = tuple[str | int, ...]
ERROR, WARNING = "error", "warning"
Problem = tuple[str, Loc, str]
"""(severity, location in the document, message)."""

_METHOD = TypeAdapter(Method)


def _rule_problems(data: Any, schema_ok: bool = True) -> list[Problem]:
    """The cross-field rules, each problem with its severity and location in the document.

    They read plain data (the YAML as loaded, or a model's dump) and skip whatever is malformed,
    so a rubric with schema errors is still checked for these rules: every problem at once.
    Rules that only mean something for a well-formed tree wait for `schema_ok`.
    """
    doc = data if isinstance(data, Mapping) else {}
    problems: list[Problem] = []

    def error(loc: Loc, msg: str) -> None:
        problems.append((ERROR, loc, msg))

    group_ids = [g.get("id") for g in _seq(doc.get("groups")) if isinstance(g, Mapping)]
    for i, gid in enumerate(group_ids):
        if gid in group_ids[:i]:
            error(("groups", i, "id"), f"duplicate group id {gid!r}")
    known = {g for g in group_ids if isinstance(g, str)}
    listed = ", ".join(str(g) for g in group_ids)
    seen: dict[str, Loc] = {}
    exact: set[str] = set()
    scored: set[str] = set()  # groups some base leaf applies to
    cap_policy = doc.get("parent_max") == "cap"

    def visit(
        node: Mapping[str, Any], loc: Loc, parent: Any, inherited: frozenset[str], kind: Any
    ) -> Decimal | None:
        """Checks a node and returns its maximum over all groups (None if unknowable)."""
        cid = node.get("id")
        if isinstance(cid, str):
            if cid.casefold() in seen:
                error(
                    (*loc, "id"),
                    f"duplicate criterion id {cid!r} (also at "
                    f"{_yaml_path(seen[cid.casefold()])}; ids are compared ignoring case)",
                )
            else:
                seen[cid.casefold()] = loc
            exact.add(cid)
        own = node.get("groups")
        applies = inherited
        if isinstance(own, list | tuple) and own:
            applies = inherited & frozenset(g for g in own if isinstance(g, str))
            own = [g if isinstance(g, str) else repr(g) for g in own]
            for j, gid in enumerate(own):
                if not isinstance(gid, str) or gid not in known:
                    error((*loc, "groups", j), f"unknown group {gid!r} (groups: {listed})")
                elif gid not in inherited:
                    error(
                        (*loc, "groups", j),
                        f"criterion {cid} lists group {gid!r}, but its parent {parent} does not "
                        "apply to that group",
                    )
        if node.get("kind", "base") != "base" and parent is not None:
            error((*loc, "kind"), "only a top-level area can be a bonus or penalty area")
        children = [
            (i, ch) for i, ch in enumerate(_seq(node.get("children"))) if isinstance(ch, Mapping)
        ]
        declared = _decimal(node.get("max"))
        if not children:
            if declared is not None and kind in (None, "base"):
                scored.update(applies)
            _method_problems(node.get("method"), declared, (*loc, "method"), problems)
            return declared
        sums = [visit(ch, (*loc, "children", i), cid, applies, kind) for i, ch in children]
        if None in sums:
            return declared
        maxima = [x for x in sums if x is not None]
        best_of = node.get("combine") == "best_of"
        total = max(maxima) if best_of else sum(maxima, Decimal(0))
        what = "the best of its children's maxima" if best_of else "its children's maxima add to"
        if declared is None or declared == total:
            return total
        if declared > total:
            error(
                (*loc, "max"),
                f"max {declared} of criterion {cid} cannot be reached: {what} {total}",
            )
        elif node.get("capped") is True:
            return declared  # a block cap, as declared: nothing to report
        elif cap_policy:
            problems.append(
                (
                    WARNING,
                    (*loc, "max"),
                    f"max {declared} of criterion {cid} is below what {what} ({total}); "
                    f"its points are capped at {declared} (parent_max: cap)",
                )
            )
            return declared
        else:
            error(
                (*loc, "max"),
                f"max {declared} of criterion {cid} differs from what {what} ({total}); "
                "fix the maxima, or declare a cap (`capped: true` on this criterion, or "
                "`parent_max: cap` for the rubric)",
            )
        return total

    areas = [(i, a) for i, a in enumerate(_seq(doc.get("criteria"))) if isinstance(a, Mapping)]
    for i, area in areas:
        visit(area, ("criteria", i), None, frozenset(known), area.get("kind", "base"))
    if areas and all(a.get("kind", "base") != "base" for _, a in areas):
        error(("criteria",), "at least one area must be a base area (not bonus or penalty)")
    if schema_ok and areas and not any(sev == ERROR for sev, _, _ in problems):
        # a count is only meaningful once the tree holds together
        for i, gid in enumerate(group_ids):
            if isinstance(gid, str) and gid not in scored:
                error(("groups", i), f"no criterion applies to group {gid!r}")
    rescale = doc.get("not_applicable") == "rescale"
    if rescale and doc.get("scale") is None:
        error(("not_applicable",), "not_applicable: rescale needs a 'scale' (e.g. scale: 100)")
    if not rescale and doc.get("scale") is not None:
        error(("scale",), "'scale' is only used with not_applicable: rescale")
    for i, cid in enumerate(_seq(doc.get("tie_breaks"))):
        if isinstance(cid, str) and cid not in exact:
            near = next((c for c in exact if c.casefold() == cid.casefold()), None)
            hint = f" (did you mean {near!r}? ids are matched exactly here)" if near else ""
            error(("tie_breaks", i), f"unknown criterion id {cid!r}{hint}")
    codes = [u.get("unit") for u in _seq(doc.get("unranked")) if isinstance(u, Mapping)]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            error(("unranked", i, "unit"), f"unit {code!r} is listed twice")
    problems.extend(_band_problems(doc.get("bands")))
    return problems


def _method_problems(raw: Any, max_points: Decimal | None, loc: Loc, out: list[Problem]) -> None:
    """The method's parameters against the leaf's maximum (when both are well-formed)."""
    if max_points is None or not isinstance(raw, Mapping):
        return
    try:
        method = _METHOD.validate_python(raw)
    except ValidationError:
        return  # reported by the schema
    for fld, msg in method.problems(max_points):
        path: list[str | int] = []
        for part in fld.replace("]", "").split("."):
            name, _, index = part.partition("[")
            path.append(name)
            if index:
                path.append(int(index))
        out.append((ERROR, (*loc, *path), msg))


def _seq(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _band_problems(data: Any) -> list[Problem]:
    problems: list[Problem] = []
    bands = [(i, b) for i, b in enumerate(_seq(data)) if isinstance(b, Mapping)]
    ids = [b.get("id") for _, b in bands]
    previous: Decimal | None = None
    for n, (i, band) in enumerate(bands):
        last = n == len(bands) - 1
        label = band.get("label", band.get("id"))
        low = _decimal(band.get("min"))
        if band.get("id") in ids[:n]:
            problems.append((ERROR, ("bands", i, "id"), f"duplicate band id {band.get('id')!r}"))
        if last and band.get("min") is not None:
            problems.append(
                (
                    ERROR,
                    ("bands", i, "min"),
                    f"the last band ({label}) takes every total "
                    "below the band above it, so it has no 'min'",
                )
            )
        if not last and band.get("min") is None:
            problems.append(
                (ERROR, ("bands", i), f"band {label} needs a 'min' (only the last band has none)")
            )
        if low is not None:
            if previous is not None and low >= previous:
                problems.append(
                    (
                        ERROR,
                        ("bands", i, "min"),
                        f"bands go from highest to lowest: min "
                        f"{low} of {label} is not below {previous}",
                    )
                )
            previous = low
    return problems


# --- loading -------------------------------------------------------------------------------


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (its wheels do): a rubric parses ten times faster."""


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last)."""


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (for line numbers), from one parse."""
    loader = _UniqueKeyLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return data, root


def _yaml_path(loc: tuple[str | int, ...]) -> str:
    """('criteria', 2, 'children', 0, 'max') → 'criteria[2].children[0].max'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _clean_loc(loc: tuple[str | int, ...]) -> list[str | int]:
    """Drop the union tags pydantic puts in locations (…, 'method', 'ratio', 'numerator')."""
    parts: list[str | int] = []
    for i, part in enumerate(loc):
        if i and loc[i - 1] == "method" and part in METHOD_TYPES:
            continue  # the tag itself; a field of the same name after it is kept (levels.levels)
        parts.append(part)
    return parts


def _line_of(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int:
    """The line of the deepest YAML node on `loc` (1-based)."""
    node = root
    line = 1 if root is None else root.start_mark.line + 1
    for part in loc:
        nxt: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    nxt, line = value, key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            nxt = node.value[part]
            line = nxt.start_mark.line + 1
        if nxt is None:
            break
        node = nxt
    return line


@dataclass(frozen=True)
class Finding:
    """One problem the rubric checker found, located by file, line and YAML path."""

    severity: str
    """"error" (the rubric cannot be used) or "warning" (it can, but look)."""
    source: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        flag = "warning: " if self.severity == WARNING else ""
        return f"{self.source}:{self.line}: {flag}{self.path}: {self.message}"


@dataclass(frozen=True)
class RubricCheck:
    """What `check_rubric` found: the rubric (None if it has errors) and every finding."""

    source: str
    rubric: Rubric | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]


def check_rubric_text(text: str, source: str = "<rubric>") -> RubricCheck:
    """Check rubric YAML text: schema, cross-field rules and warnings, every finding at once.
    Raises RubricError only when the text is not YAML or not a mapping."""
    try:
        data, root = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError(source, [f"{where}: not valid YAML: {problem}"]) from exc
    if not isinstance(data, dict):
        raise RubricError(
            source,
            [
                f"{source}:1: expected a mapping of rubric fields "
                f"(id, version, title, …), found {type(data).__name__}"
            ],
        )
    problems: list[Problem] = []
    rubric: Rubric | None = None
    schema_ok = True
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        deeper = [tuple(e["loc"]) for e in errors]
        for err in errors:
            loc = tuple(err["loc"])
            if err["type"] == "too_short" and any(d[: len(loc)] == loc != d for d in deeper):
                continue  # pydantic's echo of a failed item ("at least 1 item after validation")
            if err["type"] != "rubric_rules":  # those are found on the YAML itself, below
                schema_ok = False
                clean = tuple(_clean_loc(loc))
                problems.append((ERROR, clean, err["msg"].removeprefix("Value error, ")))
    # NOTE: the cross-field rules run on the data as loaded, also when the schema failed
    # (pydantic would skip them): every problem is reported at once.
    problems.extend(_rule_problems(data, schema_ok))
    if rubric is not None:
        problems.extend(_model_problems(rubric))
    findings = sorted(
        (
            Finding(sev, source, _line_of(root, loc), _yaml_path(loc), msg)
            for sev, loc, msg in problems
        ),
        key=lambda f: (f.line, f.severity),
    )
    ok = not any(f.severity == ERROR for f in findings)
    return RubricCheck(source, rubric if ok else None, tuple(findings))


def _model_problems(rubric: Rubric) -> list[Problem]:
    """Rules that need the built model: the top band reachable in every group."""
    problems: list[Problem] = []
    top = rubric.bands[0] if rubric.bands else None
    if top is None or top.min is None:
        return problems
    for g in rubric.groups:
        best = rubric.published_max(g.id) + rubric.bonus_max(g.id)
        if best < top.min:
            problems.append(
                (
                    WARNING,
                    ("bands", 0, "min"),
                    f"no unit of group {g.id} can reach band {top.label} (from {top.min}): "
                    f"its maximum with bonus is {best}",
                )
            )
    return problems


def parse_rubric(text: str, source: str = "<rubric>") -> Rubric:
    """Parse rubric YAML text; `source` names it in messages. Raises RubricError with every
    error found (warnings are ignored here: see `check_rubric_text`)."""
    checked = check_rubric_text(text, source)
    if checked.rubric is None:
        raise RubricError(source, [str(f) for f in checked.errors])
    return checked.rubric


def check_rubric(path: str | Path) -> RubricCheck:
    """Check a rubric file, or a bundled rubric by its id. Raises RubricError if it cannot be
    read or is not YAML."""
    source = str(path)
    file = Path(path)
    if not file.exists() and (bundled := bundled_rubric_path(source)) is not None:
        file = bundled
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        known = ", ".join(bundled_rubric_ids())
        raise RubricError(
            source, [f"{source}: cannot read the rubric: {exc} (bundled rubrics: {known})"]
        ) from exc
    return check_rubric_text(text, source)


def load_rubric(path: str | Path, warn: Callable[[Finding], None] | None = None) -> Rubric:
    """Load a rubric from a YAML file, or a bundled rubric by its id (`tiengiang-2020`).

    Raises RubricError with every error found; `warn` is called with each warning.
    """
    checked = check_rubric(path)
    if checked.rubric is None:
        raise RubricError(checked.source, [str(f) for f in checked.errors])
    if warn is not None:
        for finding in checked.warnings:
            warn(finding)
    return checked.rubric


def bundled_rubric_ids() -> list[str]:
    """The ids of the rubrics shipped inside the package."""
    folder = resources.files("ictscore.rubric") / "bundled"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def bundled_rubric_path(rubric_id: str) -> Path | None:
    """The file of a bundled rubric, or None."""
    if rubric_id not in bundled_rubric_ids():
        return None
    return Path(str(resources.files("ictscore.rubric") / "bundled" / f"{rubric_id}.yaml"))
