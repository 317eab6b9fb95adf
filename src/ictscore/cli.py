"""The command-line interface: options → core call → render/write → exit code.

The only module importing typer. stdout carries data (tables, JSON, CSV); stderr carries issues,
progress and errors. Exit codes: 0 done and every expected sheet graded; 1 done, but some sheets
have errors or are missing; 2 could not run (bad arguments, bad rubric or roster, unreadable
folder, output not writable).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, assert_never

import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from ictscore.errors import ExportError, IctscoreError, UsageError
from ictscore.issues import Severity
from ictscore.messages import N_, Msg
from ictscore.version import __version__

if TYPE_CHECKING:  # the core is imported lazily, so that --help starts fast
    from ictscore.grading.results import Report
    from ictscore.i18n import Lang
    from ictscore.issues import Finding
    from ictscore.reports.publication import Publication
    from ictscore.roster import Roster, Unit
    from ictscore.rubric.model import Rubric

EXIT_OK, EXIT_ISSUES, EXIT_ERROR = 0, 1, 2
RICH_ROWS = 1000
"""Ranked tables up to this many units are laid out by rich on a terminal (colours, wrapping
to its width); larger ones, and any table written to a file or a pipe, as plain text."""

EXIT_CODES = (
    "Exit codes: 0 done, every expected sheet graded, no errors (warnings allowed) · 1 done, "
    "but some sheets have errors or are missing (the report is still printed and written) · "
    "2 could not run (bad arguments, rubric or roster, unreadable folder, output not writable)."
)
HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


def _tidy_help(params: list[click.Parameter]) -> None:
    """Help without type placeholders: a flag shows none (nor its default, "no-force"), a
    choice its values (table|json|csv), an argument its name only (DIR), any other value a
    name (PASSWORD)."""
    for param in params:
        if isinstance(param, TyperArgument):
            param.display_type_rich = _no_type  # type: ignore[method-assign]
        elif isinstance(param, TyperOption) and param.metavar is None:
            if param.is_flag:
                param.metavar = ""
                param.show_default = False
            elif param.type_descriptor.is_choice:
                param.metavar = "|".join(str(c) for c in param.type_descriptor.choices or ())
            else:  # a value without a metavar: its name (--password PASSWORD)
                param.metavar = (param.name or "value").upper()


def _no_type(ctx: click.Context) -> None:
    return None


class _Command(TyperCommand):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _tidy_help(self.get_params(ctx))
        super().format_help(ctx, formatter)


class _Group(TyperGroup):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _tidy_help(self.get_params(ctx))
        super().format_help(ctx, formatter)


app = typer.Typer(
    name="ictscore",
    help="Score sheets for ICT-application emulation competitions: rubric → blank sheets "
    "→ graded, classified and ranked results.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings=HELP_OPTIONS,
    cls=_Group,
)
out_console = Console(soft_wrap=False)
if not out_console.is_terminal:  # piped or redirected: wide enough for the ranked tables
    out_console = Console(soft_wrap=False, width=160)
err_console = Console(stderr=True, soft_wrap=True)  # messages never wrap mid-path


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@contextmanager
def _exit_on_error() -> Iterator[None]:
    try:
        yield
    except IctscoreError as exc:
        err_console.print(f"[red]Error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc


def _warn(finding: Finding) -> None:
    err_console.print(f"[yellow]Rubric[/] {escape(str(finding))}", highlight=False)


def _version(value: bool) -> None:
    if value:
        print(f"ictscore {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Score sheets for ICT-application emulation competitions."""


RubricOpt = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        metavar="RUBRIC",
        help="Rubric YAML file, or the id of a bundled rubric (tiengiang-2020). "
        "Default: the rubric recorded in the sheets, if bundled or saved as rubric.yaml "
        "beside them.",
    ),
]


class Language(StrEnum):
    en = "en"
    vi = "vi"


LangOpt = Annotated[
    Language,
    typer.Option(
        "--lang",
        help="Language of the issues and summary in the printed report (vi: Vietnamese, each "
        "issue explained in plain words before its precise message).",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        metavar="N",
        help="Worker processes that read and grade the sheets (default: one per core). The "
        "results are the same, in the same order, whatever N is.",
        show_default=False,
    ),
]
UnitsOpt = Annotated[
    Path | None,
    typer.Option(
        "--units",
        "-u",
        metavar="CSV",
        help="Roster of units (code,name,group,parent). "
        "Units without a sheet are reported missing.",
    ),
]


@app.command(cls=_Command)
def template(
    rubric: Annotated[
        str,
        typer.Option(
            "--rubric", "-r", metavar="RUBRIC", help="Rubric YAML file or bundled rubric id."
        ),
    ],
    units: Annotated[
        Path,
        typer.Option(
            "--units", "-u", metavar="CSV", help="Roster of units (code,name,group,parent)."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Folder to write the sheets into.")
    ],
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", metavar="CODE", help="Only this unit (repeatable)."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Protect sheets and structure with this password (default: none)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Write one blank, protected score sheet (.xlsx) per unit of the roster.

    Example: ictscore template --rubric tiengiang-2020 --units examples/units.csv --out sheets/
    """
    from ictscore.reports.export import save_workbook
    from ictscore.roster import load_units, sheet_file_name
    from ictscore.rubric.load import load_rubric
    from ictscore.sheets.template import build_template

    with _exit_on_error():
        rb = load_rubric(rubric, _warn)
        roster = load_units(units)
        roster.check_groups(g.id for g in rb.groups)
        targets = [(u, out / sheet_file_name(u)) for u in _chosen(roster, unit)]
        existing = [str(p) for _, p in targets if p.exists()]
        if existing and not force:
            raise ExportError(
                f"{len(existing)} file(s) already exist, e.g. {existing[0]} "
                "(use --force to overwrite)"
            )
        with _progress_bar("Writing sheets") as progress:
            progress(0, len(targets))
            for done, (u, path) in enumerate(targets, start=1):
                save_workbook(build_template(rb, u, password), path, overwrite=force)
                progress(done, len(targets))
    err_console.print(f"Wrote {len(targets)} sheet(s) to {escape(str(out))}", highlight=False)


def _chosen(roster: Roster, codes: list[str] | None) -> list[Unit]:
    """The roster's units named by `--unit` (all of them without it)."""
    if not codes:
        return list(roster.units)
    unknown = [c for c in codes if roster.get(c) is None]
    if unknown:
        raise UsageError(f"{roster.source}: no unit with code {', '.join(unknown)}")
    return [u for u in roster.units if u.code in codes]


@app.command(cls=_Command)
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
            help="Also write the results to FILE (.json, .csv, .xlsx, or .html: a web page), "
            "atomically; repeatable.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Overwrite existing --output and --feedback files.")
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
    from ictscore.grading.pipeline import GradeOptions, grade_folder
    from ictscore.reports.export import check_output
    from ictscore.reports.publication import Publication

    outputs = output or []
    with _exit_on_error():
        for target in outputs:
            check_output(target, force, folder)
        _check_feedback(feedback, folder, force)
        with _progress_bar("Grading sheets") as progress:
            options = GradeOptions(
                rubric=rubric,
                units=units,
                appraisal=appraisal,
                recursive=recursive,
                follow_links=follow_links,
                jobs=jobs,
                progress=progress,
                warn=_warn,
            )
            report = grade_folder(folder, options)
        publication = Publication(issuer, decision, decision_date.date() if decision_date else None)
        _emit(report, fmt, outputs, force, quiet, lang.value, publication)
        if feedback is not None:
            _write_feedback(report, feedback, force, lang.value)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)


@app.command(cls=_Command)
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
    from ictscore.grading.pipeline import GradeOptions, grade_folder
    from ictscore.reports.export import check_output, save_workbook

    with _exit_on_error():
        if out.suffix.lower() != ".xlsx":
            raise UsageError(f"{out}: the appraisal form is an .xlsx file")
        check_output(out, force, folder)
        with _progress_bar("Grading sheets") as progress:
            options = GradeOptions(
                rubric=rubric,
                units=units,
                recursive=recursive,
                jobs=jobs,
                self_check=True,
                progress=progress,
                warn=_warn,
            )
            report = grade_folder(folder, options)
        save_workbook(build_form(_rubric(report), report.units), out, overwrite=force)
    from ictscore.reports import terminal as render

    for issue in report.all_issues:
        err_console.print(render.issue_text(issue), highlight=False, soft_wrap=True)
    graded = sum(1 for u in report.units if u.status.value == "graded")
    err_console.print(
        f"Wrote {escape(str(out))}: {graded} graded unit(s); {render.summary_text(report)}",
        highlight=False,
    )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)


@app.command(cls=_Command)
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

    with _exit_on_error():
        options = GradeOptions(rubric=rubric, units=units, self_check=True, warn=_warn)
        report = grade_file(file, options)
        if isinstance(report, Issue):  # not a score sheet: its one issue is the answer
            err_console.print(render.issue_text(report, lang.value), highlight=False)
            raise typer.Exit(EXIT_ISSUES)
        if fmt is OutputFormat.table:  # the unit's card marks and explains them
            _print_cards(report, lang.value)
            raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)
        _emit(report, fmt, [], False, False, lang.value)
        for ref in report.references:
            note = Msg(PROVISIONAL_NOTE, criterion=ref.criterion)
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

    rubric = _rubric(report)
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
    _print_out(Group(*cards, *others))
    err_console.print(render.summary_text(report, lang), highlight=False)


def _print_out(renderable: RenderableType) -> None:
    """On a terminal, laid out by rich; to a file or a pipe, as plain aligned text."""
    if out_console.is_terminal:
        out_console.print(renderable)
    else:
        from ictscore.reports.plain import plain_text

        sys.stdout.write(plain_text(renderable))


@app.command(cls=_Command)
def compare(
    last: Annotated[Path, typer.Argument(metavar="LAST", help="Last year's results (.json).")],
    this: Annotated[Path, typer.Argument(metavar="THIS", help="This year's results (.json).")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            "-m",
            metavar="FILE",
            help="Old criterion id → new id (.csv with columns old,new, or .yaml), when the "
            "rubric changed between the years.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or json (csv: not offered).")
    ] = OutputFormat.table,
) -> None:
    """Compare two years' results (the JSON of `grade --output x.json`).

    The province's mean first, then each group, each unit's total, band and rank (units new,
    gone or not graded), and each criterion's mean.

    Example: ictscore compare ket-qua-2019.json ket-qua-2020.json
    """
    import json

    from ictscore.reports import terminal as render
    from ictscore.reports.compare import compare as compare_results
    from ictscore.reports.compare import comparison_dict, load_mapping, load_results

    with _exit_on_error():
        if fmt is OutputFormat.csv:
            raise UsageError("compare prints a table or JSON, not CSV")
        result = compare_results(
            load_results(last), load_results(this), load_mapping(mapping) if mapping else None
        )
    if fmt is OutputFormat.json:
        data = comparison_dict(result)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out_console.print(render.comparison_tables(result))
    err_console.print(
        f"{escape(result.headline)} ({escape(result.criteria_note)})", highlight=False
    )


rubric_app = typer.Typer(
    help="Check or show a rubric (YAML file or bundled id).",
    no_args_is_help=True,
    context_settings=HELP_OPTIONS,
    cls=_Group,
)
app.add_typer(rubric_app, name="rubric")


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


@rubric_app.command("check", cls=_Command)
def rubric_check(
    rubric: Annotated[str, typer.Argument(metavar="RUBRIC", help="Rubric YAML file or id.")],
    fmt: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="text, or json for scripts.")
    ] = CheckFormat.text,
    strict: Annotated[bool, typer.Option(help="Warnings fail the check too.")] = False,
) -> None:
    """Lint a rubric: every error and warning with file, line and YAML path.

    Exit 0: usable (warnings allowed unless --strict); 1: errors found; 2: cannot read it.
    Example: ictscore rubric check my-rubric.yaml
    """
    findings = _rubric_findings(rubric)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if fmt is CheckFormat.json:
        _print_findings_json(rubric, findings, failed)
    else:
        _print_findings(rubric, findings, failed)
    raise typer.Exit(EXIT_ISSUES if failed else EXIT_OK)


def _rubric_findings(rubric: str) -> list[Finding]:
    """Every finding of the rubric check; a file that is not YAML is one located error. Exits
    (code 2) when there is no such file."""
    from ictscore.errors import RubricError
    from ictscore.issues import Finding
    from ictscore.rubric.load import check_rubric

    try:
        return list(check_rubric(rubric).findings)
    except RubricError as exc:
        if not Path(rubric).is_file():
            err_console.print(f"[red]Error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_ERROR) from exc
        # not YAML: one located error, shown as a finding of the whole document
        return [
            Finding(f.severity, rubric, f.line or 1, f.path or "(document)", f.message)
            for f in exc.findings
        ]


def _print_findings_json(rubric: str, findings: list[Finding], failed: bool) -> None:
    import json

    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    payload = {
        "rubric": rubric,
        "ok": not failed,
        "errors": errors,
        "warnings": len(findings) - errors,
        "findings": [
            {
                "severity": f.severity,
                "file": f.source,
                "line": f.line,
                "path": f.path,
                "message": f.message,
            }
            for f in findings
        ],
    }
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _print_findings(rubric: str, findings: list[Finding], failed: bool) -> None:
    for f in findings:
        style = "red" if f.severity is Severity.ERROR else "yellow"
        out_console.print(
            f"{escape(f.source)}:{f.line}: [{style}]{f.severity}[/]: "
            f"{escape(f.path)}: {escape(f.message)}",
            highlight=False,
            soft_wrap=True,
        )
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    verdict = (
        "[red]not usable[/]"
        if errors
        else "[red]usable, but --strict fails on warnings[/]"
        if failed
        else "[green]usable[/]"
    )
    err_console.print(
        f"{escape(rubric)}: {errors} error(s), {len(findings) - errors} warning(s): {verdict}",
        highlight=False,
    )


@rubric_app.command("show", cls=_Command)
def rubric_show(
    rubric: Annotated[str, typer.Argument(metavar="RUBRIC", help="Rubric YAML file or id.")],
    group: Annotated[
        str | None, typer.Option("--group", "-g", metavar="GROUP", help="Only this group.")
    ] = None,
    lang: Annotated[
        Language,
        typer.Option(
            "--lang",
            help="Language of the headings and of how each criterion is scored (the rubric's "
            "titles stay as written).",
        ),
    ] = Language.vi,
) -> None:
    """Print the criteria tree with each group's maxima and how each criterion is scored.

    Example: ictscore rubric show tiengiang-2020 --group xa
    """
    from ictscore.reports.rubric_view import rubric_table
    from ictscore.rubric.load import load_rubric

    with _exit_on_error():
        rb = load_rubric(rubric, _warn)
        if group is not None and rb.group(group) is None:
            known = ", ".join(g.id for g in rb.groups)
            raise UsageError(f"{rubric}: no group {group!r} (groups: {known})")
    width = out_console.width if out_console.is_terminal else None  # piped: 160, as it was
    out_console.print(rubric_table(rb, group, lang.value, width))


def _rubric(report: Report) -> Rubric:
    assert report.rubric is not None  # the pipeline's reports carry their rubric
    return report.rubric


def _check_feedback(feedback: Path | None, folder: Path, force: bool) -> None:
    """Refuses a feedback folder inside the graded folder, or holding feedback already."""
    if feedback is not None and feedback.resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            f"{feedback}: the feedback folder is inside the graded folder {folder}; choose another"
        )
    if feedback is not None and not force and any(feedback.glob("*-phan-hoi.xlsx")):
        raise ExportError(
            f"{feedback}: holds feedback files already (use --force to overwrite them)"
        )


def _write_feedback(report: Report, feedback: Path, force: bool, lang: Lang = "en") -> None:
    from ictscore.reports.feedback import write_feedback

    written = write_feedback(_rubric(report), report, feedback, overwrite=force)
    done = Msg(WROTE_FEEDBACK, count=len(written), folder=str(feedback))
    err_console.print(escape(done.render(lang)), highlight=False)


WROTE = N_("Wrote {path}")
WROTE_FEEDBACK = N_("Wrote {count} feedback workbook(s) to {folder}")


def _emit(
    report: Report,
    fmt: OutputFormat,
    outputs: list[Path],
    force: bool,
    quiet: bool,
    lang: Lang = "en",
    publication: Publication | None = None,
) -> None:
    from ictscore.reports import export
    from ictscore.reports import terminal as render

    rubric = _rubric(report)
    for target in outputs:
        export.write_report(report, rubric, target, overwrite=force, publication=publication)
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
        case OutputFormat.csv:
            sys.stdout.write(export.to_csv(report, rubric))
        case _:
            assert_never(fmt)
    if not quiet:
        for issue in report.all_issues:
            err_console.print(render.issue_text(issue, lang), highlight=False, soft_wrap=True)
    err_console.print(render.summary_text(report, lang), highlight=False)
    for target in outputs:
        err_console.print(escape(Msg(WROTE, path=str(target)).render(lang)), highlight=False)


@contextmanager
def _progress_bar(what: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, told (done, total) (by the pipeline, as sheets are graded), for
    batches of two or more; silent when stderr is not a terminal."""
    if not err_console.is_terminal:
        yield _silent
        return
    from rich.progress import Progress, TaskID

    with Progress(console=err_console, transient=True) as progress:
        task: TaskID | None = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total < 2:
                return
            if task is None:
                task = progress.add_task(what, total=total)
            progress.update(task, completed=done)

        yield update


def _silent(done: int, total: int) -> None:
    return None


def main() -> None:
    app()
