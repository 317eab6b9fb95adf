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
from ictscore.render import max_text
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
        members = [u for u in report.units if u.group == group.id]
        extra = [
            (label, attr)
            for label, attr in (("Tự chấm", "self_total"), ("Chưa quy đổi", "raw_total"))
            if any(getattr(u, attr) not in (None, u.total) for u in members)
        ]
        headers = [
            "Hạng",
            "Mã",
            "Tên đơn vị",
            "Thuộc",
            *(f"{a.id}. {a.title}" for a in areas),
            *(label for label, _ in extra),
            "Tổng điểm",
            "Xếp loại",
            "Trạng thái",
            "Tệp",
        ]
        ws.append([f"{rubric.title} — {group.label}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(["Điểm " + max_text(rubric, group.id)])
        ws.append(headers)
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for u in members:
            band = rubric.band(u.band)
            row: list[Any] = [
                u.rank if not u.unranked else "KXH",
                u.code,
                u.name,
                u.parent_name or "",
                *(_float(u.subtotals.get(a.id, u.points.get(a.id))) for a in areas),
                *(_float(getattr(u, attr)) for _, attr in extra),
                _float(u.total),
                band.label if band else "",
                STATUS_LABELS[u.status],
                u.file or "",
            ]
            ws.append([safe_text(v) for v in row])
            r = ws.max_row
            last = 5 + len(areas) + len(extra)
            for col in range(5, last + 1):
                ws.cell(r, col).number_format = number_format
            if band and band.color in _BAND_FILLS:
                ws.cell(r, last + 1).fill = PatternFill("solid", fgColor=_BAND_FILLS[band.color])
        _finish(ws, [6, 12, 40, 22, *([12] * (len(areas) + len(extra))), 11, 12, 14, 36])
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
    cuts = [
        (u, cid, a)
        for u in report.units
        for cid, a in u.appraisal.items()
        if a.not_applicable
        or a.value is not None
        or a.note
        or u.points.get(cid) != u.self_points.get(cid)
    ]
    if cuts:
        ws = wb.create_sheet("Thẩm định")
        ws.append(["Mã", "Tên đơn vị", "Tiêu chí", "Tự chấm", "Thẩm định", "Chênh lệch", "Ghi chú"])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
        for u, cid, a in cuts:
            own, final = u.self_points.get(cid), u.points.get(cid)
            diff = final - own if final is not None and own is not None else None
            note = (f"Không áp dụng: {a.not_applicable}. " if a.not_applicable else "") + (
                a.note or ""
            )
            ws.append(
                [
                    safe_text(v)
                    for v in (
                        u.code,
                        u.name,
                        cid,
                        _float(own),
                        "KAD" if a.not_applicable else _float(final),
                        _float(diff),
                        note.strip(),
                    )
                ]
            )
        _finish(ws, [12, 36, 10, 10, 10, 10, 70], header_row=1)
    if report.references:
        ws = wb.create_sheet("Giá trị cao nhất khối")
        ws.append(["Khối", "Tiêu chí", "Giá trị cao nhất", "Đơn vị đạt"])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
        for ref in report.references:
            found = rubric.group(ref.group)
            ws.append(
                [
                    safe_text(v)
                    for v in (
                        found.label if found else ref.group,
                        ref.criterion,
                        float(ref.best),
                        ", ".join(ref.units) or "(mọi đơn vị bằng 0: 0 điểm)",
                    )
                ]
            )
        _finish(ws, [24, 10, 16, 60], header_row=1)
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
