"""Composite criteria, caps, best-of, bonus and penalty, rescaling, normalisation, ranking rules
and the appraisal form, end to end (template → fill → save → read → grade), against figures
worked by hand in the comments."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ictscore.grading import appraisal_form as ap
from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Report, Status, UnitResult
from ictscore.grading.workers import read_sheets
from ictscore.roster import Unit
from ictscore.rubric.lint import check_rubric_text
from ictscore.rubric.load import parse_rubric
from ictscore.rubric.model import Rubric
from tests.conftest import Run

POLICY = textwrap.dedent(
    """\
    id: policy
    version: "1"
    title: "Bảng điểm kiểm thử chính sách"
    year: 2021
    issuer: "Sở Thông tin và Truyền thông"
    precision: 2
    not_applicable: rescale
    scale: 100
    tie_breaks: ["1"]
    unranked: [{unit: u9, reason: "Lý do an ninh"}]
    groups:
      - {id: so, label: "Sở"}
      - {id: xa, label: "Xã", rank_within: parent}
    bands:
      - {id: tot, label: "Tốt", min: 90}
      - {id: kha, label: "Khá", min: 70}
      - {id: yeu, label: "Yếu"}
    criteria:
      - id: "1"
        title: "Hạ tầng"
        children:
          - id: "1.1"
            title: "Máy tính"
            max: 40
            method: {type: ratio, numerator: "Số CBCC có máy tính", denominator: "Tổng số CBCC"}
          - id: "1.2"
            title: "Băng thông"
            max: 20
            method: {type: normalised, label: "Mbps/người"}
          - {id: "1.3", title: "Mạng chuyên dùng", max: 20, groups: [so], method: {type: yes_no}}
      - id: "2"
        title: "Trung tâm dữ liệu"
        max: 20
        capped: true
        children:
          - {id: "2.1", title: "Có trung tâm dữ liệu", max: 15, method: {type: yes_no}}
          - id: "2.2"
            title: "Đáp ứng tiêu chuẩn"
            combine: best_of
            max: 10
            children:
              - {id: "2.2.a", title: "Trường hợp a", max: 10, method: {type: direct}}
              - id: "2.2.b"
                title: "Trường hợp b"
                max: 8
                method:
                  type: levels
                  levels:
                    - {label: "Đáp ứng đủ", fraction: 1}
                    - {label: "Đáp ứng một phần", fraction: 0.5}
                    - {label: "Không đáp ứng", points: 0}
      - id: "3"
        title: "Điểm thưởng"
        kind: bonus
        children:
          - id: "3.1"
            title: "Sáng kiến"
            max: 5
            method: {type: count, label: "Số sáng kiến", per_item: 2.5}
      - id: "4"
        title: "Điểm trừ"
        kind: penalty
        children:
          - id: "4.1"
            title: "Báo cáo chậm"
            max: 200
            method: {type: count, label: "Số báo cáo chậm", per_item: 50}
    """
)

UNITS = {
    "s1": Unit("s1", "Sở Một", "so"),
    "s2": Unit("s2", "Sở Hai", "so"),
    "s3": Unit("s3", "Sở Ba", "so"),
    "u9": Unit("u9", "Bộ Chỉ huy Quân sự", "so"),
    "x1": Unit("x1", "Xã Một", "xa", "h1", "Huyện Một"),
    "x2": Unit("x2", "Xã Hai", "xa", "h1", "Huyện Một"),
    "x3": Unit("x3", "Xã Ba", "xa", "h2", "Huyện Hai"),
}


def _v(
    num: int,
    bw: float,
    yes13: str | None,
    yes21: str,
    a: float | None,
    b: str | None,
    ideas: int,
    late: int,
) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        "1.1": {"numerator": num, "denominator": 40},
        "1.2": {"value": bw},
        "2.1": {"answer": yes21},
        "2.2.a": {"points": a},
        "2.2.b": {"level": b},
        "3.1": {"count": ideas},
        "4.1": {"count": late},
    }
    if yes13 is not None:
        values["1.3"] = {"answer": yes13}
    return values


VALUES = {
    # s1: 1.1 36/40×40 = 36; 1.2 5÷10×20 = 10; 1.3 20 → area 1 = 66
    #     2.1 15 + best(7, 8) = 23 → capped at 20; base 86; bonus 3×2,5 = 7,5 → 5; total 91 (Tốt)
    "s1": _v(36, 5, "Có", "Có", 7, "Đáp ứng đủ", 3, 0),
    # s2: 1.1 20; 1.2 10÷10×20 = 20; 1.3 0 → 40; area 2: 0 + best(9, 4) = 9; base 49;
    #     penalty 2×50 = 100 → 49 − 100 < 0 → total 0 (floor)
    "s2": _v(20, 10, "Không", "Không", 9, "Đáp ứng một phần", 0, 2),
    # s3: 1.1 38; 1.2 10; 1.3 20 → 68; area 2: 15 + best(3, 0) = 18; base 86; bonus 5 → 91,
    #     tied with s1 on the total; the tie-break (area 1: 68 > 66) ranks s3 first
    "s3": _v(38, 5, "Có", "Có", 3, "Không đáp ứng", 2, 0),
    # u9: unranked, but scored; its 1.2 value 10 also sets the group's reference
    "u9": _v(40, 10, "Có", "Có", 10, "Đáp ứng đủ", 2, 0),
    # xa: 1.3 does not apply: base maximum 80, rescaled to 100; every 1.2 value is 0 → 0 points
    # x1: 30 + 0 + (15 + 5) = 50 → 50×100/80 = 62,5; bonus 2,5 → 65 (raw 52,5) Yếu
    "x1": _v(30, 0, None, "Có", 5, "Không đáp ứng", 1, 0),
    # x2: 40 + 0 + min(15 + 8, 20) = 60 → 75 (raw 60) Khá
    "x2": _v(40, 0, None, "Có", 0, "Đáp ứng đủ", 0, 0),
    # x3: 20 + 0 + (0 + 10) = 30 → 37,5 (raw 30) Yếu
    "x3": _v(20, 0, None, "Không", 10, "Không đáp ứng", 0, 0),
}


@pytest.fixture(scope="module")
def policy() -> Rubric:
    return parse_rubric(POLICY, "policy.yaml")


@pytest.fixture
def sheets(policy: Rubric, make_sheet: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "sheets"
    for code, values in VALUES.items():
        make_sheet(UNITS[code], values, rubric=policy, folder=folder)
    (folder / "rubric.yaml").write_text(POLICY, encoding="utf-8")
    return folder


def _grade(policy: Rubric, folder: Path, form: ap.AppraisalSheet | None = None) -> Report:
    paths = sorted(p for p in folder.glob("*.xlsx"))
    return grade_sheets(policy, read_sheets(paths), appraisal=form)


def _by_code(report: Report) -> dict[str, UnitResult]:
    return {u.code: u for u in report.units}


def test_the_policy_rubric_is_clean(policy: Rubric):
    assert check_rubric_text(POLICY, "policy.yaml").findings == ()
    assert policy.max_for(policy.criterion("2"), "so") == 20  # capped block: 15 + 10 → 20
    assert policy.max_for(policy.criterion("2.2"), "so") == 10  # best of 10 and 8
    assert (policy.base_max("so"), policy.base_max("xa"), policy.published_max("xa")) == (
        100,
        80,
        100,
    )


def test_caps_best_of_bonus_penalty_floor_and_tie_breaks(policy: Rubric, sheets: Path):
    units = _by_code(_grade(policy, sheets))
    s1, s2, s3, u9 = (units[c] for c in ("s1", "s2", "s3", "u9"))
    assert all(u.status is Status.GRADED for u in units.values()), [
        str(i) for u in units.values() for i in u.issues
    ]
    assert s1.points["1.1"] == 36 and s1.points["1.2"] == 10 and s1.subtotals["1"] == 66
    assert s1.subtotals["2.2"] == 8 and s1.subtotals["2"] == 20 and s1.subtotals["3"] == 5
    assert (s1.total, s1.band) == (91, "tot")
    assert s2.subtotals["2"] == 9 and s2.subtotals["4"] == 100 and s2.total == 0
    assert s3.subtotals["1"] == 68 and s3.total == 91
    assert (s3.rank, s1.rank, s2.rank) == (1, 2, 3)  # 91 and 91: area 1 decides
    # u9: 40 + 20 + 20 + min(15 + 10, 20) = 100; bonus 2 × 2,5 = 5 → 105, scored but not ranked
    assert u9.rank is None and u9.unranked == "Lý do an ninh" and u9.total == 105


def test_rescaling_to_the_scale_shows_raw_and_published_totals(policy: Rubric, sheets: Path):
    units = _by_code(_grade(policy, sheets))
    x1, x2, x3 = units["x1"], units["x2"], units["x3"]
    assert (x1.raw_total, x1.total, x1.band, x1.base_max) == (D("52.5"), 65, "yeu", 80)
    assert (x2.raw_total, x2.total, x2.band) == (60, 75, "kha")
    assert (x3.raw_total, x3.total) == (30, D("37.5"))
    assert (x2.rank, x1.rank, x3.rank) == (1, 2, 3)
    assert (x2.parent_rank, x1.parent_rank, x3.parent_rank) == (1, 2, 1)  # within h1, h2


def test_normalised_reference_and_an_all_zero_group(policy: Rubric, sheets: Path):
    report = _grade(policy, sheets)
    refs = {(r.group, r.criterion): r for r in report.references}
    assert refs[("so", "1.2")].best == 10 and refs[("so", "1.2")].units == ("s2", "u9")
    assert refs[("xa", "1.2")].best == 0 and refs[("xa", "1.2")].units == ()
    assert all(_by_code(report)[c].points["1.2"] == 0 for c in ("x1", "x2", "x3"))


def _fill_form(path: Path, entries: dict[tuple[str, str], tuple[Any, Any, Any]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[ap.SHEET]
    for row in ws.iter_rows(min_row=5):
        key = (row[0].value, row[2].value)
        if key in entries:
            appraised, not_applicable, note = entries.pop(key)
            row[6].value, row[7].value, row[8].value = appraised, not_applicable, note
    assert not entries, f"rows not in the form: {entries}"
    wb.save(path)


def test_appraisal_form_cuts_not_applicable_and_notes(policy: Rubric, sheets: Path, tmp_path: Path):
    self_report = _grade(policy, sheets)
    form_path = tmp_path / "tham-dinh.xlsx"
    ap.build_form(policy, self_report.units).save(form_path)
    _fill_form(
        form_path,
        {
            ("s1", "1.1"): (30, None, "Chỉ 30 máy đủ cấu hình"),
            ("s1", "1.3"): (None, "Không thuộc đối tượng kết nối", None),
            ("u9", "1.2"): (4, None, "Hợp đồng chỉ ghi 4 Mbps/người"),  # a value, not points
        },
    )
    form = ap.read_appraisal(form_path)
    assert form.meta["rubric_id"] == "policy"
    units = _by_code(_grade(policy, sheets, form))
    s1 = units["s1"]
    # s1: 1.1 appraised 30; 1.3 not applicable → base max 80; base 30 + 10 + 20 = 60
    #     → 60 × 100 / 80 = 75; bonus 5 → 80 (Khá); self-score total stays 91
    assert s1.points["1.1"] == 30 and s1.self_points["1.1"] == 36
    assert s1.not_applicable == {"1.3": "Không thuộc đối tượng kết nối"} and "1.3" not in s1.points
    assert (s1.raw_total, s1.total, s1.self_total, s1.band) == (65, 80, 91, "kha")
    assert s1.appraisal["1.1"].note == "Chỉ 30 máy đủ cấu hình"
    assert s1.appraisal["1.1"].where is not None and s1.appraisal["1.1"].where.cell.startswith("G")
    # u9's value cut to 4: s2 alone sets the reference now
    refs = {(r.group, r.criterion): r for r in _grade(policy, sheets, form).references}
    assert refs[("so", "1.2")].units == ("s2",) and units["u9"].points["1.2"] == 8  # 4÷10×20


def test_appraisal_errors_are_located_in_the_form(policy: Rubric, sheets: Path, tmp_path: Path):
    form_path = tmp_path / "form.xlsx"
    ap.build_form(policy, _grade(policy, sheets).units).save(form_path)
    _fill_form(form_path, {("s3", "2.1"): (99, None, "nhập nhầm")})
    units = _by_code(_grade(policy, sheets, ap.read_appraisal(form_path)))
    (issue,) = [i for i in units["s3"].issues if i.code == "above-maximum"]
    assert units["s3"].status is Status.INVALID
    assert issue.where is not None and issue.where.sheet == ap.SHEET and issue.where.cell
    assert "99 is above the maximum 15" in issue.message


def test_required_appraisal_reports_criteria_not_appraised(make_sheet: Any, tmp_path: Path):
    strict = parse_rubric(POLICY.replace("scale: 100\n", "scale: 100\nappraisal: required\n"))
    assert strict.appraisal == "required"
    sheets = tmp_path / "strict"
    for code in ("s1", "s2"):
        make_sheet(UNITS[code], VALUES[code], rubric=strict, folder=sheets)
    form_path = tmp_path / "form.xlsx"
    ap.build_form(strict, _grade(strict, sheets).units).save(form_path)
    units = _by_code(_grade(strict, sheets, ap.read_appraisal(form_path)))
    assert all(u.status is Status.INVALID for u in units.values())
    (issue,) = units["s1"].issues
    assert issue.code == "not-appraised" and "1.1, 1.2, 1.3, 2.1, 2.2.a" in issue.message


def test_appraisal_from_the_command_line(run: Run, sheets: Path, tmp_path: Path):
    form = tmp_path / "tham-dinh.xlsx"
    made = run("appraisal", sheets, "--out", form)
    assert made.exit_code == 0, made.stderr
    _fill_form(form, {("s1", "1.1"): (30, None, "Chỉ 30 máy đủ cấu hình")})
    before = {p.name: p.read_bytes() for p in sheets.iterdir()}
    result = run("grade", sheets, "--appraisal", form, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    s1 = next(u for u in data["units"] if u["code"] == "s1")
    assert s1["appraisal"]["1.1"]["self_points"] == 36
    assert s1["appraisal"]["1.1"]["appraised_points"] == 30
    assert s1["appraisal"]["1.1"]["difference"] == -6
    assert s1["appraisal"]["1.1"]["note"] == "Chỉ 30 máy đủ cấu hình"
    assert (s1["self_total"], s1["total"]) == (91, 85)
    table = run("grade", sheets, "--appraisal", form)
    assert "Thẩm định: điểm khác điểm tự chấm" in table.stdout and "Chỉ 30 máy" in table.stdout
    assert {p.name: p.read_bytes() for p in sheets.iterdir()} == before  # inputs untouched


def test_an_appraisal_csv_with_the_form_headers(policy: Rubric, sheets: Path, tmp_path: Path):
    form = tmp_path / "tham-dinh.csv"
    form.write_text(
        "Mã đơn vị,Mã tiêu chí,Thẩm định,Không áp dụng (lý do),Ghi chú thẩm định\n"
        's1,1.1,"29,5",,Chỉ 29 máy rưỡi đủ cấu hình\n'  # a decimal comma, as typed in Vietnam
        "s2,2.2.a,abc,,\n"
        "zz,1.1,1,,\n",
        encoding="utf-8-sig",  # as Excel saves "CSV UTF-8"
    )
    report = _grade(policy, sheets, ap.read_appraisal(form))
    units = _by_code(report)
    assert units["s1"].points["1.1"] == D("29.5") and units["s1"].total == D("84.5")  # 91 − 6,5
    (bad,) = [i for i in units["s2"].issues if i.is_error]
    assert (bad.code, str(bad.where)) == ("not-a-number", f"{form}:csv!C3")
    (unknown,) = report.issues
    assert unknown.code == "unknown-unit" and "zz" in unknown.message


def test_a_required_appraisal_without_a_form(make_sheet: Any, tmp_path: Path, run: Run):
    text = POLICY.replace("scale: 100\n", "scale: 100\nappraisal: required\n")
    strict = parse_rubric(text)
    sheets = tmp_path / "strict"
    sheet = make_sheet(UNITS["s1"], VALUES["s1"], rubric=strict, folder=sheets)
    report = _grade(strict, sheets)
    (issue,) = report.issues  # one batch-level error, not one per unit
    assert issue.code == "not-appraised" and "self-scores" in issue.message
    assert _by_code(report)["s1"].total == 101 and not report.ok  # alone: 1.2 is 5 ÷ 5 × 20
    (sheets / "rubric.yaml").write_text(text, encoding="utf-8")
    assert run("grade", sheets).exit_code == 1
    assert run("check", sheet).exit_code == 0  # a unit checking its sheet is not asked for it


def test_self_scores_use_the_units_own_figures(policy: Rubric, sheets: Path, tmp_path: Path):
    form_path = tmp_path / "form.xlsx"
    ap.build_form(policy, _grade(policy, sheets).units).save(form_path)
    # the council cuts both holders of the best value (10): s2 to 4, u9 marked not applicable
    _fill_form(
        form_path,
        {("s2", "1.2"): (4, None, "4 Mbps"), ("u9", "1.2"): (None, "Không có hợp đồng", None)},
    )
    units = _by_code(_grade(policy, sheets, ap.read_appraisal(form_path)))
    # appraised: best is now 5 (s1, s3): s1 5÷5×20 = 20, s2 4÷5×20 = 16
    assert units["s1"].points["1.2"] == 20 and units["s2"].points["1.2"] == 16
    # self-scores stay what the units' own figures give (best own value 10): s1 10, s2 20, u9 20
    assert [units[c].self_points["1.2"] for c in ("s1", "s2", "u9")] == [10, 20, 20]
    assert units["s2"].self_total == _by_code(_grade(policy, sheets))["s2"].total == 0


def test_a_form_for_another_rubric_stops_grading(run: Run, sheets: Path, tmp_path: Path):
    form = tmp_path / "form.xlsx"
    assert run("appraisal", sheets, "--out", form).exit_code == 0
    other = tmp_path / "other"
    other.mkdir()
    for p in sheets.iterdir():
        (other / p.name).write_bytes(p.read_bytes())
    (other / "rubric.yaml").write_text(POLICY.replace('version: "1"', 'version: "2"'), "utf-8")
    result = run("grade", other, "--appraisal", form)
    assert result.exit_code == 2 and "made for rubric policy version 1" in result.stderr


def test_form_rows_past_a_wrong_declared_size_are_read(
    policy: Rubric, sheets: Path, tmp_path: Path
):
    import re
    import zipfile

    made = tmp_path / "form.xlsx"
    ap.build_form(policy, _grade(policy, sheets).units).save(made)
    _fill_form(made, {("x3", "2.1"): (0, None, "không có")})  # one of the last rows
    shrunk = tmp_path / "shrunk.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(shrunk, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:I6"', data)
            dst.writestr(item, data)
    form = ap.read_appraisal(shrunk)
    assert ("x3", "2.1") in {(r.unit, r.criterion) for r in form.rows}


def test_hostile_appraisal_values(policy: Rubric, sheets: Path, tmp_path: Path):
    form = tmp_path / "f.csv"
    form.write_text(
        "Mã đơn vị,Mã tiêu chí,Thẩm định,Không áp dụng (lý do),Ghi chú thẩm định\n"
        's1,1.1,"1.500",,\n'  # 1.5 or 1500? not guessed
        "s2,1.1,-1,,\n"
        "s3,2,5,,\n"  # a parent
        "s3,1.1,,,\n"
        "s3,1.1,10,,\n"  # a second row for the same criterion
        "x1,1.1,12.3456,,\n"
        "x2,1.1,17,5,\n"  # 17,5 typed without quotes: 17 points and a "reason" 5
        "x3,1.1,0.500,,\n",  # a leading 0: 0.5, not five hundred
        encoding="utf-8",
    )
    report = _grade(policy, sheets, ap.read_appraisal(form))
    codes = {u.code: sorted(i.code for i in u.issues) for u in report.units}
    assert codes["s1"] == ["ambiguous-value"] and codes["s2"] == ["below-minimum"]
    assert codes["s3"] == ["duplicate-criterion", "not-a-leaf"]
    assert codes["x1"] == ["too-many-decimals"] and _by_code(report)["x1"].points["1.1"] == D(
        "12.35"
    )
    assert codes["x2"] == ["ambiguous-value"]
    assert codes["x3"] == [] and _by_code(report)["x3"].points["1.1"] == D("0.5")


def test_a_parent_none_of_whose_parts_apply_to_a_group(make_sheet: Any, tmp_path: Path):
    rubric = parse_rubric(
        textwrap.dedent(
            """\
            id: parts
            version: "1"
            title: "Thử"
            year: 2021
            issuer: "Sở"
            groups: [{id: so, label: "Sở"}, {id: xa, label: "Xã"}]
            criteria:
              - {id: "1", title: "Chung", max: 10, method: {type: direct}}
              - id: "2"
                title: "Chỉ cho sở"
                children:
                  - {id: "2.1", title: "Phần", max: 5, groups: [so], method: {type: direct}}
            """
        )
    )
    assert rubric.max_for(rubric.criterion("2"), "xa") == 0
    sheets = tmp_path / "s"
    make_sheet(UNITS["x1"], {"1": {"points": 7}}, rubric=rubric, folder=sheets)
    (x1,) = _grade(rubric, sheets).units
    assert x1.status is Status.GRADED and "2" not in x1.subtotals
    assert (x1.base_max, x1.total) == (10, 7)


def test_an_appraisal_form_may_be_longer_than_a_score_sheet(tmp_path: Path):
    """A form has a row per unit and criterion: 208 units × 35 criteria is 7,280 rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ap.SHEET
    ws.append(list(ap.HEADERS.values()))
    for i in range(7300):
        ws.append([f"u{i}", "Đơn vị", "1.1", "Tiêu chí", 10, 5, None, None, None])
    wb.save(tmp_path / "long.xlsx")
    form = ap.read_appraisal(tmp_path / "long.xlsx")
    assert len(form.rows) == 7300


def test_a_typed_total_is_compared_under_a_normalised_criterion(
    policy: Rubric, make_sheet: Any, tmp_path: Path, run: Run
):
    """The sheet's formulas count a normalised criterion 0 (only grading knows the group's
    best): its total and the subtotals above that criterion are compared with those, not
    skipped. s1's formulas give area 1 = 36 + 0 + 20 = 56 and 56 + 20 + 5 = 81."""

    def typed(wb: Any) -> None:
        ws = wb["Bảng điểm"]
        total_row = next(c.row for c in ws["B"] if c.value == "TỔNG ĐIỂM")
        ws[f"G{total_row}"] = 99  # the unit overwrote its total formula with a number
        area_row = next(c.row for c in ws["A"] if c.value == "1")
        ws[f"G{area_row}"] = 56  # what the formula gives: no warning

    folder = tmp_path / "typed"
    make_sheet(UNITS["s1"], VALUES["s1"], rubric=policy, folder=folder, edit=typed)
    rubric = tmp_path / "policy.yaml"
    rubric.write_text(POLICY, encoding="utf-8")
    result = run("grade", folder, "-r", rubric, "-f", "json", "-q")
    assert result.exit_code == 0, result.stderr
    (unit,) = json.loads(result.stdout)["units"]
    assert unit["total"] == 101  # alone, s1 sets the reference: 1.2 gives 20
    assert [(i["code"], i["cell"]) for i in unit["issues"]] == [("total-mismatch", "G21")]
    (issue,) = unit["issues"]
    assert "shows 99 for the total" in issue["message"] and "81" in issue["message"]
