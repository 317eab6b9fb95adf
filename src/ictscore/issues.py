"""Issues: a problem found in the input, with a stable code, a severity and a location.

Every issue code is declared once, in `IssueCode`, with the severity it is raised with and its
plain explanation (an English message id of the catalogue, translated in
`locale/vi/LC_MESSAGES/ictscore.po`). An exception means "cannot continue" (errors.py); an Issue
means "this cell, this file is wrong", and is collected, never raised.

Imports nothing from the stages: every stage reports its problems as Issues.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ictscore.messages import N_, Msg


@dataclass(frozen=True, order=True, slots=True)
class CellRef:
    """Where something is: a file, optionally a sheet and a cell (`file:Sheet!C7`)."""

    file: str
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return self.file
        if self.cell is None:
            return f"{self.file}:{self.sheet}"
        return f"{self.file}:{self.sheet}!{self.cell}"


class Severity(StrEnum):
    ERROR = "error"
    """The sheet cannot be graded as it is: the unit is left out of the ranking."""
    WARNING = "warning"
    """Worth a look; the sheet is still graded."""


ERROR, WARNING = Severity.ERROR, Severity.WARNING


class IssueCode(StrEnum):
    """Every issue code ictscore reports: its stable kebab-case value, the severity it is
    raised with (None: an error or a warning depending on the file, see docs/sheet-format.md)
    and what it means in plain words."""

    severity: Severity | None
    explanation: str

    def __new__(cls, value: str, severity: Severity | None, explanation: str) -> IssueCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.explanation = explanation
        return member

    ABOVE_MAXIMUM = (
        "above-maximum",
        ERROR,
        N_("The value is above the maximum allowed."),
    )
    AMBIGUOUS_VALUE = (
        "ambiguous-value",
        ERROR,
        N_(
            "It is unclear whether this is a decimal or a number with a thousands separator: "
            "retype the number."
        ),
    )
    BELOW_MINIMUM = (
        "below-minimum",
        ERROR,
        N_("The value is below the minimum (it may not be negative)."),
    )
    COERCED_VALUE = (
        "coerced-value",
        WARNING,
        N_("The value was read the usual way; check that it is what you meant."),
    )
    DUPLICATE_CRITERION = (
        "duplicate-criterion",
        ERROR,
        N_("The criterion appears twice."),
    )
    DUPLICATE_UNIT = (
        "duplicate-unit",
        ERROR,
        N_("The unit sent more than one score sheet: keep one."),
    )
    EMPTY_SHEET = (
        "empty-sheet",
        ERROR,
        N_("No value was entered in the score sheet."),
    )
    ENCRYPTED = (
        "encrypted",
        ERROR,
        N_("The workbook is password-protected: remove the password and send it again."),
    )
    FORMULA_ERROR = (
        "formula-error",
        ERROR,
        N_("The input cell holds a formula that gives an error: fix it or type the value."),
    )
    FORMULA_WITHOUT_VALUE = (
        "formula-without-value",
        ERROR,
        N_(
            "The input cell holds a formula that was never calculated: open and save the file, or "
            "type the value."
        ),
    )
    GROUP_MISMATCH = (
        "group-mismatch",
        ERROR,
        N_("The sheet was made for another group than the unit's."),
    )
    LINK_NOT_FOLLOWED = (
        "link-not-followed",
        None,
        N_("A link to a file elsewhere: it is not read."),
    )
    MAX_CHANGED = (
        "max-changed",
        ERROR,
        N_("The criterion's maximum was changed: this cell may not be edited."),
    )
    MISSING_CRITERION = (
        "missing-criterion",
        ERROR,
        N_("A criterion row is missing: rows of the score sheet may not be deleted."),
    )
    MISSING_HEADER = (
        "missing-header",
        ERROR,
        N_("The header row of the score sheet is missing or was changed."),
    )
    MISSING_SHEET = (
        "missing-sheet",
        ERROR,
        N_("The score sheet is missing: it was renamed or deleted."),
    )
    MISSING_VALUE = (
        "missing-value",
        ERROR,
        N_("No value was entered."),
    )
    NO_RECORD = (
        "no-record",
        WARNING,
        N_("The score sheet was copied into another file: use the template that was sent."),
    )
    NO_UNIT_CODE = (
        "no-unit-code",
        ERROR,
        N_("The sheet does not say which unit it belongs to."),
    )
    NOT_A_CHOICE = (
        "not-a-choice",
        ERROR,
        N_("The value is not one of the choices in the list."),
    )
    NOT_A_LEAF = (
        "not-a-leaf",
        ERROR,
        N_("Points were given for a criterion that has parts: appraise its parts."),
    )
    NOT_A_NUMBER = (
        "not-a-number",
        ERROR,
        N_("A number is expected."),
    )
    NOT_A_SHEET = (
        "not-a-sheet",
        None,
        N_("This file is not a score sheet."),
    )
    NOT_A_SPREADSHEET = (
        "not-a-spreadsheet",
        ERROR,
        N_("This file is not a spreadsheet: send the score sheet workbook."),
    )
    NOT_A_TEMPLATE = (
        "not-a-template",
        WARNING,
        N_("The workbook was not made from the score sheet template."),
    )
    NOT_A_WHOLE_NUMBER = (
        "not-a-whole-number",
        ERROR,
        N_("A whole number (a count) is expected."),
    )
    NOT_APPLICABLE = (
        "not-applicable",
        ERROR,
        N_("The criterion does not apply to the unit's group, but a value was entered."),
    )
    NOT_APPRAISED = (
        "not-appraised",
        ERROR,
        N_("The criterion has not been appraised."),
    )
    NOT_SUBMITTED = (
        "not-submitted",
        ERROR,
        N_("No score sheet was received from the unit."),
    )
    OWN_OUTPUT = (
        "own-output",
        ERROR,
        N_(
            "This is a feedback workbook or an appraisal form written by ictscore, not a score "
            "sheet: it is not graded; move it out of the folder of sheets."
        ),
    )
    RATIO_ABOVE_ONE = (
        "ratio-above-one",
        None,
        N_("The numerator is greater than the denominator."),
    )
    RESULTS_WORKBOOK = (
        "results-workbook",
        ERROR,
        N_(
            "This is a results workbook written by ictscore, not a score sheet: move it out of "
            "the folder of sheets."
        ),
    )
    RUBRIC_CHANGED = (
        "rubric-changed",
        ERROR,
        N_("The sheet was made from criteria that have changed since: use the new template."),
    )
    SUBFOLDER_NOT_READ = (
        "subfolder-not-read",
        WARNING,
        N_("A subfolder: its files are not read."),
    )
    SUSPECT_SHEET = (
        "suspect-sheet",
        ERROR,
        N_(
            "Another sheet claims the same unit, and this one was not made for it: it is not "
            "graded."
        ),
    )
    TITLE_CHANGED = (
        "title-changed",
        ERROR,
        N_("The criterion's text was changed: this cell may not be edited."),
    )
    TOKEN_MISMATCH = (
        "token-mismatch",
        ERROR,
        N_(
            "The sheet's hidden record does not match the unit it names: it was edited, or copied "
            "from another unit's sheet. Use the template made for the unit."
        ),
    )
    TOO_LARGE = (
        "too-large",
        ERROR,
        N_("The file is larger than a score sheet can be: it is not read."),
    )
    TOO_MANY_DECIMALS = (
        "too-many-decimals",
        WARNING,
        N_("The points have more decimals than allowed: they are rounded."),
    )
    TOTAL_MISMATCH = (
        "total-mismatch",
        WARNING,
        N_("The points the sheet computed differ from those computed from the figures."),
    )
    UNIT_NOT_GRADED = (
        "unit-not-graded",
        WARNING,
        N_("The appraisal has rows for a unit whose sheet was not graded."),
    )
    UNKNOWN_CRITERION = (
        "unknown-criterion",
        ERROR,
        N_("The criterion code is not in the score sheet."),
    )
    UNKNOWN_GROUP = (
        "unknown-group",
        ERROR,
        N_("The unit's group is not a group of the criteria."),
    )
    UNKNOWN_UNIT = (
        "unknown-unit",
        ERROR,
        N_("The unit is not in the list of units."),
    )
    UNREADABLE_FILE = (
        "unreadable-file",
        ERROR,
        N_("The file is damaged and cannot be read: save it again and resend it."),
    )
    UNSAFE_XML = (
        "unsafe-xml",
        ERROR,
        N_("The file holds XML declarations no spreadsheet writes: it is not read."),
    )
    UNSUPPORTED_FORMAT = (
        "unsupported-format",
        ERROR,
        N_("This file format is not read: save it as an Excel workbook (.xlsx)."),
    )
    UNSUPPORTED_LAYOUT = (
        "unsupported-layout",
        ERROR,
        N_("The sheet was made by another version of the program."),
    )
    WRONG_RUBRIC = (
        "wrong-rubric",
        ERROR,
        N_("The sheet was made from other criteria."),
    )
    WRONG_RUBRIC_VERSION = (
        "wrong-rubric-version",
        ERROR,
        N_("The sheet was made from an old version of the criteria: use the new template."),
    )
    ZERO_DENOMINATOR = (
        "zero-denominator",
        ERROR,
        N_("The denominator is 0: the ratio is undefined."),
    )


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the input, with a stable kebab-case code and a location."""

    code: IssueCode
    severity: Severity
    message: Msg
    where: CellRef | None = None
    criterion: str | None = None
    """The criterion id the issue is about, if any."""
    not_listed: int = 0
    """For the issue that closes a capped run (`cap_issues`): how many issues of its code it
    stands for, not listed one by one."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def count(self) -> int:
        """How many problems this issue counts for in a summary: 1, or those it stands for."""
        return self.not_listed or 1


def tally(issues: Iterable[Issue]) -> tuple[int, int]:
    """(errors, warnings) among `issues`, each counting for what it stands for (`Issue.count`)."""
    errors = warnings = 0
    for issue in issues:
        if issue.is_error:
            errors += issue.count
        else:
            warnings += issue.count
    return errors, warnings


ISSUES_PER_CODE: Final = 20
"""Issues of one code listed for one file; the rest are counted in one more issue of that code
(`cap_issues`), so that a small hostile file cannot make a report of gigabytes."""


def cap_issues(issues: Sequence[Issue], limit: int = ISSUES_PER_CODE) -> tuple[Issue, ...]:
    """`issues` with at most `limit` of each code, in order; where there were more, one more
    issue of the same code (an error if any left out was) says how many are not listed."""
    counts = Counter(i.code for i in issues)
    if all(n <= limit for n in counts.values()):
        return tuple(issues)
    kept: list[Issue] = []
    seen: Counter[IssueCode] = Counter()
    for issue in issues:
        seen[issue.code] += 1
        if seen[issue.code] <= limit:
            kept.append(issue)
        elif seen[issue.code] == limit + 1:
            kept.append(_more(issue, issues, counts[issue.code] - limit))
    return tuple(kept)


def _more(first: Issue, issues: Sequence[Issue], count: int) -> Issue:
    left_out = [i for i in issues if i.code is first.code][-count:]
    severity = ERROR if any(i.is_error for i in left_out) else first.severity
    where = CellRef(first.where.file) if first.where is not None else None
    return Issue(
        first.code,
        severity,
        Msg(
            "and {count} more {code} issues in this file, counted here, not listed",
            count=count,
            code=first.code.value,
        ),
        where,
        not_listed=count,
    )


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem in an input file the author fixes by editing it (a rubric, a units roster),
    located by file, line and path in the document: `rubric.yaml:42: criteria[2].max: …`.

    Unlike an Issue, it is about the file as text, so it has no issue code and no cell.
    """

    severity: Severity
    """ERROR: the file cannot be used; WARNING: it can, but look."""
    source: str
    """The file as the user named it."""
    line: int | None
    """1-based; None when the finding is about the whole file (it cannot be read)."""
    path: str
    """Where in the document (`criteria[2].children[0].max`); "" when nowhere in particular."""
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        flag = "warning: " if self.severity is Severity.WARNING else ""
        path = f"{self.path}: " if self.path else ""
        return f"{where}: {flag}{path}{self.message}"
