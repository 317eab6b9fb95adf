"""The results workbook and the feedback are written in time proportional to their size (issue
13): no row loop asks openpyxl for `ws.max_row` or `ws.max_column` (each call scans every cell
of the sheet, so one call per row made the workbook quadratic: 10,000 units did not finish in
580 s), and the feedback works out each group's means once, not once per unit. The timings are
in benchmarks/outputs.py; here the work is counted, so the test does not depend on the machine."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.grading.pipeline import GradeOptions, grade_folder
from ictscore.grading.results import Report, Status
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def examples() -> Report:
    return grade_folder(EXAMPLES / "sheets", GradeOptions(units=EXAMPLES / "units.csv"))


def _grown(report: Report, copies: int) -> Report:
    """The report with every graded commune there `copies` times (new codes and names)."""
    extra = [
        dataclasses.replace(u, code=f"{u.code}-{k}", name=f"{u.name} {k}", file=u.file)
        for k in range(1, copies)
        for u in report.units
        if u.group == "xa" and u.status is Status.GRADED
    ]
    return dataclasses.replace(report, units=(*report.units, *extra))


class _Scans:
    """Counts the calls of ws.max_row and ws.max_column (each scans every cell)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        for name in ("max_row", "max_column"):
            original = getattr(Worksheet, name)
            monkeypatch.setattr(Worksheet, name, property(self._counted(name, original)))

    def _counted(self, name: str, original: Any) -> Any:
        def get(ws: Worksheet) -> int:
            self.calls[name] += 1
            value: int = original.fget(ws)
            return value

        return get


def test_the_results_workbook_asks_for_the_sheet_size_a_fixed_number_of_times(
    examples: Report, monkeypatch: pytest.MonkeyPatch
):
    from ictscore.reports.workbook import build_results_workbook

    assert examples.rubric is not None
    scans = _Scans(monkeypatch)
    counts = []
    for copies in (1, 4):
        scans.calls.clear()
        wb = build_results_workbook(_grown(examples, copies), examples.rubric)
        counts.append(dict(scans.calls))
    graded = sum(1 for u in _grown(examples, 4).units if u.status is Status.GRADED)
    assert graded > 3 * 14  # the communes' sheet grew from 14 rows to 56
    assert counts[0] == counts[1], counts
    assert wb["UBND cấp xã"].max_row > 56


def test_feedback_works_out_each_groups_means_once(
    examples: Report, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from ictscore.reports import feedback

    assert examples.rubric is not None
    calls: Counter[str] = Counter()
    original = feedback.criterion_means

    def counted(report: Report, rubric: Any, group: str) -> Any:
        calls[group] += 1
        return original(report, rubric, group)

    monkeypatch.setattr(feedback, "criterion_means", counted)
    written = feedback.write_feedback(examples.rubric, _grown(examples, 2), tmp_path / "fb")
    assert len(written) == 32 + 14
    assert calls == dict.fromkeys(("nganh-doc", "so-nganh", "huyen", "xa"), 1)
