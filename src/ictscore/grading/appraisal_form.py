"""The appraisal council's form (phiếu thẩm định): writing it (`build_form`) and reading it back
(`read_appraisal`, an .xlsx made by `ictscore appraisal` or a CSV with the same headers).

Applying what it says to the units' results is appraisal.py's job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ictscore.errors import AppraisalFormError
from ictscore.grading.cells import GROUPED, PLAIN_NUMBER
from ictscore.grading.results import Status, UnitResult
from ictscore.inputfile import InputFileError, read_input
from ictscore.issues import CellRef
from ictscore.rubric.methods import Normalised
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.filecheck import MAX_FILE_BYTES, inspect_file
from ictscore.sheets.reader import RawCell, ReadSheet, cell_text, column_letter, read_record
from ictscore.text import xml_safe

SHEET: Final = layout.APPRAISAL_SHEET
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


@dataclass(frozen=True)
class AppraisalRow:
    """One row of the form: a unit's criterion, with what the council typed."""

    unit: str
    criterion: str
    unit_cell: str
    id_cell: str
    appraised: RawCell
    not_applicable: RawCell
    note: RawCell


AppraisalSheet = ReadSheet[AppraisalRow]
"""An appraisal form as read: its rows and what made it (its hidden record, `meta`)."""


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
        for entry in rubric.plan(result.group).criteria:
            c = entry.criterion
            if c.method is None:
                continue
            row += 1
            normalised = isinstance(c.method, Normalised)
            own = result.self_measures.get(c.id) if normalised else result.self_points.get(c.id)
            values = [
                result.code,
                xml_safe(result.name),  # a BEL or ESC from the roster: no workbook holds it
                c.id,
                ("(số liệu) " if normalised else "") + c.title,
                float(entry.max),
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
    record = {
        "format": FORMAT,
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "rubric_hash": rubric.content_hash,
    }
    from ictscore.sheets.template import write_record  # openpyxl: not for grading alone

    write_record(wb.create_sheet(layout.META_SHEET), record)
    wb.properties.keywords = layout.APPRAISAL_FORM_KEYWORD
    return wb


def read_appraisal(path: Path) -> AppraisalSheet:
    """Read an appraisal form (.xlsx made by `ictscore appraisal`, or a CSV with the same
    headers). Raises AppraisalFormError (WorkbookError from the file check) if it is not one."""
    shown = str(path)
    try:  # a regular file of bounded size (a pipe would block, /dev/zero never end)
        data = read_input(path, MAX_FILE_BYTES, "appraisal form")
    except InputFileError as exc:
        raise AppraisalFormError(f"{shown}: {exc}") from exc
    if path.suffix.lower() == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AppraisalFormError(f"{shown}: cannot read the appraisal CSV: {exc}") from exc
        rows = [tuple(r) for r in csv.reader(io.StringIO(text, newline=""))]
        return _parse(shown, "csv", rows, {})
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
            meta = read_record(wb[layout.META_SHEET].iter_rows(max_col=2, values_only=True))
        ws = wb[SHEET]
        ws.reset_dimensions()  # read every row, whatever size the file declares
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    return _parse(shown, SHEET, rows, meta)


def _csv_value(text: str) -> Any:
    """A CSV cell as a spreadsheet would hold it: a number when it is one (a decimal comma, as
    Vietnamese locales write it, included), else the text."""
    stripped = text.strip()
    if PLAIN_NUMBER.fullmatch(stripped) and not GROUPED.fullmatch(stripped):
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
