"""The copy of a unit's own score sheet in its feedback: every problem cell filled and given a
comment in Vietnamese, and every value grading read the usual way from what was typed ("x" read
as "Có", "2,5" as 2.5: a `coerced-value`) shown as graded, with a note saying what was typed and
how it was read. The sheet's formulas then give the points grading gave, never 0.00 for a value
that was accepted.

The copy is made in memory from the unit's file (only read) and saved elsewhere.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from ictscore.grading.results import UnitResult
from ictscore.i18n import explain
from ictscore.issues import Issue, IssueCode
from ictscore.numbers import vn_number
from ictscore.sheets import layout
from ictscore.text import clip, xml_safe

PROBLEM_FILL = "FFC7CE"
"""A cell with an error or a warning to look at (red, as Excel's "bad")."""
READ_FILL = "FFEB9C"
"""A cell whose typed value was read the usual way (yellow, as Excel's "neutral")."""


REWRITTEN_NOTE = (
    "Lưu ý: bản sao này ghi các giá trị như khi chấm (ô tô vàng), nên công thức của bảng có "
    "thể đã cho kết quả khác bảng điểm gốc."
)
"""Added to a total mismatch's comment when the copy rewrote a value the sheet's formulas
read: what the comment says the sheet showed is what the unit's own file shows."""


def vi_message(issue: Issue) -> str:
    """The issue as a unit reads it: the Vietnamese explanation (the catalogue, i18n.py), then
    the precise message."""
    return explain(issue, "vi")


def mark_sheet(wb: Any, unit: UnitResult) -> None:
    """Mark the unit's issues on its own score sheet in `wb` (a copy of its file)."""
    if layout.SCORE_SHEET not in wb.sheetnames:
        return
    ws = wb[layout.SCORE_SHEET]
    graded = _graded_values(unit)
    rewritten = any(
        i.code == IssueCode.COERCED_VALUE and i.where and i.where.cell in graded
        for i in unit.issues
    )
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
        if isinstance(cell, MergedCell):  # inside a merged range: not an input cell
            continue
        text = vi_message(issue)
        fill = PROBLEM_FILL
        if issue.code == IssueCode.COERCED_VALUE and where.cell in graded:
            typed, value = cell.value, graded[where.cell]
            cell.value = _cell_value(value)
            shown = _shown(value, "%" in str(cell.number_format))
            text = f"Đã nhập: “{clip(str(typed), 40)}”. Khi chấm đọc là: {shown}.\n{text}"
            fill = READ_FILL
        elif issue.code == IssueCode.TOTAL_MISMATCH and rewritten:
            text += f"\n{REWRITTEN_NOTE}"
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.comment = Comment(xml_safe(text), "ictscore", width=320, height=140)


def _graded_values(unit: UnitResult) -> dict[str, Decimal | str]:
    """Cell → the value grading read there, for the unit's own input cells."""
    out: dict[str, Decimal | str] = {}
    for slots in unit.inputs.values():
        for read in slots.values():
            if read.value is not None:
                out[read.cell] = read.value
    return out


def _cell_value(value: Decimal | str) -> Any:
    """A graded value as a cell holds it: a number as a number (the sheet's formulas read it)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return xml_safe(value)


def _shown(value: Decimal | str, percent: bool) -> str:
    """The value as read: a number in Vietnamese ("2,5", "85%"), a choice in quotes."""
    if isinstance(value, Decimal):
        return f"{vn_number(value * 100)}%" if percent else vn_number(value)
    return f"“{value}”"
