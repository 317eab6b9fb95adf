"""Any valid inputs → template → fill → save → read → grade give exactly the totals computed
independently from the inputs (here, by hand-written formulas that do not use ictscore's code)."""

from __future__ import annotations

import math
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Status
from ictscore.grading.workers import read_sheets
from ictscore.rubric.model import Rubric
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.template import build_template
from tests.conftest import SO_UNIT, XA_UNIT

CENT = Decimal("0.01")


def _r(x: Fraction) -> Fraction:
    """Half-up to cents, exactly (no Decimal, no float)."""
    return Fraction(math.floor(x * 100 + Fraction(1, 2)), 100)


points = st.decimals(min_value=0, max_value=15, places=2, allow_nan=False)
bonus = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False)
percent = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)
answer = st.sampled_from(["Có", "Không", "có", "KHÔNG"])


@st.composite
def inputs(draw: Any) -> tuple[Any, dict[str, dict[str, Any]]]:
    unit = draw(st.sampled_from([SO_UNIT, XA_UNIT]))
    den = draw(st.integers(min_value=1, max_value=5000))
    num = draw(st.integers(min_value=0, max_value=den))
    if draw(st.booleans()):  # points ending in exactly half a cent: 5/6000 × 30 = 0.025
        den, num = 6000, 2 * draw(st.integers(0, 2999)) + 1
    values: dict[str, dict[str, Any]] = {
        "1.1": {"numerator": num, "denominator": den},
        "2.1": {"percent": float(draw(percent))},
        "2.2.a": {"points": float(draw(points))},
        "2.2.b": {"answer": draw(answer)},
        "3.1": {"points": float(draw(bonus))},
        ("1.2" if unit.group == "so" else "1.3"): {"answer": draw(answer)},
    }
    return unit, values


def expected_total(values: dict[str, dict[str, Any]]) -> Decimal:
    """The total by exact rational arithmetic, from the values as typed."""
    yes = {k: v["answer"].casefold() == "có" for k, v in values.items() if "answer" in v}
    ratio = Fraction(values["1.1"]["numerator"], values["1.1"]["denominator"])
    leaves = [
        _r(min(ratio, Fraction(1)) * 30),
        Fraction(20) if yes.get("1.2", yes.get("1.3")) else Fraction(0),
        _r(Fraction(str(values["2.1"]["percent"])) * 25),
        Fraction(str(values["2.2.a"]["points"])),
        Fraction(10) if yes["2.2.b"] else Fraction(0),
        Fraction(str(values["3.1"]["points"])),
    ]
    total = _r(sum(leaves, Fraction(0)))
    return Decimal(total.numerator) / Decimal(total.denominator)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs())
def test_template_fill_grade_round_trip(small_rubric: Rubric, case: Any) -> None:
    unit, values = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.xlsx"
        wb = build_template(small_rubric, unit)
        fill_workbook(wb, values)
        wb.save(path)
        report = grade_sheets(small_rubric, read_sheets([path]))
    (result,) = report.units
    assert result.status is Status.GRADED, [str(i) for i in result.issues]
    assert result.total == expected_total(values)
    assert result.rank == 1
    for cid, slots in values.items():  # every value read back unchanged, with its cell
        for slot, value in slots.items():
            read = result.inputs[cid][slot].value
            if slot == "answer":
                assert read == ("Có" if value.casefold() == "có" else "Không")
            else:
                assert read == Decimal(str(value))
