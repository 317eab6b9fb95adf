"""`ictscore rubric check` and `rubric show` as a rubric author runs them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from ictscore.rubric import check_rubric_text
from tests.conftest import Run

HEADER = """\
id: lint
version: "1"
title: "Kiểm tra"
year: 2022
issuer: "Sở TT&TT"
groups:
  - {id: a, label: "Nhóm A"}
"""

CAPPED_AREA = HEADER + textwrap.dedent(
    """\
    parent_max: cap
    bands:
      - {id: tot, label: "Tốt", min: 9}
      - {id: yeu, label: "Yếu"}
    criteria:
      - id: "4"
        title: "Tổ chức thực hiện"
        max: 10
        children:
          - {id: "4.1", title: "Kế hoạch", max: 3, method: {type: direct}}
          - {id: "4.2", title: "Phân công", max: 3, method: {type: direct}}
          - {id: "4.3", title: "Hạ tầng", max: 3, method: {type: direct}}
          - {id: "4.4", title: "Mô hình", max: 3, method: {type: direct}}
    """
)

BROKEN = HEADER + textwrap.dedent(
    """\
    bands:
      - {id: tot, label: "Tốt", min: 90}
      - {id: kha, label: "Khá", min: 95}
      - {id: yeu, label: "Yếu"}
    criteria:
      - id: "1"
        title: "Họp"
        max: 20
        method:
          type: thresholds
          label: "Số cuộc họp"
          tiers: [{min: 3, points: 15}, {min: 4, points: 20}]
      - id: "2"
        title: "Mức"
        max: 4
        method: {type: levels, levels: [{label: "Đủ", points: 5}, {label: "Không", points: 0}]}
      - id: "3"
        title: "Ứng dụng"
        max: 5
        method: {type: count, label: "Số ứng dụng", per_item: 1, cap: 6}
      - id: "5"
        title: "Khối"
        max: 30
        children:
          - {id: "5.1", title: "A", max: 10, method: {type: direct}}
    """
)


def test_a_parent_above_its_declared_max_is_a_warning_under_the_cap_policy():
    # the real school rubric (R5 §4): items add to 12, the area declares 10
    found = check_rubric_text(CAPPED_AREA, "r5.yaml")
    assert found.rubric is not None and found.errors == []
    (warning,) = found.warnings
    assert (warning.line, warning.path) == (15, "criteria[0].max")
    assert "capped at 10" in warning.message and "(12)" in warning.message
    # the same rubric under the default policy (equal) is an error
    strict = check_rubric_text(CAPPED_AREA.replace("parent_max: cap\n", ""), "r5.yaml")
    assert strict.rubric is None and [f.path for f in strict.errors] == ["criteria[0].max"]


def test_the_top_band_out_of_reach_is_a_warning():
    unreachable = check_rubric_text(
        CAPPED_AREA.replace("parent_max: cap\n", "")
        .replace("max: 10\n", "max: 12\n")
        .replace("min: 9}", "min: 100}"),
        "x",
    )
    assert unreachable.rubric is not None
    assert [(f.path, f.message) for f in unreachable.warnings] == [
        (
            "bands[0].min",
            "no unit of group a can reach band Tốt (from 100): its maximum with bonus is 12",
        )
    ]


def test_every_method_parameter_problem_at_once_with_lines(tmp_path: Path, run: Run):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = run("rubric", "check", path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["warnings"] == 0
    assert [(f["line"], f["path"]) for f in data["findings"]] == [
        (10, "bands[1].min"),
        (19, "criteria[0].method.tiers[1].min"),
        (23, "criteria[1].method.levels[0].points"),
        (27, "criteria[2].method.cap"),
        (30, "criteria[3].max"),
    ]
    assert all(f["file"] == str(path) and f["severity"] == "error" for f in data["findings"])
    text = run("rubric", "check", path)
    assert text.exit_code == 1
    assert (
        f"{path}:27: error: criteria[2].method.cap: the cap 6 is above the maximum 5" in text.stdout
    )
    assert "5 error(s), 0 warning(s): not usable" in text.stderr


def test_check_exit_codes_and_strict(tmp_path: Path, run: Run):
    path = tmp_path / "capped.yaml"
    path.write_text(CAPPED_AREA, encoding="utf-8")
    assert run("rubric", "check", path).exit_code == 0  # warnings only: usable
    assert run("rubric", "check", path, "--strict").exit_code == 1
    assert run("rubric", "check", tmp_path / "missing.yaml").exit_code == 2
    (tmp_path / "bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    not_yaml = run("rubric", "check", tmp_path / "bad.yaml", "--format", "json")
    assert not_yaml.exit_code == 1
    assert "not valid YAML" in json.loads(not_yaml.stdout)["findings"][0]["message"]
    clean = run("rubric", "check", "tiengiang-2020", "--format", "json")
    assert clean.exit_code == 0 and json.loads(clean.stdout)["findings"] == []


def test_template_and_grade_print_rubric_warnings_and_go_on(tmp_path: Path, run: Run):
    path = tmp_path / "capped.yaml"
    path.write_text(CAPPED_AREA, encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("code,name,group,parent\nt1,Trường Một,a,\n", encoding="utf-8")
    made = run("template", "--rubric", path, "--units", units, "--out", tmp_path / "out")
    assert made.exit_code == 0 and "capped at 10" in made.stderr


def test_show_prints_the_tree_with_maxima_per_group(run: Run):
    result = run("rubric", "show", "tiengiang-2020")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "Tiêu chí" in line and "xa" in line)
    assert header.split()[-6:-2] == ["nganh-doc", "so-nganh", "huyen", "xa"]
    row_1_3 = next(line for line in lines if line.strip().startswith("1.3 "))
    assert row_1_3.split()[-5:-1] == ["4", "4", "4", "—"]  # not for communes
    xa = run("rubric", "show", "tiengiang-2020", "--group", "xa")
    assert xa.exit_code == 0 and "1.3 " not in xa.stdout and "1.5 " in xa.stdout
    assert run("rubric", "show", "tiengiang-2020", "--group", "nope").exit_code == 2


def test_rules_decided_after_the_sheets_are_in_keep_the_hash():
    from ictscore.rubric import parse_rubric

    base = parse_rubric(CAPPED_AREA, "x")
    later = parse_rubric(
        CAPPED_AREA.replace(
            "parent_max: cap\n",
            "parent_max: cap\ntie_breaks: ['4']\nappraisal: required\n"
            "unranked: [{unit: t1, reason: an ninh}]\n",
        ).replace('label: "Nhóm A"}', 'label: "Nhóm A", rank_within: parent}'),
        "x",
    )
    assert later.content_hash == base.content_hash
    changed = parse_rubric(
        CAPPED_AREA.replace(
            "max: 3, method: {type: direct}}", "max: 3, method: {type: yes_no}}", 1
        ),
        "x",
    )
    assert changed.content_hash != base.content_hash


def test_malformed_rubrics_give_findings_not_tracebacks(tmp_path: Path, run: Run):
    cases = {
        "groups.yaml": CAPPED_AREA.replace(
            'title: "Kế hoạch", max: 3', 'title: "K", groups: [{id: a}], max: 3'
        ),
        "key.yaml": CAPPED_AREA.replace("parent_max: cap\n", "parent_max: cap\n? [a, b]\n: c\n"),
        "schema.yaml": CAPPED_AREA.replace("max: 10\n", "max: true\n"),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = run("rubric", "check", path, "--format", "json")
        assert result.exit_code == 1, name
        messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
        assert not any("no criterion applies" in m for m in messages), (name, messages)


def test_tie_breaks_must_name_a_criterion_exactly():
    found = check_rubric_text(
        CAPPED_AREA.replace("parent_max: cap\n", "parent_max: cap\ntie_breaks: ['4.A']\n").replace(
            '"4.1"', '"4.a"'
        ),
        "x",
    )
    assert [f.message for f in found.errors] == [
        "unknown criterion id '4.A' (did you mean '4.a'? ids are matched exactly here)"
    ]


def test_strict_says_why_it_fails(tmp_path: Path, run: Run):
    path = tmp_path / "capped.yaml"
    path.write_text(CAPPED_AREA, encoding="utf-8")
    result = run("rubric", "check", path, "--strict")
    assert result.exit_code == 1 and "usable, but --strict fails on warnings" in result.stderr
    assert f"{path}:15: warning: criteria[0].max:" in result.stdout


def test_a_control_character_in_a_rubric_is_refused_where_it_is(tmp_path: Path, run: Run):
    """A BEL (or Word's U+000B) in a title reached the template, which stopped with openpyxl's
    IllegalCharacterError traceback: the rubric is refused, naming the field and its line."""
    from tests.conftest import SMALL_RUBRIC

    text = SMALL_RUBRIC.replace('title: "Bảng điểm thử nghiệm"', 'title: "Bảng điểm\\a thử"')
    text = text.replace('label: "UBND cấp xã"', 'label: "UBND\\vcấp xã"')
    assert text != SMALL_RUBRIC
    checked = check_rubric_text(text, "r.yaml")
    found = [(f.line, f.path, f.message.split(" (")[0]) for f in checked.errors]
    assert found == [
        (3, "title", "holds a control character"),
        (9, "groups[1].label", "holds a control character"),
    ]
    rubric = tmp_path / "r.yaml"
    rubric.write_text(text, encoding="utf-8")
    (tmp_path / "units.csv").write_text("code,name,group\nx1,Xã A,xa\n", encoding="utf-8")
    result = run("template", "-r", rubric, "-u", tmp_path / "units.csv", "--out", tmp_path / "s")
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and "U+0007" in result.stderr


def test_an_unknown_key_is_matched_with_the_keys_of_its_own_mapping():
    """A suggestion names a key that mapping can hold: `colour` in a yes_no method is not
    `color` (a band's key), `bonus` in a criterion is not `bands` (the rubric's)."""
    from tests.conftest import SMALL_RUBRIC

    def said(old: str, new: str) -> list[str]:
        text = SMALL_RUBRIC.replace(old, new, 1)
        assert text != SMALL_RUBRIC
        return [f.message for f in check_rubric_text(text, "r.yaml").errors]

    assert said("method: {type: yes_no}", "method: {type: yes_no, colour: red}") == [
        "unknown key 'colour'"
    ]
    assert said("method: {type: ratio,", "method: {type: ratio, numerater: 1,") == [
        "unknown key 'numerater' (did you mean numerator?)"
    ]
    assert said('title: "Bảng', 'titel: "Bảng')[-1] == "unknown key 'titel' (did you mean title?)"
