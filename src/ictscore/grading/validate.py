"""evaluate_sheet(rubric, sheet, unit) → UnitResult: validate one sheet's values and score them.

Validation is collected, not fail-fast: every problem becomes an Issue with a stable code and a
`file:Sheet!Cell` location. Points come from the input cells only; the sheet's own formula results
are compared with them and a difference is a warning, never a source of points.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from ictscore.errors import CellRef
from ictscore.grading.results import InputValue, Status, UnitResult
from ictscore.grading.scoring import finish, publish
from ictscore.issues import Issue, IssueCode, Severity
from ictscore.messages import Msg, Percent
from ictscore.numbers import LARGEST, round_half_up
from ictscore.roster import Unit
from ictscore.rubric.methods import NO, YES, Slot, SlotKind, SlotValue
from ictscore.rubric.model import Criterion, Node, Rubric
from ictscore.sheets import layout
from ictscore.sheets.reader import CriterionRow, FormulaResult, RawCell, SheetData

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def check_origin(rubric: Rubric, sheet: SheetData) -> list[Issue]:
    """Errors when the sheet was made from another rubric, version or rubric content. A sheet
    that lost its hidden record cannot say: batch.py warns about it instead."""
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
    if meta.get("rubric_id") != rubric.id:
        return [
            Issue(
                IssueCode.WRONG_RUBRIC,
                ERROR,
                Msg("the sheet was made from rubric {made}, not {id}", made=made, id=rubric.id),
                where,
            )
        ]
    if meta.get("rubric_version") != rubric.version:
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
    if meta.get("rubric_hash") != rubric.content_hash:
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


def evaluate_sheet(rubric: Rubric, sheet: SheetData, unit: Unit) -> UnitResult:
    """Validate and score one sheet for `unit` (whose group decides the criteria)."""
    issues = check_origin(rubric, sheet)
    if issues:
        return _result(unit, sheet, Status.INVALID, issues)
    group = unit.group
    by_id: dict[str, list[CriterionRow]] = defaultdict(list)
    for row in sheet.rows:
        by_id[row.id].append(row)

    expected = rubric.nodes_for(group)
    expected_ids = {n.criterion.id for n in expected}
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
                            id=cid,
                            rubric=rubric.id,
                        ),
                        sheet.ref(row.id_cell),
                        cid,
                    )
                )

    if _blank(rubric, expected, by_id, group):
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

    points: dict[str, Decimal] = {}
    measures: dict[str, Decimal] = {}
    inputs: dict[str, dict[str, InputValue]] = {}
    evidence: dict[str, str] = {}
    for node in expected:
        c = node.criterion
        found = by_id.get(c.id)
        if not found:
            issues.append(
                Issue(
                    IssueCode.MISSING_CRITERION,
                    ERROR,
                    Msg(
                        'criterion {id} "{title}" is missing from the sheet',
                        id=c.id,
                        title=_short(c.title),
                    ),
                    sheet.ref(),
                    c.id,
                )
            )
            continue
        row = found[0]
        max_points = rubric.max_for(c, group)
        issues.extend(_fixed_cells(sheet, row, c, max_points))
        if c.method is None:
            continue
        leaf, measure, leaf_inputs, leaf_issues = _score_leaf(rubric, sheet, row, c, max_points)
        issues.extend(leaf_issues)
        inputs[c.id] = leaf_inputs
        if not row.evidence.blank:
            evidence[c.id] = unicodedata.normalize("NFC", str(row.evidence.value)).strip()
        if leaf is not None:
            points[c.id] = leaf
        if measure is not None:
            measures[c.id] = measure

    if any(i.is_error for i in issues):
        return _result(unit, sheet, Status.INVALID, issues, points, inputs, evidence)
    result = UnitResult.of(
        unit,
        Status.GRADED,
        sheet.file,
        tuple(issues),
        points=points,
        self_points=points,  # the same until the appraisal (which copies before it changes)
        measures=measures,
        self_measures=measures,
        inputs=inputs,
        evidence=evidence,
        pending=bool(measures),
    )
    finished = finish(rubric, result)  # normalised leaves count 0 here: not compared
    cached = _cached_mismatches(rubric, sheet, by_id, finished, set(measures))
    if not result.pending:
        result = finished
    return dataclasses.replace(result, issues=(*result.issues, *cached)) if cached else result


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


def _blank(
    rubric: Rubric, expected: list[Node], by_id: dict[str, list[CriterionRow]], group: str
) -> bool:
    """True when the sheet has its leaf rows but no input cell of any of them holds a value.
    (A sheet without the rows is not blank: its criteria are reported missing.)"""
    leaves = [n.criterion for n in expected if n.criterion.method and n.criterion.id in by_id]
    for c in leaves:
        assert c.method is not None
        count = len(c.method.slots(rubric.max_for(c, group)))
        if any(not raw.blank for raw in by_id[c.id][0].inputs[:count]):
            return False
    return bool(leaves)


def _short(title: str, width: int = 60) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


@lru_cache(maxsize=4096)  # the same titles and choices, sheet after sheet
def _squash(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


_SPACES = re.compile(r"\s+")


def _fixed_cells(
    sheet: SheetData, row: CriterionRow, c: Criterion, max_points: Decimal
) -> list[Issue]:
    """The locked cells must still say what the rubric says."""
    issues: list[Issue] = []
    typed = row.title.value
    title = typed if typed == c.title else _squash(str(typed or ""))
    if title != c.title and title != _squash(c.title):
        issues.append(
            Issue(
                IssueCode.TITLE_CHANGED,
                ERROR,
                Msg(
                    'the title of criterion {id} was changed: expected "{expected}", found '
                    '"{found}"',
                    id=c.id,
                    expected=_short(c.title),
                    found=_short(title),
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
                    found=_show(row.max.value),
                ),
                sheet.ref(row.max.cell),
                c.id,
            )
        )
    return issues


def _score_leaf(
    rubric: Rubric, sheet: SheetData, row: CriterionRow, c: Criterion, max_points: Decimal
) -> tuple[Decimal | None, Decimal | None, dict[str, InputValue], list[Issue]]:
    """(published points, the value to normalise, the inputs read, issues)."""
    assert c.method is not None
    slots = c.method.slots(max_points)
    values: dict[str, SlotValue] = {}
    read: dict[str, InputValue] = {}
    issues: list[Issue] = []
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
        else:
            assert value is not None
            values[slot.key] = value
    if any(i.is_error for i in issues):
        return None, None, read, issues
    outcome = c.method.score(values, max_points)
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


Problem = tuple[IssueCode, Msg]
"""(issue code, what is wrong and what was expected)."""


def parse_slot(
    slot: Slot, raw: RawCell, plain_percent: bool = False
) -> tuple[SlotValue | None, Problem | None]:
    """A raw cell value as the slot wants it, or the problem (see `read_slot`)."""
    value, problem, _ = read_slot(slot, raw, plain_percent)
    return value, problem


def read_slot(
    slot: Slot, raw: RawCell, plain_percent: bool = False
) -> tuple[SlotValue | None, Problem | None, Msg | None]:
    """A raw cell value as the slot wants it: (value, None, note) or (None, problem, None).

    Values as people type them are accepted and normalised, with `note` saying how the typed
    text was read (a `coerced-value` warning): a decimal comma ("9,5"), spaces and non-breaking
    spaces, a unit word ("10 điểm"), full-width digits, "85%" typed as text, yes/no synonyms
    ("x", "Đạt", "Không đạt", "co", "khong"). With `plain_percent` (the rubric's rule), 85 in a
    percentage cell is read as 85%. Anything else that is not what the slot wants is a problem.
    """
    if raw.blank:
        return (
            None,
            (IssueCode.MISSING_VALUE, Msg("no value; expected {what}", what=_expected(slot))),
            None,
        )
    value = raw.value
    if isinstance(value, FormulaResult):
        if value.error:
            text = Msg(
                "a formula whose result is {error}: correct the formula or type the value",
                error=value.error,
            )
            return None, (IssueCode.FORMULA_ERROR, text), None
        text = Msg(
            "a formula without a saved result: open the file in Excel or LibreOffice and save "
            "it, or type the value"
        )
        return None, (IssueCode.FORMULA_WITHOUT_VALUE, text), None
    if slot.kind is SlotKind.CHOICE:
        return _read_choice(slot, value)
    number, note = _read_number(value, slot)
    if isinstance(number, tuple):
        return None, number, None
    if number is None:
        text = Msg("expected {what}, found {found}", what=_expected(slot), found=_show(value))
        return None, (IssueCode.NOT_A_NUMBER, text), None
    typed_percent = isinstance(value, str) and "%" in unicodedata.normalize("NFKC", value)
    if (
        plain_percent
        and slot.percent
        and slot.maximum is not None
        and slot.maximum < number <= 100
        and not typed_percent
    ):
        note = Msg(
            "read {found} as {percent} (the rubric reads plain numbers in a percentage cell "
            "as percentages)",
            found=_show(value),
            percent=Percent(number / 100),
        )
        number = number / 100
    if slot.integer and number != number.to_integral_value():
        problem = (
            IssueCode.NOT_A_WHOLE_NUMBER,
            Msg("expected a whole number (a count), found {found}", found=number),
        )
        return None, problem, None
    if slot.minimum is not None and number < slot.minimum:
        return (
            None,
            (
                IssueCode.BELOW_MINIMUM,
                Msg(
                    "{found} is below the minimum {minimum}",
                    found=_fmt(slot, number),
                    minimum=_fmt(slot, slot.minimum),
                ),
            ),
            None,
        )
    if slot.maximum is not None and number > slot.maximum:
        found, maximum = _fmt(slot, number), _fmt(slot, slot.maximum)
        text = Msg("{found} is above the maximum {maximum}", found=found, maximum=maximum)
        if slot.percent and number <= 100 and not typed_percent:
            text = Msg(
                "{found} is above the maximum {maximum} (type {percent} rather than {number})",
                found=found,
                maximum=maximum,
                percent=Percent(number / 100),
                number=number,
            )
        return None, (IssueCode.ABOVE_MAXIMUM, text), None
    return number, None, note


_YES_WORDS = frozenset({"x", "✓", "✔", "đạt", "co", "có đạt"})
_NO_WORDS = frozenset({"không đạt", "khong", "khong dat", "chưa đạt", "chua dat"})


def _read_choice(slot: Slot, value: Any) -> tuple[SlotValue | None, Problem | None, Msg | None]:
    text = _squash(str(value)).casefold()
    for choice in slot.choices:
        if text == _squash(choice).casefold():
            return choice, None, None
    if set(slot.choices) == {YES, NO}:  # yes/no, as people also answer it
        folded = unicodedata.normalize("NFKC", text)
        meant = YES if folded in _YES_WORDS else NO if folded in _NO_WORDS else None
        if meant is not None:
            return (
                meant,
                None,
                Msg('read "{text}" as "{meant}"', text=_short(str(value), 30), meant=meant),
            )
    text = Msg("expected {what}, found {found}", what=_expected(slot), found=_show(value))
    return None, (IssueCode.NOT_A_CHOICE, text), None


_TYPED_NUMBER = re.compile(r"([+-]?)(\d+(?:[.,]\d+)?)\s*(%|[^\d\s%][^\d%]*)?", re.IGNORECASE)
_POINT_WORDS = frozenset({"điểm", "đ"})
_COUNT_WORDS = frozenset({"người", "cuộc", "lần", "văn bản", "phần mềm", "máy", "cái", "bộ"})
_DIGITS = frozenset("0123456789０１２３４５６７８９")
"""Digits read as digits: ASCII and full-width (as typed with a Vietnamese or CJK input method)."""
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")


def _read_number(value: Any, slot: Slot) -> tuple[Decimal | Problem | None, Msg | None]:
    """A number cell, or text that is plainly a number ("9,5", " 10 điểm", "８５%")."""
    if not isinstance(value, str):
        return number_of(value), None
    if any(unicodedata.category(ch) in ("Nd", "No") and ch not in _DIGITS for ch in value):
        return None, None  # "10²", "①", "٣": not read as plain digits
    text = unicodedata.normalize("NFKC", value).strip()  # full-width digits, non-breaking spaces
    match = _TYPED_NUMBER.fullmatch(text)
    if match is None:
        return None, None
    sign, digits, unit = match.groups()
    word = _squash(unit).casefold() if unit and unit != "%" else None
    fits = _POINT_WORDS if slot.is_points else set() if slot.percent else _COUNT_WORDS
    if word is not None and word not in fits:
        return None, None  # "5 người" is not points, "10 điểm" is not a count
    if _GROUPED.fullmatch(digits):
        return (
            IssueCode.AMBIGUOUS_VALUE,
            Msg(
                'text "{text}" could be a decimal or a number with a thousands separator: '
                "retype it as a plain number",
                text=_short(value, 30),
            ),
        ), None
    percent = unit == "%"
    if percent and not slot.percent:
        return None, None
    number = Decimal(sign + digits.replace(",", "."))
    if abs(number) >= LARGEST:
        return None, None
    if percent:
        number /= 100
    shown = Percent(number) if percent else number
    return number, Msg('read text "{text}" as {shown}', text=_short(value, 30), shown=shown)


def number_of(value: Any) -> Decimal | None:
    """An int or float cell value as Decimal; None for anything else (text, dates, booleans)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < LARGEST else None


def _fmt(slot: Slot, number: Decimal) -> Decimal | Percent:
    return Percent(number) if slot.percent else number


def _expected(slot: Slot) -> Msg:
    if slot.kind is SlotKind.CHOICE and slot.listed:
        levels = "; ".join(f'"{_short(c)}"' for c in slot.choices)
        return Msg("one of the levels: {levels}", levels=levels)
    if slot.kind is SlotKind.CHOICE:
        *first, last = slot.choices
        return Msg("{first} or {last}", first=" / ".join(first), last=last)
    lo = slot.minimum if slot.minimum is not None else Decimal(0)
    if slot.maximum is None:
        return Msg("a number from {low} up", low=_fmt(slot, lo))
    if slot.percent:
        return Msg(
            "a percentage from {low} to {high}", low=_fmt(slot, lo), high=_fmt(slot, slot.maximum)
        )
    return Msg("a number from {low} to {high}", low=_fmt(slot, lo), high=_fmt(slot, slot.maximum))


def _show(value: Any) -> Msg | str:
    if value is None:
        return Msg("nothing")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return Msg("a date/time ({value})", value=str(value))
    if isinstance(value, bool):
        return Msg("a boolean ({value})", value=str(value))
    if isinstance(value, dt.timedelta):
        return Msg("a duration ({value})", value=str(value))
    if isinstance(value, str):
        return Msg('text "{text}"', text=_short(value, 40))
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.6g}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # calamine gives 20.0 for a cell showing 20
    if isinstance(value, float):
        return Msg("{value}", value=Decimal(str(value)))  # 9,5 in Vietnamese
    return str(value)


def _cached_mismatches(
    rubric: Rubric,
    sheet: SheetData,
    by_id: dict[str, list[CriterionRow]],
    result: UnitResult,
    unknown: set[str],
) -> list[Issue]:
    """Warnings where the sheet's own formula results (or typed totals) differ from ictscore's.
    `unknown`: leaves the sheet cannot compute (normalised): they, their parents and the total
    are not compared."""
    issues: list[Issue] = []
    parent_of = rubric.parent_ids
    for leaf in list(unknown):
        while leaf in parent_of:
            leaf = parent_of[leaf]
            unknown.add(leaf)

    def compare(raw: RawCell, computed: Decimal, cid: str | None) -> None:
        if raw.blank:
            return  # never calculated (e.g. filled by a program): nothing to compare
        found = number_of(raw.value)
        if found is None or round_half_up(found, rubric.precision) != computed:
            issues.append(
                Issue(
                    IssueCode.TOTAL_MISMATCH,
                    WARNING,
                    Msg(
                        "the sheet shows {found} for {what}; ictscore computes {computed} "
                        "from the inputs",
                        found=_show(raw.value),
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
    if sheet.total is not None and result.total is not None and not unknown:
        compare(sheet.total, result.total, None)
    return issues
