"""`ictscore template`: a blank, protected score sheet per unit of the roster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ictscore.cli.app import (
    HelpCommand,
    app,
    err_console,
    exit_on_error,
    progress_bar,
    shown,
    warn,
)
from ictscore.errors import ExportError, UsageError

if TYPE_CHECKING:
    from ictscore.roster import Roster, Unit


@app.command(cls=HelpCommand)
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
    from ictscore.reports.files import check_writable
    from ictscore.roster import sheet_file_name
    from ictscore.rubric.load import load_rubric
    from ictscore.sheets.roster_book import load_units
    from ictscore.sheets.template import build_template

    with exit_on_error():
        rb = load_rubric(rubric, warn)
        roster = load_units(units)
        roster.check_groups(g.id for g in rb.groups)
        check_writable(out, folder=True)
        targets = [(u, out / sheet_file_name(u)) for u in _chosen(roster, unit)]
        existing = [str(p) for _, p in targets if p.exists()]
        if existing and not force:
            raise ExportError(
                f"{len(existing)} file(s) already exist, e.g. {existing[0]} "
                "(use --force to overwrite)"
            )
        with progress_bar("Writing sheets") as progress:
            progress(0, len(targets))
            for done, (u, path) in enumerate(targets, start=1):
                save_workbook(build_template(rb, u, password), path, overwrite=force)
                progress(done, len(targets))
    err_console.print(f"Wrote {len(targets)} sheet(s) to {shown(out)}", highlight=False)


def _chosen(roster: Roster, codes: list[str] | None) -> list[Unit]:
    """The roster's units named by `--unit` (all of them without it)."""
    if not codes:
        return list(roster.units)
    unknown = [c for c in codes if roster.get(c) is None]
    if unknown:
        raise UsageError(f"{roster.source}: no unit with code {', '.join(unknown)}")
    return [u for u in roster.units if u.code in codes]
