"""`ictscore compare LAST THIS`: year on year, from two results files."""

from __future__ import annotations

import copy
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from ictscore.errors import ResultsFileError
from ictscore.reports.compare import compare, load_mapping, load_results
from tests.conftest import EXAMPLES, Run


@pytest.fixture(scope="module")
def this_year() -> dict:
    result = Run()("grade", EXAMPLES / "sheets", "-f", "json", "-q")
    assert result.exit_code == 0
    return json.loads(result.stdout)


def _last_year(this: dict) -> dict:
    """Last year: every total 2 points lower, 28249 one band lower; 28252 did not exist (a
    merged commune) and 99999 is gone."""
    last = copy.deepcopy(this)
    last["rubric"]["year"] = 2019
    last["units"] = [u for u in last["units"] if u["code"] != "28252"]
    for u in last["units"]:
        u["total"] = round(u["total"] - 2, 2)
        u["points"] = {k: v * 0.5 if k == "1.1" else v for k, v in u["points"].items()}
    gone = copy.deepcopy(last["units"][0])
    gone.update(code="99999", name="Xã Đã Sáp Nhập")
    last["units"].append(gone)
    return last


def test_totals_bands_ranks_new_and_gone(this_year: dict):
    last = _last_year(this_year)
    c = compare(last, this_year)
    units = {u.code: u for u in c.units}
    assert units["28249"].change == 2 and units["28249"].status == "both"
    assert units["28252"].status == "new" and units["99999"].status == "gone"
    totals = [Decimal(str(u["total"])) for u in this_year["units"]]
    this_mean = (sum(totals) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert c.this_mean == this_mean
    assert c.headline.startswith("Năm 2020, điểm trung bình toàn tỉnh tăng ")
    assert "so với năm 2019 (từ " in c.headline
    means = {k.criterion: k for k in c.criteria}
    last_11 = [Decimal(str(u["points"]["1.1"])) for u in last["units"]]
    assert means["1.1"].last_mean == (sum(last_11) / len(last_11)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    last_21 = [Decimal(str(u["points"]["2.1"])) for u in last["units"]]
    assert means["2.1"].last_mean == (sum(last_21) / len(last_21)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert "by id" in c.criteria_note


def test_a_changed_rubric_needs_a_mapping(this_year: dict, tmp_path: Path, run: Run):
    last = _last_year(this_year)
    last["rubric"]["version"] = "2019.1"
    for u in last["units"]:
        u["points"] = {("I." + k if k.startswith("1.") else k): v for k, v in u["points"].items()}
    unmapped = compare(last, this_year)
    assert unmapped.criteria == () and "only totals are compared" in unmapped.criteria_note
    mapped = compare(last, this_year, {"I.1.1": "1.1"})
    pairs = {k.criterion: k.last_id for k in mapped.criteria}
    assert pairs["1.1"] == "I.1.1" and pairs["2.1"] == "2.1"  # unmapped ids: by id
    assert "1.2" not in pairs  # renamed, not mapped: not compared
    (tmp_path / "last.json").write_text(json.dumps(last, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "this.json").write_text(json.dumps(this_year, ensure_ascii=False), "utf-8")
    (tmp_path / "map.csv").write_text("old,new\nI.1.1,1.1\n", encoding="utf-8")
    result = run(
        "compare",
        tmp_path / "last.json",
        tmp_path / "this.json",
        "--mapping",
        tmp_path / "map.csv",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "ictscore-compare/1" and data["headline"].startswith(
        "Năm 2020, điểm trung"
    )
    assert {k["criterion"]: k["last_id"] for k in data["criteria"]}["1.1"] == "I.1.1"
    table = run("compare", tmp_path / "last.json", tmp_path / "this.json")
    assert table.exit_code == 0 and "Điểm trung bình theo nhóm" in table.stdout
    assert "chỉ so sánh tổng điểm" in table.stdout and table.stderr == ""


def test_not_a_results_file(tmp_path: Path, run: Run):
    (tmp_path / "x.json").write_text('{"format": "other"}', encoding="utf-8")
    result = run("compare", tmp_path / "x.json", tmp_path / "x.json")
    assert result.exit_code == 2 and "not an ictscore results file" in result.stderr


def test_a_unit_invalid_one_year_is_not_new_or_gone(this_year: dict):
    last = _last_year(this_year)
    this = copy.deepcopy(this_year)
    invalid = next(u for u in this["units"] if u["code"] == "cuc-thue")
    invalid.update(status="invalid", total=None, rank=None)
    units = {u.code: u for u in compare(last, this).units}
    assert units["cuc-thue"].status == "not graded" and units["cuc-thue"].change is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("old,new\n1.1,1.1\n1.2,1.1\n", "new id 1.1 is mapped from both 1.1 and 1.2"),
        ("old,new\n1.1,1.1\n\n1.2,\n", "map.csv:4: expected two columns"),
        ("1.1,2.1\n1.1,2.2\n", "old id 1.1 is mapped twice"),
    ],
)
def test_bad_mappings_are_located(tmp_path: Path, text: str, message: str):
    (tmp_path / "map.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ResultsFileError, match=re.escape(message)):
        load_mapping(tmp_path / "map.csv")


def test_yaml_mapping_ids_stay_text(tmp_path: Path):
    (tmp_path / "map.yaml").write_text('3.10: "3.10"\n1.2: 1.20\n', encoding="utf-8")
    assert load_mapping(tmp_path / "map.yaml") == {"3.10": "3.10", "1.2": "1.20"}


def test_a_damaged_results_file(tmp_path: Path, run: Run, this_year: dict):
    broken = copy.deepcopy(this_year)
    del broken["units"][0]["code"]
    (tmp_path / "b.json").write_text(json.dumps(broken), encoding="utf-8")
    result = run("compare", tmp_path / "b.json", tmp_path / "b.json")
    assert result.exit_code == 2 and "a damaged results file" in result.stderr


def test_a_yaml_mapping_with_a_key_twice(tmp_path: Path):
    (tmp_path / "map.yaml").write_text("1.1: 2.1\n1.1: 2.2\n", encoding="utf-8")
    with pytest.raises(ResultsFileError, match="old id 1.1 is mapped twice"):
        load_mapping(tmp_path / "map.yaml")


def test_the_table_follows_the_rubric_s_groups(this_year: dict, run: Run, tmp_path: Path):
    (tmp_path / "a.json").write_text(json.dumps(_last_year(this_year)), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(this_year), encoding="utf-8")
    out = run("compare", tmp_path / "a.json", tmp_path / "b.json").stdout
    positions = [out.index(code) for code in ("cuc-thue", "so-noi-vu", "815", "28249")]
    assert positions == sorted(positions)  # ngành dọc, sở, huyện, xã: as the rubric orders them


def test_a_file_that_is_not_a_results_file(tmp_path: Path):
    (tmp_path / "x.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(ResultsFileError, match="x.json: not an ictscore results file"):
        load_results(tmp_path / "x.json")


def _with(data: dict, edit) -> dict:
    broken = copy.deepcopy(data)
    edit(broken)
    return broken


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["units"][0].pop("code"), "units[0].code: missing"),
        (lambda d: d["units"][1].update(code=7), "units[1].code: should be text, found 7"),
        (lambda d: d["units"][2].update(total="abc"), "units[2].total: should be a number"),
        (lambda d: d["units"][0].update(points=[1]), "units[0].points: should be a mapping"),
        (
            lambda d: d["units"][0]["points"].update({"1.1": "x"}),
            "units[0].points.1.1: should be a number",
        ),
        (lambda d: d.update(groups={}), "groups: should be a list"),
        (lambda d: d.pop("rubric"), "rubric: missing"),
        (lambda d: d.update(units=None), "units: should be a list"),
        (lambda d: d["groups"][0].pop("label"), "groups[0].label: missing"),
    ],
)
def test_a_damaged_results_file_names_the_field_even_under_python_O(
    tmp_path: Path, this_year: dict, edit, message: str
):
    """As a user runs it, optimised (`python -O`, where an assert does nothing): a refusal that
    names the file and the field, exit 2, no traceback."""
    import subprocess
    import sys

    (tmp_path / "b.json").write_text(json.dumps(_with(this_year, edit)), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(this_year), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-O",
            "-m",
            "ictscore",
            "compare",
            tmp_path / "a.json",
            tmp_path / "b.json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"b.json: a damaged results file: {message}" in proc.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json {", "cannot read the results file"),
        ("[1, 2]", "not an ictscore results file"),
        ('{"format": "ictscore-compare/1"}', "not an ictscore results file"),
    ],
)
def test_not_json_or_not_ours(tmp_path: Path, text: str, message: str):
    (tmp_path / "x.json").write_text(text, encoding="utf-8")
    with pytest.raises(ResultsFileError, match=f"x.json: {message}"):
        load_results(tmp_path / "x.json")
