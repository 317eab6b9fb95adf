"""`ictscore rubric check` and `ictscore rubric show`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ictscore.cli.app import (
    EXIT_ERROR,
    EXIT_ISSUES,
    EXIT_OK,
    HELP_OPTIONS,
    HelpCommand,
    HelpGroup,
    Language,
    app,
    err_console,
    exit_on_error,
    out_console,
    print_error,
    shown,
    warn,
)
from ictscore.errors import UsageError
from ictscore.issues import Severity

if TYPE_CHECKING:
    from ictscore.issues import Finding


rubric_app = typer.Typer(
    help="Check or show a rubric (YAML file or bundled id).",
    no_args_is_help=True,
    context_settings=HELP_OPTIONS,
    cls=HelpGroup,
)
app.add_typer(rubric_app, name="rubric")


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


@rubric_app.command("check", cls=HelpCommand)
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
            print_error(exc)
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
            f"{shown(f.source)}:{f.line}: [{style}]{f.severity}[/]: "
            f"{shown(f.path)}: {shown(f.message)}",
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
        f"{shown(rubric)}: {errors} error(s), {len(findings) - errors} warning(s): {verdict}",
        highlight=False,
    )


@rubric_app.command("show", cls=HelpCommand)
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

    with exit_on_error():
        rb = load_rubric(rubric, warn)
        if group is not None and rb.group(group) is None:
            known = ", ".join(g.id for g in rb.groups)
            raise UsageError(f"{rubric}: no group {group!r} (groups: {known})")
    width = out_console.width if out_console.is_terminal else None  # piped: 160, as it was
    table = rubric_table(rb, group, lang.value, width)
    if out_console.is_terminal:
        out_console.print(table)
        return
    with out_console.capture() as captured:  # a file or a pipe: no padding after the text
        out_console.print(table)
    sys.stdout.write("".join(f"{line.rstrip()}\n" for line in captured.get().splitlines()))
