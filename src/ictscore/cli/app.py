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
Around it, `_in_our_words` says a bad option as ictscore says things ("--jobs: must be 1 or
more, found 0"), not in typer's and pydantic's words; still a usage error (usage line, exit 2).
Text that came from files or names is shown through `text.terminal_safe`.
"""

from __future__ import annotations

import difflib
import inspect
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
from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.exceptions import TyperException

from ictscore.errors import IctscoreError
from ictscore.messages import N_, Msg
from ictscore.text import clip, terminal_safe
from ictscore.version import __version__

if TYPE_CHECKING:  # the core is imported lazily, so that --help starts fast
    from ictscore.grading.pipeline import GradeOptions
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


def _reflowed(text: str | None) -> str | None:
    """A docstring's paragraphs each as one line, for rich to fill to the terminal's width
    (typer keeps the line breaks written in the source: at 80 columns every source line
    would end early, a word or two on a line of its own)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)


class HelpCommand(TyperCommand):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _tidy_help(self.get_params(ctx))
        self.help = _reflowed(self.help)
        super().format_help(ctx, formatter)


class HelpGroup(TyperGroup):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _tidy_help(self.get_params(ctx))
        self.help = _reflowed(self.help)
        super().format_help(ctx, formatter)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: object,
    ) -> click.Context:
        with _in_our_words():  # the root's own options (ictscore --bogus)
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> object:
        if ctx.parent is not None:  # a sub-group (rubric): the root's funnel holds it already
            return super().invoke(ctx)
        debug = bool(ctx.params.get("debug")) or bool(os.environ.get(DEBUG_ENV))
        with _in_our_words(), _guarded(debug):  # the commands' options are parsed in here
            return super().invoke(ctx)


BAD_CHOICE = N_("{option}: {value} is not one of {choices}")
BAD_DATE = N_("{option}: {value} is not a date ({form})")
BAD_WHOLE = N_("{option}: {value} is not a whole number")
BAD_NUMBER = N_("{option}: {value} is not a number")
TOO_SMALL = N_("{option}: must be {limit} or more, found {found}")
TOO_LARGE = N_("{option}: must be {limit} or less, found {found}")
BAD_VALUE = N_("{option}: {reason}")
NO_SUCH_OPTION = N_("No such option: {option}")
NO_SUCH_OPTION_CLOSE = N_("No such option: {option} (did you mean {close}?)")
_NOT_WHOLE = frozenset({"int_parsing", "int_from_float", "int_type"})
_NOT_NUMBER = frozenset({"float_parsing", "float_type", "decimal_parsing", "finite_number"})
_STRFTIME = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "hh", "%M": "mm", "%S": "ss"}


@contextmanager
def _in_our_words() -> Iterator[None]:
    """A bad option said in ictscore's words (typer checks values with pydantic and says them
    in its words: "Invalid value for '--jobs' / '-j': Input should be greater than or equal to
    1"): "--jobs: must be 1 or more, found 0". Still a usage error: its usage line, exit 2. An
    unknown option keeps click's suggestion only when it is close to what was typed."""
    try:
        yield
    except MissingParameter:
        raise  # "Missing option '--out' / '-o'.": plain already
    except BadParameter as exc:
        raise UsageError(_bad_value(exc), exc.ctx) from exc
    except NoSuchOption as exc:
        if not exc.message.startswith("No such option"):
            raise
        raise UsageError(_no_such_option(exc), exc.ctx) from exc


def _bad_value(exc: BadParameter) -> Msg:
    param = exc.param
    option = _option_name(param)
    errors = getattr(exc.__cause__, "errors", None)
    error: dict[str, object] = errors()[0] if callable(errors) and errors() else {}
    kind = str(error.get("type", ""))
    found = terminal_safe(clip(str(error.get("input", "")), 60))
    value = f"'{found}'"
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and descriptor.is_choice and kind == "value_error":
        choices = ", ".join(str(c) for c in descriptor.choices or ())
        return Msg(BAD_CHOICE, option=option, value=value, choices=choices)
    if descriptor is not None and descriptor.is_datetime and kind == "value_error":
        formats = descriptor.parameter_info.formats or ["%Y-%m-%d"]
        form = " or ".join(_readable_format(f) for f in formats)
        return Msg(BAD_DATE, option=option, value=value, form=form)
    if kind in _NOT_WHOLE:
        return Msg(BAD_WHOLE, option=option, value=value)
    if kind in _NOT_NUMBER:
        return Msg(BAD_NUMBER, option=option, value=value)
    context = error.get("ctx")
    if kind in ("greater_than_equal", "less_than_equal") and isinstance(context, dict):
        limit = str(context.get("ge" if kind == "greater_than_equal" else "le"))
        template = TOO_SMALL if kind == "greater_than_equal" else TOO_LARGE
        return Msg(template, option=option, limit=limit, found=found)
    reason = exc.message.removeprefix("Value error, ")
    return Msg(BAD_VALUE, option=option, reason=reason)


def _option_name(param: object) -> str:
    """An option by its long name (--jobs, whichever of -j and --jobs was typed); an argument
    by its metavar (DIR)."""
    if isinstance(param, TyperOption):
        long_names = [o for o in param.opts if o.startswith("--")]
        return max(long_names or param.opts, key=len)
    if isinstance(param, TyperArgument) and param.metavar:
        return str(param.metavar)
    return str(getattr(param, "name", None) or "value").upper()


def _readable_format(form: str) -> str:
    for code, shown_as in _STRFTIME.items():
        form = form.replace(code, shown_as)
    return form


def _no_such_option(exc: NoSuchOption) -> Msg:
    typed = terminal_safe(clip(exc.option_name, 60))
    names = {p.lstrip("-"): p for p in exc.possibilities or ()}
    close = difflib.get_close_matches(typed.lstrip("-"), list(names), n=1, cutoff=0.75)
    if not close:
        return Msg(NO_SUCH_OPTION, option=typed)
    return Msg(NO_SUCH_OPTION_CLOSE, option=typed, close=names[close[0]])


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


def shown(text: object) -> str:  # as reports.labels.markup_safe, without importing the core
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
def batch_held() -> Iterator[None]:
    """While a batch's results are gathered, ranked and reported: Python's cycle collector
    paused. The parent process holds thousands of results (tens of thousands of objects each
    hundred sheets, none in a cycle), and each collection walked them all again: at 10,000
    sheets that was half a second of this process's time, taken from the workers' cores.
    Worker processes collect as usual (workers._start); the collector is back on after, before
    any feedback workbook is written (openpyxl's objects do hold cycles)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def graded_folder(folder: Path, options: GradeOptions) -> Report:
    """`grade_folder` as the commands run it: a progress bar on stderr, the rubric's warnings
    said (`warn`), and the cycle collector paused while the results are gathered
    (`batch_held`; a command that goes on to report them holds it longer)."""
    import dataclasses

    from ictscore.grading.pipeline import grade_folder

    with batch_held(), progress_bar("Grading sheets") as progress:
        return grade_folder(folder, dataclasses.replace(options, progress=progress, warn=warn))


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
