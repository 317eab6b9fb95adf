"""What a script or a file receives from each command: text without padding after it (a table
written to a file ended every line with spaces, up to 160 columns)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES


@pytest.mark.parametrize(
    "args",
    [
        ["rubric", "show", "tiengiang-2020"],
        ["rubric", "show", "tiengiang-2020", "--group", "xa", "--lang", "en"],
        ["grade", str(EXAMPLES / "sheets")],
        ["check", str(EXAMPLES / "sheets" / "28249-phuong-5.xlsx")],
    ],
    ids=["rubric-show", "rubric-show-xa-en", "grade", "check"],
)
def test_no_piped_line_ends_with_a_space(args: list[str]):
    proc = subprocess.run(
        [sys.executable, "-m", "ictscore", *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode in (0, 1), proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) > 5
    padded = [n for n, line in enumerate(lines, 1) if line != line.rstrip()]
    assert not padded, f"lines ending with spaces: {padded[:10]}"
