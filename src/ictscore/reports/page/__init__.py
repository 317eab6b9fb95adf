"""The results page (--output results.html): one self-contained HTML page for the portal.

No network: the style sheet, the script that sorts the tables and pins their key columns, and
the charts are inline. Read on a laptop and on a phone: rank, unit, total and band stay on
screen at any width (`style` says how). `document.build_html` writes it; `charts` draws the
band chart, the totals and their distribution; `style` holds the CSS and the script.
"""

from __future__ import annotations

from ictscore.reports.page.document import build_html

__all__ = ["build_html"]
