"""read_workbook(path) → SheetData: the raw values of a filled score sheet, each with its cell.

Parses; never judges (validate.py does). The file is opened read-only and never written.
Rows are found by the criterion id in the id column and columns by their header text
(layout.py), so inserted or re-sorted rows do not break reading.
"""

from __future__ import annotations

import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ictscore import layout
from ictscore.errors import CellRef, WorkbookError


@dataclass(frozen=True)
class RawCell:
    """A cell's value as the reader returned it (Excel's cached value for formulas) and where."""

    value: Any
    cell: str

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass(frozen=True)
class CriterionRow:
    """One row of the criteria table."""

    id: str
    row: int
    id_cell: str
    title: RawCell
    max: RawCell
    inputs: tuple[RawCell, ...]
    """The input columns in layout.INPUT_COLUMNS order."""
    points: RawCell
    """The sheet's own points cell (a formula's cached value, or whatever was typed)."""
    evidence: RawCell


@dataclass(frozen=True)
class SheetData:
    """Everything grading needs from one workbook."""

    file: str
    """The path as shown in messages."""
    sheet: str
    meta: dict[str, str]
    rows: tuple[CriterionRow, ...]
    total: RawCell | None = None
    """The sheet's own total cell, if the total row was found."""

    def ref(self, cell: str | None = None) -> CellRef:
        return CellRef(self.file, self.sheet, cell)


def cell_text(value: Any) -> str:
    """A cell value as NFC text, stripped; a whole float without its ".0"; "" for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def read_workbook(path: str | Path, display: str | None = None) -> SheetData:
    """Read a score sheet made by `ictscore template`. Raises WorkbookError if the file is not one.

    `display` is how the path appears in messages (as the user typed it, by default str(path)).
    """
    shown = display or str(path)
    file_ref = CellRef(shown)
    try:
        wb = _open(Path(path))
    except Exception as exc:  # noqa: BLE001 - any failure of the parser is this file's problem
        raise WorkbookError(file_ref, _unreadable(exc)) from exc
    try:
        names = list(wb.sheetnames)
        if layout.SCORE_SHEET not in names:
            raise WorkbookError(
                file_ref,
                f'no sheet "{layout.SCORE_SHEET}" (found: {", ".join(names) or "none"}); '
                "was it made with `ictscore template`?",
                code="missing-sheet",
            )
        if layout.META_SHEET not in names:
            raise WorkbookError(
                file_ref,
                f'no hidden sheet "{layout.META_SHEET}": the workbook was not made by '
                "`ictscore template`, or its sheets were copied into another workbook",
                code="not-a-template",
            )
        try:
            meta = _read_meta(_whole(wb[layout.META_SHEET]))
            rows = list(_whole(wb[layout.SCORE_SHEET]).iter_rows(values_only=True))
        except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a readable zip
            raise WorkbookError(file_ref, _unreadable(exc)) from exc
    finally:
        wb.close()
    return _parse_rows(shown, rows, meta)


def _whole(ws: Any) -> Any:
    """The sheet, set to read every row: openpyxl's read-only mode otherwise trusts the size the
    file declares (`<dimension>`), which some programs write wrong, and would cut rows off."""
    ws.reset_dimensions()
    return ws


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return "not an .xlsx workbook (not a zip archive), or the file is damaged"
    if isinstance(exc, OSError):
        return f"cannot open the file: {exc.strerror or exc}"
    return f"cannot read the workbook ({type(exc).__name__}: {exc})"


def _open(path: Path) -> Any:
    import openpyxl  # heavy: imported when a sheet is read, not when the CLI starts

    with warnings.catch_warnings():
        # openpyxl warns about data-validation and other extensions it reads but ignores
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)


def _read_meta(ws: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in ws.iter_rows(min_row=1, max_col=2, values_only=True):
        if row and row[0] is not None:
            meta[cell_text(row[0])] = cell_text(row[1] if len(row) > 1 else None)
    return meta


def _parse_rows(shown: str, rows: list[tuple[Any, ...]], meta: dict[str, str]) -> SheetData:
    sheet = layout.SCORE_SHEET
    wanted = {layout.HEADERS[col]: col for col in layout.HEADERS}
    header_row, columns = None, {}
    for r, values in enumerate(rows[: layout.FIRST_HEADER_SCAN_ROWS], start=1):
        found = {wanted[t]: i for i, v in enumerate(values) if (t := cell_text(v)) in wanted}
        if layout.COL_ID in found:
            header_row, columns = r, found
            break
    if header_row is None:
        raise WorkbookError(
            CellRef(shown, sheet),
            f'no header row: no cell "{layout.HEADERS[layout.COL_ID]}" in the first '
            f"{layout.FIRST_HEADER_SCAN_ROWS} rows",
            code="missing-header",
        )
    missing = [layout.HEADERS[c] for c in layout.HEADERS if c not in columns]
    if missing:
        raise WorkbookError(
            CellRef(shown, sheet, f"A{header_row}"),
            "the header row lacks the column(s) " + ", ".join(f'"{m}"' for m in missing),
            code="missing-header",
        )
    letters = {role: column_letter(index) for role, index in columns.items()}

    def cell(values: tuple[Any, ...], role: str, r: int) -> RawCell:
        i = columns[role]
        return RawCell(values[i] if i < len(values) else None, f"{letters[role]}{r}")

    parsed: list[CriterionRow] = []
    total: RawCell | None = None
    # NOTE: rows below the total row are read too: an id typed there is never silently ignored
    for r, values in enumerate(rows[header_row:], start=header_row + 1):
        if (
            total is None
            and cell_text(cell(values, layout.COL_TITLE, r).value) == layout.TOTAL_LABEL
        ):
            total = cell(values, layout.COL_POINTS, r)
            continue
        cid = cell_text(cell(values, layout.COL_ID, r).value)
        if not cid:
            continue
        parsed.append(
            CriterionRow(
                id=cid,
                row=r,
                id_cell=cell(values, layout.COL_ID, r).cell,
                title=cell(values, layout.COL_TITLE, r),
                max=cell(values, layout.COL_MAX, r),
                inputs=tuple(cell(values, col, r) for col in layout.INPUT_COLUMNS),
                points=cell(values, layout.COL_POINTS, r),
                evidence=cell(values, layout.COL_EVIDENCE, r),
            )
        )
    return SheetData(shown, sheet, meta, tuple(parsed), total)


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
