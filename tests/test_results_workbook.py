"""The results workbook (--output results.xlsx), read back as a clerk would: cell values, not
bytes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest

from tests.conftest import EXAMPLES, grade_examples


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, openpyxl.Workbook]:
    out = tmp_path_factory.mktemp("results")
    report = grade_examples("-o", out / "results.xlsx")
    return report, openpyxl.load_workbook(out / "results.xlsx")


def _rows(ws, first: int) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if any(r)]


def test_sheets_in_order(graded):
    _, wb = graded
    assert wb.sheetnames == [
        "Tổng hợp",
        "Cơ quan ngành dọc",
        "Sở, ban, ngành tỉnh",
        "UBND cấp huyện",
        "UBND cấp xã",
        "Tiêu chí - Cơ quan ngành dọc",
        "Tiêu chí - Sở, ban, ngành tỉnh",
        "Tiêu chí - UBND cấp huyện",
        "Tiêu chí - UBND cấp xã",
        "Giá trị cao nhất khối",
        "Chưa nộp",
        "Vấn đề",
    ]


def test_summary_per_group_matches_the_report(graded):
    data, wb = graded
    ws = wb["Tổng hợp"]
    header, *rows = _rows(ws, 3)
    assert header[0] == "Chỉ tiêu"
    shown = [r for r in rows if not ws.row_dimensions[rows.index(r) + 4].hidden]
    hidden = rows[len(shown) :]
    figure = {r[0]: r for r in shown}
    counts = {r[0]: r for r in hidden}  # the chart's data, under the table
    for g in data["groups"]:
        i = header.index(g["label"])
        units = [u for u in data["units"] if u["group"] == g["id"] and u["status"] == "graded"]
        totals = [Decimal(str(u["total"])) for u in units]
        assert (figure["Đã chấm"][i], figure["Chưa nộp"][i]) == (g["graded"], g["missing"])
        mean = (sum(totals) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(str(figure["Điểm trung bình"][i])) == mean
        best = max(units, key=lambda u: u["total"])
        assert figure["Cao nhất"][i] == best["total"]
        assert best["name"] in figure["Đơn vị cao nhất"][i]
        assert Decimal(str(figure["Chênh lệch"][i])) == max(totals) - min(totals)
        for band, count in g["bands"].items():
            label = next(b["label"] for b in data["bands"] if b["id"] == band)
            assert counts[label][i] == count
            assert figure[f"Xếp loại {label}"][i].startswith(f"{count}/{g['graded']} (")
    xa = header.index("UBND cấp xã")
    assert figure["Xếp loại Tốt"][xa] == "6/14 (43%)"
    assert len(ws._charts) == 1  # the bands per group


def test_group_sheet_ranks_parent_ranks_and_chart(graded):
    data, wb = graded
    ws = wb["UBND cấp xã"]
    header, *rows = _rows(ws, 3)
    assert header[:5] == ("Hạng", "Hạng (cấp trên)", "Mã", "Tên đơn vị", "Thuộc")
    graded_rows = [r for r in rows if r[header.index("Trạng thái")] == "Đã chấm"]
    units = {u["code"]: u for u in data["units"]}
    for r in graded_rows:
        u = units[r[2]]
        assert (r[0], r[1], r[header.index("Tổng điểm")]) == (
            u["rank"],
            u["parent_rank"],
            u["total"],
        )
    assert len(ws._charts) == 1
    hidden = [c for c, d in ws.column_dimensions.items() if d.hidden]
    assert [ws[f"{c}3"].value for c in hidden] == ["Ngưỡng Tốt", "Ngưỡng Khá", "Ngưỡng Trung bình"]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref


def test_criteria_matrix_shows_each_criterion_mean(graded):
    data, wb = graded
    ws = wb["Tiêu chí - UBND cấp xã"]
    ids = [
        str(v).split(" ")[0] for v in next(ws.iter_rows(min_row=3, max_row=3, values_only=True))[2:]
    ]
    rows = _rows(ws, 4)
    *units, mean_row, share_row = rows
    assert mean_row[1] == "Trung bình" and share_row[1] == "Tỷ lệ đạt (%)"
    xa = [u for u in data["units"] if u["group"] == "xa" and u["status"] == "graded"]
    assert len(units) == len(xa)
    for i, cid in enumerate(ids):
        values = [Decimal(str(u["points"][cid])) for u in xa]
        mean = (sum(values) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(str(mean_row[2 + i])) == mean, cid
    weak = [c for c in ws[ws.max_row][2:] if c.fill.fgColor.rgb == "00FFC7CE"]
    assert all(c.value < 60 for c in weak)


def test_missing_units_are_listed(graded):
    data, wb = graded
    rows = _rows(wb["Chưa nộp"], 2)
    missing = [u for u in data["units"] if u["status"] == "missing"]
    assert len(rows) == len(missing) == 176
    assert {r[0] for r in rows} == {u["code"] for u in missing}


def test_sheet_names_stay_valid_and_unique_for_long_group_labels():
    from openpyxl import Workbook

    from ictscore.reports.workbook.common import sheet_title

    wb = Workbook()
    for label in (
        "Sở, ban, ngành, đoàn thể cấp tỉnh (nhóm A)",
        "Sở, ban, ngành, đoàn thể cấp tỉnh (nhóm B)",
    ):
        wb.create_sheet(sheet_title(f"Tiêu chí - {label}", wb))
    names = wb.sheetnames[1:]
    assert len({n.casefold() for n in names}) == 2 and all(len(n) <= 31 for n in names)
    assert names[1].endswith(" (2)")


def test_threshold_lines_are_drawn_and_penalties_never_weak(graded):
    _, wb = graded
    (chart,) = wb["UBND cấp xã"]._charts
    assert chart.visible_cells_only is False  # the hidden threshold columns are plotted
    ws = wb["Tiêu chí - UBND cấp xã"]
    ids = [str(v).split(" ")[0] for v in next(ws.iter_rows(min_row=3, max_row=3, values_only=True))]
    for i, cid in enumerate(ids):
        if cid.startswith("8."):  # the penalty area: a low mean is good
            assert ws.cell(ws.max_row, i + 1).fill.fgColor.rgb != "00FFC7CE"


def _rgb(props) -> str:
    return props.solidFill.srgbClr


def test_charts_use_the_one_band_palette_and_whole_counts(graded):
    from ictscore.reports.labels import band_colour
    from ictscore.rubric.load import load_rubric

    data, wb = graded
    rubric = load_rubric(data["rubric"]["id"])
    (bands,) = wb["Tổng hợp"]._charts
    assert [_rgb(s.graphicalProperties) for s in bands.series] == [
        band_colour(rubric, b.id)[1:].upper() for b in rubric.bands
    ]
    assert bands.y_axis.majorUnit == 1 and bands.y_axis.numFmt.formatCode == "0"
    assert bands.y_axis.scaling.min == 0 and bands.dataLabels.showVal
    assert bands.x_axis.delete is False and bands.y_axis.delete is False
    (totals,) = wb["UBND cấp xã"]._charts
    bars, lines = totals._charts
    by_code = {u["code"]: u for u in data["units"]}
    ws = wb["UBND cấp xã"]
    code_col = [c.value for c in ws[3]].index("Mã") + 1
    assert len(bars.series[0].dPt) == 14
    for point in bars.series[0].dPt:  # each unit's bar in its band's colour
        unit = by_code[ws.cell(4 + point.idx, code_col).value]
        assert _rgb(point.graphicalProperties) == band_colour(rubric, unit["band"])[1:].upper()
    assert [s.graphicalProperties.line.solidFill.srgbClr for s in lines.series] == [
        band_colour(rubric, b.id)[1:].upper() for b in rubric.bands if b.min is not None
    ]


def test_a_group_of_173_prints_within_its_columns(tmp_path):
    """The size of a province's communes: names wrap in rows tall enough, the chart stays as
    wide as the printed table and names no units it could not show, the file column stays
    outside the print area."""
    import dataclasses

    from openpyxl.utils import get_column_letter

    from ictscore.grading.pipeline import GradeOptions, grade_folder
    from ictscore.grading.results import Status
    from ictscore.reports.workbook import build_results_workbook
    from ictscore.rubric.load import load_rubric

    report = grade_folder(EXAMPLES / "sheets", GradeOptions(jobs=1))
    rubric = report.rubric or load_rubric(report.rubric_id)
    xa = [u for u in report.units if u.group == "xa" and u.status is Status.GRADED]
    many = [
        dataclasses.replace(
            xa[i % len(xa)],
            code=f"x{i:05d}",
            name=f"Xã Tân Phú Đông Hòa Bình Thạnh Long Hưng số {i}",
            rank=i + 1,
        )
        for i in range(173)
    ]
    big = dataclasses.replace(report, units=[u for u in report.units if u.group != "xa"] + many)
    wb = build_results_workbook(big, rubric)
    ws = wb["UBND cấp xã"]
    header = [c.value for c in ws[3]]
    name_col = header.index("Tên đơn vị") + 1
    assert ws.print_area.endswith(f"${get_column_letter(header.index('Tệp'))}${3 + 173 + 29}")
    width = ws.column_dimensions[get_column_letter(name_col)].width
    assert width <= 30
    for r in range(4, 4 + 173):
        assert ws.cell(r, name_col).alignment.wrap_text
        assert ws.row_dimensions[r].height >= 2 * 13  # two lines of 11-point text
    (chart,) = ws._charts
    printed = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, len(header)))
    assert chart.width <= printed * 0.2 and chart.x_axis.tickLblSkip == 10  # ranks, not codes
    (bands,) = wb["Tổng hợp"]._charts
    assert bands.y_axis.majorUnit in (5, 10, 20) and bands.y_axis.numFmt.formatCode == "0"
