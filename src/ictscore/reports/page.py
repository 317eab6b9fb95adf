"""build_html(report, rubric) → one self-contained HTML page of the results, for the portal.

No network: the CSS, the script that sorts tables and the SVG charts are inline. Readable on a
phone (tables scroll sideways inside their box). Vietnamese labels; every text from the data is
HTML-escaped.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.publication import Publication
from ictscore.reports.summary import GroupSummary, summarise
from ictscore.reports.tables import Column, Kind, RankedTable, Row, build_tables, figure
from ictscore.rubric.model import Rubric

_CSS = """
:root { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: #1d2733; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; line-height: 1.45; }
h1 { font-size: 1.4rem; margin: .2rem 0 .4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
p.meta { color: #52606d; margin-top: 0; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; border: 1px solid #d9e1ec;
  border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { padding: .35rem .55rem; border-bottom: 1px solid #e4e9f0; text-align: left;
  white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eef3fa; position: sticky; top: 0; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " ↕"; color: #8a99ab; }
th[aria-sort="ascending"]::after { content: " ▲"; color: #1d2733; }
th[aria-sort="descending"]::after { content: " ▼"; color: #1d2733; }
.band { display: inline-block; padding: 0 .45rem; border-radius: 4px; color: #fff;
  font-size: .85rem; }
.muted { color: #7b8794; }
svg { max-width: 100%; height: auto; }
@media (max-width: 600px) { body { padding: .5rem; } th, td { padding: .3rem .4rem; } }
"""

_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th.sortable").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute("data-sort");
        var y = b.cells[index].getAttribute("data-sort");
        if (x === null) { x = a.cells[index].textContent; }
        if (y === null) { y = b.cells[index].textContent; }
        if (x === "" || y === "") { return (x === "") - (y === ""); }  /* no figure: last */
        var nx = parseFloat(x), ny = parseFloat(y);
        var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "vi");
        return ascending ? cmp : -cmp;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def build_html(report: Report, rubric: Rubric, publication: Publication | None = None) -> str:
    """The page: title, publication details, summary per group, the band chart, then per group a
    chart of totals and a sortable ranked table."""
    summaries = summarise(report, rubric)
    publication = publication or Publication()
    decision = publication.decision_line()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(rubric.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(rubric.title)}</h1>",
        f'<p class="meta">{escape(publication.issuer_of(rubric))} · năm {rubric.year} · bảng điểm '
        f"{escape(rubric.id)} phiên bản {escape(rubric.version)}</p>",
        f'<p class="meta decision">{escape(decision)}</p>' if decision else "",
        "<h2>Tổng hợp theo nhóm</h2>",
        _summary_table(rubric, summaries, report),
    ]
    if rubric.bands:
        parts.append(_bands_chart(rubric, summaries))
    for ranked in build_tables(report, rubric).groups:
        if not ranked.rows:
            continue
        parts.append(f'<h2 id="nhom-{escape(ranked.group.id)}">{escape(ranked.group.label)}</h2>')
        legend = " · ".join(f"{escape(a.area or '')}: {escape(a.title)}" for a in ranked.areas)
        parts.append(
            f'<p class="meta">{escape(ranked.max_text.capitalize())}. {labels.AREAS}: {legend}</p>'
        )
        parts.append(_totals_chart(rubric, ranked.units))
        parts.append(_group_table(ranked, rubric.precision, rubric))
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts) + "\n"


def _n(value: Decimal | None, precision: int) -> str:
    return "—" if value is None else vn_number(value, precision)


def _num_cell(value: Decimal | None, precision: int) -> str:
    sort = "" if value is None else value  # no figure: sorted last, whichever the direction
    return f'<td class="num" data-sort="{sort}">{_n(value, precision)}</td>'


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
        best = ", ".join(names.get(c, c) for c in s.highest_units)
        worst = ", ".join(names.get(c, c) for c in s.lowest_units)
        cells = [
            f"<td>{escape(s.label)}</td>",
            f'<td class="num">{s.graded}</td>',
            f'<td class="num">{s.invalid}</td>',
            f'<td class="num">{s.missing}</td>',
            _num_cell(s.mean, p),
            f'<td class="num">{_n(s.highest, p)} <span class="muted">{escape(best)}</span></td>',
            f'<td class="num">{_n(s.lowest, p)} <span class="muted">{escape(worst)}</span></td>',
            *(
                f'<td class="num">{b.count}/{b.of}'
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
    return (
        f'<div class="scroll"><table id="tong-hop"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


_PAGE_COLUMNS = frozenset({"rank", "parent_rank", "code", "unit", "total", "band"})


def _group_table(ranked: RankedTable, precision: int, rubric: Rubric) -> str:
    columns = [c for c in ranked.columns if c.id in _PAGE_COLUMNS or c.kind is Kind.AREA]
    rows = []
    for row in ranked.rows:
        cells = "".join(_page_cell(row, c, precision, rubric) for c in columns)
        rows.append(f"<tr>{cells}</tr>")
    header = "".join(
        f'<th class="sortable{" num" if c.right_aligned else ""}">'
        f"{escape(labels.TOTAL_POINTS if c.id == 'total' else c.label)}</th>"
        for c in columns
    )
    return (
        f'<div class="scroll"><table class="sortable" id="bang-{escape(ranked.group.id)}"><thead>'
        f"<tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _page_cell(row: Row, column: Column, precision: int, rubric: Rubric) -> str:
    value = row.cells.get(column.id)
    if column.id == "rank":
        rank = labels.UNRANKED_MARK if row.unranked else str(value or "—")
        return f'<td class="num" data-sort="{value or ""}">{rank}</td>'
    if column.id == "parent_rank":
        return f'<td class="num">{value or "—"}</td>'
    if column.id == "band":
        if row.graded and row.band is not None:
            colour = labels.band_colour(rubric, row.band.id)
            label = (
                f'<span class="band" style="background:{colour}">{escape(row.band.label)}</span>'
            )
        else:
            label = f'<span class="muted">{escape(labels.STATUS_LABELS[row.unit.status])}</span>'
        return f"<td>{label}</td>"
    if column.numeric:
        return _num_cell(figure(value), precision)
    return f"<td>{escape(str(value))}</td>"


def _totals_chart(rubric: Rubric, members: list[UnitResult]) -> str:
    """Totals of graded units as bars, each band's lower bound as a dashed line (inline SVG)."""
    graded = sorted(
        (u for u in members if u.status is Status.GRADED and u.total is not None),
        key=lambda u: (-(u.total or 0), u.code),
    )
    if not graded:
        return ""
    values = [u.total or Decimal(0) for u in graded]
    bounds = [b.min for b in rubric.bands if b.min is not None]
    top = max(values + bounds)
    # the axis starts near the lowest figure (in tens), so that differences show
    floor = max(Decimal(0), (min(values + bounds) - 5) // 10 * 10)
    span = top - floor if top > floor else Decimal(1)
    bar, gap, height, left = 18, 6, 180, 8
    width = max(left + len(graded) * (bar + gap) + 90, 260)

    def y(value: Decimal) -> float:
        return float(14 + (height - 14) * (1 - (max(value, floor) - floor) / span))

    shapes = []
    for i, u in enumerate(graded):
        colour = labels.band_colour(rubric, u.band)
        x = left + i * (bar + gap)
        assert u.total is not None
        shapes.append(
            f'<rect x="{x}" y="{y(u.total):.1f}" width="{bar}" '
            f'height="{height - y(u.total):.1f}" fill="{colour}">'
            f"<title>{escape(u.display_name)}: {_n(u.total, rubric.precision)}</title></rect>"
        )
    for band in rubric.bands:
        if band.min is None:
            continue
        shapes.append(
            f'<line x1="{left}" x2="{width - 84}" y1="{y(band.min):.1f}" y2="{y(band.min):.1f}" '
            'stroke="#1d2733" stroke-dasharray="4 3" stroke-width="1"/>'
            f'<text x="{width - 80}" y="{y(band.min) + 4:.1f}" font-size="11">'
            f"{escape(band.label)} {vn_number(band.min)}</text>"
        )
    shapes.append(
        f'<text x="{left}" y="{height + 14}" font-size="10" fill="#52606d">trục điểm từ '
        f"{vn_number(floor)}</text>"
    )
    return (
        f'<svg role="img" aria-label="Tổng điểm các đơn vị" viewBox="0 0 {width} {height + 18}" '
        f'width="{width}" height="{height + 18}">{"".join(shapes)}</svg>'
    )


def _bands_chart(rubric: Rubric, summaries: list[GroupSummary]) -> str:
    """Per group, one stacked bar of its graded units by band (inline SVG)."""
    row, label_w, bar_w = 26, 250, 400
    shapes = []
    for i, s in enumerate(summaries):
        y = 8 + i * row
        label = s.label if len(s.label) <= 34 else s.label[:33] + "…"
        shapes.append(
            f'<text x="0" y="{y + 14}" font-size="12"><title>{escape(s.label)}</title>'
            f"{escape(label)}</text>"
        )
        x = float(label_w)
        for b, band in zip(s.bands, rubric.bands, strict=True):
            if not s.graded or not b.count:
                continue
            w = bar_w * b.count / s.graded
            colour = labels.band_colour(rubric, band.id)
            shapes.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" fill="{colour}">'
                f"<title>{escape(b.label)}: {b.count}/{b.of}</title></rect>"
            )
            x += w
    legend_y = 8 + len(summaries) * row + 8
    x = float(label_w)
    for band in rubric.bands:
        colour = labels.band_colour(rubric, band.id)
        shapes.append(
            f'<rect x="{x:.0f}" y="{legend_y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.0f}" y="{legend_y + 11}" font-size="12">{escape(band.label)}</text>'
        )
        x += 100
    height = legend_y + 20
    return (
        f'<svg role="img" aria-label="Xếp loại theo nhóm" viewBox="0 0 {label_w + bar_w + 10} '
        f'{height}" width="{label_w + bar_w + 10}" height="{height}">{"".join(shapes)}</svg>'
    )
