"""Scoring rules: methods, rounding, bands at their boundaries, ranking."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ictscore.grading.scoring import classify, publish, rank_units, total_up
from ictscore.numbers import round_half_up
from ictscore.rubric.methods import DirectPoints, Ratio, YesNo
from ictscore.rubric.model import Rubric

D = Decimal


def test_ratio_fraction_is_ratio_times_max():
    ratio = Ratio(type="ratio", numerator="a", denominator="b")
    assert ratio.score({"numerator": D(17), "denominator": D(20)}, D(5)).points == D("4.25")


def test_ratio_points_ending_in_half_a_cent_round_up():
    ratio = Ratio(type="ratio", numerator="a", denominator="b")
    for num, den, max_points, expected in [
        (125, 600, 3, "0.63"),
        (5, 24, 3, "0.63"),
        (7, 48, 6, "0.88"),
        (3, 280, 7, "0.08"),
    ]:
        points = ratio.score({"numerator": D(num), "denominator": D(den)}, D(max_points)).points
        assert round_half_up(points, 2) == D(expected), (num, den)


def test_ratio_zero_denominator_is_an_error_not_a_crash():
    outcome = Ratio(type="ratio", numerator="a", denominator="b").score(
        {"numerator": D(0), "denominator": D(0)}, D(5)
    )
    assert outcome.points == 0
    assert [(n.code, n.severity, n.slot) for n in outcome.notes] == [
        ("zero-denominator", "error", "denominator")
    ]


def test_ratio_numerator_above_denominator_is_capped_with_a_warning():
    outcome = Ratio(type="ratio", numerator="a", denominator="b").score(
        {"numerator": D(25), "denominator": D(20)}, D(5)
    )
    assert outcome.points == D(5)
    assert [n.code for n in outcome.notes] == ["ratio-above-one"]


def test_ratio_percent_and_yes_no_and_direct():
    assert Ratio(type="ratio", input="percent", label="x").score(
        {"percent": D("0.85")}, D(4)
    ).points == D("3.40")
    assert YesNo(type="yes_no").score({"answer": "Có"}, D(3)).points == D(3)
    assert YesNo(type="yes_no", points=D(2)).score({"answer": "Có"}, D(3)).points == D(2)
    assert YesNo(type="yes_no").score({"answer": "Không"}, D(3)).points == 0
    assert DirectPoints(type="direct").score({"points": D("2.5")}, D(3)).points == D("2.5")


def test_points_are_published_half_up(small_rubric: Rubric):
    assert publish(D(1) / D(3) * 10, small_rubric) == D("3.33")
    assert publish(D("2.675"), small_rubric) == D("2.68")  # binary floats would give 2.67
    assert publish(D("0.005"), small_rubric) == D("0.01")


def _band(rubric: Rubric, total: str) -> str:
    return classify(publish(D(total), rubric), rubric.bands).label


def test_band_boundaries_use_the_published_total(tiengiang: Rubric):
    cases = {
        "89.994": "Yếu",
        "89.995": "Trung bình",
        "90": "Trung bình",
        "94.994": "Trung bình",
        "94.999": "Khá",
        "95": "Khá",
        "99.994": "Khá",
        "99.995": "Tốt",
        "100": "Tốt",
        "110": "Tốt",
        "0": "Yếu",
    }
    assert {t: _band(tiengiang, t) for t in cases} == cases


@given(
    st.decimals(min_value=0, max_value=120, places=3),
    st.decimals(min_value=0, max_value=120, places=3),
)
def test_band_rises_with_the_total(tiengiang: Rubric, a: Decimal, b: Decimal):
    order = {b.id: i for i, b in enumerate(reversed(tiengiang.bands))}
    lo, hi = sorted((publish(a, tiengiang), publish(b, tiengiang)))
    assert order[classify(lo, tiengiang.bands).id] <= order[classify(hi, tiengiang.bands).id]


def test_ties_share_a_rank_and_the_next_rank_skips():
    totals = {"a": D("90.5"), "b": D("95"), "c": D("95"), "d": D("80"), "e": D("95")}
    assert rank_units(totals) == {"b": 1, "c": 1, "e": 1, "a": 4, "d": 5}


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.decimals(min_value=0, max_value=110, places=2),
        max_size=30,
    ),
    st.randoms(),
)
def test_ranking_ignores_input_order(totals: dict[str, Decimal], rnd: random.Random):
    items = list(totals.items())
    rnd.shuffle(items)
    ranks = rank_units(dict(items))
    assert ranks == rank_units(totals)
    for k, v in totals.items():  # rank = 1 + number of strictly better totals
        assert ranks[k] == 1 + sum(1 for w in totals.values() if w > v)


@given(st.lists(st.decimals(min_value=0, max_value=30, places=2), min_size=5, max_size=5))
def test_total_is_the_sum_of_its_parts(small_rubric: Rubric, parts: list[Decimal]):
    leaves = dict(zip(["1.1", "1.2", "2.1", "2.2.a", "2.2.b"], parts, strict=True))
    totals = total_up(small_rubric, "so", leaves)
    subtotals, total = totals.subtotals, totals.total
    assert subtotals["2.2"] == leaves["2.2.a"] + leaves["2.2.b"]
    assert subtotals["2"] == leaves["2.1"] + subtotals["2.2"]
    assert total == subtotals["1"] + subtotals["2"] + subtotals["3"] == sum(parts)


@given(
    st.lists(
        st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**6), max_value=10**6),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from([None, 0, 1, 2, 3]),
)
def test_a_figure_is_written_alike_however_often_it_is_written(
    values: list[Decimal], precision: int | None
) -> None:
    """vn_number remembers what it wrote: equal values (9.5 and 9.50, 10 and 1E+1) write
    alike, and -0 keeps its own writing."""
    from ictscore.numbers import _vn_number, vn_number

    for value in [*values, Decimal("-0"), Decimal("0"), Decimal("-0.000"), Decimal("1E+1")]:
        assert vn_number(value, precision) == _vn_number(value, precision)
        assert vn_number(value, precision) == _vn_number(value, precision)  # remembered
