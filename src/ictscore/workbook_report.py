"""build_results_workbook(report, rubric) → an openpyxl Workbook: a ranked sheet per group and a
sheet of issues, in Vietnamese. The caller saves it (export.save_workbook)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.export import OTHER_GROUPS_LABEL, STATUS_LABELS, safe_text
from ictscore.numbers import excel_number_format
from ictscore.results import Report
from ictscore.rubric import Rubric

_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_BAND_FILLS = {"green": "C6EFCE", "cyan": "DDEBF7", "yellow": "FFEB9C", "red": "FFC7CE"}


def build_results_workbook(report: Report, rubric: Rubric) -> Workbook:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    number_format = excel_number_format(rubric.precision)
    for group in rubric.groups:
        ws = wb.create_sheet(_sheet_title(group.label))
        areas = [a for a in rubric.criteria if rubric.max_for(a, group.id) > 0]
        headers = [
            "Hạng",
            "Mã",
            "Tên đơn vị",
            "Thuộc",
            *(f"{a.id}. {a.title}" for a in areas),
            "Tổng điểm",
            "Xếp loại",
            "Trạng thái",
            "Tệp",
        ]
        ws.append([f"{rubric.title} — {group.label}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(
            [
                f"Điểm tối đa {rubric.base_max(group.id)}"
                + (
                    f" (+{rubric.bonus_max(group.id)} điểm thưởng)"
                    if rubric.bonus_max(group.id)
                    else ""
                )
            ]
        )
        ws.append(headers)
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for u in (u for u in report.units if u.group == group.id):
            band = rubric.band(u.band)
            row: list[Any] = [
                u.rank,
                u.code,
                u.name,
                u.parent_name or "",
                *(_float(u.subtotals.get(a.id, u.points.get(a.id))) for a in areas),
                _float(u.total),
                band.label if band else "",
                STATUS_LABELS[u.status],
                u.file or "",
            ]
            ws.append([safe_text(v) for v in row])
            r = ws.max_row
            for col in range(5, 5 + len(areas) + 1):
                ws.cell(r, col).number_format = number_format
            if band and band.color in _BAND_FILLS:
                ws.cell(r, 5 + len(areas) + 1).fill = PatternFill(
                    "solid", fgColor=_BAND_FILLS[band.color]
                )
        _finish(ws, [6, 12, 40, 22, *([12] * len(areas)), 11, 12, 14, 36])
    others = [u for u in report.units if rubric.group(u.group) is None]
    if others:  # sheets made for a group this rubric does not have: listed, never hidden
        ws = wb.create_sheet(_sheet_title("Ngoài các nhóm"))
        ws.append([OTHER_GROUPS_LABEL])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([])
        ws.append(["Mã", "Tên đơn vị", "Nhóm", "Trạng thái", "Tệp"])
        for u in others:
            ws.append(
                [
                    safe_text(v)
                    for v in (u.code, u.name, u.group, STATUS_LABELS[u.status], u.file or "")
                ]
            )
        _finish(ws, [12, 40, 16, 14, 36])
    ws = wb.create_sheet("Vấn đề")
    ws.append(["Vị trí", "Mức độ", "Mã lỗi", "Đơn vị", "Nội dung"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for issue in report.issues:
        ws.append(
            [
                safe_text(v)
                for v in (
                    str(issue.where or ""),
                    _severity(issue.severity.value),
                    issue.code,
                    "",
                    issue.message,
                )
            ]
        )
    for u in report.units:
        for issue in u.issues:
            ws.append(
                [
                    safe_text(v)
                    for v in (
                        str(issue.where or ""),
                        _severity(issue.severity.value),
                        issue.code,
                        u.code,
                        issue.message,
                    )
                ]
            )
    _finish(ws, [50, 10, 22, 14, 90], header_row=1)
    return wb


def _severity(value: str) -> str:
    return {"error": "Lỗi", "warning": "Cảnh báo"}.get(value, value)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _sheet_title(label: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", label)[:31]


def _finish(ws: Worksheet, widths: list[int], header_row: int = 3) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(header_row, i).column_letter].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    if ws.max_row > header_row:
        ws.auto_filter.ref = f"A{header_row}:{ws.cell(ws.max_row, ws.max_column).coordinate}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
