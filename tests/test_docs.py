"""The README's promises: its quick-start commands are the ones CI runs, and its examples hold."""

from __future__ import annotations

import re
from typing import Any

import pytest

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


def _commands() -> list[list[str]]:
    """Every command of the app, sub-commands included, as read from the app itself."""
    import typer

    from ictscore.cli import app

    def walk(group: Any, prefix: list[str]) -> list[list[str]]:
        found = []
        for name, command in sorted(group.commands.items()):
            if hasattr(command, "commands"):  # a group (typer's click or click's)
                found.extend(walk(command, [*prefix, name]))
            else:
                found.append([*prefix, name])
        return found

    return walk(typer.main.get_command(app), [])


def test_the_commands_are_read_from_the_app():
    assert _commands() == [
        ["appraisal"],
        ["audit"],
        ["check"],
        ["compare"],
        ["grade"],
        ["rubric", "check"],
        ["rubric", "show"],
        ["template"],
    ]


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_help(command: list[str]):
    from typer.testing import CliRunner

    from ictscore.cli import app

    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.stdout, command


def test_the_library_example_runs(tmp_path, monkeypatch, capsys):
    import json

    section = README.split("## As a library", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.+?)\n```", section, re.DOTALL)
    code = code.replace('"results.json"', repr(str(tmp_path / "results.json")))
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    printed = capsys.readouterr().out.splitlines()
    written = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert len(printed) == len(written["units"]) > 32
    assert [line.split()[0] for line in printed] == [u["code"] for u in written["units"]]


@pytest.mark.parametrize("command", [[], ["rubric"], *_commands()], ids=" ".join)
def test_help_reads_cleanly_with_h_or_help(command: list[str]):
    """`-h` is `--help`; no type placeholders (<bool>, <path>, <table|json|csv>)."""
    from typer.testing import CliRunner

    from ictscore.cli import app

    short = CliRunner().invoke(app, [*command, "-h"], env={"COLUMNS": "100"})
    long = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert short.exit_code == long.exit_code == 0, command
    assert short.stdout == long.stdout
    assert not re.search(r"<[a-z|\[\]]+>", long.stdout), long.stdout
    assert "[default: no-" not in long.stdout  # a flag's default goes without saying


@pytest.mark.parametrize("command", [[], ["rubric"], *_commands()], ids=" ".join)
def test_help_paragraphs_fill_an_80_column_terminal(command: list[str]):
    """What a command says of itself, above its boxes of options, is filled to the terminal's
    width: no line ends while the next line's first word would still fit on it (the line
    breaks of the source's docstrings are not the terminal's)."""
    from typer.testing import CliRunner

    from ictscore.cli import app

    shown = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "80"}).stdout
    lines = shown.split("\n")
    start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("╭"))
    text = [line.rstrip() for line in lines[start:end]]
    assert any(text), shown
    for line, following in zip(text, text[1:], strict=False):
        if line and following:  # two lines of one paragraph
            word = following.split()[0]
            assert len(line) + 1 + len(word) > 79, f"{line!r} ends before {word!r}"


def test_the_main_help_lists_the_exit_codes():
    from typer.testing import CliRunner

    from ictscore.cli import app

    text = " ".join(CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout.split())
    assert "Exit codes: 0 done" in text and "· 1 done" in text and "· 2 could not run" in text
    grade = CliRunner().invoke(app, ["grade", "--help"], env={"COLUMNS": "100"}).stdout
    assert "table|json|csv" in grade and "en|vi" in grade
