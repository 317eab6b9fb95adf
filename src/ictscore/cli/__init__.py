"""The command-line interface: options → the pipeline → writers → exit code.

The only package importing typer. stdout carries data (tables, JSON, CSV); stderr carries issues,
progress and errors. Exit codes: 0 done and every expected sheet graded; 1 done, but some sheets
have errors or are missing; 2 could not run (bad arguments, bad rubric or roster, unreadable
folder, output not writable).

- app.py       the Typer app, help, consoles, the error funnel, shared options, progress
- grade.py     grade, appraisal, check; emitting a report and the feedback
- template.py  template
- compare.py   compare
- audit.py     audit
- rubric.py    rubric check, rubric show
"""

from __future__ import annotations

from ictscore.cli.app import app

# isort: off
# Importing a module registers its commands; the help lists them in this order.
from ictscore.cli import template  # noqa: F401
from ictscore.cli import grade  # noqa: F401
from ictscore.cli import compare  # noqa: F401
from ictscore.cli import audit  # noqa: F401
from ictscore.cli import rubric  # noqa: F401

# isort: on

__all__ = ["app", "main"]


def main() -> None:
    app()
