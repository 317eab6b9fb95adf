"""`ictscore audit`: which criteria discriminate, how robust each rank and band is, which sheets
look copied, which inputs stand out (docs/audit.md)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, assert_never

import typer

from ictscore.cli.app import (
    HelpCommand,
    app,
    err_console,
    exit_on_error,
    graded_folder,
    out_console,
    shown,
    warn,
)
from ictscore.cli.compare import print_trimmed
from ictscore.errors import ResultsFileError, UsageError

WROTE_AUDIT = "Wrote {path}"

if TYPE_CHECKING:
    from ictscore.rubric.model import Rubric


class AuditFormat(StrEnum):
    table = "table"
    json = "json"


def _judgement(name: str, text: str) -> Any:
    return typer.Option(name, metavar="X", help=text)


@app.command(cls=HelpCommand)
def audit(
    results: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS",
            help="The results of `grade` (.json), or a folder of sheets, graded on the fly.",
        ),
    ],
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric",
            "-r",
            metavar="FILE",
            help="The rubric the results were graded with, when it is not a bundled one.",
        ),
    ] = None,
    units: Annotated[
        Path | None,
        typer.Option("--units", "-u", metavar="CSV", help="Roster, when RESULTS is a folder."),
    ] = None,
    fmt: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="table or json.")
    ] = AuditFormat.table,
    runs: Annotated[
        int, typer.Option(min=0, metavar="N", help="Monte Carlo runs (0: none).")
    ] = 1000,
    seed: Annotated[int, typer.Option(metavar="N", help="Seed of the Monte Carlo.")] = 0,
    weights: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, metavar="X", help="Each weight varies within ±X (0.2: ±20%)."
        ),
    ] = 0.2,
    margin: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            metavar="X",
            help="A total this close to a band's min hangs on rounding. Default: one step of "
            "the rubric's precision (0.01).",
        ),
    ] = None,
    same_share: Annotated[
        float,
        _judgement("--same-share", "Does not discriminate: this share of units at one value."),
    ] = 0.9,
    dominant_share: Annotated[
        float, _judgement("--dominant-share", "Dominates: this share of the total's variance.")
    ] = 0.5,
    pair_corr: Annotated[
        float,
        _judgement("--pair-corr", "Two criteria measure the same thing: this correlation."),
    ] = 0.95,
    copy_inputs: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="Copied: at least N distinctive inputs match."),
    ] = 8,
    copy_share: Annotated[
        float, _judgement("--copy-share", "Copied: and this share of them.")
    ] = 0.8,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Also write the audit to FILE: .xlsx (a sheet per finding), .html or .json. "
            "Repeatable.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --output files if they exist.")
    ] = False,
    outlier_z: Annotated[
        float, _judgement("--outlier-z", "Outlier: robust z-score (median, MAD) above X.")
    ] = 3.5,
) -> None:
    """Audit a ranking: criteria, ranks and bands under uncertainty, copied sheets, outliers.

    Per group: each criterion's mean, spread, shares at the maximum and at zero, correlation
    with the total and share of its variance, with flags; a seeded Monte Carlo over the weights
    (median rank, 5–95% interval, share of runs changing band); the units whose band hangs on
    rounding or on one appraisal cut; pairs of sheets that look copied; outlying inputs.

    Example: ictscore audit ket-qua.json --runs 2000 --weights 0.3 --format json > audit.json
    """
    from ictscore.audit.copies import CopyOptions
    from ictscore.audit.criteria import CriteriaOptions
    from ictscore.audit.outliers import OutlierOptions
    from ictscore.audit.run import AuditOptions
    from ictscore.audit.run import audit as run_audit
    from ictscore.reports.export import check_output

    options = AuditOptions(
        criteria=CriteriaOptions(same_share, dominant_share, pair_corr),
        copies=CopyOptions(min_inputs=copy_inputs, min_share=copy_share),
        outliers=OutlierOptions(z=outlier_z),
        runs=runs,
        seed=seed,
        weights=weights,
        margin=margin,
    )
    with exit_on_error():
        for target in output or []:  # every output checked before any work
            check_output(target, force, results if results.is_dir() else None, SUFFIXES)
        data, graded_with = _results(results, rubric, units)
        result = run_audit(data, graded_with, options)
        for target in output or []:
            _write(result, target, force)
    match fmt:
        case AuditFormat.table:
            from ictscore.reports.audit_view import audit_tables

            if out_console.is_terminal:
                print_trimmed(audit_tables(result, terminal=True))
            else:
                from ictscore.reports.plain import plain_text

                sys.stdout.write(plain_text(audit_tables(result)))
        case AuditFormat.json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        case _:
            assert_never(fmt)


SUFFIXES = (".xlsx", ".html", ".json")


def _write(result: dict[str, Any], path: Path, force: bool) -> None:
    from ictscore.reports.files import save_workbook, write_text

    match path.suffix.lower():
        case ".xlsx":
            from ictscore.reports.workbook.audit import build_audit_workbook

            save_workbook(build_audit_workbook(result), path, force)
        case ".html":
            from ictscore.reports.page.audit import build_audit_html

            write_text(path, build_audit_html(result), force)
        case _:
            write_text(path, json.dumps(result, ensure_ascii=False, indent=2) + "\n", force)
    err_console.print(WROTE_AUDIT.format(path=shown(path)), highlight=False)


def _results(path: Path, rubric: Path | None, units: Path | None) -> tuple[Any, Rubric]:
    """The results dict and the rubric: a results file read and checked, or a folder graded."""
    from ictscore.rubric.load import bundled_rubric_path, load_rubric

    if path.is_dir():
        from ictscore.grading.pipeline import GradeOptions
        from ictscore.reports.data import report_dict

        report = graded_folder(path, GradeOptions(rubric=rubric, units=units))
        assert report.rubric is not None
        return report_dict(report, report.rubric), report.rubric
    from ictscore.reports.compare import load_results

    if units is not None:
        raise UsageError("--units is for a folder of sheets; a results file has its units")
    data = load_results(path)
    if rubric is not None:
        return data, load_rubric(rubric, warn)
    rubric_id = str(data["rubric"].get("id") or "")
    bundled = bundled_rubric_path(rubric_id)
    if bundled is None:
        raise ResultsFileError(
            f"{path}: graded with rubric {rubric_id!r}, which is not bundled: give it with "
            "--rubric FILE"
        )
    shipped = load_rubric(bundled, warn)
    graded_hash = data["rubric"].get("hash")
    if graded_hash and graded_hash != shipped.content_hash:
        raise ResultsFileError(
            f"{path}: graded with another version of rubric {rubric_id!r} "
            f"({data['rubric'].get('version')}) than the bundled one ({shipped.version}): give "
            "the rubric it was graded with, --rubric FILE"
        )
    return data, shipped
