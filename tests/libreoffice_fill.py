"""Fill an ictscore template through LibreOffice, as a unit using LibreOffice Calc would.

Run by the SYSTEM Python (the one with LibreOffice's `uno` module), not by pytest:

    /usr/bin/python3 tests/libreoffice_fill.py TEMPLATE.xlsx OUT.xlsx VALUES.json

VALUES.json is {"cells": {"E9": 18, "F9": 20, "E11": "Có", ...}}: addresses on the sheet
"Bảng điểm"; numbers are set with setValue, text with setString. The script starts a private
headless soffice (own user profile, free port), sets the cells, recalculates (calculateAll),
stores OUT.xlsx with the "Calc Office Open XML" filter and always shuts soffice down.
Exits 0 on success; on any failure prints a message to stderr and exits non-zero.

`uno` is imported only inside functions, so merely parsing or importing this file has no effect.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCORE_SHEET = "Bảng điểm"
FILTER = "Calc Office Open XML"
FILTERS = {".xls": "MS Excel 97", ".ods": "calc8", ".xlsx": FILTER}
"""LibreOffice export filters by the output's suffix (.xls: Excel 97-2003; .ods: OpenDocument)."""
CONNECT_TIMEOUT = 30.0
"""Seconds to wait for soffice to accept connections."""
SHUTDOWN_TIMEOUT = 10.0


class FillError(Exception):
    """A failure with a message for the user."""


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(
            "usage: python3 libreoffice_fill.py TEMPLATE.xlsx OUT.xlsx VALUES.json",
            file=sys.stderr,
        )
        return 2
    template, out, values_file = (Path(a).resolve() for a in argv)
    try:
        cells = _read_values(values_file)
        if not template.is_file():
            raise FillError(f"{template}: no such template file")
        if not out.parent.is_dir():
            raise FillError(f"{out.parent}: the output folder does not exist")
        fill(template, out, cells)
    except FillError as exc:
        print(f"libreoffice_fill: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a UNO exception or anything unexpected: still a clear message
        print(f"libreoffice_fill: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def _read_values(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FillError(f"{path}: cannot read the values: {exc}") from exc
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, dict):
        raise FillError(f'{path}: expected {{"cells": {{"E9": 18, ...}}}}')
    for address, value in cells.items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise FillError(f"{path}: cell {address}: expected a number or text, found {value!r}")
    return cells


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fill(template: Path, out: Path, cells: dict[str, Any]) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise FillError("soffice (LibreOffice) is not on PATH")
    profile = Path(tempfile.mkdtemp(prefix="ictscore-lo-"))
    port = _free_port()
    log = (profile / "soffice.log").open("wb")
    proc = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
            f"-env:UserInstallation={profile.as_uri()}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # soffice → oosplash → soffice.bin: stop the whole group
    )
    desktop = None
    try:
        desktop = _connect(proc, port, profile)
        _fill_document(desktop, template, out, cells)
    finally:
        _shutdown(proc, desktop)
        log.close()
        shutil.rmtree(profile, ignore_errors=True)


def _connect(proc: subprocess.Popen[bytes], port: int, profile: Path) -> Any:
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        if proc.poll() is not None:
            output = (profile / "soffice.log").read_text(errors="replace").strip()
            raise FillError(
                f"soffice exited with status {proc.returncode} before accepting connections"
                + (f": {output}" if output else "")
            )
        try:
            ctx = resolver.resolve(url)
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                raise FillError(
                    f"soffice did not accept connections on port {port} "
                    f"within {CONNECT_TIMEOUT:.0f} s"
                ) from None
            time.sleep(0.25)
    return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def _props(**values: Any) -> tuple[Any, ...]:
    import uno

    out = []
    for name, value in values.items():
        prop = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


def _fill_document(desktop: Any, template: Path, out: Path, cells: dict[str, Any]) -> None:
    import uno

    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(str(template)), "_blank", 0, _props(Hidden=True, ReadOnly=False)
    )
    if doc is None:
        raise FillError(f"{template}: LibreOffice could not load the file")
    try:
        sheets = doc.Sheets
        if not sheets.hasByName(SCORE_SHEET):
            names = ", ".join(sheets.ElementNames)
            raise FillError(f'{template}: no sheet "{SCORE_SHEET}" (found: {names})')
        sheet = sheets.getByName(SCORE_SHEET)
        unprotected = False
        for address, value in cells.items():
            try:
                _set(sheet, address, value)
            except FillError:
                raise
            except Exception as exc:
                if unprotected or not sheet.isProtected():
                    raise FillError(f"cell {address}: cannot set {value!r}: {exc}") from exc
                # The API refused because of protection: templates have no password.
                sheet.unprotect("")
                unprotected = True
                _set(sheet, address, value)
        if unprotected:
            sheet.protect("")
        doc.calculateAll()
        doc.storeToURL(
            uno.systemPathToFileUrl(str(out)),
            _props(FilterName=FILTERS.get(out.suffix.lower(), FILTER), Overwrite=True),
        )
    finally:
        with contextlib.suppress(Exception):
            doc.close(True)


def _set(sheet: Any, address: str, value: Any) -> None:
    try:
        cell = sheet.getCellRangeByName(address)
    except Exception as exc:
        raise FillError(f"{address!r} is not a cell address on {SCORE_SHEET!r}") from exc
    if isinstance(value, str):
        cell.setString(value)
    else:
        cell.setValue(float(value))


def _shutdown(proc: subprocess.Popen[bytes], desktop: Any) -> None:
    """Ask soffice to quit, then terminate, then kill its process group."""
    if desktop is not None:
        with contextlib.suppress(Exception):  # the bridge drops while soffice quits
            desktop.terminate()
    try:
        proc.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
    # soffice.bin may outlive oosplash; the group is ours alone (start_new_session)
    _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
