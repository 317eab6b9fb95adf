"""A unit's own maxima under `not_applicable: shrink` (issue 13): criteria the appraisal marks
not applicable for a unit lower its maximum, its bonus maximum and its penalty maximum, in the
JSON and on its card, consistently with `base_max`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SMALL_RUBRIC, SO_UNIT, Run

PENALTY = """\
  - id: "4"
    title: "Điểm trừ"
    kind: penalty
    children:
      - {id: "4.1", title: "Chậm báo cáo", max: 5, method: {type: yes_no, points: 5}}
"""


def test_maxima_of_a_unit_with_criteria_not_applicable(run: Run, make_sheet, tmp_path: Path):
    from ictscore.rubric.load import parse_rubric
    from tests.conftest import full_values

    text = SMALL_RUBRIC + PENALTY  # not_applicable: shrink, the default
    rubric = tmp_path / "small.yaml"
    rubric.write_text(text, encoding="utf-8")
    values = full_values(SO_UNIT) | {"4.1": {"answer": "Không"}}
    make_sheet(SO_UNIT, values, rubric=parse_rubric(text, "small.yaml"))
    form = tmp_path / "tham-dinh.csv"
    form.write_text(
        "Mã đơn vị,Mã tiêu chí,Thẩm định,Không áp dụng (lý do),Ghi chú thẩm định\n"
        "so-a,1.2,,Không thuộc đối tượng,\n"
        "so-a,3.1,,Không xét thưởng,\n"
        "so-a,4.1,,Không xét trừ,\n",
        encoding="utf-8",
    )
    result = run(
        "grade", tmp_path / "sheets", "--rubric", rubric, "--appraisal", form, "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    (unit,) = data["units"]
    # the group: base 100 (1.1 30 + 1.2 20 + 2 50), bonus 10, penalty 5; for so-a, 1.2, 3.1 and
    # 4.1 do not apply: base 80, no bonus, no penalty
    (group,) = [g for g in data["groups"] if g["id"] == "so"]
    assert (group["max"], group["bonus_max"], group["penalty_max"]) == (100, 10, 5)
    assert unit["not_applicable"].keys() == {"1.2", "3.1", "4.1"}
    assert (unit["base_max"], unit["max"], unit["bonus_max"], unit["penalty_max"]) == (80, 80, 0, 0)
    # the unit's card (as `check` lays it out) states the same maximum
    from ictscore.grading.pipeline import GradeOptions, grade_folder
    from ictscore.reports.plain import plain_text
    from ictscore.reports.unit_view import unit_card

    options = GradeOptions(rubric=rubric, appraisal=form)
    report = grade_folder(tmp_path / "sheets", options)
    assert report.rubric is not None
    card = plain_text(unit_card(report.rubric, report.units[0]))
    (line,) = [x for x in card.splitlines() if x.startswith("Tổng điểm")]
    assert line.endswith("— tối đa 80 điểm")  # not "tối đa 100 điểm (+10 thưởng, −5 trừ)"
