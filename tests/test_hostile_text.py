"""Text no workbook can hold, from a roster (a BEL, an ESC, a Word manual line break U+000B in a
unit's name): the template and the appraisal form are still written, the names cleaned where
they go into the workbook (text.xml_safe), the codes exact."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from ictscore.roster import Unit
from ictscore.sheets import layout
from ictscore.sheets.fill import fill_workbook
from tests.conftest import SMALL_RUBRIC, Run, full_values

ROSTER = (
    "code,name,group,parent\n"
    'so-a,"Sở\x07 Tài chính\x1b[2J",so,\n'
    'xa-b,"Xã\x0bBình\x1b]0;x\x07",xa,so-a\n'
)


def _rubric(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_RUBRIC, encoding="utf-8")
    return path


def _all_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def test_template_with_control_characters_in_names(run: Run, tmp_path: Path):
    roster = tmp_path / "units.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "sheets"
    result = run("template", "-r", _rubric(tmp_path), "-u", roster, "-o", out)
    assert result.exit_code == 0, result.stderr
    made = sorted(p.name for p in out.iterdir())
    assert len(made) == 2, made
    for path in out.iterdir():
        text = _all_text(path)
        assert "\x07" not in text and "\x1b" not in text and "\x0b" not in text
    so = next(p for p in out.iterdir() if p.name.startswith("so-a"))
    text = _all_text(so)
    assert "Sở\ufffd Tài chính\ufffd[2J" in text  # seen as something that was there
    wb = openpyxl.load_workbook(so)
    record = {r[0].value: r[1].value for r in wb[layout.META_SHEET].iter_rows() if r[0].value}
    assert record["unit_code"] == "so-a"
    xa = next(p for p in out.iterdir() if p.name.startswith("xa-b"))
    assert "Bình\ufffd]0;x\ufffd" in _all_text(xa)  # an OSC sequence, defused


def test_appraisal_form_with_control_characters_in_names(run: Run, tmp_path: Path):
    roster = tmp_path / "units.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    rubric = _rubric(tmp_path)
    out = tmp_path / "sheets"
    assert run("template", "-r", rubric, "-u", roster, "-o", out).exit_code == 0
    for path in out.iterdir():
        wb = openpyxl.load_workbook(path)
        group = "so" if path.name.startswith("so") else "xa"
        fill_workbook(wb, full_values(Unit("x", "x", group)))
        wb.save(path)
    form = tmp_path / "tham-dinh.xlsx"
    result = run("appraisal", out, "-r", rubric, "-u", roster, "--out", form)
    assert form.exists(), result.stderr
    assert result.exit_code in (0, 1), result.stderr
    text = _all_text(form)
    assert "\x07" not in text and "\x1b" not in text
    assert "Sở\ufffd Tài chính" in text
    graded = run("grade", out, "-r", rubric, "-u", roster, "-f", "json", "-q")
    data = json.loads(graded.stdout)
    names = {u["code"]: u["name"] for u in data["units"]}
    assert names["so-a"] == "Sở\x07 Tài chính\x1b[2J"  # the JSON keeps the roster's name exact
