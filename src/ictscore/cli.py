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
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, assert_never

import typer
from rich.console import Console
from rich.markup import escape

from ictscore import __version__
from ictscore.errors import IctscoreError

if TYPE_CHECKING:  # the core is imported lazily, so that --help starts fast
    from ictscore.results import Report
    from ictscore.rubric import Rubric

EXIT_OK, EXIT_ISSUES, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="ictscore",
    help="Score sheets for ICT-application emulation competitions: rubric → blank sheets "
    "→ graded, classified and ranked results.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
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


@app.command()
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
    from ictscore.export import save_workbook
    from ictscore.rubric import load_rubric
    from ictscore.template import build_template
    from ictscore.units import load_units, sheet_file_name

    with _exit_on_error():
        rb = load_rubric(rubric)
        roster = load_units(units)
        roster.check_groups(g.id for g in rb.groups)
        chosen = list(roster.units)
        if unit:
            unknown = [c for c in unit if roster.get(c) is None]
            if unknown:
                raise IctscoreError(f"{units}: no unit with code {', '.join(unknown)}")
            chosen = [u for u in roster.units if u.code in unit]
        targets = [(u, out / sheet_file_name(u)) for u in chosen]
        existing = [str(p) for _, p in targets if p.exists()]
        if existing and not force:
            raise IctscoreError(
                f"{len(existing)} file(s) already exist, e.g. {existing[0]} "
                "(use --force to overwrite)"
            )
        with _progress("Writing sheets", len(targets)) as advance:
            for u, path in targets:
                save_workbook(build_template(rb, u, password), path, overwrite=force)
                advance()
    err_console.print(f"Wrote {len(targets)} sheet(s) to {escape(str(out))}", highlight=False)


@app.command()
def grade(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder of filled sheets.")],
    rubric: RubricOpt = None,
    units: UnitsOpt = None,
    recursive: Annotated[bool, typer.Option(help="Also read subfolders.")] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Also write the results to FILE (.json, .csv or .xlsx), atomically.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing --output file.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not list issues on stderr.")
    ] = False,
) -> None:
    """Validate, total, classify and rank every sheet in DIR (.xlsx, .xlsm).

    Example: ictscore grade sheets/ --units examples/units.csv --output results.xlsx
    """
    from ictscore.batch import find_sheets, grade_sheets, read_sheets, resolve_rubric
    from ictscore.export import check_output
    from ictscore.units import load_units

    with _exit_on_error():
        if output is not None:
            check_output(output, force, folder)
        paths, skipped = find_sheets(folder, recursive)
        roster = load_units(units) if units else None
        if not paths and roster is None:
            others = "; ".join(str(i) for i in skipped[:3]) + ("; …" if len(skipped) > 3 else "")
            raise IctscoreError(
                f"{folder}: no .xlsx or .xlsm score sheets found"
                + (f" (other files: {others})" if skipped else "")
            )
        with _progress("Reading sheets", len(paths)) as advance:
            sheets = read_sheets(paths, advance)
        rb = resolve_rubric(rubric, sheets, folder)
        if roster is not None:
            roster.check_groups(g.id for g in rb.groups)
        report = grade_sheets(rb, sheets, roster, skipped)
        _emit(report, rb, fmt, output, force, quiet)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="One filled score sheet.")],
    rubric: RubricOpt = None,
    units: UnitsOpt = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = OutputFormat.table,
) -> None:
    """Check one sheet before sending it: its total, band and issues.

    Example: ictscore check 28249-xa-tan-my-chanh.xlsx
    """
    from ictscore import render
    from ictscore.batch import grade_sheets, read_sheets, resolve_rubric
    from ictscore.results import Issue
    from ictscore.units import Roster, load_units

    with _exit_on_error():
        if not file.is_file():
            raise IctscoreError(f"{file}: no such file")
        (sheet,) = read_sheets([file])
        if isinstance(sheet, Issue):  # not a score sheet at all: its one issue is the answer
            err_console.print(render.issue_text(sheet), highlight=False)
            raise typer.Exit(EXIT_ISSUES)
        rb = resolve_rubric(rubric, [sheet], file.parent)
        roster = None
        if units:  # the sheet's unit alone: the others are not missing from a one-sheet check
            full = load_units(units)
            listed = full.get(sheet.meta.get("unit_code", ""))
            roster = Roster((listed,) if listed else (), full.source)
        report = grade_sheets(rb, [sheet], roster)
        _emit(report, rb, fmt, None, False, False)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ISSUES)


def _emit(
    report: Report, rubric: Rubric, fmt: OutputFormat, output: Path | None, force: bool, quiet: bool
) -> None:
    from ictscore import export, render

    if output is not None:
        export.write_report(report, rubric, output, overwrite=force)
    match fmt:
        case OutputFormat.table:
            out_console.print(render.report_tables(report, rubric))
        case OutputFormat.json:
            sys.stdout.write(export.to_json(report, rubric))
        case OutputFormat.csv:
            sys.stdout.write(export.to_csv(report, rubric))
        case _:
            assert_never(fmt)
    if not quiet:
        for issue in report.all_issues:
            err_console.print(render.issue_text(issue), highlight=False, soft_wrap=True)
    err_console.print(render.summary_text(report), highlight=False)
    if output is not None:
        err_console.print(f"Wrote {escape(str(output))}", highlight=False)


@contextmanager
def _progress(what: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for batches; silent when stderr is not a terminal."""
    if total < 2 or not err_console.is_terminal:
        yield _noop
        return
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task(what, total=total)
        yield lambda: progress.advance(task)


def _noop() -> None:
    return None


def main() -> None:
    app()
