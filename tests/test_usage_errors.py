"""Bad command-line options are said in ictscore's words, for every command: the option, the
value and what it should be; exit code 2, the usage line kept. No pydantic or click wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run

SHEETS = str(EXAMPLES / "sheets")
SHEET = str(next((EXAMPLES / "sheets").glob("*.xlsx")))
RESULTS = str(EXAMPLES / "units.csv")  # any existing file: options are refused before it is read

LEAKS = ("Value error", "Input should", "'table', 'json'", "'en', 'vi'", "%Y", "Invalid value")

BAD = [
    (["grade", SHEETS, "--format", "xml"], "--format: 'xml' is not one of table, json, csv"),
    (["grade", SHEETS, "-f", "xml"], "--format: 'xml' is not one of table, json, csv"),
    (["grade", SHEETS, "--lang", "fr"], "--lang: 'fr' is not one of en, vi"),
    (
        ["grade", SHEETS, "--decision-date", "2021-13-45"],
        "--decision-date: '2021-13-45' is not a date (YYYY-MM-DD)",
    ),
    (["grade", SHEETS, "--jobs", "0"], "--jobs: must be 1 or more, found 0"),
    (["grade", SHEETS, "-j", "-3"], "--jobs: must be 1 or more, found -3"),
    (["grade", SHEETS, "--jobs", "x"], "--jobs: 'x' is not a whole number"),
    (["check", SHEET, "--format", "xml"], "--format: 'xml' is not one of table, json, csv"),
    (["check", SHEET, "--lang", "fr"], "--lang: 'fr' is not one of en, vi"),
    (["appraisal", SHEETS, "-o", "a.xlsx", "--jobs", "0"], "--jobs: must be 1 or more, found 0"),
    (
        ["compare", RESULTS, RESULTS, "--format", "xml"],
        "--format: 'xml' is not one of table, json, csv",
    ),
    (
        ["rubric", "check", "tiengiang-2020", "-f", "csv"],
        "--format: 'csv' is not one of text, json",
    ),
    (["rubric", "show", "tiengiang-2020", "--lang", "fr"], "--lang: 'fr' is not one of en, vi"),
    (["template", "-r", "x", "-u", "y", "-o", "z", "--bogus"], "No such option: --bogus"),
    (["grade", SHEETS, "--bogus"], "No such option: --bogus"),
    (["--bogus"], "No such option: --bogus"),
]


@pytest.mark.parametrize(("args", "said"), BAD, ids=[" ".join(a[:1] + a[-2:]) for a, _ in BAD])
def test_a_bad_option_is_said_in_the_projects_words(run: Run, args: list[str], said: str):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr, result.stderr
    assert "Usage: ictscore" in result.stderr
    for leak in LEAKS:
        assert leak not in result.stderr, result.stderr


def test_an_unknown_option_is_not_given_an_unrelated_suggestion(run: Run):
    result = run("grade", SHEETS, "--bogus")
    assert "Possible options" not in result.stderr and "--jobs" not in result.stderr


def test_a_close_typo_still_gets_its_suggestion(run: Run):
    result = run("grade", SHEETS, "--recursiv")
    assert result.exit_code == 2
    assert "No such option: --recursiv (did you mean --recursive?)" in result.stderr


def test_a_bad_option_is_said_in_the_projects_words_as_a_user_runs_it(tmp_path: Path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ictscore", "grade", SHEETS, "--jobs", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--jobs: must be 1 or more, found 0" in result.stderr
    assert "Input should" not in result.stderr
