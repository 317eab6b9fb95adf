"""The appraisal council's scores (điểm thẩm định): the form, reading it, applying it.

Design: the council works in one separate workbook, not in a column of the units' sheets.
- Units' files are never written, so nothing a unit sent is touched or re-saved; the council
  needs no password for 200 protected workbooks, and its scores cannot be seen or typed by units.
- One form holds every unit (one row per unit and leaf criterion, with the self-score beside the
  appraisal cell), so the council can filter, sort and review cuts across units, and the form is
  made again from the sheets at any time (`ictscore appraisal`).
- Each appraisal has its note (the explanation the council owes for a cut) and may mark a
  criterion not applicable to the unit, with the reason.

`build_form` and `read_appraisal` touch openpyxl; `apply_appraisal` is pure.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from ictscore.errors import AppraisalFormError, CellRef
from ictscore.grading.results import Appraisal, Status, UnitResult
from ictscore.grading.scoring import publish
from ictscore.issues import Issue, IssueCode, Severity
from ictscore.messages import Msg
from ictscore.rubric.methods import Normalised
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.filecheck import inspect_file
from ictscore.sheets.reader import RawCell, cell_text, column_letter

SHEET: Final = "Thẩm định"
FORM_ROWS: Final = 200_000
"""Rows an appraisal form may have (10,000 units × 20 criteria)."""
FORMAT: Final = "ictscore-appraisal"
COL_UNIT, COL_NAME, COL_ID, COL_TITLE, COL_MAX, COL_SELF = "A", "B", "C", "D", "E", "F"
COL_APPRAISED, COL_NA, COL_NOTE = "G", "H", "I"
HEADERS: Final = {
    COL_UNIT: "Mã đơn vị",
    COL_NAME: "Tên đơn vị",
    COL_ID: "Mã tiêu chí",
    COL_TITLE: "Tiêu chí",
    COL_MAX: "Điểm tối đa",
    COL_SELF: "Tự chấm",
    COL_APPRAISED: "Thẩm định",
    COL_NA: "Không áp dụng (lý do)",
    COL_NOTE: "Ghi chú thẩm định",
}
"""Header texts, which identify the columns when reading (a CSV uses the same headers)."""
WIDTHS: Final = {"A": 10, "B": 28, "C": 9, "D": 50, "E": 9, "F": 10, "G": 11, "H": 22, "I": 40}
ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class AppraisalRow:
    unit: str
    criterion: str
    unit_cell: str
    id_cell: str
    appraised: RawCell
    not_applicable: RawCell
    note: RawCell


@dataclass(frozen=True)
class AppraisalSheet:
    """An appraisal form as read: its rows and what made it."""

    file: str
    sheet: str
    meta: dict[str, str]
    rows: tuple[AppraisalRow, ...]

    def ref(self, cell: str | None = None) -> CellRef:
        return CellRef(self.file, self.sheet, cell)


def build_form(rubric: Rubric, results: Sequence[UnitResult]) -> Any:
    """The appraisal workbook for graded units: one row per unit and leaf criterion."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append([f"PHIẾU THẨM ĐỊNH — {rubric.title}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            "Nhập điểm thẩm định (cột G) khi khác điểm tự chấm; để trống: giữ điểm tự chấm"
            + (
                " (bảng điểm này yêu cầu thẩm định mọi tiêu chí)."
                if rubric.appraisal == "required"
                else "."
            )
            + " Tiêu chí tính theo đơn vị cao nhất: nhập số liệu thẩm định, không nhập điểm."
            " Mỗi lần trừ điểm cần ghi lý do ở cột I."
        ]
    )
    header_row = 4
    for col, text in HEADERS.items():
        cell = ws[f"{col}{header_row}"]
        cell.value = text
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    unlocked, fill = Protection(locked=False), PatternFill("solid", fgColor="FFF2CC")
    points_dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    points_dv.error = (
        "Nhập số không âm (điểm, hoặc số liệu với tiêu chí tính theo đơn vị cao nhất)."
    )
    points_dv.showErrorMessage = True
    ws.add_data_validation(points_dv)
    row = header_row
    for result in results:
        if result.status is not Status.GRADED:
            continue
        for node in rubric.nodes_for(result.group):
            c = node.criterion
            if c.method is None:
                continue
            row += 1
            normalised = isinstance(c.method, Normalised)
            own = result.self_measures.get(c.id) if normalised else result.self_points.get(c.id)
            values = [
                result.code,
                result.name,
                c.id,
                ("(số liệu) " if normalised else "") + c.title,
                float(rubric.max_for(c, result.group)),
                float(own) if own is not None else None,
            ]
            for col, value in zip(HEADERS, values, strict=False):
                ws[f"{col}{row}"] = value
                if isinstance(value, str):
                    ws[f"{col}{row}"].data_type = "s"  # unit names are text, never formulas
            ws[f"{COL_UNIT}{row}"].number_format = "@"
            ws[f"{COL_ID}{row}"].number_format = "@"
            for col in (COL_APPRAISED, COL_NA, COL_NOTE):
                ws[f"{col}{row}"].protection = unlocked
                ws[f"{col}{row}"].fill = fill
            points_dv.add(f"{COL_APPRAISED}{row}")
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{COL_NOTE}{max(row, header_row + 1)}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    meta = wb.create_sheet(layout.META_SHEET)
    for r, (key, value) in enumerate(
        {
            "format": FORMAT,
            "rubric_id": rubric.id,
            "rubric_version": rubric.version,
            "rubric_hash": rubric.content_hash,
        }.items(),
        start=1,
    ):
        meta.cell(r, 1, key)
        meta.cell(r, 2, value)
    meta.sheet_state = "veryHidden"
    return wb


def read_appraisal(path: Path) -> AppraisalSheet:
    """Read an appraisal form (.xlsx made by `ictscore appraisal`, or a CSV with the same
    headers). Raises AppraisalFormError (WorkbookError from the file check) if it is not one."""
    shown = str(path)
    if path.suffix.lower() == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = [tuple(r) for r in csv.reader(fh)]
        except (OSError, UnicodeDecodeError) as exc:
            raise AppraisalFormError(f"{shown}: cannot read the appraisal CSV: {exc}") from exc
        return _parse(shown, "csv", rows, {})
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AppraisalFormError(f"{shown}: cannot open the file: {exc}") from exc
    # size, zip bomb, XML entities, what the file really is (a form has a row per unit and
    # criterion: 208 units × 35 criteria is 7,280 rows)
    inspect_file(data, CellRef(shown), max_rows=FORM_ROWS)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of the parser is this file's problem
        raise AppraisalFormError(f"{shown}: cannot read the appraisal workbook ({exc})") from exc
    try:
        if SHEET not in wb.sheetnames:
            raise AppraisalFormError(
                f'{shown}: no sheet "{SHEET}": not an appraisal form (make one with '
                "`ictscore appraisal`)"
            )
        meta: dict[str, str] = {}
        if layout.META_SHEET in wb.sheetnames:
            for key, value, *_ in wb[layout.META_SHEET].iter_rows(max_col=2, values_only=True):
                if key is not None:
                    meta[str(key)] = "" if value is None else str(value)
        ws = wb[SHEET]
        ws.reset_dimensions()  # read every row, whatever size the file declares
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    return _parse(shown, SHEET, rows, meta)


_CSV_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:[.,]\d{3})+")
"""1.500 or 1,500: a thousands separator or a decimal? Left as text: an error, not a guess."""


def _csv_value(text: str) -> Any:
    """A CSV cell as a spreadsheet would hold it: a number when it is one (a decimal comma, as
    Vietnamese locales write it, included), else the text."""
    stripped = text.strip()
    if _CSV_NUMBER.fullmatch(stripped) and not _THOUSANDS.fullmatch(stripped):
        return float(stripped.replace(",", "."))
    return text


def _parse(
    shown: str, sheet: str, rows: list[tuple[Any, ...]], meta: dict[str, str]
) -> AppraisalSheet:
    wanted = {text: col for col, text in HEADERS.items()}
    header, columns = None, {}
    for r, values in enumerate(rows[:20], start=1):
        found = {wanted[t]: i for i, v in enumerate(values) if (t := cell_text(v)) in wanted}
        if COL_UNIT in found and COL_ID in found:
            header, columns = r, found
            break
    needed = (COL_UNIT, COL_ID, COL_APPRAISED, COL_NA, COL_NOTE)
    if header is None or any(c not in columns for c in needed):
        raise AppraisalFormError(
            f"{CellRef(shown, sheet)}: no header row with the columns "
            + ", ".join(f'"{HEADERS[c]}"' for c in needed)
        )

    def cell(values: tuple[Any, ...], role: str, r: int) -> RawCell:
        i = columns[role]
        return RawCell(values[i] if i < len(values) else None, f"{column_letter(i)}{r}")

    out: list[AppraisalRow] = []
    for r, values in enumerate(rows[header:], start=header + 1):
        unit, cid = (
            cell_text(cell(values, COL_UNIT, r).value),
            cell_text(cell(values, COL_ID, r).value),
        )
        if not unit and not cid:
            continue
        appraised = cell(values, COL_APPRAISED, r)
        if sheet == "csv" and isinstance(appraised.value, str):  # CSV cells are all text
            appraised = RawCell(_csv_value(appraised.value), appraised.cell)
        out.append(
            AppraisalRow(
                unit,
                cid,
                cell(values, COL_UNIT, r).cell,
                cell(values, COL_ID, r).cell,
                appraised,
                cell(values, COL_NA, r),
                cell(values, COL_NOTE, r),
            )
        )
    return AppraisalSheet(shown, sheet, meta, tuple(out))


def form_problem(rubric: Rubric, form: AppraisalSheet) -> Msg | None:
    """Why the form cannot be applied with `rubric` (made for another rubric, version or
    content), or None. A CSV form records nothing and is taken as it is."""
    if not form.meta:
        return None
    made = (form.meta.get("rubric_id"), form.meta.get("rubric_version"))
    if made != (rubric.id, rubric.version):
        return Msg(
            "the appraisal form was made for rubric {id} version {version}, not {rubric} "
            "version {rubric_version}",
            id=str(made[0]),
            version=str(made[1]),
            rubric=rubric.id,
            rubric_version=rubric.version,
        )
    if form.meta.get("rubric_hash") != rubric.content_hash:
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
    from ictscore.grading.validate import number_of  # validate imports nothing of this module

    issues: list[Issue] = []
    points = dict(result.points)
    measures = dict(result.measures)
    entries: dict[str, Appraisal] = {}
    not_applicable: dict[str, str] = {}
    applicable = {n.criterion.id: n.criterion for n in rubric.nodes_for(result.group)}
    seen: set[str] = set()
    for row in rows:
        if row.criterion in seen:
            issues.append(
                Issue(
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
            )
            continue
        seen.add(row.criterion)
        c = applicable.get(row.criterion)
        if c is None:
            known = rubric.criterion(row.criterion) is not None
            issues.append(
                Issue(
                    IssueCode.UNKNOWN_CRITERION,
                    ERROR,
                    Msg(
                        "appraisal of unit {unit}: criterion '{id}' does not apply to group "
                        "{group}",
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
            )
            continue
        reason = cell_text(row.not_applicable.value) or None
        note = cell_text(row.note.value) or None
        if reason is not None and _CSV_NUMBER.fullmatch(reason):
            issues.append(
                Issue(
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
            )
            continue
        appraised: Decimal | None = None
        if not row.appraised.blank and reason is None:
            appraised = number_of(row.appraised.value)
            max_points = rubric.max_for(c, result.group)
            normalised = isinstance(c.method, Normalised)
            bad: tuple[IssueCode, Msg] | None = None
            if c.method is None:
                bad = (
                    IssueCode.NOT_A_LEAF,
                    Msg("a parent criterion takes no points: appraise its parts"),
                )
            elif appraised is None:
                raw = row.appraised.value
                bad = (
                    (
                        IssueCode.AMBIGUOUS_VALUE,
                        Msg(
                            "{raw} could be a decimal or a number with a thousands separator: "
                            "type it without the separator, or with no more than 2 decimals",
                            raw=repr(raw),
                        ),
                    )
                    if isinstance(raw, str) and _THOUSANDS.fullmatch(raw.strip())
                    else (
                        IssueCode.NOT_A_NUMBER,
                        Msg("expected a number, found {raw}", raw=repr(raw)),
                    )
                )
            elif appraised < 0:
                bad = (IssueCode.BELOW_MINIMUM, Msg("{value} is below 0", value=appraised))
            elif not normalised and appraised > max_points:
                bad = (
                    IssueCode.ABOVE_MAXIMUM,
                    Msg("{value} is above the maximum {max}", value=appraised, max=max_points),
                )
            if bad is not None:
                issues.append(
                    Issue(
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
                )
                continue
        entry = Appraisal(
            points=appraised if not isinstance(c.method, Normalised) else None,
            value=appraised if isinstance(c.method, Normalised) else None,
            not_applicable=reason,
            note=note,
            where=form.ref(row.appraised.cell),
        )
        if appraised is None and reason is None and note is None:
            continue
        entries[c.id] = entry
        if reason is not None:
            not_applicable[c.id] = reason
        elif entry.points is not None:
            points[c.id] = publish(entry.points, rubric)
            if points[c.id] != entry.points:
                issues.append(
                    Issue(
                        IssueCode.TOO_MANY_DECIMALS,
                        WARNING,
                        Msg(
                            "appraisal of unit {unit}, criterion {id}: {points} has more than "
                            "{precision} decimals; counted as {published}",
                            unit=result.code,
                            id=c.id,
                            points=entry.points,
                            precision=rubric.precision,
                            published=points[c.id],
                        ),
                        form.ref(row.appraised.cell),
                        c.id,
                    )
                )
        elif entry.value is not None:
            measures[c.id] = entry.value
    skipped = _under(rubric, not_applicable)
    for cid in skipped:
        points.pop(cid, None)
        measures.pop(cid, None)
    if rubric.appraisal == "required":
        missing = [
            cid
            for cid, c in applicable.items()
            if c.method is not None
            and cid not in skipped
            and (cid not in entries or (entries[cid].points is None and entries[cid].value is None))
        ]
        if missing:
            issues.append(
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
            )
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


def _under(rubric: Rubric, marked: dict[str, str]) -> set[str]:
    """The marked criteria and every descendant of them."""
    out: set[str] = set()
    for node in rubric.walk():
        if node.criterion.id in marked or (node.parent is not None and node.parent.id in out):
            out.add(node.criterion.id)
    return out
