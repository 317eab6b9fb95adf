"""`check`: one unit read from top to bottom. Who it is (code, name, group), then every area and
criterion of its group in the rubric's order with its points and its maximum (indented by
depth), then its total, band, rank and issues. Rich renderables (a terminal lays them out; the
plain text of pipes writes the same content aligned)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rich import box
from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ictscore.grading.results import Status, UnitResult
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.labels import figure_text
from ictscore.rubric.model import Rubric
from ictscore.text import terminal_safe

POINTS: Final = "Điểm"
MAXIMUM: Final = "Tối đa"
ISSUES: Final = "Vấn đề"
NO_ISSUES: Final = "Vấn đề: không có."
PROVISIONAL_MARK: Final = " *"
PROVISIONAL: Final = (
    "* Tạm tính: tiêu chí được chấm so với đơn vị cao nhất trong khối; khi chấm cả khối, "
    "điểm này có thể thay đổi."
)


def unit_card(
    rubric: Rubric,
    unit: UnitResult,
    issues: Sequence[RenderableType] = (),
    provisional: frozenset[str] = frozenset(),
    terminal: bool = False,
) -> RenderableType:
    """One unit vertically; `issues` as the caller renders them (in the reader's language),
    `provisional`: the criteria scored against the group's best unit (this sheet alone).
    `terminal`: for rich on a terminal (a wrapped title keeps its indent); else for plain text."""
    group = rubric.group(unit.group)
    heading = Text(terminal_safe(unit.display_name), style="bold")
    heading.append(terminal_safe(f" — {labels.CODE} {unit.code}"))
    heading.append(terminal_safe(f" — {group.label if group else unit.group}"))
    parts: list[RenderableType] = [heading]
    if unit.file:
        parts.append(Text(terminal_safe(f"{labels.FILE}: {unit.file}"), style="dim"))
    if group is not None:
        parts.append(_criteria(rubric, unit, provisional, terminal))
    parts.extend(_standing(rubric, unit))
    if provisional & set(unit.points):
        parts.append(Text(PROVISIONAL, style="italic"))
    if issues:
        parts.append(Text(f"{ISSUES} ({len(issues)}):", style="bold"))
        parts.extend(issues)
    else:
        parts.append(Text(NO_ISSUES))
    parts.append(Text(""))
    return RichGroup(*parts)


def _criteria(
    rubric: Rubric, unit: UnitResult, provisional: frozenset[str], terminal: bool
) -> Table:
    plan = rubric.plan(unit.group)
    skip = frozenset(unit.not_applicable)
    table = Table(box=box.SIMPLE_HEAD, show_edge=True)
    table.add_column(labels.CODE, no_wrap=True)
    table.add_column(labels.CRITERION, ratio=1, min_width=20)
    table.add_column(POINTS, justify="right", no_wrap=True)
    table.add_column(MAXIMUM, justify="right", no_wrap=True)
    for c in plan.criteria:
        style = "bold" if not c.is_leaf else ""
        points = (unit.points if c.is_leaf else unit.subtotals).get(c.id)
        if c.id in skip:
            shown = labels.NOT_APPLICABLE_MARK
        else:
            shown = figure_text(points, rubric.precision) + (
                PROVISIONAL_MARK if c.id in provisional else ""
            )
        name = terminal_safe(c.criterion.title)
        title: RenderableType = Text("  " * c.depth + name, style=style)
        if terminal:  # wrapped lines keep the indent
            title = Padding(Text(name, style=style), (0, 0, 0, 2 * c.depth))
        table.add_row(
            Text(c.id, style=style),
            title,
            Text(shown, style=style),
            Text(vn_number(plan.max_of(c.id, skip)), style=style),
        )
    return table


def _standing(rubric: Rubric, unit: UnitResult) -> list[RenderableType]:
    """The band (or the status of a unit not graded) and the rank."""
    if unit.status is not Status.GRADED:
        return [Text(f"{labels.STATUS}: {labels.STATUS_LABELS[unit.status]}", style="bold red")]
    total = Text(f"{labels.TOTAL_POINTS}: ", style="bold")
    total.append(figure_text(unit.total, rubric.precision), style="bold")
    total.append(f" — {labels.max_text(rubric, unit.group, frozenset(unit.not_applicable))}")
    lines: list[RenderableType] = [total]
    band = rubric.band(unit.band)
    if band is not None:
        text = Text(f"{labels.BAND}: ", style="bold")
        text.append(band.label, style=f"bold {labels.band_colour(rubric, band.id)}")
        lines.append(text)
    if unit.unranked:
        lines.append(Text(f"{labels.UNRANKED}: {unit.unranked}"))
    elif unit.rank is not None:
        rank = f"{labels.RANK}: {unit.rank}"
        if unit.parent_rank is not None:
            rank += f" · {labels.PARENT_RANK}: {unit.parent_rank}"
        lines.append(Text(rank))
    return lines
