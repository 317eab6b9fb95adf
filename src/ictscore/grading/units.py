"""One sheet graded for its unit: the unit its record names, the checks of its origin and group,
the sheet validated and scored (`validate.evaluate_sheet`), then checked against the roster.

What comes out waits for the group pass (groups.py): normalised criteria, totals and ranks.
`grade_unit` needs no roster, so that worker processes (workers.py) run it; `with_roster` is
applied where the results are gathered.
"""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from ictscore.grading.results import Status, UnitResult
from ictscore.grading.validate import evaluate_sheet
from ictscore.issues import CellRef, Issue, IssueCode, Severity, cap_issues
from ictscore.messages import Msg
from ictscore.roster import Roster, Unit
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.reader import SheetData
from ictscore.sheets.roster_book import load_units
from ictscore.text import clip

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def load_roster(units: Path | Roster | None, rubric: Rubric) -> Roster | None:
    """The roster the sheets are checked against (loaded if given as a file), its groups
    checked against the rubric's. Raises UnitsError."""
    if units is None:
        return None
    roster = units if isinstance(units, Roster) else load_units(units)
    roster.check_groups(g.id for g in rubric.groups)
    return roster


def grade_sheet(
    rubric: Rubric, sheet: SheetData, roster: Roster | None = None
) -> UnitResult | Issue:
    """One sheet validated and scored for its unit, then checked against the roster, before
    the group pass (normalised criteria and totals wait for `groups.assemble`); an Issue if
    the sheet names no unit."""
    graded = grade_unit(rubric, sheet)
    if graded is None:
        return no_unit_code(sheet)
    result, checked = graded
    return with_roster(rubric, result, roster) if roster is not None and checked else result


def no_unit_code(sheet: SheetData) -> Issue:
    return Issue(
        IssueCode.NO_UNIT_CODE,
        ERROR,
        Msg("the sheet records no unit code; was it made with `ictscore template`?"),
        CellRef(sheet.file),
    )


def grade_unit(rubric: Rubric, sheet: SheetData) -> tuple[UnitResult, bool] | None:
    """`_grade_unit`, its issues capped (`issues.cap_issues`): what travels back from a worker
    and is held until the report is written stays small whatever the file holds."""
    graded = _grade_unit(rubric, sheet)
    if graded is None:
        return None
    result, checked = graded
    capped = cap_issues(result.issues)
    if len(capped) != len(result.issues):
        result = result.replaced(issues=capped)
    return result, checked


def _grade_unit(rubric: Rubric, sheet: SheetData) -> tuple[UnitResult, bool] | None:
    """(the result for the unit the sheet names, whether it is to be checked against a roster:
    not when the sheet was made from another rubric); None if the sheet names no unit. Needs
    no roster: a worker process does this, the roster is applied where the results are
    gathered (`with_roster`)."""
    meta = sheet.meta
    code = meta.get("unit_code", "")
    if not code:
        return None
    unit = Unit(
        code,
        meta.get("unit_name") or code,
        meta.get("unit_group", ""),
        meta.get("unit_parent") or None,
        meta.get("unit_parent_name") or None,
    )
    origin = check_origin(rubric, sheet)  # first: another rubric's groups mean nothing here
    if origin:
        return UnitResult.of(unit, Status.INVALID, sheet.file, tuple(origin)), False
    pre: list[Issue] = []
    where = CellRef(sheet.file)
    if sheet.recovered:
        label = meta.get("unit_group_label", "")
        group = next((g.id for g in rubric.groups if g.label.casefold() == label.casefold()), label)
        parent_name = meta.get("unit_parent_name") or None
        # the heading names the parent, not its code: the name groups units by parent
        unit = dataclasses.replace(unit, group=group, parent=parent_name, parent_name=parent_name)
        pre.append(
            Issue(
                IssueCode.NO_RECORD,
                WARNING,
                Msg(
                    "the template's hidden record is missing (the sheet was copied into another "
                    "workbook?): read by its criterion ids, with the unit from its heading; the "
                    "rubric version it was made from cannot be checked against {id} {version}",
                    id=rubric.id,
                    version=rubric.version,
                ),
                where,
            )
        )
    verified = False
    if not sheet.recovered:
        verified, mismatch = check_token(meta, where)
        pre.extend(mismatch)
    pre.extend(_group_issues(rubric, unit, where))
    if any(i.is_error for i in pre):
        return UnitResult.of(unit, Status.INVALID, sheet.file, tuple(pre)), True
    result = evaluate_sheet(rubric, sheet, unit)
    if pre:
        result = result.replaced(issues=(*pre, *result.issues))
    return (result.replaced(verified=True) if verified else result), True


def check_token(meta: Mapping[str, str], where: CellRef) -> tuple[bool, list[Issue]]:
    """(whether the record carries the token of the unit it names, a `token-mismatch` error if
    it carries another). A record without a token (a template made before tokens) is neither:
    it verifies nothing and is not suspect by itself."""
    token = meta.get("unit_token", "")
    if not token:
        return False, []
    expected = layout.unit_token(
        meta.get("rubric_id", ""), meta.get("rubric_version", ""), meta.get("unit_code", "")
    )
    if hmac.compare_digest(token, expected):
        return True, []
    issue = Issue(
        IssueCode.TOKEN_MISMATCH,
        ERROR,
        Msg(
            "the hidden record names unit {code}, but its token {token} is not that unit's: "
            "the record was edited, or copied from another unit's sheet; grade the template "
            "made for unit {code}",
            code=meta.get("unit_code", ""),
            token=clip(token, 20),
        ),
        where,
    )
    return False, [issue]


def _group_issues(rubric: Rubric, unit: Unit, where: CellRef) -> list[Issue]:
    if rubric.group(unit.group) is not None:
        return []
    return [
        Issue(
            IssueCode.UNKNOWN_GROUP,
            ERROR,
            Msg(
                "group '{group}' of unit {code} is not in rubric {id}",
                group=unit.group,
                code=unit.code,
                id=rubric.id,
            ),
            where,
        )
    ]


_OF_THE_RECORD = (IssueCode.NO_RECORD, IssueCode.TOKEN_MISMATCH)
"""What was said of a sheet's record, kept when the roster makes the unit invalid."""


def with_roster(rubric: Rubric, result: UnitResult, roster: Roster) -> UnitResult:
    """A sheet's result checked against the roster: its unit must be listed, in the group the
    sheet was made for (else the unit is invalid, with only those problems and what was said
    of the sheet's record); its name and parent are the roster's."""
    listed = roster.get(result.code)
    where = CellRef(result.file or "")
    pre = [i for i in result.issues if i.code in _OF_THE_RECORD]
    verified = result.verified
    unit = Unit(result.code, result.name, result.group, result.parent, result.parent_name)
    if listed is None:
        pre.append(
            Issue(
                IssueCode.UNKNOWN_UNIT,
                ERROR,
                Msg(
                    "unit code {code} is not in the roster {roster}",
                    code=result.code,
                    roster=str(roster.source),
                ),
                where,
            )
        )
        pre.extend(_group_issues(rubric, unit, where))
        return UnitResult.of(unit, Status.INVALID, result.file, tuple(pre), verified=verified)
    if listed.group != result.group:
        pre.append(
            Issue(
                IssueCode.GROUP_MISMATCH,
                ERROR,
                Msg(
                    "the sheet was made for group {group}, but the roster puts unit "
                    "{code} in group {listed}: make a new template",
                    group=result.group,
                    code=result.code,
                    listed=listed.group,
                ),
                where,
            )
        )
        pre.extend(_group_issues(rubric, listed, where))
        return UnitResult.of(listed, Status.INVALID, result.file, tuple(pre), verified=verified)
    return result.replaced(
        code=listed.code,
        name=listed.name,
        group=listed.group,
        parent=listed.parent,
        parent_name=listed.parent_name,
    )


RubricMismatch = Literal["rubric", "version", "content"]


def rubric_mismatch(meta: Mapping[str, str], rubric: Rubric) -> RubricMismatch | None:
    """How the rubric a workbook's hidden record names differs from `rubric`: another rubric,
    another version of it, or other content under the same version (edited without a new
    version); None if it is the same. Sheets and the appraisal form are judged alike."""
    if meta.get("rubric_id") != rubric.id:
        return "rubric"
    if meta.get("rubric_version") != rubric.version:
        return "version"
    if meta.get("rubric_hash") != rubric.content_hash:
        return "content"
    return None


def check_origin(rubric: Rubric, sheet: SheetData) -> list[Issue]:
    """Errors when the sheet was made from another rubric, version or rubric content. A sheet
    that lost its hidden record cannot say: `grade_unit` warns about it instead."""
    if sheet.recovered:
        return []
    meta = sheet.meta
    where = CellRef(sheet.file)
    if (meta.get("format"), meta.get("layout_version")) != (
        layout.META_FORMAT,
        layout.LAYOUT_VERSION,
    ):
        return [
            Issue(
                IssueCode.UNSUPPORTED_LAYOUT,
                ERROR,
                Msg(
                    "the sheet records layout {found}; this ictscore reads {expected}",
                    found=f"{meta.get('format', '?')} {meta.get('layout_version', '?')}",
                    expected=f"{layout.META_FORMAT} {layout.LAYOUT_VERSION}",
                ),
                where,
            )
        ]
    made = Msg(
        "{id} version {version}",
        id=meta.get("rubric_id", "?"),
        version=meta.get("rubric_version", "?"),
    )
    mismatch = rubric_mismatch(meta, rubric)
    if mismatch == "rubric":
        return [
            Issue(
                IssueCode.WRONG_RUBRIC,
                ERROR,
                Msg("the sheet was made from rubric {made}, not {id}", made=made, id=rubric.id),
                where,
            )
        ]
    if mismatch == "version":
        return [
            Issue(
                IssueCode.WRONG_RUBRIC_VERSION,
                ERROR,
                Msg(
                    "the sheet was made from rubric {made}; grading uses version {version}: "
                    "ask the unit to refill a current template",
                    made=made,
                    version=rubric.version,
                ),
                where,
            )
        ]
    if mismatch == "content":
        return [
            Issue(
                IssueCode.RUBRIC_CHANGED,
                ERROR,
                Msg(
                    "the sheet was made from rubric {made} with different content (hash "
                    "{found}, now {expected}): the rubric was edited without a new version",
                    made=made,
                    found=meta.get("rubric_hash", "?")[:12],
                    expected=rubric.content_hash[:12],
                ),
                where,
            )
        ]
    return []
