"""`audit`: every measure of the audit over a results file, as the JSON "ictscore-audit/1".

The Monte Carlo (numpy) runs only when `runs` > 0, and is imported only then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ictscore.audit.boundary import boundary_units
from ictscore.audit.copies import CopyOptions, copied_pairs
from ictscore.audit.criteria import CriteriaOptions, criteria_flags, criteria_measures
from ictscore.audit.frame import GroupFrame, group_frames
from ictscore.audit.outliers import OutlierOptions, outliers
from ictscore.audit.texts import boundary_text, copy_text, flag_text, outlier_text
from ictscore.errors import UsageError
from ictscore.rubric.model import Rubric

FORMAT = "ictscore-audit/1"


@dataclass(frozen=True)
class AuditOptions:
    criteria: CriteriaOptions = field(default_factory=CriteriaOptions)
    copies: CopyOptions = field(default_factory=CopyOptions)
    outliers: OutlierOptions = field(default_factory=OutlierOptions)
    runs: int = 1000
    seed: int = 0
    weights: float = 0.2
    """Each criterion's weight varies uniformly within ±weights (0.2: ±20%)."""
    margin: float | None = None
    """How close to a band's min a total hangs on rounding; None: one step of the precision."""


def audit(data: Mapping[str, Any], rubric: Rubric, options: AuditOptions) -> dict[str, Any]:
    """The audit of a results file (checked by `reports.compare.load_results`) graded with
    `rubric`."""
    head = data["rubric"]
    precision = int(head.get("precision") if head.get("precision") is not None else 2)
    margin = options.margin if options.margin is not None else 10.0**-precision
    bands = [b for b in data.get("bands", []) if "id" in b]
    labels = {str(b["id"]): str(b.get("label") or b["id"]) for b in bands}
    settings = {
        "criteria": asdict(options.criteria),
        "copies": asdict(options.copies),
        "outliers": asdict(options.outliers),
        "monte_carlo": {"runs": options.runs, "seed": options.seed, "weights": options.weights},
        "rounding_margin": margin,
    }
    groups = [
        _group(frame, bands, labels, precision, margin, options, settings)
        for frame in group_frames(data, rubric)
    ]
    return {
        "format": FORMAT,
        "rubric": {k: head.get(k) for k in ("id", "version", "title", "year", "precision")},
        "bands": [
            {"id": b["id"], "label": labels[str(b["id"])], "min": b.get("min")} for b in bands
        ],
        "settings": settings,
        "groups": groups,
    }


def _group(
    frame: GroupFrame,
    bands: list[Mapping[str, Any]],
    labels: Mapping[str, str],
    precision: int,
    margin: float,
    options: AuditOptions,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    rows = criteria_measures(frame)
    flags = criteria_flags(frame, rows, options.criteria)
    for flag in flags:
        flag["text"] = flag_text(flag)
    pairs = copied_pairs(frame, options.copies)
    for pair in pairs:
        pair["text"] = copy_text(pair, settings["copies"])
    found = outliers(frame, options.outliers)
    for o in found:
        o["text"] = outlier_text(o, options.outliers.z)
    edge = boundary_units(frame, bands, margin)
    for b in edge:
        b["text"] = boundary_text(b, labels)
    ranks: list[dict[str, Any]] = []
    if options.runs > 0 and frame.units:
        try:
            from ictscore.audit.montecarlo import MonteCarloOptions, simulate
        except ImportError as exc:  # numpy is the `audit` extra
            raise UsageError(
                "the Monte Carlo of ranks and bands needs numpy: pip install 'ictscore[audit]' "
                "(or --runs 0 to audit without it)"
            ) from exc

        mins = [None if b.get("min") is None else float(b["min"]) for b in bands]
        mc = MonteCarloOptions(options.runs, options.seed, options.weights)
        ranks = simulate(frame, mins, precision, mc)
    return {
        "id": frame.id,
        "label": frame.label,
        "units": len(frame.units),
        "criteria": rows,
        "flags": flags,
        "copies": pairs,
        "outliers": found,
        "ranks": ranks,
        "boundary": edge,
    }
