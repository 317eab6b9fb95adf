"""Sheets filled and saved by LibreOffice Calc grade exactly like sheets filled by openpyxl.

For one unit of every group of the bundled rubric, the template is filled twice with the same
values: with `fill_workbook` (openpyxl: formulas left without cached results) and through
LibreOffice (tests/libreoffice_fill.py, run by the system Python that has `uno`: LibreOffice
recalculates and stores its own formula results). Both must grade identically, and the template's
formulas as LibreOffice computes them must agree with ictscore (no `total-mismatch`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Status, UnitResult
from ictscore.grading.workers import read_sheets
from ictscore.roster import Unit, load_units
from ictscore.rubric.load import load_rubric
from ictscore.rubric.methods import Normalised, Ratio, Thresholds
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.reader import read_workbook
from ictscore.sheets.template import build_template

pytestmark = pytest.mark.libreoffice

SYSTEM_PYTHON = "/usr/bin/python3"
"""The interpreter with LibreOffice's `uno` module (Debian's python3-uno)."""
FILL_SCRIPT = Path(__file__).with_name("libreoffice_fill.py")
ROSTER = Path(__file__).resolve().parent.parent / "examples" / "units.csv"
RUBRIC_ID = "tiengiang-2020"
GROUPS = tuple(g.id for g in load_rubric(RUBRIC_ID).groups)
FILL_TIMEOUT = 120

Value = int | float | str


def _system_env() -> dict[str, str]:
    """The environment without this venv's Python settings, for the system interpreter."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }


@cache
def _libreoffice_missing() -> str | None:
    """Why these tests cannot run here, or None."""
    if shutil.which("soffice") is None:
        return "LibreOffice is not installed (no soffice on PATH)"
    try:
        probe = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"],
            capture_output=True,
            text=True,
            timeout=30,
            env=_system_env(),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{SYSTEM_PYTHON} cannot run: {exc}"
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno (install python3-uno): {probe.stderr.strip()}"
    return None


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(RUBRIC_ID)


def _values(rubric: Rubric, group: str) -> dict[str, dict[str, Value]]:
    """Deterministic valid inputs for every leaf of `group`; the first fraction is 17/30 of the
    maximum (never a whole number of points), so rounding to the precision is exercised."""
    fractions = [(17, 30), (1, 8), (45, 52), (0, 12), (29, 31), (3, 7)]
    percents = [0.875, 0.4567, 0.125, 1.0, 0.6]  # 0.875 × 5 = 4.375: a half to round up
    offsets = [Decimal("0.5"), Decimal("1.25"), Decimal("0.75"), Decimal("1.1")]
    answers = ["Có", "Có", "Không"]
    seen = {"fraction": 0, "percent": 0, "points": 0, "answer": 0}
    values: dict[str, dict[str, Value]] = {}
    for node in rubric.nodes_for(group):
        c = node.criterion
        if c.method is None:
            continue
        max_points = rubric.max_for(c, group)
        keys = [s.key for s in c.method.slots(max_points)]
        if keys == ["points"]:
            points = max(max_points - offsets[seen["points"] % len(offsets)], Decimal(0))
            values[c.id] = {"points": float(points)}
            seen["points"] += 1
        elif keys == ["answer"]:
            values[c.id] = {"answer": answers[seen["answer"] % len(answers)]}
            seen["answer"] += 1
        elif keys == ["numerator", "denominator"]:
            num, den = fractions[seen["fraction"] % len(fractions)]
            values[c.id] = {"numerator": num, "denominator": den}
            seen["fraction"] += 1
        elif keys == ["percent"]:
            values[c.id] = {"percent": percents[seen["percent"] % len(percents)]}
            seen["percent"] += 1
        elif keys == ["level"]:  # the middle level: a fraction of the maximum
            (slot,) = c.method.slots(max_points)
            values[c.id] = {"level": slot.choices[1]}
        elif keys == ["count"]:  # above the cap, then below it
            values[c.id] = {"count": [7, 2][seen.setdefault("count", 0) % 2]}
            seen["count"] += 1
        elif keys == ["value"] and isinstance(c.method, Thresholds):
            values[c.id] = {"value": int(c.method.tiers[1].min)}  # exactly on a tier's min
        elif keys == ["value"] and isinstance(c.method, Normalised):
            values[c.id] = {"value": 3.5}  # alone in its group: the sheet is its own reference
        else:
            raise AssertionError(f"criterion {c.id}: slots {keys} are new to this test")
    return values


def _input_cells(template: Path, values: dict[str, dict[str, Value]]) -> dict[str, Value]:
    """The values keyed by cell address on the score sheet, found by the inputs' defined names."""
    wb = openpyxl.load_workbook(template)
    try:
        cells: dict[str, Value] = {}
        for cid, slots in values.items():
            for slot, value in slots.items():
                ((sheet, ref),) = list(wb.defined_names[layout.input_name(cid, slot)].destinations)
                assert sheet == layout.SCORE_SHEET
                cells[ref.replace("$", "")] = value
        return cells
    finally:
        wb.close()


def _fill_with_libreoffice(template: Path, out: Path, cells: dict[str, Value]) -> None:
    values_file = out.with_suffix(".json")
    values_file.write_text(json.dumps({"cells": cells}, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [SYSTEM_PYTHON, str(FILL_SCRIPT), str(template), str(out), str(values_file)],
        capture_output=True,
        text=True,
        timeout=FILL_TIMEOUT,
        env=_system_env(),
    )
    if done.returncode != 0 or not out.is_file():
        pytest.fail(
            f"{FILL_SCRIPT.name} failed (exit {done.returncode}):\n{done.stderr}{done.stdout}"
        )


@dataclass(frozen=True)
class Filled:
    """One unit's template, filled the same way by openpyxl and by LibreOffice."""

    unit: Unit
    values: dict[str, dict[str, Value]]
    by_openpyxl: Path
    by_libreoffice: Path


@pytest.fixture(scope="module", params=GROUPS)
def filled(
    request: pytest.FixtureRequest, rubric: Rubric, tmp_path_factory: pytest.TempPathFactory
) -> Filled:
    """One LibreOffice session per group: fill and save the group's first unit of the roster."""
    reason = _libreoffice_missing()
    if reason is not None:
        pytest.skip(reason)
    group: str = request.param
    unit = next(u for u in load_units(ROSTER).units if u.group == group)
    folder: Path = tmp_path_factory.mktemp(f"lo-{group}")
    template = folder / "template.xlsx"
    build_template(rubric, unit).save(template)
    values = _values(rubric, group)

    by_openpyxl = folder / "openpyxl.xlsx"
    wb = openpyxl.load_workbook(template)
    fill_workbook(wb, values)
    wb.save(by_openpyxl)
    wb.close()

    by_libreoffice = folder / "libreoffice.xlsx"
    _fill_with_libreoffice(template, by_libreoffice, _input_cells(template, values))
    return Filled(unit, values, by_openpyxl, by_libreoffice)


def _grade(rubric: Rubric, path: Path) -> UnitResult:
    report = grade_sheets(rubric, read_sheets([path]))
    assert report.issues == (), [str(i) for i in report.issues]
    (result,) = report.units
    assert result.status is Status.GRADED, [str(i) for i in result.issues]
    return result


def test_libreoffice_filled_sheet_grades_like_openpyxl(rubric: Rubric, filled: Filled) -> None:
    by_openpyxl = _grade(rubric, filled.by_openpyxl)
    by_libreoffice = _grade(rubric, filled.by_libreoffice)

    assert by_libreoffice.code == by_openpyxl.code == filled.unit.code
    assert by_libreoffice.total == by_openpyxl.total
    assert by_libreoffice.subtotals == by_openpyxl.subtotals
    assert by_libreoffice.points == by_openpyxl.points
    assert by_libreoffice.band == by_openpyxl.band
    # LibreOffice stores the typed numbers and texts unchanged
    assert {c: {k: v.value for k, v in s.items()} for c, s in by_libreoffice.inputs.items()} == {
        c: {k: v.value for k, v in s.items()} for c, s in by_openpyxl.inputs.items()
    }
    assert set(by_openpyxl.points) == set(filled.values)

    # LibreOffice stored a result in every points cell and the total, so the comparison that
    # reports `total-mismatch` really ran (it skips blank cells, as openpyxl leaves them)
    sheet = read_workbook(filled.by_libreoffice)
    assert sheet.total is not None and not sheet.total.blank
    normalised = {
        cid for cid in filled.values if isinstance(rubric.criterion(cid).method, Normalised)
    }
    assert normalised, "no normalised criterion: the sheet's blank points cell is not exercised"
    assert [r.id for r in sheet.rows if r.points.blank] == sorted(normalised)
    mismatches = [str(i) for i in by_libreoffice.issues if i.code == "total-mismatch"]
    assert mismatches == [], "LibreOffice's formula results differ from ictscore's"
    assert [i.code for i in by_libreoffice.issues] == [i.code for i in by_openpyxl.issues]

    fractional_ratios = [
        cid
        for cid, points in by_openpyxl.points.items()
        if isinstance(rubric.criterion(cid).method, Ratio) and points != points.to_integral_value()
    ]
    assert fractional_ratios, "no ratio with fractional points: rounding is not exercised"


def test_libreoffice_recalculated_total_matches_ictscore(rubric: Rubric, filled: Filled) -> None:
    result = _grade(rubric, filled.by_libreoffice)
    assert result.total is not None

    wb = openpyxl.load_workbook(filled.by_libreoffice, data_only=True)
    try:
        ((sheet, ref),) = list(wb.defined_names[layout.TOTAL_NAME].destinations)
        total_cell = wb[sheet][ref.replace("$", "")]
        total = total_cell.value
        band_label = wb[sheet].cell(total_cell.row + 1, total_cell.column).value
    finally:
        wb.close()

    assert isinstance(total, int | float), f"{layout.TOTAL_NAME} holds {total!r}, not a number"
    # the sheet cannot score criteria normalised against the group: its total lacks them
    pending = sum(
        (
            p
            for cid, p in result.points.items()
            if isinstance(rubric.criterion(cid).method, Normalised)
        ),
        Decimal(0),
    )
    assert pending > 0
    assert Decimal(str(round(total, rubric.precision))) + pending == result.total
    labels = {b.label for b in rubric.bands}
    assert band_label in labels


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_a_sheet_saved_as_xls_or_ods_grades_like_the_xlsx(
    rubric: Rubric, suffix: str, tmp_path: Path
) -> None:
    """Units who save as Excel 97-2003 or OpenDocument: same values read, same totals."""
    reason = _libreoffice_missing()
    if reason is not None:
        pytest.skip(reason)
    unit = next(u for u in load_units(ROSTER).units if u.group == "xa")
    template = tmp_path / "template.xlsx"
    build_template(rubric, unit).save(template)
    values = _values(rubric, "xa")
    by_openpyxl = tmp_path / "openpyxl.xlsx"
    wb = openpyxl.load_workbook(template)
    fill_workbook(wb, values)
    wb.save(by_openpyxl)
    wb.close()
    saved = tmp_path / f"libreoffice{suffix}"
    _fill_with_libreoffice(template, saved, _input_cells(template, values))

    original, other = _grade(rubric, by_openpyxl), _grade(rubric, saved)
    assert (other.total, other.points, other.subtotals) == (
        original.total,
        original.points,
        original.subtotals,
    )
    assert {c: {k: v.value for k, v in s.items()} for c, s in other.inputs.items()} == {
        c: {k: v.value for k, v in s.items()} for c, s in original.inputs.items()
    }
    assert [i.code for i in other.issues if i.code != "total-mismatch"] == []
    mismatches = [str(i) for i in other.issues if i.code == "total-mismatch"]
    assert mismatches == [], "the recalculated formulas differ from ictscore's"
