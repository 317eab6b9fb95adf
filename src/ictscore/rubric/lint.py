"""Checking a rubric's text: every error and warning at once, each a `Finding` located by file,
line and YAML path (`rubrics/x.yaml:42: criteria[2].children[0].max: …`).

`check_rubric_text` parses the YAML (refusing a key given twice), validates the schema
(pydantic), runs the cross-field rules (rules.py) on the YAML as loaded, so that a schema error
does not hide them, and the rules that need the built model (the top band reachable). It
returns a `RubricCheck`; it raises RubricError only when the text is not YAML or not a mapping.
Reading files and the bundled rubrics is load.py's.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, get_args

import yaml
from pydantic import BaseModel, ValidationError

from ictscore.errors import RubricError
from ictscore.issues import ERROR, WARNING, Finding
from ictscore.rubric.methods import METHOD_TYPES, Method
from ictscore.rubric.model import Band, Criterion, Group, Rubric, Unranked
from ictscore.rubric.rules import Loc, RuleFinding, rule_findings, yaml_path
from ictscore.text import clip
from ictscore.yamlfile import TooManyNodesError, line_of, parse_yaml

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
    found.extend(_control_characters(data, ()))
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
        if not isinstance(exc, TooManyNodesError):
            problem = f"not valid YAML: {problem}"
        raise RubricError(source, [Finding(ERROR, source, line, "", problem)]) from exc
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


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(value: Any, loc: Loc) -> list[RuleFinding]:
    """Text holding a control character (a BEL or ESC pasted from elsewhere, Word's manual line
    break U+000B): a workbook cannot hold it and a terminal would act on it. Every title,
    label and note of a rubric is printed in the sheets and reports, so it is refused where it
    is, rather than changed there (a changed title would no longer match the sheets made from
    it)."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        if found is None:
            return []
        char = f"U+{ord(found.group()):04X}"
        return [
            RuleFinding(
                ERROR,
                loc,
                f"holds a control character ({char}), which sheets and reports cannot show; "
                "remove it (a line break is written as a new line in YAML)",
            )
        ]
    out: list[RuleFinding] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_control_characters(key, (*loc, str(key))))
            out.extend(_control_characters(item, (*loc, str(key))))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_control_characters(item, (*loc, index)))
    return out


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
            found.append(RuleFinding(ERROR, _clean_loc(loc), schema_message(err)))
    return None, found, schema_ok


def schema_message(err: Mapping[str, Any]) -> str:
    """A schema error (pydantic's) said in the project's words: what was found, what is
    expected; the location is the finding's."""
    kind: str = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    found = _shown(err.get("input"))
    if kind in _SAID:
        return _SAID[kind].format(found=found, **{k: _plain(v) for k, v in ctx.items()})
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, _keys_at(err["loc"][:-1]), n=1, cutoff=0.7)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown key {key!r}{hint}"
    if kind == "string_pattern_mismatch":
        what = _PATTERNS.get(str(ctx.get("pattern")), "the expected form")
        return f"{found} is not {what}"
    return str(err["msg"]).removeprefix("Value error, ")


_SAID: Final = {
    "missing": "a required key is missing",
    "literal_error": "{found} is not allowed here: expected {expected}",
    "enum": "{found} is not allowed here: expected {expected}",
    "union_tag_invalid": "unknown method type '{tag}': expected one of {expected_tags}",
    "union_tag_not_found": "the method has no type (type: direct, yes_no, ratio, …)",
    "int_parsing": "expected a whole number, found {found}",
    "int_type": "expected a whole number, found {found}",
    "int_from_float": "expected a whole number, found {found}",
    "decimal_parsing": "expected a number, found {found}",
    "decimal_type": "expected a number, found {found}",
    "float_parsing": "expected a number, found {found}",
    "float_type": "expected a number, found {found}",
    "finite_number": "expected a number, found {found}",
    "decimal_max_places": "at most {decimal_places} decimal places, found {found}",
    "decimal_max_digits": "at most {max_digits} digits, found {found}",
    "decimal_whole_digits": "at most {whole_digits} digits before the decimal point",
    "greater_than": "must be greater than {gt}, found {found}",
    "greater_than_equal": "must be {ge} or more, found {found}",
    "less_than": "must be less than {lt}, found {found}",
    "less_than_equal": "must be {le} or less, found {found}",
    "bool_type": "expected true or false, found {found}",
    "bool_parsing": "expected true or false, found {found}",
    "string_type": "expected text, found {found}",
    "string_too_short": "must not be empty",
    "string_too_long": "at most {max_length} characters",
    "list_type": "expected a list (lines starting with -), found {found}",
    "tuple_type": "expected a list (lines starting with -), found {found}",
    "dict_type": "expected a mapping (key: value lines), found {found}",
    "model_type": "expected a mapping (key: value lines), found {found}",
    "model_attributes_type": "expected a mapping (key: value lines), found {found}",
    "too_short": "expected at least {min_length} item(s)",
    "too_long": "expected at most {max_length} item(s)",
}
"""Schema errors in the project's words, by pydantic's error type (`str.format` with the
value found and the error's context)."""

_PATTERNS: Final = {
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "an id of lowercase letters, digits and hyphens (so-nganh)",
    r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$": "a criterion id: letters or digits separated by dots "
    "(1, 1.2, 1.2.a)",
}


def _shown(value: Any) -> str:
    """A value found, as the message quotes it: text quoted and cut short, a list or a mapping
    by its kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return repr(clip(value, 60))
    return str(value)


def _plain(value: Any) -> str:
    """A context value (pydantic quotes them: "'equal' or 'cap'"), as it is shown."""
    return str(value)


@cache
def _keys_at(loc: Sequence[str | int]) -> list[str]:
    """The keys the mapping at `loc` can hold (a criterion's, a group's, …), for suggestions;
    every key a rubric holds where the mapping is not known."""
    names = [part for part in loc if isinstance(part, str)]
    if not loc:
        models: list[type[BaseModel]] = [Rubric]
    elif "method" in names[-2:]:  # pydantic's loc holds the method's tag: method.yes_no.colour
        tag = names[-1] if names[-1] != "method" else None
        models = [m for m in _method_models() if tag is None or _tag(m) == tag] or _method_models()
    elif names and names[-1] in _LIST_MODELS and isinstance(loc[-1], int):
        models = [_LIST_MODELS[names[-1]]]
    else:
        return _known_keys()
    return sorted({key for model in models for key in model.model_fields})


_LIST_MODELS: Final[dict[str, type[BaseModel]]] = {
    "criteria": Criterion,
    "children": Criterion,
    "groups": Group,
    "bands": Band,
    "unranked": Unranked,
}


def _known_keys() -> list[str]:
    """Every key a rubric's mappings can hold, for suggestions."""
    models: list[type[BaseModel]] = [Rubric, Group, Band, Criterion, Unranked, *_method_models()]
    return sorted({key for model in models for key in model.model_fields})


def _tag(model: type[BaseModel]) -> str | None:
    """A method model's `type` (its tag in the rubric: yes_no, ratio, …)."""
    field = model.model_fields.get("type")
    args = get_args(field.annotation) if field is not None else ()
    return str(args[0]) if args else None


def _method_models() -> list[type[BaseModel]]:
    return [m for m in get_args(get_args(Method)[0]) if issubclass(m, BaseModel)]


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
