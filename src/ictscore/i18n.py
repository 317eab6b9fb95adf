"""The message catalogue: what an issue means, in English or in Vietnamese (gettext).

Every issue has a stable code and a precise English message (values, cells). For people who read
Vietnamese (units receiving their feedback, `--lang vi` on the printed report) each code also
has a plain explanation, kept here in English as gettext message ids and translated in
`locale/vi/LC_MESSAGES/ictscore.po` (compiled to `ictscore.mo` with Babel:
`pybabel compile -d src/ictscore/locale -D ictscore`; a test checks the two agree).
"""

from __future__ import annotations

from typing import Final

from ictscore.issues import Issue
from ictscore.messages import N_, Lang, render, t

__all__ = [
    "SEVERITY",
    "SUMMARY",
    "Lang",
    "N_",
    "explain",
    "t",
]


SEVERITY: Final = {"error": N_("error"), "warning": N_("warning")}
SUMMARY: Final = N_(
    "{graded} graded, {invalid} invalid, {missing} missing; {errors} error(s), "
    "{warnings} warning(s)"
)


def explain(issue: Issue, lang: Lang) -> str:
    """An issue as a person reads it in `lang`: in English its precise message; in Vietnamese
    the plain explanation first, then the precise message (values and cells) in brackets, in
    Vietnamese too (a message raised as a Msg; any other text is shown as it is)."""
    if lang == "en":
        return str(issue.message)
    plain = issue.code.explanation
    precise = render(issue.message, lang)
    return f"{t(plain, lang)} ({precise})" if plain else precise
