"""The main help lists the commands in the order of the work: make the sheets, grade them,
appraise, check one, compare years, then the rubric tools."""

from __future__ import annotations

import re

from tests.conftest import Run


def test_the_commands_are_listed_in_the_order_of_the_work(run: Run) -> None:
    result = run("-h")
    assert result.exit_code == 0
    listed = re.findall(r"^│ (\w+) ", result.stdout, flags=re.M)
    assert listed == ["template", "grade", "appraisal", "check", "compare", "audit", "rubric"]
