"""Feedback to each unit: what it did and did not achieve ("những mặt làm được và chưa làm được").

For every unit with a sheet, one workbook it can be sent:
- a copy of its own workbook (never the original: the copy is made in memory and saved
  elsewhere) with each problem cell filled and given a comment in Vietnamese, when the sheet is
  an .xlsx or .xlsm (openpyxl cannot write .xls or .ods: those units get the summary alone);
- a first sheet "Phản hồi": total, band, rank in the group, the criteria where it lost the most
  points against the maximum and against the group's mean, where the appraisal changed its
  self-score, and every problem, in Vietnamese.

Issue messages shown to units come from the message catalogue (i18n.py, gettext).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import explain
from ictscore.issues import Issue
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.files import save_workbook
from ictscore.reports.summary import criterion_means
from ictscore.reports.tables import appraisal_changes, appraised
from ictscore.roster import ascii_slug
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.printing import PAGE_NUMBERS, fit_rows, set_page
from ictscore.text import xml_safe

_MARK = "FFC7CE"


def vi_message(issue: Issue) -> str:
    """The issue as a unit reads it: the Vietnamese explanation (the catalogue, i18n.py), then
    the precise message."""
    return explain(issue, "vi")


@dataclass(frozen=True)
class Peers:
    """What a graded unit's feedback compares it with: its group's graded units and each
    criterion's mean over them. Made once per group (`peers`), not once per unit."""

    graded: int
    means: Mapping[str, Decimal]


def peers(report: Report, rubric: Rubric, group: str) -> Peers:
    graded = sum(1 for u in report.units if u.group == group and u.status is Status.GRADED)
    means = {m.criterion: m.mean for m in criterion_means(report, rubric, group)}
    return Peers(graded, means)


def feedback_workbook(
    rubric: Rubric, report: Report, unit: UnitResult, of_group: Peers | None = None
) -> Any:
    """The unit's feedback workbook (openpyxl), from a copy of its own .xlsx/.xlsm when it has
    one; the original file is only read. `of_group`: the unit's `peers`, when the caller has
    them already."""
    wb = None
    if unit.file and Path(unit.file).suffix.lower() in (".xlsx", ".xlsm"):
        try:
            wb = openpyxl.load_workbook(unit.file, keep_vba=False)
        except Exception:  # noqa: BLE001 - unreadable by openpyxl: the summary alone
            wb = None
    if wb is not None and layout.SCORE_SHEET in wb.sheetnames:
        ws = wb[layout.SCORE_SHEET]
        for issue in unit.issues:
            where = issue.where
            if (
                where is None
                or where.file != unit.file  # a second sheet of the same unit: listed, not marked
                or where.sheet != layout.SCORE_SHEET
                or not where.cell
            ):
                continue
            cell = ws[where.cell]
            cell.fill = PatternFill("solid", fgColor=_MARK)
            cell.comment = Comment(xml_safe(vi_message(issue)), "ictscore", width=320, height=120)
    if wb is None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
    summary = wb.create_sheet("Phản hồi", 0)
    if unit.status is Status.GRADED and of_group is None:
        of_group = peers(report, rubric, unit.group)
    _summary(summary, rubric, unit, of_group)
    wb.active = 0
    return wb


def feedback_name(unit: UnitResult, taken: set[str] | None = None) -> str:
    """The unit's feedback file name, from its code; `taken`: names already used in this run
    (two codes that slug alike, "A.1" and "a-1", get "a-1-phan-hoi.xlsx" and
    "a-1-2-phan-hoi.xlsx")."""
    stem = ascii_slug(unit.code) or "don-vi"
    name, n = f"{stem}-phan-hoi.xlsx", 1
    while taken is not None and name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}-phan-hoi.xlsx"
    if taken is not None:
        taken.add(name.casefold())
    return name


def _place(issue: Issue, unit: UnitResult) -> str:
    """Where the issue is, as the unit finds it: the cell of its own file, or the other file's
    name and cell (a unit that sent two sheets)."""
    where = issue.where
    if where is None:
        return ""
    if where.file != unit.file:
        return f"{Path(where.file).name}!{where.cell}" if where.cell else Path(where.file).name
    return where.cell or ""


def _summary(ws: Any, rubric: Rubric, unit: UnitResult, of_group: Peers | None) -> None:
    """The "Phản hồi" sheet: who the unit is and its result, what it lost, where the appraisal
    changed its self-score, and its problems; laid out to print on one page."""
    _head(ws, rubric, unit, of_group)
    if of_group is not None:
        _achievement(ws, rubric, unit, of_group.means)
        _appraisal(ws, rubric.precision, unit)
    if unit.issues:
        _section(
            ws,
            "Các vấn đề cần khắc phục",
            [
                ["Vị trí", "Nội dung"],
                *([_place(i, unit), vi_message(i)] for i in unit.issues),
            ],
        )
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    for col in "CDE":
        ws.column_dimensions[col].width = 14
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in (1, 2):  # the title and the rubric's across the page
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
    fit_rows(ws)
    set_page(  # one printed page
        ws,
        landscape=False,
        pages_high=1,
        print_area=f"A1:E{ws.max_row}",
        side_margin=0.5,
        footer=PAGE_NUMBERS,
    )


def _head(ws: Any, rubric: Rubric, unit: UnitResult, of_group: Peers | None) -> None:
    """Title, rubric, the unit, its group and status; when graded, total, band and rank."""
    p = rubric.precision
    group = rubric.group(unit.group)
    band = rubric.band(unit.band)
    lines: list[tuple[str, Any]] = [
        ("PHẢN HỒI KẾT QUẢ CHẤM ĐIỂM", None),
        (rubric.title, None),
        (labels.UNIT, unit.display_name),
        ("Mã đơn vị", unit.code),
        (labels.GROUP, group.label if group else unit.group),
        (labels.STATUS, labels.STATUS_LABELS[unit.status]),
    ]
    if of_group is not None:
        lines += [
            (labels.TOTAL_POINTS, vn_number(unit.total or Decimal(0), p)),
            (labels.BAND, band.label if band else ""),
            (
                "Thứ hạng trong nhóm",
                "không xếp hạng" if unit.unranked else f"{unit.rank}/{of_group.graded}",
            ),
        ]
        if appraised(unit) and unit.self_total is not None:
            lines.append(("Tổng điểm tự chấm", vn_number(unit.self_total, p)))
    for label, value in lines:
        _append(ws, [label, value])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(italic=True)
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row, max_col=1):
        row[0].font = Font(bold=True)


def _achievement(ws: Any, rubric: Rubric, unit: UnitResult, means: Mapping[str, Decimal]) -> None:
    """The criteria where the unit lost the most against the maximum, and against the mean of
    its group (five each; penalties left out)."""
    p = rubric.precision
    plan = rubric.plan(unit.group) if rubric.group(unit.group) is not None else None
    planned = plan.by_id if plan is not None else {}
    leaves = [
        (cid, planned[cid].max, unit.points[cid])
        for cid in unit.points
        if cid in planned and planned[cid].kind != "penalty"
    ]
    lost = sorted(leaves, key=lambda t: (t[2] - t[1], t[0]))[:5]
    _section(
        ws,
        "Tiêu chí mất nhiều điểm nhất so với điểm tối đa",
        [
            [labels.CRITERION, "Nội dung", "Điểm đạt", "Điểm tối đa", "Còn thiếu"],
            *(
                [
                    cid,
                    planned[cid].criterion.title,
                    vn_number(pts, p),
                    vn_number(mx, p),
                    vn_number(mx - pts, p),
                ]
                for cid, mx, pts in lost
                if pts < mx
            ),
        ],
    )
    behind = sorted(
        ((cid, pts, means[cid]) for cid, _, pts in leaves if cid in means and pts < means[cid]),
        key=lambda t: (t[1] - t[2], t[0]),
    )[:5]
    _section(
        ws,
        "Tiêu chí thấp hơn điểm trung bình của nhóm",
        [
            [labels.CRITERION, "Nội dung", "Điểm đạt", "Trung bình nhóm", labels.DIFFERENCE],
            *(
                [
                    cid,
                    planned[cid].criterion.title,
                    vn_number(pts, p),
                    vn_number(mean, p),
                    vn_number(pts - mean, p),
                ]
                for cid, pts, mean in behind
            ),
        ],
    )


def _appraisal(ws: Any, p: int, unit: UnitResult) -> None:
    """Where the appraisal changed the unit's points or marked a criterion not applicable (a
    note or an appraised value alone, points unchanged, is not listed to the unit)."""
    changed = [c for c in appraisal_changes([unit]) if c.changes_points]
    if not changed:
        return
    _section(
        ws,
        "Kết quả thẩm định khác điểm tự chấm",
        [
            [labels.CRITERION, labels.SELF_SCORE, labels.APPRAISED, labels.NOTE],
            *(
                [
                    c.criterion,
                    vn_number(c.self_points or Decimal(0), p),
                    labels.NOT_APPLICABLE
                    if c.not_applicable
                    else vn_number(c.points or Decimal(0), p),
                    c.not_applicable or c.note or "",
                ]
                for c in changed
            ),
        ],
    )


def _section(ws: Any, title: str, rows: list[list[Any]]) -> None:
    ws.append([])
    ws.append([title])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
    header, *body = rows
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
    if not body:
        ws.append(["(không có)"])
    for row in body:
        _append(ws, row)


def _append(ws: Any, values: list[Any]) -> None:
    """A row of text as text: a value like "=cmd|…" or "-0,18" is stored as it reads, never as
    a formula (and without the apostrophe a CSV needs)."""
    ws.append([xml_safe(v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def write_feedback(
    rubric: Rubric, report: Report, folder: Path, overwrite: bool = False
) -> list[Path]:
    """One feedback workbook per unit with a sheet, atomically, into `folder`."""
    written: list[Path] = []
    taken: set[str] = set()
    groups: dict[str, Peers] = {}
    for unit in report.units:
        if unit.status is Status.MISSING or not unit.file:
            continue
        of_group = None
        if unit.status is Status.GRADED:
            if unit.group not in groups:
                groups[unit.group] = peers(report, rubric, unit.group)
            of_group = groups[unit.group]
        target = folder / feedback_name(unit, taken)
        wb = feedback_workbook(rubric, report, unit, of_group)
        save_workbook(wb, target, overwrite=overwrite)
        written.append(target)
    return written
