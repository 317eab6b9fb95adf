"""Reports: labels, the table model, JSON/CSV, the terminal, plain text, the workbook, the page,
feedback to units and the year-on-year comparison.

Imports every earlier stage; nothing but the CLI imports it.
"""
