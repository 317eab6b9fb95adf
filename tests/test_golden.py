"""The outputs scripts and readers depend on, byte for byte: JSON, CSV, plain tables and stderr.

Each case runs the CLI as a user does, from the project's root with relative paths, and compares
stdout, stderr and the exit code with tests/golden/<case>.*. After an intended change of output,
refresh them with `pytest tests/test_golden.py --update-golden` and read the diff before committing.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, Run

GOLDEN = ROOT / "tests" / "golden"

CASES: dict[str, list[str]] = {
    "sheets-table": ["grade", "examples/sheets"],
    "sheets-json": ["grade", "examples/sheets", "--format", "json"],
    "sheets-csv": ["grade", "examples/sheets", "--format", "csv"],
    "sheets-roster-json": [
        "grade",
        "examples/sheets",
        "--units",
        "examples/units.csv",
        "-f",
        "json",
    ],
    "sheets-roster-table": ["grade", "examples/sheets", "--units", "examples/units.csv"],
    "sheets-vi-table": ["grade", "examples/sheets", "--lang", "vi"],
    "mistakes-table": ["grade", "examples/mistakes", "--rubric", "tiengiang-2020"],
    "mistakes-json": ["grade", "examples/mistakes", "--rubric", "tiengiang-2020", "-f", "json"],
    "mistakes-csv": ["grade", "examples/mistakes", "--rubric", "tiengiang-2020", "-f", "csv"],
    "mistakes-vi": ["grade", "examples/mistakes", "--rubric", "tiengiang-2020", "--lang", "vi"],
    "check-one": ["check", "examples/sheets/28249-phuong-5.xlsx"],
    "check-one-json": ["check", "examples/sheets/28249-phuong-5.xlsx", "--format", "json"],
    "rubric-show": ["rubric", "show", "tiengiang-2020", "--group", "xa"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_unchanged(
    case: str, run: Run, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.chdir(ROOT)
    result = run(*CASES[case])
    got = {"stdout": result.stdout, "stderr": result.stderr, "rc": f"{result.exit_code}\n"}
    for part, text in got.items():
        path = GOLDEN / f"{case}.{part}"
        if request.config.getoption("--update-golden"):
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), f"{case}: {part} differs from {path}"


def test_every_golden_file_belongs_to_a_case() -> None:
    stale = {p.name for p in GOLDEN.iterdir()} - {
        f"{case}.{part}" for case in CASES for part in ("stdout", "stderr", "rc")
    }
    assert not stale, f"golden files of no case: {sorted(stale)}"
