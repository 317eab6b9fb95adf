"""Review fixes to `compare`: two files of the same year told apart, the CSV's `parent` as in
the results file (the code; `parent_name` the name), the JSON's units in the tables' order, the
minus sign of the other Vietnamese outputs, and a file that is not UTF-8 refused in words."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import pytest

from tests.conftest import Run, grade_examples


@pytest.fixture(scope="module")
def this_year() -> dict:
    return grade_examples()


def _lower(this: dict, year: int | None) -> dict:
    """The same results, every graded total 1 point lower (so this year rose by 1)."""
    last = copy.deepcopy(this)
    last["rubric"]["year"] = year
    for u in last["units"]:
        if u["status"] == "graded":
            u["total"] = round(u["total"] - 1, 2)
    return last


def _files(tmp_path: Path, last: dict, this: dict) -> tuple[Path, Path]:
    a, b = tmp_path / "truoc.json", tmp_path / "sau.json"
    a.write_text(json.dumps(last, ensure_ascii=False), encoding="utf-8")
    b.write_text(json.dumps(this, ensure_ascii=False), encoding="utf-8")
    return a, b


def test_a_results_file_that_is_not_utf8(this_year: dict, tmp_path: Path, run: Run):
    good = tmp_path / "ket-qua.json"
    good.write_text(json.dumps(this_year), encoding="utf-8")
    bad = tmp_path / "ket-qua-2019.json"
    bad.write_bytes(b"\xff\xfe{\x00}\x00")
    result = run("compare", bad, good)
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "codec" not in err and "0xff" not in err
    assert (
        "ket-qua-2019.json: not UTF-8 text: is this a results file written by "
        "`ictscore grade -o results.json`?" in err
    )


def test_a_mapping_that_is_not_utf8(this_year: dict, tmp_path: Path, run: Run):
    good = tmp_path / "ket-qua.json"
    good.write_text(json.dumps(this_year), encoding="utf-8")
    mapping = tmp_path / "doi-ma.csv"
    mapping.write_bytes("old,new\n3.2,3.2.a\n".encode("utf-16"))
    result = run("compare", good, good, "--mapping", mapping)
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "codec" not in err and "doi-ma.csv: not UTF-8 text" in err


def test_falls_are_written_with_the_minus_sign(this_year: dict, tmp_path: Path, run: Run):
    # last year 1 point higher: every change a fall
    last = copy.deepcopy(this_year)
    last["rubric"]["year"] = 2019
    for u in last["units"]:
        if u["status"] == "graded":
            u["total"] = round(u["total"] + 1, 2)
    files = _files(tmp_path, last, this_year)
    out = run("compare", *files).stdout
    assert "−1,00" in out
    assert not re.search(r"(?<![\w-])-\d", out), re.search(r".*(?<![\w-])-\d.*", out)
    rows = list(csv.DictReader(io.StringIO(run("compare", *files, "-f", "csv").stdout)))
    assert {r["change"] for r in rows if r["status"] == "both"} == {"-1"}
    data = json.loads(run("compare", *files, "-f", "json").stdout)
    assert {u["change"] for u in data["units"] if u["status"] == "both"} == {-1}


def test_the_json_units_follow_the_rubric_s_groups(this_year: dict, tmp_path: Path, run: Run):
    files = _files(tmp_path, _lower(this_year, 2019), this_year)
    data = json.loads(run("compare", *files, "-f", "json").stdout)
    order = [g["id"] for g in this_year["groups"]]
    groups = [order.index(u["group"]) for u in data["units"]]
    assert groups == sorted(groups)
    csv_codes = [
        r["code"] for r in csv.DictReader(io.StringIO(run("compare", *files, "-f", "csv").stdout))
    ]
    assert [u["code"] for u in data["units"]] == csv_codes


def test_the_csv_parent_is_the_code_as_in_the_results_file(
    this_year: dict, tmp_path: Path, run: Run
):
    files = _files(tmp_path, _lower(this_year, 2019), this_year)
    rows = list(csv.DictReader(io.StringIO(run("compare", *files, "-f", "csv").stdout)))
    unit = next(u for u in this_year["units"] if u["code"] == "28249")
    row = next(r for r in rows if r["code"] == "28249")
    assert unit["parent"] and row["parent"] == unit["parent"]
    assert row["parent_name"] == "Thành phố Mỹ Tho"
    data = json.loads(run("compare", *files, "-f", "json").stdout)
    listed = next(u for u in data["units"] if u["code"] == "28249")
    assert listed["parent"] == unit["parent"] and listed["parent_name"] == "Thành phố Mỹ Tho"


def test_two_files_of_the_same_year_are_told_apart(this_year: dict, tmp_path: Path, run: Run):
    year = this_year["rubric"]["year"]
    files = _files(tmp_path, _lower(this_year, year), this_year)
    out = run("compare", *files).stdout
    assert f"so với năm {year}" not in out
    assert "so với lần chấm trước" in out
    assert not re.search(rf"Năm {year}\s+Năm {year}", out)  # no two columns headed alike
    header = next(line for line in out.splitlines() if line.strip().startswith("Nhóm"))
    assert re.search(r"Trước\s+Sau", header), header
    summary = run("compare", *files, "--summary").stdout
    assert f"so với năm {year}" not in summary and "lần chấm trước" in summary
    data = json.loads(run("compare", *files, "-f", "json").stdout)
    assert "lần chấm trước" in data["headline"]


def test_files_of_unknown_years_are_told_apart(this_year: dict, tmp_path: Path, run: Run):
    this = copy.deepcopy(this_year)
    this["rubric"]["year"] = None
    out = run("compare", *_files(tmp_path, _lower(this, None), this)).stdout
    assert "so với lần chấm trước" in out and "Năm nay" not in out


def test_the_criteria_note_of_the_same_year(this_year: dict, tmp_path: Path, run: Run):
    year = this_year["rubric"]["year"]
    out = run("compare", *_files(tmp_path, _lower(this_year, year), this_year)).stdout
    assert "cả hai năm" not in out and "(cả hai lần chấm cùng bảng điểm" in out
