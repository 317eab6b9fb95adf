"""Writing outputs safely: every file through a temporary file beside the target, renamed
over it (`atomic_write`), and text a spreadsheet program would run as a formula kept as text
(`safe_text`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ictscore.errors import ExportError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def atomic_write(path: Path, write: Callable[[Path], None], overwrite: bool = False) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it over `path`.

    Raises ExportError if `path` exists and not `overwrite`, or on any OS error; a failed write
    leaves no temporary file and does not touch an existing `path`.
    """
    if path.exists() and not overwrite:
        raise exists_error(path)
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # NOTE: mkstemp creates the file readable by its owner only; an output is an ordinary
        # file (a results page is published), so give it the permissions the umask gives
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def exists_error(path: Path) -> ExportError:
    """The refusal to overwrite an output the user did not say may go."""
    return ExportError(f"{path}: already exists (use --force to overwrite)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str, overwrite: bool = False) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="")

    atomic_write(path, write, overwrite)


def save_workbook(wb: Any, path: Path, overwrite: bool = False) -> None:
    """Save an openpyxl Workbook atomically."""
    atomic_write(path, lambda tmp: wb.save(tmp), overwrite)
