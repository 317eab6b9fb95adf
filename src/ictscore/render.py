"""Rich renderables built from a Report. Returns them; never prints (cli.py does)."""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ictscore.export import OTHER_GROUPS_LABEL, STATUS_LABELS
from ictscore.numbers import vn_number
from ictscore.results import Issue, Report, Status, UnitResult
from ictscore.rubric import Rubric


def _n(value: Decimal | None, precision: int) -> str:
    return "—" if value is None else vn_number(value, precision)


def area_legend(rubric: Rubric) -> Text:
    text = Text("Lĩnh vực: ", style="bold")
    for i, area in enumerate(rubric.criteria):
        if i:
            text.append(" · ")
        text.append(f"{area.id} ", style="bold")
        text.append(area.title)
    return text


def group_table(report: Report, rubric: Rubric, group_id: str) -> Table | None:
    """The ranked table of one group, with band counts in the caption; None if it has no units."""
    group = rubric.group(group_id)
    units = [u for u in report.units if u.group == group_id]
    if group is None or not units:
        return None
    p = rubric.precision
    areas = [a for a in rubric.criteria if rubric.max_for(a, group_id) > 0]
    bonus = rubric.bonus_max(group_id)
    title = f"{group.label} — tối đa {vn_number(rubric.base_max(group_id))} điểm" + (
        f" (+{vn_number(bonus)} thưởng)" if bonus else ""
    )
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
        caption_justify="left",
    )
    table.add_column("Hạng", justify="right", no_wrap=True)
    table.add_column("Mã", no_wrap=True)
    table.add_column("Đơn vị", min_width=20, ratio=1)
    for area in areas:
        table.add_column(area.id, justify="right", no_wrap=True)
    table.add_column("Tổng", justify="right", style="bold", no_wrap=True)
    table.add_column("Xếp loại", no_wrap=True)
    for u in units:
        table.add_row(*_row(u, rubric, [a.id for a in areas], p))
    counts = " · ".join(
        f"{b.label}: {sum(1 for u in units if u.band == b.id)}" for b in rubric.bands
    )
    others = [
        f"{label}: {n}"
        for s, label in STATUS_LABELS.items()
        if s is not Status.GRADED and (n := sum(1 for u in units if u.status is s))
    ]
    table.caption = "  ".join([counts, *others])
    return table


def _row(
    u: UnitResult, rubric: Rubric, areas_ids: list[str], precision: int
) -> list[RenderableType]:
    name = escape(u.display_name)
    band = rubric.band(u.band)
    if u.status is Status.GRADED and band is not None:
        return [
            str(u.rank),
            escape(u.code),
            name,
            *(_n(u.subtotals.get(a, u.points.get(a)), precision) for a in areas_ids),
            _n(u.total, precision),
            Text(band.label, style=f"bold {band.color}"),
        ]
    label = STATUS_LABELS[u.status]
    return ["—", escape(u.code), name, *("" for _ in areas_ids), "—", Text(label, style="red")]


def report_tables(report: Report, rubric: Rubric) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"{rubric.title} ({rubric.id} {rubric.version})", style="bold"),
        area_legend(rubric),
    ]
    for g in rubric.groups:
        table = group_table(report, rubric, g.id)
        if table is not None:
            parts.append(table)
    others = [u for u in report.units if rubric.group(u.group) is None]
    if others:  # sheets made for a group this rubric does not have: listed, never hidden
        table = Table(
            title=f"{OTHER_GROUPS_LABEL} ({len(others)})",
            box=box.SIMPLE_HEAD,
            title_justify="left",
            title_style="bold red",
        )
        for header in ("Mã", "Đơn vị", "Nhóm", "Trạng thái"):
            table.add_column(header)
        for u in others:
            table.add_row(
                escape(u.code),
                escape(u.display_name),
                escape(u.group or "?"),
                Text(STATUS_LABELS[u.status], style="red"),
            )
        parts.append(table)
    return RichGroup(*parts)


def issue_text(issue: Issue) -> Text:
    style = "red" if issue.is_error else "yellow"
    label = "error" if issue.is_error else "warning"
    text = Text()
    text.append(f"{label}[{issue.code}] ", style=style)
    text.append(str(issue))
    return text


def summary_text(report: Report) -> Text:
    n = {s: sum(1 for u in report.units if u.status is s) for s in Status}
    issues = report.all_issues
    errors = sum(1 for i in issues if i.is_error)
    warnings = len(issues) - errors
    text = Text(
        f"{n[Status.GRADED]} graded, {n[Status.INVALID]} invalid, "
        f"{n[Status.MISSING]} missing; {errors} error(s), {warnings} warning(s)"
    )
    text.stylize("green" if report.ok else "red")
    return text
