"""Plain tables (output to a file or a pipe): the same content rich shows, in the same order."""

from __future__ import annotations

import io

from rich.console import Console

from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.workers import read_sheets
from ictscore.reports import terminal as render
from ictscore.reports.plain import plain_text
from ictscore.roster import load_units
from tests.conftest import EXAMPLES, Run


def _tokens(text: str) -> list[list[str]]:
    """Each non-empty line's words, rules and box lines left out."""
    lines = [line.split() for line in text.splitlines()]
    return [words for words in lines if words and not set("".join(words)) <= set("─━-")]


def test_plain_tables_show_what_rich_shows(tiengiang):
    sheets = sorted((EXAMPLES / "sheets").glob("*.xlsx")) + sorted(
        (EXAMPLES / "mistakes").glob("*.xlsx")
    )
    report = grade_sheets(tiengiang, read_sheets(sheets), load_units(EXAMPLES / "units.csv"))
    tables = render.report_tables(report, tiengiang)
    wide = Console(file=io.StringIO(), width=1000, color_system=None, soft_wrap=False)
    wide.print(tables)
    rich_text = wide.file.getvalue()  # type: ignore[attr-defined]
    plain = plain_text(tables)
    assert _tokens(plain) == _tokens(rich_text)
    assert len(_tokens(plain)) > 200  # every unit of the roster, invalid and missing included
    line = next(row for row in plain.splitlines() if "cuc-thue" in row)
    assert line.split()[:2] == ["1", "cuc-thue"] and line.rstrip().endswith("102,79   Tốt")


def test_a_piped_report_is_plain_text(run: Run):
    result = run("grade", EXAMPLES / "sheets", "-q")
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout  # no colour codes
    lines = result.stdout.splitlines()
    assert all(line == line.rstrip() for line in lines)
    header = next(line for line in lines if line.lstrip().startswith("Hạng"))
    assert header.split()[:3] == ["Hạng", "Mã", "Đơn"]


def test_zero_width_and_wide_characters_keep_the_columns_aligned():
    from rich.table import Table

    from ictscore.reports.plain import plain_text

    table = Table(title="t")
    table.add_column("Đơn vị")
    table.add_column("Tổng", justify="right")
    for name in ("Xã Tân Mỹ Chánh", "Zero\u200bwidth\u200bspace", "北京市", "Tab\there", "[bold]x"):
        table.add_row(name, "100,00")
    lines = [line for line in plain_text(table).splitlines() if line.endswith("100,00")]
    from rich.cells import cell_len

    assert len(lines) == 5 and len({cell_len(line) for line in lines}) == 1
