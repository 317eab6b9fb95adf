"""Loading rubrics: the bundled one, and every problem of an invalid one, located."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from ictscore.errors import RubricError
from ictscore.rubric import Rubric, bundled_rubric_ids, load_rubric, parse_rubric
from tests.conftest import SMALL_RUBRIC


def test_bundled_rubric_has_100_base_and_10_bonus_points_for_every_group(tiengiang: Rubric):
    assert [g.id for g in tiengiang.groups] == ["nganh-doc", "so-nganh", "huyen", "xa"]
    for g in tiengiang.groups:
        assert tiengiang.base_max(g.id) == 100
        assert tiengiang.bonus_max(g.id) == 10
    assert [(b.label, b.min) for b in tiengiang.bands] == [
        ("Tốt", 100),
        ("Khá", 95),
        ("Trung bình", 90),
        ("Yếu", None),
    ]
    assert tiengiang.precision == 2
    assert [a.title for a in tiengiang.criteria[:6]] == [
        "Hạ tầng kỹ thuật công nghệ thông tin",
        "An toàn, an ninh thông tin",
        "Ứng dụng công nghệ thông tin trong hoạt động của đơn vị",
        "Ứng dụng công nghệ thông tin phục vụ tổ chức và công dân",
        "Nhân lực công nghệ thông tin",
        "Ban hành cơ chế, chính sách về phát triển và ứng dụng công nghệ thông tin",
    ]
    assert tiengiang.criteria[6].kind == "bonus"


def test_bundled_rubric_says_it_is_a_reconstruction(tiengiang: Rubric):
    assert tiengiang.source_notes is not None
    assert "reconstruction" in tiengiang.source_notes.lower()


def test_bundled_rubric_has_criteria_that_do_not_apply_to_communes(tiengiang: Rubric):
    not_for_xa = [
        n.criterion.id
        for n in tiengiang.walk()
        if n.criterion.is_leaf and not tiengiang.applies(n.criterion, "xa")
    ]
    assert {"1.3", "1.4", "4.3"} <= set(not_for_xa)
    for group in ("nganh-doc", "so-nganh", "huyen"):
        assert all(tiengiang.applies(tiengiang.criterion(c), group) for c in ("1.3", "1.4"))


def test_bundled_rubric_text_is_nfc():
    for rid in bundled_rubric_ids():
        rubric = load_rubric(rid)
        for node in rubric.walk():
            assert unicodedata.is_normalized("NFC", node.criterion.title)


def test_group_maximum_follows_applicability(small_rubric: Rubric):
    assert small_rubric.base_max("so") == 100
    assert small_rubric.base_max("xa") == 100
    assert small_rubric.bonus_max("so") == 10
    ids = [n.criterion.id for n in small_rubric.nodes_for("xa")]
    assert "1.2" not in ids and "1.3" in ids
    assert small_rubric.max_for(small_rubric.criterion("1"), "so") == Decimal(50)


def test_content_hash_ignores_formatting_but_not_content(small_rubric: Rubric):
    reformatted = parse_rubric("# a comment\n" + SMALL_RUBRIC.replace('"1"', "'1'"))
    assert reformatted.content_hash == small_rubric.content_hash
    assert parse_rubric(SMALL_RUBRIC.replace("max: 30", "max: 30.0")).content_hash == (
        small_rubric.content_hash
    )
    recoloured = SMALL_RUBRIC.replace(
        'label: "Tốt", min: 100', 'label: "Tốt", min: 100, color: red'
    )
    assert parse_rubric(recoloured).content_hash == small_rubric.content_hash
    changed = parse_rubric(SMALL_RUBRIC.replace("Hạ tầng kỹ thuật", "Hạ tầng kỹ thuật CNTT"))
    assert changed.content_hash != small_rubric.content_hash


BROKEN = """\
id: broken
version: "1"
title: "Thử"
year: 2020
issuer: "Sở"
groups:
  - {id: a, label: "A"}
bands:
  - {id: tot, label: "Tốt", min: 90}
  - {id: yeu, label: "Yếu"}
criteria:
  - id: "1"
    title: "Một"
    children:
      - {id: "1.1", title: "x", max: 0, method: {type: direct}}
      - {id: "1.2", title: "y", max: 5, method: {type: ratio, numerator: "n"}}
      - {id: "1.3", title: "z", max: 5, method: {type: bogus}}
      - id: "1.4"
        title: "w"
        max: 5
        method:
          type: direct
          typo: 1
"""


def test_invalid_rubric_reports_every_schema_problem_with_file_line_and_path(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.problems == [
        f"{path}:15: criteria[0].children[0].max: must be greater than 0, found 0",
        f"{path}:16: criteria[0].children[1].method: a ratio with input: counts needs "
        "'numerator' and 'denominator'",
        f"{path}:17: criteria[0].children[2].method: unknown method type 'bogus': expected one "
        "of 'direct', 'yes_no', 'ratio', 'thresholds', 'levels', 'count', 'normalised'",
        f"{path}:23: criteria[0].children[3].method.typo: unknown key 'typo' (did you mean type?)",
    ]


RULES_BROKEN = """\
id: rules
version: "1"
title: "Thử"
year: 2020
issuer: "Sở"
groups:
  - {id: a, label: "A"}
  - {id: a, label: "A again"}
bands:
  - {id: tot, label: "Tốt", min: 90}
  - {id: kha, label: "Khá", min: 95}
  - {id: yeu, label: "Yếu", min: 0}
criteria:
  - id: "1"
    title: "Một"
    max: 7
    children:
      - {id: "1.1", title: "x", max: 3, groups: [zz], method: {type: direct}}
      - {id: "1.1", title: "y", max: 5, method: {type: yes_no, points: 6}}
"""


def test_cross_field_rules_are_reported_with_the_schema_problems(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_BROKEN, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.problems == [
        f"{path}:8: groups[1].id: duplicate group id 'a'",
        f"{path}:11: bands[1].min: bands go from highest to lowest: min 95 of Khá is not below 90",
        f"{path}:12: bands[2].min: the last band (Yếu) takes every total below the band above "
        "it, so it has no 'min'",
        f"{path}:16: criteria[0].max: max 7 of criterion 1 differs from what its children's "
        "maxima add to (8); fix the maxima, or declare a cap (`capped: true` on this criterion, "
        "or `parent_max: cap` for the rubric)",
        f"{path}:18: criteria[0].children[0].groups[0]: unknown group 'zz' (groups: a, a)",
        # two cross-field problems on the same line
        f"{path}:19: criteria[0].children[1].id: duplicate criterion id '1.1' (also at "
        "criteria[0].children[0]; ids are compared ignoring case)",
        f"{path}:19: criteria[0].children[1].method.points: yes/no points 6 are above the "
        "maximum 5",
    ]


def test_the_rules_hold_for_rubrics_built_in_python(small_rubric: Rubric):
    from pydantic import ValidationError

    data = small_rubric.model_dump()
    data["bands"] = list(reversed(data["bands"]))
    with pytest.raises(ValidationError, match="bands go from highest to lowest"):
        Rubric.model_validate(data)


def test_groups_must_be_a_non_empty_subset_of_the_parents(tmp_path: Path):
    text = (
        SMALL_RUBRIC.replace(
            "max: 15, method: {type: direct}}",
            "max: 15, groups: [], method: {type: direct}}",
        )
        .replace("    kind: bonus\n", "    kind: bonus\n    groups: [so]\n")
        .replace(
            '"3.1", title: "Sáng kiến được công nhận",',
            '"3.1", groups: [xa], title: "Sáng kiến được công nhận",',
        )
    )
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "g.yaml")
    assert [p.split(": ", 1)[1] for p in info.value.problems] == [
        "criteria[1].children[1].children[0].groups: expected at least 1 item(s)",
        "criteria[2].children[0].groups[0]: criterion 3.1 lists group 'xa', but its parent 3 "
        "does not apply to that group",
    ]
    with pytest.raises(RubricError) as info:
        parse_rubric(text.replace(" groups: [],", ""), "g.yaml")
    assert [p.split(": ", 1)[1] for p in info.value.problems] == [
        "criteria[2].children[0].groups[0]: criterion 3.1 lists group 'xa', but its parent 3 "
        "does not apply to that group"
    ]


def test_yaml_syntax_error_and_duplicate_keys_are_located(tmp_path: Path):
    bad = tmp_path / "syntax.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError, match=r"syntax.yaml:\d+: not valid YAML"):
        load_rubric(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text(SMALL_RUBRIC.replace("year: 2020\n", "year: 2020\nyear: 2021\n"), "utf-8")
    with pytest.raises(RubricError, match=r"dup.yaml:5: not valid YAML: duplicate key 'year'"):
        load_rubric(dup)


def test_missing_rubric_file_names_the_bundled_ones():
    with pytest.raises(RubricError, match="the id of a bundled rubric .*tiengiang-2020"):
        load_rubric("no-such-rubric.yaml")


def test_rubric_error_carries_structured_findings(tmp_path: Path):
    import pickle

    from ictscore.issues import Finding, Severity

    path = tmp_path / "rules.yaml"
    path.write_text(RULES_BROKEN, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    found = info.value.findings
    assert all(isinstance(f, Finding) and f.source == str(path) for f in found)
    assert {f.severity for f in found} == {Severity.ERROR}
    assert [(f.line, f.path) for f in found][:2] == [(8, "groups[1].id"), (11, "bands[1].min")]
    assert found[0].message == "duplicate group id 'a'"
    assert info.value.problems == [str(f) for f in found]
    again = pickle.loads(pickle.dumps(info.value))  # errors travel back from worker processes
    assert (type(again), str(again), again.findings) == (RubricError, str(info.value), found)


def test_a_finding_about_the_whole_file_has_no_line_nor_path():
    with pytest.raises(RubricError) as info:
        load_rubric("no-such-rubric.yaml")
    (finding,) = info.value.findings
    assert (finding.line, finding.path) == (None, "")
    assert str(finding).startswith("no-such-rubric.yaml: no such file, and no bundled rubric")
