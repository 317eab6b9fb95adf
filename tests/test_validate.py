"""Validation: each mistake gets its stable code and its file:Sheet!Cell location; the batch
goes on; totals never come from the sheet's own formulas."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Report, Status
from ictscore.grading.workers import read_sheets
from ictscore.roster import Roster, Unit
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.reader import read_workbook
from tests.conftest import SO_UNIT, XA_UNIT, cell_of, full_values


def _grade(rubric: Rubric, *paths: Path, roster: Roster | None = None) -> Report:
    return grade_sheets(rubric, read_sheets(list(paths)), roster)


def _flat(report: Report) -> list[tuple[str, str]]:
    return [(i.code, str(i.where)) for i in report.all_issues]


def test_a_correct_sheet_is_graded_from_its_inputs(small_rubric, make_sheet):
    report = _grade(small_rubric, make_sheet())
    (unit,) = report.units
    assert (unit.status, unit.total, unit.band, unit.rank) == (
        Status.GRADED,
        Decimal("94.5"),
        "tb",
        1,
    )
    assert unit.points["1.1"] == Decimal("25.50")
    assert unit.subtotals == {
        "1": Decimal("45.5"),
        "2": Decimal("45.0"),
        "2.2": Decimal("22.5"),
        "3": Decimal(4),
    }
    assert unit.inputs["1.1"]["numerator"].cell == "E9"
    assert report.ok and not report.all_issues


def _with(**slots: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = full_values(SO_UNIT)
    values.update({k.replace("_", "."): v for k, v in slots.items()})
    return values


def test_value_mistakes_are_located(small_rubric, make_sheet):
    cases: dict[str, tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]] = {
        "above": (_with(**{"2_2_a": {"points": 16}}), [("above-maximum", "E14")]),
        "negative": (_with(**{"2_2_a": {"points": -1}}), [("below-minimum", "E14")]),
        "text": (
            _with(**{"1_1": {"numerator": "khoảng 17", "denominator": 20}}),
            [("not-a-number", "E9")],
        ),
        "ambiguous": (
            _with(**{"1_1": {"numerator": "1.500", "denominator": 2000}}),
            [("ambiguous-value", "E9")],
        ),
        "missing": (_with(**{"1_2": {"answer": None}}), [("missing-value", "E10")]),
        "choice": (_with(**{"1_2": {"answer": "Yes"}}), [("not-a-choice", "E10")]),
        "zero": (
            _with(**{"1_1": {"numerator": 0, "denominator": 0}}),
            [("zero-denominator", "F9")],
        ),
        "percent": (_with(**{"2_1": {"percent": 85}}), [("above-maximum", "E12")]),
    }
    paths = {
        name: make_sheet(Unit(f"u-{name}", name, "so"), values, name=f"{name}.xlsx")
        for name, (values, _) in cases.items()
    }
    report = _grade(small_rubric, *paths.values())
    by_code = {u.code: u for u in report.units}
    for name, (_, expected) in cases.items():
        unit = by_code[f"u-{name}"]
        assert unit.status is Status.INVALID and unit.total is None and unit.rank is None
        where = [(i.code, str(i.where)) for i in unit.issues]
        assert where == [(code, f"{paths[name]}:Bảng điểm!{cell}") for code, cell in expected]
    assert "type 85% rather than 85" in by_code["u-percent"].issues[0].message


def test_a_percentage_with_many_decimals_is_not_a_too_many_decimals_warning(
    small_rubric, make_sheet
):
    (unit,) = _grade(small_rubric, make_sheet(values=_with(**{"2_1": {"percent": 0.8571}}))).units
    assert unit.status is Status.GRADED and not unit.issues
    assert unit.points["2.1"] == Decimal("21.43")  # 0.8571 × 25 = 21.4275


def test_a_sheet_of_another_layout_version(small_rubric, make_sheet):
    def future(wb: Any) -> None:
        ws = wb[layout.META_SHEET]
        row = next(c.row for c in ws["A"] if c.value == "layout_version")
        ws[f"B{row}"] = "99"

    (unit,) = _grade(small_rubric, make_sheet(edit=future)).units
    assert [i.code for i in unit.issues] == ["unsupported-layout"]


def test_a_blank_sheet_is_one_error_not_one_per_cell(small_rubric, make_sheet):
    (unit,) = _grade(small_rubric, make_sheet(values={})).units
    assert [(i.code, str(i.where)) for i in unit.issues] == [
        ("empty-sheet", f"{unit.file}:Bảng điểm")
    ]


def test_date_in_a_score_cell_is_not_a_number(small_rubric, make_sheet):
    import datetime as dt

    path = make_sheet(values=_with(**{"3_1": {"points": dt.datetime(2020, 5, 1)}}))
    (unit,) = _grade(small_rubric, path).units
    assert [i.code for i in unit.issues] == ["not-a-number"]
    assert "a date/time" in unit.issues[0].message


def test_ratio_above_one_and_too_many_decimals_are_warnings(small_rubric, make_sheet):
    path = make_sheet(
        values=_with(**{"1_1": {"numerator": 25, "denominator": 20}, "2_2_a": {"points": 12.345}})
    )
    (unit,) = _grade(small_rubric, path).units
    assert unit.status is Status.GRADED
    assert [i.code for i in unit.issues] == ["ratio-above-one", "too-many-decimals"]
    assert unit.points["1.1"] == 30 and unit.points["2.2.a"] == Decimal("12.35")


def _find_row(ws: Any, cid: str) -> int:
    return next(c.row for c in ws["A"] if c.value == cid)


def _edit(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    return lambda wb: fn(wb[layout.SCORE_SHEET])


def test_tampered_fixed_cells_and_ids(small_rubric, make_sheet):
    def tamper(ws: Any) -> None:
        ws[f"D{_find_row(ws, '2.2.a')}"] = 20  # raised maximum
        ws[f"B{_find_row(ws, '2.1')}"] = "Tỷ lệ khác"  # changed title
        ws[f"A{_find_row(ws, '3.1')}"] = "3.9"  # unknown id, and 3.1 goes missing

    path = make_sheet(edit=_edit(tamper))
    (unit,) = _grade(small_rubric, path).units
    assert unit.status is Status.INVALID
    assert sorted((i.code, str(i.where)) for i in unit.issues) == sorted(
        [
            ("max-changed", f"{path}:Bảng điểm!D14"),
            ("title-changed", f"{path}:Bảng điểm!B12"),
            ("unknown-criterion", f"{path}:Bảng điểm!A17"),
            ("missing-criterion", f"{path}:Bảng điểm"),
        ]
    )


def test_duplicate_criterion_row(small_rubric, make_sheet):
    def dup(ws: Any) -> None:
        ws[f"A{_find_row(ws, '2.2.b')}"] = "2.2.a"

    (unit,) = _grade(small_rubric, make_sheet(edit=_edit(dup))).units
    assert {i.code for i in unit.issues} == {"duplicate-criterion", "missing-criterion"}


def test_rows_are_found_by_id_not_position(small_rubric, make_sheet, tmp_path):
    """A unit that moves rows around (here: swaps two criterion rows) is still graded right."""

    def swap(ws: Any) -> None:
        a, b = _find_row(ws, "2.1"), _find_row(ws, "1.1")
        for col in "ABCDEFGH":
            ws[f"{col}{a}"].value, ws[f"{col}{b}"].value = (
                ws[f"{col}{b}"].value,
                ws[f"{col}{a}"].value,
            )

    (unit,) = _grade(small_rubric, make_sheet(edit=_edit(swap))).units
    assert unit.status is Status.GRADED and unit.total == Decimal("94.5")


def test_value_for_a_criterion_of_another_group(small_rubric, make_sheet):
    def add_row(ws: Any) -> None:
        ws["A40"], ws["B40"], ws["E40"] = "1.2", "Kết nối", "Có"  # 1.2 is not for communes

    path = make_sheet(XA_UNIT, edit=_edit(add_row))
    (unit,) = _grade(small_rubric, path).units
    assert [(i.code, str(i.where)) for i in unit.issues] == [
        ("not-applicable", f"{path}:Bảng điểm!E40")
    ]


def test_cached_or_typed_totals_are_compared_never_trusted(small_rubric, make_sheet):
    def typed(ws: Any) -> None:
        total_row = next(c.row for c in ws["B"] if c.value == layout.TOTAL_LABEL)
        ws[f"G{total_row}"] = 99  # the unit overwrote its total formula with a number
        ws[f"G{_find_row(ws, '1.1')}"] = 30

    path = make_sheet(edit=_edit(typed))
    (unit,) = _grade(small_rubric, path).units
    assert unit.status is Status.GRADED and unit.total == Decimal("94.5")
    assert [(i.code, i.severity.value, i.where.cell if i.where else None) for i in unit.issues] == [
        ("total-mismatch", "warning", "G9"),
        ("total-mismatch", "warning", "G18"),
    ]


def test_sheets_from_another_rubric_version_or_content(small_rubric, make_sheet):
    other_version = small_rubric.model_copy(update={"version": "0"})
    edited = small_rubric.model_copy(update={"title": "Bảng điểm sửa"})
    a = make_sheet(Unit("a", "A", "so"), rubric=other_version, name="a.xlsx")
    b = make_sheet(Unit("b", "B", "so"), rubric=edited, name="b.xlsx")
    report = _grade(small_rubric, a, b)
    assert _flat(report) == [("wrong-rubric-version", str(a)), ("rubric-changed", str(b))]
    assert all(u.status is Status.INVALID for u in report.units)


def test_roster_checks_unknown_duplicate_missing_and_group(small_rubric, make_sheet, tmp_path):
    roster = Roster((SO_UNIT, XA_UNIT, Unit("so-b", "Sở B", "so"), Unit("so-c", "Sở C", "xa")))
    one = make_sheet(SO_UNIT, name="one.xlsx")
    two = make_sheet(SO_UNIT, name="two.xlsx")
    stranger = make_sheet(Unit("zz", "Lạ", "so"), name="stranger.xlsx")
    wrong_group = make_sheet(Unit("so-c", "Sở C", "so"), name="c.xlsx")
    report = _grade(small_rubric, one, two, stranger, wrong_group, roster=roster)
    status = {u.code: u.status.value for u in report.units}
    assert status == {
        "so-a": "invalid",
        "zz": "invalid",
        "10001": "missing",
        "so-b": "missing",
        "so-c": "invalid",
    }
    codes = sorted(i.code for i in report.all_issues)
    assert codes == [
        "duplicate-unit",
        "duplicate-unit",
        "group-mismatch",
        "not-submitted",
        "not-submitted",
        "unknown-unit",
    ]
    assert not report.ok


def test_one_unreadable_file_never_stops_the_batch(small_rubric, make_sheet, tmp_path):
    good = make_sheet()
    bad = tmp_path / "sheets" / "broken.xlsx"
    bad.write_bytes(b"this is not a zip file")
    foreign = tmp_path / "sheets" / "foreign.xlsx"
    import openpyxl

    openpyxl.Workbook().save(foreign)
    report = _grade(small_rubric, good, bad, foreign)
    assert [u.status for u in report.units] == [Status.GRADED]
    assert [(i.code, str(i.where)) for i in report.issues] == [
        ("not-a-spreadsheet", str(bad)),
        ("missing-sheet", str(foreign)),
    ]


def test_reader_reports_locations_of_values(make_sheet):
    path = make_sheet()
    sheet = read_workbook(path)
    row = next(r for r in sheet.rows if r.id == "1.1")
    assert [c.cell for c in row.inputs] == ["E9", "F9"]
    assert cell_of(path, layout.input_name("1.1", "denominator")) == "F9"
    assert sheet.meta["unit_code"] == SO_UNIT.code and sheet.meta["rubric_id"] == "small"


def test_workbooks_that_are_not_score_sheets(small_rubric, make_sheet, tmp_path):
    def drop_meta(wb: Any) -> None:
        del wb[layout.META_SHEET]

    def drop_header(wb: Any) -> None:
        ws = wb[layout.SCORE_SHEET]
        ws["A7"] = None

    def rename_column(wb: Any) -> None:
        wb[layout.SCORE_SHEET]["H7"] = "Ghi chú"

    paths = [
        make_sheet(edit=drop_meta, name="meta.xlsx"),
        make_sheet(edit=drop_header, name="header.xlsx"),
        make_sheet(edit=rename_column, name="column.xlsx"),
    ]
    report = _grade(small_rubric, *paths)
    assert [(i.code, str(i.where)) for i in report.issues] == [
        ("missing-header", f"{paths[1]}:Bảng điểm"),
        ("missing-header", f"{paths[2]}:Bảng điểm!A7"),
    ]
    assert 'lacks the column(s) "Minh chứng, ghi chú"' in report.issues[1].message
    # without its hidden record, a sheet is still read by its criterion ids and its heading
    (recovered,) = report.units
    assert (recovered.code, recovered.group, recovered.status) == ("so-a", "so", Status.GRADED)
    assert [i.code for i in recovered.issues] == ["no-record"]
    assert recovered.total == Decimal("94.5")


def test_a_sheet_that_declares_a_wrong_size_is_still_read_whole(small_rubric, make_sheet):
    """Some programs write <dimension ref="A1"/>; read-only openpyxl would then see one cell."""
    import re
    import zipfile

    path = make_sheet()
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet_xml = "xl/worksheets/sheet1.xml"
    parts[sheet_xml], count = re.subn(
        rb'<dimension ref="[^"]+" ?/>', b'<dimension ref="A1"/>', parts[sheet_xml]
    )
    assert count == 1
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    (unit,) = _grade(small_rubric, path).units
    assert unit.status is Status.GRADED and unit.total == Decimal("94.5")


def test_a_word_is_not_a_number_and_says_so(small_rubric, make_sheet):
    path = make_sheet(values=_with(**{"2_2_a": {"points": "mười"}}))
    (unit,) = _grade(small_rubric, path).units
    assert [i.code for i in unit.issues] == ["not-a-number"]
    assert unit.issues[0].message.endswith('expected a number from 0 to 15, found text "mười"')


def test_a_sheet_whose_rows_were_deleted_reports_missing_criteria(small_rubric, make_sheet):
    def delete_rows(wb: Any) -> None:
        ws = wb[layout.SCORE_SHEET]
        for row in range(8, 18):
            ws[f"A{row}"] = None

    (unit,) = _grade(small_rubric, make_sheet(values={}, edit=delete_rows)).units
    assert {i.code for i in unit.issues} == {"missing-criterion"}


@pytest.mark.parametrize(
    ("typed", "read", "note"),
    [
        ("9,5", Decimal("9.5"), 'read text "9,5" as 9.5'),
        ("\xa010 điểm ", Decimal(10), 'read text "\xa010 điểm " as 10'),
        ("１２,５", Decimal("12.5"), 'read text "１２,５" as 12.5'),  # full-width digits
        (" 7 ", Decimal(7), 'read text " 7 " as 7'),
    ],
)
def test_numbers_as_people_type_them(small_rubric, make_sheet, typed, read, note):
    (unit,) = _grade(small_rubric, make_sheet(values=_with(**{"2_2_a": {"points": typed}}))).units
    assert unit.status is Status.GRADED and unit.points["2.2.a"] == read
    (issue,) = unit.issues
    assert issue.code == "coerced-value" and issue.message.endswith(note)
    assert str(issue.where).endswith("Bảng điểm!E14")


@pytest.mark.parametrize(
    ("typed", "read"),
    [("x", "Có"), ("Đạt", "Có"), ("co", "Có"), ("Không đạt", "Không"), ("KHONG", "Không")],
)
def test_yes_no_as_people_answer_it(small_rubric, make_sheet, typed, read):
    (unit,) = _grade(small_rubric, make_sheet(values=_with(**{"1_2": {"answer": typed}}))).units
    assert unit.inputs["1.2"]["answer"].value == read
    assert [i.code for i in unit.issues] == ["coerced-value"]
    clean = _grade(small_rubric, make_sheet(values=_with(**{"1_2": {"answer": " KHÔNG "}})))
    assert not clean.units[0].issues  # case and spaces are not worth a warning


def test_percentages_as_people_type_them(small_rubric, make_sheet):
    as_text = make_sheet(values=_with(**{"2_1": {"percent": "85%"}}), name="a.xlsx")
    (unit,) = _grade(small_rubric, as_text).units
    assert unit.points["2.1"] == Decimal("21.25") and [i.code for i in unit.issues] == [
        "coerced-value"
    ]
    plain_85 = make_sheet(values=_with(**{"2_1": {"percent": 85}}), name="b.xlsx")
    (strict,) = _grade(small_rubric, plain_85).units
    assert [i.code for i in strict.issues] == ["above-maximum"]  # the default rule
    lenient = small_rubric.model_copy(update={"plain_percent": True})
    (read,) = grade_sheets(lenient, read_sheets([plain_85]), self_check=True).units
    assert read.points["2.1"] == Decimal("21.25")
    assert "read 85 as 85%" in read.issues[-1].message


def test_formula_cells_without_a_usable_result(small_rubric, make_sheet):
    def formulas(wb: Any) -> None:
        ws = wb[layout.SCORE_SHEET]
        ws["E14"] = "=1/0"  # openpyxl saves no result: as a program-filled sheet would
        ws["E15"] = "=5+5"

    (unit,) = _grade(small_rubric, make_sheet(edit=formulas)).units
    assert [(i.code, i.where.cell if i.where else None) for i in unit.issues] == [
        ("formula-without-value", "E14"),
        ("formula-without-value", "E15"),
    ]
    assert "save it, or type the value" in unit.issues[0].message


@pytest.mark.parametrize("typed", ["10²", "①", "٣", "5 người", "1.500", "-0,5", "1e3"])
def test_look_alike_numbers_are_not_guessed(small_rubric, make_sheet, typed):
    (unit,) = _grade(small_rubric, make_sheet(values=_with(**{"2_2_a": {"points": typed}}))).units
    assert unit.status is Status.INVALID
    assert [i.code for i in unit.issues] in (
        ["not-a-number"],
        ["ambiguous-value"],
        ["below-minimum"],
    )


@pytest.mark.parametrize("typed", [1e26, "1" * 400, 1e308])
def test_absurdly_large_numbers_are_not_numbers(small_rubric, make_sheet, typed):
    (unit,) = _grade(small_rubric, make_sheet(values=_with(**{"3_1": {"points": typed}}))).units
    assert [i.code for i in unit.issues] == ["not-a-number"]


def test_the_formula_scan_finds_exactly_the_formulas_without_a_usable_result():
    """The scan behind formula-error / formula-without-value, on sheet XML as Excel,
    LibreOffice or another program may write it (prefixed tags, any spacing, headers after
    the cells)."""
    from ictscore.sheets.filecheck import Inspected
    from ictscore.sheets.reader import _formula_problems

    book = (
        b'<x:workbook xmlns:x="m" xmlns:r="r"><x:sheets>'
        b'<x:sheet name="Other" sheetId="1" r:id="rId1"/>'
        b'<x:sheet sheetId="2" r:id="rId7" name="B&#7843;ng &#273;i&#7875;m"/>'
        b"</x:sheets></x:workbook>"
    )
    rels = (
        b'<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="t"/>'
        b"<Relationship Type='t' Target='/xl/worksheets/sheet9.xml' Id='rId7'/></Relationships>"
    )
    sheet = (
        b'<worksheet><sheetData><row r="2">'
        b'<c r="A2"><f>SUM(B2:C2)</f></c>'  # never calculated
        b'<c\n r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'  # an error
        b'<c r="C2"><f>1+1</f><v>2</v></c>'  # fine
        b'<c r="D2" t="e"><v>#N/A</v></c>'  # an error typed, not a formula
        b'<c r="F2"><f>1+2</f><v></v></c>'  # never calculated (openpyxl writes it with lxml)
        b'<c r="G2"><f>1+3</f><v/></c>'  # never calculated (openpyxl without lxml)
        b'<c r="E2" s="3"/>'  # an empty styled cell, last of the sheet
        b"</row></sheetData><headerFooter><firstHeader>x</firstHeader></headerFooter>"
        b"</worksheet>"
    )
    parts = {
        "xl/workbook.xml": book,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/worksheets/sheet1.xml": b'<worksheet><c r="Z9"><f>1</f></c></worksheet>',
        "xl/worksheets/sheet9.xml": sheet,
    }
    problems = _formula_problems(Inspected(b"", "xlsx", parts))
    assert problems == {"A2": "", "B2": "#DIV/0!", "F2": "", "G2": ""}
