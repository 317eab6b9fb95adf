"""Writing a report to a file, the format chosen by the file's suffix: .json and .csv (data.py),
.xlsx (workbook.py), .html (page.py), .docx (annex/: the annex to the decision); every file
written atomically (files.py).

The CLI, the library API and the tests take the JSON and CSV functions and `save_workbook` from
here as well (defined in data.py and files.py).
"""

from __future__ import annotations

from pathlib import Path

from ictscore.errors import ExportError
from ictscore.grading.results import Report
from ictscore.reports.data import REPORT_FORMAT, report_dict, to_csv, to_json, write_json
from ictscore.reports.files import (
    atomic_write,
    check_writable,
    exists_error,
    save_workbook,
    write_text,
)
from ictscore.reports.publication import Publication
from ictscore.rubric.model import Rubric

__all__ = [
    "REPORT_FORMAT",
    "REPORT_SUFFIXES",
    "check_output",
    "report_dict",
    "save_workbook",
    "to_csv",
    "to_json",
    "write_json",
    "write_report",
]

REPORT_SUFFIXES = (".json", ".csv", ".xlsx", ".html", ".docx")


def check_output(
    path: Path,
    overwrite: bool = False,
    sheets_folder: Path | None = None,
    suffixes: tuple[str, ...] = REPORT_SUFFIXES,
) -> None:
    """Raise ExportError, before any work is done, if `path` cannot take a report: an unknown
    type, an existing file (unless `overwrite`), a place inside the folder being graded (a
    report there would be read as a sheet next time, or overwrite one), or a folder no file can
    be made in (`files.check_writable`)."""
    if path.suffix.lower() not in suffixes:
        raise _unknown_type(path, suffixes)
    if sheets_folder is not None and path.resolve().is_relative_to(sheets_folder.resolve()):
        raise ExportError(
            f"{path}: inside the folder being graded ({sheets_folder}); "
            "write the results somewhere else"
        )
    if path.exists() and not overwrite:
        raise exists_error(path)
    check_writable(path)


def write_report(
    report: Report,
    rubric: Rubric,
    path: Path,
    overwrite: bool = False,
    publication: Publication | None = None,
    csv_excel: bool = False,
) -> None:
    """Write the report as .json, .csv, .xlsx, .html or .docx (the annex to the decision),
    chosen by the file's suffix; the page, the workbook and the annex carry the `publication`
    details at their head; `csv_excel`: a .csv is the variant for Excel (data.to_csv)."""
    match path.suffix.lower():
        case ".json":

            def write(tmp: Path) -> None:
                with tmp.open("w", encoding="utf-8", newline="") as fh:
                    write_json(report, rubric, fh)

            atomic_write(path, write, overwrite)
        case ".csv":
            write_text(path, to_csv(report, rubric, csv_excel), overwrite)
        case ".xlsx":
            from ictscore.reports.workbook import build_results_workbook  # openpyxl: when asked

            save_workbook(build_results_workbook(report, rubric, publication), path, overwrite)
        case ".html":
            from ictscore.reports.page import build_html

            write_text(path, build_html(report, rubric, publication), overwrite)
        case ".docx":
            from ictscore.reports.annex import build_annex  # python-docx: when asked

            annex = build_annex(report, rubric, publication)
            atomic_write(path, lambda tmp: annex.save(str(tmp)), overwrite)
        case _:
            raise _unknown_type(path)


def _unknown_type(path: Path, suffixes: tuple[str, ...] = REPORT_SUFFIXES) -> ExportError:
    return ExportError(
        f"{path}: unknown output type {path.suffix or '(none)'}; use {', '.join(suffixes)}"
    )
