"""`ictscore compare`: two years' results side by side, and the written summary."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, assert_never

import typer

from ictscore.cli.app import (
    RICH_ROWS,
    HelpCommand,
    OutputFormat,
    app,
    exit_on_error,
    out_console,
)
from ictscore.errors import UsageError

if TYPE_CHECKING:
    from rich.console import RenderableType

_TRAILING = re.compile(r"(?: |\x1b\[[0-9;]*m)+$")
"""Spaces at the end of a line, among the colour codes that may close it."""


@app.command(cls=HelpCommand)
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
        OutputFormat,
        typer.Option(
            "--format", "-f", help="table (with the written summary), json, or csv (a row a unit)."
        ),
    ] = OutputFormat.table,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            "-s",
            help="Print only the written summary (Vietnamese paragraphs to paste into a report).",
        ),
    ] = False,
) -> None:
    """Compare two years' results (the JSON of `grade --output x.json`).

    The province's mean first, then each group's mean, a table per group (each unit's total,
    band and rank both years; units new, gone or not graded), each criterion's mean, and a
    written summary in Vietnamese.

    Example: ictscore compare ket-qua-2019.json ket-qua-2020.json --summary > nhan-xet.txt
    """
    from ictscore.reports import compare_view as view
    from ictscore.reports.compare import compare as compare_results
    from ictscore.reports.compare import load_mapping, load_results
    from ictscore.reports.compare_text import summary_text

    with exit_on_error():
        if summary and fmt is not OutputFormat.table:
            raise UsageError(f"--summary prints the text alone: leave out --format {fmt.value}")
        result = compare_results(
            load_results(last), load_results(this), load_mapping(mapping) if mapping else None
        )
    if summary:
        sys.stdout.write(summary_text(result))
        return
    match fmt:
        case OutputFormat.table if out_console.is_terminal and len(result.units) <= RICH_ROWS:
            print_trimmed(view.comparison_tables(result, out_console.width))  # fitted
        case OutputFormat.table:  # a file or a pipe (or too many rows for rich): plain
            from ictscore.reports.plain import plain_text

            sys.stdout.write(plain_text(view.comparison_tables(result)))
        case OutputFormat.json:
            data = view.comparison_dict(result)
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        case OutputFormat.csv:
            sys.stdout.write(view.to_csv(result))
        case _:
            assert_never(fmt)


def print_trimmed(renderable: RenderableType) -> None:
    """`renderable` laid out by rich for the terminal, without the spaces rich pads lines with
    (they would be copied with the text)."""
    with out_console.capture() as captured:
        out_console.print(renderable)
    for line in captured.get().splitlines():
        end = _TRAILING.search(line)
        if end is not None:
            line = line[: end.start()] + ("\x1b[0m" if "\x1b" in end.group() else "")
        sys.stdout.write(line + "\n")
