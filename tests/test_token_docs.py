"""What docs/sheet-format.md says of `token-mismatch` and `suspect-sheet` is what grading does:
next to the genuine sheet, an edited sheet is only `suspect-sheet` (its message gives the token
as the reason); without a genuine sheet it is `token-mismatch` (alone, or with `duplicate-unit`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import SO_UNIT, Run, full_values
from tests.test_impersonation import OTHER, _claim, _grade

THIRD = OTHER.__class__("so-c", "Sở Ba", "so")


def test_next_to_the_genuine_sheet_only_suspect_sheet(run: Run, make_sheet: Any, tmp_path: Path):
    make_sheet(SO_UNIT, name="a.xlsx")
    forged = make_sheet(OTHER, full_values(OTHER), name="b.xlsx", edit=_claim("so-a", "Sở A"))
    _, data = _grade(run, forged.parent, tmp_path)
    (unit,) = data["units"]
    assert (unit["status"], unit["issues"]) == ("graded", [])
    (issue,) = data["issues"]
    assert issue["code"] == "suspect-sheet"
    assert "token does not match" in issue["message"]


def test_without_a_genuine_sheet_duplicate_unit_and_token_mismatch(
    run: Run, make_sheet: Any, tmp_path: Path
):
    make_sheet(OTHER, full_values(OTHER), name="b.xlsx", edit=_claim("so-a", "Sở A"))
    make_sheet(THIRD, full_values(THIRD), name="c.xlsx", edit=_claim("so-a", "Sở A"))
    _, data = _grade(run, tmp_path / "sheets", tmp_path)
    (unit,) = data["units"]
    assert unit["status"] == "invalid"
    assert [i["code"] for i in unit["issues"]] == [
        "duplicate-unit",
        "duplicate-unit",
        "token-mismatch",
        "token-mismatch",
    ]


def test_the_readme_says_the_hidden_record_holds_the_unit_token():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    holds = readme.split("Each sheet holds:", 1)[1].split("\n\n", 1)[0]
    (record,) = [item for item in holds.split("\n- ") if "hidden record" in item]
    assert "token" in record
