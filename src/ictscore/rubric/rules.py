"""The rubric's cross-field rules, read on plain data: unique ids, known groups, parent maxima,
ordered bands, method parameters against their leaf's maximum, tie-breaks, the rescale policy.

`rule_findings(data)` reads the YAML as loaded (or a model's dump) and skips whatever is
malformed, so a rubric with schema errors is still checked for these rules and every problem is
reported at once; the Rubric model runs them too (its validator), so a rubric built in Python
holds to them. Each `RuleFinding` is located by its path in the document
(('criteria', 2, 'max')); lint.py gives it a file and a line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ictscore.issues import ERROR, WARNING, Severity
from ictscore.rubric.methods import Method

Loc = tuple[str | int, ...]
"""A place in the document: mapping keys and sequence indexes."""

_METHOD = TypeAdapter(Method)


@dataclass(frozen=True, slots=True)
class RuleFinding:
    """What a rule found, where in the document (not yet in which file, on which line)."""

    severity: Severity
    loc: Loc
    message: str


def yaml_path(loc: Loc) -> str:
    """('criteria', 2, 'children', 0, 'max') → 'criteria[2].children[0].max'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def rule_findings(data: Any, schema_ok: bool = True) -> list[RuleFinding]:
    """Every cross-field rule on the document, in document order of the rules.

    Rules that only mean something for a well-formed tree wait for `schema_ok`.
    """
    doc = data if isinstance(data, Mapping) else {}
    out: list[RuleFinding] = []
    group_ids = [g.get("id") for g in _seq(doc.get("groups")) if isinstance(g, Mapping)]
    for i, gid in enumerate(group_ids):
        if gid in group_ids[:i]:
            out.append(RuleFinding(ERROR, ("groups", i, "id"), f"duplicate group id {gid!r}"))
    tree = _Tree(group_ids, cap_policy=doc.get("parent_max") == "cap", out=out)
    tree.check(doc.get("criteria"))
    if schema_ok and tree.areas and not any(f.severity == ERROR for f in out):
        # a count is only meaningful once the tree holds together
        for i, gid in enumerate(group_ids):
            if isinstance(gid, str) and gid not in tree.scored:
                out.append(
                    RuleFinding(ERROR, ("groups", i), f"no criterion applies to group {gid!r}")
                )
    out.extend(_policy_findings(doc, tree.exact))
    out.extend(band_findings(doc.get("bands")))
    return out


@dataclass
class _Tree:
    """The rules of the criteria tree, checked in one walk: ids unique (ignoring case), groups
    known and within the parent's, kinds on areas only, methods and parent maxima consistent."""

    group_ids: list[Any]
    cap_policy: bool
    out: list[RuleFinding]
    areas: int = 0
    seen: dict[str, Loc] = field(default_factory=dict)
    """Ids seen so far (case-folded) → where."""
    exact: set[str] = field(default_factory=set)
    """Ids as written."""
    scored: set[str] = field(default_factory=set)
    """The groups some base leaf applies to."""

    def error(self, loc: Loc, message: str) -> None:
        self.out.append(RuleFinding(ERROR, loc, message))

    def check(self, criteria: Any) -> None:
        known = frozenset(g for g in self.group_ids if isinstance(g, str))
        areas = [(i, a) for i, a in enumerate(_seq(criteria)) if isinstance(a, Mapping)]
        self.areas = len(areas)
        for i, area in areas:
            self.visit(area, ("criteria", i), None, known, area.get("kind", "base"))
        if areas and all(a.get("kind", "base") != "base" for _, a in areas):
            self.error(
                ("criteria",), "at least one area must be a base area (not bonus or penalty)"
            )

    def visit(
        self, node: Mapping[str, Any], loc: Loc, parent: Any, inherited: frozenset[str], kind: Any
    ) -> Decimal | None:
        """Checks a node and returns its maximum over all groups (None if unknowable)."""
        cid = node.get("id")
        self._check_id(cid, loc)
        applies = self._check_groups(node, loc, parent, inherited)
        if node.get("kind", "base") != "base" and parent is not None:
            self.error((*loc, "kind"), "only a top-level area can be a bonus or penalty area")
        children = [
            (i, ch) for i, ch in enumerate(_seq(node.get("children"))) if isinstance(ch, Mapping)
        ]
        declared = _decimal(node.get("max"))
        if not children:
            if declared is not None and kind in (None, "base"):
                self.scored.update(applies)
            self.out.extend(method_findings(node.get("method"), declared, (*loc, "method")))
            return declared
        sums = [self.visit(ch, (*loc, "children", i), cid, applies, kind) for i, ch in children]
        if None in sums:
            return declared
        maxima = [x for x in sums if x is not None]
        return self._check_max(node, loc, declared, maxima)

    def _check_id(self, cid: Any, loc: Loc) -> None:
        if not isinstance(cid, str):
            return
        if cid.casefold() in self.seen:
            self.error(
                (*loc, "id"),
                f"duplicate criterion id {cid!r} (also at "
                f"{yaml_path(self.seen[cid.casefold()])}; ids are compared ignoring case)",
            )
        else:
            self.seen[cid.casefold()] = loc
        self.exact.add(cid)

    def _check_groups(
        self, node: Mapping[str, Any], loc: Loc, parent: Any, inherited: frozenset[str]
    ) -> frozenset[str]:
        """The groups the node applies to; its own `groups` known and within its parent's."""
        own = node.get("groups")
        if not isinstance(own, list | tuple) or not own:
            return inherited
        applies = inherited & frozenset(g for g in own if isinstance(g, str))
        listed = ", ".join(str(g) for g in self.group_ids)
        known = {g for g in self.group_ids if isinstance(g, str)}
        for j, gid in enumerate(g if isinstance(g, str) else repr(g) for g in own):
            if gid not in known:
                self.error((*loc, "groups", j), f"unknown group {gid!r} (groups: {listed})")
            elif gid not in inherited:
                self.error(
                    (*loc, "groups", j),
                    f"criterion {node.get('id')} lists group {gid!r}, but its parent {parent} "
                    "does not apply to that group",
                )
        return applies

    def _check_max(
        self, node: Mapping[str, Any], loc: Loc, declared: Decimal | None, maxima: list[Decimal]
    ) -> Decimal:
        """A parent's declared max against what its children combine to; its maximum."""
        cid = node.get("id")
        best_of = node.get("combine") == "best_of"
        total = max(maxima) if best_of else sum(maxima, Decimal(0))
        what = "the best of its children's maxima" if best_of else "its children's maxima add to"
        if declared is None or declared == total:
            return total
        if declared > total:
            self.error(
                (*loc, "max"),
                f"max {declared} of criterion {cid} cannot be reached: {what} {total}",
            )
        elif node.get("capped") is True:
            return declared  # a block cap, as declared: nothing to report
        elif self.cap_policy:
            self.out.append(
                RuleFinding(
                    WARNING,
                    (*loc, "max"),
                    f"max {declared} of criterion {cid} is below what {what} ({total}); "
                    f"its points are capped at {declared} (parent_max: cap)",
                )
            )
            return declared
        else:
            self.error(
                (*loc, "max"),
                f"max {declared} of criterion {cid} differs from what {what} ({total}); "
                "fix the maxima, or declare a cap (`capped: true` on this criterion, or "
                "`parent_max: cap` for the rubric)",
            )
        return total


def _policy_findings(doc: Mapping[str, Any], exact: set[str]) -> list[RuleFinding]:
    """The rescale policy, the tie-break criteria, the unranked units."""
    out: list[RuleFinding] = []
    rescale = doc.get("not_applicable") == "rescale"
    if rescale and doc.get("scale") is None:
        out.append(
            RuleFinding(
                ERROR,
                ("not_applicable",),
                "not_applicable: rescale needs a 'scale' (e.g. scale: 100)",
            )
        )
    if not rescale and doc.get("scale") is not None:
        out.append(
            RuleFinding(ERROR, ("scale",), "'scale' is only used with not_applicable: rescale")
        )
    for i, cid in enumerate(_seq(doc.get("tie_breaks"))):
        if isinstance(cid, str) and cid not in exact:
            near = next((c for c in exact if c.casefold() == cid.casefold()), None)
            hint = f" (did you mean {near!r}? ids are matched exactly here)" if near else ""
            out.append(RuleFinding(ERROR, ("tie_breaks", i), f"unknown criterion id {cid!r}{hint}"))
    codes = [u.get("unit") for u in _seq(doc.get("unranked")) if isinstance(u, Mapping)]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            out.append(
                RuleFinding(ERROR, ("unranked", i, "unit"), f"unit {code!r} is listed twice")
            )
    return out


def method_findings(raw: Any, max_points: Decimal | None, loc: Loc) -> list[RuleFinding]:
    """The method's parameters against the leaf's maximum (when both are well-formed)."""
    if max_points is None or not isinstance(raw, Mapping):
        return []
    try:
        method = _METHOD.validate_python(raw)
    except ValidationError:
        return []  # reported by the schema
    out: list[RuleFinding] = []
    for fld, msg in method.problems(max_points):
        path: list[str | int] = []
        for part in fld.replace("]", "").split("."):
            name, _, index = part.partition("[")
            path.append(name)
            if index:
                path.append(int(index))
        out.append(RuleFinding(ERROR, (*loc, *path), msg))
    return out


def band_findings(data: Any) -> list[RuleFinding]:
    """Bands: unique ids, a `min` on every band but the last, from highest to lowest."""
    out: list[RuleFinding] = []
    bands = [(i, b) for i, b in enumerate(_seq(data)) if isinstance(b, Mapping)]
    ids = [b.get("id") for _, b in bands]
    previous: Decimal | None = None
    for n, (i, band) in enumerate(bands):
        last = n == len(bands) - 1
        label = band.get("label", band.get("id"))
        low = _decimal(band.get("min"))
        if band.get("id") in ids[:n]:
            out.append(
                RuleFinding(ERROR, ("bands", i, "id"), f"duplicate band id {band.get('id')!r}")
            )
        if last and band.get("min") is not None:
            out.append(
                RuleFinding(
                    ERROR,
                    ("bands", i, "min"),
                    f"the last band ({label}) takes every total "
                    "below the band above it, so it has no 'min'",
                )
            )
        if not last and band.get("min") is None:
            out.append(
                RuleFinding(
                    ERROR, ("bands", i), f"band {label} needs a 'min' (only the last band has none)"
                )
            )
        if low is not None:
            if previous is not None and low >= previous:
                out.append(
                    RuleFinding(
                        ERROR,
                        ("bands", i, "min"),
                        f"bands go from highest to lowest: min "
                        f"{low} of {label} is not below {previous}",
                    )
                )
            previous = low
    return out


def _seq(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
