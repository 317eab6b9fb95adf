"""`ictscore compare`: two years' results side by side."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ictscore.cli.app import (
    HelpCommand,
    OutputFormat,
    app,
    err_console,
    exit_on_error,
    out_console,
    shown,
)
from ictscore.errors import UsageError

if TYPE_CHECKING:
    pass


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

    with exit_on_error():
        if fmt is OutputFormat.csv:
            raise UsageError(
                "--format csv: compare prints a table or JSON; use --format table or json"
            )
        result = compare_results(
            load_results(last), load_results(this), load_mapping(mapping) if mapping else None
        )
    if fmt is OutputFormat.json:
        data = comparison_dict(result)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out_console.print(render.comparison_tables(result))
    err_console.print(f"{shown(result.headline)} ({shown(result.criteria_note)})", highlight=False)
