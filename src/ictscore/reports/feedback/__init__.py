"""Feedback to each unit: what it did and did not achieve ("những mặt làm được và chưa làm được").

For every unit with a sheet, one workbook it can be sent:
- a first sheet "Phản hồi", the unit's profile on one A4 page (`profile.py`): its total, band
  and ranks, its points per area against its group's mean and best (a chart), the criteria
  where it lost the most, what the appraisal changed and why, its problems to fix, and, given
  last year's results (`previous.py`), the change per area and in rank;
- a copy of its own workbook (never the original: the copy is made in memory and saved
  elsewhere) with its problems marked and every value shown as graded (`sheet_copy.py`), when
  the sheet is an .xlsx or .xlsm (openpyxl cannot write .xls or .ods: those units get the
  profile alone).

Issue messages shown to units come from the message catalogue (i18n.py, gettext).
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.grading.scoring import publish
from ictscore.inputfile import read_input
from ictscore.issues import CellRef
from ictscore.reports.feedback.figures import AreaFigures, Peers
from ictscore.reports.feedback.previous import LastYear, last_year
from ictscore.reports.feedback.profile import write_profile
from ictscore.reports.feedback.sheet_copy import mark_sheet, vi_message
from ictscore.reports.files import save_workbook
from ictscore.reports.summary import criterion_means
from ictscore.roster import ascii_slug
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.filecheck import MAX_FILE_BYTES, inspect_file

__all__ = [
    "AreaFigures",
    "LastYear",
    "Peers",
    "feedback_name",
    "feedback_workbook",
    "last_year",
    "peers",
    "vi_message",
    "write_feedback",
]


def peers(report: Report, rubric: Rubric, group: str) -> Peers:
    """The figures a unit of `group` is compared with (see Peers)."""
    units = [u for u in report.units if u.group == group and u.status is Status.GRADED]
    means = {m.criterion: m.mean for m in criterion_means(report, rubric, group)}
    plan = rubric.plan(group)
    areas = []
    for aid in plan.areas:
        entry = plan.by_id[aid]
        values = [v for u in units if (v := u.subtotals.get(aid, u.points.get(aid))) is not None]
        mean = publish(sum(values, Decimal(0)) / len(values), rubric) if values else None
        areas.append(
            AreaFigures(
                aid, entry.criterion.title, entry.kind, entry.max, mean, max(values, default=None)
            )
        )
    totals = [u.total for u in units if u.total is not None]
    mean = publish(sum(totals, Decimal(0)) / len(totals), rubric) if totals else None
    return Peers(
        len(units),
        means,
        tuple(areas),
        mean=mean,
        best=max(totals, default=None),
        district=_district_ranks(units),
    )


def _district_ranks(units: list[UnitResult]) -> dict[str, tuple[int, int]]:
    """Each ranked unit's place among the ranked units of its parent, from the group's ranks
    (ties and tie-breaks as scoring.py decided them): 1 + how many rank above it."""
    ranks: dict[str, list[int]] = {}
    for u in units:
        if u.parent and u.rank is not None:
            ranks.setdefault(u.parent, []).append(u.rank)
    for held in ranks.values():
        held.sort()
    return {
        u.code: (bisect.bisect_left(ranks[u.parent], u.rank) + 1, len(ranks[u.parent]))
        for u in units
        if u.parent and u.rank is not None
    }


def feedback_workbook(
    rubric: Rubric,
    report: Report,
    unit: UnitResult,
    of_group: Peers | None = None,
    previous: LastYear | None = None,
) -> Any:
    """The unit's feedback workbook (openpyxl), from a copy of its own .xlsx/.xlsm when it has
    one; the original file is only read. `of_group`: the unit's `peers`, when the caller has
    them already; `previous`: the unit's result last year."""
    wb = None
    if unit.file and Path(unit.file).suffix.lower() in (".xlsx", ".xlsm"):
        try:  # every file check first (grading unpacked only the parts it reads), then
            data = read_input(unit.file, MAX_FILE_BYTES, "score sheet")  # the bytes checked
            inspect_file(data, CellRef(unit.file))  # are the bytes openpyxl reads
            wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=False)
        except Exception:  # noqa: BLE001 - unreadable by openpyxl: the profile alone
            wb = None
    if wb is not None:
        mark_sheet(wb, unit)
    else:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
    if unit.status is Status.GRADED and of_group is None:
        of_group = peers(report, rubric, unit.group)
    write_profile(wb, rubric, unit, of_group, previous)
    wb.properties.keywords = layout.FEEDBACK_KEYWORD  # not a score sheet, if left in a folder
    wb.active = 0
    for ws in wb.worksheets:  # the profile alone selected: a grouped selection prints all
        ws.sheet_view.tabSelected = ws is wb.worksheets[0]
    return wb


def feedback_name(unit: UnitResult, taken: set[str] | None = None) -> str:
    """The unit's feedback file name, from its code; `taken`: names already used in this run
    (two codes that slug alike, "A.1" and "a-1", get "a-1-phan-hoi.xlsx" and
    "a-1-2-phan-hoi.xlsx")."""
    stem = ascii_slug(unit.code) or "don-vi"
    name, n = f"{stem}-phan-hoi.xlsx", 1
    while taken is not None and name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}-phan-hoi.xlsx"
    if taken is not None:
        taken.add(name.casefold())
    return name


def write_feedback(
    rubric: Rubric,
    report: Report,
    folder: Path,
    overwrite: bool = False,
    previous: Mapping[str, LastYear] | None = None,
) -> list[Path]:
    """One feedback workbook per unit with a sheet, atomically, into `folder`; `previous`:
    last year's results by unit code (`last_year`)."""
    written: list[Path] = []
    taken: set[str] = set()
    groups: dict[str, Peers] = {}
    for unit in report.units:
        if unit.status is Status.MISSING or not unit.file:
            continue
        of_group = None
        if unit.status is Status.GRADED:
            if unit.group not in groups:
                groups[unit.group] = peers(report, rubric, unit.group)
            of_group = groups[unit.group]
        target = folder / feedback_name(unit, taken)
        before = previous.get(unit.code) if previous else None
        wb = feedback_workbook(rubric, report, unit, of_group, before)
        save_workbook(wb, target, overwrite=overwrite)
        written.append(target)
    return written
