"""Real Vietnamese rubrics (R1–R5 of the research notes) graded end to end.

Every sheet below goes the way a unit's does: template → filled → saved → read → graded with the
public library functions. The expected figures are worked out BY HAND from the decision texts (the
arithmetic is in the comment beside each assertion), never copied from the program's output.

- R1 Bộ TT&TT phụ lục 1B, section I: ratio (counts, fraction), normalised against the best unit of
  the group, a composite of ratio × 45 and a capped count, a 60-point block cap, best-of cases.
- R2 Tây Ninh QĐ 2747/2019, section I: ratio as a percentage, yes/no.
- R3 district DTI, index 1: thresholds on a count, ratio a/b with `above_one: error` and `cap`.
- R4 Đồng Tháp, index 1: levels chosen by text, two yes/no halves, ratio a/b.
- R5 Sở GD&ĐT TP.HCM school sheet (bundled): direct points; section 4 capped at 10.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Report, Status, UnitResult
from ictscore.grading.scoring import Reference
from ictscore.issues import Severity
from ictscore.roster import Unit
from ictscore.rubric import Rubric, check_rubric, load_rubric, parse_rubric
from ictscore.rubric.methods import Levels
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.reader import read_workbook
from ictscore.sheets.template import build_template
from tests.conftest import ROOT, Run

FIXTURES = ROOT / "tests" / "rubrics"
R1_FILE = FIXTURES / "r1-btttt-1b.yaml"
R2_FILE = FIXTURES / "r2-tay-ninh.yaml"
R3_FILE = FIXTURES / "r3-dti-huyen.yaml"
R4_FILE = FIXTURES / "r4-dong-thap.yaml"
R5_ID = "hcm-sgd-truong-hoc"
R5_FILE = ROOT / "src" / "ictscore" / "rubric" / "bundled" / f"{R5_ID}.yaml"


MakeSheet = Callable[..., Path]
Values = Mapping[str, Mapping[str, Any]]


def D(text: str) -> Decimal:
    return Decimal(text)


def grade(
    make_sheet: MakeSheet, rubric: Rubric, filled: list[tuple[Unit, Values]], folder: Path
) -> Report:
    """Build each unit's template, fill it, save it, read it back and grade them together."""
    paths = [
        make_sheet(unit, values, rubric=rubric, folder=folder, name=f"{unit.code}.xlsx")
        for unit, values in filled
    ]
    return grade_sheets(rubric, [read_workbook(p) for p in paths])


def by_code(report: Report) -> dict[str, UnitResult]:
    return {u.code: u for u in report.units}


def codes(result: UnitResult, severity: Severity | None = None) -> list[str]:
    return [i.code for i in result.issues if severity is None or i.severity is severity]


# =============================================================================================
# R1 — Bộ TT&TT phụ lục 1B, section I (group "bo")
# =============================================================================================


@pytest.fixture(scope="module")
def r1() -> Rubric:
    return load_rubric(R1_FILE)


def r1_values(
    staff: tuple[int, int],
    antivirus: float,
    bandwidth: float,
    wan: tuple[int, int],
    apps: int,
    data_centre: str,
    case_a_notice: str,
    case_a_rest: float,
    case_b: float,
) -> dict[str, dict[str, Any]]:
    return {
        "I.1": {"numerator": staff[0], "denominator": staff[1]},
        "I.2": {"fraction": antivirus},
        "I.3": {"value": bandwidth},
        "I.4.1": {"numerator": wan[0], "denominator": wan[1]},
        "I.4.2": {"count": apps},
        "I.5.1.1": {"answer": data_centre},
        "I.5.1.2.a.1": {"answer": case_a_notice},
        "I.5.1.2.a.2": {"points": case_a_rest},
        "I.5.1.2.b": {"points": case_b},
    }


BO_A = Unit("bo-a", "Bộ A", "bo")
BO_B = Unit("bo-b", "Bộ B", "bo")
BO_C = Unit("bo-c", "Bộ C", "bo")
R1_THREE = [
    # (unit, I.1 staff, I.2, I.3, I.4.1 units on WAN, I.4.2 apps, data centre?, case a: notice
    #  and the rest, case b)
    (BO_A, r1_values((45, 50), 0.85, 2.5, (18, 20), 7, "Có", "Có", 20, 28)),
    (BO_B, r1_values((30, 40), 1, 4, (9, 12), 3, "Không", "Có", 12, 9)),
    (BO_C, r1_values((2, 3), 0.5, 1, (0, 5), 5, "Có", "Không", 25, 25)),
]


def test_r1_maxima_follow_the_decision(r1: Rubric):
    crit = r1.criterion
    assert r1.max_for(crit("I.4"), "bo") == 50  # 45 + 5
    assert r1.max_for(crit("I.5.1.2"), "bo") == 30  # best of case a (5 + 25) and case b (30)
    assert r1.max_for(crit("I.5.1"), "bo") == 60  # 35 + 30 = 65, capped at "tối đa 60 điểm"
    assert r1.base_max("bo") == 190  # 20 + 20 + 40 + 50 + 60


@pytest.fixture(scope="module")
def r1_three(r1: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """Three ministries of one group graded together (I.3 needs the whole group)."""
    folder = tmp_path_factory.mktemp("r1")
    paths = [_save(r1, unit, values, folder) for unit, values in R1_THREE]
    return grade_sheets(r1, [read_workbook(p) for p in paths])


def _save(rubric: Rubric, unit: Unit, values: Values, folder: Path) -> Path:
    wb = build_template(rubric, unit)
    fill_workbook(wb, values)
    path = folder / f"{unit.code}.xlsx"
    wb.save(path)
    return path


def test_r1_ratio_counts_and_fraction(r1_three: Report):
    a, b, c = (by_code(r1_three)[k] for k in ("bo-a", "bo-b", "bo-c"))
    assert a.points["I.1"] == D("18")  # I.1: 45/50 × 20 = 18
    assert b.points["I.1"] == D("15")  # I.1: 30/40 × 20 = 15
    assert c.points["I.1"] == D("13.33")  # I.1: 2/3 × 20 = 13.333… → 13.33 (half-up, 2 decimals)
    assert a.points["I.2"] == D("17")  # I.2: 0.85 × 20 = 17
    assert b.points["I.2"] == D("20")  # I.2: 1 × 20 = 20
    assert c.points["I.2"] == D("10")  # I.2: 0.5 × 20 = 10


def test_r1_normalised_against_the_best_of_three(r1_three: Report):
    a, b, c = (by_code(r1_three)[k] for k in ("bo-a", "bo-b", "bo-c"))
    # values 2.5, 4, 1: the best of the group is 4 (Bộ B)
    assert a.points["I.3"] == D("25")  # I.3: 2.5 ÷ 4 × 40 = 25
    assert b.points["I.3"] == D("40")  # I.3: 4 ÷ 4 × 40 = 40
    assert c.points["I.3"] == D("10")  # I.3: 1 ÷ 4 × 40 = 10
    assert r1_three.references == (Reference("I.3", "bo", D("4"), ("bo-b",)),)


def test_r1_composite_wan_with_capped_count(r1_three: Report):
    a, b, c = (by_code(r1_three)[k] for k in ("bo-a", "bo-b", "bo-c"))
    assert a.points["I.4.1"] == D("40.5")  # KNWAN: 18/20 × 45 = 40.5
    assert a.points["I.4.2"] == D("5")  # ƯDKNWAN: 7 apps × 1 = 7, "không quá 5" → 5
    assert a.subtotals["I.4"] == D("45.5")  # 40.5 + 5
    assert b.points["I.4.1"] == D("33.75")  # 9/12 × 45 = 33.75
    assert b.points["I.4.2"] == D("3")  # 3 × 1 = 3, under the cap
    assert b.subtotals["I.4"] == D("36.75")  # 33.75 + 3
    assert c.points["I.4.1"] == D("0")  # 0/5 × 45 = 0
    assert c.points["I.4.2"] == D("5")  # 5 × 1 = 5, exactly the cap
    assert c.subtotals["I.4"] == D("5")  # 0 + 5


def test_r1_best_of_cases_and_block_cap(r1_three: Report):
    a, b, c = (by_code(r1_three)[k] for k in ("bo-a", "bo-b", "bo-c"))
    # Bộ A: case a = 5 + 20 = 25, case b = 28 → best 28; block 35 + 28 = 63 → capped at 60
    assert a.subtotals["I.5.1.2.a"] == D("25")
    assert a.subtotals["I.5.1.2"] == D("28")
    assert a.subtotals["I.5.1"] == D("60")
    assert a.subtotals["I.5"] == D("60")
    # Bộ B: no data centre (0); case a = 5 + 12 = 17 beats case b = 9 → 17; block 0 + 17 = 17
    assert b.points["I.5.1.1"] == D("0")
    assert b.subtotals["I.5.1.2"] == D("17")
    assert b.subtotals["I.5.1"] == D("17")
    # Bộ C: case a = 0 + 25 = 25, case b = 25 → 25; block 35 + 25 = 60 (at the cap, not above)
    assert c.subtotals["I.5.1.2"] == D("25")
    assert c.subtotals["I.5.1"] == D("60")


def test_r1_totals_and_ranks(r1_three: Report):
    a, b, c = (by_code(r1_three)[k] for k in ("bo-a", "bo-b", "bo-c"))
    for unit in (a, b, c):
        assert unit.status is Status.GRADED and codes(unit) == []
    assert a.subtotals["I"] == a.total == D("165.5")  # 18 + 17 + 25 + 45.5 + 60
    assert b.total == D("128.75")  # 15 + 20 + 40 + 36.75 + 17
    assert c.total == D("98.33")  # 13.33 + 10 + 10 + 5 + 60
    assert (a.self_total, b.self_total, c.self_total) == (a.total, b.total, c.total)
    assert (a.rank, b.rank, c.rank) == (1, 2, 3)
    assert a.band is None  # the fixture has no bands


def test_r1_normalised_when_every_value_is_zero(r1: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    report = grade(
        make_sheet,
        r1,
        [
            (BO_A, r1_values((1, 1), 0, 0, (1, 1), 0, "Không", "Không", 0, 0)),
            (BO_B, r1_values((1, 2), 0, 0, (1, 2), 1, "Không", "Không", 0, 0)),
        ],
        tmp_path / "zero",
    )
    a, b = by_code(report)["bo-a"], by_code(report)["bo-b"]
    assert codes(a) == codes(b) == []  # no division by zero, no error
    assert a.points["I.3"] == b.points["I.3"] == D("0")  # best 0 → 0 points each
    assert report.references == (Reference("I.3", "bo", D("0"), ()),)  # nobody leads with 0
    assert a.total == D("65")  # 1/1 × 20 + 0 + 0 + (1/1 × 45 + 0) + 0 = 65
    assert b.total == D("33.5")  # 1/2 × 20 + 0 + 0 + (1/2 × 45 + 1) + 0 = 10 + 23.5


def test_r1_fraction_above_one_is_an_error(r1: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    values = r1_values((1, 1), 1.2, 1, (1, 1), 0, "Có", "Có", 0, 0)
    report = grade(make_sheet, r1, [(BO_A, values)], tmp_path / "frac")
    a = by_code(report)["bo-a"]
    assert a.status is Status.INVALID and a.total is None
    assert codes(a, Severity.ERROR) == ["above-maximum"]  # a "tỷ lệ" of 1.2: not a fraction


# =============================================================================================
# R2 — Tây Ninh QĐ 2747/2019, section I (group "so-nganh")
# =============================================================================================

SO_A = Unit("so-a", "Sở A", "so-nganh")
SO_B = Unit("so-b", "Sở B", "so-nganh")


def test_r2_percent_ratio_and_yes_no(make_sheet: MakeSheet, tmp_path: Path):
    r2 = load_rubric(R2_FILE)
    report = grade(
        make_sheet,
        r2,
        [
            (
                SO_A,
                {
                    "I.1": {"percent": 0.85},
                    "I.2": {"answer": "Có"},
                    "I.3": {"answer": "Không"},
                    "I.4": {"percent": 0.925},
                    "I.5": {"answer": "  có "},
                    "I.6": {"answer": "KHÔNG"},
                },
            ),
            (
                SO_B,
                {
                    "I.1": {"percent": 1},
                    "I.2": {"answer": "Có"},
                    "I.3": {"answer": "Có"},
                    "I.4": {"percent": 0.3333},
                    "I.5": {"answer": "Có"},
                    "I.6": {"answer": "Có"},
                },
            ),
        ],
        tmp_path,
    )
    a, b = by_code(report)["so-a"], by_code(report)["so-b"]
    assert codes(a) == codes(b) == []
    assert a.points["I.1"] == D("1.7")  # I.1: 85% × 2 = 1.7
    assert a.points["I.2"] == D("2")  # I.2: Có → 2
    assert a.points["I.3"] == D("0")  # I.3: Không → 0
    assert a.points["I.4"] == D("1.85")  # I.4: 92.5% × 2 = 1.85
    assert a.points["I.5"] == D("2")  # I.5: " có " (case, spaces) → Có → 2
    assert a.points["I.6"] == D("0")  # I.6: "KHÔNG" → Không → 0
    assert a.total == D("7.55")  # 1.7 + 2 + 0 + 1.85 + 2 + 0
    assert b.points["I.1"] == D("2")  # 100% × 2 = 2
    assert b.points["I.4"] == D("0.67")  # 33.33% × 2 = 0.6666 → 0.67
    assert b.total == D("10.67")  # 2 + 2 + 2 + 0.67 + 2 + 2
    assert (b.rank, a.rank) == (1, 2)


def test_r2_percent_typed_as_a_plain_number_is_an_error(make_sheet: MakeSheet, tmp_path: Path):
    r2 = load_rubric(R2_FILE)
    values = {cid: {"answer": "Có"} for cid in ("I.2", "I.3", "I.5", "I.6")}
    values |= {"I.1": {"percent": 85}, "I.4": {"percent": 0.5}}  # 85 is 8500%, not 85%
    report = grade(make_sheet, r2, [(SO_A, values)], tmp_path)
    a = by_code(report)["so-a"]
    assert a.status is Status.INVALID
    (issue,) = a.issues
    assert (issue.code, issue.criterion) == ("above-maximum", "I.1")
    assert "type 85% rather than 85" in issue.message


# =============================================================================================
# R3 — district DTI, index 1 (group "huyen")
# =============================================================================================


@pytest.fixture(scope="module")
def r3() -> Rubric:
    return load_rubric(R3_FILE)


def huyen(code: str) -> Unit:
    return Unit(code, f"Huyện {code}", "huyen")


def r3_values(
    meetings: float, chaired: tuple[int, int], documents: tuple[int, int], page: str = "Có"
) -> dict[str, dict[str, Any]]:
    return {
        "1.1": {"value": meetings},
        "1.2": {"numerator": chaired[0], "denominator": chaired[1]},
        "1.3": {"numerator": documents[0], "denominator": documents[1]},
        "1.4": {"answer": page},
    }


def test_r3_thresholds_ratios_and_the_above_one_cap(
    r3: Rubric, make_sheet: MakeSheet, tmp_path: Path
):
    report = grade(
        make_sheet,
        r3,
        [
            (huyen("h-a"), r3_values(4, (3, 4), (5, 4), "Có")),
            (huyen("h-b"), r3_values(3, (2, 3), (3, 6), "Không")),
        ],
        tmp_path,
    )
    a, b = by_code(report)["h-a"], by_code(report)["h-b"]
    assert a.points["1.1"] == D("20")  # 1.1: 4 meetings → 20
    assert a.points["1.2"] == D("15")  # 1.2: 3/4 × 20 = 15
    assert a.points["1.3"] == D("20")  # 1.3: 5/4 > 1 → capped at 1 × 20 = 20
    assert a.points["1.4"] == D("20")  # 1.4 (guessed): Có → 20
    assert a.total == D("75")  # 20 + 15 + 20 + 20
    assert a.status is Status.GRADED
    (warning,) = a.issues
    assert (warning.code, warning.severity, warning.criterion) == (
        "ratio-above-one",
        Severity.WARNING,
        "1.3",
    )
    assert b.points["1.1"] == D("15")  # 3 meetings → 15
    assert b.points["1.2"] == D("13.33")  # 2/3 × 20 = 13.333… → 13.33
    assert b.points["1.3"] == D("10")  # 3/6 × 20 = 10
    assert b.points["1.4"] == D("0")  # Không → 0
    assert b.total == D("38.33")  # 15 + 13.33 + 10 + 0
    assert codes(b) == []
    assert (a.rank, b.rank) == (1, 2)


def test_r3_above_one_error_and_zero_denominator(r3: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    report = grade(
        make_sheet,
        r3,
        [
            (huyen("h-over"), r3_values(2, (5, 4), (1, 2))),  # 1.2: a = 5 > b = 4
            (huyen("h-zero"), r3_values(2, (0, 0), (1, 2))),  # 1.2: no meeting at all: 0/0
            (huyen("h-zero3"), r3_values(2, (1, 2), (0, 0))),  # 1.3: the province required none
        ],
        tmp_path,
    )
    units = by_code(report)
    over, zero, zero3 = units["h-over"], units["h-zero"], units["h-zero3"]
    for unit in (over, zero, zero3):
        assert unit.status is Status.INVALID and unit.total is None and unit.rank is None
    (issue,) = over.issues
    assert (issue.code, issue.severity, issue.criterion) == (
        "ratio-above-one",
        Severity.ERROR,
        "1.2",
    )
    (issue,) = zero.issues
    assert (issue.code, issue.severity, issue.criterion) == (
        "zero-denominator",
        Severity.ERROR,
        "1.2",
    )
    (issue,) = zero3.issues
    assert (issue.code, issue.criterion) == ("zero-denominator", "1.3")


THRESHOLD_CASES = [
    (0, "0"),  # below the lowest tier ("còn lại") → 0
    (1, "5"),  # at the tier "1 lần" → 5
    (2, "10"),  # at "2 lần" → 10
    (3, "15"),  # at "3 lần" → 15
    (4, "20"),  # at "4 lần" → 20
    (5, "20"),  # above the top tier → still 20
    (12, "20"),  # far above → 20
]


def test_r3_thresholds_at_every_tier_boundary(r3: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    filled = [(huyen(f"h{n}"), r3_values(n, (1, 1), (1, 1))) for n, _ in THRESHOLD_CASES]
    units = by_code(grade(make_sheet, r3, filled, tmp_path))
    for meetings, points in THRESHOLD_CASES:
        unit = units[f"h{meetings}"]
        assert codes(unit) == [], meetings
        assert unit.points["1.1"] == D(points), meetings
        # total: 1.1 + 1/1 × 20 + 1/1 × 20 + 20
        assert unit.total == D(points) + 60, meetings
    assert [units[f"h{n}"].rank for n, _ in THRESHOLD_CASES] == [7, 6, 5, 4, 1, 1, 1]


def test_r3_half_a_meeting_is_not_a_count(r3: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    report = grade(make_sheet, r3, [(huyen("h-half"), r3_values(3.5, (1, 1), (1, 1)))], tmp_path)
    unit = by_code(report)["h-half"]
    assert unit.status is Status.INVALID
    assert codes(unit) == ["not-a-whole-number"]  # integer: true (meetings are counted)


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (0.5, "0"),  # between 0 and the lowest tier (1) → 0
        (1, "5"),  # at 1
        (2.5, "10"),  # between 2 and 3 → the tier of 2
        (3.99, "15"),  # just below 4 → the tier of 3
        (4.0, "20"),  # at 4
    ],
)
def test_r3_thresholds_between_boundaries_without_integer(
    value: float, points: str, make_sheet: MakeSheet, tmp_path: Path
):
    # The same tiers on a measure that may have decimals (a variant of the fixture, not the
    # decision text, which counts meetings): a value between two tiers takes the lower one.
    text = R3_FILE.read_text(encoding="utf-8")
    assert text.count("integer: true") == 1
    variant = parse_rubric(text.replace("integer: true", "integer: false"), "r3-variant.yaml")
    report = grade(make_sheet, variant, [(huyen("h"), r3_values(value, (1, 1), (1, 1)))], tmp_path)
    unit = by_code(report)["h"]
    assert codes(unit) == []
    assert unit.points["1.1"] == D(points)


# =============================================================================================
# R4 — Đồng Tháp, index 1 (group "huyen")
# =============================================================================================

LEVEL_CHAIR = "Trưởng ban là Bí thư/Chủ tịch huyện, thành phố"
LEVEL_DEPUTY = "Trưởng ban là Phó Bí thư/Phó Chủ tịch huyện, thành phố"
LEVEL_NONE = "Chưa có Ban chỉ đạo hoặc Trưởng ban không phải Lãnh đạo huyện, thành phố"


@pytest.fixture(scope="module")
def r4() -> Rubric:
    return load_rubric(R4_FILE)


def r4_values(
    level: str, province: str, chairs: str, documents: tuple[int, int]
) -> dict[str, dict[str, Any]]:
    return {
        "1.1": {"level": level},
        "1.2.a": {"answer": province},
        "1.2.b": {"answer": chairs},
        "1.3": {"numerator": documents[0], "denominator": documents[1]},
    }


def test_r4_levels_are_the_decision_texts(r4: Rubric):
    method = r4.criterion("1.1").method
    assert isinstance(method, Levels)
    assert [(lv.label, lv.fraction) for lv in method.levels] == [
        (LEVEL_CHAIR, 1),
        (LEVEL_DEPUTY, D("0.5")),
        (LEVEL_NONE, 0),
    ]


def test_r4_levels_halves_and_ratio(r4: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    report = grade(
        make_sheet,
        r4,
        [
            (huyen("d-a"), r4_values(LEVEL_CHAIR, "Có", "Không", (3, 4))),
            # the level typed in capitals with spaces around it
            (huyen("d-b"), r4_values(f"  {LEVEL_DEPUTY.upper()}  ", "Có", "Có", (2, 3))),
            # the level in decomposed Unicode (NFD), lowercase
            (
                huyen("d-c"),
                r4_values(
                    unicodedata.normalize("NFD", LEVEL_NONE.lower()), "Không", "Không", (0, 2)
                ),
            ),
            (huyen("d-d"), r4_values(LEVEL_DEPUTY, "Không", "Có", (5, 4))),
        ],
        tmp_path,
    )
    a, b, c, d = (by_code(report)[k] for k in ("d-a", "d-b", "d-c", "d-d"))
    assert a.points["1.1"] == D("10")  # Bí thư/Chủ tịch: 1 × 10
    assert (a.points["1.2.a"], a.points["1.2.b"]) == (D("5"), D("0"))  # ½ × 10 + 0
    assert a.subtotals["1.2"] == D("5")
    assert a.points["1.3"] == D("7.5")  # 3/4 × 10
    assert a.total == D("22.5")  # 10 + 5 + 7.5
    assert b.points["1.1"] == D("5")  # Phó Bí thư/Phó Chủ tịch: ½ × 10
    assert b.subtotals["1.2"] == D("10")  # 5 + 5
    assert b.points["1.3"] == D("6.67")  # 2/3 × 10 = 6.666… → 6.67
    assert b.total == D("21.67")  # 5 + 10 + 6.67
    assert c.points["1.1"] == D("0")  # no steering committee: 0 × 10
    assert c.subtotals["1.2"] == D("0")  # 0 + 0
    assert c.points["1.3"] == D("0")  # 0/2 × 10
    assert c.total == D("0")
    assert d.points["1.3"] == D("10")  # 5/4 > 1 → capped: 1 × 10 (with a warning)
    assert d.total == D("20")  # 5 + (0 + 5) + 10
    assert codes(a) == codes(b) == codes(c) == []
    assert codes(d) == ["ratio-above-one"] and d.status is Status.GRADED
    assert (a.rank, b.rank, d.rank, c.rank) == (1, 2, 3, 4)


def test_r4_level_with_a_doubled_inner_space(r4: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    # The rubric collapses whitespace inside level texts (its choices are squashed), the sheet's
    # own formula matches with Excel's TRIM (which collapses inner runs of spaces too), and titles
    # are compared after whitespace collapsing: a doubled inner space is the same level.
    typed = LEVEL_DEPUTY.replace("Phó Chủ tịch", "Phó  Chủ tịch")
    filled = [(huyen("d-sp"), r4_values(typed, "Có", "Có", (1, 1)))]
    report = grade(make_sheet, r4, filled, tmp_path)
    unit = by_code(report)["d-sp"]
    assert codes(unit) == []
    assert unit.points["1.1"] == D("5")  # Phó Bí thư/Phó Chủ tịch: ½ × 10


def test_r4_a_text_that_is_no_level_is_an_error(r4: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    values = r4_values("Trưởng ban là Chủ tịch HĐND", "Có", "Có", (1, 1))
    report = grade(make_sheet, r4, [(huyen("d-x"), values)], tmp_path)
    unit = by_code(report)["d-x"]
    assert unit.status is Status.INVALID
    assert codes(unit) == ["not-a-choice"]


# =============================================================================================
# R5 — Sở GD&ĐT TP.HCM school ICT sheet (bundled, groups = school levels)
# =============================================================================================


@pytest.fixture(scope="module")
def r5() -> Rubric:
    return load_rubric(R5_ID)


def r5_values(s1: list[float], s2: list[float], s3: list[float], s4: list[float]) -> Values:
    values: dict[str, dict[str, Any]] = {}
    for section, points in enumerate((s1, s2, s3, s4), start=1):
        for item, p in enumerate(points, start=1):
            values[f"{section}.{item}"] = {"points": p}
    return values


def test_r5_is_the_complete_source(r5: Rubric):
    assert (r5.id, r5.version, r5.year) == (R5_ID, "2021.1", 2021)
    assert [g.id for g in r5.groups] == ["mam-non", "tieu-hoc", "thcs", "thpt"]
    assert [g.label for g in r5.groups] == [
        "Mầm non",
        "Tiểu học",
        "Trung học cơ sở",
        "Trung học phổ thông",
    ]
    assert r5.bands == ()
    leaves = [n.criterion for n in r5.walk() if n.criterion.is_leaf]
    assert len(leaves) == 19
    assert {type(c.method).__name__ for c in leaves} == {"DirectPoints"}
    assert [str(c.max) for c in leaves] == (
        ["5", "5", "5", "5", "10"] + ["10", "10", "5", "5"] + ["5"] * 6 + ["3"] * 4
    )
    for node in r5.walk():
        assert unicodedata.is_normalized("NFC", node.criterion.title)
    assert r5.criterion("4").title == "Công tác tổ chức thực hiện nhiệm vụ CNTT"
    title_2_2 = "Hoàn thành CSDL đầy đủ, chính xác, đúng thời gian qui định."
    assert r5.criterion("2.2").title == title_2_2
    notes = r5.source_notes or ""
    assert "dynamic-survey" in notes and "data.js" in notes and "parent_max: cap" in notes
    assert r5.parent_max == "cap"
    for g in r5.groups:
        assert r5.max_for(r5.criterion("4"), g.id) == 10  # min(3 + 3 + 3 + 3 = 12, 10)
        assert r5.base_max(g.id) == 100  # 30 + 30 + 30 + 10


def test_r5_check_reports_one_warning_at_section_4_max():
    checked = check_rubric(R5_ID)
    assert checked.errors == [] and checked.rubric is not None
    (warning,) = checked.findings
    assert warning.severity == "warning"
    assert warning.path == "criteria[3].max"
    assert warning.line == _section_4_max_line()
    assert "max 10 of criterion 4" in warning.message and "(12)" in warning.message


def _section_4_max_line() -> int:
    """The 1-based line of section 4's `max: 10` in the bundled file, found by reading it."""
    lines = R5_FILE.read_text(encoding="utf-8").splitlines()
    start = lines.index('  - id: "4"')
    return next(i for i in range(start, len(lines)) if lines[i] == "    max: 10") + 1


def test_r5_section_4_is_capped_at_10(r5: Rubric, make_sheet: MakeSheet, tmp_path: Path):
    full_4 = r5_values(
        [5, 4.5, 4, 5, 8], [10, 9, 5, 4.5], [5, 5, 4, 5, 5, 5], [3, 3, 3, 3]
    )  # 26.5, 28.5, 29, 12
    partial_4 = r5_values(
        [5, 5, 5, 5, 10], [10, 10, 5, 5], [5, 5, 5, 5, 5, 5], [3, 2.5, 2, 1.5]
    )  # 30, 30, 30, 9
    report = grade(
        make_sheet,
        r5,
        [
            (Unit("thcs-1", "Trường THCS Một", "thcs"), full_4),
            (Unit("thcs-2", "Trường THCS Hai", "thcs"), partial_4),
            (Unit("mn-1", "Trường Mầm non Một", "mam-non"), full_4),
        ],
        tmp_path,
    )
    one, two, mn = (by_code(report)[k] for k in ("thcs-1", "thcs-2", "mn-1"))
    for unit in (one, two, mn):
        assert unit.status is Status.GRADED and codes(unit) == []
    assert one.subtotals["1"] == D("26.5")  # 5 + 4.5 + 4 + 5 + 8
    assert one.subtotals["2"] == D("28.5")  # 10 + 9 + 5 + 4.5
    assert one.subtotals["3"] == D("29")  # 5 + 5 + 4 + 5 + 5 + 5
    assert one.subtotals["4"] == D("10")  # 3 + 3 + 3 + 3 = 12 → capped at 10
    assert one.total == one.self_total == D("94")  # 26.5 + 28.5 + 29 + 10 (the app shows 96)
    assert two.subtotals["4"] == D("9")  # 3 + 2.5 + 2 + 1.5 = 9, under the cap
    assert two.total == D("99")  # 30 + 30 + 30 + 9
    assert (two.rank, one.rank) == (1, 2)  # ranked within thcs
    assert mn.subtotals["4"] == D("10") and mn.total == D("94") and mn.rank == 1  # own group


# =============================================================================================
# The command line, as a user runs it
# =============================================================================================


@pytest.mark.parametrize(
    "name", ["r1-btttt-1b.yaml", "r2-tay-ninh.yaml", "r3-dti-huyen.yaml", "r4-dong-thap.yaml"]
)
def test_cli_rubric_check_fixture(name: str, run: Run, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    result = run("rubric", "check", f"tests/rubrics/{name}")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stderr
    strict = run("rubric", "check", "--strict", f"tests/rubrics/{name}")
    assert strict.exit_code == 0  # no warning either


def test_cli_rubric_check_r5_json_shows_the_warning(run: Run):
    result = run("rubric", "check", R5_ID, "--format", "json")
    assert result.exit_code == 0  # a warning does not make the rubric unusable
    payload = json.loads(result.stdout)
    assert (payload["ok"], payload["errors"], payload["warnings"]) == (True, 0, 1)
    (finding,) = payload["findings"]
    assert finding["severity"] == "warning"
    assert finding["path"] == "criteria[3].max"
    assert finding["line"] == _section_4_max_line()
    assert "capped at 10" in finding["message"]
    assert run("rubric", "check", "--strict", R5_ID).exit_code == 1  # --strict: warnings fail


def test_cli_rubric_show_r5(run: Run):
    result = run("rubric", "show", R5_ID)
    assert result.exit_code == 0, result.stderr
    assert "hcm-sgd-truong-hoc" in result.stdout
    assert "criteria[3].max" in result.stderr  # the warning is shown, the table still printed


def test_cli_grade_r1_folder(run: Run, r1: Rubric, tmp_path: Path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    for unit, values in R1_THREE:
        _save(r1, unit, values, folder)
    result = run("grade", folder, "--rubric", R1_FILE, "--format", "csv")
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert {c: (rows[c]["rank"], rows[c]["total"]) for c in rows} == {
        "bo-a": ("1", "165.50"),  # 18 + 17 + 25 + 45.5 + 60
        "bo-b": ("2", "128.75"),  # 15 + 20 + 40 + 36.75 + 17
        "bo-c": ("3", "98.33"),  # 13.33 + 10 + 10 + 5 + 60
    }


# =============================================================================================
# The bug every sheet-making test above runs into, on its own
# =============================================================================================


@pytest.mark.parametrize("source", ["hcm-sgd-truong-hoc", "r1", "r2", "r3", "r4"])
def test_template_of_a_rubric_without_bands(source: str):
    files = {"r1": R1_FILE, "r2": R2_FILE, "r3": R3_FILE, "r4": R4_FILE}
    rubric = load_rubric(files.get(source, source))
    assert rubric.bands == ()  # as in every source: no classification
    wb = build_template(rubric, Unit("u-1", "Đơn vị thử", rubric.groups[0].id))
    assert "sc__total" in wb.defined_names


def test_cli_template_r5(run: Run, tmp_path: Path):
    units = tmp_path / "truong.csv"
    units.write_text(
        "code,name,group,parent\n"
        "mn-1,Trường Mầm non Một,mam-non,\n"
        "th-1,Trường Tiểu học Một,tieu-hoc,\n"
        "thcs-1,Trường THCS Một,thcs,\n"
        "thpt-1,Trường THPT Một,thpt,\n",
        encoding="utf-8",
    )
    result = run("template", "--rubric", R5_ID, "--units", units, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 4
