"""Choosing the rubric to grade with: `--rubric`, else a rubric.yaml beside the sheets, else the
bundled rubric the sheets record (all the same one, and of the bundled version).

Reads no more sheets than it takes (`pick_rubric`); a rubric that cannot be chosen is a
RubricChoiceError that says what to pass instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from ictscore.errors import IctscoreError, RubricChoiceError
from ictscore.grading.discovery import LOCAL_RUBRIC
from ictscore.grading.workers import read_sheets
from ictscore.issues import Finding, Issue
from ictscore.rubric.load import bundled_rubric_path, load_rubric
from ictscore.rubric.model import Rubric
from ictscore.sheets.reader import SheetData


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
    """Raises RubricChoiceError if the sheets were made from different rubrics."""
    if len(made) > 1:
        raise _different_rubrics(made, beside)


def _different_rubrics(made: Counter[tuple[str, str]], beside: Path) -> RubricChoiceError:
    listed = "; ".join(
        f"{rid} version {ver} ({n} sheet{'s' if n > 1 else ''})"
        for (rid, ver), n in made.most_common()
    )
    return RubricChoiceError(
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
        raise RubricChoiceError(
            f"{beside}: the sheets have lost their hidden record of the rubric (copied into "
            "another workbook?): pass --rubric FILE"
        )
    if not made:
        unread = [str(s) for s in sheets if isinstance(s, Issue)]
        why = f" ({len(unread)} unreadable: {'; '.join(unread[:3])})" if unread else ""
        raise RubricChoiceError(
            f"{beside}: no readable score sheet records its rubric{why}; pass --rubric FILE"
        )
    if len(made) > 1:
        raise _different_rubrics(made, beside)
    ((rid, version),) = made
    path = bundled_rubric_path(rid)
    if path is None:
        raise RubricChoiceError(
            f"{beside}: the sheets were made from rubric {rid} version "
            f"{version}, which is not bundled, and there is no {LOCAL_RUBRIC} "
            "beside them: pass --rubric FILE"
        )
    rubric = load_rubric(path, warn)
    if rubric.version != version:
        raise RubricChoiceError(
            f"{beside}: the sheets were made from rubric {rid} version {version}"
            f", but the bundled one is version {rubric.version}: pass --rubric "
            "FILE"
        )
    return rubric
