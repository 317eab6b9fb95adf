"""Fuzzing: valid sheets mutated at random (cell values and types, deleted and inserted rows,
renamed sheets, truncated or flipped bytes) are graded without ever raising: every problem comes
back as a reported issue.

CI runs a bounded number of examples. A longer run:

    ICTSCORE_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Report, Status
from ictscore.grading.workers import read_sheets
from ictscore.issues import Issue
from ictscore.roster import Unit
from ictscore.rubric.load import load_rubric
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.template import build_template

EXAMPLES = int(os.environ.get("ICTSCORE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
UNIT = Unit("28249", "Phường 5", "xa", "815", "Thành phố Mỹ Tho")


@cache
def _rubric() -> Rubric:
    return load_rubric("tiengiang-2020")


@cache
def _valid() -> bytes:
    rubric = _rubric()
    wb = build_template(rubric, UNIT)
    values: dict[str, dict[str, Any]] = {}
    for node in rubric.nodes_for(UNIT.group):
        c = node.criterion
        if c.method is not None:
            slots = c.method.slots(rubric.max_for(c, UNIT.group))
            values[c.id] = {s.key: (s.choices[0] if s.choices else 1) for s in slots}
    fill_workbook(wb, values)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.sampled_from(["=1/0", "=A1", "9,5", "Có", "x", "85%", "1.500", "=SUM(", "#N/A"]),
)
cells = st.tuples(
    st.integers(min_value=1, max_value=70),
    st.integers(min_value=1, max_value=10),
    cell_values,
)
edits = st.fixed_dictionaries(
    {
        "cells": st.lists(cells, max_size=12),
        "delete": st.lists(st.integers(min_value=1, max_value=70), max_size=3),
        "insert": st.lists(st.integers(min_value=1, max_value=70), max_size=3),
        "rename": st.sampled_from([None, "Sheet1", "Bang diem", "_ictscore"]),
        "drop_meta": st.booleans(),
    }
)


def _mutate(edit: dict[str, Any]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(_valid()))
    ws = wb[layout.SCORE_SHEET]
    for row, col, value in edit["cells"]:
        cell = ws.cell(row, col)
        if not hasattr(cell, "column_letter"):  # a cell covered by a merged range
            continue
        try:
            cell.value = value
        except Exception:  # noqa: BLE001 - values openpyxl itself refuses to store
            cell.value = repr(value).encode("ascii", "replace").decode()
    for row in edit["delete"]:
        ws.delete_rows(row)
    for row in edit["insert"]:
        ws.insert_rows(row)
    if edit["drop_meta"]:
        del wb[layout.META_SHEET]
    if edit["rename"] and edit["rename"] not in wb.sheetnames:
        ws.title = edit["rename"]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _grade(data: bytes, suffix: str = ".xlsx") -> Report:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzzed{suffix}"
        path.write_bytes(data)
        report = grade_sheets(_rubric(), read_sheets([path]))
        assert path.read_bytes() == data  # never written
    return report


def _assert_reported(report: Report) -> None:
    """Either one unit's result (graded, or invalid with an error) or a file-level error."""
    if not report.units:
        assert report.issues and all(isinstance(i, Issue) and i.is_error for i in report.issues)
        return
    (unit,) = report.units
    if unit.status is Status.GRADED:
        assert unit.total is not None and unit.total >= 0
    else:
        assert any(i.is_error for i in unit.issues)
    for issue in report.all_issues:
        assert issue.message and issue.code


@FUZZ
@given(edits)
def test_mutated_sheets_are_graded_or_reported(edit: dict[str, Any]) -> None:
    _assert_reported(_grade(_mutate(edit)))


VALID = Path(__file__).parent / "data" / "valid"
"""The example sheet 28249 saved by LibreOffice as .xls and .ods (soffice --convert-to), so that
calamine's own .xls and .ods readers are fuzzed, not only its .xlsx reader."""


@cache
def _sample(suffix: str) -> bytes:
    if suffix == ".xlsx":
        return _valid()
    return (VALID / f"28249-phuong-5{suffix}").read_bytes()


def test_the_xls_and_ods_samples_grade() -> None:
    for suffix in (".xls", ".ods"):
        (unit,) = _grade(_sample(suffix), suffix).units
        assert unit.status is Status.GRADED and unit.total == Decimal("105.76")


@FUZZ
@given(
    st.integers(min_value=0, max_value=100_000),
    st.sampled_from(["truncate", "flip", "zero"]),
    st.sampled_from([".xlsx", ".xls", ".ods"]),
)
def test_damaged_bytes_are_reported(at: int, how: str, suffix: str) -> None:
    data = bytearray(_sample(suffix))
    at %= len(data)
    if how == "truncate":
        data = data[:at]
    elif how == "flip":
        data[at] ^= 0xFF
    else:
        data[at : at + 256] = bytes(len(data[at : at + 256]))
    _assert_reported(_grade(bytes(data), suffix))
