"""The table model (reports/tables.py): one ranked table per group, built once, and one
definition of where the appraisal changed something; the terminal, the workbook and the page
show the same rows from it."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from ictscore.grading import appraisal_form as ap
from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Report
from ictscore.grading.workers import read_sheets
from ictscore.reports import labels, terminal
from ictscore.reports.page import build_html
from ictscore.reports.tables import Kind, build_tables
from ictscore.reports.workbook import build_results_workbook
from ictscore.rubric import Rubric, parse_rubric
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.template import build_template
from tests.test_policies import POLICY, UNITS, VALUES, _fill_form


@pytest.fixture(scope="module")
def policy() -> Rubric:
    return parse_rubric(POLICY, "policy.yaml")


@pytest.fixture(scope="module")
def graded(policy: Rubric, tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Report]:
    """The policy sheets graded on their own, then with an appraisal form that cuts points,
    marks a criterion not applicable, gives a value, notes a criterion it leaves as it was,
    and appraises one at the self-score without a word."""
    folder = tmp_path_factory.mktemp("tables")
    for code, values in VALUES.items():
        wb = build_template(policy, UNITS[code])
        fill_workbook(wb, values)
        wb.save(folder / f"{code}.xlsx")
    sheets = read_sheets(sorted(folder.glob("*.xlsx")))
    plain = grade_sheets(policy, sheets)
    form = folder / "form" / "tham-dinh.xlsx"
    form.parent.mkdir()
    ap.build_form(policy, plain.units).save(form)
    _fill_form(
        form,
        {
            ("s1", "1.1"): (30, None, "Chỉ 30 máy"),  # points cut, with a note
            ("s1", "1.3"): (None, "Không thuộc đối tượng", None),  # not applicable
            ("u9", "1.2"): (4, None, None),  # an appraised value (Mbps/người), no note
            ("x1", "2.1"): (15, None, "Đúng như tự chấm"),  # unchanged, with a note
            ("x2", "1.1"): (40, None, None),  # unchanged, nothing said
            ("x3", "1.1"): (10, None, None),  # points cut, no reason given
        },
    )
    return plain, grade_sheets(policy, sheets, appraisal=ap.read_appraisal(form))


def test_columns_follow_the_group(policy: Rubric, graded: tuple[Report, Report]):
    plain, appraised = graded
    so, xa = build_tables(plain, policy).groups
    ids = [c.id for c in xa.columns]
    assert ids[:3] == ["rank", "parent_rank", "code"]  # communes rank within their district
    assert "parent_rank" not in [c.id for c in so.columns]
    assert [c.area for c in so.areas] == ["1", "2", "3", "4"]
    assert [c.label for c in so.areas] == ["1", "2", "3", "4 (−)"]
    assert all(c.kind is Kind.AREA and c.numeric for c in so.areas)
    assert "raw_total" in ids and "raw_total" not in [c.id for c in so.columns]  # xa rescaled
    assert "self_total" not in ids  # nothing appraised yet
    so, _ = build_tables(appraised, policy).groups
    assert so.has("self_total") and so.has("appraisal_difference")
    assert so.max_text == labels.max_text(policy, "so")


def test_rows_hold_plain_values(policy: Rubric, graded: tuple[Report, Report]):
    plain, _ = graded
    so, xa = build_tables(plain, policy).groups
    s3 = next(r for r in so.rows if r.unit.code == "s3")
    assert (s3.cells["rank"], s3.cells["total"], s3.cells["area:1"]) == (1, 91, 68)
    assert s3.cells["band"] == "Tốt" and s3.band is not None and s3.band.id == "tot"
    u9 = next(r for r in so.rows if r.unit.code == "u9")
    assert u9.unranked and u9.cells["rank"] is None
    x1 = next(r for r in xa.rows if r.unit.code == "x1")
    assert (x1.cells["raw_total"], x1.cells["total"], x1.cells["parent_rank"]) == (52.5, 65, 2)
    assert "Yếu: 2" in xa.caption and "Không xếp hạng — u9: Lý do an ninh" in so.caption


def test_one_definition_of_what_the_appraisal_changed(
    policy: Rubric, graded: tuple[Report, Report]
):
    _, report = graded
    tables = build_tables(report, policy)
    said = [(c.unit.code, c.criterion) for c in tables.changes]
    # every criterion the appraisal says something about; x2's, appraised as it was, is not
    assert said == [("s1", "1.1"), ("s1", "1.3"), ("u9", "1.2"), ("x1", "2.1"), ("x3", "1.1")]
    changed = [(c.unit.code, c.criterion) for c in tables.changes if c.changes_points]
    assert changed == [("s1", "1.1"), ("s1", "1.3"), ("u9", "1.2"), ("x3", "1.1")]
    # each group's table holds its own units' changes
    so, xa = tables.groups
    assert [c.unit.code for c in so.changes] == ["s1", "s1", "u9"]
    assert [c.unit.code for c in xa.changes] == ["x1", "x3"]
    s1 = tables.changes[0]
    assert (s1.self_points, s1.points, s1.difference) == (36, 30, -6)


def test_the_terminal_and_the_workbook_list_the_same_changes(
    policy: Rubric, graded: tuple[Report, Report]
):
    _, report = graded
    table = terminal.appraisal_rich_table(build_tables(report, policy).changes, policy.precision)
    assert table is not None
    in_terminal = list(
        zip(
            table.columns[0].cells,
            table.columns[2].cells,
            table.columns[4].cells,
            strict=True,
        )
    )
    wb = build_results_workbook(report, policy)
    in_workbook = [
        (r[0], r[2], r[4]) for r in wb[labels.APPRAISED].iter_rows(min_row=2, values_only=True)
    ]
    assert [(c, k) for c, k, _ in in_terminal] == [(c, k) for c, k, _ in in_workbook]
    assert [v for *_, v in in_terminal] == ["30,00", "KAD", "8,00", "15,00", "10,00"]
    assert [v for *_, v in in_workbook] == [30, "KAD", 8, 15, 10]


def test_every_writer_shows_the_same_ranked_rows(
    policy: Rubric, graded: tuple[Report, Report], tmp_path: Path
):
    _, report = graded
    buf = io.StringIO()
    Console(width=200, file=buf, color_system=None).print(terminal.report_tables(report, policy))
    text = buf.getvalue()
    path = tmp_path / "r.xlsx"
    build_results_workbook(report, policy).save(path)
    ws = openpyxl.load_workbook(path)["Sở"]
    html = build_html(report, policy)
    for row in build_tables(report, policy).groups[0].rows:
        unit = row.unit
        assert unit.code in text and f"<td>{unit.code}</td>" in html
        sheet_row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == unit.code)
        rank = labels.UNRANKED_MARK if row.unranked else row.cells["rank"]
        assert sheet_row[0] == rank
