"""Reports: labels, the table model, JSON/CSV, the terminal, plain text, the workbook, the page,
feedback to units and the year-on-year comparison.

Imports every earlier stage; nothing but the CLI imports it. Inside, in layers (import-linter
checks them): export.py (the file format by suffix) → the writers, none importing another
(terminal, plain, workbook, page, feedback, data) → tables.py (the ranked table of each group,
built once) → summary.py (figures per group) → labels.py and files.py.
"""
