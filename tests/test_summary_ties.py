"""Units tied at the highest or lowest total (issue 13): two real names hold a comma, so tied
units are not joined with ", " but listed one a line, each with its code."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.conftest import SMALL_RUBRIC, Run, full_values

COMMA_A = "Sở Văn hóa, Thể thao và Du lịch"
COMMA_B = "Sở Lao động, Thương binh và Xã hội"


def test_tied_units_with_commas_in_their_names_read_apart(run: Run, make_sheet, tmp_path: Path):
    from ictscore.roster import Unit

    low = full_values(Unit("so-c", "", "so"))
    low["2.2.a"] = {"points": 1}
    make_sheet(Unit("so-a", COMMA_A, "so"))
    make_sheet(Unit("so-b", COMMA_B, "so"))
    make_sheet(Unit("so-c", "Sở Y tế", "so"), low)
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    out = tmp_path / "out"
    result = run(
        "grade",
        tmp_path / "sheets",
        "--rubric",
        rubric,
        "-f",
        "json",
        "-o",
        out / "r.xlsx",
        "-o",
        out / "r.html",
    )
    assert result.exit_code == 0, result.stderr
    ranks = {u["code"]: u["rank"] for u in json.loads(result.stdout)["units"]}
    assert ranks == {"so-a": 1, "so-b": 1, "so-c": 3}
    ws = openpyxl.load_workbook(out / "r.xlsx")["Tổng hợp"]
    rows = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    assert rows["Đơn vị cao nhất"].split("\n") == [f"{COMMA_A} (so-a)", f"{COMMA_B} (so-b)"]
    assert rows["Đơn vị thấp nhất"] == "Sở Y tế"  # one unit: its name alone, as before
    page = (out / "r.html").read_text(encoding="utf-8")
    assert (
        f'<span class="who"><span>{COMMA_A} (so-a)</span><span>{COMMA_B} (so-b)</span></span>'
        in page
    )
    assert '<span class="who"><span>Sở Y tế</span></span>' in page
