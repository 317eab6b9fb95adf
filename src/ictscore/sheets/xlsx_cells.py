"""A worksheet part's cells, read from its unpacked bytes (`scan`), as python-calamine's
to_python(skip_empty_area=False) gives them: their extent checked (`too-large`) and the formulas
without a usable result found in the same pass. Like the other parts' readers
(sheets/xlsx_parts.py), it takes the form that Excel, LibreOffice and openpyxl write and declines
(`Declined`) any other. A row whose bytes were read before in this process is not read again
(`_ROWS`): the sheets made from one template share most of their rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ictscore.errors import WorkbookError
from ictscore.issues import IssueCode
from ictscore.sheets import filecheck
from ictscore.sheets.xlsx_parts import (
    _MAIN_NS,
    Declined,
    _Escaped,
    _untrimmed,
    plain_root,
    unescape,
    xml_text,
)


@dataclass(frozen=True, slots=True)
class Grid:
    """A worksheet's cell values, as python-calamine's to_python(skip_empty_area=False) gives
    them (rows from row 1, "" for an empty cell; a row may end early: what is missing is
    empty), and its formulas without a usable saved result (cell → "" when none was saved, or
    the error text)."""

    rows: list[list[Any]]
    formulas: dict[str, str]


_CELL_START: Final = (
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,6})")?+(?: t="([a-zA-Z]{1,9})")?+'
)
_CELL_CONTENT: Final = (
    rb">(<f(?=[\s/>])(?:[^<>/]|/(?!>))*+(?:/>|>[^<\r]*+</f>))?+"
    rb"(<v>([^<\r]*+)</v>|<v\s*+/>)?+"
    rb'(<is>(?:<t( xml:space="preserve")?+>([^<\r]*+)</t>|<t\s*+/>)</is>)?+'
    rb"</c>"
)
"""Possessive throughout (`*+`, `?+`): nothing is matched in two ways, so no match backtracks
(and each part of a cell can be matched in only one way: the two patterns below agree)."""
_ROW_TAGS: Final = rb'<row(?: r="[1-9][0-9]{0,6}")?+(?: (?!r=)[\w:.-]+="[^"<>]*")*+\s*+/?>|</row>'
_TOKENS: Final = re.compile(
    _CELL_START + rb"(?:(\s*+/>)|" + _CELL_CONTENT + b")|" + _ROW_TAGS + rb"|([\s\S])"
)
"""sheetData's content, token by token: a cell (groups 1 column, 2 row, 3 style, 4 type; 5 set
if it holds nothing, `<c r="A1" s="2"/>`; 6 the formula, 7 the value element, 8 its text, 9 the
inline string element, 10 its preserve attribute, 11 its text), a row's tag (no group set), or
group 12: a character that begins none of them (anything else: a comment, CDATA, an
instruction, a prefixed element, a carriage return), and the part is declined. What findall
takes at each place is what `_SHEET_DATA_FORM` takes there: one pass both checks and reads.
No token but a row's end holds `</row>` (no `<` inside a token but where an element begins), so
`scan` may read the content row by row, split at `</row>`: the tokens are the same
(tests/test_xlsx_rows.py checks it; a token that could hold a `<`, CDATA say, would break it)."""
_SHEET_DATA_FORM: Final = re.compile(
    rb"(?:"
    + re.sub(rb"\((?!\?)", b"(?:", _CELL_START + rb"(?:\s*+/>|" + _CELL_CONTENT + b")")
    + b"|"
    + _ROW_TAGS
    + rb")*+"
)
"""sheetData's content, all of it, in the form above (asked only before refusing a part)."""
_NUMBER: Final = re.compile(rb"-?+(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)(?:[eE][-+]?+[0-9]++)?+")
"""A number as readers parse it ("12", "-0.5", ".5", "5.", "1E+20"); possessive: linear."""
_SHEET_DATA: Final = re.compile(rb"<sheetData\s*(/)?>")
_COLUMNS: Final = {
    (a + b).encode(): i
    for i, (a, b) in enumerate(
        ((x, y) for x in ["", *map(chr, range(65, 91))] for y in map(chr, range(65, 91))), 1
    )
}
"""A column's letters → its number, A to ZZ (beyond: computed)."""


def scan(  # noqa: C901 - one pass over every cell, its steps inlined for speed
    xml: bytes,
    part: str,
    strings: Callable[[], list[str | None]],
    dates: Callable[[], list[bool]],
    fail: Callable[..., WorkbookError],
    max_rows: int,
) -> Grid:
    """A worksheet part's cells. Its sheetData is read token by token (`_TOKENS`, possessive:
    linear), in one pass that checks that it is all in the form read here, reads the cells that
    hold something (a value or a formula), and checks their order and their extent (refused
    beyond the limits, if in that form). A cell that holds nothing is no reader's concern; text
    that is not UTF-8 raises UnicodeDecodeError, which sends the file to python-calamine as a
    refusal does (reader.read_workbook).

    The pass goes row by row (the bytes up to each `</row>`), and a row whose bytes were read
    before in this process is not read again (`_ROWS`): what was read of it is applied, its
    shared strings and its numbers' styles looked up in this part's tables, in the order the
    cells come in. The result, and what is raised, are the same as reading it."""
    if type(xml) is not bytes:  # a bytearray or a memoryview: its rows are looked up by value
        xml = bytes(xml)
    region = _sheet_data(xml)
    try:
        if _FAR.search(region) is not None:  # even a cell that holds nothing: as filecheck measures
            rows, columns = filecheck.extent(xml)
            if rows > max_rows or columns > filecheck.MAX_COLUMNS:
                raise _too_far(fail, part, xml, max_rows)
        grid: list[list[Any]] = []
        formulas: dict[str, str] = {}
        last_row, last_column = -1, 0  # -1: the first cell starts a row, even a row 0
        line: list[Any] = []
        table: list[str | None] | None = None
        shows_dates: list[bool] | None = None
        escaped: list[tuple[int, int, _Escaped]] = []
        plain_styles: set[bytes] = set()
        last_digits, row = b"", 0
        column_of, max_columns, remembered = _COLUMNS, filecheck.MAX_COLUMNS, _ROWS
        for piece in region.split(b"</row>"):
            known = remembered.get(piece, _UNREAD)
            if known is not _UNREAD:
                if known is None:  # no cell that counts
                    continue
                at, last, digits, template, looked_up, texts, found = known
                if last_row < at <= max_rows:  # else read again: it raises where it should
                    if template is not None:
                        line = template.copy()
                        for index, saved in looked_up:  # as the cell loop below, in its order
                            if index < 0:  # a number's style
                                if saved not in plain_styles:
                                    if shows_dates is None:
                                        shows_dates = dates()
                                    plain_styles.add(_plain_style(saved, shows_dates))
                            else:
                                if table is None:
                                    table = strings()
                                line[index] = _shared(saved, table)
                        if len(grid) < at - 1:
                            grid.extend([] for _ in range(at - 1 - len(grid)))
                        grid.append(line)
                        escaped.extend([(at, column, text) for column, text in texts])
                    if found:
                        formulas.update(found)
                    last_row, last_column, last_digits, row = at, last, digits, at
                    continue
            before, first_row, texts_from = last_row, -1, len(escaped)
            looked_up, found = [], []
            for (
                letters, digits, style, kind, closed, formula, v, saved, inline, preserve, text,
                other,
            ) in _TOKENS.findall(piece):  # fmt: skip
                if not letters:  # a row's tag, or what begins no token
                    if other:
                        raise Declined("sheetData in another form")
                    continue
                if closed:  # a cell that holds nothing
                    continue
                column = column_of.get(letters) or filecheck.column_number(letters)
                # a row's number is read once (its cells follow one another)
                if digits != last_digits:
                    row = int(digits)
                    if row != last_row:
                        if row < last_row:
                            raise Declined("a cell out of order")
                        if row > max_rows:
                            raise _too_far(fail, part, xml, max_rows)
                        if row == 0:
                            raise Declined("a cell in row 0")
                        last_row, last_column = row, 0
                    elif column <= last_column:  # the same row written otherwise ("01")
                        raise Declined("a cell out of order")
                    last_digits = digits
                elif column <= last_column:
                    raise Declined("a cell out of order")
                last_column = column
                if column > max_columns:
                    raise _too_far(fail, part, xml, max_rows)
                if first_row < 0:
                    first_row = row
                if inline and (kind != b"inlineStr" or v):
                    raise Declined(
                        "an inline string outside an inline string cell, or with a value"
                    )
                if formula and (kind == b"e" or not saved.strip()):  # as reader._formula_problems
                    key = (letters + digits).decode()
                    formulas[key] = said = saved.decode("utf-8", "replace") if saved.strip() else ""
                    found.append((key, said))
                if kind == b"s":
                    if table is None:
                        table = strings()
                    value: Any = _shared(saved, table)
                    looked_up.append((column - 1, saved))
                elif not kind or kind == b"n":
                    if not saved:
                        if inline:
                            raise Declined("inline text in a number cell")
                        continue  # no value: counted nowhere
                    if style not in plain_styles:
                        if shows_dates is None:
                            shows_dates = dates()
                        plain_styles.add(_plain_style(style, shows_dates))
                    looked_up.append((-1, style))
                    value = float(saved) if saved.isdigit() and len(saved) < 400 else _number(saved)
                elif kind == b"inlineStr" and inline and not v and b"_x" not in text:
                    if b"&" in text:  # the common text cells, as xml_text would read them
                        value = _Escaped(text, bool(preserve))
                        escaped.append((row, column, value))
                    else:
                        value = text.decode()
                        if not preserve:
                            _untrimmed(value)
                else:
                    value = _other(kind, v, saved, inline, preserve, text)
                    if value is _EMPTY:
                        continue
                    if type(value) is _Escaped:
                        escaped.append((row, column, value))
                if len(grid) < row:
                    grid.extend([] for _ in range(row - len(grid)))
                    line = grid[-1]
                if len(line) < column - 1:
                    line.extend([""] * (column - 1 - len(line)))
                line.append(value)
            if (
                first_row < 0 or first_row == last_row > before and last_column <= _ROW_COLUMNS
            ) and _sighted_again(piece):  # its cells lie in one row, begun here, within A:BL
                _ROWS[piece] = (
                    None
                    if first_row < 0
                    else (
                        last_row,
                        last_column,
                        last_digits,
                        grid[-1].copy() if len(grid) == last_row else None,
                        tuple(looked_up),
                        tuple((column, text) for _, column, text in escaped[texts_from:]),
                        tuple(found),
                    )
                )
        if escaped:  # the texts with entities or references, decoded together
            for (row, column, _), decoded in zip(
                escaped, unescape([e for _, _, e in escaped]), strict=True
            ):
                grid[row - 1][column - 1] = decoded
        return Grid(grid, formulas)

    except WorkbookError:  # said only of a part in the form read here: others are declined
        if _SHEET_DATA_FORM.fullmatch(region) is None:
            raise Declined("sheetData in another form") from None
        raise


_UNREAD: Final = object()
_ROWS: dict[bytes, Any] = {}
"""A row's bytes (up to its `</row>`) → what `scan` read of it: None if no cell that counts,
else (its row, the last cell's column and row digits, its values (None: none), the shared
strings and numbers' styles to look up in cell order ((index, the saved index) or (-1, the
style)), its texts to decode ((column, text)), its formulas without a usable result). A row is
remembered the second time its bytes are read (`_SIGHTED`): most rows of the sheets made from
one template are the same bytes (the labels, the maxima, the formulas, the common answers). At
most `_ROWS_SIZE` rows are kept (about 1.6 MB for score sheets; 10 MB at worst, rows of 4 KiB;
forgotten all at once when full, as the rows of another template come), each at most
`_ROW_BYTES` long within the first `_ROW_COLUMNS`. What is kept (texts of earlier workbooks
included) lives as long as the process: a worker's, or ictscore's own for a small batch."""
_SIGHTED: set[int] = set()
_ROWS_SIZE: Final = 1024
_SIGHTED_SIZE: Final = 8192
_ROW_BYTES: Final = 4096
_ROW_COLUMNS: Final = 64


def _sighted_again(piece: bytes) -> bool:
    """Whether to remember a row just read: it is small, and its bytes were read before (the
    rows that differ from sheet to sheet are never kept)."""
    if len(piece) > _ROW_BYTES:
        return False
    sighted = hash(piece)  # computed already, by the look-up
    if sighted in _SIGHTED:
        if len(_ROWS) >= _ROWS_SIZE:
            _ROWS.clear()
        return True
    if len(_SIGHTED) >= _SIGHTED_SIZE:
        _SIGHTED.clear()
    _SIGHTED.add(sighted)
    return False


def _sheet_data(xml: bytes) -> bytes:
    """A worksheet's sheetData content (declined when the part is not as programs write it)."""
    root = plain_root(xml, b"worksheet", body=False)
    head = xml[root : xml.find(b">", root)]
    if not any(ns in head for ns in _MAIN_NS):
        raise Declined("not the spreadsheetml namespace")
    opened = _SHEET_DATA.search(xml)
    if opened is None or xml.find(b"<sheetData", opened.end()) >= 0 or b":sheetData" in xml:
        raise Declined("no sheetData, or two, or a prefixed one")
    if opened[1]:
        return b""
    end = xml.find(b"</sheetData>", opened.end())
    if end < 0:
        raise Declined("sheetData not closed")
    region = xml[opened.end() : end]
    if b"xmlns" in region:
        raise Declined("a namespace declared in sheetData")
    for low, high in ((root, opened.start()), (end, len(xml))):
        # around the cells: no comment, CDATA or instruction (it could hold cells), and no
        # formula (the other reader's formula scan would see it)
        if _AROUND.search(xml, low, high) is not None:
            raise Declined("markup around the cells that readers take otherwise")
    return region


_AROUND: Final = re.compile(rb"<(?:[!?]|(?:[A-Za-z_][\w.-]*:)?f[\s>/])")
_FAR: Final = re.compile(rb'<c r="(?:[A-Z]{2,3}[0-9]|[A-Z][0-9]{4})|<row r="[0-9]{4}')
"""A cell beyond column Z or row 999, or such a row: then the part's extent is measured."""


def _too_far(fail: Callable[..., WorkbookError], part: str, xml: bytes, max_rows: int) -> Exception:
    """The part's cells reach beyond the limits: refused, saying how far they reach (all of
    them measured, as filecheck measures them)."""
    rows, columns = filecheck.extent(xml)
    return fail(filecheck.beyond_limits(part, rows, columns, max_rows), IssueCode.TOO_LARGE)


_EMPTY: Final = object()
"""A cell that holds no value (a reader counts it nowhere)."""


def _shared(saved: bytes, table: list[str | None]) -> str:
    if not saved.isdigit() or len(saved) > 9:
        raise Declined("a shared string reference in another form")
    index = int(saved)
    text = table[index] if index < len(table) else None
    if text is None:
        raise Declined("a shared string in another form, or none")
    return text


def _number(saved: bytes) -> float:
    if len(saved) > 400 or _NUMBER.fullmatch(saved) is None:
        raise Declined("a number in another form")
    return float(saved)


def _plain_style(style: bytes, shows_dates: list[bool]) -> bytes:
    """`style`, if a number in it is shown as a number; declined if as a date or time, or if
    the style is unknown."""
    index = int(style or 0)
    if shows_dates[index] if index < len(shows_dates) else (index or shows_dates):
        raise Declined("a number in a date or time format, or an unknown style")
    return style


def _other(kind: bytes, v: bytes, saved: bytes, inline: bytes, preserve: bytes, text: bytes) -> Any:
    """The value of a cell of type str, inlineStr, b or e (`_EMPTY`: none)."""
    if kind == b"str":
        return xml_text(saved) if v else _EMPTY
    if kind == b"inlineStr":
        if v:
            raise Declined("a saved value in an inline string cell")
        return xml_text(text, bool(preserve)) if inline else _EMPTY
    if kind == b"b" and saved in (b"0", b"1"):
        return saved == b"1"
    if kind == b"e":
        return "" if v else _EMPTY
    raise Declined("a cell of another type, or a boolean in another form")
