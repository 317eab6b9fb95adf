"""Finding the score sheets in a folder: the folder and link policy.

`find_sheets` lists what will be graded and says, as issues, why every other file is not (other
spreadsheet formats, links outside the folder, subfolders without --recursive); `name_issue`
judges a file by its name, for `grade` and `check` alike. Reads the file system, never a file.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from ictscore.errors import FolderError
from ictscore.issues import CellRef, Issue, IssueCode, Severity
from ictscore.messages import Msg

SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"})
"""Files graded (python-calamine reads them all). Other formats are reported, not skipped."""
OTHER_SPREADSHEETS = frozenset({".ots", ".xltx", ".xltm", ".xlt", ".fods", ".numbers", ".et"})
"""Spreadsheet formats ictscore does not read: an error (the unit must save as .xlsx)."""
LOCAL_RUBRIC = "rubric.yaml"
"""A rubric saved beside the sheets: used to grade them, never graded itself."""

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def find_sheets(
    folder: Path, recursive: bool = False, follow_links: bool = False
) -> tuple[list[Path], list[Issue]]:
    """The score sheets in `folder`, sorted, and issues for files that will not be graded.

    Office lock files (`~$…`) and hidden files are skipped without a word; other spreadsheet
    formats are errors (the unit must resave); so is a link to a file outside the folder, unless
    `follow_links`, and a file or subfolder that cannot be opened (a path too long, no
    permission); anything else, subfolders not read (without `recursive`) and broken links
    included, is a warning. Links to folders are never followed.
    Raises FolderError if the folder itself cannot be listed.
    """
    plain: set[str] = set()  # entries the listing says are regular files, not links
    try:
        if not folder.is_dir():
            raise FolderError(f"{folder}: not a folder")
        if recursive:
            entries, issues = _walk(folder)
            entries.sort()
        else:
            entries, issues = _listed(folder, plain), []
    except OSError as exc:
        raise FolderError(f"{folder}: cannot read the folder: {exc.strerror or exc}") from exc
    inside = folder.resolve()
    said = {i.where.file for i in issues if i.where is not None}  # folders _walk could not open
    sheets: list[Path] = []
    for path in entries:
        if str(path) in said:
            continue
        rel = path.relative_to(folder) if recursive else Path(path.name)
        if any(part.startswith((".", "~$")) for part in rel.parts) or _hidden_on_windows(path):
            continue
        try:
            if str(path) in plain:  # a regular file: only its name decides
                found = None if path.name == LOCAL_RUBRIC else name_issue(path) or path
            else:
                found = _judge(path, inside, recursive, follow_links)
        except OSError as exc:  # a path too long to open, a permission refused
            found = _unopened(path, exc)
        if isinstance(found, Path):
            sheets.append(found)
        elif found is not None:
            issues.append(found)
    if all(str(p) in plain for p in sheets):
        return sheets, issues  # no link among them: distinct files
    return _read_once(sheets, issues)


def _listed(folder: Path, plain: set[str]) -> list[Path]:
    """The folder's entries, in the order of their paths; the paths of those that the listing
    itself says are regular files (not links) are added to `plain`, so that they need no
    further look (os.scandir: 10,000 entries listed in a few milliseconds, with no call per
    file). In a folder that can be listed but not entered, every entry is looked at in full:
    the listing would call a file regular that cannot be opened."""
    enterable = os.access(folder, os.X_OK)
    found: list[tuple[str, Path]] = []
    with os.scandir(folder) as listing:
        for entry in listing:
            path = folder / entry.name
            try:
                if enterable and entry.is_file(follow_symlinks=False):
                    plain.add(str(path))
            except OSError:  # not known from the listing: looked at in full (`_judge`)
                pass
            found.append((os.path.normcase(entry.name), path))
    found.sort(key=lambda item: item[0])  # as paths of one folder sort: by name, without
    return [path for _, path in found]  # case on Windows


def _judge(path: Path, inside: Path, recursive: bool, follow_links: bool) -> Path | Issue | None:
    """`path` if it is a sheet to grade, else the issue that says why not (None: skipped
    without a word)."""
    link = path.is_symlink()
    try:
        target = path.resolve() if link else path
    except RuntimeError:  # a link loop
        return Issue(
            IssueCode.NOT_A_SHEET,
            ERROR if name_issue(path) is None else WARNING,
            Msg("a link that points to itself (a loop): not read"),
            CellRef(str(path)),
        )
    if link and path.is_dir():
        return Issue(
            IssueCode.LINK_NOT_FOLLOWED,
            WARNING,
            Msg(
                "a link to the folder {target}: linked folders are never entered",
                target=str(target),
            ),
            CellRef(str(path)),
        )
    if link and not follow_links and target.exists() and not target.is_relative_to(inside):
        return Issue(
            IssueCode.LINK_NOT_FOLLOWED,
            ERROR,
            Msg(
                "a link to {target}, outside the folder: not followed (copy the file "
                "in, or pass --follow-links)",
                target=str(target),
            ),
            CellRef(str(path)),
        )
    if path.is_dir():
        if recursive:
            return None  # walked into (`_walk`)
        return Issue(
            IssueCode.SUBFOLDER_NOT_READ,
            WARNING,
            Msg("subfolder not read (use --recursive to grade its sheets)"),
            CellRef(str(path)),
        )
    if not path.is_file():
        return Issue(
            IssueCode.NOT_A_SHEET,
            ERROR if name_issue(path) is None else WARNING,
            Msg("a broken link: the file it points to does not exist")
            if link
            else Msg("ignored: not a regular file"),
            CellRef(str(path)),
        )
    if path.name == LOCAL_RUBRIC:
        return None
    return name_issue(path) or path


def _unopened(path: Path, exc: OSError, folder: bool = False) -> Issue:
    """A file or folder the system would not open: an error, so that its sheets are not lost
    without a word."""
    reason = exc.strerror or type(exc).__name__
    message = (
        Msg("a folder that cannot be opened ({reason}): its files are not read", reason=reason)
        if folder
        else Msg("cannot be opened ({reason}): not read", reason=reason)
    )
    return Issue(IssueCode.NOT_A_SHEET, ERROR, message, CellRef(str(path)))


def _read_once(sheets: list[Path], issues: list[Issue]) -> tuple[list[Path], list[Issue]]:
    """One path per file: a link to a file also in the list is not read again."""
    if not any(p.is_symlink() for p in sheets):
        return sheets, issues  # distinct entries, no link: distinct files to read
    by_target: dict[Path, Path] = {}
    for path in sorted(sheets, key=lambda p: (p.is_symlink(), p)):  # real files first
        target = path.resolve()
        if target in by_target:
            issues.append(
                Issue(
                    IssueCode.LINK_NOT_FOLLOWED,
                    WARNING,
                    Msg(
                        "a link to {target}, which is read already: read once",
                        target=str(by_target[target]),
                    ),
                    CellRef(str(path)),
                )
            )
        else:
            by_target[target] = path
    kept = set(by_target.values())
    return [p for p in sheets if p in kept], issues


def name_issue(path: Path) -> Issue | None:
    """Why a file will not be graded, judging by its name (None: it is read). `grade` and
    `check` answer alike."""
    suffix = path.suffix.lower()
    if suffix in SHEET_SUFFIXES:
        return None
    if suffix in OTHER_SPREADSHEETS:
        return Issue(
            IssueCode.UNSUPPORTED_FORMAT,
            ERROR,
            Msg(
                "{suffix} files are not read: open the file and save it as Excel Workbook (.xlsx)",
                suffix=suffix,
            ),
            CellRef(str(path)),
        )
    message = (
        Msg(
            "ignored: not a workbook (.xlsx, .xlsm, .xls, .ods, .xlsb): a CSV file; if it is a "
            "unit's sheet, the unit must send the workbook (.xlsx)"
        )
        if suffix == ".csv"
        else Msg("ignored: not a workbook (.xlsx, .xlsm, .xls, .ods, .xlsb)")
    )
    return Issue(
        IssueCode.NOT_A_SHEET,
        WARNING,
        message,
        CellRef(str(path)),
    )


def _walk(folder: Path) -> tuple[list[Path], list[Issue]]:
    """Every entry below `folder`, without going into linked folders or hidden ones, and an
    issue for each subfolder that cannot be listed. A loop over a stack, not recursion: a folder
    1,000 levels deep is walked like any other. Raises OSError if `folder` cannot be listed."""
    out: list[Path] = []
    issues: list[Issue] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            if current == folder:
                raise
            issues.append(_unopened(current, exc, folder=True))
            continue
        for entry in entries:
            path = current / entry.name
            out.append(path)
            if entry.name.startswith((".", "~$")):
                continue  # hidden: neither graded nor entered
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue  # judged, as an entry, by find_sheets
            if is_dir:
                stack.append(path)
    return out, issues


def _hidden_on_windows(path: Path) -> bool:
    """Windows marks hidden files with an attribute, not a leading dot."""
    if sys.platform != "win32":
        return False
    try:
        attributes = getattr(path.lstat(), "st_file_attributes", 0)
    except OSError:
        return False
    return bool(attributes & stat.FILE_ATTRIBUTE_HIDDEN)
