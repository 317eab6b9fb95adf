"""Checking a rubric's text: every error and warning at once, each a `Finding` located by file,
line and YAML path (`rubrics/x.yaml:42: criteria[2].children[0].max: …`).

`check_rubric_text` parses the YAML (refusing a key given twice), validates the schema
(pydantic), runs the cross-field rules (rules.py) on the YAML as loaded, so that a schema error
does not hide them, and the rules that need the built model (the top band reachable). It
returns a `RubricCheck`; it raises RubricError only when the text is not YAML or not a mapping.
Reading files and the bundled rubrics is load.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from ictscore.errors import RubricError
from ictscore.issues import ERROR, WARNING, Finding
from ictscore.rubric.methods import METHOD_TYPES
from ictscore.rubric.model import Rubric
from ictscore.rubric.rules import Loc, RuleFinding, rule_findings, yaml_path
from ictscore.yamlfile import line_of, parse_yaml

__all__ = ["Finding", "RubricCheck", "check_rubric_text"]


@dataclass(frozen=True)
class RubricCheck:
    """What `check_rubric` found: the rubric (None if it has errors) and every finding."""

    source: str
    rubric: Rubric | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is WARNING]


def check_rubric_text(text: str, source: str = "<rubric>") -> RubricCheck:
    """Check rubric YAML text: schema, cross-field rules and warnings, every finding at once.
    Raises RubricError only when the text is not YAML or not a mapping."""
    data, root = _parse(text, source)
    rubric, found, schema_ok = _validate(data)
    # NOTE: the cross-field rules run on the data as loaded, also when the schema failed
    # (pydantic would skip them): every problem is reported at once.
    found.extend(rule_findings(data, schema_ok))
    if rubric is not None:
        found.extend(_model_findings(rubric))
    located = sorted(
        ((line_of(root, f.loc), f) for f in found), key=lambda lf: (lf[0], lf[1].severity)
    )
    findings = tuple(
        Finding(f.severity, source, line, yaml_path(f.loc), f.message) for line, f in located
    )
    ok = not any(f.severity is ERROR for f in findings)
    return RubricCheck(source, rubric if ok else None, findings)


def _parse(text: str, source: str) -> tuple[dict[str, Any], yaml.Node | None]:
    """The YAML mapping and its nodes (for line numbers); RubricError if it is neither."""
    try:
        data, root = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError(
            source, [Finding(ERROR, source, line, "", f"not valid YAML: {problem}")]
        ) from exc
    if not isinstance(data, dict):
        raise RubricError(
            source,
            [
                Finding(
                    ERROR,
                    source,
                    1,
                    "",
                    "expected a mapping of rubric fields (id, version, title, …), "
                    f"found {type(data).__name__}",
                )
            ],
        )
    return data, root


def _validate(data: dict[str, Any]) -> tuple[Rubric | None, list[RuleFinding], bool]:
    """The model, or the schema's errors (pydantic's, without the cross-field rules: those are
    run on the YAML itself); and whether the schema held."""
    try:
        return Rubric.model_validate(data), [], True
    except ValidationError as exc:
        errors = exc.errors()
    found: list[RuleFinding] = []
    schema_ok = True
    deeper = [tuple(e["loc"]) for e in errors]
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and any(d[: len(loc)] == loc != d for d in deeper):
            continue  # pydantic's echo of a failed item ("at least 1 item after validation")
        if err["type"] != "rubric_rules":
            schema_ok = False
            message = err["msg"].removeprefix("Value error, ")
            found.append(RuleFinding(ERROR, _clean_loc(loc), message))
    return None, found, schema_ok


def _clean_loc(loc: tuple[str | int, ...]) -> Loc:
    """Drop the union tags pydantic puts in locations (…, 'method', 'ratio', 'numerator')."""
    parts: list[str | int] = []
    for i, part in enumerate(loc):
        if i and loc[i - 1] == "method" and part in METHOD_TYPES:
            continue  # the tag itself; a field of the same name after it is kept (levels.levels)
        parts.append(part)
    return tuple(parts)


def _model_findings(rubric: Rubric) -> list[RuleFinding]:
    """Rules that need the built model: the top band reachable in every group."""
    top = rubric.bands[0] if rubric.bands else None
    if top is None or top.min is None:
        return []
    found: list[RuleFinding] = []
    for g in rubric.groups:
        plan = rubric.plan(g.id)
        best = plan.published_max + plan.bonus_max
        if best < top.min:
            found.append(
                RuleFinding(
                    WARNING,
                    ("bands", 0, "min"),
                    f"no unit of group {g.id} can reach band {top.label} (from {top.min}): "
                    f"its maximum with bonus is {best}",
                )
            )
    return found
