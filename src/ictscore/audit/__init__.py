"""The audit of a ranking (`ictscore audit`): pure computations over a results file.

A results file (the JSON contract of `grade`, "ictscore-report/1") and the rubric it was graded
with give, per group:

- criteria.py    each criterion's mean, spread, shares at the maximum and at zero, correlation
                 with the total, share of the total's variance, and the flags on them
- copies.py      pairs of sheets whose inputs or evidence texts are the same
- outliers.py    input values far outside their group (median and MAD)
- montecarlo.py  ranks and bands re-worked under perturbed weights (numpy, imported here only)
- boundary.py    the units whose band hangs on rounding or on a single appraisal cut
- texts.py       what each finding says, in Vietnamese
- frame.py       the graded units of a group, read once from the results file
- run.py         `AuditOptions` and `audit`: everything above, as the JSON "ictscore-audit/1"
"""

from __future__ import annotations
