"""What a reader sees on a terminal: `grade` and `check` run in a pseudo-terminal 80 and 120
columns wide, and every graded unit's rank, name, total and band are on screen, in full, on the
unit's row; the columns left out are named in the caption with where to see them."""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
import pty
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Report, Status
from ictscore.grading.workers import read_sheets
from ictscore.reports import terminal as render
from ictscore.roster import load_units
from ictscore.rubric.model import Rubric
from tests.conftest import EXAMPLES, ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
SHEETS = EXAMPLES / "sheets"
UNITS = EXAMPLES / "units.csv"


def on_terminal(columns: int, *args: str | Path) -> list[str]:
    """The lines a terminal `columns` wide shows for `ictscore ARGS` (colours removed)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ictscore", *map(str, args)],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r", "")
    return text.split("\n")


def vn(value: float | str) -> str:
    return f"{Decimal(str(value)):.2f}".replace(".", ",")


@functools.cache
def graded(*args: str | Path) -> list[dict[str, Any]]:
    """The graded units of `ictscore ARGS --format json` (run once per ARGS)."""
    out = subprocess.run(
        [sys.executable, "-m", "ictscore", *map(str, args), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return [u for u in json.loads(out.stdout)["units"] if u["status"] == "graded"]


def _row_of(lines: list[str], code: str) -> str:
    rows = [line for line in lines if f" {code} " in f" {line} "]
    assert rows, f"{code} is not on screen"
    return rows[0]


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("roster", [False, True], ids=["sheets", "with-roster"])
def test_every_units_rank_total_and_band_are_on_its_row(columns: int, roster: bool) -> None:
    args: list[str | Path] = ["grade", SHEETS, *(["--units", UNITS] if roster else [])]
    lines = on_terminal(columns, *args)
    assert max(len(line) for line in lines) <= columns
    units = graded(*args)
    assert len(units) == 32
    for unit in units:
        row = _row_of(lines, unit["code"])
        assert f" {vn(unit['total'])} " in f" {row} ", (unit["code"], row)
        assert unit["band_label"] in row, (unit["code"], row)
        ranks = rf"\s*{unit['rank']}\s+"
        if unit.get("parent_rank"):  # the communes: rank in the group, then among the district's
            ranks += rf"{unit['parent_rank']}\s+"
        assert re.match(ranks + re.escape(unit["code"]), row), (unit["code"], row)
    text = "\n".join(lines)
    for header in ("Hạng", "Tổng", "Xếp loại"):
        assert header in text
    if roster:
        assert "(cấp trên)" in text  # the parent rank's header, on two lines


def test_at_80_columns_the_areas_give_way_and_the_caption_says_where_they_are() -> None:
    lines = on_terminal(80, "grade", SHEETS)
    text = "\n".join(lines)
    assert "…" not in text  # nothing is cut
    assert "Không hiện điểm các lĩnh vực 1–8" in text
    assert "--format csv" in text and "-o ket-qua.xlsx" in text
    assert "Lĩnh vực:" not in text  # no legend for columns that are not there


def test_on_a_wide_terminal_the_whole_table_shows() -> None:
    lines = on_terminal(200, "grade", SHEETS)
    text = "\n".join(lines)
    assert "Không hiện" not in text
    header = next(line for line in lines if line.lstrip().startswith("Hạng"))
    assert header.split() == ["Hạng", "Mã", "Đơn", "vị", *"12345678", "(−)", "Tổng", "Xếp", "loại"]
    assert "Lĩnh vực:" in text


@pytest.mark.parametrize("code", ["cuc-thue", "815"])
def test_at_120_columns_a_group_that_fits_keeps_its_areas(code: str) -> None:
    """Two spaces between columns instead of three, before any area is left out."""
    lines = on_terminal(120, "grade", SHEETS)
    unit = next(u for u in graded("grade", SHEETS) if u["code"] == code)
    row = _row_of(lines, code)
    figures = [vn(unit["subtotals"][a]) for a in "12345678"] + [vn(unit["total"])]
    assert re.search(r"\s+".join(map(re.escape, figures)), row), row
    assert row.rstrip().endswith(unit["band_label"]), row


def _big_group(tiengiang: Rubric) -> Report:
    """173 graded communes (as the province has), with long names, ranked within districts."""
    sheets = sorted(SHEETS.glob("*.xlsx"))
    report = grade_sheets(tiengiang, read_sheets(sheets), load_units(UNITS))
    model = next(u for u in report.units if u.group == "xa" and u.status is Status.GRADED)
    units = []
    for i in range(173):
        total = Decimal("105.5") - Decimal(i) * Decimal("0.25")
        band = next(b.id for b in tiengiang.bands if b.min is None or total >= b.min)
        units.append(
            dataclasses.replace(
                model,
                code=f"{28000 + i}",
                name=f"Xã Tân Phú Đông Hòa Bình Thạnh số {i}",
                parent_name=f"Huyện Gò Công Đông {i % 11}",
                total=total,
                self_total=total,
                raw_total=total,
                band=band,
                rank=i + 1,
                parent_rank=i // 11 + 1,
            )
        )
    return dataclasses.replace(report, units=tuple(units))


def _rendered(report: Report, rubric: Rubric, columns: int) -> list[str]:
    console = Console(
        file=io.StringIO(), width=columns, force_terminal=True, color_system=None, soft_wrap=False
    )
    console.print(render.report_tables(report, rubric, columns))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_a_group_of_173_communes_fits(tiengiang: Rubric, columns: int) -> None:
    report = _big_group(tiengiang)
    lines = _rendered(report, tiengiang, columns)
    assert max(len(line) for line in lines) <= columns
    rows = [line for line in lines if re.match(r"\s+\d+\s+\d+\s", line)]
    assert len(rows) == 173
    for unit, row in zip(report.units, rows, strict=True):
        band = tiengiang.band(unit.band)
        assert band is not None and unit.total is not None
        words = row.split()
        assert words[:2] == [str(unit.rank), str(unit.parent_rank)], row
        assert row.rstrip().endswith(f"{vn(str(unit.total))}   {band.label}"), row
        assert "Xã" in row  # the name starts on the unit's row
    text = "\n".join(lines)
    if columns == 60:  # the code gives way too, and the caption says so
        assert "cột Mã" in text and "28000" not in text


def test_piped_tables_keep_every_column(tiengiang: Rubric) -> None:
    """Without a width (files and pipes) the table has all its columns, whatever is long."""
    report = _big_group(tiengiang)
    table = render.ranked_rich_table(
        render.build_tables(report, tiengiang).groups[-1], tiengiang, None
    )
    assert table is not None
    headers = [str(c.header) for c in table.columns]
    assert headers[:4] == ["Hạng", "Hạng (cấp trên)", "Mã", "Đơn vị"]
    assert headers[-2:] == ["Tổng", "Xếp loại"] and len(headers) == 14


@pytest.mark.parametrize("columns", [80, 120])
def test_check_shows_the_unit_vertically(tiengiang: Rubric, columns: int) -> None:
    lines = on_terminal(columns, "check", SHEETS / "28249-phuong-5.xlsx")
    assert max(len(line) for line in lines) <= columns
    (unit,) = graded("check", SHEETS / "28249-phuong-5.xlsx")
    plan = tiengiang.plan("xa")
    text = "\n".join(lines)
    assert lines[0].startswith("Phường 5 (Thành phố Mỹ Tho) — Mã 28249 — UBND cấp xã")
    subtotals = {**unit["points"], **unit.get("subtotals", {})}
    for c in plan.criteria:  # each area and criterion, in order, with its points and maximum
        row = next(line for line in lines if line.startswith(f"  {c.id} "))
        words = row.split()
        assert words[-1] == f"{c.max.normalize():f}".replace(".", ","), row
        points = subtotals.get(c.id)
        if points is not None:
            assert vn(points) in row, row
    order = [
        next(i for i, line in enumerate(lines) if line.startswith(f"  {c.id} "))
        for c in plan.criteria
    ]
    assert order == sorted(order)
    assert f"Tổng điểm: {vn(unit['total'])}" in text
    assert f"Xếp loại: {unit['band_label']}" in text
    assert "Vấn đề: không có." in text


def test_check_lists_the_issues_after_the_points() -> None:
    lines = on_terminal(80, "check", EXAMPLES / "mistakes" / "02-text-in-number-28291.xlsx")
    text = "\n".join(lines)
    assert "Trạng thái: Không hợp lệ" in text
    assert text.index("Vấn đề (1):") < text.index("error[not-a-number]")
    assert text.index("Trạng thái") < text.index("Vấn đề (1):")


def test_bands_take_the_one_palette(tiengiang: Rubric) -> None:
    """The terminal colours a band as the page and the workbook do (labels.band_colour)."""
    from ictscore.reports import labels

    report = _big_group(tiengiang)
    console = Console(file=io.StringIO(), width=120, force_terminal=True, color_system="truecolor")
    console.print(render.report_tables(report, tiengiang, 120))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    for band in tiengiang.bands:
        r, g, b = (int(labels.band_colour(tiengiang, band.id)[i : i + 2], 16) for i in (1, 3, 5))
        assert f"38;2;{r};{g};{b}m{band.label}" in out, band.label


@pytest.mark.parametrize("columns", [80, 120])
def test_rubric_show_keeps_every_method_on_a_narrow_terminal(
    tiengiang: Rubric, columns: int
) -> None:
    from ictscore.reports.rubric_view import method_summary

    lines = on_terminal(columns, "rubric", "show", "tiengiang-2020")
    assert max(len(line) for line in lines) <= columns
    text = " ".join(" ".join(lines).split())
    assert f"{tiengiang.title} ({tiengiang.id} {tiengiang.version})" in text
    for node in tiengiang.walk():  # each criterion's method, in Vietnamese, is on screen
        assert method_summary(tiengiang, node.criterion, "vi") in text, node.criterion.id
