"""Grading a folder: find the sheets, pick the rubric, read and grade them, rank.

`find_sheets`, `pick_rubric`, `read_sheets` and `grade_files` touch the file system (read-only):
`grade_files` reads and grades each sheet in a worker process (`grade_sheet`), keeping only the
unit's result. `assemble` is pure: it turns those results into a Report (duplicates, missing
units, appraisal, the group pass, ranks); `grade_sheets` does both for sheets already read. One
bad sheet becomes issues in the Report, never an exception.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ictscore.errors import CellRef, IctscoreError, WorkbookError
from ictscore.grading.appraisal import AppraisalSheet, apply_appraisal
from ictscore.grading.results import Inputs, Keyed, Report, Status, UnitResult
from ictscore.grading.scoring import Reference, normalise, rank_units, ranking_key, total_up
from ictscore.grading.validate import check_origin, evaluate_sheet, finish
from ictscore.grading.workers import read_isolated, run_isolated
from ictscore.issues import Issue, IssueCode, Severity
from ictscore.messages import Msg
from ictscore.roster import Roster, Unit
from ictscore.rubric.model import Finding, Rubric, bundled_rubric_path, load_rubric
from ictscore.sheets.reader import SheetData, read_workbook

SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"})
"""Files graded (python-calamine reads them all). Other formats are reported, not skipped."""
OTHER_SPREADSHEETS = frozenset({".ots", ".xltx", ".xltm", ".xlt", ".fods", ".numbers", ".et"})
"""Spreadsheet formats ictscore does not read: an error (the unit must save as .xlsx)."""
LOCAL_RUBRIC = "rubric.yaml"

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def find_sheets(
    folder: Path, recursive: bool = False, follow_links: bool = False
) -> tuple[list[Path], list[Issue]]:
    """The score sheets in `folder`, sorted, and issues for files that will not be graded.

    Office lock files (`~$…`) and hidden files are skipped without a word; other spreadsheet
    formats are errors (the unit must resave); so is a link to a file outside the folder, unless
    `follow_links`; anything else, subfolders not read (without `recursive`) and broken links
    included, is a warning. Links to folders are never followed.
    Raises IctscoreError if the folder cannot be listed.
    """
    if not folder.is_dir():
        raise IctscoreError(f"{folder}: not a folder")
    try:
        entries = sorted(_walk(folder) if recursive else folder.iterdir())
    except OSError as exc:
        raise IctscoreError(f"{folder}: cannot list the folder: {exc}") from exc
    inside = folder.resolve()
    sheets: list[Path] = []
    issues: list[Issue] = []
    for path in entries:
        rel = path.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in rel.parts) or _hidden_on_windows(path):
            continue
        link = path.is_symlink()
        try:
            target = path.resolve() if link else path
        except (OSError, RuntimeError):  # a link loop
            issues.append(
                Issue(
                    IssueCode.NOT_A_SHEET,
                    ERROR if name_issue(path) is None else WARNING,
                    Msg("a link that points to itself (a loop): not read"),
                    CellRef(str(path)),
                )
            )
            continue
        if link and path.is_dir():
            issues.append(
                Issue(
                    IssueCode.LINK_NOT_FOLLOWED,
                    WARNING,
                    Msg(
                        "a link to the folder {target}: linked folders are never entered",
                        target=str(target),
                    ),
                    CellRef(str(path)),
                )
            )
            continue
        if link and not follow_links and target.exists() and not target.is_relative_to(inside):
            issues.append(
                Issue(
                    IssueCode.LINK_NOT_FOLLOWED,
                    ERROR,
                    Msg(
                        "a link to {target}, outside the folder: not followed (copy the file "
                        "in, or pass --follow-links)",
                        target=str(target),
                    ),
                    CellRef(str(path)),
                )
            )
            continue
        if path.is_dir():
            if not recursive:
                issues.append(
                    Issue(
                        IssueCode.SUBFOLDER_NOT_READ,
                        WARNING,
                        Msg("subfolder not read (use --recursive to grade its sheets)"),
                        CellRef(str(path)),
                    )
                )
            continue
        if not path.is_file():
            sheet_name = name_issue(path) is None
            issues.append(
                Issue(
                    IssueCode.NOT_A_SHEET,
                    ERROR if sheet_name else WARNING,
                    Msg("a broken link: the file it points to does not exist")
                    if link
                    else Msg("ignored: not a regular file"),
                    CellRef(str(path)),
                )
            )
            continue
        if path.name == LOCAL_RUBRIC:
            continue
        problem = name_issue(path)
        if problem is None:
            sheets.append(path)
        else:
            issues.append(problem)
    return _read_once(sheets, issues)


def _read_once(sheets: list[Path], issues: list[Issue]) -> tuple[list[Path], list[Issue]]:
    """One path per file: a link to a file also in the list is not read again."""
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


def _walk(folder: Path) -> list[Path]:
    """Every entry below `folder`, without going into linked folders."""
    out: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        out.extend(Path(root) / d for d in dirs)
        out.extend(Path(root) / f for f in files)
    return out


def _hidden_on_windows(path: Path) -> bool:
    """Windows marks hidden files with an attribute, not a leading dot."""
    try:
        attributes = getattr(path.lstat(), "st_file_attributes", 0)
    except OSError:
        return False
    return bool(attributes & stat.FILE_ATTRIBUTE_HIDDEN)


def read_sheets(
    paths: Sequence[Path], advance: Callable[[int], None] | None = None, jobs: int | None = None
) -> list[SheetData | Issue]:
    """Read every sheet, in worker processes (isolate.py: no file can crash or hang the batch);
    a file that cannot be read becomes an error Issue in its place."""
    return [
        _issue(r) if isinstance(r, WorkbookError) else r
        for r in read_isolated(paths, jobs, advance)
    ]


def _issue(error: WorkbookError) -> Issue:
    return Issue(error.code, ERROR, error.message, error.where)


@dataclass(frozen=True)
class Graded:
    """What a worker sends back for one file: the unit's result before the roster check and the
    group pass (or the issue that says why there is none), and the rubric the sheet records."""

    outcome: UnitResult | Issue
    made: tuple[str, str] | None
    """(rubric id, version) the sheet was made from; None if it lost its hidden record."""
    checked: bool = False
    """The result is to be checked against the roster (see `_grade_unit`)."""
    bug: str | None = None
    """The traceback of an error in ictscore's grading code (not the file's fault): raised
    again where results are gathered, as grading in process would."""


_WORKER: dict[str, Any] = {}
"""A worker's rubric (set once by `_setup_grading`)."""


def _setup_grading(rubric: Rubric) -> None:
    _WORKER.update(rubric=rubric)


def _grade_path(path: str) -> Graded:
    """Read and grade one file, in a worker: only the result travels back, not the sheet."""
    sheet = read_workbook(path, path)
    made = None
    if not sheet.recovered:
        made = (sheet.meta.get("rubric_id", "?"), sheet.meta.get("rubric_version", "?"))
    try:
        graded = _grade_unit(_WORKER["rubric"], sheet)
    except Exception:  # noqa: BLE001 - ictscore's own bug, not the file's: said as such
        return Graded(_no_unit_code(sheet), made, bug=traceback.format_exc())
    if graded is None:
        return Graded(_no_unit_code(sheet), made)
    return Graded(graded[0], made, graded[1])


def grade_files(
    paths: Sequence[str | Path],
    rubric: Rubric,
    roster: Roster | Callable[[], Roster | None] | None = None,
    jobs: int | None = None,
    advance: Callable[[int], None] | None = None,
) -> tuple[list[UnitResult | Issue], Counter[tuple[str, str]]]:
    """Read and grade every file in worker processes (`jobs`, default one per core), a sheet
    at a time: what is kept is each unit's result, never the sheet, so memory does not grow
    with the sheets' size. Returns the outcomes in the order of `paths` (the same whatever
    `jobs` is), ready for `assemble`, and how many sheets recorded each (rubric id, version).

    The roster is applied here, as results come back, not in the workers. It may be given as a
    function that loads it: it is then called once the workers have started, so that they are
    not forked with a copy of a national roster (and an error it raises stops the batch)."""
    made: Counter[tuple[str, str]] = Counter()
    shared: dict[Any, Any] = {}
    listed: Roster | None = None if callable(roster) else roster

    def started() -> None:
        nonlocal listed
        if callable(roster):
            listed = roster()

    def keep(done: Graded | WorkbookError) -> UnitResult | Issue:  # as each comes back
        if isinstance(done, WorkbookError):
            return _issue(done)
        if done.bug is not None:
            raise RuntimeError(f"ictscore failed while grading a sheet:\n{done.bug}")
        if done.made is not None:
            made[done.made] += 1
        outcome = done.outcome
        if isinstance(outcome, Issue):
            return outcome
        if listed is not None and done.checked:
            outcome = _with_roster(rubric, outcome, listed)
        return compact(outcome, shared)

    outcomes = run_isolated(
        paths,
        _grade_path,
        jobs,
        advance,
        setup=_setup_grading,
        setup_args=(rubric,),
        keep=keep,
        started=started,
    )
    return outcomes, made


def compact(result: UnitResult, shared: dict[Any, Any]) -> UnitResult:
    """The same result, holding one copy of what thousands of results repeat. Its mappings
    share their keys already (Keyed, Inputs); here equal numbers become one Decimal (a result
    that came back from a worker has its own copy of each) and codes are interned."""

    def values(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            shared.setdefault((str(v),), v) if isinstance(v, Decimal) else v for v in items
        )

    held: dict[int, Keyed[Any]] = {}

    def keyed(mapping: Mapping[str, Any]) -> Keyed[Any]:
        k = Keyed.of(mapping)
        if not k:
            return k  # the one empty Keyed
        if id(k) not in held:  # points and self-points are often one mapping: kept one
            held[id(k)] = Keyed.from_tuples(tuple(k), values(k.values_tuple))
        return held[id(k)]

    inputs = result.inputs
    assert isinstance(inputs, Inputs)
    return dataclasses.replace(
        result,
        code=sys.intern(result.code),
        group=sys.intern(result.group),
        parent=sys.intern(result.parent) if result.parent else None,
        points=keyed(result.points),
        self_points=keyed(result.self_points),
        subtotals=keyed(result.subtotals),
        measures=keyed(result.measures),
        self_measures=keyed(result.self_measures),
        evidence=Keyed.of(result.evidence),
        appraisal=Keyed.of(result.appraisal),
        not_applicable=Keyed.of(result.not_applicable),
        inputs=Inputs.from_tuples(inputs.slots_tuple, values(inputs.values_tuple)),
    )


def pick_rubric(
    explicit: str | None,
    paths: Sequence[Path],
    beside: Path,
    warn: Callable[[Finding], None] | None = None,
    jobs: int | None = None,
) -> tuple[Rubric, bool]:
    """The rubric to grade `paths` with, as `resolve_rubric` decides, reading no more sheets
    than it takes: none with `--rubric` or a rubric.yaml beside them, else up to the first
    sheet that records its rubric. Returns (rubric, whether it came from a sheet: then every
    sheet must record the same, see `check_made`)."""
    if explicit or (beside / LOCAL_RUBRIC).is_file():
        return resolve_rubric(explicit, [], beside, warn), False
    read: list[SheetData | Issue] = []
    start, step = 0, 2
    while start < len(paths):
        batch = read_sheets(paths[start : start + step], jobs=jobs)
        read.extend(batch)
        if any(isinstance(s, SheetData) and not s.recovered for s in batch):
            break
        start, step = start + step, step * 4
    try:
        return resolve_rubric(None, read, beside, warn), True
    except IctscoreError:  # say what all the sheets say (different rubrics?), not the first
        if start + step >= len(paths):
            raise
        read.extend(read_sheets(paths[start + step :], jobs=jobs))
        return resolve_rubric(None, read, beside, warn), True


def check_made(made: Counter[tuple[str, str]], beside: Path) -> None:
    """Raises IctscoreError if the sheets were made from different rubrics."""
    if len(made) > 1:
        raise _different_rubrics(made, beside)


def _different_rubrics(made: Counter[tuple[str, str]], beside: Path) -> IctscoreError:
    listed = "; ".join(
        f"{rid} version {ver} ({n} sheet{'s' if n > 1 else ''})"
        for (rid, ver), n in made.most_common()
    )
    return IctscoreError(
        f"{beside}: the sheets were made from different rubrics: {listed}. "
        "Pass --rubric FILE to grade them all against one (sheets from the "
        "others are then reported as errors)"
    )


def resolve_rubric(
    explicit: str | None,
    sheets: Sequence[SheetData | Issue],
    beside: Path,
    warn: Callable[[Finding], None] | None = None,
) -> Rubric:
    """The rubric to grade with: `--rubric` if given, else `rubric.yaml` beside the sheets,
    else the bundled rubric the sheets record. Sheets from different rubrics are an error.

    `sheets` is what `read_sheets` returned: its Issues explain why nothing was readable."""
    if explicit:
        return load_rubric(explicit, warn)
    local = beside / LOCAL_RUBRIC
    if local.is_file():
        return load_rubric(local, warn)
    made = Counter(
        (s.meta.get("rubric_id", "?"), s.meta.get("rubric_version", "?"))
        for s in sheets
        if isinstance(s, SheetData) and not s.recovered
    )
    if not made and any(isinstance(s, SheetData) for s in sheets):
        raise IctscoreError(
            f"{beside}: the sheets have lost their hidden record of the rubric (copied into "
            "another workbook?): pass --rubric FILE"
        )
    if not made:
        unread = [str(s) for s in sheets if isinstance(s, Issue)]
        why = f" ({len(unread)} unreadable: {'; '.join(unread[:3])})" if unread else ""
        raise IctscoreError(
            f"{beside}: no readable score sheet records its rubric{why}; pass --rubric FILE"
        )
    if len(made) > 1:
        raise _different_rubrics(made, beside)
    ((rid, version),) = made
    path = bundled_rubric_path(rid)
    if path is None:
        raise IctscoreError(
            f"{beside}: the sheets were made from rubric {rid} version "
            f"{version}, which is not bundled, and there is no {LOCAL_RUBRIC} "
            "beside them: pass --rubric FILE"
        )
    rubric = load_rubric(path, warn)
    if rubric.version != version:
        raise IctscoreError(
            f"{beside}: the sheets were made from rubric {rid} version {version}"
            f", but the bundled one is version {rubric.version}: pass --rubric "
            "FILE"
        )
    return rubric


def grade_sheets(
    rubric: Rubric,
    sheets: Sequence[SheetData | Issue],
    roster: Roster | None = None,
    issues: Sequence[Issue] = (),
    appraisal: AppraisalSheet | None = None,
    self_check: bool = False,
) -> Report:
    """Grade sheets already read: validate, apply the appraisal, normalise within groups, total,
    classify, rank (`grade_sheet` on each, then `assemble`).

    `sheets` may hold Issues for files that could not be read; they and `issues` become the
    report's batch-level issues. With a roster, units without a sheet are listed as missing.
    `self_check`: a unit checks its own sheet (a required appraisal is not asked for).
    """
    outcomes = [s if isinstance(s, Issue) else grade_sheet(rubric, s, roster) for s in sheets]
    return assemble(rubric, outcomes, roster, issues, appraisal, self_check)


def grade_sheet(
    rubric: Rubric, sheet: SheetData, roster: Roster | None = None
) -> UnitResult | Issue:
    """One sheet validated and scored for its unit, before the group pass (normalised criteria
    and totals wait for `assemble`); an Issue if the sheet names no unit."""
    result = _grade_one(rubric, sheet, roster)
    return _no_unit_code(sheet) if result is None else result


def _no_unit_code(sheet: SheetData) -> Issue:
    return Issue(
        IssueCode.NO_UNIT_CODE,
        ERROR,
        Msg("the sheet records no unit code; was it made with `ictscore template`?"),
        CellRef(sheet.file),
    )


def assemble(
    rubric: Rubric,
    outcomes: Iterable[UnitResult | Issue],
    roster: Roster | None = None,
    issues: Sequence[Issue] = (),
    appraisal: AppraisalSheet | None = None,
    self_check: bool = False,
) -> Report:
    """The Report from every sheet's outcome (`grade_sheet`, in file order): duplicate units,
    units without a sheet, the appraisal, the group pass, ranks. Pure."""
    batch_issues = list(issues)
    by_code: dict[str, list[UnitResult]] = defaultdict(list)
    for outcome in outcomes:
        if isinstance(outcome, Issue):
            batch_issues.append(outcome)
        else:
            by_code[outcome.code].append(outcome)

    results: list[UnitResult] = []
    for code, found in by_code.items():
        if len(found) == 1:
            results.append(found[0])
            continue
        files = ", ".join(str(r.file) for r in found)
        dup = [
            Issue(
                IssueCode.DUPLICATE_UNIT,
                ERROR,
                Msg(
                    "{count} sheets for unit {code} ({files}); keep one",
                    count=len(found),
                    code=code,
                    files=files,
                ),
                CellRef(str(r.file)),
            )
            for r in found
        ]
        results.append(
            dataclasses.replace(
                found[0],
                status=Status.INVALID,
                total=None,
                band=None,
                points={},
                subtotals={},
                inputs={},
                evidence={},
                issues=(*dup, *(i for r in found for i in r.issues)),
            )
        )
    if roster is not None:
        for unit in roster.units:
            if unit.code not in by_code:
                missing = Issue(
                    IssueCode.NOT_SUBMITTED,
                    ERROR,
                    Msg(
                        "no sheet for unit {code} {name} (not submitted)",
                        code=unit.code,
                        name=unit.display_name,
                    ),
                )
                results.append(UnitResult.of(unit, Status.MISSING, issues=(missing,)))
    results, form_issues = apply_appraisal(rubric, results, appraisal, self_check)
    batch_issues.extend(form_issues)
    results, references = settle(rubric, results)
    return Report(
        rubric.id,
        rubric.version,
        rubric.content_hash,
        _ranked(rubric, results),
        tuple(batch_issues),
        tuple(references),
    )


def settle(
    rubric: Rubric, results: Sequence[UnitResult]
) -> tuple[list[UnitResult], list[Reference]]:
    """The group pass: points of normalised criteria against the best unit of each group (over
    its graded units), then every graded unit's totals and band, and the self-score total."""
    out: list[UnitResult] = []
    references: list[Reference] = []
    shared: dict[tuple[str], Decimal] = {}  # one Decimal per value: 10,000 units repeat them
    graded: dict[str, list[UnitResult]] = defaultdict(list)
    for r in results:
        (graded[r.group] if r.status is Status.GRADED else out).append(r)
    order = {g.id: i for i, g in enumerate(rubric.groups)}
    for group, members in sorted(graded.items(), key=lambda kv: order.get(kv[0], len(order))):
        points, refs = normalise(rubric, group, {r.code: r.measures for r in members})
        references.extend(refs)
        # the self-scores: every unit's own figures, normalised against the best own figure
        # (not the appraised ones, nor leaving out what the council marked not applicable)
        own_points, _ = normalise(rubric, group, {r.code: r.self_measures for r in members})
        for r in members:
            final = _merged(r.points, points[r.code])
            totals = total_up(rubric, group, final, frozenset(r.not_applicable))
            self_points = _merged(r.self_points, own_points[r.code])
            if self_points == final:  # no appraisal: one mapping for both
                self_points = final
            if self_points is final and not r.not_applicable:
                self_total = totals.total
            else:
                self_total = total_up(rubric, group, self_points).total
            subtotals = {k: shared.setdefault((str(v),), v) for k, v in totals.subtotals.items()}
            out.append(
                finish(
                    rubric,
                    r,
                    dataclasses.replace(totals, subtotals=subtotals),
                    points=final,
                    self_points=self_points,
                    self_total=self_total,
                )
            )
    return out, references


def _merged(points: Mapping[str, Decimal], more: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    """`points` updated with `more`: the same dict when there is nothing to add (most units:
    thousands of results share what they can)."""
    if not more:
        return points
    return points.updated(more) if isinstance(points, Keyed) else {**points, **more}


def _grade_one(rubric: Rubric, sheet: SheetData, roster: Roster | None) -> UnitResult | None:
    """The sheet's result for its unit (None if it names none): validated and scored for the
    unit its record names, then checked against the roster."""
    graded = _grade_unit(rubric, sheet)
    if graded is None:
        return None
    result, checked = graded
    return _with_roster(rubric, result, roster) if roster is not None and checked else result


def _grade_unit(rubric: Rubric, sheet: SheetData) -> tuple[UnitResult, bool] | None:
    """(the result for the unit the sheet names, whether it is to be checked against a roster:
    not when the sheet was made from another rubric); None if the sheet names no unit. Needs
    no roster: a worker process does this, the roster is applied where the results are
    gathered (`_with_roster`)."""
    meta = sheet.meta
    code = meta.get("unit_code", "")
    if not code:
        return None
    unit = Unit(
        code,
        meta.get("unit_name") or code,
        meta.get("unit_group", ""),
        meta.get("unit_parent") or None,
        meta.get("unit_parent_name") or None,
    )
    origin = check_origin(rubric, sheet)  # first: another rubric's groups mean nothing here
    if origin:
        return UnitResult.of(unit, Status.INVALID, sheet.file, tuple(origin)), False
    pre: list[Issue] = []
    where = CellRef(sheet.file)
    if sheet.recovered:
        label = meta.get("unit_group_label", "")
        group = next((g.id for g in rubric.groups if g.label.casefold() == label.casefold()), label)
        parent_name = meta.get("unit_parent_name") or None
        # the heading names the parent, not its code: the name groups units by parent
        unit = dataclasses.replace(unit, group=group, parent=parent_name, parent_name=parent_name)
        pre.append(
            Issue(
                IssueCode.NO_RECORD,
                WARNING,
                Msg(
                    "the template's hidden record is missing (the sheet was copied into another "
                    "workbook?): read by its criterion ids, with the unit from its heading; the "
                    "rubric version it was made from cannot be checked against {id} {version}",
                    id=rubric.id,
                    version=rubric.version,
                ),
                where,
            )
        )
    pre.extend(_group_issues(rubric, unit, where))
    if any(i.is_error for i in pre):
        return UnitResult.of(unit, Status.INVALID, sheet.file, tuple(pre)), True
    result = evaluate_sheet(rubric, sheet, unit)
    return (dataclasses.replace(result, issues=(*pre, *result.issues)) if pre else result), True


def _group_issues(rubric: Rubric, unit: Unit, where: CellRef) -> list[Issue]:
    if rubric.group(unit.group) is not None:
        return []
    return [
        Issue(
            IssueCode.UNKNOWN_GROUP,
            ERROR,
            Msg(
                "group '{group}' of unit {code} is not in rubric {id}",
                group=unit.group,
                code=unit.code,
                id=rubric.id,
            ),
            where,
        )
    ]


def _with_roster(rubric: Rubric, result: UnitResult, roster: Roster) -> UnitResult:
    """A sheet's result checked against the roster: its unit must be listed, in the group the
    sheet was made for (else the unit is invalid, with only those problems and what was said
    of the sheet's record); its name and parent are the roster's."""
    listed = roster.get(result.code)
    where = CellRef(result.file or "")
    pre = [i for i in result.issues if i.code == IssueCode.NO_RECORD]
    unit = Unit(result.code, result.name, result.group, result.parent, result.parent_name)
    if listed is None:
        pre.append(
            Issue(
                IssueCode.UNKNOWN_UNIT,
                ERROR,
                Msg(
                    "unit code {code} is not in the roster {roster}",
                    code=result.code,
                    roster=str(roster.source),
                ),
                where,
            )
        )
        pre.extend(_group_issues(rubric, unit, where))
        return UnitResult.of(unit, Status.INVALID, result.file, tuple(pre))
    if listed.group != result.group:
        pre.append(
            Issue(
                IssueCode.GROUP_MISMATCH,
                ERROR,
                Msg(
                    "the sheet was made for group {group}, but the roster puts unit "
                    "{code} in group {listed}: make a new template",
                    group=result.group,
                    code=result.code,
                    listed=listed.group,
                ),
                where,
            )
        )
        pre.extend(_group_issues(rubric, listed, where))
        return UnitResult.of(listed, Status.INVALID, result.file, tuple(pre))
    return dataclasses.replace(
        result,
        code=listed.code,
        name=listed.name,
        group=listed.group,
        parent=listed.parent,
        parent_name=listed.parent_name,
    )


def _ranked(rubric: Rubric, results: list[UnitResult]) -> tuple[UnitResult, ...]:
    """Ranks within each group (and within parents where the group says so), on the total and
    then the rubric's tie-breaks; units the rubric lists as unranked are scored, not ranked.
    Order: rubric's groups, then ranked, unranked, invalid, missing."""
    order = {g.id: i for i, g in enumerate(rubric.groups)}
    status_order = {Status.GRADED: 0, Status.INVALID: 2, Status.MISSING: 3}
    keys: dict[str, dict[str, tuple[Decimal, ...]]] = defaultdict(dict)
    by_parent: dict[tuple[str, str | None], dict[str, tuple[Decimal, ...]]] = defaultdict(dict)
    for r in results:
        if r.status is not Status.GRADED or rubric.unranked_reason(r.code) is not None:
            continue
        assert r.total is not None
        key = ranking_key(rubric, r.total, r.subtotals, r.points)
        keys[r.group][r.code] = key
        group = rubric.group(r.group)
        if group is not None and group.rank_within == "parent":
            by_parent[(r.group, r.parent)][r.code] = key
    ranks: dict[str, int] = {}
    for units in keys.values():
        ranks.update(rank_units(units))
    parent_ranks: dict[str, int] = {}
    for units in by_parent.values():
        parent_ranks.update(rank_units(units))
    final = []
    for r in results:
        reason = rubric.unranked_reason(r.code)
        if r.status is Status.GRADED and reason is not None:
            r = dataclasses.replace(r, unranked=reason)
        elif r.status is Status.GRADED:
            r = dataclasses.replace(r, rank=ranks[r.code], parent_rank=parent_ranks.get(r.code))
        final.append(r)
    final.sort(
        key=lambda r: (
            order.get(r.group, len(order)),
            status_order[r.status] + (1 if r.unranked else 0),
            r.rank or 0,
            r.code,
        )
    )
    return tuple(final)
