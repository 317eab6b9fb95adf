"""Messages that can be shown in English or in Vietnamese: a catalogue id with named parameters.

A problem found in a sheet is written once, where it is found, as
`Msg("the maximum of criterion {id} was changed: expected {expected}, found {found}", ...)`.
The Msg *is* its English text (a str), so logs, JSON and tests read it as before; it also keeps
its template (the gettext message id) and its parameters, so the same message can be rendered in
Vietnamese from the catalogue (`locale/vi/LC_MESSAGES/ictscore.po`) with the same values, numbers
written the Vietnamese way (9,5) and nested messages rendered in the same language.

Imports nothing from ictscore but numbers.py: any module may raise a Msg.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Final, Literal

from ictscore.numbers import plain
from ictscore.text import clip

Lang = Literal["en", "vi"]
DOMAIN: Final = "ictscore"
PARAM_LIMIT: Final = 1000
"""Characters of a text parameter kept in a message (the rest cut, with the length: text.clip):
a value typed in a sheet can be 32,000 characters long. Typed values are cut shorter where they
are quoted (text.QUOTE_LIMIT); this bounds every message, in both languages."""


def N_(message: str) -> str:
    """Marks a message for the catalogue (pybabel extract -k N_) without translating it."""
    return message


@cache
def translation(lang: Lang) -> gettext.NullTranslations:
    """The catalogue for `lang` (English: the message ids themselves)."""
    if lang == "en":
        return gettext.NullTranslations()
    folder = resources.files("ictscore") / "locale"
    return gettext.translation(DOMAIN, localedir=str(folder), languages=[lang])


def t(message: str, lang: Lang) -> str:
    """`message` (a catalogue id) in `lang`."""
    return translation(lang).gettext(message)


class Percent:
    """A fraction shown as a percentage: Percent(Decimal("0.85")) → "85%"."""

    __slots__ = ("value",)

    def __init__(self, value: Decimal) -> None:
        self.value = value

    def __reduce__(self) -> tuple[type[Percent], tuple[Decimal]]:
        return (Percent, (self.value,))


class Msg(str):
    """English text that remembers its catalogue id and parameters (see the module doc).

    Parameters: str (shown as given: ids, typed text, file names), int, Decimal (9.5 in
    English, 9,5 in Vietnamese), Percent, or another Msg (rendered in the same language).
    """

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Msg:
        clipped = {
            key: clip(value, PARAM_LIMIT)
            if type(value) is str and len(value) > PARAM_LIMIT
            else value
            for key, value in params.items()
        }
        return cls._made(template, clipped)

    @classmethod
    def _made(cls, template: str, params: Mapping[str, Any]) -> Msg:
        self = super().__new__(cls, _format(template, params, "en"))
        self.template = template
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any]]]:
        # travels back from the worker processes that read files (isolate.py)
        return (_rebuild, (self.template, dict(self.params)))

    def render(self, lang: Lang) -> str:
        """The message in `lang` (English: the text itself)."""
        if lang == "en":
            return str(self)
        return _format(t(self.template, lang), self.params, lang)


def _rebuild(template: str, params: dict[str, Any]) -> Msg:
    return Msg._made(template, params)  # clipped already: not again


def render(text: str, lang: Lang) -> str:
    """Any message text in `lang`: a Msg is translated; plain text is shown as it is."""
    return text.render(lang) if isinstance(text, Msg) else str(text)


def _format(template: str, params: Mapping[str, Any], lang: Lang) -> str:
    return template.format(**{key: _show(value, lang) for key, value in params.items()})


def _show(value: Any, lang: Lang) -> str:
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, Percent):
        return _number(value.value * 100, lang) + "%"
    if isinstance(value, Decimal):
        return _number(value, lang)
    return str(value)


def _number(value: Decimal, lang: Lang) -> str:
    text = plain(value)
    return text.replace(".", ",") if lang == "vi" else text
