"""Tables and texts built for rich, written as plain aligned text.

rich lays a table out cell by cell (measuring, wrapping, styling each): about 1 ms a row, so the
ranked tables of a national batch (10,000 units) take it some ten seconds. When the output is a
file or a pipe (a script, a year-end job) ictscore writes the same tables through this module
instead: the same title, headers, cells, order and caption, columns as wide as their widest
cell, nothing wrapped, no colour, in a few milliseconds per thousand rows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text


def plain_text(renderable: RenderableType) -> str:
    """`renderable` (a Group of Tables and Texts, as terminal.py builds them from the table
    model) as plain text."""
    return "".join(f"{line.rstrip()}\n" for line in _lines(renderable))


def _lines(renderable: RenderableType) -> Iterator[str]:
    if isinstance(renderable, Group):
        for part in renderable.renderables:
            yield from _lines(part)
    elif isinstance(renderable, Table):
        yield from _table(renderable)
    elif isinstance(renderable, Text | str):
        yield from (_plain(renderable).splitlines() or [""])
    else:  # anything else terminal.py may build one day: rich lays it out
        console = Console(width=160, record=True, file=io.StringIO(), color_system=None)
        console.print(renderable)
        yield from console.export_text().splitlines()


def _plain(cell: RenderableType | None) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):  # terminal.py escapes markup in what it writes: undo that
        return Text.from_markup(cell).plain if "[" in cell else cell
    return "".join(_lines(cell))


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: its length for the usual text (Vietnamese letters
    are one column each), rich's measure where some character may take two."""
    if text.isascii() and text.isprintable():  # figures, codes: one column a character
        return len(text)
    return len(text) if _NARROW.fullmatch(text) else cell_len(text)


_NARROW = re.compile(
    "[\u0020-\u007e\u00a0-\u02ff\u1e00-\u1eff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2212]*"
)
"""Printable Latin letters with their accents (Vietnamese included), punctuation, arrows and
the minus sign: one column each. Anything else (zero-width spaces and joiners, direction
marks, controls, wide characters) is measured by rich."""


def _table(table: Table) -> Iterator[str]:
    columns = table.columns
    headers = [_plain(c.header) for c in columns]
    cells = [[_plain(cell) for cell in c.cells] for c in columns]
    rows = list(zip(*cells, strict=True)) if cells else []
    widths = [
        max([_width(h), *(_width(line) for cell in col for line in cell.split("\n"))])
        for h, col in zip(headers, cells, strict=True)
    ]
    right = [c.justify == "right" for c in columns]

    def line(values: list[str] | tuple[str, ...]) -> Iterator[str]:
        split = [v.split("\n") for v in values]
        for i in range(max((len(s) for s in split), default=1)):
            parts = []
            for text, width, to_right in zip(
                (s[i] if i < len(s) else "" for s in split), widths, right, strict=True
            ):
                pad = " " * (width - _width(text))
                parts.append(pad + text if to_right else text + pad)
            yield "  " + "   ".join(parts)

    if table.title:
        yield _plain(table.title)
    if table.show_header:
        yield from line(headers)
        yield " " + "─" * (sum(widths) + 3 * len(widths) + 1)
    for row in rows:
        yield from line(row)
    if table.caption:
        yield _plain(table.caption)
    yield ""
