"""The results workbook's lists: units outside the groups, the appraisal's changes, who set
each normalisation reference, units that sent nothing, and every issue."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import explain
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.tables import (
    AppraisalChange,
)
from ictscore.reports.workbook.common import (
    as_float,
    cell_text,
    finish,
    header,
    sheet_title,
)
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout


def others_sheet(wb: Workbook, others: Sequence[UnitResult]) -> None:
    ws = wb.create_sheet(sheet_title("Ngoài các nhóm", wb))
    ws.append([labels.OTHER_GROUPS_LABEL])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append([labels.CODE, labels.UNIT_NAME, labels.GROUP, labels.STATUS, labels.FILE])
    for u in others:
        ws.append(
            [
                cell_text(v)
                for v in (u.code, u.name, u.group, labels.STATUS_LABELS[u.status], u.file or "")
            ]
        )
    finish(ws, [12, 40, 16, 14, 36], print_cols=4, wrap=(2,))  # the file: not printed


def appraisal_sheet(wb: Workbook, changes: Sequence[AppraisalChange]) -> None:
    ws = wb.create_sheet(labels.APPRAISED)
    ws.append(
        [
            labels.CODE,
            labels.UNIT_NAME,
            labels.CRITERION,
            labels.SELF_SCORE,
            labels.APPRAISED,
            labels.DIFFERENCE,
            labels.NOTE,
        ]
    )
    header(ws, 1)
    for c in changes:
        diff = c.difference
        note = (f"{labels.NOT_APPLICABLE}: {c.not_applicable}. " if c.not_applicable else "") + (
            c.note or (labels.NO_REASON if diff else "")
        )
        if c.value is not None:
            note = f"{labels.APPRAISED_VALUE}: {vn_number(c.value)}. {note}"
        ws.append(
            [
                cell_text(v)
                for v in (
                    c.unit.code,
                    c.unit.name,
                    c.criterion,
                    as_float(c.self_points),
                    labels.NOT_APPLICABLE_MARK if c.not_applicable else as_float(c.points),
                    as_float(diff),
                    note.strip(),
                )
            ]
        )
    finish(ws, [12, 36, 10, 10, 10, 10, 70], header_row=1, wrap=(2, 7))


def references_sheet(wb: Workbook, report: Report, rubric: Rubric) -> None:
    ws = wb.create_sheet("Giá trị cao nhất khối")
    ws.append([labels.BLOCK, labels.CRITERION, labels.BEST_VALUE, labels.BEST_UNITS])
    header(ws, 1)
    for ref in report.references:
        found = rubric.group(ref.group)
        ws.append(
            [
                cell_text(v)
                for v in (
                    found.label if found else ref.group,
                    ref.criterion,
                    float(ref.best),
                    ", ".join(ref.units) or labels.NO_BEST_UNIT,
                )
            ]
        )
    finish(ws, [24, 10, 16, 60], header_row=1, wrap=(1, 4))


def missing_sheet(wb: Workbook, rubric: Rubric, missing: Sequence[UnitResult]) -> None:
    ws = wb.create_sheet(labels.STATUS_LABELS[Status.MISSING])
    ws.append([labels.CODE, labels.UNIT_NAME, labels.GROUP, labels.PARENT])
    header(ws, 1)
    for u in missing:
        known = rubric.group(u.group)
        label = known.label if known else u.group
        ws.append([cell_text(v) for v in (u.code, u.name, label, u.parent_name or "")])
    finish(ws, [12, 40, 24, 30], header_row=1, wrap=(2, 3, 4))


def issues_sheet(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(layout.RESULTS_LAST_SHEET)
    ws.append(["Vị trí", "Mức độ", "Mã lỗi", labels.UNIT, "Nội dung"])
    header(ws, 1)
    located = [*((i, "") for i in report.issues)]
    located += [(i, u.code) for u in report.units for i in u.issues]
    for issue, code in located:
        ws.append(
            [
                cell_text(v)
                for v in (
                    str(issue.where or ""),
                    _severity(issue.severity.value),
                    issue.code,
                    code,
                    explain(issue, "vi"),
                )
            ]
        )
    finish(ws, [36, 10, 20, 12, 70], header_row=1, wrap=(1, 5))


def _severity(value: str) -> str:
    return {"error": "Lỗi", "warning": "Cảnh báo"}.get(value, value)
