"""How a worksheet prints: A4, orientation, fit to the page width, repeated header rows.

Every workbook ictscore writes (the score sheet, the results, the feedback, the appraisal form)
sets its page through `set_page`, so that they print alike.
"""

from __future__ import annotations

from typing import Any, Literal


def set_page(
    ws: Any,
    *,
    landscape: bool = True,
    pages_high: int = 0,
    header_rows: tuple[int, int] | None = None,
    print_area: str | None = None,
    centred: bool = False,
    side_margin: float | None = None,
) -> None:
    """Print `ws` on A4, one page wide (and `pages_high` pages high; 0: as many as it takes),
    repeating `header_rows` (first, last) on every page."""
    orientation: Literal["landscape", "portrait"] = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_high
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows is not None:
        ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    if print_area is not None:
        ws.print_area = print_area
    if centred:
        ws.print_options.horizontalCentered = True
    if side_margin is not None:
        ws.page_margins.left = ws.page_margins.right = side_margin
