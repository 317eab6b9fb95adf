"""The unit's profile (the feedback's first page, "Phản hồi"), the copy of its own sheet with
every value as graded, and last year's results beside this year's (`grade --previous`), as a
user runs `ictscore grade … --feedback DIR`.

The printed page itself (one A4 page, titles whole) is checked in test_feedback_print.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl

from tests.conftest import EXAMPLES, SMALL_RUBRIC, SO_UNIT, Run, cell_of, full_values


def _texts(path: Path, sheet: str = "Phản hồi") -> list[str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [str(c) for row in ws.iter_rows(values_only=True) for c in row if c not in (None, "")]


def _rows(path: Path) -> list[tuple[Any, ...]]:
    """The printed rows (columns A to H at most: the chart's figures are in hidden columns
    beyond)."""
    ws = openpyxl.load_workbook(path)["Phản hồi"]
    last = ws.print_area.split(":")[-1].lstrip("$").rstrip("0123456789$")
    width = ord(last) - ord("A") + 1
    return [
        r[:width]
        for r in ws.iter_rows(values_only=True)
        if any(v not in (None, "") for v in r[:width])
    ]


def _small(tmp_path: Path) -> Path:
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    return rubric


def test_copy_shows_typed_values_as_graded_with_a_note(run: Run, make_sheet, tmp_path: Path):
    """ "x" in a yes/no cell and "2,5" in a points cell are accepted by grading (Có, 2.5): the
    copy holds what grading read, so that its formulas give the points the summary gives, and
    a comment says what was typed and how it was read."""
    values = full_values(SO_UNIT)
    values["1.2"] = {"answer": "x"}
    values["2.2.a"] = {"points": "2,5"}
    sheet = make_sheet(values=values)
    yes_cell, points_cell = cell_of(sheet, "ic_1_2_answer"), cell_of(sheet, "ic_2_2_a_points")
    out = tmp_path / "fb"
    result = run(
        "grade", sheet.parent, "--rubric", _small(tmp_path), "-f", "json", "-q", "--feedback", out
    )
    assert result.exit_code == 0, result.stderr  # warnings only: graded
    unit = json.loads(result.stdout)["units"][0]
    assert unit["points"]["1.2"] == 20 and unit["points"]["2.2.a"] == 2.5
    copy = openpyxl.load_workbook(out / "so-a-phan-hoi.xlsx")["Bảng điểm"]
    assert copy[yes_cell].value == "Có"
    assert copy[points_cell].value == 2.5
    yes_note, points_note = copy[yes_cell].comment, copy[points_cell].comment
    assert yes_note is not None and points_note is not None
    assert yes_note.text.startswith("Đã nhập: “x”. Khi chấm đọc là: “Có”.")
    assert points_note.text.startswith("Đã nhập: “2,5”. Khi chấm đọc là: 2,5.")
    assert copy[yes_cell].fill.fgColor.rgb == "00FFEB9C"  # read, not refused: yellow
    original = openpyxl.load_workbook(sheet)["Bảng điểm"]
    assert original[yes_cell].value == "x" and original[points_cell].value == "2,5"  # untouched
    # the profile lists both, where they are
    places = {r[0]: r[1] for r in _rows(out / "so-a-phan-hoi.xlsx")}
    assert places[yes_cell].startswith("Giá trị được đọc theo cách hiểu thông thường")
    assert places[points_cell].startswith("Giá trị được đọc theo cách hiểu thông thường")


def test_profile_holds_scorecard_areas_chart_and_lost_criteria(run: Run, tmp_path: Path):
    out = tmp_path / "fb"
    result = run(
        "grade",
        EXAMPLES / "sheets",
        "-u",
        EXAMPLES / "units.csv",
        "-f",
        "json",
        "-q",
        "--feedback",
        out,
    )
    report = json.loads(result.stdout)
    unit = next(u for u in report["units"] if u["code"] == "28249")
    path = out / "28249-phan-hoi.xlsx"
    rows = _rows(path)
    texts = _texts(path)
    assert rows[0][0] == "PHẢN HỒI KẾT QUẢ CHẤM ĐIỂM"
    assert "Phường 5 (Thành phố Mỹ Tho)" in texts  # the unit with its district
    head = next(i for i, r in enumerate(rows) if r[0] == "Tổng điểm")
    assert rows[head][:4] == ("Tổng điểm", "Xếp loại", "Hạng trong nhóm", None)
    assert rows[head][4] == "Hạng trong Thành phố Mỹ Tho"
    assert rows[head + 1][:5] == ("104,69", "Tốt", "1/14", None, "1/2")
    # the areas: the unit's points, the maximum, the group's mean and best
    start = texts.index("Điểm theo lĩnh vực")
    header = ["Lĩnh vực", "Điểm đạt", "Tối đa", "TB nhóm", "Cao nhất nhóm"]
    assert texts[start + 1 : start + 6] == header
    communes = [u for u in report["units"] if u["group"] == "xa" and u["status"] == "graded"]
    best = max(u["subtotals"]["3"] for u in communes)
    area3 = next(r for r in rows if str(r[0]).startswith("3. "))
    assert area3[2] == f"{unit['subtotals']['3']:.2f}".replace(".", ",")
    assert area3[5] == f"{best:.2f}".replace(".", ",")
    ws = openpyxl.load_workbook(path)["Phản hồi"]
    (chart,) = ws._charts
    assert chart.type == "bar" and len(chart.series) == 3
    names = [s.tx.strRef.f for s in chart.series]
    assert [ws[n.split("!")[1].replace("$", "")].value for n in names] == [
        "Đơn vị",
        "Trung bình nhóm",
        "Cao nhất nhóm",
    ]
    assert "Tiêu chí mất nhiều điểm nhất so với điểm tối đa" in texts
    assert "Tiêu chí thấp hơn điểm trung bình của nhóm" in texts


def test_an_invalid_unit_gets_its_problems_and_no_scorecard(run: Run, tmp_path: Path):
    result = run(
        "grade", EXAMPLES / "mistakes", "--rubric", "tiengiang-2020", "-q", "--feedback", tmp_path
    )
    assert result.exit_code == 1
    texts = _texts(tmp_path / "28291-phan-hoi.xlsx")
    assert "Trạng thái: Không hợp lệ" in " ".join(texts)
    assert "Các vấn đề cần khắc phục" in texts and "Tổng điểm" not in texts


def test_many_problems_go_to_a_sheet_of_their_own(make_sheet, small_rubric, tmp_path: Path):
    """The profile stays one page: 25 problems on it for a unit not graded (8 for a graded
    one, whose page holds more), every one on "Các vấn đề"."""
    from ictscore.grading.results import Status, UnitResult
    from ictscore.issues import CellRef, Issue, IssueCode, Severity
    from ictscore.messages import Msg
    from ictscore.reports.feedback import feedback_workbook
    from ictscore.reports.feedback.profile import SHOWN_PROBLEMS_NOT_GRADED

    sheet = make_sheet()
    issues = tuple(
        Issue(
            IssueCode.NOT_A_NUMBER,
            Severity.ERROR,
            Msg("expected a number, found {found}", found=f"v{n}"),
            CellRef(str(sheet), "Bảng điểm", f"E{n}"),
        )
        for n in range(1, 41)
    )
    unit = UnitResult.of(SO_UNIT, Status.INVALID, file=str(sheet), issues=issues)
    from ictscore.grading.results import Report

    report = Report("small", "1", "h", (unit,), rubric=small_rubric)
    wb = feedback_workbook(small_rubric, report, unit)
    assert wb.sheetnames[:3] == ["Phản hồi", "Các vấn đề", "Bảng điểm"]
    profile = [c for r in wb["Phản hồi"].iter_rows(values_only=True) for c in r if c]
    assert sum(1 for c in profile if str(c).startswith("E")) == SHOWN_PROBLEMS_NOT_GRADED
    assert "… và 15 vấn đề khác: xem toàn bộ ở trang “Các vấn đề”." in profile
    listed = [r[0] for r in wb["Các vấn đề"].iter_rows(min_row=3, values_only=True)]
    assert listed == [f"E{n}" for n in range(1, 41)]


def _previous(run: Run, tmp_path: Path) -> Path:
    """Last year's results: this year's graded, then edited (28249 was 3rd, 5 points lower, Khá;
    its area 1 2 points lower)."""
    first = tmp_path / "2019.json"
    result = run("grade", EXAMPLES / "sheets", "-q", "-o", first)
    assert result.exit_code == 0, result.stderr
    data = json.loads(first.read_text(encoding="utf-8"))
    data["rubric"]["year"] = 2019
    for unit in data["units"]:
        if unit["code"] == "28249":
            unit.update(total=unit["total"] - 5, rank=3, band_label="Khá")
            unit["subtotals"]["1"] -= 2
    first.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return first


def test_previous_adds_the_change_per_area_and_in_rank(run: Run, tmp_path: Path):
    previous = _previous(run, tmp_path)
    out = tmp_path / "fb"
    result = run("grade", EXAMPLES / "sheets", "-q", "--feedback", out, "--previous", previous)
    assert result.exit_code == 0, result.stderr
    rows = _rows(out / "28249-phan-hoi.xlsx")
    head = next(i for i, r in enumerate(rows) if r[0] == "Tổng điểm")
    change = rows[head + 2]
    assert change[0] == "Năm 2019: 99,69\nTăng 5,00 điểm"
    assert change[1] == "Năm 2019: Khá\nLên loại"
    assert change[2] == "Năm 2019: 3/14\nTăng 2 bậc"
    header = next(r for r in rows if r[0] == "Lĩnh vực")
    assert header[-2:] == ("Năm 2019", "Thay đổi")
    area1 = next(r for r in rows if str(r[0]).startswith("1. "))
    area2 = next(r for r in rows if str(r[0]).startswith("2. "))
    assert area1[-1] == "+2,00" and area2[-1] == "0,00"
    # a unit unchanged keeps its rank
    same = _rows(out / "28252-phan-hoi.xlsx")
    head = next(i for i, r in enumerate(same) if r[0] == "Tổng điểm")
    assert same[head + 2][0].endswith("Không đổi") and same[head + 2][2].endswith("Giữ nguyên hạng")


def test_previous_is_checked_before_grading(run: Run, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}', encoding="utf-8")
    out = tmp_path / "fb"
    result = run("grade", EXAMPLES / "sheets", "-q", "--feedback", out, "--previous", bad)
    assert result.exit_code == 2 and "not an ictscore results file" in result.stderr
    assert not (tmp_path / "fb").exists()
    alone = run("grade", EXAMPLES / "sheets", "-q", "--previous", bad)
    assert alone.exit_code == 2 and "--previous is shown in the feedback" in alone.stderr


def test_profile_says_what_the_appraisal_changed_and_why(run: Run, tmp_path: Path):
    form = tmp_path / "tham-dinh.csv"
    form.write_text(
        "Mã đơn vị,Mã tiêu chí,Thẩm định,Không áp dụng (lý do),Ghi chú thẩm định\n"
        "28249,1.1,5,,Danh sách máy tính không khớp báo cáo\n"
        "28249,2.2,,Đơn vị không có mạng nội bộ,\n",
        encoding="utf-8",
    )
    out = tmp_path / "fb"
    result = run("grade", EXAMPLES / "sheets", "-q", "-a", form, "--feedback", out)
    assert result.exit_code == 0, result.stderr
    rows = _rows(out / "28249-phan-hoi.xlsx")
    start = next(i for i, r in enumerate(rows) if r[0] == "Kết quả thẩm định khác điểm tự chấm")
    assert rows[start + 1] == ("Tiêu chí", None, "Tự chấm", "Thẩm định", "Thay đổi", "Lý do")
    cut, excluded = rows[start + 2], rows[start + 3]
    assert str(cut[0]).startswith("1.1 Tỷ lệ cán bộ")
    assert cut[2:] == ("7,00", "5,00", "−2,00", "Danh sách máy tính không khớp báo cáo")
    assert str(excluded[0]).startswith("2.2 ")
    assert excluded[2:] == ("2,00", "KAD", "—", "Không áp dụng: Đơn vị không có mạng nội bộ")
    area2 = next(r for r in rows if str(r[0]).startswith("2. "))
    assert area2[3] == "8,00"  # its maximum without 2.2
    assert any("Tổng điểm tự chấm 104,69; sau thẩm định 100,69" in str(r[0]) for r in rows)


def test_a_total_mismatch_in_a_rewritten_copy_says_so(run: Run, make_sheet, tmp_path: Path):
    """The sheet showed 0 for 1.2 (its formula read "x" as nothing): the copy, which holds Có
    there, says under the mismatch's comment that its formulas may now show otherwise."""
    from ictscore.reports.feedback.sheet_copy import REWRITTEN_NOTE

    values = full_values(SO_UNIT)
    values["1.2"] = {"answer": "x"}

    def shown_zero(wb: Any) -> None:
        ws = wb["Bảng điểm"]
        row = next(c.row for c in ws["A"] if c.value == "1.2")
        ws[f"G{row}"] = 0  # what the sheet showed for 1.2

    sheet = make_sheet(values=values, edit=shown_zero)
    out = tmp_path / "fb"
    result = run("grade", sheet.parent, "--rubric", _small(tmp_path), "-q", "--feedback", out)
    assert result.exit_code == 0, result.stderr
    copy = openpyxl.load_workbook(out / "so-a-phan-hoi.xlsx")["Bảng điểm"]
    row = next(c.row for c in copy["A"] if c.value == "1.2")
    comment = copy[f"G{row}"].comment
    assert comment is not None and comment.text.startswith("Điểm tự tính trong bảng khác")
    assert comment.text.endswith(REWRITTEN_NOTE)
