"""read_workbook(path) → SheetData: the raw values of a filled score sheet, each with its cell.

Parses; never judges (validate.py does). The file is opened read-only and never written.
Rows are found by the criterion id in the id column and columns by their header text
(layout.py), so inserted or re-sorted rows do not break reading.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from ictscore.errors import WorkbookError
from ictscore.issues import CellRef, IssueCode
from ictscore.messages import Msg
from ictscore.sheets import layout, xlsx
from ictscore.sheets.filecheck import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    Inspected,
    inspect_file,
    too_large,
)


@dataclass(frozen=True)
class FormulaResult:
    """An input cell holding a formula whose saved result is unusable."""

    error: str
    """The error the formula gives ("#DIV/0!"), or "" when no result was saved."""


class RawCell(NamedTuple):
    """A cell's value as the reader returned it (Excel's cached value for formulas) and where.
    (A named tuple: a sheet has some 400 of them, made in a fraction of a dataclass's time.)"""

    value: Any
    cell: str

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass(frozen=True, slots=True)
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


R = TypeVar("R")


@dataclass(frozen=True)
class ReadSheet(Generic[R]):
    """A worksheet as read: where it is, its hidden record and its rows (a score sheet's
    criteria; the appraisal form's rows, grading/appraisal_form.py)."""

    file: str
    """The path as shown in messages."""
    sheet: str
    meta: dict[str, str]
    rows: tuple[R, ...]

    def ref(self, cell: str | None = None) -> CellRef:
        return CellRef(self.file, self.sheet, cell)


@dataclass(frozen=True)
class SheetData(ReadSheet[CriterionRow]):
    """Everything grading needs from one workbook."""

    total: RawCell | None = None
    """The sheet's own total cell, if the total row was found."""
    recovered: bool = False
    """The hidden record was missing (the sheet was copied into another workbook): `meta` holds
    what the sheet's heading says (unit code, name, group label), nothing about the rubric."""


def cell_text(value: Any) -> str:
    """A cell value as NFC text, stripped; a whole float without its ".0"; "" for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


class NativeNeeded(Exception):
    """The file needs python-calamine (native code), which `read_workbook(native=False)` does
    not run: read it again in a worker process (grading/workers.py)."""


def read_workbook(path: str | Path, display: str | None = None, native: bool = True) -> SheetData:
    """Read a score sheet (.xlsx, .xlsm, .xls, .ods, .xlsb) made by `ictscore template`.

    Raises WorkbookError, with a plain answer, if the file is not one. The file is read once,
    into memory, and never written. `display` is how the path appears in messages (as the user
    typed it, by default str(path)).

    An .xlsx is read by sheets/xlsx.py (pure Python) when it is in the form spreadsheet
    programs write; any other file, and an .xlsx in another form, by python-calamine, after
    every check of `inspect_file`. `native=False` raises NativeNeeded instead of running
    python-calamine: the caller reads such a file where a native crash cannot take it down.
    """
    shown = display or str(path)
    file_ref = CellRef(shown)
    try:
        data = Path(path).read_bytes() if _small_enough(Path(path), file_ref) else b""
    except OSError as exc:
        reason = str(exc.strerror or exc)
        raise WorkbookError(file_ref, Msg("cannot open the file: {reason}", reason=reason)) from exc
    inspected = inspect_file(data, file_ref, deep=False)
    if inspected.archive is not None:  # an .xlsx, checked from its directory alone
        try:
            with inspected.archive as archive:
                return _read_xlsx(shown, xlsx.Book(archive, file_ref, data))
        except WorkbookError:
            raise
        except Exception:  # noqa: BLE001 - Declined, or a form the reader failed to foresee:
            if not native:  # never a reason to call a readable file damaged; calamine decides
                raise NativeNeeded(shown) from None
            inspected = inspect_file(data, file_ref)  # every check, before the native reader
    elif not native:
        raise NativeNeeded(shown)
    return _read_native(shown, inspected)


def _read_xlsx(shown: str, book: xlsx.Book) -> SheetData:
    """A score sheet read by sheets/xlsx.py (xlsx.Declined if not in the form it reads)."""
    file_ref = CellRef(shown)
    names = book.sheet_names
    own = layout.own_output(names, _unescaped(book.keywords()))
    if own is not None:
        raise _own_output(file_ref, own)
    if layout.SCORE_SHEET not in names:
        raise _no_score_sheet(file_ref, names)
    grid = book.grid(layout.SCORE_SHEET)
    meta = read_record(book.grid(layout.META_SHEET).rows) if layout.META_SHEET in names else None
    return _parse_rows(shown, grid.rows, meta, grid.formulas)


def _no_score_sheet(file_ref: CellRef, names: list[str]) -> WorkbookError:
    return WorkbookError(
        file_ref,
        Msg(
            'no sheet "{sheet}" (found: {found}): was the sheet renamed or deleted, or '
            "the file not made with `ictscore template`?",
            sheet=layout.SCORE_SHEET,
            found=", ".join(names) if names else Msg("none"),
        ),
        code=IssueCode.MISSING_SHEET,
    )


def _read_native(shown: str, inspected: Inspected) -> SheetData:
    """A score sheet read by python-calamine, from a file that passed every check."""
    file_ref = CellRef(shown)
    try:
        import python_calamine

        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(inspected.data))
    except Exception as exc:  # noqa: BLE001 - any failure of the parser is this file's problem
        raise WorkbookError(file_ref, _unreadable(exc), code=_code(exc)) from exc
    try:
        names = list(wb.sheet_names)
        own = layout.own_output(names, _keywords(inspected) if inspected.kind == "xlsx" else "")
        if own is not None:
            raise _own_output(file_ref, own)
        if layout.SCORE_SHEET not in names:
            raise _no_score_sheet(file_ref, names)
        try:
            rows = wb.get_sheet_by_name(layout.SCORE_SHEET).to_python(skip_empty_area=False)
            meta_rows = (
                wb.get_sheet_by_name(layout.META_SHEET).to_python(skip_empty_area=False)
                if layout.META_SHEET in names
                else None
            )
        except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a readable file
            raise WorkbookError(file_ref, _unreadable(exc), code=_code(exc)) from exc
    finally:
        wb.close()
    if len(rows) > MAX_ROWS or any(len(r) > MAX_COLUMNS for r in rows[:MAX_ROWS]):
        raise WorkbookError(
            CellRef(shown, layout.SCORE_SHEET),
            Msg(
                "the sheet has {rows} rows and {columns} columns, above the limits ({max_rows} "
                "rows, {max_columns} columns) for a score sheet",
                rows=len(rows),
                columns=max(map(len, rows), default=0),
                max_rows=MAX_ROWS,
                max_columns=MAX_COLUMNS,
            ),
            code=IssueCode.TOO_LARGE,
        )
    formulas = _formula_problems(inspected) if inspected.kind == "xlsx" else {}
    meta = read_record(meta_rows) if meta_rows is not None else None
    return _parse_rows(shown, rows, meta, formulas)


def _keywords(inspected: Inspected) -> str:
    """The keywords of a zipped workbook's document properties ("" if none): where ictscore's
    writers mark their own outputs (layout.OWN_OUTPUT_KEYWORDS)."""
    head = inspected.parts.get("docProps/core.xml")  # kept whole by the file check when small
    if head is None:
        try:
            with zipfile.ZipFile(io.BytesIO(inspected.data)) as archive:
                if "docProps/core.xml" not in archive.namelist():
                    return ""
                with archive.open("docProps/core.xml") as part:
                    head = part.read(layout.KEYWORDS_READ)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):  # the file check passed it
            return ""
    found = layout.KEYWORDS_TAG.search(head[: layout.KEYWORDS_READ])
    return _unescaped(found.group(1)) if found else ""


def _unescaped(keywords: bytes) -> str:
    return html.unescape(keywords.decode("utf-8", "replace")).strip()


def _own_output(file_ref: CellRef, own: layout.OwnOutput) -> WorkbookError:
    """The error for one of ictscore's own outputs left in the folder of sheets: named, never
    graded (a feedback workbook holds a copy of the unit's sheet) and never skipped."""
    if own == "results":
        return WorkbookError(
            file_ref,
            Msg(
                "an ictscore results workbook (`ictscore grade -o`), not a score sheet: "
                "move it out of the folder"
            ),
            code=IssueCode.RESULTS_WORKBOOK,
        )
    if own == "feedback":
        message = Msg(
            "an ictscore feedback workbook (`ictscore grade --feedback`), not a score sheet: it "
            "holds a copy of a unit's sheet, which is not graded; move it out of the folder"
        )
    else:
        message = Msg(
            "an ictscore appraisal form (`ictscore appraisal`), not a score sheet: move it out "
            "of the folder and give it with `ictscore grade --appraisal`"
        )
    return WorkbookError(file_ref, message, code=IssueCode.OWN_OUTPUT)


def _small_enough(path: Path, where: CellRef) -> bool:
    """Refuse before reading a file above the size limit (its size from the file system)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            where,
            too_large(size),
            code=IssueCode.TOO_LARGE,
        )
    return True


def _code(exc: Exception) -> IssueCode:
    return (
        IssueCode.ENCRYPTED if type(exc).__name__ == "PasswordError" else IssueCode.UNREADABLE_FILE
    )


def _unreadable(exc: Exception) -> Msg:
    if type(exc).__name__ == "PasswordError":
        return Msg("the workbook is password-protected (encrypted): ictscore cannot open it")
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return Msg(
        "the workbook is damaged and cannot be read ({detail}): ask the unit to save it again",
        detail=detail,
    )


def read_record(rows: Iterable[Sequence[Any]]) -> dict[str, str]:
    """The hidden record ictscore writes into its workbooks (layout.META_SHEET: a key and a
    value per row), read from the sheet's rows: a score sheet's, or the appraisal form's."""
    meta: dict[str, str] = {}
    for row in rows:
        if row and cell_text(row[0]):
            meta[cell_text(row[0])] = cell_text(row[1] if len(row) > 1 else None)
    return meta


_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]+[0-9]+)["']""")
_ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")


def _formula_problems(inspected: Inspected) -> dict[str, str]:
    """Cells of the score sheet (.xlsx) holding a formula without a usable saved result:
    cell → "" (no result saved: the file was written by a program, never opened and saved) or
    the error text ("#DIV/0!"). calamine reads both as an empty cell.

    One pass over the sheet XML (as the file check read it), from each formula back to the start
    of its cell and on to the next cell: linear time, whatever the file holds."""
    try:
        part = _sheet_part(inspected.parts, inspected.data, layout.SCORE_SHEET)
        if part is None:
            return {}
        xml = inspected.parts.get(part)
        if xml is None:
            with zipfile.ZipFile(io.BytesIO(inspected.data)) as archive:
                xml = archive.read(part)
    except Exception:  # noqa: BLE001 - the reader reports a damaged file; nothing to add here
        return {}
    out: dict[str, str] = {}
    done = 0  # where the last cell looked at ends: each byte is searched once
    for formula in _FORMULA_START.finditer(xml):
        at = formula.start()
        if at < done:
            continue  # inside the cell just read
        x = formula[1]  # the namespace prefix of the formula (`x:`), its cell's too
        start = _cell_start(xml, done, at, b"<" + x + b"c")
        close = xml.find(b"</" + x + b"c>", at)
        done = close + len(x) + 4 if close >= 0 else len(xml)
        if start >= 0:
            _formula_cell(xml[start:done], out, x)
    return out


_FORMULA_START = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)f[\s>/]")


def _cell_start(xml: bytes, low: int, at: int, open_tag: bytes = b"<c") -> int:
    """Where the cell holding position `at` starts (`open_tag` and a space, `>` or `/`),
    searching back no further than `low`; -1 if there is none."""
    start, after = xml.rfind(open_tag, low, at), len(open_tag)
    while start >= 0 and xml[start + after : start + after + 1] not in _TAG_NAME_END:
        start = xml.rfind(open_tag, low, start)
    return start


_TAG_NAME_END = (b" ", b"\t", b"\n", b"\r", b">", b"/")


def _formula_cell(cell: bytes, out: dict[str, str], x: bytes = b"") -> None:
    tag_end = cell.find(b">")
    if tag_end < 0:
        return
    tag = cell[:tag_end]
    ref = _REF.search(tag)
    if ref is None:
        return
    v_start = cell.find(b"<" + x + b"v>")
    v_end = cell.find(b"</" + x + b"v>", v_start) if v_start >= 0 else -1
    saved = cell[v_start + len(x) + 3 : v_end] if v_end >= 0 else b""
    if not saved.strip():  # no result: no <v>, <v/>, or <v></v> (openpyxl writes it with lxml)
        out[ref.group(1).decode()] = ""
    elif _ERROR_TYPE.search(tag):
        out[ref.group(1).decode()] = saved.decode(errors="replace")


_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s[^>]*>")
_REL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s[^>]*>")
_ATTR = re.compile(rb'([\w.:-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


def _attrs(tag: bytes) -> dict[str, str]:
    """A start tag's attributes (prefixes dropped: r:id → id), entities unescaped."""
    return {
        name.decode().rpartition(":")[2]: html.unescape((dq or sq).decode("utf-8", "replace"))
        for name, dq, sq in _ATTR.findall(tag)
    }


def _sheet_part(parts: Mapping[str, bytes], data: bytes, name: str) -> str | None:
    """The zip part of the sheet called `name` (workbook.xml → its relationship → the part).
    The file check refused any DOCTYPE or entity declaration, so the start tags are read as
    they are written; a workbook whose tags are not found this way has no formula scan."""
    book, rels = parts.get("xl/workbook.xml"), parts.get("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
    rid = next(
        (a.get("id") for t in _SHEET_TAG.findall(book) if (a := _attrs(t)).get("name") == name),
        None,
    )
    if rid is None:
        return None
    for tag in _REL_TAG.findall(rels):
        attrs = _attrs(tag)
        if attrs.get("Id") == rid:
            target = attrs.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


TOTAL = layout.TOTAL_LABEL


def _parse_rows(
    shown: str,
    rows: list[list[Any]],
    meta: dict[str, str] | None,
    formulas: dict[str, str] | None = None,
) -> SheetData:
    sheet = layout.SCORE_SHEET
    formulas = formulas or {}
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
            Msg(
                'no header row: no cell "{header}" in the first {rows} rows',
                header=layout.HEADERS[layout.COL_ID],
                rows=layout.FIRST_HEADER_SCAN_ROWS,
            ),
            code=IssueCode.MISSING_HEADER,
        )
    missing = [layout.HEADERS[c] for c in layout.HEADERS if c not in columns]
    if missing:
        raise WorkbookError(
            CellRef(shown, sheet, f"A{header_row}"),
            Msg(
                "the header row lacks the column(s) {columns}",
                columns=", ".join(f'"{m}"' for m in missing),
            ),
            code=IssueCode.MISSING_HEADER,
        )
    letters = {role: column_letter(index) for role, index in columns.items()}
    at = columns.__getitem__
    i_id, i_title, i_max, i_points, i_evidence = map(
        at,
        (layout.COL_ID, layout.COL_TITLE, layout.COL_MAX, layout.COL_POINTS, layout.COL_EVIDENCE),
    )
    inputs = [(at(role), letters[role]) for role in layout.INPUT_COLUMNS]

    make = tuple.__new__  # a RawCell made in one call (its class's __new__ is Python code)
    li, lt, lm = letters[layout.COL_ID], letters[layout.COL_TITLE], letters[layout.COL_MAX]
    lp, le = letters[layout.COL_POINTS], letters[layout.COL_EVIDENCE]

    def cell(value: Any, ref: str) -> RawCell:
        return make(RawCell, (None if value == "" else value, ref))

    def input_cell(values: list[Any], i: int, ref: str) -> RawCell:
        value = values[i] if i < len(values) else None
        if value == "":
            value = None  # an empty cell, whether a reader's grid reaches it or not
        if value is None and ref in formulas:
            value = FormulaResult(formulas[ref])
        return make(RawCell, (value, ref))

    parsed: list[CriterionRow] = []
    total: RawCell | None = None
    last = max(i_id, i_title, i_max, i_points, i_evidence)
    # NOTE: rows below the total row are read too: an id typed there is never silently ignored
    for r, values in enumerate(rows[header_row:], start=header_row + 1):
        if len(values) <= last:  # a row that ends early: what is missing is empty
            values = values + [None] * (last + 1 - len(values))
        rs = str(r)
        if total is None and cell_text(values[i_title]) == TOTAL:
            total = cell(values[i_points], lp + rs)
            continue
        cid = cell_text(values[i_id])
        if not cid:
            continue
        parsed.append(
            CriterionRow(
                id=cid,
                row=r,
                id_cell=li + rs,
                title=cell(values[i_title], lt + rs),
                max=cell(values[i_max], lm + rs),
                inputs=tuple([input_cell(values, i, letter + rs) for i, letter in inputs]),
                points=cell(values[i_points], lp + rs),
                evidence=cell(values[i_evidence], le + rs),
            )
        )
    if meta is None:  # the hidden record is gone: what the heading says
        return SheetData(
            shown, sheet, _heading(rows[: header_row - 1]), tuple(parsed), total, recovered=True
        )
    return SheetData(shown, sheet, meta, tuple(parsed), total)


_HEADING = {
    "unit_code": re.compile(r"Mã đơn vị:\s*(\S+)"),
    "unit_name": re.compile(r"^Đơn vị:\s*(.+)$"),
    "unit_group_label": re.compile(r"Nhóm:\s*(.+?)(?:\s{2,}|$)"),
    "unit_parent_name": re.compile(r"Thuộc:\s*(.+)$"),
}


def _heading(rows: list[list[Any]]) -> dict[str, str]:
    """The unit the heading rows name ("Mã đơn vị: 28249    Nhóm: UBND cấp xã")."""
    found: dict[str, str] = {}
    for row in rows:
        for value in row:
            text = cell_text(value)
            for key, pattern in _HEADING.items():
                if key not in found and (match := pattern.search(text)):
                    found[key] = match.group(1).strip()
    return found


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
