"""Text cleaned at the edges: workbooks (xml_safe), terminals (terminal_safe), quotes (clip)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from ictscore.text import clip, terminal_safe, xml_safe


def test_xml_safe_keeps_a_word_line_break_as_a_line_break() -> None:
    assert xml_safe("Sở\x0bTT&TT") == "Sở\nTT&TT"
    assert xml_safe("a\x07b\x1bc") == "a\ufffdb\ufffdc"
    assert xml_safe("Phường 2\tx\ny") == "Phường 2\tx\ny"
    assert xml_safe("bad\udcffname") == "bad\ufffdname"


@given(st.text())
def test_openpyxl_accepts_whatever_xml_safe_returns(text: str) -> None:
    ws = Workbook().active
    ws["A1"] = xml_safe(text)  # raised IllegalCharacterError before cleaning, for C0 controls
    assert len(xml_safe(text)) == len(text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J\x1b[HXã A", "\\x1b[2J\\x1b[HXã A"),
        ("Phường 1\nerror[E]: forged", "Phường 1\\nerror[E]: forged"),
        ("a\u202eb", "a\\u202eb"),
        ("bell\x07\x9b", "bell\\x07\\x9b"),
        ("Ủy ban nhân dân", "Ủy ban nhân dân"),
    ],
)
def test_terminal_safe_shows_control_characters_as_escapes(raw: str, shown: str) -> None:
    assert terminal_safe(raw) == shown


@given(st.text())
def test_terminal_safe_leaves_no_control_character(text: str) -> None:
    safe = terminal_safe(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in safe)
    safe.encode("utf-8")  # no lone surrogate left


def test_clip_cuts_long_values_and_says_how_long() -> None:
    assert clip("abc") == "abc"
    cut = clip("x" * 32000)
    assert len(cut) < 120 and cut.endswith("(32,000 characters)")
