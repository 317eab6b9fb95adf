"""The command line's shared parts: the Typer app, help without type placeholders, the two
consoles, the error funnel and exit codes, the options several commands take, progress.

The cli package is the only one importing typer. stdout carries data (tables, JSON, CSV);
stderr carries issues, progress and errors. Exit codes: 0 done and every expected sheet graded;
1 done, but some sheets have errors or are missing; 2 could not run (bad arguments, bad rubric
or roster, unreadable folder, output not writable); 3 a bug in ictscore (one line on stderr; the
traceback with --debug); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM); 141 stdout closed
by its reader before the end (`| head`). The root group's
`invoke` is the funnel (`_guarded`): a refusal that escaped its command, a signal or any other
exception becomes one message and its exit code, and nothing else ever prints a traceback.
Text that came from files or names is shown through `text.terminal_safe`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.exceptions import TyperException

from ictscore.errors import IctscoreError
from ictscore.messages import N_
from ictscore.text import clip, terminal_safe
from ictscore.version import __version__

if TYPE_CHECKING:  # the core is imported lazily, so that --help starts fast
    from ictscore.grading.results import Report
    from ictscore.issues import Finding
    from ictscore.rubric.model import Rubric

EXIT_OK, EXIT_ISSUES, EXIT_ERROR, EXIT_BUG = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_PIPE = 130, 143, 141
"""128 + the signal's number, as a shell reports a process a signal stopped."""
DEBUG_ENV = "ICTSCORE_DEBUG"
RICH_ROWS = 1000
"""Ranked tables up to this many units are laid out by rich on a terminal (colours, wrapping
to its width); larger ones, and any table written to a file or a pipe, as plain text."""

EXIT_CODES = (
    "Exit codes: 0 done, every expected sheet graded, no errors (warnings allowed) · 1 done, "
    "but some sheets have errors or are missing (the report is still printed and written) · "
    "2 could not run (bad arguments, rubric or roster, unreadable folder, output not writable) · "
    "3 a bug in ictscore (run again with --debug for the details) · 130 interrupted (Ctrl-C) · "
    "143 terminated (SIGTERM) · 141 the output pipe closed early (| head)."
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


class HelpCommand(TyperCommand):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _tidy_help(self.get_params(ctx))
        super().format_help(ctx, formatter)


class HelpGroup(TyperGroup):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _tidy_help(self.get_params(ctx))
        super().format_help(ctx, formatter)

    def invoke(self, ctx: click.Context) -> object:
        if ctx.parent is not None:  # a sub-group (rubric): the root's funnel holds it already
            return super().invoke(ctx)
        debug = bool(ctx.params.get("debug")) or bool(os.environ.get(DEBUG_ENV))
        with _guarded(debug):
            return super().invoke(ctx)


class Terminated(BaseException):
    """SIGTERM, raised where the run is (as Ctrl-C raises KeyboardInterrupt), so that `finally`
    blocks run: workers are stopped, temporary files removed. A BaseException, so that no
    `except Exception` swallows it."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextmanager
def _guarded(debug: bool) -> Iterator[None]:
    """The funnel every command runs in: exit codes for what escaped the command (see the module
    docstring), SIGTERM turned into `Terminated` for the run's duration."""
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        yield
    except (typer.Exit, typer.Abort, TyperException):
        raise  # typer's own: exit codes and usage errors
    except IctscoreError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_ERROR) from exc
    except KeyboardInterrupt as exc:
        _stopped("interrupted", debug)
        raise typer.Exit(EXIT_INTERRUPTED) from exc
    except Terminated as exc:
        _stopped("terminated (SIGTERM)", debug)
        raise typer.Exit(EXIT_TERMINATED) from exc
    except BrokenPipeError as exc:  # stdout closed by its reader (`| head`): quietly, as SIGPIPE
        _silence_stdout()
        raise typer.Exit(EXIT_PIPE) from exc
    except Exception as exc:  # noqa: BLE001 - the one place a bug is caught: said as a bug
        if debug:
            traceback.print_exception(exc, file=sys.stderr)
        what = terminal_safe(clip(str(exc).split("\n", 1)[0], 300))
        err_console.print(
            escape(
                f"ictscore: internal error ({type(exc).__name__}"
                f"{': ' + what if what else ''}). This is a bug; run again with --debug for "
                "the details."
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_BUG) from exc
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stopped(how: str, debug: bool) -> None:
    if debug:
        traceback.print_exc(file=sys.stderr)
    err_console.print(f"ictscore: {how}", highlight=False)


app = typer.Typer(
    name="ictscore",
    help="Score sheets for ICT-application emulation competitions: rubric → blank sheets "
    "→ graded, classified and ranked results.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # a traceback only with --debug, plain (_guarded)
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings=HELP_OPTIONS,
    cls=HelpGroup,
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
def exit_on_error() -> Iterator[None]:
    try:
        yield
    except IctscoreError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_ERROR) from exc


def print_error(exc: IctscoreError) -> None:
    """`Error: …` on stderr: each line of the message shown as text (a name holding ESC or a
    newline neither acts on the terminal nor forges a line)."""
    lines = [terminal_safe(line) for line in exc.lines()]
    err_console.print(f"[red]Error:[/] {escape(chr(10).join(lines))}", highlight=False)


def shown(text: object) -> str:
    """Text from a file or a name, as one line of a terminal shows it (for rich: escaped)."""
    return escape(terminal_safe(str(text)))


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again (the Python
    documentation's recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's captured stdout)
        pass


def warn(finding: Finding) -> None:
    err_console.print(f"[yellow]Rubric[/] {shown(finding)}", highlight=False)


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
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help=f"On a bug (exit 3), print the traceback (or set {DEBUG_ENV}=1).",
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


def report_rubric(report: Report) -> Rubric:
    assert report.rubric is not None  # the pipeline's reports carry their rubric
    return report.rubric


def print_out(renderable: RenderableType) -> None:
    """On a terminal, laid out by rich; to a file or a pipe, as plain aligned text."""
    if out_console.is_terminal:
        out_console.print(renderable)
    else:
        from ictscore.reports.plain import plain_text

        sys.stdout.write(plain_text(renderable))


WROTE = N_("Wrote {path}")
WROTE_FEEDBACK = N_("Wrote {count} feedback workbook(s) to {folder}")


@contextmanager
def progress_bar(what: str) -> Iterator[Callable[[int, int], None]]:
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
