"""The table model every report lays out: per group, the ranked table (columns with an id, a
label and a kind; rows holding the unit and its cells as plain values; the caption), the units
outside the rubric's groups, and where the appraisal changed something.

Built once from a Report and its rubric (`build_tables`). The terminal, the plain text (through
the terminal's tables), the results workbook and the page render it; each picks the columns it
shows and formats the plain values its own way. The areas shown, the parent rank, the
appraised and rescaled columns and the appraisal's changes are decided here and only here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.reports import labels
from ictscore.rubric.model import Band, Group, Rubric

Cell = Decimal | int | str | None
"""A cell as plain data: a figure, a rank, a text, or nothing."""


def figure(value: Cell) -> Decimal | None:
    """A figure cell (an area, a total) as a Decimal, None as None."""
    if value is None or isinstance(value, Decimal):
        return value
    raise TypeError(f"not a figure: {value!r}")


class Kind(StrEnum):
    KEY = "key"
    """Who the unit is and where it stands: rank, code, name, total, band."""
    AREA = "area"
    """An area (top-level criterion) of the rubric that scores in the group."""
    EXTRA = "extra"
    """Shown when it says something: the self-score, the raw total, the status, the file."""


@dataclass(frozen=True)
class Column:
    id: str
    """`rank`, `parent_rank`, `code`, `unit` (name and parent), `name`, `parent`,
    `area:<id>`, `self_total`, `appraisal_difference`, `raw_total`, `total`, `band`, `status`,
    `file`."""
    label: str
    """The short header ("Hạng", "1 (−)"): a writer may head the column its own way."""
    kind: Kind
    area: str | None = None
    """The area's id, for an area column."""
    title: str = ""
    """The area's title, for an area column."""

    @property
    def numeric(self) -> bool:
        """A figure: an area, the self-score and its difference, the raw total, the total."""
        return self.kind is Kind.AREA or self.id in _FIGURES

    @property
    def right_aligned(self) -> bool:
        """Figures and ranks read from the right."""
        return self.numeric or self.id in _RANKS


_FIGURES = frozenset({"self_total", "appraisal_difference", "raw_total", "total"})
_RANKS = frozenset({"rank", "parent_rank"})


@dataclass(frozen=True)
class Row:
    unit: UnitResult
    cells: Mapping[str, Cell]
    """By column id. Areas are None for a unit not graded; totals as they are."""
    band: Band | None
    """The unit's band (its label is the `band` cell), for the writers that colour it."""

    @property
    def graded(self) -> bool:
        return self.unit.status is Status.GRADED

    @property
    def unranked(self) -> bool:
        """Scored, but kept out of the ranking by the rubric (only graded units are)."""
        return bool(self.unit.unranked)


@dataclass(frozen=True)
class AppraisalChange:
    """One criterion of one unit where the appraisal says something: it changed the points,
    marked the criterion not applicable, gave an appraised value, or left a note."""

    unit: UnitResult
    criterion: str
    self_points: Decimal | None
    points: Decimal | None
    """The appraised (final) points; None when not applicable."""
    not_applicable: str | None
    value: Decimal | None
    note: str | None

    @property
    def difference(self) -> Decimal | None:
        if self.points is None or self.self_points is None:
            return None
        return self.points - self.self_points

    @property
    def changes_points(self) -> bool:
        """The criterion no longer counts, or counts for other points than the self-score."""
        return bool(self.not_applicable) or self.points != self.self_points


@dataclass(frozen=True)
class RankedTable:
    """One group's ranked table, its units in the report's order."""

    group: Group
    max_text: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    banded: bool
    """The rubric has bands (the terminal leaves the band column out otherwise)."""
    caption: str
    """Band counts, then units not graded and units not ranked."""
    changes: tuple[AppraisalChange, ...]
    """Where the appraisal changed something for the group's units."""

    @property
    def areas(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind is Kind.AREA)

    @property
    def units(self) -> list[UnitResult]:
        return [r.unit for r in self.rows]

    def has(self, column_id: str) -> bool:
        return any(c.id == column_id for c in self.columns)


@dataclass(frozen=True)
class ReportTables:
    groups: tuple[RankedTable, ...]
    """Every group of the rubric, in its order, those without units included."""
    others: tuple[UnitResult, ...]
    """Units of a group the rubric does not have: listed, never hidden."""
    changes: tuple[AppraisalChange, ...]
    """Where the appraisal changed something, over every unit in the report's order."""


def build_tables(report: Report, rubric: Rubric) -> ReportTables:
    """The tables of every group, the units outside them and the appraisal's changes."""
    members: dict[str, list[UnitResult]] = {g.id: [] for g in rubric.groups}
    others: list[UnitResult] = []
    for u in report.units:
        members.get(u.group, others).append(u)
    changes = appraisal_changes(report.units)
    return ReportTables(
        groups=tuple(
            ranked_table(rubric, g, members[g.id], [c for c in changes if c.unit.group == g.id])
            for g in rubric.groups
        ),
        others=tuple(others),
        changes=changes,
    )


def ranked_table(
    rubric: Rubric,
    group: Group,
    units: list[UnitResult],
    changes: Iterable[AppraisalChange],
) -> RankedTable:
    """The ranked table of `group`, from its units in the report's order, with the appraisal's
    changes to them."""
    columns = _columns(rubric, group, units)
    areas = [c.area for c in columns if c.area is not None]
    rows = tuple(_row(rubric, u, areas) for u in units)
    return RankedTable(
        group=group,
        max_text=labels.max_text(rubric, group.id),
        columns=columns,
        rows=rows,
        banded=bool(rubric.bands),
        caption=_caption(rubric, units),
        changes=tuple(changes),
    )


def appraised(unit: UnitResult) -> bool:
    """The appraisal changed the unit's total."""
    return unit.self_total is not None and unit.self_total != unit.total


def rescaled(unit: UnitResult) -> bool:
    """The unit's total was rescaled (criteria not applicable, `not_applicable: rescale`)."""
    return unit.raw_total is not None and unit.raw_total != unit.total


def appraisal_changes(units: Iterable[UnitResult]) -> tuple[AppraisalChange, ...]:
    """Every criterion where the appraisal says something, unit by unit (see AppraisalChange);
    a criterion appraised at the self-score, without a value or a note, is left out."""
    out = []
    for u in units:
        for cid, a in u.appraisal.items():
            change = AppraisalChange(
                unit=u,
                criterion=cid,
                self_points=u.self_points.get(cid),
                points=u.points.get(cid),
                not_applicable=a.not_applicable,
                value=a.value,
                note=a.note,
            )
            if change.changes_points or a.value is not None or a.note:
                out.append(change)
    return tuple(out)


def _columns(rubric: Rubric, group: Group, units: list[UnitResult]) -> tuple[Column, ...]:
    key, extra = Kind.KEY, Kind.EXTRA
    columns = [Column("rank", labels.RANK, key)]
    if group.rank_within == "parent":
        columns.append(Column("parent_rank", labels.PARENT_RANK, key))
    columns += [
        Column("code", labels.CODE, key),
        Column("unit", labels.UNIT, key),
        Column("name", labels.UNIT_NAME, key),
        Column("parent", labels.PARENT, key),
    ]
    plan = rubric.plan(group.id)
    for area in plan.areas:
        a = plan.by_id[area].criterion
        suffix = labels.PENALTY_SUFFIX if a.kind == "penalty" else ""
        columns.append(Column(f"area:{a.id}", a.id + suffix, Kind.AREA, a.id, a.title))
    if any(appraised(u) for u in units):
        columns.append(Column("self_total", labels.SELF_SCORE, extra))
        columns.append(Column("appraisal_difference", labels.APPRAISAL_DIFFERENCE, extra))
    if any(rescaled(u) for u in units):
        columns.append(Column("raw_total", labels.RAW_TOTAL, extra))
    columns += [
        Column("total", labels.TOTAL, key),
        Column("band", labels.BAND, key),
        Column("status", labels.STATUS, extra),
        Column("file", labels.FILE, extra),
    ]
    return tuple(columns)


def _row(rubric: Rubric, u: UnitResult, areas: list[str]) -> Row:
    graded = u.status is Status.GRADED
    band = rubric.band(u.band)
    cells: dict[str, Cell] = {
        "rank": u.rank,
        "parent_rank": u.parent_rank,
        "code": u.code,
        "unit": u.display_name,
        "name": u.name,
        "parent": u.parent_name or "",
        "self_total": u.self_total,
        "appraisal_difference": (
            u.total - u.self_total if u.total is not None and u.self_total is not None else None
        ),
        "raw_total": u.raw_total,
        "total": u.total,
        "band": band.label if band else "",
        "status": labels.STATUS_LABELS[u.status],
        "file": u.file or "",
    }
    for area in areas:
        cells[f"area:{area}"] = u.subtotals.get(area, u.points.get(area)) if graded else None
    return Row(u, cells, band)


def _caption(rubric: Rubric, units: list[UnitResult]) -> str:
    counts = [f"{b.label}: {sum(1 for u in units if u.band == b.id)}" for b in rubric.bands]
    others = [
        f"{label}: {n}"
        for s, label in labels.STATUS_LABELS.items()
        if s is not Status.GRADED and (n := sum(1 for u in units if u.status is s))
    ]
    unranked = [f"{u.code}: {u.unranked}" for u in units if u.unranked]
    if unranked:
        others.append(f"{labels.UNRANKED} — " + "; ".join(unranked))
    return "  ".join([" · ".join(counts), *others]).strip()


@dataclass(frozen=True)
class Layout:
    """The columns a terminal shows, each with its width, and what it leaves out (the ranked
    tables of `terminal`, the year-on-year tables of `compare_view`)."""

    widths: dict[str, int]
    """Column id → width, in the table's order; only the columns shown."""
    hidden: tuple[str, ...]
    """Ids of the columns left out."""
    terminal: int
    """The terminal's width."""
    needed: int
    """The width the whole table needs, the names whole."""
    tight: bool = False
    """Columns two spaces apart instead of three."""
