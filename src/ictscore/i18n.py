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
from ictscore.messages import N_, Lang, Msg, render, t, translation

__all__ = [
    "EXPLANATIONS",
    "SEVERITY",
    "SUMMARY",
    "Lang",
    "N_",
    "Msg",
    "explain",
    "t",
    "translation",
]


EXPLANATIONS: Final[dict[str, str]] = {
    "above-maximum": N_("The value is above the maximum allowed."),
    "ambiguous-value": N_(
        "It is unclear whether this is a decimal or a number with a thousands separator: "
        "retype the number."
    ),
    "below-minimum": N_("The value is below the minimum (it may not be negative)."),
    "coerced-value": N_("The value was read the usual way; check that it is what you meant."),
    "duplicate-criterion": N_("The criterion appears twice."),
    "duplicate-unit": N_("The unit sent more than one score sheet: keep one."),
    "empty-sheet": N_("No value was entered in the score sheet."),
    "encrypted": N_("The workbook is password-protected: remove the password and send it again."),
    "formula-error": N_(
        "The input cell holds a formula that gives an error: fix it or type the value."
    ),
    "formula-without-value": N_(
        "The input cell holds a formula that was never calculated: open and save the file, or "
        "type the value."
    ),
    "group-mismatch": N_("The sheet was made for another group than the unit's."),
    "link-not-followed": N_("A link to a file elsewhere: it is not read."),
    "max-changed": N_("The criterion's maximum was changed: this cell may not be edited."),
    "missing-criterion": N_(
        "A criterion row is missing: rows of the score sheet may not be deleted."
    ),
    "missing-header": N_("The header row of the score sheet is missing or was changed."),
    "missing-sheet": N_("The score sheet is missing: it was renamed or deleted."),
    "missing-value": N_("No value was entered."),
    "no-record": N_(
        "The score sheet was copied into another file: use the template that was sent."
    ),
    "no-unit-code": N_("The sheet does not say which unit it belongs to."),
    "not-a-choice": N_("The value is not one of the choices in the list."),
    "not-a-leaf": N_("Points were given for a criterion that has parts: appraise its parts."),
    "not-a-number": N_("A number is expected."),
    "not-a-sheet": N_("This file is not a score sheet."),
    "not-a-spreadsheet": N_("This file is not a spreadsheet: send the score sheet workbook."),
    "not-a-template": N_("The workbook was not made from the score sheet template."),
    "not-a-whole-number": N_("A whole number (a count) is expected."),
    "not-applicable": N_(
        "The criterion does not apply to the unit's group, but a value was entered."
    ),
    "not-appraised": N_("The criterion has not been appraised."),
    "not-submitted": N_("No score sheet was received from the unit."),
    "ratio-above-one": N_("The numerator is greater than the denominator."),
    "rubric-changed": N_(
        "The sheet was made from criteria that have changed since: use the new template."
    ),
    "subfolder-not-read": N_("A subfolder: its files are not read."),
    "title-changed": N_("The criterion's text was changed: this cell may not be edited."),
    "too-large": N_("The file is larger than a score sheet can be: it is not read."),
    "too-many-decimals": N_("The points have more decimals than allowed: they are rounded."),
    "total-mismatch": N_(
        "The points the sheet computed differ from those computed from the figures."
    ),
    "unit-not-graded": N_("The appraisal has rows for a unit whose sheet was not graded."),
    "unknown-criterion": N_("The criterion code is not in the score sheet."),
    "unknown-group": N_("The unit's group is not a group of the criteria."),
    "unknown-unit": N_("The unit is not in the list of units."),
    "unreadable-file": N_("The file is damaged and cannot be read: save it again and resend it."),
    "unsafe-xml": N_("The file holds XML declarations no spreadsheet writes: it is not read."),
    "unsupported-format": N_("This file format is not read: save it as an Excel workbook (.xlsx)."),
    "unsupported-layout": N_("The sheet was made by another version of the program."),
    "wrong-rubric": N_("The sheet was made from other criteria."),
    "wrong-rubric-version": N_(
        "The sheet was made from an old version of the criteria: use the new template."
    ),
    "zero-denominator": N_("The denominator is 0: the ratio is undefined."),
}
"""Issue code → what it means, in plain words (English message ids of the catalogue)."""

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
    plain = EXPLANATIONS.get(issue.code)
    precise = render(issue.message, lang)
    return f"{t(plain, lang)} ({precise})" if plain else precise
