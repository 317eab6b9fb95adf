"""The publication details (issuer, decision, date) at the head of the page and the workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from ictscore.reports.publication import Publication
from tests.conftest import EXAMPLES, Run


def test_the_decision_line_is_written_the_official_way() -> None:
    p = Publication(decision="Quyết định số 12/QĐ-UBND", date=dt.date(2021, 1, 5))
    assert p.decision_line() == "Kèm theo Quyết định số 12/QĐ-UBND ngày 05 tháng 01 năm 2021"
    assert Publication().decision_line() is None


def test_grade_puts_the_publication_details_on_the_page_and_in_the_workbook(
    run: Run, tmp_path: Path
) -> None:
    page, book = tmp_path / "r.html", tmp_path / "r.xlsx"
    result = run(
        "grade", EXAMPLES / "sheets", "-q", "-o", page, "-o", book,
        "--issuer", "UBND tỉnh Tiền Giang",
        "--decision", "Quyết định số 12/QĐ-UBND", "--decision-date", "2021-01-15",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    line = "Kèm theo Quyết định số 12/QĐ-UBND ngày 15 tháng 01 năm 2021"
    html = page.read_text(encoding="utf-8")
    assert line in html and "UBND tỉnh Tiền Giang · năm 2020" in html
    head = openpyxl.load_workbook(book)["Tổng hợp"]["A2"].value
    assert head.startswith("Tổng hợp kết quả theo nhóm — UBND tỉnh Tiền Giang, năm 2020")
    assert head.endswith(line)


def test_a_date_not_written_as_iso_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("grade", EXAMPLES / "sheets", "--decision-date", "15/01/2021")
    assert result.exit_code == 2
    assert "--decision-date: '15/01/2021' is not a date (YYYY-MM-DD)" in result.stderr
