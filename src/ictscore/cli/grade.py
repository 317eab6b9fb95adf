"""The commands that grade a folder or a sheet: grade, appraisal, check; and how a report is
emitted (stdout, --output, stderr) and the feedback written.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, assert_never

import typer
from rich.markup import escape

from ictscore.cli.app import (
    EXIT_ISSUES,
    EXIT_OK,
    RICH_ROWS,
    WROTE,
    WROTE_FEEDBACK,
    HelpCommand,
    JobsOpt,
    LangOpt,
    Language,
    OutputFormat,
    RubricOpt,
    UnitsOpt,
    app,
    batch_held,
    err_console,
    exit_on_error,
    graded_folder,
    out_console,
    print_out,
    report_rubric,
    shown,
    warn,
)
from ictscore.errors import ExportError, UsageError
from ictscore.messages import N_, Msg
from ictscore.text import terminal_safe

if TYPE_CHECKING:
    from ictscore.grading.results import Report
    from ictscore.i18n import Lang
    from ictscore.reports.publication import Publication


@app.command(cls=HelpCommand)
def grade(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder of filled sheets.")],
    rubric: RubricOpt = None,
    units: UnitsOpt = None,
    recursive: Annotated[bool, typer.Option(help="Also read subfolders.")] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = OutputFormat.table,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Also write the results to FILE (.json, .csv, .xlsx, .html: a web page, or "
            ".docx: the annex to the decision), atomically; repeatable.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Overwrite existing --output and --feedback files.")
    ] = False,
    csv_excel: Annotated[
        bool,
        typer.Option(
            help="Write every CSV of the run (--output .csv, --format csv) for Excel: a BOM, "
            "';' between fields, decimal commas, CRLF (opens in columns in a Vietnamese Excel).",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not list issues on stderr.")
    ] = False,
    lang: LangOpt = Language.en,
    feedback: Annotated[
        Path | None,
        typer.Option(
            "--feedback",
            metavar="DIR",
            help="Write each unit's feedback workbook into DIR: a copy of its sheet with the "
            "problem cells marked, and a summary in Vietnamese (never into the graded folder).",
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            metavar="FILE",
            help="Last year's results (.json from `ictscore grade -o`): each unit's feedback "
            "shows the change per area and in rank (units matched by code).",
        ),
    ] = None,
    appraisal: Annotated[
        Path | None,
        typer.Option(
            "--appraisal",
            "-a",
            metavar="FILE",
            help="The appraisal council's form (.xlsx from `ictscore appraisal`, or .csv): "
            "appraised points replace self-scores where given.",
        ),
    ] = None,
    follow_links: Annotated[
        bool, typer.Option(help="Read links to files outside DIR (not followed by default).")
    ] = False,
    jobs: JobsOpt = None,
    issuer: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Who publishes the results, at the head of the page and the workbook "
            "(default: the rubric's issuer).",
        ),
    ] = None,
    decision: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help='The decision the results are attached to, e.g. "Quyết định số 12/QĐ-UBND".',
        ),
    ] = None,
    decision_date: Annotated[
        datetime | None,
        typer.Option(metavar="YYYY-MM-DD", formats=["%Y-%m-%d"], help="The decision's date."),
    ] = None,
) -> None:
    """Validate, total, classify and rank every sheet in DIR (.xlsx, .xlsm, .xls, .ods, .xlsb).

    Example: ictscore grade sheets/ --units examples/units.csv -o results.xlsx -o results.html
    --feedback feedback/
    """
    from ictscore.grading.pipeline import GradeOptions
    from ictscore.reports.export import check_output
    from ictscore.reports.publication import Publication

    outputs = output or []
    with exit_on_error():
        for target in outputs:  # every output checked before any sheet is read
            check_output(target, force, folder)
        _check_feedback(feedback, folder, force)
        if previous is not None and feedback is None:
            raise UsageError("--previous is shown in the feedback: give --feedback DIR too")
        last_year = _load_previous(previous)
        with batch_held():  # through the reports too: they walk every result again
            options = GradeOptions(
                rubric=rubric,
                units=units,
                appraisal=appraisal,
                recursive=recursive,
                follow_links=follow_links,
                jobs=jobs,
            )
            report = graded_folder(folder, options)
            date = decision_date.date() if decision_date else None
            publication = Publication(issuer, decision, date)
            _emit(report, fmt, outputs, force, quiet, lang.value, publication, csv_excel)
        if feedback is not None:
            _write_feedback(report, feedback, force, lang.value, last_year)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)


@app.command(cls=HelpCommand)
def appraisal(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder of filled sheets.")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="FILE", help="The appraisal form to write (.xlsx)."),
    ],
    rubric: RubricOpt = None,
    units: UnitsOpt = None,
    recursive: Annotated[bool, typer.Option(help="Also read subfolders.")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite an existing FILE.")] = False,
    jobs: JobsOpt = None,
) -> None:
    """Write the appraisal council's form for the graded sheets of DIR.

    One row per graded unit and criterion: the self-score beside an empty appraisal cell, a
    not-applicable reason and a note.

    Example: ictscore appraisal sheets/ --out appraisal.xlsx; then
    ictscore grade sheets/ --appraisal appraisal.xlsx
    """
    from ictscore.grading.appraisal_form import build_form
    from ictscore.grading.pipeline import GradeOptions
    from ictscore.reports.export import check_output, save_workbook

    with exit_on_error():
        if out.suffix.lower() != ".xlsx":
            raise UsageError(f"{out}: the appraisal form is an .xlsx file")
        check_output(out, force, folder)
        options = GradeOptions(
            rubric=rubric, units=units, recursive=recursive, jobs=jobs, self_check=True
        )
        report = graded_folder(folder, options)
        save_workbook(build_form(report_rubric(report), report.units), out, overwrite=force)
    from ictscore.reports import terminal as render

    for issue in report.all_issues:
        err_console.print(render.issue_text(issue), highlight=False, soft_wrap=True)
    graded = sum(1 for u in report.units if u.status.value == "graded")
    err_console.print(
        f"Wrote {shown(out)}: {graded} graded unit(s); {render.summary_text(report)}",
        highlight=False,
    )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)


@app.command(cls=HelpCommand)
def check(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="One filled score sheet.")],
    rubric: RubricOpt = None,
    units: UnitsOpt = None,
    lang: LangOpt = Language.en,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = OutputFormat.table,
) -> None:
    """Check one sheet before sending it: its total, band and issues.

    Example: ictscore check 28249-xa-tan-my-chanh.xlsx
    """
    from ictscore.grading.pipeline import GradeOptions, grade_file
    from ictscore.issues import Issue
    from ictscore.reports import terminal as render

    with exit_on_error():
        options = GradeOptions(rubric=rubric, units=units, self_check=True, warn=warn)
        report = grade_file(file, options)
        if isinstance(report, Issue):  # not a score sheet: its one issue is the answer
            err_console.print(render.issue_text(report, lang.value), highlight=False)
            raise typer.Exit(EXIT_ISSUES)
        if fmt is OutputFormat.table:  # the unit's card marks and explains them
            _print_cards(report, lang.value)
            raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)
        _emit(report, fmt, [], False, False, lang.value)
        for ref in report.references:
            note = Msg(PROVISIONAL_NOTE, criterion=terminal_safe(ref.criterion))
            err_console.print(escape(note.render(lang.value)), highlight=False)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)


PROVISIONAL_NOTE = N_(
    "Note: criterion {criterion} is scored against the best unit of the group; alone, this "
    "sheet is its own reference, so its points here are provisional."
)


def _print_cards(report: Report, lang: Lang) -> None:
    """`check`: each unit with a sheet, vertically (its issues included), then the summary."""
    from rich.console import Group

    from ictscore.reports import terminal as render
    from ictscore.reports.unit_view import unit_card

    rubric = report_rubric(report)
    provisional = frozenset(ref.criterion for ref in report.references)
    cards = [
        unit_card(
            rubric,
            u,
            [render.issue_text(i, lang) for i in u.issues],
            provisional,
            terminal=out_console.is_terminal,
        )
        for u in report.units
        if u.status.value != "missing"
    ]
    others = [render.issue_text(i, lang) for i in report.issues]
    print_out(Group(*cards, *others))
    err_console.print(render.summary_text(report, lang), highlight=False)


def _check_feedback(feedback: Path | None, folder: Path, force: bool) -> None:
    """Refuses a feedback folder inside the graded folder, holding feedback already, or where
    ictscore cannot write."""
    from ictscore.reports.files import check_writable

    if feedback is None:
        return
    if feedback.resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            f"{feedback}: the feedback folder is inside the graded folder {folder}; choose another"
        )
    if not force and any(feedback.glob("*-phan-hoi.xlsx")):
        raise ExportError(
            f"{feedback}: holds feedback files already (use --force to overwrite them)"
        )
    check_writable(feedback, folder=True)


def _load_previous(path: Path | None) -> dict[str, Any] | None:
    """Last year's results file, read and checked before any sheet is graded."""
    if path is None:
        return None
    from ictscore.reports.compare import load_results  # only then: it takes a while to import

    return load_results(path)


def _write_feedback(
    report: Report,
    feedback: Path,
    force: bool,
    lang: Lang = "en",
    previous: dict[str, Any] | None = None,
) -> None:
    from ictscore.reports.feedback import last_year, write_feedback

    rubric = report_rubric(report)
    before = None
    if previous is not None:
        titles = {a.id: a.title for a in rubric.criteria}
        before = last_year(previous, titles)
    written = write_feedback(rubric, report, feedback, overwrite=force, previous=before)
    done = Msg(WROTE_FEEDBACK, count=len(written), folder=terminal_safe(str(feedback)))
    err_console.print(escape(done.render(lang)), highlight=False)


def _emit(
    report: Report,
    fmt: OutputFormat,
    outputs: list[Path],
    force: bool,
    quiet: bool,
    lang: Lang = "en",
    publication: Publication | None = None,
    csv_excel: bool = False,
) -> None:
    from ictscore.reports import export
    from ictscore.reports import terminal as render

    rubric = report_rubric(report)
    for target in outputs:
        export.write_report(
            report, rubric, target, overwrite=force, publication=publication, csv_excel=csv_excel
        )
    match fmt:
        case OutputFormat.table:
            if out_console.is_terminal:  # fitted to its width
                tables = render.report_tables(report, rubric, out_console.width)
            else:  # a file or a pipe: every column, plain (below)
                tables = render.report_tables(report, rubric)
            if out_console.is_terminal and len(report.units) <= RICH_ROWS:
                out_console.print(tables)
            else:  # a file or a pipe, or too many rows for rich to lay out quickly
                from ictscore.reports.plain import plain_text

                sys.stdout.write(plain_text(tables))
        case OutputFormat.json:
            export.write_json(report, rubric, sys.stdout)
        case OutputFormat.csv if csv_excel:  # bytes: its BOM and CRLF exactly, on any system
            sys.stdout.flush()
            sys.stdout.buffer.write(export.to_csv(report, rubric, excel=True).encode("utf-8"))
            sys.stdout.buffer.flush()
        case OutputFormat.csv:
            sys.stdout.write(export.to_csv(report, rubric))
        case _:
            assert_never(fmt)
    if not quiet:
        for issue in report.all_issues:
            err_console.print(render.issue_text(issue, lang), highlight=False, soft_wrap=True)
    err_console.print(render.summary_text(report, lang), highlight=False)
    for target in outputs:
        wrote = Msg(WROTE, path=terminal_safe(str(target)))
        err_console.print(escape(wrote.render(lang)), highlight=False)
