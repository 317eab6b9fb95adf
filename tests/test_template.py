"""build_template's refusals (the sheet itself is tested through the round trip and the CLI)."""

from __future__ import annotations

import pytest

from ictscore.errors import UsageError
from ictscore.roster import Unit
from ictscore.rubric import Rubric
from ictscore.sheets.template import build_template


def test_a_unit_of_a_group_the_rubric_does_not_have(small_rubric: Rubric):
    with pytest.raises(UsageError, match=r"^unit u1: group 'nope' is not in rubric small$"):
        build_template(small_rubric, Unit("u1", "Đơn vị", "nope"))
