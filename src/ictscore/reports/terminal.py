"""Rich renderables built from a Report (its tables from reports.tables), a rubric, issues and a
comparison. Returns them; never prints (cli.py does)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich import box
from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import SEVERITY, SUMMARY, Lang, explain, t
from ictscore.issues import Issue
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.compare import Comparison
from ictscore.reports.tables import (
    AppraisalChange,
    Column,
    Kind,
    RankedTable,
    Row,
    appraisal_changes,
    build_tables,
    figure,
    ranked_table,
)
from ictscore.rubric.methods import Count, Levels, Normalised, Ratio, Thresholds, YesNo
from ictscore.rubric.model import Criterion, Rubric


def _n(value: Decimal | None, precision: int) -> str:
    return "—" if value is None else vn_number(value, precision)


def area_legend(rubric: Rubric) -> Text:
    """ "Lĩnh vực: 1 Hạ tầng · 2 …": every area of the rubric, above the group tables."""
    text = Text(f"{labels.AREAS}: ", style="bold")
    for i, area in enumerate(rubric.criteria):
        if i:
            text.append(" · ")
        text.append(f"{area.id} ", style="bold")
        text.append(area.title)
    return text


def group_table(report: Report, rubric: Rubric, group_id: str) -> Table | None:
    """The ranked table of one group, with band counts in the caption; None if it has no units."""
    group = rubric.group(group_id)
    if group is None:
        return None
    units = [u for u in report.units if u.group == group_id]
    return ranked_rich_table(ranked_table(rubric, group, units), rubric.precision)


_SHOWN = frozenset({"rank", "parent_rank", "code", "unit", "self_total", "raw_total", "total"})
_NO_WRAP = frozenset({"rank", "parent_rank", "code", "self_total", "raw_total", "total", "band"})


def ranked_rich_table(ranked: RankedTable, precision: int) -> Table | None:
    """`ranked` as a rich Table; None if the group has no units."""
    if not ranked.rows:
        return None
    table = Table(
        title=f"{ranked.group.label} — {ranked.max_text}",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
        caption_justify="left",
    )
    columns = [
        c
        for c in ranked.columns
        if c.id in _SHOWN or c.kind is Kind.AREA or (c.id == "band" and ranked.banded)
    ]
    for c in columns:
        table.add_column(
            c.label,
            justify="right" if c.right_aligned else "left",
            style="bold" if c.id == "total" else None,
            no_wrap=c.id in _NO_WRAP,
            min_width=20 if c.id == "unit" else None,
            ratio=1 if c.id == "unit" else None,
        )
    for row in ranked.rows:
        table.add_row(*(_cell(row, c, precision) for c in columns))
    table.caption = ranked.caption
    return table


def _cell(row: Row, column: Column, precision: int) -> RenderableType:
    value = row.cells.get(column.id)
    if column.id == "rank":
        return labels.UNRANKED_MARK if row.graded and row.unranked else str(value or "—")
    if column.id == "parent_rank":
        return str(value) if value else "—"
    if column.id == "band":
        return _band(row)
    if column.id == "total":
        return _n(figure(value), precision) if row.graded else "—"
    if column.numeric:
        return _n(figure(value), precision) if row.graded else ""
    return escape(str(value))


def _band(row: Row) -> RenderableType:
    if row.graded and row.band is not None:
        return Text(row.band.label, style=f"bold {row.band.color}")
    if not row.graded:
        return Text(labels.STATUS_LABELS[row.unit.status], style="red")
    return ""


def appraisal_table(report: Report, rubric: Rubric) -> Table | None:
    """Every criterion where the appraisal differs from the self-score, or marks it not
    applicable, with the council's note; None when there is none."""
    return appraisal_rich_table(appraisal_changes(report.units), rubric.precision)


def appraisal_rich_table(changes: Sequence[AppraisalChange], precision: int) -> Table | None:
    """The appraisal's changes as a rich Table; None when there is none."""
    if not changes:
        return None
    table = Table(
        title=labels.APPRAISAL_TITLE,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
    )
    for header in (labels.CODE, labels.UNIT, labels.CRITERION):
        table.add_column(header)
    for header in (labels.SELF_SCORE, labels.APPRAISED, labels.DIFFERENCE):
        table.add_column(header, justify="right")
    table.add_column(labels.NOTE)
    p = precision
    for c in changes:
        head = (escape(c.unit.code), escape(c.unit.name), c.criterion, _n(c.self_points, p))
        if c.not_applicable:
            note = f"{labels.NOT_APPLICABLE}: {c.not_applicable}" + (
                f". {c.note}" if c.note else ""
            )
            table.add_row(*head, labels.NOT_APPLICABLE_MARK, "", escape(note))
            continue
        note = c.note or (labels.NO_REASON if c.difference else "")
        if c.value is not None:
            note = f"{labels.APPRAISED_VALUE}: {vn_number(c.value)}. {note}".strip()
        table.add_row(*head, _n(c.points, p), _n(c.difference, p), escape(note))
    return table


def references_table(report: Report, rubric: Rubric) -> Table | None:
    """For criteria normalised against the best unit of the group: who set the reference."""
    if not report.references:
        return None
    table = Table(
        title=labels.REFERENCES_TITLE,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
    )
    for header in (labels.BLOCK, labels.CRITERION, labels.BEST_VALUE, labels.BEST_UNITS):
        table.add_column(header)
    for ref in report.references:
        group = rubric.group(ref.group)
        table.add_row(
            escape(group.label if group else ref.group),
            ref.criterion,
            vn_number(ref.best),
            escape(", ".join(ref.units) or labels.NO_BEST_UNIT),
        )
    return table


def report_tables(report: Report, rubric: Rubric) -> RenderableType:
    """The title, the areas, each group's ranked table, the units outside the groups, who set
    each normalisation reference and the appraisal's changes."""
    tables = build_tables(report, rubric)
    parts: list[RenderableType] = [
        Text(f"{rubric.title} ({rubric.id} {rubric.version})", style="bold"),
        area_legend(rubric),
    ]
    for ranked in tables.groups:
        table = ranked_rich_table(ranked, rubric.precision)
        if table is not None:
            parts.append(table)
    if tables.others:  # sheets made for a group this rubric does not have: listed, never hidden
        parts.append(_others_table(tables.others))
    for extra in (
        references_table(report, rubric),
        appraisal_rich_table(tables.changes, rubric.precision),
    ):
        if extra is not None:
            parts.append(extra)
    return RichGroup(*parts)


def _others_table(others: Sequence[UnitResult]) -> Table:
    table = Table(
        title=f"{labels.OTHER_GROUPS_LABEL} ({len(others)})",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold red",
    )
    for header in (labels.CODE, labels.UNIT, labels.GROUP, labels.STATUS):
        table.add_column(header)
    for u in others:
        table.add_row(
            escape(u.code),
            escape(u.display_name),
            escape(u.group or "?"),
            Text(labels.STATUS_LABELS[u.status], style="red"),
        )
    return table


def rubric_table(rubric: Rubric, group: str | None = None) -> RenderableType:
    """The criteria tree, indented, with each group's maximum (or one group's) and the method."""
    groups = [g for g in rubric.groups if group is None or g.id == group]
    table = Table(
        title=f"{rubric.title} ({rubric.id} {rubric.version})",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
    )
    table.add_column(labels.CODE, no_wrap=True)
    table.add_column(labels.CRITERION, ratio=1, min_width=30)
    for g in groups:
        table.add_column(g.id, justify="right", no_wrap=True)
    table.add_column("Cách tính", max_width=28)
    for node in rubric.walk():
        c = node.criterion
        maxima = [rubric.max_for(c, g.id) for g in groups]
        if not any(maxima):
            continue
        style = "bold" if c.children else ""
        title = "  " * node.depth + c.title
        table.add_row(
            Text(c.id, style=style),
            Text(title, style=style),
            *(vn_number(m) if m else "—" for m in maxima),
            method_summary(rubric, c),
        )
    table.add_section()
    rows = [("Tổng điểm cơ bản", [rubric.base_max(g.id) for g in groups])]
    if rubric.not_applicable == "rescale":
        rows.append(("Quy đổi về thang", [rubric.published_max(g.id) for g in groups]))
    rows.append(("Điểm thưởng tối đa", [rubric.bonus_max(g.id) for g in groups]))
    rows.append(("Điểm trừ tối đa", [rubric.penalty_max(g.id) for g in groups]))
    for label, values in rows:
        if any(values):
            table.add_row("", Text(label, style="bold"), *(vn_number(v) for v in values), "")
    bands = "; ".join(
        f"{b.label}" + (f" ≥ {vn_number(b.min)}" if b.min is not None else "") for b in rubric.bands
    )
    table.caption = ("Xếp loại: " + bands if bands else "Không xếp loại") + (
        f". Nhóm: {', '.join(f'{g.id} = {g.label}' for g in groups)}"
    )
    table.caption_justify = "left"
    return table


def method_summary(rubric: Rubric, c: Criterion) -> str:
    """A short description of how a criterion is scored (for `rubric show`)."""
    m = c.method
    if m is None:
        text = "tốt nhất trong các trường hợp" if c.combine == "best_of" else "tổng"
        if rubric.is_capped(c):
            text += f", tối đa {vn_number(c.max or Decimal(0))}"
        return {"bonus": "thưởng: ", "penalty": "trừ: "}.get(c.kind, "") + text
    if isinstance(m, Ratio):
        return f"tỷ lệ × tối đa ({m.input})"
    if isinstance(m, Thresholds):
        return "ngưỡng: " + ", ".join(
            f"≥{vn_number(t.min)}{'%' if m.input == 'percent' else ''}→{vn_number(t.points)}"
            for t in m.tiers
        )
    if isinstance(m, Levels):
        return f"chọn mức ({len(m.levels)} mức)"
    if isinstance(m, Count):
        cap = m.cap if m.cap is not None else c.max
        return f"số lượng × {vn_number(m.per_item)}, tối đa {vn_number(cap or Decimal(0))}"
    if isinstance(m, Normalised):
        return "so với đơn vị cao nhất khối"
    if isinstance(m, YesNo):
        return "có/không"
    return "tự chấm"


def issue_text(issue: Issue, lang: Lang = "en") -> Text:
    """`error[code] file:Sheet!Cell: message`; in Vietnamese the label and a plain explanation
    come first (the code and the location stay as they are, for searching)."""
    style = "red" if issue.is_error else "yellow"
    label = t(SEVERITY[issue.severity.value], lang)
    text = Text()
    text.append(f"{label}[{issue.code}] ", style=style)
    where = f"{issue.where}: " if issue.where else ""
    text.append(where + explain(issue, lang))
    return text


def summary_text(report: Report, lang: Lang = "en") -> Text:
    n = {s: sum(1 for u in report.units if u.status is s) for s in Status}
    issues = report.all_issues
    errors = sum(1 for i in issues if i.is_error)
    warnings = len(issues) - errors
    text = Text(
        t(SUMMARY, lang).format(
            graded=n[Status.GRADED],
            invalid=n[Status.INVALID],
            missing=n[Status.MISSING],
            errors=errors,
            warnings=warnings,
        )
    )
    text.stylize("green" if report.ok else "red")
    return text


def comparison_tables(c: Comparison) -> RenderableType:
    """The year-on-year comparison: the headline first, then groups, units and criteria."""
    parts: list[RenderableType] = [Text(c.headline, style="bold")]
    groups = Table(title="Điểm trung bình theo nhóm", box=box.SIMPLE_HEAD, title_justify="left")
    for header in (labels.GROUP, "Năm trước", "Năm nay", "Thay đổi"):
        groups.add_column(header, justify="left" if header == labels.GROUP else "right")
    for label, a, b in c.group_means:
        diff = b - a if a is not None and b is not None else None
        groups.add_row(escape(label), _n(a, 2), _n(b, 2), _signed(diff))
    parts.append(groups)
    units = Table(title="Từng đơn vị", box=box.SIMPLE_HEAD, title_justify="left")
    for header in (
        labels.CODE,
        labels.UNIT,
        "Năm trước",
        "Năm nay",
        "Thay đổi",
        labels.BAND,
        labels.RANK,
    ):
        units.add_column(header)
    order = {g: i for i, g in enumerate(c.group_order)}
    moved = {"both": 0, "new": 1, "not graded": 2, "gone": 3}
    # the rubric's groups in order; in each, changes from the largest rise, then new, not
    # graded and gone units
    for u in sorted(
        c.units,
        key=lambda u: (order.get(u.group, len(order)), moved[u.status], -(u.change or 0), u.code),
    ):
        band = (
            f"{u.last_band or '—'} → {u.this_band or '—'}"
            if u.last_band != u.this_band
            else u.this_band or ""
        )
        rank = f"{u.last_rank or '—'} → {u.this_rank or '—'}"
        status = {"new": "mới", "gone": "không còn", "not graded": "chưa chấm"}.get(u.status)
        units.add_row(
            escape(u.code),
            escape(u.name),
            _n(u.last_total, 2),
            _n(u.this_total, 2),
            _signed(u.change) if status is None else status,
            escape(band),
            rank,
        )
    parts.append(units)
    if c.criteria:
        crit = Table(
            title="Điểm trung bình từng tiêu chí", box=box.SIMPLE_HEAD, title_justify="left"
        )
        for header in (labels.CRITERION, "Năm trước", "Năm nay", "Thay đổi"):
            crit.add_column(header, justify="left" if header == labels.CRITERION else "right")
        for k in sorted(c.criteria, key=lambda k: k.change):
            label = k.criterion if k.last_id == k.criterion else f"{k.last_id} → {k.criterion}"
            crit.add_row(label, _n(k.last_mean, 2), _n(k.this_mean, 2), _signed(k.change))
        parts.append(crit)
    parts.append(Text(c.criteria_note, style="italic"))
    return RichGroup(*parts)


def _signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + vn_number(value, 2)
