"""The results page as one HTML document: the masthead (issuer, title, decision), the summary
per group with the band chart, the legend of the areas (once), then per group its charts and
its ranked table. Vietnamese labels; every text from the data is HTML-escaped.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from ictscore.grading.results import Report, UnitResult
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.labels import figure_text
from ictscore.reports.page.charts import bands_chart, ink, totals_chart
from ictscore.reports.page.style import CSS, SCRIPT
from ictscore.reports.publication import Publication
from ictscore.reports.summary import GroupSummary, summarise
from ictscore.reports.tables import Column, Kind, RankedTable, Row, build_tables, figure
from ictscore.rubric.model import Rubric
from ictscore.text import xml_safe

TALL_TABLE = 25
"""A table with more rows than this scrolls inside a box as tall as the screen, its header and
its sideways scroll bar in view."""

_KEY_COLUMNS = ("rank", "parent_rank", "code", "unit", "total", "band")
"""Who the unit is and where it stands, in the order the page shows them, before the areas."""


def build_html(report: Report, rubric: Rubric, publication: Publication | None = None) -> str:
    """The page: masthead, summary per group and the band chart, the areas' legend, then per
    group the charts of its totals and its sortable ranked table."""
    summaries = summarise(report, rubric)
    tables = build_tables(report, rubric)
    shown = [t for t in tables.groups if t.rows]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(rubric.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        _masthead(report, rubric, publication or Publication(), shown),
        '<section id="tong-hop-nhom"><h2>Tổng hợp theo nhóm</h2>',
        _summary_table(rubric, summaries, report),
        bands_chart(rubric, summaries) if rubric.bands else "",
        "</section>",
        _areas_legend(rubric, shown),
    ]
    for ranked in shown:
        parts.append(_group_section(rubric, ranked))
    if tables.others:
        parts.append(_others(tables.others))
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    # NOTE: names and typed values may hold control characters, which no HTML document may
    # contain; the page's own markup has none, so the whole page is cleaned once, here
    return xml_safe("\n".join(p for p in parts if p) + "\n")


def _masthead(
    report: Report, rubric: Rubric, publication: Publication, shown: list[RankedTable]
) -> str:
    decision = publication.decision_line()
    links = " ".join(
        f'<a href="#nhom-{escape(t.group.id)}">{escape(t.group.label)} '
        f'<span class="muted">({len(t.rows)})</span></a>'
        for t in shown
    )
    return (
        '<header class="masthead">'
        f'<p class="issuer">{escape(publication.issuer_of(rubric))} · năm {rubric.year}</p>'
        f"<h1>{escape(rubric.title)}</h1>"
        + (f'<p class="decision">({escape(decision)})</p>' if decision else "")
        + f'<p class="meta">Bảng điểm {escape(rubric.id)}, phiên bản {escape(rubric.version)}'
        f" · {len(report.units)} đơn vị trong {len(shown)} nhóm</p>"
        f'<nav class="groups" aria-label="Các nhóm">{links}</nav></header>'
    )


def _num_cell(value: Decimal | None, precision: int, label: str = "", css: str = "num") -> str:
    sort = "" if value is None else value  # no figure: sorted last, whichever the direction
    data = f' data-label="{escape(label)}"' if label else ""
    return f'<td class="{css}"{data} data-sort="{sort}">{figure_text(value, precision)}</td>'


def _summary_table(rubric: Rubric, summaries: list[GroupSummary], report: Report) -> str:
    names = {u.code: u.display_name for u in report.units}
    p = rubric.precision
    head = [
        labels.GROUP,
        *labels.STATUS_LABELS.values(),
        labels.MEAN,
        labels.HIGHEST,
        labels.LOWEST,
        *(b.label for b in rubric.bands),
    ]
    rows = []
    for s in summaries:
        best, worst = _who(s.highest_units, names), _who(s.lowest_units, names)
        counts = [s.graded, s.invalid, s.missing if report.rostered else labels.NOT_COUNTED]
        cells = [
            f"<td>{escape(s.label)}</td>",
            *(
                f'<td class="num" data-label="{escape(h)}">{n}</td>'
                for h, n in zip(labels.STATUS_LABELS.values(), counts, strict=True)
            ),
            _num_cell(s.mean, p, labels.MEAN),
            f'<td class="num" data-label="{labels.HIGHEST}">{figure_text(s.highest, p)}{best}</td>',
            f'<td class="num" data-label="{labels.LOWEST}">{figure_text(s.lowest, p)}{worst}</td>',
            *(
                f'<td class="num" data-label="{escape(b.label)}">{b.count}/{b.of}'
                + (
                    f' <span class="muted">({vn_number(b.share, 0)}%)</span>'
                    if b.share is not None
                    else ""
                )
                + "</td>"
                for b in s.bands
            ),
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    header = "".join(
        f'<th class="{"num" if i else ""}">{escape(h)}</th>' for i, h in enumerate(head)
    )
    note = "" if report.rostered else f'<p class="muted">{escape(labels.NO_ROSTER_NOTE)}</p>'
    return (
        f'<div class="scroll summary"><table id="tong-hop"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def _who(codes: tuple[str, ...], names: dict[str, str]) -> str:
    """Who holds the figure, under it: tied units one a line, each with its code."""
    if not codes:
        return ""
    shown = "".join(f"<span>{escape(n)}</span>" for n in labels.holders(codes, names))
    return f'<span class="who">{shown}</span>'


def _areas_legend(rubric: Rubric, shown: list[RankedTable]) -> str:
    """Each area column once: its number, title and maximum (per group where they differ)."""
    areas: dict[str, Column] = {}
    for ranked in shown:
        for column in ranked.areas:
            areas.setdefault(column.area or "", column)
    if not areas:
        return ""
    items = []
    for area, column in areas.items():
        maxima: dict[Decimal, list[str]] = {}
        kind = "base"
        for ranked in shown:
            plan = rubric.plan(ranked.group.id)
            if area in plan:
                maxima.setdefault(plan.max_of(area), []).append(ranked.group.label)
                kind = plan.kind_of(area)
        items.append(
            f"<li><b>{escape(column.label)}</b> <span>{escape(column.title)} "
            f'<span class="muted">— {_maxima_text(maxima, kind)}</span></span></li>'
        )
    return (
        '<section id="linh-vuc"><h2>Lĩnh vực chấm điểm</h2>'
        '<p class="meta">Các cột đánh số trong bảng của mỗi nhóm là điểm theo lĩnh vực.</p>'
        f'<ul class="areas-legend">{"".join(items)}</ul></section>'
    )


def _maxima_text(maxima: dict[Decimal, list[str]], kind: str) -> str:
    word = {"bonus": "thưởng tối đa", "penalty": "trừ tối đa"}.get(kind, "tối đa")
    if len(maxima) == 1:
        return f"{word} {vn_number(next(iter(maxima)))} điểm"
    return f"{word} " + "; ".join(
        f"{vn_number(m)} điểm ({', '.join(groups)})" for m, groups in maxima.items()
    )


def _group_section(rubric: Rubric, ranked: RankedTable) -> str:
    gid = escape(ranked.group.id)
    areas = ranked.areas
    about = f"{len(ranked.rows)} đơn vị · {escape(ranked.max_text)}"
    if areas:
        about += (
            f" · cột {escape(areas[0].label)}–{escape(areas[-1].label)}: điểm theo "
            '<a href="#linh-vuc">lĩnh vực</a>'
        )
    # the caption's parts are set apart by two spaces, which HTML would fold into one
    caption = " · ".join(part.strip() for part in ranked.caption.split("  ") if part.strip())
    return (
        f'<section class="group" id="nhom-{gid}"><h2>{escape(ranked.group.label)}</h2>'
        f'<p class="meta">{about}</p>'
        + (f'<p class="meta">{escape(caption)}</p>' if caption else "")
        + totals_chart(rubric, ranked.group.id, ranked.units)
        + _group_table(ranked, rubric)
        + "</section>"
    )


def _group_table(ranked: RankedTable, rubric: Rubric) -> str:
    by_id = {c.id: c for c in ranked.columns}
    keys = [by_id[i] for i in _KEY_COLUMNS if i in by_id]
    columns = keys + list(ranked.areas)
    band_order = {b.id: i for i, b in enumerate(rubric.bands)}
    rows = []
    for row in ranked.rows:
        cells = "".join(_cell(row, c, rubric, band_order) for c in columns)
        rows.append(f"<tr>{cells}</tr>" if row.graded else f'<tr class="not-graded">{cells}</tr>')
    header = "".join(_head(c, ranked, last=c is keys[-1]) for c in columns)
    tall = " tall" if len(ranked.rows) > TALL_TABLE else ""
    return (
        f'<div class="scroll cards{tall}"><table class="sortable units" '
        f'id="bang-{escape(ranked.group.id)}"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _head(column: Column, ranked: RankedTable, last: bool) -> str:
    css = ["sortable"]
    if column.kind is Kind.AREA:
        css.append("area")
    else:
        css.append("key")
        if column.id == "code":
            css.append("code")
    if last:
        css.append("last-key")
    if column.right_aligned:
        css.append("num")
    label = {
        "total": labels.TOTAL_POINTS,
        "band": labels.BAND if ranked.banded else labels.STATUS,
    }.get(column.id, column.label)
    title = f' title="{escape(column.title)}"' if column.title else ""
    return f'<th class="{" ".join(css)}"{title}>{escape(label)}</th>'


def _cell(row: Row, column: Column, rubric: Rubric, band_order: dict[str, int]) -> str:
    value = row.cells.get(column.id)
    unit = row.unit
    match column.id:
        case "rank":
            rank = labels.UNRANKED_MARK if row.unranked else str(value or "—")
            return f'<td class="rank num key" data-sort="{value or ""}">{rank}</td>'
        case "parent_rank":
            where = f"Hạng trong {unit.parent_name}" if unit.parent_name else column.label
            return (
                f'<td class="prank num key" data-label="{escape(where)}" '
                f'data-sort="{value or ""}">{value or "—"}</td>'
            )
        case "code":
            return f"<td>{escape(str(value))}</td>"  # bare: see the style sheet
        case "unit":
            return _unit_cell(unit)
        case "total":
            return _num_cell(figure(value), rubric.precision, css="total num key")
        case "band":
            return _band_cell(row, rubric, band_order)
    return _num_cell(figure(value), rubric.precision, column.label, css="area num")


def _unit_cell(unit: UnitResult) -> str:
    parent = ""
    if unit.parent_name:
        parent = f' <span class="parent">({escape(unit.parent_name)})</span>'

    return (
        f'<td class="unit key" data-sort="{escape(unit.name)}">'
        f'<span class="name">{escape(unit.name)}</span>{parent}</td>'
    )


def _band_cell(row: Row, rubric: Rubric, band_order: dict[str, int]) -> str:
    if row.graded and row.band is not None:
        colour = labels.band_colour(rubric, row.band.id)
        label = (
            f'<span class="band" style="background:{colour};color:{ink(colour)}">'
            f"{escape(row.band.label)}</span>"
        )
        sort = str(band_order.get(row.band.id, ""))
    else:
        label = f'<span class="muted">{escape(labels.STATUS_LABELS[row.unit.status])}</span>'
        sort = ""
    return f'<td class="rating key last-key" data-sort="{sort}">{label}</td>'


def _others(units: tuple[UnitResult, ...]) -> str:
    rows = "".join(
        f"<tr><td>{escape(u.code)}</td><td>{escape(u.display_name)}</td>"
        f"<td>{escape(u.group)}</td><td>{escape(labels.STATUS_LABELS[u.status])}</td></tr>"
        for u in units
    )
    head = "".join(f"<th>{h}</th>" for h in (labels.CODE, labels.UNIT, labels.GROUP, labels.STATUS))
    return (
        f'<section id="ngoai-nhom"><h2>{labels.OTHER_GROUPS_LABEL}</h2>'
        f'<div class="scroll"><table id="ngoai-nhom-bang"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div></section>"
    )
