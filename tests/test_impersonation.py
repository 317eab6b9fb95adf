"""A sheet claiming another unit's code: each template carries a token of its unit (rubric id,
version and unit code, in the hidden record), so that when several sheets claim one unit the
genuine one is graded and the others are named as suspect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ictscore.roster import Unit
from ictscore.sheets import layout
from tests.conftest import SMALL_RUBRIC, SO_UNIT, Run, full_values

OTHER = Unit("so-b", "Sở Kế hoạch", "so")


def _set(key: str, value: str | None) -> Any:
    def edit(wb: Any) -> None:
        ws = wb[layout.META_SHEET]
        for row in ws.iter_rows(max_col=2):
            if row[0].value == key:
                if value is None:
                    row[0].value = row[1].value = None
                else:
                    row[1].value = value

    return edit


def _claim(code: str, name: str) -> Any:
    """The record edited to claim another unit (its code and name)."""

    def edit(wb: Any) -> None:
        _set("unit_code", code)(wb)
        _set("unit_name", name)(wb)

    return edit


def _grade(run: Run, folder: Path, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    result = run("grade", folder, "-r", rubric, "-f", "json", "-q")
    return result.exit_code, json.loads(result.stdout)


def test_the_template_records_a_token_of_its_unit(make_sheet: Any):
    import openpyxl

    wb = openpyxl.load_workbook(make_sheet())
    record = {r[0].value: r[1].value for r in wb[layout.META_SHEET].iter_rows(max_col=2)}
    assert record["unit_token"] == layout.unit_token("small", "1", SO_UNIT.code)
    assert len(record["unit_token"]) == 16
    assert layout.unit_token("small", "1", "so-b") != record["unit_token"]


def test_an_edited_record_does_not_knock_out_the_genuine_unit(
    run: Run, make_sheet: Any, tmp_path: Path
):
    genuine = make_sheet(SO_UNIT, name="a-genuine.xlsx")
    forged = make_sheet(
        OTHER, full_values(OTHER), name="b-forged.xlsx", edit=_claim(SO_UNIT.code, SO_UNIT.name)
    )
    code, data = _grade(run, genuine.parent, tmp_path)
    assert code == 1
    (unit,) = data["units"]
    assert (unit["code"], unit["status"], unit["file"]) == ("so-a", "graded", str(genuine))
    assert [(i["code"], i["file"]) for i in data["issues"]] == [("suspect-sheet", str(forged))]
    message = data["issues"][0]["message"]
    assert str(genuine) in message and "token" in message and "does not match" in message


def test_a_sheet_without_its_record_does_not_knock_out_the_genuine_unit(
    run: Run, make_sheet: Any, tmp_path: Path
):
    def drop_record(wb: Any) -> None:
        del wb[layout.META_SHEET]

    genuine = make_sheet(SO_UNIT, name="a-genuine.xlsx")
    copied = make_sheet(SO_UNIT, name="b-copied.xlsx", edit=drop_record)
    code, data = _grade(run, genuine.parent, tmp_path)
    assert code == 1
    (unit,) = data["units"]
    assert (unit["status"], unit["file"]) == ("graded", str(genuine))
    assert [(i["code"], i["file"]) for i in data["issues"]] == [("suspect-sheet", str(copied))]
    assert "no hidden record" in data["issues"][0]["message"]


def test_a_genuine_sheet_alone_and_an_old_template_without_token(
    run: Run, make_sheet: Any, tmp_path: Path
):
    make_sheet(SO_UNIT)
    make_sheet(OTHER, full_values(OTHER), edit=_set("unit_token", None))  # before tokens
    code, data = _grade(run, tmp_path / "sheets", tmp_path)
    assert code == 0, data
    assert [(u["code"], u["status"], u["issues"]) for u in data["units"]] == [
        ("so-a", "graded", []),
        ("so-b", "graded", []),
    ]


def test_an_edited_record_alone_is_an_error(run: Run, make_sheet: Any, tmp_path: Path):
    forged = make_sheet(OTHER, full_values(OTHER), edit=_claim("so-z", "Sở Zeta"))
    code, data = _grade(run, forged.parent, tmp_path)
    assert code == 1
    (unit,) = data["units"]
    assert (unit["code"], unit["status"]) == ("so-z", "invalid")
    assert [i["code"] for i in unit["issues"]] == ["token-mismatch"]


def test_two_genuine_copies_are_still_a_duplicate(run: Run, make_sheet: Any, tmp_path: Path):
    make_sheet(SO_UNIT, name="a.xlsx")
    make_sheet(SO_UNIT, name="a-copy.xlsx")
    code, data = _grade(run, tmp_path / "sheets", tmp_path)
    (unit,) = data["units"]
    assert unit["status"] == "invalid"
    assert [i["code"] for i in unit["issues"]] == ["duplicate-unit", "duplicate-unit"]


def test_with_a_roster_the_forged_sheet_is_named_and_its_own_unit_is_missing(
    run: Run, make_sheet: Any, tmp_path: Path
):
    genuine = make_sheet(SO_UNIT, name="a-genuine.xlsx")
    forged = make_sheet(
        OTHER, full_values(OTHER), name="b-forged.xlsx", edit=_claim(SO_UNIT.code, SO_UNIT.name)
    )
    roster = tmp_path / "units.csv"
    roster.write_text("code,name,group,parent\nso-a,Sở A,so,\nso-b,Sở B,so,\n", encoding="utf-8")
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    result = run("grade", genuine.parent, "-r", rubric, "-u", roster, "-f", "json", "-q")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    status = {u["code"]: (u["status"], u["file"]) for u in data["units"]}
    assert status == {"so-a": ("graded", str(genuine)), "so-b": ("missing", None)}
    assert [(i["code"], i["file"]) for i in data["issues"]] == [("suspect-sheet", str(forged))]
