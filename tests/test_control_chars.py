"""Control characters in names, typed values and file names (issue 13): every writer answers,
each in its medium's way. Workbooks and the page hold them as text can (a Word line break is a
line break, other controls a visible U+FFFD); the terminal and stderr show them as escapes (no ESC
reaches the screen, no newline forges an issue line); JSON keeps them exact."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import SMALL_RUBRIC, XA_UNIT, Run, full_values

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""Any C0 control but the newline and tab, or DEL: nothing of the kind may reach a screen."""

BEL_NAME = "Sở \x07Chuông\x1b[2J"
FORGED_NAME = "Sở Xuống\x0bdòng\nerror[forged-issue] giả: x"
"""A name in a sheet's hidden record (a roster's names have their whitespace collapsed)."""
WORD_VALUE = "12_x000B_5 _x001B_[2J"
"""What Word's manual line break and an ESC look like in the xlsx file (python-calamine reads
them back as U+000B and U+001B)."""
STRAY = "stray\x1b[2Jname\nerror[forged-file].txt"


@pytest.fixture
def hostile(make_sheet, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(folder, roster, rubric): two departments whose roster names hold BEL, ESC, U+000B and a
    newline, one of them typing a Word line break and an ESC into a points cell and its
    evidence; a commune as it should be; a stray file whose name holds ESC and a newline."""
    from ictscore.roster import Unit

    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    bel, forged = Unit("so-a", "Sở A", "so"), Unit("so-b", "Sở B", "so")
    make_sheet(bel)
    values = full_values(forged)
    values["2.2.a"] = {"points": WORD_VALUE}

    def evidence(wb) -> None:
        ws = wb["Bảng điểm"]
        for row in ws.iter_rows():
            if row[0].value == "2.1":
                row[7].value = "Văn bản_x000B_số 12_x0007_"
        for key, value in wb["_ictscore"].iter_rows():
            if key.value == "unit_name":
                value.value = "Sở Xuống_x000B_dòng_x000A_error[forged-issue] giả: x"

    make_sheet(forged, values, edit=evidence)
    make_sheet(XA_UNIT)
    folder = tmp_path / "sheets"
    (folder / STRAY).write_text("not a sheet", encoding="utf-8")
    roster = tmp_path / "units.csv"
    roster.write_text(
        "code,name,group,parent\n"
        f'so-a,"{BEL_NAME}",so,\n'
        "so-b,Sở B,so,\n"
        "900,Huyện Thử,xa,\n"
        f"{XA_UNIT.code},{XA_UNIT.name},xa,900\n",
        encoding="utf-8",
    )
    return folder, roster, rubric


def _no_raw_controls(text: str) -> None:
    assert not RAW_CONTROL.search(text), repr(RAW_CONTROL.findall(text))


def test_every_output_is_written_and_terminal_text_is_escaped(
    run: Run, hostile: tuple[Path, Path, Path], tmp_path: Path
):
    folder, roster, rubric = hostile
    out = tmp_path / "out"
    args = ["grade", folder, "--units", roster, "--rubric", rubric]
    result = run(
        *args,
        "-o",
        out / "r.xlsx",
        "-o",
        out / "r.html",
        "-o",
        out / "r.json",
        "--feedback",
        out / "fb",
    )
    assert result.exit_code == 1, result.stderr  # the stray file is an error, nothing crashed
    for text in (result.stdout, result.stderr):
        _no_raw_controls(text)
    # one issue is one line: no line starts with a forged label
    lines = result.stderr.splitlines()
    assert not any(line.startswith(("error[forged", "error[forged-file]")) for line in lines)
    assert "\\x1b[2J" in result.stderr  # the stray file's name, escaped
    assert "\\x1b[2J" in result.stdout  # the unit name in the table, escaped
    # JSON: the exact names
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    names = {u["code"]: u["name"] for u in data["units"]}
    assert names["so-a"] == BEL_NAME
    # the workbook: every sheet written, the names as text can hold them
    wb = openpyxl.load_workbook(out / "r.xlsx")
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "Sở \ufffdChuông\ufffd[2J" in cells
    # the page: valid, no control characters
    page = (out / "r.html").read_text(encoding="utf-8")
    _no_raw_controls(page)
    HTMLParser().feed(page)
    assert "Sở \ufffdChuông\ufffd[2J" in page
    # the feedback: a workbook per unit with a sheet, the typed value kept readable
    written = sorted(p.name for p in (out / "fb").iterdir())
    assert written == ["10001-phan-hoi.xlsx", "so-a-phan-hoi.xlsx", "so-b-phan-hoi.xlsx"]
    fb = openpyxl.load_workbook(out / "fb" / "so-b-phan-hoi.xlsx")
    texts = [str(c) for row in fb["Phản hồi"].iter_rows(values_only=True) for c in row if c]
    # the unit's own cells as its file has them (openpyxl keeps Word's escapes as they are)
    assert fb["Bảng điểm"]["H" + str(_row_of(fb, "2.1"))].value == "Văn bản_x000B_số 12_x0007_"
    assert any("12\n5 \ufffd[2J" in t for t in texts)  # the issue quoting the typed value


def _row_of(wb, criterion: str) -> int:
    return next(r[0].row for r in wb["Bảng điểm"].iter_rows() if r[0].value == criterion)


def test_a_record_name_with_a_newline_forges_no_line(run: Run, hostile, tmp_path: Path):
    folder, _, rubric = hostile
    out = tmp_path / "out"
    result = run("grade", folder, "--rubric", rubric, "-o", out / "r.xlsx", "-o", out / "r.json")
    for text in (result.stdout, result.stderr):
        _no_raw_controls(text)
        assert not any(line.startswith("error[forged") for line in text.splitlines())
    assert "Sở Xuống\\x0bdòng\\nerror[forged-issue]" in result.stdout
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert {u["code"]: u["name"] for u in data["units"]}["so-b"] == FORGED_NAME
    wb = openpyxl.load_workbook(out / "r.xlsx")
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "Sở Xuống\ndòng\nerror[forged-issue] giả: x" in cells


def test_check_card_and_plain_table_escape_controls(run: Run, hostile: tuple[Path, Path, Path]):
    folder, roster, rubric = hostile
    result = run("check", folder / "so-b.xlsx", "--rubric", rubric)
    for text in (result.stdout, result.stderr):
        _no_raw_controls(text)
    assert "Sở Xuống\\x0bdòng\\nerror[forged-issue]" in result.stdout
    assert not any(line.startswith("error[forged") for line in result.stdout.splitlines())
    csv_run = run("grade", folder, "--units", roster, "--rubric", rubric, "-f", "csv", "-q")
    assert BEL_NAME in csv_run.stdout  # CSV keeps the exact text (a quoted field)
