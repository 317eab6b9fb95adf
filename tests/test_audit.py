"""`ictscore audit` on constructed groups whose answers are known: criteria flags, copied sheets,
outliers, the Monte Carlo and the units on a boundary."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ictscore.audit.boundary import boundary_units
from ictscore.audit.copies import CopyOptions, copied_pairs
from ictscore.audit.criteria import CriteriaOptions, criteria_flags, criteria_measures
from ictscore.audit.frame import Criterion, GroupFrame, Unit
from ictscore.audit.montecarlo import MonteCarloOptions, simulate
from ictscore.audit.outliers import OutlierOptions, outliers
from ictscore.audit.texts import fixed, fixed_pct, flag_text, num

BANDS = [
    {"id": "tot", "label": "Tốt", "min": 100},
    {"id": "kha", "label": "Khá", "min": 95},
    {"id": "tb", "label": "Trung bình", "min": 90},
    {"id": "yeu", "label": "Yếu", "min": None},
]
MINS = [100.0, 95.0, 90.0, None]


def _unit(code: str, points: dict[str, float], **more: Any) -> Unit:
    total = more.pop("total", sum(points.values()))
    fields: dict[str, Any] = {
        "code": code,
        "name": f"Đơn vị {code}",
        "file": f"sheets/{code}.xlsx",
        "total": total,
        "band": more.pop("band", None),
        "rank": None,
        "rank_key": "g",
        "points": points,
        "self_points": dict(points),
        "appraisal": {},
        "inputs": {},
        "evidence": {},
    }
    fields.update(more)
    return Unit(**fields)


def _frame(units: list[Unit], ids: tuple[str, ...] = ("a", "b", "c", "d")) -> GroupFrame:
    return GroupFrame("g", "Nhóm", tuple(Criterion(i, i, 10.0, "base") for i in ids), tuple(units))


def _flags(frame: GroupFrame, **options: Any) -> list[dict[str, Any]]:
    rows = criteria_measures(frame)
    return criteria_flags(frame, rows, CriteriaOptions(**options))


def _random_units(n: int, seed: int = 1) -> list[Unit]:
    rng = random.Random(seed)
    return [_unit(f"u{i}", {k: round(rng.uniform(0, 10), 2) for k in "abcd"}) for i in range(n)]


# --- criteria ------------------------------------------------------------------------------


def test_a_criterion_at_the_maximum_for_every_unit_is_flagged() -> None:
    units = [_unit(u.code, {**u.points, "a": 10.0}) for u in _random_units(12)]
    flags = _flags(_frame(units))
    same = [f for f in flags if f["kind"] == "same"]
    assert [f["criteria"] for f in same] == [["a"]]
    assert same[0]["figure"] == 1.0 and same[0]["threshold"] == 0.9 and same[0]["value"] == 10
    assert "100%" in flag_text(same[0]) and "ngưỡng 90%" in flag_text(same[0])
    rows = criteria_measures(_frame(units))
    assert rows[0]["at_max"] == 1.0 and rows[0]["spread"] == 0 and rows[0]["corr_total"] is None


def test_two_criteria_that_copy_each_other_are_paired_and_no_other() -> None:
    units = [_unit(u.code, {**u.points, "b": u.points["a"]}) for u in _random_units(20)]
    pairs = [f for f in _flags(_frame(units)) if f["kind"] == "pair"]
    assert [p["criteria"] for p in pairs] == [["a", "b"]]
    assert pairs[0]["figure"] == 1.0


def test_pairs_need_enough_units() -> None:
    units = [_unit(u.code, {**u.points, "b": u.points["a"]}) for u in _random_units(6)]
    assert [f for f in _flags(_frame(units)) if f["kind"] == "pair"] == []


def test_a_criterion_that_decides_the_ranking_dominates() -> None:
    rng = random.Random(3)
    units = [
        _unit(f"u{i}", {"a": rng.uniform(0, 10), "b": 5 + rng.uniform(-0.1, 0.1), "c": 5, "d": 5})
        for i in range(15)
    ]
    rows = criteria_measures(_frame(units))
    assert sum(r["variance_share"] for r in rows) == pytest.approx(1, abs=1e-3)
    dominant = [f for f in _flags(_frame(units)) if f["kind"] == "dominant"]
    assert [f["criteria"] for f in dominant] == [["a"]]
    assert dominant[0]["figure"] > 0.9


def test_a_criterion_no_unit_scores_is_unreached_and_a_penalty_no_one_incurs_is_not() -> None:
    units = [_unit(u.code, {**u.points, "c": 0.0, "d": 0.0}) for u in _random_units(8)]
    frame = _frame(units)
    frame = GroupFrame(
        "g", "Nhóm", (*frame.criteria[:3], Criterion("d", "d", 5.0, "penalty")), frame.units
    )
    flags = _flags(frame, dominant_share=1.01)
    assert [(f["kind"], f["criteria"]) for f in flags] == [("unreached", ["c"])]


def test_honest_random_criteria_raise_no_flag() -> None:
    assert _flags(_frame(_random_units(30)), dominant_share=0.6) == []


# --- copied sheets -------------------------------------------------------------------------


def _inputs(rng: random.Random, n: int = 12) -> dict[str, dict[str, Any]]:
    return {
        f"{i}": {
            "numerator": {"value": rng.randint(10, 500), "cell": f"E{i + 9}"},
            "answer": {"value": "Có", "cell": f"F{i + 9}"},
        }
        for i in range(n)
    }


def _sheets(n: int, seed: int = 5) -> list[Unit]:
    rng = random.Random(seed)
    return [_unit(f"u{i}", {"a": 1.0}, inputs=_inputs(rng)) for i in range(n)]


def test_two_sheets_with_the_same_inputs_are_listed_and_honest_ones_are_not() -> None:
    units = _sheets(10)
    units[7] = _unit("u7", {"a": 1.0}, inputs=units[2].inputs)
    pairs = copied_pairs(_frame(units), CopyOptions())
    assert [p["units"] for p in pairs] == [["u2", "u7"]]
    pair = pairs[0]
    assert pair["matching"] == 12 and pair["share"] == 1.0
    assert {c["cell"] for c in pair["cells"]} == {f"E{i + 9}" for i in range(12)}
    assert "Có" not in {c["value"] for c in pair["cells"]}  # every unit answered it


def test_nearly_identical_sheets_are_listed_with_their_share() -> None:
    units = _sheets(10)
    near = {k: dict(v) for k, v in units[2].inputs.items()}
    near["0"] = {**near["0"], "numerator": {"value": 9999, "cell": "E9"}}
    units[4] = _unit("u4", {"a": 1.0}, inputs=near)
    [pair] = copied_pairs(_frame(units), CopyOptions())
    assert pair["units"] == ["u2", "u4"] and pair["matching"] == 11
    assert pair["share"] == pytest.approx(11 / 12, abs=1e-4)
    assert copied_pairs(_frame(units), CopyOptions(min_inputs=12)) == []


def test_identical_evidence_texts_are_listed() -> None:
    units = _sheets(6)
    texts = {"1": "Quyết định số 12/QĐ-UBND ngày 3/3/2020", "2": "Kế hoạch số 45/KH-UBND"}
    units[0] = _unit("u0", {"a": 1.0}, inputs=units[0].inputs, evidence=texts)
    units[3] = _unit("u3", {"a": 1.0}, inputs=units[3].inputs, evidence=dict(texts))
    [pair] = copied_pairs(_frame(units), CopyOptions())
    assert pair["units"] == ["u0", "u3"] and pair["matching"] == 0
    assert [e["criterion"] for e in pair["evidence"]] == ["1", "2"]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=2, max_value=40))
def test_honest_sheets_are_never_listed(seed: int, n: int) -> None:
    assert copied_pairs(_frame(_sheets(n, seed)), CopyOptions()) == []


# --- outliers ------------------------------------------------------------------------------


def test_an_input_far_outside_its_group_is_located() -> None:
    rng = random.Random(2)
    units = [
        _unit(
            f"u{i}",
            {"a": 1.0},
            inputs={"1.1": {"numerator": {"value": rng.randint(90, 110), "cell": "E9"}}},
        )
        for i in range(12)
    ]
    units[5] = _unit("u5", {"a": 1.0}, inputs={"1.1": {"numerator": {"value": 1000, "cell": "E9"}}})
    [found] = outliers(_frame(units), OutlierOptions())
    assert (found["unit"], found["file"], found["cell"], found["value"]) == (
        "u5",
        "sheets/u5.xlsx",
        "E9",
        1000,
    )
    assert found["z"] > 3.5


def test_no_outlier_where_every_unit_typed_the_same() -> None:
    units = [
        _unit(f"u{i}", {"a": 1.0}, inputs={"1": {"n": {"value": 7 if i else 70, "cell": "E9"}}})
        for i in range(10)
    ]
    assert outliers(_frame(units), OutlierOptions()) == []  # MAD 0: no spread to measure


# --- Monte Carlo ---------------------------------------------------------------------------


def _graded(n: int, seed: int = 4) -> GroupFrame:
    rng = random.Random(seed)
    units = []
    for i in range(n):
        points = {k: round(rng.uniform(15, 25), 2) for k in "abcd"}
        units.append(_unit(f"u{i}", points, total=round(sum(points.values()), 2)))
    return _frame(units)


def test_with_no_perturbation_every_interval_is_a_single_rank() -> None:
    frame = _graded(40)
    rows = simulate(frame, MINS, 2, MonteCarloOptions(runs=50, seed=1, weights=0.0))
    totals = sorted((u.total for u in frame.units), reverse=True)
    for row in rows:
        assert row["low"] == row["median_rank"] == row["high"] == totals.index(row["total"]) + 1
        assert row["band_changes"] == 0


def test_the_same_seed_gives_the_same_output_and_another_seed_another() -> None:
    frame = _graded(30)
    one = simulate(frame, MINS, 2, MonteCarloOptions(runs=200, seed=7))
    assert one == simulate(frame, MINS, 2, MonteCarloOptions(runs=200, seed=7))
    assert one != simulate(frame, MINS, 2, MonteCarloOptions(runs=200, seed=8))
    assert any(r["low"] < r["high"] for r in one)


def test_ties_share_a_rank_and_ranks_are_within_the_parent() -> None:
    units = [
        _unit("a1", {"a": 50.0}, rank_key="p"),
        _unit("a2", {"a": 50.0}, rank_key="p"),
        _unit("b1", {"a": 40.0}, rank_key="q"),
    ]
    rows = simulate(_frame(units, ("a",)), MINS, 2, MonteCarloOptions(runs=10, weights=0.0))
    assert [(r["unit"], r["median_rank"]) for r in rows] == [("a1", 1), ("a2", 1), ("b1", 1)]


def test_a_unit_far_from_every_threshold_keeps_its_band() -> None:
    units = [
        _unit("far", {"a": 30.0, "b": 30.0, "c": 30.0, "d": 30.0}),
        _unit("near", {"a": 25.0, "b": 25.0, "c": 25.0, "d": 25.01}),
    ]
    rows = simulate(_frame(units), MINS, 2, MonteCarloOptions(runs=300, weights=0.2))
    changes = {r["unit"]: r["band_changes"] for r in rows}
    assert changes["far"] < 0.05 < changes["near"]


# --- boundary ------------------------------------------------------------------------------


def test_a_unit_0_004_above_a_threshold_hangs_on_rounding() -> None:
    units = [
        _unit("edge", {"a": 95.004}, band="kha"),
        _unit("safe", {"a": 96.5}, band="kha"),
        _unit("below", {"a": 94.995}, band="tb"),
    ]
    found = boundary_units(_frame(units, ("a",)), BANDS, 0.01)
    assert [(b["unit"], b["why"], b["band"]) for b in found] == [
        ("edge", "rounding", "kha"),
        ("below", "rounding", "tb"),
    ]
    assert found[0]["gap"] == pytest.approx(0.004) and found[0]["threshold"] == 95


def test_a_band_that_hangs_on_one_appraisal_cut_is_listed() -> None:
    cut = _unit(
        "cut",
        {"a": 50.0, "b": 44.0},
        band="tb",
        self_points={"a": 50.0, "b": 46.0},
        appraisal={"b": {"appraised_points": 44}},
    )
    small = _unit(
        "small",
        {"a": 50.0, "b": 41.0},
        band="tb",
        self_points={"a": 50.0, "b": 42.0},
        appraisal={"b": {"appraised_points": 41}},
    )
    found = boundary_units(_frame([cut, small], ("a", "b")), BANDS, 0.01)
    assert [(b["unit"], b["criterion"], b["band_without"]) for b in found] == [("cut", "b", "kha")]


def test_a_penalty_most_units_do_not_incur_is_not_flagged() -> None:
    units = [
        _unit(u.code, {**u.points, "d": 3.0 if i == 0 else 0.0})
        for i, u in enumerate(_random_units(12))
    ]
    frame = _frame(units)
    frame = GroupFrame(
        "g", "Nhóm", (*frame.criteria[:3], Criterion("d", "d", 5.0, "penalty")), frame.units
    )
    assert [f for f in _flags(frame, dominant_share=1.01) if "d" in f["criteria"]] == []


_points = st.lists(
    st.lists(st.integers(min_value=0, max_value=1000), min_size=3, max_size=3),
    min_size=2,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(_points, st.integers(min_value=0, max_value=2**32 - 1))
def test_any_group_without_perturbation_keeps_its_ranks_and_bands(
    rows: list[list[int]], seed: int
) -> None:
    units = [
        _unit(f"u{i}", {k: v / 100 * 4 for k, v in zip("abc", row, strict=True)})
        for i, row in enumerate(rows)
    ]
    units = [_unit(u.code, dict(u.points), total=round(u.total, 2)) for u in units]
    frame = _frame(units, ("a", "b", "c"))
    for row in simulate(frame, MINS, 2, MonteCarloOptions(runs=5, seed=seed, weights=0.0)):
        higher = sum(u.total > row["total"] for u in units)
        assert row["low"] == row["median_rank"] == row["high"] == higher + 1
        assert row["band_changes"] == 0


@settings(max_examples=40, deadline=None)
@given(_points)
def test_variance_shares_add_up_when_the_total_is_the_sum(rows: list[list[int]]) -> None:
    units = [
        _unit(f"u{i}", {k: v / 100 for k, v in zip("abc", row, strict=True)})
        for i, row in enumerate(rows)
    ]
    measured = criteria_measures(_frame(units, ("a", "b", "c")))
    shares = [r["variance_share"] for r in measured]
    if all(s is not None for s in shares):
        assert sum(shares) == pytest.approx(1, abs=1e-3)
    for r in measured:
        assert r["corr_total"] is None or -1 <= r["corr_total"] <= 1


def test_the_monte_carlo_re_applies_caps_and_the_floor():
    """A bonus area capped at 10 stays at 10 when its criteria's weights rise (a linear move of
    the total would give the unit 2.4 more); a total never goes below 0."""
    import numpy as np

    from ictscore.audit.frame import Parent, Tree
    from ictscore.audit.montecarlo import _rescore

    # leaves: 0 = a base criterion, 1 and 2 = bonus criteria under an area capped at 10,
    # 3 = a penalty
    tree = Tree(
        nodes=(0, 1, 2, Parent((1, 2), "sum", 10.0), 3),
        areas=((0, "base"), (3, "bonus"), (4, "penalty")),
        base_max=100.0,
    )
    points = np.array([[90.0, 6.0, 6.0, 0.0], [1.0, 0.0, 0.0, 5.0]])
    unchanged = _rescore(tree, points, np.zeros((1, 4)))
    assert unchanged.tolist() == [[100.0, 0.0]]
    up = _rescore(tree, points, np.full((1, 4), 0.2))
    assert up.tolist() == [[pytest.approx(118.0), 0.0]]


def test_a_table_figure_keeps_its_decimals_where_prose_drops_them() -> None:
    """Prose says 3,2 and 100%; a table's column says 3,20 and 100,0%, so that it lines up;
    a negative figure that rounds to zero is shown as zero, without a sign."""
    assert (num(3.2), fixed(3.2)) == ("3,2", "3,20")
    assert [fixed(x) for x in (0.9, 0, -0.001, -0.34, 1234.5)] == [
        "0,90",
        "0,00",
        "0,00",
        "-0,34",
        "1.234,50",
    ]
    assert [fixed_pct(x) for x in (1.0, 0.0, 0.925, -0.004, 0.1111)] == [
        "100,0%",
        "0,0%",
        "92,5%",
        "-0,4%",
        "11,1%",
    ]


@given(st.floats(-1e6, 1e6, allow_nan=False))
def test_a_table_figure_has_two_decimals(x: float) -> None:
    text = fixed(x)
    assert text.split(",")[1].isdigit() and len(text.split(",")[1]) == 2
    assert text != "-0,00"
