"""Rich renderables built from a Report (its tables from reports.tables), a rubric and issues.
Returns them; never prints (cli.py does). Year on year is `compare_view`'s.

On a terminal the ranked tables fit its width (`fit`): rank, name, total and band are never cut;
the areas, the extra figures and the code give way first, and the caption says where to see
them. Without a width (files and pipes, through plain.py) every column is there."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Group as RichGroup
from rich.console import JustifyMethod, RenderableType
from rich.table import Table
from rich.text import Text

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import N_, SEVERITY, SUMMARY, Lang, explain, t
from ictscore.issues import Issue, tally
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.labels import figure_text, markup_safe
from ictscore.reports.tables import (
    AppraisalChange,
    Column,
    Kind,
    Layout,
    RankedTable,
    Row,
    build_tables,
    figure,
)
from ictscore.rubric.model import Rubric
from ictscore.text import terminal_safe


def area_legend(rubric: Rubric, width: int | None = None) -> Text:
    """ "Lĩnh vực: 1 Hạ tầng · 2 …": every area of the rubric, above the group tables; on a
    terminal (`width` given) one area a line, so that a narrow one reads it as a list."""
    text = Text(f"{labels.AREAS}:" + ("" if width is not None else " "), style="bold")
    for i, area in enumerate(rubric.criteria):
        if width is not None:
            text.append(f"\n  {area.id:>{_id_width(rubric)}}  ", style="bold")
        else:
            if i:
                text.append(" · ")
            text.append(f"{area.id} ", style="bold")
        text.append(terminal_safe(area.title))
    return text


def _id_width(rubric: Rubric) -> int:
    return max((len(a.id) for a in rubric.criteria), default=1)


_SHOWN = frozenset({"rank", "parent_rank", "code", "unit", "self_total", "raw_total", "total"})
_NO_WRAP = frozenset({"rank", "parent_rank", "code", "self_total", "raw_total", "total", "band"})


def ranked_rich_table(
    ranked: RankedTable, rubric: Rubric, width: int | None = None
) -> Table | None:
    """`ranked` as a rich Table; None if the group has no units.

    Without `width` every column is there (the plain text of pipes and files lays it out). With
    the terminal's `width`, the table fits it: rank, name, total and band always show in full;
    the areas, then the extra figures, then the code are left out (the caption says so and where
    to see them) before the name wraps (see `fit`)."""
    fitted = _fitted_table(ranked, rubric, width)
    return None if fitted is None else fitted[0]


def _fitted_table(
    ranked: RankedTable, rubric: Rubric, width: int | None
) -> tuple[Table, bool] | None:
    """The table and whether it shows the areas."""
    if not ranked.rows:
        return None
    columns = [
        c
        for c in ranked.columns
        if c.id in _SHOWN or c.kind is Kind.AREA or (c.id == "band" and ranked.banded)
    ]
    cells = {c.id: list(map(_cells(c, rubric), ranked.rows)) for c in columns}
    layout = None if width is None else fit(columns, cells, width)
    table = Table(
        title=markup_safe(f"{ranked.group.label} — {ranked.max_text}"),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
        caption_justify="left",
        padding=(0, 0, 0, 1) if layout is not None and layout.tight else (0, 1),
    )
    shown = columns if layout is None else [c for c in columns if c.id in layout.widths]
    for c in shown:
        justify: JustifyMethod = "right" if c.right_aligned else "left"
        style = "bold" if c.id == "total" else None
        if layout is None:
            table.add_column(
                c.label,
                justify=justify,
                style=style,
                no_wrap=c.id in _NO_WRAP,
                min_width=20 if c.id == "unit" else None,
                ratio=1 if c.id == "unit" else None,
            )
        else:  # as wide as the widest cell; the name alone wraps
            w = layout.widths[c.id]
            table.add_column(
                _header(c, w),
                justify=justify,
                style=style,
                no_wrap=c.id != "unit",
                width=w,
                overflow="fold",
            )
    for i in range(len(ranked.rows)):
        table.add_row(*(cells[c.id][i] for c in shown))
    note = hidden_note(layout, columns) if layout is not None else ""
    table.caption = "\n".join(part for part in (ranked.caption, note) if part)
    return table, any(c.kind is Kind.AREA for c in shown)


def _cells(column: Column, rubric: Rubric) -> Callable[[Row], RenderableType]:
    """How a row's cell of `column` is shown (chosen once a column, not once a cell: a
    national batch has 10,000 rows)."""
    cid, precision = column.id, rubric.precision
    if cid == "rank":
        return lambda row: (
            labels.UNRANKED_MARK if row.graded and row.unranked else str(row.cells.get(cid) or "—")
        )
    if cid == "parent_rank":
        return lambda row: str(row.cells.get(cid) or "—")
    if cid == "band":
        return lambda row: _band(row, rubric)
    if cid == "total" or column.numeric:
        none = "—" if cid == "total" else ""
        return lambda row: (
            figure_text(figure(row.cells.get(cid)), precision) if row.graded else none
        )
    return lambda row: markup_safe(str(row.cells.get(cid)))


def _band(row: Row, rubric: Rubric) -> RenderableType:
    if row.graded and row.band is not None:
        colour = labels.band_colour(rubric, row.band.id)
        return Text(terminal_safe(row.band.label), style=f"bold {colour}")
    if not row.graded:
        return Text(labels.STATUS_LABELS[row.unit.status], style="red")
    return ""


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
        head = (
            markup_safe(c.unit.code),
            markup_safe(c.unit.name),
            c.criterion,
            figure_text(c.self_points, p),
        )
        if c.not_applicable:
            note = f"{labels.NOT_APPLICABLE}: {c.not_applicable}" + (
                f". {c.note}" if c.note else ""
            )
            table.add_row(*head, labels.NOT_APPLICABLE_MARK, "", markup_safe(note))
            continue
        note = c.note or (labels.NO_REASON if c.difference else "")
        if c.value is not None:
            note = f"{labels.APPRAISED_VALUE}: {vn_number(c.value)}. {note}".strip()
        table.add_row(
            *head,
            figure_text(c.points, p),
            figure_text(c.difference, p),
            markup_safe(note),
        )
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
            markup_safe(group.label if group else ref.group),
            ref.criterion,
            vn_number(ref.best),
            markup_safe(", ".join(ref.units) or labels.NO_BEST_UNIT),
        )
    return table


def report_tables(report: Report, rubric: Rubric, width: int | None = None) -> RenderableType:
    """The title, the areas, each group's ranked table, the units outside the groups, who set
    each normalisation reference and the appraisal's changes.

    `width`: the terminal's, which every ranked table fits (see ranked_rich_table); the areas'
    legend is left out when no table has room for the areas. None: every column, for the plain
    text of pipes and files."""
    tables = build_tables(report, rubric)
    fitted = [f for r in tables.groups if (f := _fitted_table(r, rubric, width)) is not None]
    parts: list[RenderableType] = [
        Text(terminal_safe(f"{rubric.title} ({rubric.id} {rubric.version})"), style="bold")
    ]
    if width is None or any(areas for _, areas in fitted):
        parts.append(area_legend(rubric, width))
        if width is not None:
            parts.append(Text(""))
    for table, _ in fitted:
        parts.append(table)
        if width is not None:  # plain text puts a blank line after each table; rich does not
            parts.append(Text(""))
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
            markup_safe(u.code),
            markup_safe(u.display_name),
            markup_safe(u.group or "?"),
            Text(labels.STATUS_LABELS[u.status], style="red"),
        )
    return table


def issue_text(issue: Issue, lang: Lang = "en") -> Text:
    """`error[code] file:Sheet!Cell: message`; in Vietnamese the label and a plain explanation
    come first (the code and the location stay as they are, for searching)."""
    style = "red" if issue.is_error else "yellow"
    label = t(SEVERITY[issue.severity.value], lang)
    text = Text()
    text.append(f"{label}[{issue.code}] ", style=style)
    where = f"{issue.where}: " if issue.where else ""
    text.append(terminal_safe(where + explain(issue, lang)))
    return text


SUMMARY_NO_ROSTER = N_(
    "{graded} graded, {invalid} invalid; {errors} error(s), {warnings} warning(s); units that "
    "sent nothing are not counted without a roster (--units)"
)


def summary_text(report: Report, lang: Lang = "en") -> Text:
    """The run in one line: units by status, errors and warnings. Without a roster, units that
    sent nothing are not known: the line says so instead of counting none missing."""
    n = {s: sum(1 for u in report.units if u.status is s) for s in Status}
    issues = report.all_issues
    errors, warnings = tally(issues)
    text = Text(
        t(SUMMARY if report.rostered else SUMMARY_NO_ROSTER, lang).format(
            graded=n[Status.GRADED],
            invalid=n[Status.INVALID],
            missing=n[Status.MISSING],
            errors=errors,
            warnings=warnings,
        )
    )
    text.stylize("green" if report.ok else "red")
    return text


# --- fitting a ranked table to the terminal's width ---------------------------------------------

_NAME_WITH_AREAS = 24
"""The areas are shown only when the name keeps at least this many columns (or its own width)."""
_NAME_MIN = 16
"""The optional columns are left out until the name has this many columns (or its own width)."""
_EXTRAS = frozenset({"self_total", "appraisal_difference", "raw_total"})


def _table_width(widths: Iterable[int], tight: bool = False) -> int:
    """The width of a SIMPLE_HEAD table: its edges, and between columns a divider and the
    padding (1 on each side; tight: on the left only)."""
    ws = list(widths)
    return sum(ws) + (2 if tight else 3) * len(ws) + 1


_HEADERS = {"parent_rank": "Hạng\n(cấp trên)"}
"""Headers the terminal breaks its own way (the others: key columns whole, the rest at spaces)."""


def _header(column: Column, width: int) -> str:
    if column.id in _HEADERS:
        return _HEADERS[column.id]
    return column.label if column.kind is not Kind.EXTRA else wrapped_header(column.label, width)


def _natural(column: Column, cells: Sequence[RenderableType]) -> int:
    """The widest cell of a column, with its header whole, but for the extra figures' long
    headers ("Chênh lệch thẩm định"), at their longest word."""
    if column.id in _HEADERS:
        header = max(cell_len(line) for line in _HEADERS[column.id].split("\n"))
    elif column.kind is not Kind.EXTRA:
        header = cell_len(column.label)
    else:
        header = max((cell_len(w) for w in column.label.split()), default=1)
    return max([header, *(cell_len(_text(c)) for c in cells)])


def _text(cell: RenderableType) -> str:
    if isinstance(cell, Text):
        return cell.plain
    return Text.from_markup(cell).plain if isinstance(cell, str) else str(cell)


def fit(
    columns: Sequence[Column], cells: Mapping[str, Sequence[RenderableType]], width: int
) -> Layout:
    """The columns of a ranked table that fit `width`, each as wide as its widest cell: the key
    columns always; the areas (with the usual gaps, then with narrower ones), then the extra
    figures, then the code while they leave the name room enough; the name takes what is left,
    and wraps."""
    natural = {c.id: _natural(c, cells[c.id]) for c in columns}
    name = natural.get("unit", 0)
    areas = {c.id for c in columns if c.kind is Kind.AREA}
    extras = {c.id for c in columns if c.id in _EXTRAS}
    stages: list[tuple[set[str], bool]] = [
        (set(), False),
        (set(), True),
        (areas, False),
        (areas | extras, False),
        (areas | extras | {"code"}, False),
    ]
    needed = _table_width(natural.values(), tight=True) - name + min(name, _NAME_WITH_AREAS)
    for i, (hidden, tight) in enumerate(stages):
        shown = [c.id for c in columns if c.id not in hidden]
        room = width - (_table_width((natural[cid] for cid in shown), tight) - name)
        least = _NAME_WITH_AREAS if areas and not hidden & areas else _NAME_MIN
        if room >= min(name, least) or i == len(stages) - 1:
            widths = {cid: natural[cid] for cid in shown}
            if "unit" in widths:
                widths["unit"] = max(min(name, room), 4)
            left_out = tuple(c.id for c in columns if c.id in hidden)
            return Layout(widths, left_out, width, needed, tight)
    raise AssertionError("unreachable: the last stage always returns")


def wrapped_header(label: str, width: int) -> str:
    """A header broken at its spaces to fit `width` columns ("Chênh lệch\nthẩm định")."""
    lines: list[str] = []
    for word in label.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def hidden_note(layout: Layout, columns: Sequence[Column]) -> str:
    """What the terminal leaves out and where to see it, for the table's caption."""
    if not layout.hidden:
        return ""
    areas = [c.area for c in columns if c.kind is Kind.AREA and c.id in layout.hidden]
    parts = []
    if areas:
        span = areas[0] if len(areas) == 1 else f"{areas[0]}–{areas[-1]}"
        parts.append(f"điểm các lĩnh vực {span}")
    others = [c.label for c in columns if c.kind is not Kind.AREA and c.id in layout.hidden]
    if others:
        parts.append("cột " + ", ".join(others))
    return (
        f"Không hiện {' và '.join(parts)} (cần cửa sổ rộng {layout.needed} cột, "
        f"đang có {layout.terminal}). Xem đủ: --format csv hoặc -o ket-qua.xlsx."
    )
