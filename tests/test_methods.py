"""Every scoring method against hand-worked figures, as pure functions (no workbook)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from ictscore.grading.cells import parse_slot
from ictscore.rubric.methods import Method, Normalised
from ictscore.sheets.reader import RawCell

METHOD = TypeAdapter(Method)


def m(**data: object) -> Method:
    return METHOD.validate_python(data)


def test_thresholds_on_a_count_R3_1_1():
    # "họp 4 lần/năm: 20; 3 lần: 15; 2 lần: 10; 1 lần: 5; còn lại: 0"
    meetings = m(
        type="thresholds",
        label="Số cuộc họp",
        integer=True,
        tiers=[
            {"min": 4, "points": 20},
            {"min": 3, "points": 15},
            {"min": 2, "points": 10},
            {"min": 1, "points": 5},
        ],
    )
    scored = {n: meetings.score({"value": D(n)}, D(20)).points for n in (0, 1, 2, 3, 4, 9)}
    assert scored == {0: 0, 1: 5, 2: 10, 3: 15, 4: 20, 9: 20}
    assert "từ 4: 20 điểm" in meetings.describe(D(20)) and "dưới 1: 0 điểm" in meetings.describe(
        D(20)
    )
    (slot,) = meetings.slots(D(20))
    assert slot.integer and slot.minimum == 0


def test_thresholds_on_a_percentage_use_percent_mins():
    share = m(
        type="thresholds",
        input="percent",
        label="Tỷ lệ",
        tiers=[{"min": 80, "points": 4}, {"min": 50, "points": 2}],
    )
    # 0.8 typed in a percent cell is 80%: exactly on the first tier
    assert share.score({"value": D("0.8")}, D(4)).points == 4
    assert share.score({"value": D("0.7999")}, D(4)).points == 2
    assert share.score({"value": D("0.49")}, D(4)).points == 0
    assert share.slots(D(4))[0].percent


def test_levels_by_fraction_or_points_R4_1_1():
    # "Trưởng ban là Bí thư/Chủ tịch: Điểm tối đa; là Phó …: 1/2 × Điểm tối đa; … 0"
    head = m(
        type="levels",
        levels=[
            {"label": "Trưởng ban là Bí thư/Chủ tịch huyện", "fraction": 1},
            {"label": "Trưởng ban là Phó Bí thư/Phó Chủ tịch huyện", "fraction": 0.5},
            {"label": "Chưa có Ban chỉ đạo", "points": 0},
        ],
    )
    (slot,) = head.slots(D(10))
    assert slot.listed and len(slot.choices) == 3
    assert head.score({"level": slot.choices[1]}, D(10)).points == 5  # ½ × 10
    assert head.score({"level": slot.choices[0]}, D(10)).points == 10
    assert head.score({"level": slot.choices[2]}, D(10)).points == 0
    # typed with other case and spaces, the text still picks its level
    value, problem = parse_slot(
        slot, RawCell("  trưởng ban là phó bí thư/phó  chủ tịch huyện ", "E9")
    )
    assert problem is None and value == slot.choices[1]
    value, problem = parse_slot(slot, RawCell("Phó Chủ tịch", "E9"))
    assert value is None and problem is not None and problem[0] == "not-a-choice"


def test_count_times_points_capped_R1_I_4():
    # "mỗi ứng dụng dùng trên WAN 1 điểm, tổng không quá 5 điểm"
    apps = m(type="count", label="Số ứng dụng", per_item=1, cap=5)
    assert [apps.score({"count": D(n)}, D(5)).points for n in (0, 3, 5, 8)] == [0, 3, 5, 5]
    half = m(type="count", label="Số sáng kiến", per_item="0.5")  # cap: the maximum
    assert half.score({"count": D(5)}, D(2)).points == 2  # 5 × 0,5 = 2,5 → capped at 2
    (slot,) = apps.slots(D(5))
    assert slot.integer
    value, problem = parse_slot(slot, RawCell(2.5, "E9"))
    assert value is None and problem is not None and problem[0] == "not-a-whole-number"


def test_ratio_inputs_counts_percent_and_fraction():
    counts = m(type="ratio", numerator="a", denominator="b")
    assert counts.score({"numerator": D(45), "denominator": D(50)}, D(20)).points == 18  # 45/50×20
    percent = m(type="ratio", input="percent", label="Tỷ lệ")
    assert percent.score({"percent": D("0.85")}, D(2)).points == D("1.7")  # 85% × 2
    fraction = m(type="ratio", input="fraction", label="Tỷ lệ")
    assert fraction.score({"fraction": D("0.6")}, D(45)).points == 27  # 0,6 × 45
    (slot,) = fraction.slots(D(45))
    _, problem = parse_slot(slot, RawCell(60, "E9"))  # 60 typed for 0.6
    assert problem is not None and problem[0] == "above-maximum"


def test_ratio_above_one_is_capped_or_an_error_as_declared_R3_1_3():
    capped = m(type="ratio", numerator="a", denominator="b")  # above_one: cap (default)
    out = capped.score({"numerator": D(7), "denominator": D(5)}, D(20))
    assert out.points == 20 and [(n.code, n.severity) for n in out.notes] == [
        ("ratio-above-one", "warning")
    ]
    strict = m(type="ratio", numerator="a", denominator="b", above_one="error")
    out = strict.score({"numerator": D(7), "denominator": D(5)}, D(20))
    assert [(n.code, n.severity) for n in out.notes] == [("ratio-above-one", "error")]
    zero = capped.score({"numerator": D(0), "denominator": D(0)}, D(20))
    assert [n.code for n in zero.notes] == ["zero-denominator"]


def test_normalised_is_scored_by_the_group_pass_R1_I_3():
    bandwidth = m(type="normalised", label="Băng thông/CBCCVC")
    out = bandwidth.score({"value": D("2.5")}, D(40))
    assert out.pending and out.measure == D("2.5")
    assert Normalised.against(D("2.5"), D(10), D(40)) == 10  # 2,5 ÷ 10 × 40
    assert Normalised.against(D(0), D(0), D(40)) == 0  # every unit at 0: 0, not a division error


@given(
    st.decimals(min_value=0, max_value=1000, places=3),
    st.decimals(min_value=0, max_value=1000, places=3),
)
def test_normalised_points_never_exceed_the_maximum(a: D, b: D):
    best = max(a, b)
    for value in (a, b):
        points = Normalised.against(value, best, D(40))
        assert 0 <= points <= 40
    if best > 0:
        assert Normalised.against(best, best, D(40)) == 40


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "type": "levels",
                "levels": [{"label": "A", "points": 1, "fraction": 1}, {"label": "B", "points": 0}],
            },
            "exactly one of 'points' and 'fraction'",
        ),
        (
            {
                "type": "levels",
                "levels": [{"label": "A", "points": 1}, {"label": " a ", "points": 0}],
            },
            "listed twice",
        ),
        (
            {"type": "ratio", "input": "percent", "numerator": "x", "denominator": "y"},
            "takes 'label'",
        ),
        ({"type": "count", "label": "x", "per_item": 0}, "greater than 0"),
        ({"type": "thresholds", "label": "x", "tiers": []}, "at least 1 item"),
    ],
)
def test_method_parameters_are_checked(data: dict[str, object], message: str):
    with pytest.raises(ValidationError, match=message):
        METHOD.validate_python(data)


def test_method_parameters_against_the_maximum():
    assert m(
        type="thresholds", label="x", tiers=[{"min": 1, "points": 5}, {"min": 2, "points": 9}]
    ).problems(D(5)) == [
        ("tiers[1].min", "tiers go from the highest min to the lowest: 2 is not below 1"),
        ("tiers[1].points", "9 points are above the maximum 5"),
    ]
    assert m(
        type="levels", levels=[{"label": "A", "points": 6}, {"label": "B", "points": 0}]
    ).problems(D(5)) == [("levels[0].points", "level worth 6 points is above the maximum 5")]
    assert m(type="count", label="x", per_item=1, cap=6).problems(D(5)) == [
        ("cap", "the cap 6 is above the maximum 5")
    ]
    assert m(type="yes_no", points=6).problems(D(5)) == [
        ("points", "yes/no points 6 are above the maximum 5")
    ]


def test_a_percentage_above_100_is_an_error_for_thresholds_too():
    share = m(type="thresholds", input="percent", label="Tỷ lệ", tiers=[{"min": 80, "points": 4}])
    (slot,) = share.slots(D(4))
    _, problem = parse_slot(slot, RawCell(45, "E9"))  # 45 typed for 45%
    assert problem is not None and problem[0] == "above-maximum" and "45%" in problem[1]


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20))
def test_a_cell_value_is_read_alike_however_often_it_is_read(values: list[float]) -> None:
    """number_of remembers the floats it read: the same Decimal, digit for digit, each time
    (-0.0 and 0.0, equal as keys, are not remembered; NaN and infinities are not numbers)."""
    from ictscore.grading.cells import _number_of, number_of

    for value in [*values, 0.0, -0.0, 10.0, 1e15, -2.5]:
        for _ in range(2):
            assert str(number_of(value)) == str(_number_of(value))
