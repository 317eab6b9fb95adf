"""Without a roster (`--units`), units that sent nothing are not known (issue 13): the summary
says so, in English and Vietnamese, instead of "0 missing"; so do the workbook and the page."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.conftest import EXAMPLES, Run

NOT_COUNTED_EN = "units that sent nothing are not counted without a roster (--units)"
NOT_COUNTED_VI = "không có danh sách đơn vị (--units) nên không đếm được đơn vị chưa nộp"


def test_without_a_roster_the_summary_says_missing_units_are_not_counted(run: Run, tmp_path: Path):
    out = tmp_path / "out"
    result = run("grade", EXAMPLES / "sheets", "-q", "-o", out / "r.xlsx", "-o", out / "r.html")
    assert result.exit_code == 0, result.stderr
    summary = result.stderr.splitlines()[0]
    assert summary == f"32 graded, 0 invalid; 0 error(s), 0 warning(s); {NOT_COUNTED_EN}"
    vi = run("grade", EXAMPLES / "sheets", "-q", "--lang", "vi").stderr.splitlines()[0]
    assert vi == f"32 đã chấm, 0 không hợp lệ; 0 lỗi, 0 cảnh báo; {NOT_COUNTED_VI}"
    ws = openpyxl.load_workbook(out / "r.xlsx")["Tổng hợp"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert set(rows["Chưa nộp"]) == {"—"}
    assert any(NOT_COUNTED_VI[0].upper() + NOT_COUNTED_VI[1:] in str(k) for k in rows)
    page = (out / "r.html").read_text(encoding="utf-8")
    assert NOT_COUNTED_VI[0].upper() + NOT_COUNTED_VI[1:] in page


def test_with_a_roster_missing_units_are_counted(run: Run, tmp_path: Path):
    out = tmp_path / "out"
    result = run(
        "grade", EXAMPLES / "sheets", "--units", EXAMPLES / "units.csv", "-q", "-o", out / "r.xlsx"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "32 graded, 0 invalid, 176 missing; 176 error(s), 0 warning(s)"
    )
    ws = openpyxl.load_workbook(out / "r.xlsx")["Tổng hợp"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert sum(rows["Chưa nộp"]) == 176
    assert not any("--units" in str(k) for k in rows)


def test_the_json_says_whether_missing_units_were_counted(run: Run):
    import json

    bare = json.loads(run("grade", EXAMPLES / "sheets", "-q", "-f", "json").stdout)
    assert bare["summary"]["rostered"] is False and bare["summary"]["missing"] == 0
    rostered = run("grade", EXAMPLES / "sheets", "-q", "-f", "json", "-u", EXAMPLES / "units.csv")
    summary = json.loads(rostered.stdout)["summary"]
    assert summary["rostered"] is True and summary["missing"] == 176
