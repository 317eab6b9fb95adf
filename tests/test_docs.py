"""The README's promises: its quick-start commands are the ones CI runs, and its examples hold."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_exactly_two_commands_and_ci_runs_both():
    grade, tests = _quick_start()
    assert grade.endswith("ictscore grade examples/sheets")
    assert grade in CI
    install, run_tests = tests.rsplit(" && ", 1)
    assert install in CI and run_tests == ".venv/bin/pytest"
    assert "\n.venv/bin/pytest\n" in CI


def test_every_command_has_help():
    from typer.testing import CliRunner

    from ictscore.cli import app

    for command in (
        ["template"],
        ["grade"],
        ["check"],
        ["compare"],
        ["appraisal"],
        ["rubric", "check"],
        ["rubric", "show"],
    ):
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.stdout, command
