"""How a worksheet prints: A4, orientation, fit to the page width (or a scale), repeated header
rows and columns, a footer with page numbers, and row heights for wrapped text.

Every workbook ictscore writes (the score sheet, the results, the feedback, the appraisal form)
sets its page through `set_page`, so that they print alike. Neither Excel nor LibreOffice grows
a row for wrapped text when it opens a file openpyxl wrote, so a writer that wraps text calls
`fit_rows`, which gives those rows an explicit height computed from the text and the column
widths.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

PAGE_NUMBERS = "Trang &P / &N"
"""The footer's page numbers ("Trang 2 / 5"), in Excel's header and footer codes."""
LANDSCAPE_CHARS = 108
"""A4 landscape between 1.3 cm side margins, in character units at 100 %, as LibreOffice
draws them (without Calibri it draws columns wider)."""
EXCEL_LANDSCAPE_CHARS = 146
"""The same as Excel draws them."""
LANDSCAPE_HEIGHT = 490.0
"""A4 landscape between the top and bottom margins `set_page` gives with a footer, in points."""

# NOTE: widths are in Excel's character units (the width of "0" in the workbook's font). The
# estimate is deliberately generous: LibreOffice without Calibri draws the text in DejaVu Sans,
# its own way (measured: 33 to 37 characters of Vietnamese text on a line 30 wide), and a row
# a little too tall reads well where one too short overprints.
_CHAR = 0.9
"""Width of an average character of 11-point text, in character units."""
_BOLD = 1.08
_PADDING = 1.0
"""A cell's inner margins, in character units."""


def set_page(
    ws: Any,
    *,
    landscape: bool = True,
    pages_high: int = 0,
    header_rows: tuple[int, int] | None = None,
    header_cols: str | None = None,
    print_area: str | None = None,
    centred: bool = False,
    side_margin: float | None = None,
    scale: int | None = None,
    footer: str | None = None,
) -> None:
    """Print `ws` on A4, one page wide (and `pages_high` pages high; 0: as many as it takes) or,
    given `scale` (percent), at that scale over as many pages as it takes; repeating
    `header_rows` (first, last) and `header_cols` ("A:B") on every page; `footer`: the centre
    of the footer (e.g. `PAGE_NUMBERS`)."""
    orientation: Literal["landscape", "portrait"] = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    if scale is None:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = pages_high
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = scale
        ws.sheet_properties.pageSetUpPr.fitToPage = False
    if header_rows is not None:
        ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    if header_cols is not None:
        ws.print_title_cols = header_cols
    if print_area is not None:
        ws.print_area = print_area
    if centred:
        ws.print_options.horizontalCentered = True
    if side_margin is not None:
        ws.page_margins.left = ws.page_margins.right = side_margin
    if footer is not None:
        ws.oddFooter.center.text = footer
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7  # inches; the footer below
        ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3


def column_width(ws: Any, column: str) -> float:
    """The width of a column (letter) in character units, Excel's default when unset."""
    dim = ws.column_dimensions.get(column)
    return float(dim.width) if dim is not None and dim.width else 8.43


def text_lines(text: str, width: float, size: float = 11, bold: bool = False) -> int:
    """How many lines `text` wraps to in a cell `width` characters wide, in a font of `size`
    points, word by word as a spreadsheet wraps it."""
    per_char = _CHAR * size / 11 * (_BOLD if bold else 1)
    room = max(1.0, (width - _PADDING) / per_char)
    lines = 0
    for paragraph in str(text).split("\n"):
        used, count = 0.0, 1
        for word in paragraph.split():
            n = len(word)
            if used and used + 1 + n > room:
                count, used = count + 1, 0.0
            if n > room:  # a word longer than the cell breaks inside
                count += math.ceil(n / room) - 1
                used = n % room or room
            else:
                used += (1 if used else 0) + n
        lines += count
    return lines


def line_height(size: float = 11) -> float:
    """The height of one line of text in a font of `size` points, in points."""
    return round(size * 1.36 + 0.5, 1)


def fit_rows(ws: Any, rows: Iterable[int] | None = None) -> None:
    """Give every row (of `rows`, else of the sheet) holding wrapped text or a larger font an
    explicit height that holds its text: the most lines of its cells times the line height."""
    spans: dict[str, float] = {}
    for merged in ws.merged_cells.ranges:
        width = sum(
            column_width(ws, get_column_letter(c))
            for c in range(merged.min_col, merged.max_col + 1)
        )
        spans[merged.start_cell.coordinate] = width
    wanted = None if rows is None else set(rows)
    for row in ws.iter_rows():
        if not row or (wanted is not None and row[0].row not in wanted):
            continue
        height = 0.0
        for cell in row:
            if cell.value is None or cell.value == "":
                continue
            size = float(cell.font.sz or 11) if cell.font is not None else 11.0
            wrapped = bool(cell.alignment is not None and cell.alignment.wrap_text)
            if not wrapped and size <= 11:
                continue
            lines = 1
            if wrapped:
                width = spans.get(cell.coordinate) or column_width(
                    ws, get_column_letter(cell.column)
                )
                bold = bool(cell.font is not None and cell.font.b)
                lines = text_lines(_shown(cell.value), width, size, bold)
            height = max(height, lines * line_height(size) + 3)
        if height:
            ws.row_dimensions[row[0].row].height = max(15.0, height)


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def title_row(ws: Any, text: str, last_col: int, size: int = 13) -> None:
    """The sheet's title as its next row, bold, wrapped across the first `last_col` columns."""
    ws.append([text])
    cell = ws.cell(ws.max_row, 1)
    cell.font = Font(bold=True, size=size)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if last_col > 1:
        ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=last_col)


def centre_rows(ws: Any, first: int) -> None:
    """Rows from `first` centred vertically, so that a wrapped name and one-line figures beside
    it read level."""
    for row in ws.iter_rows(min_row=first):
        for cell in row:
            if cell.value is not None:
                align = cell.alignment
                cell.alignment = Alignment(
                    wrap_text=align.wrap_text, horizontal=align.horizontal, vertical="center"
                )


def keep_together(ws: Any, row: int, height: float, width: float) -> None:
    """A page break before `row`, where a drawing `height` points tall is anchored, unless the
    rows above and the drawing fit on one landscape page at the scale that fits `width`
    characters to the page width (Excel's, the larger: LibreOffice fits more rows on a page and
    may break elsewhere)."""
    scale = min(1.0, EXCEL_LANDSCAPE_CHARS / max(width, 1))
    used = sum(ws.row_dimensions[r].height or 15.0 for r in range(1, row))
    if used + height > LANDSCAPE_HEIGHT / scale:
        ws.row_breaks.append(Break(id=row - 1))


def break_columns(ws: Any, first: int, runs: list[int], repeated: float) -> int:
    """Column breaks so that each landscape page holds whole runs of columns (`runs`: how many
    columns each, from column `first`) beside the `repeated` columns' width; returns the scale
    (percent, 50 to 100) at which the widest run fits."""
    widths, column = [], first
    for run in runs:
        widths.append(sum(column_width(ws, get_column_letter(column + i)) for i in range(run)))
        column += run
    scale = max(50, min(100, math.floor(100 * LANDSCAPE_CHARS / (repeated + max(widths)))))
    room = LANDSCAPE_CHARS * 100 / scale - repeated
    used, column = 0.0, first
    for run, width in zip(runs, widths, strict=True):
        if used and used + width > room:
            ws.col_breaks.append(Break(id=column - 1))  # after the column before this run
            used = 0.0
        used += width
        column += run
    return scale
