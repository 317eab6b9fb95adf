"""A Report as data: the JSON contract ("ictscore-report/1", documented in the README, read
by scripts and by `ictscore compare`) and the CSV, one row per unit. Text only; writing files
is export.py's.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any, Final, TextIO

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import explain
from ictscore.issues import Issue, tally
from ictscore.numbers import json_number
from ictscore.reports.files import safe_text
from ictscore.rubric.model import Rubric
from ictscore.version import __version__

REPORT_FORMAT = "ictscore-report/1"


def issue_dict(issue: Issue) -> dict[str, Any]:
    where = issue.where
    return {
        "code": issue.code,
        "severity": issue.severity.value,
        "message": str(issue.message),
        "message_vi": explain(issue, "vi"),
        "file": where.file if where else None,
        "sheet": where.sheet if where else None,
        "cell": where.cell if where else None,
        "criterion": issue.criterion,
        "location": str(where) if where else None,
        **({"not_listed": issue.not_listed} if issue.not_listed else {}),
    }


def unit_dict(unit: UnitResult, rubric: Rubric) -> dict[str, Any]:
    band = rubric.band(unit.band)
    plan = rubric.plan(unit.group) if rubric.group(unit.group) is not None else None
    skip = frozenset(unit.not_applicable)  # the unit's own maxima: without those criteria
    return {
        "code": unit.code,
        "name": unit.name,
        "group": unit.group,
        "parent": unit.parent,
        "parent_name": unit.parent_name,
        "file": unit.file,
        "status": unit.status.value,
        "rank": unit.rank,
        "parent_rank": unit.parent_rank,
        "unranked": unit.unranked,
        "total": json_number(unit.total),
        "raw_total": json_number(unit.raw_total),
        "self_total": json_number(unit.self_total),
        "band": unit.band,
        "band_label": band.label if band else None,
        "max": json_number(plan.unit_published_max(skip)) if plan else None,
        "base_max": json_number(unit.base_max),
        "bonus_max": json_number(plan.unit_bonus_max(skip)) if plan else None,
        "penalty_max": json_number(plan.unit_penalty_max(skip)) if plan else None,
        "subtotals": {k: json_number(v) for k, v in unit.subtotals.items()},
        "points": {k: json_number(v) for k, v in unit.points.items()},
        "self_points": {k: json_number(v) for k, v in unit.self_points.items()},
        "measures": {k: json_number(v) for k, v in unit.measures.items()},
        "not_applicable": dict(unit.not_applicable),
        "appraisal": {
            cid: {
                "self_points": json_number(unit.self_points.get(cid)),
                "appraised_points": json_number(a.points),
                "appraised_value": json_number(a.value),
                "difference": json_number(
                    unit.points[cid] - unit.self_points[cid]
                    if cid in unit.points and cid in unit.self_points
                    else None
                ),
                "not_applicable": a.not_applicable,
                "note": a.note,
                "location": str(a.where) if a.where else None,
            }
            for cid, a in unit.appraisal.items()
        },
        "inputs": {
            cid: {
                slot: {
                    "value": json_number(v.value) if isinstance(v.value, Decimal) else v.value,
                    "cell": v.cell,
                }
                for slot, v in slots.items()
            }
            for cid, slots in unit.inputs.items()
        },
        "evidence": dict(unit.evidence),
        "issues": [issue_dict(i) for i in unit.issues],
    }


def report_dict(report: Report, rubric: Rubric) -> dict[str, Any]:
    """The JSON contract: rubric, groups, bands, units, batch-level issues, summary."""
    return {**_report_head(report, rubric), "units": [unit_dict(u, rubric) for u in report.units]}


_UNITS_HERE: Final = "\x00units\x00"
"""Where the units go in the JSON text: written one at a time (see `write_json`)."""


def _report_head(report: Report, rubric: Rubric) -> dict[str, Any]:
    """The report as `report_dict`, with a placeholder for the units."""
    groups = []
    for g in rubric.groups:
        members = [u for u in report.units if u.group == g.id]
        plan = rubric.plan(g.id)
        groups.append(
            {
                "id": g.id,
                "label": g.label,
                "max": json_number(plan.published_max),
                "base_max": json_number(plan.base_max),
                "bonus_max": json_number(plan.bonus_max),
                "penalty_max": json_number(plan.penalty_max),
                "rank_within": g.rank_within,
                **{s.value: sum(1 for u in members if u.status is s) for s in Status},
                "bands": {b.id: sum(1 for u in members if u.band == b.id) for b in rubric.bands},
            }
        )
    all_issues = report.all_issues
    errors, warnings = tally(all_issues)
    return {
        "format": REPORT_FORMAT,
        "generator": f"ictscore {__version__}",
        "rubric": {
            "id": report.rubric_id,
            "version": report.rubric_version,
            "hash": report.rubric_hash,
            "title": rubric.title,
            "year": rubric.year,
            "precision": rubric.precision,
            "not_applicable": rubric.not_applicable,
            "scale": json_number(rubric.scale),
            "appraisal": rubric.appraisal,
            "tie_breaks": list(rubric.tie_breaks),
        },
        "groups": groups,
        "bands": [{"id": b.id, "label": b.label, "min": json_number(b.min)} for b in rubric.bands],
        "areas": [
            {"id": a.id, "title": a.title, "kind": a.kind, "bonus": a.kind == "bonus"}
            for a in rubric.criteria
        ],
        "units": _UNITS_HERE,
        "references": [
            {
                "group": r.group,
                "criterion": r.criterion,
                "best": json_number(r.best),
                "units": list(r.units),
            }
            for r in report.references
        ],
        "issues": [issue_dict(i) for i in report.issues],
        "summary": {
            "units": len(report.units),
            **{s.value: sum(1 for u in report.units if u.status is s) for s in Status},
            "rostered": report.rostered,
            "errors": errors,
            "warnings": warnings,
            "ok": report.ok,
        },
    }


def to_json(report: Report, rubric: Rubric) -> str:
    buf = io.StringIO()
    write_json(report, rubric, buf)
    return buf.getvalue()


def write_json(report: Report, rubric: Rubric, out: TextIO) -> None:
    """The JSON of `report_dict`, written a unit at a time, one unit per line: the text of
    10,000 units is never held whole, and each unit is encoded by json's C encoder (an indented
    dump goes through its pure-Python one, ten times slower). The rest is indented by 2."""
    head = json.dumps(_report_head(report, rubric), ensure_ascii=False, indent=2)
    before, after = head.split(json.dumps(_UNITS_HERE), 1)
    out.write(before)
    if not report.units:
        out.write("[]")
    for i, unit in enumerate(report.units):
        out.write("[\n    " if i == 0 else ",\n    ")
        out.write(json.dumps(unit_dict(unit, rubric), ensure_ascii=False))
    if report.units:
        out.write("\n  ]")
    out.write(after + "\n")


def csv_rows(report: Report, rubric: Rubric) -> list[dict[str, Any]]:
    """One row per unit; area subtotals as `area_<id>` columns."""
    rows = []
    for u in report.units:
        row: dict[str, Any] = {
            "group": u.group,
            "rank": u.rank,
            "parent_rank": u.parent_rank,
            "code": u.code,
            "name": u.name,
            "parent": u.parent_name or "",
            "status": u.status.value,
            "total": u.total,
            "raw_total": u.raw_total,
            "self_total": u.self_total,
            "band": band.label if (band := rubric.band(u.band)) else "",
            "unranked": u.unranked or "",
        }
        for area in rubric.criteria:
            row[f"area_{area.id}"] = u.subtotals.get(area.id, u.points.get(area.id))
        row["errors"], row["warnings"] = tally(u.issues)
        row["file"] = u.file or ""
        rows.append(row)
    return rows


def to_csv(report: Report, rubric: Rubric, excel: bool = False) -> str:
    """The CSV for scripts: UTF-8 without a BOM, "," between fields, "." decimals, LF (stable).

    `excel`: the variant a Vietnamese Excel opens on a double-click, in columns and with numbers
    as numbers: a BOM (Excel then reads UTF-8), ";" between fields (Excel's list separator
    under Vietnamese regional settings), decimal commas, CRLF; the same rows and text."""
    rows = csv_rows(report, rubric)
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["group", "rank", "code", "name", "status", "total"]
    writer = csv.DictWriter(
        buf,
        fieldnames=fields,
        delimiter=";" if excel else ",",
        lineterminator="\r\n" if excel else "\n",
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(v, excel) for k, v in row.items()})
    return ("\ufeff" if excel else "") + buf.getvalue()


def _csv_value(value: Any, excel: bool) -> Any:
    if value is None:
        return ""
    if excel and isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return safe_text(value)
