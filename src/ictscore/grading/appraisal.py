"""The appraisal council's scores (điểm thẩm định) applied to the units' results.

Design: the council works in one separate workbook, not in a column of the units' sheets.
- Units' files are never written, so nothing a unit sent is touched or re-saved; the council
  needs no password for 200 protected workbooks, and its scores cannot be seen or typed by units.
- One form holds every unit (one row per unit and leaf criterion, with the self-score beside the
  appraisal cell), so the council can filter, sort and review cuts across units, and the form is
  made again from the sheets at any time (`ictscore appraisal`).
- Each appraisal has its note (the explanation the council owes for a cut) and may mark a
  criterion not applicable to the unit, with the reason.

The form itself (writing it, reading it back) is appraisal_form.py; `apply_appraisal`, here,
is pure.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from ictscore.grading.appraisal_form import AppraisalRow, AppraisalSheet
from ictscore.grading.cells import GROUPED, PLAIN_NUMBER, number_of
from ictscore.grading.results import Appraisal, Status, UnitResult
from ictscore.grading.scoring import publish
from ictscore.grading.units import rubric_mismatch
from ictscore.issues import CellRef, Issue, IssueCode, Severity
from ictscore.messages import Msg
from ictscore.rubric.methods import Normalised
from ictscore.rubric.model import Criterion, Rubric
from ictscore.sheets.reader import cell_text

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def form_problem(rubric: Rubric, form: AppraisalSheet) -> Msg | None:
    """Why the form cannot be applied with `rubric` (made for another rubric, version or
    content), or None. A CSV form records nothing and is taken as it is."""
    if not form.meta:
        return None
    mismatch = rubric_mismatch(form.meta, rubric)
    if mismatch in ("rubric", "version"):
        return Msg(
            "the appraisal form was made for rubric {id} version {version}, not {rubric} "
            "version {rubric_version}",
            id=str(form.meta.get("rubric_id")),
            version=str(form.meta.get("rubric_version")),
            rubric=rubric.id,
            rubric_version=rubric.version,
        )
    if mismatch == "content":
        return Msg(
            "the appraisal form was made from rubric {rubric} version {rubric_version} with "
            "different content (the rubric was edited without a new version)",
            rubric=rubric.id,
            rubric_version=rubric.version,
        )
    return None


def apply_appraisal(
    rubric: Rubric,
    results: Sequence[UnitResult],
    form: AppraisalSheet | None,
    self_check: bool = False,
) -> tuple[list[UnitResult], list[Issue]]:
    """The results with the council's points, values, not-applicable marks and notes applied,
    and the form's own problems (batch level). A unit whose appraisal has an error becomes
    invalid, with the error located in the form.

    Without a form, a rubric that requires the appraisal gets one batch-level error (the totals
    are self-scores), unless `self_check` (a unit checking its own sheet before sending it)."""
    batch: list[Issue] = []
    if form is not None and (problem := form_problem(rubric, form)) is not None:
        batch.append(
            Issue(
                IssueCode.WRONG_RUBRIC,
                ERROR,
                Msg("{problem}; it is not applied", problem=problem),
                CellRef(form.file),
            )
        )
        form = None
    if form is None:
        if rubric.appraisal == "required" and not self_check:
            batch.append(
                Issue(
                    IssueCode.NOT_APPRAISED,
                    ERROR,
                    Msg(
                        "the rubric requires the appraisal council's scores (appraisal: "
                        "required), but no usable appraisal form was given (--appraisal FORM): "
                        "the totals are the units' self-scores"
                    ),
                )
            )
        return list(results), batch
    rows: dict[str, list[AppraisalRow]] = defaultdict(list)
    for row in form.rows:
        rows[row.unit].append(row)
    if form.sheet != "csv" and not form.meta:
        batch.append(
            Issue(
                IssueCode.NOT_A_TEMPLATE,
                WARNING,
                Msg(
                    "the appraisal form records no rubric (no hidden _ictscore sheet): it was "
                    "not made by `ictscore appraisal`, so it is not checked against the rubric"
                ),
                CellRef(form.file),
            )
        )
    codes = {r.code for r in results}
    not_graded = {r.code: r.status for r in results if r.status is not Status.GRADED}
    for unit in sorted(set(rows) & set(not_graded)):
        batch.append(
            Issue(
                IssueCode.UNIT_NOT_GRADED,
                WARNING,
                Msg(
                    "the appraisal form has rows for unit {unit}, whose sheet is {status}: they "
                    "are not applied",
                    unit=unit,
                    status=Msg("missing") if not_graded[unit] is Status.MISSING else Msg("invalid"),
                ),
                form.ref(rows[unit][0].unit_cell),
            )
        )
    for unit in sorted(set(rows) - codes):
        batch.append(
            Issue(
                IssueCode.UNKNOWN_UNIT,
                ERROR,
                Msg(
                    "the appraisal form has rows for unit {unit}, which has no sheet here: a "
                    "mistyped unit code? Its rows are not applied",
                    unit=unit,
                ),
                form.ref(rows[unit][0].unit_cell),
            )
        )
    out: list[UnitResult] = []
    for result in results:
        if result.status is not Status.GRADED:
            out.append(result)
            continue
        out.append(_apply_one(rubric, result, form, rows.get(result.code, [])))
    return out, batch


def _apply_one(
    rubric: Rubric, result: UnitResult, form: AppraisalSheet, rows: list[AppraisalRow]
) -> UnitResult:
    """One graded unit with its rows of the form applied; invalid if a row has an error."""
    issues: list[Issue] = []
    points = dict(result.points)
    measures = dict(result.measures)
    entries: dict[str, Appraisal] = {}
    not_applicable: dict[str, str] = {}
    applicable = {c.id: c.criterion for c in rubric.plan(result.group).criteria}
    seen: set[str] = set()
    for row in rows:
        problem = _row_problem(rubric, result, form, row, applicable, seen)
        seen.add(row.criterion)
        if problem is not None:
            issues.append(problem)
            continue
        c = applicable[row.criterion]
        entry = _entry(rubric, result, form, row, c)
        if isinstance(entry, Issue):
            issues.append(entry)
            continue
        if entry is None:
            continue
        entries[c.id] = entry
        if entry.not_applicable is not None:
            not_applicable[c.id] = entry.not_applicable
        elif entry.points is not None:
            points[c.id] = publish(entry.points, rubric)
            if points[c.id] != entry.points:
                issues.append(_too_many_decimals(rubric, result, form, row, entry.points))
        elif entry.value is not None:
            measures[c.id] = entry.value
    skipped = _under(rubric, not_applicable)
    for cid in skipped:
        points.pop(cid, None)
        measures.pop(cid, None)
    if rubric.appraisal == "required":
        issues.extend(_unappraised(result, form, applicable, entries, skipped))
    status = Status.INVALID if any(i.is_error for i in issues) else result.status
    return dataclasses.replace(
        result,
        status=status,
        points=points,
        measures=measures,
        appraisal=entries,
        not_applicable=not_applicable,
        issues=(*result.issues, *issues),
    )


def _row_problem(
    rubric: Rubric,
    result: UnitResult,
    form: AppraisalSheet,
    row: AppraisalRow,
    applicable: dict[str, Criterion],
    seen: set[str],
) -> Issue | None:
    """Why the row cannot be applied at all: its criterion has a row already, does not apply
    to the unit's group or is not in the rubric."""
    if row.criterion in seen:
        return Issue(
            IssueCode.DUPLICATE_CRITERION,
            ERROR,
            Msg(
                "appraisal of unit {unit}: criterion {id} has two rows",
                unit=result.code,
                id=row.criterion,
            ),
            form.ref(row.id_cell),
            row.criterion,
        )
    if row.criterion in applicable:
        return None
    known = rubric.criterion(row.criterion) is not None
    return Issue(
        IssueCode.UNKNOWN_CRITERION,
        ERROR,
        Msg(
            "appraisal of unit {unit}: criterion '{id}' does not apply to group {group}",
            unit=result.code,
            id=row.criterion,
            group=result.group,
        )
        if known
        else Msg(
            "appraisal of unit {unit}: criterion '{id}' is not in the rubric",
            unit=result.code,
            id=row.criterion,
        ),
        form.ref(row.id_cell),
        row.criterion,
    )


def _entry(
    rubric: Rubric, result: UnitResult, form: AppraisalSheet, row: AppraisalRow, c: Criterion
) -> Appraisal | Issue | None:
    """What the row says of criterion `c` (None: nothing), or the error in it."""
    reason = cell_text(row.not_applicable.value) or None
    note = cell_text(row.note.value) or None
    if reason is not None and PLAIN_NUMBER.fullmatch(reason):
        return Issue(
            IssueCode.AMBIGUOUS_VALUE,
            ERROR,
            Msg(
                "appraisal of unit {unit}, criterion {id}: the not-applicable reason is "
                "a number ({reason}): a decimal comma typed without quotes in a CSV "
                'file splits the number across two columns; quote it ("17,5")',
                unit=result.code,
                id=c.id,
                reason=str(reason),
            ),
            form.ref(row.not_applicable.cell),
            c.id,
        )
    appraised: Decimal | None = None
    if not row.appraised.blank and reason is None:
        appraised = number_of(row.appraised.value)
        bad = _appraised_problem(rubric, result, row, c, appraised)
        if bad is not None:
            return Issue(
                bad[0],
                ERROR,
                Msg(
                    "appraisal of unit {unit}, criterion {id}: {text}",
                    unit=result.code,
                    id=c.id,
                    text=bad[1],
                ),
                form.ref(row.appraised.cell),
                c.id,
            )
    if appraised is None and reason is None and note is None:
        return None
    normalised = isinstance(c.method, Normalised)
    return Appraisal(
        points=appraised if not normalised else None,
        value=appraised if normalised else None,
        not_applicable=reason,
        note=note,
        where=form.ref(row.appraised.cell),
    )


def _appraised_problem(
    rubric: Rubric, result: UnitResult, row: AppraisalRow, c: Criterion, appraised: Decimal | None
) -> tuple[IssueCode, Msg] | None:
    """What is wrong with the appraised figure typed in the row (None: nothing)."""
    if c.method is None:
        return (IssueCode.NOT_A_LEAF, Msg("a parent criterion takes no points: appraise its parts"))
    if appraised is None:
        raw = row.appraised.value
        if isinstance(raw, str) and GROUPED.fullmatch(raw.strip()):
            return (
                IssueCode.AMBIGUOUS_VALUE,
                Msg(
                    "{raw} could be a decimal or a number with a thousands separator: "
                    "type it without the separator, or with no more than 2 decimals",
                    raw=repr(raw),
                ),
            )
        return (IssueCode.NOT_A_NUMBER, Msg("expected a number, found {raw}", raw=repr(raw)))
    if appraised < 0:
        return (IssueCode.BELOW_MINIMUM, Msg("{value} is below 0", value=appraised))
    max_points = rubric.plan(result.group).max_of(c.id)
    if not isinstance(c.method, Normalised) and appraised > max_points:
        return (
            IssueCode.ABOVE_MAXIMUM,
            Msg("{value} is above the maximum {max}", value=appraised, max=max_points),
        )
    return None


def _too_many_decimals(
    rubric: Rubric, result: UnitResult, form: AppraisalSheet, row: AppraisalRow, points: Decimal
) -> Issue:
    return Issue(
        IssueCode.TOO_MANY_DECIMALS,
        WARNING,
        Msg(
            "appraisal of unit {unit}, criterion {id}: {points} has more than "
            "{precision} decimals; counted as {published}",
            unit=result.code,
            id=row.criterion,
            points=points,
            precision=rubric.precision,
            published=publish(points, rubric),
        ),
        form.ref(row.appraised.cell),
        row.criterion,
    )


def _unappraised(
    result: UnitResult,
    form: AppraisalSheet,
    applicable: dict[str, Criterion],
    entries: dict[str, Appraisal],
    skipped: set[str],
) -> list[Issue]:
    """The rubric requires an appraisal of every leaf: the error when the unit lacks some."""
    missing = [
        cid
        for cid, c in applicable.items()
        if c.method is not None
        and cid not in skipped
        and (cid not in entries or (entries[cid].points is None and entries[cid].value is None))
    ]
    if not missing:
        return []
    return [
        Issue(
            IssueCode.NOT_APPRAISED,
            ERROR,
            Msg(
                "the rubric requires an appraisal of every criterion; unit {unit} has "
                "none for {ids}",
                unit=result.code,
                ids=", ".join(missing),
            ),
            CellRef(form.file),
        )
    ]


def _under(rubric: Rubric, marked: dict[str, str]) -> set[str]:
    """The marked criteria and every descendant of them."""
    out: set[str] = set()
    for node in rubric.walk():
        if node.criterion.id in marked or (node.parent is not None and node.parent.id in out):
            out.add(node.criterion.id)
    return out
