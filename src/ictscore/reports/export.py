"""Serialising a Report: the JSON contract, CSV, the results workbook; atomic file writes.

The JSON produced here is the contract for scripts (documented in the README); CSV and XLSX are
views of the same data. Every file is written to a temporary file beside the target and renamed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TextIO

from ictscore.errors import ExportError
from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import explain
from ictscore.issues import Issue
from ictscore.rubric.model import Rubric
from ictscore.version import __version__

REPORT_FORMAT = "ictscore-report/1"
STATUS_LABELS = {
    Status.GRADED: "Đã chấm",
    Status.INVALID: "Không hợp lệ",
    Status.MISSING: "Chưa nộp",
}
OTHER_GROUPS_LABEL = "Đơn vị ngoài các nhóm của bảng điểm"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


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
    }


def unit_dict(unit: UnitResult, rubric: Rubric) -> dict[str, Any]:
    band = rubric.band(unit.band)
    known = rubric.group(unit.group) is not None
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
        "total": _num(unit.total),
        "raw_total": _num(unit.raw_total),
        "self_total": _num(unit.self_total),
        "band": unit.band,
        "band_label": band.label if band else None,
        "max": _num(rubric.published_max(unit.group)) if known else None,
        "base_max": _num(unit.base_max),
        "bonus_max": _num(rubric.bonus_max(unit.group)) if known else None,
        "penalty_max": _num(rubric.penalty_max(unit.group)) if known else None,
        "subtotals": {k: _num(v) for k, v in unit.subtotals.items()},
        "points": {k: _num(v) for k, v in unit.points.items()},
        "self_points": {k: _num(v) for k, v in unit.self_points.items()},
        "measures": {k: _num(v) for k, v in unit.measures.items()},
        "not_applicable": dict(unit.not_applicable),
        "appraisal": {
            cid: {
                "self_points": _num(unit.self_points.get(cid)),
                "appraised_points": _num(a.points),
                "appraised_value": _num(a.value),
                "difference": _num(
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
                    "value": _num(v.value) if isinstance(v.value, Decimal) else v.value,
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
        groups.append(
            {
                "id": g.id,
                "label": g.label,
                "max": _num(rubric.published_max(g.id)),
                "base_max": _num(rubric.base_max(g.id)),
                "bonus_max": _num(rubric.bonus_max(g.id)),
                "penalty_max": _num(rubric.penalty_max(g.id)),
                "rank_within": g.rank_within,
                **{s.value: sum(1 for u in members if u.status is s) for s in Status},
                "bands": {b.id: sum(1 for u in members if u.band == b.id) for b in rubric.bands},
            }
        )
    all_issues = report.all_issues
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
            "scale": _num(rubric.scale),
            "appraisal": rubric.appraisal,
            "tie_breaks": list(rubric.tie_breaks),
        },
        "groups": groups,
        "bands": [{"id": b.id, "label": b.label, "min": _num(b.min)} for b in rubric.bands],
        "areas": [
            {"id": a.id, "title": a.title, "kind": a.kind, "bonus": a.kind == "bonus"}
            for a in rubric.criteria
        ],
        "units": _UNITS_HERE,
        "references": [
            {
                "group": r.group,
                "criterion": r.criterion,
                "best": _num(r.best),
                "units": list(r.units),
            }
            for r in report.references
        ],
        "issues": [issue_dict(i) for i in report.issues],
        "summary": {
            "units": len(report.units),
            **{s.value: sum(1 for u in report.units if u.status is s) for s in Status},
            "errors": sum(1 for i in all_issues if i.is_error),
            "warnings": sum(1 for i in all_issues if not i.is_error),
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
        row["errors"] = sum(1 for i in u.issues if i.is_error)
        row["warnings"] = sum(1 for i in u.issues if not i.is_error)
        row["file"] = u.file or ""
        rows.append(row)
    return rows


def safe_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(report: Report, rubric: Rubric) -> str:
    rows = csv_rows(report, rubric)
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["group", "rank", "code", "name", "status", "total"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else safe_text(v)) for k, v in row.items()})
    return buf.getvalue()


# --- files ---------------------------------------------------------------------------------


def atomic_write(path: Path, write: Callable[[Path], None], overwrite: bool = False) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it over `path`.

    Raises ExportError if `path` exists and not `overwrite`, or on any OS error; a failed write
    leaves no temporary file and does not touch an existing `path`.
    """
    if path.exists() and not overwrite:
        raise ExportError(f"{path}: already exists (use --force to overwrite)")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # NOTE: mkstemp creates the file readable by its owner only; an output is an ordinary
        # file (a results page is published), so give it the permissions the umask gives
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str, overwrite: bool = False) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="")

    atomic_write(path, write, overwrite)


def save_workbook(wb: Any, path: Path, overwrite: bool = False) -> None:
    """Save an openpyxl Workbook atomically."""
    atomic_write(path, lambda tmp: wb.save(tmp), overwrite)


REPORT_SUFFIXES = (".json", ".csv", ".xlsx", ".html")


def check_output(path: Path, overwrite: bool = False, sheets_folder: Path | None = None) -> None:
    """Raise ExportError, before any work is done, if `path` cannot take a report: an unknown
    type, an existing file (unless `overwrite`), or a place inside the folder being graded
    (a report there would be read as a sheet next time, or overwrite one)."""
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise _unknown_type(path)
    if sheets_folder is not None and path.resolve().is_relative_to(sheets_folder.resolve()):
        raise ExportError(
            f"{path}: inside the folder being graded ({sheets_folder}); "
            "write the results somewhere else"
        )
    if path.exists() and not overwrite:
        raise ExportError(f"{path}: already exists (use --force to overwrite)")


def write_report(report: Report, rubric: Rubric, path: Path, overwrite: bool = False) -> None:
    """Write the report as .json, .csv, .xlsx or .html, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".json":

        def write(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                write_json(report, rubric, fh)

        atomic_write(path, write, overwrite)
    elif suffix == ".csv":
        write_text(path, to_csv(report, rubric), overwrite)
    elif suffix == ".xlsx":
        from ictscore.reports.workbook import build_results_workbook

        save_workbook(build_results_workbook(report, rubric), path, overwrite)
    elif suffix == ".html":
        from ictscore.reports.page import build_html

        write_text(path, build_html(report, rubric), overwrite)
    else:
        raise _unknown_type(path)


def _unknown_type(path: Path) -> ExportError:
    return ExportError(
        f"{path}: unknown output type {path.suffix or '(none)'}; use {', '.join(REPORT_SUFFIXES)}"
    )
