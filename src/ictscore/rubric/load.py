"""Loading rubrics: from a file, from text, or a bundled rubric by its id.

`load_rubric(path)` is the one function that reads rubric files: a path, or the id of a rubric
shipped inside the package (`tiengiang-2020`). It raises one RubricError carrying every error
found (lint.py checks the text); warnings go to a callback. `check_rubric` returns the findings
instead, for `ictscore rubric check`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Final

from ictscore.errors import RubricError
from ictscore.inputfile import InputFileError, read_input
from ictscore.issues import ERROR, Finding
from ictscore.rubric.lint import RubricCheck, check_rubric_text
from ictscore.rubric.model import Rubric

MAX_RUBRIC_BYTES: Final = 1024 * 1024
"""A rubric is tens of kilobytes (the largest bundled one: 23 KB)."""


def bundled_rubric_ids() -> list[str]:
    """The ids of the rubrics shipped inside the package."""
    folder = resources.files("ictscore.rubric") / "bundled"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def bundled_rubric_path(rubric_id: str) -> Path | None:
    """The file of a bundled rubric, or None."""
    if rubric_id not in bundled_rubric_ids():
        return None
    return Path(str(resources.files("ictscore.rubric") / "bundled" / f"{rubric_id}.yaml"))


def check_rubric(path: str | Path) -> RubricCheck:
    """Check a rubric file, or a bundled rubric by its id. Raises RubricError if it cannot be
    read or is not YAML."""
    source = str(path)
    file = Path(path)
    if not file.exists() and (bundled := bundled_rubric_path(source)) is not None:
        file = bundled
    if not file.exists() and not file.is_symlink():
        raise RubricError(source, [Finding(ERROR, source, None, "", _not_found(source))])
    try:
        text = read_input(file, MAX_RUBRIC_BYTES, "rubric").decode("utf-8")
    except InputFileError as exc:
        raise RubricError(source, [Finding(ERROR, source, None, "", str(exc))]) from exc
    except UnicodeDecodeError as exc:
        message = f"cannot read: not UTF-8 text (byte {exc.start}); save the rubric as UTF-8"
        raise RubricError(source, [Finding(ERROR, source, None, "", message)]) from exc
    return check_rubric_text(text, source)


def _not_found(name: str) -> str:
    """No such file and no such bundled rubric: the closest bundled id, and what there is."""
    known = bundled_rubric_ids()
    close = difflib.get_close_matches(Path(name).stem, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    return (
        f"no such file, and no bundled rubric of that id: {hint}--rubric takes a YAML file or "
        f"the id of a bundled rubric ({', '.join(known)})"
    )


def parse_rubric(text: str, source: str = "<rubric>") -> Rubric:
    """Parse rubric YAML text; `source` names it in messages. Raises RubricError with every
    error found (warnings are ignored here: see `check_rubric_text`)."""
    checked = check_rubric_text(text, source)
    if checked.rubric is None:
        raise RubricError(source, checked.errors)
    return checked.rubric


def load_rubric(path: str | Path, warn: Callable[[Finding], None] | None = None) -> Rubric:
    """Load a rubric from a YAML file, or a bundled rubric by its id (`tiengiang-2020`).

    Raises RubricError with every error found; `warn` is called with each warning.
    """
    checked = check_rubric(path)
    if checked.rubric is None:
        raise RubricError(checked.source, checked.errors)
    if warn is not None:
        for finding in checked.warnings:
            warn(finding)
    return checked.rubric
