"""The run's lifecycle: what a crash exits with, signals, and outputs checked before grading and
written without replacing a file that appeared meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ictscore.cli import app
from tests.conftest import EXAMPLES, ROOT, SMALL_RUBRIC

BUG_LINE = "This is a bug; run again with --debug for the details."


def _broken_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    from ictscore.grading import pipeline

    def broken(folder: Path, options: object) -> None:
        raise ZeroDivisionError("a bug \x1b[2J here")

    monkeypatch.setattr(pipeline, "grade_folder", broken)


def test_a_bug_exits_3_with_one_message_and_no_traceback(monkeypatch, tmp_path: Path):
    _broken_pipeline(monkeypatch)
    result = CliRunner().invoke(app, ["grade", str(EXAMPLES / "sheets")])
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        "ictscore: internal error (ZeroDivisionError: a bug \\x1b[2J here). " + BUG_LINE
    ]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_debug_shows_the_traceback(monkeypatch, tmp_path: Path):
    _broken_pipeline(monkeypatch)
    result = CliRunner().invoke(app, ["--debug", "grade", str(EXAMPLES / "sheets")])
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise ZeroDivisionError("a bug' in result.stderr
    assert "internal error (ZeroDivisionError" in result.stderr


def test_the_exit_codes_are_documented():
    text = " ".join(CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout.split())
    assert "· 3 a bug in ictscore" in text and "130 interrupted" in text and "143" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    assert "| 3 |" in table and "| 130 |" in table and "| 143 |" in table and "--debug" in table


def _python(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kw,  # type: ignore[call-overload]
    )


def test_a_bug_in_a_real_run_exits_3_without_traceback(tmp_path: Path):
    """As a user runs it (a subprocess): an exception from deep inside becomes exit 3."""
    code = (
        "import ictscore.grading.pipeline as p\n"
        "def broken(*a, **k): raise KeyError('x')\n"
        "p.grade_folder = broken\n"
        "import sys; from ictscore.cli import main; sys.argv[0] = 'ictscore'; main()\n"
    )
    proc = _python("-c", code, "grade", str(EXAMPLES / "sheets"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert err.strip() == f"ictscore: internal error (KeyError: 'x'). {BUG_LINE}"
    assert "Traceback" not in err


def test_names_and_paths_never_act_on_the_terminal_nor_forge_lines(run, make_sheet, tmp_path):
    """A refusal quoting a path, and the `Wrote …` lines, show control characters as escapes."""
    forged = tmp_path / "x\nerror[not-a-sheet]: forged"
    result = run("grade", forged)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "x\\nerror[not-a-sheet]: forged: not a folder" in result.stderr
    make_sheet()
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    out = tmp_path / "out\x1b[2J"
    result = run(
        "grade",
        tmp_path / "sheets",
        "-r",
        rubric,
        "-q",
        "-o",
        out / "r\x07.json",
        "--feedback",
        out,
    )
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "out\\x1b[2J/r\\x07.json" in result.stderr
    assert "feedback workbook(s) to " in result.stderr and "out\\x1b[2J" in result.stderr
    units = tmp_path / "units.csv"
    units.write_text("code,name,group,parent\nso-a,Sở Thử,so,\n", encoding="utf-8")
    result = run("template", "-r", rubric, "-u", units, "-o", tmp_path / "t\x1bc")
    assert result.exit_code == 0, result.stderr
    assert "t\\x1bc" in result.stderr and "\x1b" not in result.stderr
