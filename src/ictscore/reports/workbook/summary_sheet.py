"""The summary sheet "Tổng hợp": a column per group, a row per figure, the band chart below;
one A4 page."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ictscore.grading.results import Report, UnitResult
from ictscore.numbers import excel_number_format, vn_number
from ictscore.reports import labels
from ictscore.reports.publication import Publication
from ictscore.reports.summary import BandCount, GroupSummary
from ictscore.reports.workbook.charts import (
    bands_chart,
)
from ictscore.reports.workbook.common import (
    as_float,
    cell_text,
    finish,
    header,
)
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.printing import (
    title_row,
)

_LABEL_WIDTH = 24


_GROUP_WIDTH = 18


def summary_sheet(
    wb: Workbook,
    report: Report,
    rubric: Rubric,
    summaries: list[GroupSummary],
    publication: Publication,
) -> None:
    """One column per group, one row per figure: counts, mean, highest and lowest (and who),
    spread, each band as "19/20 (95%)"; the chart of the bands per group below. Laid out to
    print on one A4 page (portrait up to four groups)."""
    ws = wb.create_sheet(layout.RESULTS_FIRST_SHEET)
    last = 1 + len(summaries)
    decision = publication.decision_line()
    title_row(ws, cell_text(rubric.title), last)
    ws.append(
        [
            cell_text(
                f"Tổng hợp kết quả theo nhóm — {publication.issuer_of(rubric)}, năm {rubric.year}"
                + (f" — {decision}" if decision else "")
            )
        ]
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.append(["Chỉ tiêu", *(cell_text(s.label) for s in summaries)])
    header(ws, 3)
    names = {u.code: u for u in report.units}
    number_format = excel_number_format(rubric.precision)
    figures: list[tuple[str, list[Any], str | None]] = [
        ("Điểm tối đa", [as_float(s.max) for s in summaries], number_format),
        *(
            (label, [_count(s, i, report.rostered) for s in summaries], "0")
            for i, label in enumerate(labels.STATUS_LABELS.values())
        ),
        (labels.MEAN, [as_float(s.mean) for s in summaries], number_format),
        ("TB so với tối đa (%)", [as_float(s.mean_share) for s in summaries], "0.0"),
        (labels.HIGHEST, [as_float(s.highest) for s in summaries], number_format),
        ("Đơn vị cao nhất", [units_text(s.highest_units, names) for s in summaries], "@"),
        (labels.LOWEST, [as_float(s.lowest) for s in summaries], number_format),
        ("Đơn vị thấp nhất", [units_text(s.lowest_units, names) for s in summaries], "@"),
        (labels.DIFFERENCE, [as_float(s.spread) for s in summaries], number_format),
        *(
            (f"{labels.BAND} {band.label}", [_share_text(s.bands[i]) for s in summaries], None)
            for i, band in enumerate(rubric.bands)
        ),
    ]
    # NOTE: rows are counted, not asked of ws.max_row (openpyxl scans every cell for it)
    for r, (label, values, fmt) in enumerate(figures, start=4):
        ws.append([cell_text(label), *(cell_text(v) for v in values)])
        ws.cell(r, 1).font = Font(bold=True)
        for col in range(2, last + 1):  # figures read from the right, names from the left
            cell = ws.cell(r, col)
            cell.number_format = fmt or "General"
            cell.alignment = Alignment(wrap_text=True, horizontal=None if fmt == "@" else "right")
    shown = 3 + len(figures)
    if not report.rostered:  # units that sent nothing are not known
        shown += 1
        ws.append([labels.NO_ROSTER_NOTE])
        ws.merge_cells(start_row=shown, start_column=1, end_row=shown, end_column=last)
        ws.cell(shown, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(shown, 1).font = Font(italic=True)
    widths = [_LABEL_WIDTH, *([_GROUP_WIDTH] * len(summaries))]
    below = 0
    if rubric.bands and summaries:
        below = bands_chart(ws, rubric, summaries, shown, sum(widths))
    finish(
        ws,
        widths,
        landscape=sum(widths) > 100,
        pages_high=1,
        last_row=shown + below,
        filtered=False,
    )


def _count(s: GroupSummary, status: int, rostered: bool) -> int | str:
    """Graded, invalid or missing units of the group; missing ones only known from a roster."""
    if status == 2 and not rostered:
        return labels.NOT_COUNTED
    return (s.graded, s.invalid, s.missing)[status]


def _share_text(b: BandCount) -> str:
    return f"{b.count}/{b.of} ({vn_number(b.share, 0)}%)" if b.share is not None else ""


def units_text(units: tuple[str, ...], report_units: dict[str, UnitResult]) -> str:
    """Who holds the figure, tied units one a line."""
    names = {c: report_units[c].display_name for c in units if c in report_units}
    return "\n".join(labels.holders(units, names))
