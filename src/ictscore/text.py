"""Text as it leaves ictscore: cleaned at the edge where it is written, exact everywhere else.

Names, codes, typed values and file names reach ictscore from roster files, sheets and folder
listings, and may hold what no reader expects: a Word manual line break (U+000B, stored in a
workbook as ``_x000B_``), a BEL or ESC pasted into a unit name, a bidirectional override, a newline
in a file name, a byte that is not UTF-8 in a file name (a lone surrogate in Python). The report
keeps them exact (JSON escapes them); each writer cleans them the way its medium needs:

- ``xml_safe``: a workbook cell or document (openpyxl refuses C0 control characters: it raises
  ``IllegalCharacterError``). A vertical tab or form feed becomes a line break, any other control
  character or lone surrogate becomes U+FFFD (�), so that a reader sees that something was there.
- ``terminal_safe``: a terminal, a log or a plain-text file. Every control character (newlines and
  tabs included: one line is one issue), C1 control, bidirectional control and lone surrogate is
  shown as its escape (``\\x1b``, ``\\n``, ``\\u202e``), so that nothing reaches the screen raw and
  no line can be forged.
- ``clip``: a value quoted in a message, cut to a length a person reads (the full value stays in
  the sheet).
"""

from __future__ import annotations

import re

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
QUOTE_LIMIT = 80
"""Characters of a typed value quoted in an issue; longer values are cut with an ellipsis and
their length."""


def _xml_char(match: re.Match[str]) -> str:
    return "\n" if match.group() in "\x0b\x0c" else "\ufffd"


def xml_safe(text: str) -> str:
    """``text`` as a workbook or XML document can hold it."""
    return _XML_ILLEGAL.sub(_xml_char, text) if _XML_ILLEGAL.search(text) else text


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` as one line of a terminal can show it, without acting on the terminal."""
    return _TERMINAL_UNSAFE.sub(_escape, text) if _TERMINAL_UNSAFE.search(text) else text


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to about ``limit`` characters for quoting: the start, an ellipsis and the
    length of the whole ("abc… (32,000 characters)")."""
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 1, 1)]}… ({len(text):,} characters)"
