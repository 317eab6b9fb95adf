"""fill_workbook(wb, values): type values into a template's input cells by their defined names.

For programs that pre-fill sheets from other data, for the examples and for tests; it does what
docs/sheet-format.md tells any other program to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ictscore.sheets import layout


def fill_workbook(
    wb: Any, values: Mapping[str, Mapping[str, Any]], evidence: Mapping[str, str] | None = None
) -> None:
    """Set input cells of an openpyxl Workbook made by `build_template`.

    `values` maps a criterion id to {slot key: value}, e.g. {"1.1": {"numerator": 18,
    "denominator": 20}, "1.2": {"answer": "Có"}, "3.1": {"points": 4.5}}.
    Raises KeyError naming the defined name when the template has no such input.
    """
    for criterion_id, slots in values.items():
        for slot, value in slots.items():
            _cell(wb, layout.input_name(criterion_id, slot)).value = value
    for criterion_id, text in (evidence or {}).items():
        _cell(wb, layout.evidence_name(criterion_id)).value = text


def _cell(wb: Any, name: str) -> Any:
    if name not in wb.defined_names:
        raise KeyError(f"the workbook has no input named {name}")
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]
