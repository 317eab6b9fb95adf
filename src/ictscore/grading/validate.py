"""evaluate_sheet(rubric, sheet, unit) → UnitResult: validate one sheet's values and score them.

Validation is collected, not fail-fast: every problem becomes an Issue with a stable code and a
`file:Sheet!Cell` location. Points come from the input cells only; the sheet's own formula results
are compared with them and a difference is a warning, never a source of points.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ictscore.grading.cells import number_of, read_slot, shorten, shown, squash
from ictscore.grading.results import InputValue, Status, UnitResult
from ictscore.grading.scoring import finish, publish
from ictscore.issues import Issue, IssueCode, Severity
from ictscore.messages import N_, Msg
from ictscore.roster import Unit
from ictscore.rubric.compiled import GroupPlan, PlannedCriterion
from ictscore.rubric.methods import SlotValue
from ictscore.rubric.model import Criterion, Rubric
from ictscore.sheets import layout
from ictscore.sheets.reader import CriterionRow, RawCell, SheetData
from ictscore.text import clip

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def evaluate_sheet(rubric: Rubric, sheet: SheetData, unit: Unit) -> UnitResult:
    """Validate and score one sheet for `unit` (whose group decides the criteria). The sheet's
    origin (made from this rubric) is checked before, by `units.grade_unit`."""
    group = unit.group
    by_id: dict[str, list[CriterionRow]] = defaultdict(list)
    for row in sheet.rows:
        by_id[row.id].append(row)
    plan = rubric.plan(group)
    issues = _stray_rows(rubric, sheet, by_id, set(plan.by_id), group)
    if _blank(plan, by_id):
        issues.append(
            Issue(
                IssueCode.EMPTY_SHEET,
                ERROR,
                Msg(
                    "no value was entered in any input cell (columns {columns}): the sheet was "
                    "sent blank",
                    columns=", ".join(layout.INPUT_COLUMNS),
                ),
                sheet.ref(),
            )
        )
        return _result(unit, sheet, Status.INVALID, issues)
    scored = _score_rows(rubric, sheet, by_id, plan)
    issues.extend(scored.issues)
    if any(i.is_error for i in issues):
        return _result(
            unit, sheet, Status.INVALID, issues, scored.points, scored.inputs, scored.evidence
        )
    result = UnitResult.of(
        unit,
        Status.GRADED,
        sheet.file,
        tuple(issues),
        points=scored.points,
        self_points=scored.points,  # the same until the appraisal (which copies to change)
        measures=scored.measures,
        self_measures=scored.measures,
        inputs=scored.inputs,
        evidence=scored.evidence,
        pending=bool(scored.measures),
    )
    finished = finish(rubric, result)  # normalised leaves count 0 here, as in the sheet
    cached = _cached_mismatches(rubric, sheet, by_id, finished, set(scored.measures))
    if not result.pending:
        result = finished
    return result.replaced(issues=(*result.issues, *cached)) if cached else result


def _stray_rows(
    rubric: Rubric,
    sheet: SheetData,
    by_id: dict[str, list[CriterionRow]],
    expected_ids: set[str],
    group: str,
) -> list[Issue]:
    """Rows that should not be there: a criterion again, one that does not apply to the group
    (an error only if a value was entered), one the rubric does not have."""
    issues: list[Issue] = []
    for cid, rows in by_id.items():
        if cid in expected_ids:
            for extra in rows[1:]:
                issues.append(
                    Issue(
                        IssueCode.DUPLICATE_CRITERION,
                        ERROR,
                        Msg(
                            "criterion {id} appears again (first in row {row})",
                            id=cid,
                            row=rows[0].row,
                        ),
                        sheet.ref(extra.id_cell),
                        cid,
                    )
                )
        elif (crit := rubric.criterion(cid)) is not None:
            for row in rows:
                if any(not c.blank for c in row.inputs):
                    issues.append(
                        Issue(
                            IssueCode.NOT_APPLICABLE,
                            ERROR,
                            Msg(
                                "criterion {id} does not apply to group {group}, but a value "
                                "was entered",
                                id=cid,
                                group=group,
                            ),
                            sheet.ref(row.inputs[0].cell),
                            crit.id,
                        )
                    )
        else:
            for row in rows:
                issues.append(
                    Issue(
                        IssueCode.UNKNOWN_CRITERION,
                        ERROR,
                        Msg(
                            "unknown criterion id '{id}': not in rubric {rubric}",
                            id=clip(cid),
                            rubric=rubric.id,
                        ),
                        sheet.ref(row.id_cell),
                        clip(cid),
                    )
                )
    return issues


@dataclass
class _Scored:
    """What the rows of a sheet's applicable criteria give."""

    points: dict[str, Decimal] = field(default_factory=dict)
    measures: dict[str, Decimal] = field(default_factory=dict)
    inputs: dict[str, dict[str, InputValue]] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def _score_rows(
    rubric: Rubric,
    sheet: SheetData,
    by_id: dict[str, list[CriterionRow]],
    plan: GroupPlan,
) -> _Scored:
    """Every applicable criterion's row: its fixed cells checked, its leaf scored."""
    out = _Scored()
    for entry in plan.criteria:
        c = entry.criterion
        found = by_id.get(c.id)
        if not found:
            out.issues.append(
                Issue(
                    IssueCode.MISSING_CRITERION,
                    ERROR,
                    Msg(
                        'criterion {id} "{title}" is missing from the sheet',
                        id=c.id,
                        title=shorten(c.title),
                    ),
                    sheet.ref(),
                    c.id,
                )
            )
            continue
        row = found[0]
        max_points = entry.max
        out.issues.extend(_fixed_cells(sheet, row, c, max_points))
        if c.method is None:
            continue
        leaf, measure, leaf_inputs, leaf_issues = _score_leaf(rubric, sheet, row, entry)
        out.issues.extend(leaf_issues)
        out.inputs[c.id] = leaf_inputs
        if not row.evidence.blank:
            out.evidence[c.id] = unicodedata.normalize("NFC", str(row.evidence.value)).strip()
        if leaf is not None:
            out.points[c.id] = leaf
        if measure is not None:
            out.measures[c.id] = measure
    return out


def _result(
    unit: Unit,
    sheet: SheetData,
    status: Status,
    issues: list[Issue],
    points: dict[str, Decimal] | None = None,
    inputs: dict[str, dict[str, InputValue]] | None = None,
    evidence: dict[str, str] | None = None,
) -> UnitResult:
    return UnitResult.of(
        unit,
        status,
        sheet.file,
        tuple(issues),
        points=points or {},
        inputs=inputs or {},
        evidence=evidence or {},
    )


def _blank(plan: GroupPlan, by_id: dict[str, list[CriterionRow]]) -> bool:
    """True when the sheet has its leaf rows but no input cell of any of them holds a value.
    (A sheet without the rows is not blank: its criteria are reported missing.)"""
    leaves = [e for e in plan.criteria if e.criterion.method and e.id in by_id]
    for e in leaves:
        if any(not raw.blank for raw in by_id[e.id][0].inputs[: len(e.slots)]):
            return False
    return bool(leaves)


def _fixed_cells(
    sheet: SheetData, row: CriterionRow, c: Criterion, max_points: Decimal
) -> list[Issue]:
    """The locked cells must still say what the rubric says."""
    issues: list[Issue] = []
    typed = row.title.value
    title = typed if typed == c.title else squash(str(typed or ""))
    if title != c.title and title != squash(c.title):
        issues.append(
            Issue(
                IssueCode.TITLE_CHANGED,
                ERROR,
                Msg(
                    'the title of criterion {id} was changed: expected "{expected}", found '
                    '"{found}"',
                    id=c.id,
                    expected=shorten(c.title),
                    found=shorten(title),
                ),
                sheet.ref(row.title.cell),
                c.id,
            )
        )
    found = number_of(row.max.value)
    if found is None or found != max_points:
        issues.append(
            Issue(
                IssueCode.MAX_CHANGED,
                ERROR,
                Msg(
                    "the maximum of criterion {id} was changed: expected {expected}, found {found}",
                    id=c.id,
                    expected=max_points,
                    found=shown(row.max.value),
                ),
                sheet.ref(row.max.cell),
                c.id,
            )
        )
    return issues


def _score_leaf(
    rubric: Rubric, sheet: SheetData, row: CriterionRow, entry: PlannedCriterion
) -> tuple[Decimal | None, Decimal | None, dict[str, InputValue], list[Issue]]:
    """(published points, the value to normalise, the inputs read, issues)."""
    c, max_points, slots = entry.criterion, entry.max, entry.slots
    assert c.method is not None
    values: dict[str, SlotValue] = {}
    read: dict[str, InputValue] = {}
    issues: list[Issue] = []
    failed = False
    for slot, raw in zip(slots, row.inputs, strict=False):
        value, problem, coerced = read_slot(slot, raw, rubric.plain_percent)
        read[slot.key] = InputValue(value, raw.cell)
        if coerced is not None:
            issues.append(
                Issue(
                    IssueCode.COERCED_VALUE,
                    WARNING,
                    Msg("criterion {id}: {label}: {text}", id=c.id, label=slot.label, text=coerced),
                    sheet.ref(raw.cell),
                    c.id,
                )
            )
        if problem is not None:
            code, text = problem
            issues.append(
                Issue(
                    code,
                    ERROR,
                    Msg("criterion {id}: {label}: {text}", id=c.id, label=slot.label, text=text),
                    sheet.ref(raw.cell),
                    c.id,
                )
            )
            failed = True
        else:
            assert value is not None
            values[slot.key] = value
    if failed:
        return None, None, read, issues
    outcome = c.method.score(values, max_points)
    if outcome.notes:
        cells = {s.key: raw.cell for s, raw in zip(slots, row.inputs, strict=False)}
        for note in outcome.notes:
            issues.append(
                Issue(
                    note.code,
                    note.severity,
                    Msg("criterion {id}: {text}", id=c.id, text=note.message),
                    sheet.ref(cells[note.slot]),
                    c.id,
                )
            )
    if any(i.is_error for i in issues):
        return None, None, read, issues
    if outcome.pending:
        return None, outcome.measure, read, issues
    published = publish(outcome.points, rubric)
    if published != outcome.points and any(s.is_points for s in slots):
        issues.append(
            Issue(
                IssueCode.TOO_MANY_DECIMALS,
                WARNING,
                Msg(
                    "criterion {id}: {points} has more than {precision} decimals; counted as "
                    "{published}",
                    id=c.id,
                    points=outcome.points,
                    precision=rubric.precision,
                    published=published,
                ),
                sheet.ref(row.inputs[0].cell),
                c.id,
            )
        )
    return published, None, read, issues


def _cached_mismatches(
    rubric: Rubric,
    sheet: SheetData,
    by_id: dict[str, list[CriterionRow]],
    result: UnitResult,
    unknown: set[str],
) -> list[Issue]:
    """Warnings where the sheet's own formula results (or typed totals) differ from ictscore's.
    `unknown`: leaves the sheet cannot compute (normalised: its points cell is empty, counted
    0 by the formulas above it). They are not compared; their parents and the total are, with
    what the sheet's formulas give (`result` is finished with those leaves at 0)."""
    issues: list[Issue] = []
    template = (
        N_(
            "the sheet shows {found} for {what}; ictscore computes {computed} from the inputs, "
            "counting the criteria scored against the group's best as 0, as the sheet does"
        )
        if unknown
        else N_("the sheet shows {found} for {what}; ictscore computes {computed} from the inputs")
    )

    def compare(raw: RawCell, computed: Decimal, cid: str | None) -> None:
        if raw.blank:
            return  # never calculated (e.g. filled by a program): nothing to compare
        found = number_of(raw.value)
        if found is None or publish(found, rubric) != computed:
            issues.append(
                Issue(
                    IssueCode.TOTAL_MISMATCH,
                    WARNING,
                    Msg(
                        template,
                        found=shown(raw.value),
                        what=Msg("criterion {id}", id=cid) if cid else Msg("the total"),
                        computed=computed,
                    ),
                    sheet.ref(raw.cell),
                    cid,
                )
            )

    for cid, value in {**result.points, **result.subtotals}.items():
        if cid not in unknown and by_id.get(cid):
            compare(by_id[cid][0].points, value, cid)
    if sheet.total is not None and result.total is not None:
        compare(sheet.total, result.total, None)
    return issues
