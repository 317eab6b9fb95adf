"""The CLI as a user runs it: exit codes, stdout (data) versus stderr (issues), outputs."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ictscore import __version__
from ictscore.roster import Unit
from tests.conftest import EXAMPLES, ROOT, SMALL_RUBRIC, SO_UNIT, Run


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_grade_examples_exits_0_and_prints_the_ranked_tables(run: Run):
    result = run("grade", EXAMPLES / "sheets")
    assert result.exit_code == 0, result.stderr
    assert "Cơ quan ngành dọc" in result.stdout and "UBND cấp xã" in result.stdout
    assert "Tốt" in result.stdout
    assert (
        "32 graded, 0 invalid; 0 error(s), 0 warning(s); units that sent nothing are not "
        "counted without a roster (--units)"
    ) in result.stderr
    assert "error" not in result.stdout.lower()


def test_grade_json_is_the_documented_contract(run: Run):
    result = run("grade", EXAMPLES / "sheets", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format"] == "ictscore-report/1"
    assert set(data["rubric"]) >= {"id", "version", "hash"}
    assert data["rubric"]["id"] == "tiengiang-2020" and len(data["rubric"]["hash"]) == 64
    assert len(data["units"]) == 32 and data["issues"] == []
    unit = data["units"][0]
    assert set(unit) >= {
        "code",
        "name",
        "group",
        "file",
        "status",
        "points",
        "subtotals",
        "total",
        "band",
        "rank",
        "issues",
    }
    sign = {"base": 1, "bonus": 1, "penalty": -1}
    for u in data["units"]:  # every total adds up from its published area subtotals
        assert u["status"] == "graded"
        areas = {a["id"]: sign[a["kind"]] * u["subtotals"][a["id"]] for a in data["areas"]}
        assert round(sum(areas.values()), 2) == u["total"] == u["raw_total"] == u["self_total"]
        for a in data["areas"]:  # an uncapped area is the sum of its leaves
            leaves = [v for k, v in u["points"].items() if k.split(".")[0] == a["id"]]
            if a["kind"] != "penalty":
                assert round(sum(leaves), 2) == u["subtotals"][a["id"]]
            else:  # the penalty area stops at 5 points
                assert u["subtotals"][a["id"]] == min(5, round(sum(leaves), 2))
    xa = [u for u in data["units"] if u["group"] == "xa"]
    assert [u["rank"] for u in xa] == sorted(u["rank"] for u in xa)
    tied = [u for u in xa if u["code"] in ("28360", "28363")]
    assert tied[0]["rank"] == tied[1]["rank"] and tied[0]["total"] == tied[1]["total"]


def test_grade_mistakes_reports_each_with_its_location_and_exits_1(run: Run):
    folder = EXAMPLES / "mistakes"
    result = run("grade", folder, "--rubric", "tiengiang-2020", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    found = {
        (Path(i["file"]).name, i["code"], i["cell"]) for u in data["units"] for i in u["issues"]
    }
    assert found == {
        ("01-above-max-so-xay-dung.xlsx", "above-maximum", "E17"),
        ("02-text-in-number-28291.xlsx", "not-a-number", "E9"),
        ("03-missing-value-28438.xlsx", "missing-value", "E11"),
        ("04-zero-denominator-819.xlsx", "zero-denominator", "F9"),
        ("05-changed-max-so-tn-mt.xlsx", "max-changed", "D17"),
        ("06-old-rubric-version-820.xlsx", "wrong-rubric-version", None),
        ("07-duplicate-unit-28594-1.xlsx", "duplicate-unit", None),
        ("07-duplicate-unit-28594-2.xlsx", "duplicate-unit", None),
    }
    assert "02-text-in-number-28291.xlsx:Bảng điểm!E9: criterion 1.1" in result.stderr
    assert 'found text "khoảng 20"' in result.stderr


def test_a_sheet_of_another_rubric_with_other_groups_is_listed_not_hidden(
    run: Run, make_sheet, small_rubric, tmp_path: Path
):
    from ictscore.roster import Unit

    folder = tmp_path / "sheets"
    make_sheet(Unit("28249", "Phường 5", "so"), folder=folder)  # the small rubric's group "so"
    out = tmp_path / "r.xlsx"
    result = run("grade", folder, "--rubric", "tiengiang-2020", "-o", out)
    assert result.exit_code == 1
    assert "error[wrong-rubric]" in result.stderr and "unknown-group" not in result.stderr
    assert "Đơn vị ngoài các nhóm của bảng điểm (1)" in result.stdout
    assert "28249" in result.stdout
    rows = list(openpyxl.load_workbook(out)["Ngoài các nhóm"].iter_rows(values_only=True))
    assert rows[3][:4] == ("28249", "Phường 5", "so", "Không hợp lệ")


def test_mixed_rubrics_without_rubric_option_is_a_clear_error(run: Run):
    result = run("grade", EXAMPLES / "mistakes")
    assert result.exit_code == 2
    assert "made from different rubrics" in result.stderr and "--rubric" in result.stderr
    assert result.stdout == ""


def test_invalid_rubric_exits_2_with_every_problem(run: Run, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\ntitle: t\nyear: 1800\nissuer: s\n", encoding="utf-8")
    result = run("grade", EXAMPLES / "sheets", "--rubric", bad)
    assert result.exit_code == 2
    assert f"{bad}:4: year: must be 1990 or more, found 1800" in result.stderr
    assert f"{bad}:1: groups: a required key is missing" in result.stderr


def test_bad_arguments_exit_2(run: Run, tmp_path: Path):
    assert run("grade", tmp_path / "nope").exit_code == 2
    assert run("grade", tmp_path).exit_code == 2  # an empty folder: nothing to grade
    (tmp_path / "a.xltx").write_bytes(b"")
    only_xls = run("grade", tmp_path)
    assert only_xls.exit_code == 2 and "(other files: " in only_xls.stderr
    (tmp_path / "empty.xlsx").write_bytes(b"")
    unreadable = run("grade", tmp_path)
    assert unreadable.exit_code == 2
    assert "no readable score sheet records its rubric (1 unreadable: " in unreadable.stderr
    assert "empty.xlsx: the file is empty (0 bytes)" in unreadable.stderr
    assert "a.xltx: .xltx files are not read" in only_xls.stderr
    assert run("grade", EXAMPLES / "sheets", "--format", "yaml").exit_code == 2
    assert run("--version").stdout.strip() == f"ictscore {__version__}"


def test_roster_reports_missing_units(run: Run):
    result = run(
        "grade", EXAMPLES / "sheets", "--units", EXAMPLES / "units.csv", "-f", "csv", "--quiet"
    )
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 208
    assert sum(r["status"] == "missing" for r in rows) == 208 - 32
    assert "176 missing" in result.stderr


def test_outputs_are_written_atomically_and_never_overwritten(run: Run, tmp_path: Path):
    for suffix in ("json", "csv", "xlsx"):
        out = tmp_path / f"results.{suffix}"
        assert run("grade", EXAMPLES / "sheets", "-o", out, "-q").exit_code == 0
        assert out.is_file()
        again = run("grade", EXAMPLES / "sheets", "-o", out, "-q")
        assert again.exit_code == 2 and "already exists" in again.stderr
        assert run("grade", EXAMPLES / "sheets", "-o", out, "--force", "-q").exit_code == 0
    assert not list(tmp_path.glob(".*tmp"))
    wb = openpyxl.load_workbook(tmp_path / "results.xlsx")
    assert wb.sheetnames[:5] == [
        "Tổng hợp",
        "Cơ quan ngành dọc",
        "Sở, ban, ngành tỉnh",
        "UBND cấp huyện",
        "UBND cấp xã",
    ]  # the whole workbook: tests/test_results_workbook.py
    ws = wb["UBND cấp xã"]
    headers = [c.value for c in ws[3]]
    assert ws["A4"].value == 1 and headers[headers.index("8. Điểm trừ") + 1] == "Tổng điểm"
    assert run("grade", EXAMPLES / "sheets", "-o", tmp_path / "r.txt").exit_code == 2


def test_output_never_goes_into_the_graded_folder(run: Run, make_sheet, tmp_path: Path):
    folder = tmp_path / "sheets"
    sheet = make_sheet(folder=folder)
    before = sheet.read_bytes()
    (folder / "rubric.yaml").write_text(SMALL_RUBRIC, encoding="utf-8")
    for target in (sheet, folder / "results.xlsx"):
        result = run("grade", folder, "-o", target, "--force")
        assert result.exit_code == 2 and "inside the folder being graded" in result.stderr
    assert sheet.read_bytes() == before and not (folder / "results.xlsx").exists()


def test_grade_check_and_template_never_touch_their_inputs(run: Run, tmp_path: Path):
    before = _snapshot(EXAMPLES)
    run("grade", EXAMPLES / "sheets", "--units", EXAMPLES / "units.csv", "-o", tmp_path / "r.json")
    run("grade", EXAMPLES / "mistakes", "--rubric", "tiengiang-2020")
    run("check", EXAMPLES / "sheets" / "28249-phuong-5.xlsx")
    run(
        "template",
        "--rubric",
        "tiengiang-2020",
        "--units",
        EXAMPLES / "units.csv",
        "--out",
        tmp_path / "t",
        "--unit",
        "815",
    )
    assert _snapshot(EXAMPLES) == before


def test_check_one_sheet(run: Run, make_sheet, tmp_path: Path):
    result = run("check", EXAMPLES / "sheets" / "28249-phuong-5.xlsx")
    assert result.exit_code == 0
    assert "28249" in result.stdout and "1 graded" in result.stderr
    bad = run("check", EXAMPLES / "mistakes" / "02-text-in-number-28291.xlsx")
    # the card lists the unit's issues after its points (stdout); stderr keeps the summary
    assert bad.exit_code == 1 and "not-a-number" in bad.stdout
    assert "0 graded, 1 invalid" in bad.stderr
    assert run("check", tmp_path / "missing.xlsx").exit_code == 2
    (tmp_path / "fake.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    fake = run("check", tmp_path / "fake.xlsx")
    assert fake.exit_code == 1
    assert f"{tmp_path / 'fake.xlsx'}: not a spreadsheet: a PDF document" in fake.stderr


def test_template_for_all_208_units(run: Run, tmp_path: Path):
    out = tmp_path / "sheets"
    result = run(
        "template", "--rubric", "tiengiang-2020", "--units", EXAMPLES / "units.csv", "--out", out
    )
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 208 and len(set(files)) == 208
    assert all(name.isascii() and " " not in name for name in files)
    assert "28249-phuong-5.xlsx" in files and "so-noi-vu-so-noi-vu.xlsx" in files
    again = run(
        "template",
        "--rubric",
        "tiengiang-2020",
        "--units",
        EXAMPLES / "units.csv",
        "--out",
        out,
        "--unit",
        "815",
    )
    assert again.exit_code == 2 and "already exist" in again.stderr
    # blank templates grade as invalid (every value missing), never as zero
    blank = run("grade", out, "-q")
    assert blank.exit_code == 1 and "0 graded, 208 invalid" in blank.stderr


def test_template_unknown_unit_and_group(run: Run, tmp_path: Path):
    result = run(
        "template",
        "--rubric",
        "tiengiang-2020",
        "--units",
        EXAMPLES / "units.csv",
        "--out",
        tmp_path,
        "--unit",
        "nope",
    )
    assert result.exit_code == 2 and "no unit with code nope" in result.stderr
    roster = tmp_path / "units.csv"
    roster.write_text("code,name,group,parent\nx1,Xã Một,thon,\nx1,Xã Hai,xa,\n", "utf-8")
    result = run("template", "--rubric", "tiengiang-2020", "--units", roster, "--out", tmp_path)
    assert result.exit_code == 2 and f"{roster}:3: duplicate code 'x1'" in result.stderr


def test_template_sheet_is_protected_and_typed(tmp_path: Path, small_rubric):
    from ictscore.sheets import layout
    from ictscore.sheets.template import build_template

    wb = build_template(small_rubric, SO_UNIT, password="bí mật")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.SCORE_SHEET]
    assert ws.protection.sheet and wb[layout.META_SHEET].sheet_state == "veryHidden"
    assert wb.security.lockStructure
    assert ws["E9"].protection.locked is False and ws["D9"].protection.locked is True
    kinds = {
        str(dv.sqref): (dv.type, dv.formula1, dv.formula2)
        for dv in ws.data_validations.dataValidation
    }
    assert kinds["E9"] == ("decimal", "0", None)  # numerator: a non-negative number
    assert kinds["E10"] == ("list", '"Có,Không"', None)
    assert kinds["E14"] == ("decimal", "0", "15")  # direct points 0..15
    assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$7:$7"  # 9 = A4
    assert ws["G9"].value.startswith("=IF(") and ws["A9"].value == "1.1"


@pytest.mark.skipif(os.name != "posix", reason="uses a POSIX shell")
def test_python_dash_m_and_console_script(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "ictscore", "grade", str(EXAMPLES / "sheets"), "-f", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["summary"]["graded"] == 32
    assert done.stderr.count("\x1b[") == 0  # no colours or progress bar when not a terminal
    helped = subprocess.run(
        [sys.executable, "-m", "ictscore", "--help"], capture_output=True, text=True, check=False
    )
    assert helped.returncode == 0 and "template" in helped.stdout and "grade" in helped.stdout


def test_exports_never_turn_data_into_formulas(run: Run, make_sheet, tmp_path: Path):
    folder = tmp_path / "sheets"
    hostile = Unit("so-x", '=HYPERLINK("http://evil.example","Bấm")', "so")
    make_sheet(hostile, folder=folder)
    make_sheet(Unit("so-y", "@SUM(1+1)", "so"), folder=folder)
    (folder / "rubric.yaml").write_text(SMALL_RUBRIC, encoding="utf-8")
    assert run("grade", folder, "-o", tmp_path / "r.csv", "-q").exit_code == 0
    assert run("grade", folder, "-o", tmp_path / "r.xlsx", "-q").exit_code == 0
    text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert ",'=HYPERLINK(" in text.replace('"', "") and ",'@SUM(1+1)," in text
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    names = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert '\'=HYPERLINK("http://evil.example","Bấm")' in names and "'@SUM(1+1)" in names
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_output_in_a_folder_where_no_file_can_be_made_says_so(run: Run, tmp_path: Path):
    """/proc exists and is a folder, but no file can be created in it: the refusal says that,
    not "No such file or directory"."""
    result = run("grade", EXAMPLES / "sheets", "-o", "/proc/x.xlsx")
    assert result.exit_code == 2
    assert "Error: /proc/x.xlsx: cannot write: no file can be created in /proc" in result.stderr
    assert "No such file or directory" not in result.stderr
    feedback = run("grade", EXAMPLES / "sheets", "--feedback", "/proc/fb")
    assert feedback.exit_code == 2 and "no file can be created in /proc" in feedback.stderr
