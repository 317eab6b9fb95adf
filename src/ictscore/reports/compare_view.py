"""Year on year as people read it: the tables (rich renderables, fitted to a terminal's width or
whole for files and pipes through plain.py), the CSV (one row per unit) and the JSON
("ictscore-compare/1"), from a `compare.Comparison`.

The tables: the headline (the province's mean), the groups' means, one table per group in the
rubric's order (each unit named with its district), the criteria's means, how criteria were
matched, then the written summary (`compare_text`). On a terminal each unit table fits its
width: the name, this year's total, the change, the band and the rank always show; the code,
then last year's total give way first, and the caption says so and where to see them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group as RichGroup
from rich.console import JustifyMethod, RenderableType
from rich.table import Table
from rich.text import Text

from ictscore.numbers import json_number, vn_number
from ictscore.reports import labels
from ictscore.reports.compare import Comparison, GroupChange, UnitChange
from ictscore.reports.compare_text import TITLE, summary_paragraphs
from ictscore.reports.files import safe_text
from ictscore.reports.labels import figure_text, markup_safe
from ictscore.reports.tables import Layout
from ictscore.text import terminal_safe

CHANGE = "Thay đổi"
GROUP_MEANS_TITLE = "Điểm trung bình theo nhóm"
CRITERIA_TITLE = "Điểm trung bình từng tiêu chí"
OUTSIDE_TITLE = "Đơn vị ngoài các nhóm"
STATUS_WORDS = {"new": "mới", "gone": "không còn", "not graded": "chưa chấm"}
"""What the change column says of a unit not graded both years."""
_MOVED = {"both": 0, "new": 1, "not graded": 2, "gone": 3}


def _signed(value: Decimal | None) -> str:
    """ "+1,25", "−0,50" (the minus sign U+2212, as the feedback and the other Vietnamese
    outputs write it; the CSV and JSON keep plain numbers), "0,00"."""
    if value is None:
        return ""
    text = vn_number(abs(value), 2)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def ordered_units(c: Comparison) -> list[UnitChange]:
    """The rubric's groups in order (units of a group neither year's rubric has last); in each,
    the units graded both years from the largest rise, then new, not graded and gone units."""
    order = {g: i for i, g in enumerate(c.group_order)}
    return sorted(
        c.units,
        key=lambda u: (
            order.get(u.group, len(order)),
            _MOVED[u.status],
            -(u.change or 0),
            u.code,
        ),
    )


# --- the tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    id: str
    label: str
    right: bool = False


def _unit_columns(c: Comparison) -> list[_Column]:
    return [
        _Column("code", labels.CODE),
        _Column("unit", labels.UNIT),
        _Column("last", c.column_labels[0], right=True),
        _Column("this", c.column_labels[1], right=True),
        _Column("change", CHANGE, right=True),
        _Column("band", labels.BAND),
        _Column("rank", labels.RANK, right=True),
    ]


def _unit_cells(u: UnitChange, ranks: tuple[int, int]) -> dict[str, RenderableType]:
    if u.last_band != u.this_band:
        band = Text(f"{u.last_band or '—'} → {u.this_band or '—'}")
        if u.band_step:
            band.stylize("green" if u.band_step > 0 else "red")
    else:
        band = Text(u.this_band or "")
    return {
        "code": markup_safe(u.code),
        "unit": markup_safe(u.display_name),
        "last": figure_text(u.last_total, 2),
        "this": figure_text(u.this_total, 2),
        "change": STATUS_WORDS.get(u.status) or _signed(u.change),
        "band": band,
        "rank": f"{u.last_rank or '—':>{ranks[0]}} → {u.this_rank or '—':>{ranks[1]}}",
    }


def comparison_tables(c: Comparison, width: int | None = None) -> RenderableType:
    """Everything `compare` prints (see the module docstring). `width`: the terminal's, which
    every unit table fits; None: every column, for the plain text of files and pipes."""
    parts: list[RenderableType] = [Text(terminal_safe(c.headline), style="bold"), Text("")]
    tables: list[Table] = [_group_means(c)]
    units = ordered_units(c)
    for group in (*c.groups, None):
        rows = [u for u in units if _in(u, group, c)]
        if rows:
            tables.append(_unit_table(c, group, rows, width))
    if c.criteria:
        tables.append(_criteria_table(c))
    for table in tables:
        parts.append(table)
        # plain text puts a blank line after a table; rich a blank edge, before any caption
        if width is not None and table.caption:
            parts.append(Text(""))
    parts.append(Text(terminal_safe(c.criteria_note_vi or c.criteria_note), style="italic"))
    parts += [Text(""), Text(TITLE, style="bold")]
    for i, paragraph in enumerate(summary_paragraphs(c)):
        parts += [Text("")] if i else []
        parts.append(Text(terminal_safe(paragraph)))
    return RichGroup(*parts)


def _in(u: UnitChange, group: GroupChange | None, c: Comparison) -> bool:
    if group is not None:
        return u.group == group.id
    return u.group not in c.group_order


def _table(title: str, caption: str | None = None, tight: bool = False) -> Table:
    return Table(
        title=title,
        caption=caption or None,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
        caption_justify="left",
        padding=(0, 0, 0, 1) if tight else (0, 1),
    )


def _group_means(c: Comparison) -> Table:
    table = _table(GROUP_MEANS_TITLE)
    table.add_column(labels.GROUP)
    for header in c.column_labels:
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column(CHANGE, justify="right", no_wrap=True)
    for g in c.groups:
        table.add_row(
            markup_safe(g.label),
            figure_text(g.last_mean, 2),
            figure_text(g.this_mean, 2),
            _signed(g.change),
        )
    return table


def _unit_table(
    c: Comparison, group: GroupChange | None, units: Sequence[UnitChange], width: int | None
) -> Table:
    """A group's units with a result in either year (those without, counted in the caption)."""
    rows = [u for u in units if u.last_total is not None or u.this_total is not None]
    none = len(units) - len(rows)
    columns = _unit_columns(c)
    cells = [_unit_cells(u, _rank_widths(rows)) for u in rows]
    layout = None if width is None else fit(columns, cells, width)
    shown = columns if layout is None else [col for col in columns if col.id in layout.widths]
    title = group.label if group is not None else OUTSIDE_TITLE
    notes = [
        f"{none} đơn vị không có kết quả {c.both_phrase} (chưa nộp hoặc không hợp lệ), không liệt "
        "kê ở đây: xem --format csv."
        if none
        else "",
        hidden_note(layout, columns) if layout is not None else "",
    ]
    table = _table(
        markup_safe(f"{title} ({len(units)} đơn vị)"),
        "\n".join(n for n in notes if n),
        tight=layout is not None and layout.tight,
    )
    for col in shown:
        justify: JustifyMethod = "right" if col.right else "left"
        if layout is None:
            table.add_column(col.label, justify=justify, no_wrap=col.id != "unit")
        else:  # as wide as the widest cell; the name alone wraps
            table.add_column(
                col.label,
                justify=justify,
                no_wrap=col.id != "unit",
                width=layout.widths[col.id],
                overflow="fold",
            )
    for row in cells:
        table.add_row(*(row[col.id] for col in shown))
    return table


def _rank_widths(units: Sequence[UnitChange]) -> tuple[int, int]:
    """The widest rank of each year, so that the arrows of "12 → 8" and " 6 → 1" line up."""
    return (
        max((len(str(u.last_rank or "—")) for u in units), default=1),
        max((len(str(u.this_rank or "—")) for u in units), default=1),
    )


def _criteria_table(c: Comparison) -> Table:
    table = _table(CRITERIA_TITLE)
    table.add_column(labels.CRITERION)
    for header in c.column_labels:
        table.add_column(header, justify="right")
    table.add_column(CHANGE, justify="right")
    for k in sorted(c.criteria, key=lambda k: k.change):
        label = k.criterion if k.last_id == k.criterion else f"{k.last_id} → {k.criterion}"
        table.add_row(
            markup_safe(label),
            figure_text(k.last_mean, 2),
            figure_text(k.this_mean, 2),
            _signed(k.change),
        )
    return table


# --- fitting a unit table to the terminal's width -------------------------------------------

_NAME_MIN = 20
"""Optional columns give way until the name has this many columns (or its own width)."""
_STAGES: tuple[tuple[frozenset[str], bool], ...] = (
    (frozenset(), False),
    (frozenset(), True),
    (frozenset({"code"}), False),
    (frozenset({"code"}), True),
    (frozenset({"code", "last"}), False),
    (frozenset({"code", "last"}), True),
)


def _table_width(widths: Sequence[int], tight: bool) -> int:
    """A SIMPLE_HEAD table: its edges, a divider between columns, padding (tight: left only)."""
    return sum(widths) + (2 if tight else 3) * len(widths) + 1


def _plain(cell: RenderableType) -> str:
    if isinstance(cell, Text):
        return cell.plain
    return Text.from_markup(cell).plain if isinstance(cell, str) else str(cell)


def fit(
    columns: Sequence[_Column], cells: Sequence[Mapping[str, RenderableType]], width: int
) -> Layout:
    """The columns that fit `width`, each as wide as its widest cell; the name takes the rest."""
    natural = {
        col.id: max([cell_len(col.label), *(cell_len(_plain(row[col.id])) for row in cells)])
        for col in columns
    }
    name = natural["unit"]
    needed = _table_width(list(natural.values()), tight=False)

    def room(hidden: frozenset[str], tight: bool) -> int:
        shown = [natural[col.id] for col in columns if col.id not in hidden]
        return width - (_table_width(shown, tight) - name)

    # the name whole, if leaving out the code is enough; else room for _NAME_MIN of it
    whole = [s for s in _STAGES if s[0] <= {"code"} and room(*s) >= name]
    fair = [s for s in _STAGES if room(*s) >= min(name, _NAME_MIN)]
    hidden, tight = (whole or fair or [_STAGES[-1]])[0]
    widths = {col.id: natural[col.id] for col in columns if col.id not in hidden}
    widths["unit"] = max(min(name, room(hidden, tight)), 4)
    left_out = tuple(col.id for col in columns if col.id in hidden)
    return Layout(widths, left_out, width, needed, tight)


def hidden_note(layout: Layout, columns: Sequence[_Column]) -> str:
    if not layout.hidden:
        return ""
    names = ", ".join(col.label for col in columns if col.id in layout.hidden)
    return (
        f"Không hiện cột {names} (cần cửa sổ rộng {layout.needed} cột, đang có "
        f"{layout.terminal}). Xem đủ: --format csv."
    )


# --- CSV and JSON ----------------------------------------------------------------------------


def csv_rows(c: Comparison) -> list[dict[str, Any]]:
    """One row per unit, in the tables' order."""
    group_labels = {g.id: g.label for g in c.groups}
    rows = []
    for u in ordered_units(c):
        rank_change = (
            u.last_rank - u.this_rank
            if u.last_rank is not None and u.this_rank is not None
            else None
        )
        rows.append(
            {
                "group": u.group,
                "group_label": group_labels.get(u.group, ""),
                "code": u.code,
                "name": u.name,
                "parent": u.parent or "",  # as grade's JSON: the code, then the name
                "parent_name": u.parent_name or "",
                "status": u.status,
                "last_total": u.last_total,
                "this_total": u.this_total,
                "change": u.change,
                "last_band": u.last_band,
                "this_band": u.this_band,
                "band_step": u.band_step,
                "last_rank": u.last_rank,
                "this_rank": u.this_rank,
                "rank_change": rank_change,
            }
        )
    return rows


CSV_FIELDS = (
    "group",
    "group_label",
    "code",
    "name",
    "parent",
    "parent_name",
    "status",
    "last_total",
    "this_total",
    "change",
    "last_band",
    "this_band",
    "band_step",
    "last_rank",
    "this_rank",
    "rank_change",
)


def to_csv(c: Comparison) -> str:
    """The CSV for scripts, as `grade`'s: UTF-8 without a BOM, ",", "." decimals, LF."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(c):
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return buf.getvalue()


def _csv_value(value: Any) -> Any:
    """Numbers as the JSON writes them (97, not 97.0), text kept from running as a formula."""
    if value is None:
        return ""
    return json_number(value) if isinstance(value, Decimal) else safe_text(value)


def comparison_dict(c: Comparison) -> dict[str, Any]:
    """The comparison as JSON-ready data ("ictscore-compare/1")."""
    return {
        "format": "ictscore-compare/1",
        "headline": c.headline,
        "years": [c.last_year, c.this_year],
        "mean": {"last": json_number(c.last_mean), "this": json_number(c.this_mean)},
        "groups": [
            {
                "id": g.id,
                "label": g.label,
                "last_mean": json_number(g.last_mean),
                "this_mean": json_number(g.this_mean),
                "bands": [{"label": b.label, "last": b.last, "this": b.this} for b in g.bands],
            }
            for g in c.groups
        ],
        "bands": [{"label": b.label, "last": b.last, "this": b.this} for b in c.bands],
        "units": [_unit_dict(u) for u in ordered_units(c)],  # as the tables and the CSV
        "criteria_note": c.criteria_note,
        "criteria": [
            {
                "criterion": k.criterion,
                "last_id": k.last_id,
                "last_mean": json_number(k.last_mean),
                "this_mean": json_number(k.this_mean),
                "change": json_number(k.change),
            }
            for k in c.criteria
        ],
        "summary": summary_paragraphs(c),
    }


def _unit_dict(u: UnitChange) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "parent": u.parent,
        "parent_name": u.parent_name,
        "group": u.group,
        "status": u.status,
        "last_total": json_number(u.last_total),
        "this_total": json_number(u.this_total),
        "change": json_number(u.change),
        "last_band": u.last_band,
        "this_band": u.this_band,
        "band_step": u.band_step,
        "last_rank": u.last_rank,
        "this_rank": u.this_rank,
    }
