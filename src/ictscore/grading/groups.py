"""The group pass: from every sheet's outcome to the Report.

Duplicate units and units without a sheet, the appraisal, then within each group the points of
normalised criteria against the group's best unit, every unit's totals and band, and the ranks.
Pure: nothing here reads a file.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from ictscore.grading import scoring
from ictscore.grading.appraisal import apply_appraisal
from ictscore.grading.appraisal_form import AppraisalSheet
from ictscore.grading.results import Keyed, Report, Status, UnitResult
from ictscore.grading.scoring import Reference, normalise, rank_units, ranking_key, total_up
from ictscore.issues import CellRef, Issue, IssueCode, Severity, cap_issues
from ictscore.messages import Msg
from ictscore.roster import Roster
from ictscore.rubric.model import Rubric

ERROR = Severity.ERROR


def assemble(
    rubric: Rubric,
    outcomes: Iterable[UnitResult | Issue],
    roster: Roster | None = None,
    issues: Sequence[Issue] = (),
    appraisal: AppraisalSheet | None = None,
    self_check: bool = False,
) -> Report:
    """The Report from every sheet's outcome (`units.grade_sheet`, in file order): duplicate
    units, units without a sheet, the appraisal, the group pass, ranks. Pure."""
    batch_issues = list(issues)
    by_code: dict[str, list[UnitResult]] = defaultdict(list)
    for outcome in outcomes:
        if isinstance(outcome, Issue):
            batch_issues.append(outcome)
        else:
            by_code[outcome.code].append(outcome)
    results = []
    for found in by_code.values():
        result, suspects = _one_per_unit(found)
        results.append(result)
        batch_issues.extend(suspects)
    if roster is not None:
        results.extend(_missing(roster, by_code))
    results, form_issues = apply_appraisal(rubric, results, appraisal, self_check)
    batch_issues.extend(cap_issues(form_issues))  # one file: bounded as a sheet's are
    results, references = settle(rubric, results)
    return Report(
        rubric.id,
        rubric.version,
        rubric.content_hash,
        _ranked(rubric, results),
        tuple(batch_issues),
        tuple(references),
        rostered=roster is not None,
        rubric=rubric,
    )


def _one_per_unit(found: list[UnitResult]) -> tuple[UnitResult, list[Issue]]:
    """The result for a unit from the sheets that claim it, and the errors for the sheets set
    aside. Several sheets: if exactly one was made for the unit (its record carries the unit's
    token, layout.unit_token), it is graded and the others are suspect; else a duplicate."""
    if len(found) == 1:
        return found[0], []
    genuine = [r for r in found if r.verified]
    if len(genuine) != 1:
        return _duplicate(found), []
    (chosen,) = genuine
    return chosen, [_suspect(r, chosen) for r in found if r is not chosen]


def _suspect(result: UnitResult, genuine: UnitResult) -> Issue:
    codes = {i.code for i in result.issues}
    if IssueCode.TOKEN_MISMATCH in codes:
        why = Msg("its hidden record's token does not match the unit code (the record was edited?)")
    elif IssueCode.NO_RECORD in codes:
        why = Msg("it has no hidden record (the sheet was copied into another workbook?)")
    else:
        why = Msg("its hidden record carries no token of the unit (a template made before tokens?)")
    return Issue(
        IssueCode.SUSPECT_SHEET,
        ERROR,
        Msg(
            "the sheet also claims unit {code}, which is graded from {genuine}, the sheet made "
            "for it; this one is suspect: {why}",
            code=result.code,
            genuine=str(genuine.file),
            why=why,
        ),
        CellRef(str(result.file)),
    )


def _duplicate(found: list[UnitResult]) -> UnitResult:
    """One invalid result for a unit that sent several sheets, saying so on each."""
    files = ", ".join(str(r.file) for r in found)
    dup = [
        Issue(
            IssueCode.DUPLICATE_UNIT,
            ERROR,
            Msg(
                "{count} sheets for unit {code} ({files}); keep one",
                count=len(found),
                code=found[0].code,
                files=files,
            ),
            CellRef(str(r.file)),
        )
        for r in found
    ]
    return dataclasses.replace(
        found[0],
        status=Status.INVALID,
        total=None,
        band=None,
        points={},
        subtotals={},
        inputs={},
        evidence={},
        issues=(*dup, *(i for r in found for i in r.issues)),
    )


def _missing(roster: Roster, found: Mapping[str, object]) -> list[UnitResult]:
    """The roster's units without a sheet."""
    missing = []
    for unit in roster.units:
        if unit.code not in found:
            issue = Issue(
                IssueCode.NOT_SUBMITTED,
                ERROR,
                Msg(
                    "no sheet for unit {code} {name} (not submitted)",
                    code=unit.code,
                    name=unit.display_name,
                ),
            )
            missing.append(UnitResult.of(unit, Status.MISSING, issues=(issue,)))
    return missing


def settle(
    rubric: Rubric, results: Sequence[UnitResult]
) -> tuple[list[UnitResult], list[Reference]]:
    """The group pass: points of normalised criteria against the best unit of each group (over
    its graded units), then every graded unit's totals and band, and the self-score total."""
    out: list[UnitResult] = []
    references: list[Reference] = []
    shared: dict[tuple[str], Decimal] = {}  # one Decimal per value: 10,000 units repeat them
    graded: dict[str, list[UnitResult]] = defaultdict(list)
    for r in results:
        (graded[r.group] if r.status is Status.GRADED else out).append(r)
    order = {g.id: i for i, g in enumerate(rubric.groups)}
    for group, members in sorted(graded.items(), key=lambda kv: order.get(kv[0], len(order))):
        points, refs = normalise(rubric, group, {r.code: r.measures for r in members})
        references.extend(refs)
        # the self-scores: every unit's own figures, normalised against the best own figure
        # (not the appraised ones, nor leaving out what the council marked not applicable)
        if all(r.self_measures is r.measures for r in members):  # no appraisal: the same
            own_points = points
        else:
            own_points, _ = normalise(rubric, group, {r.code: r.self_measures for r in members})
        for r in members:
            final = _merged(r.points, points[r.code])
            totals = total_up(rubric, group, final, frozenset(r.not_applicable))
            self_points = (
                final  # no appraisal: the same points, the same normalised ones
                if r.self_points is r.points and own_points is points
                else _merged(r.self_points, own_points[r.code])
            )
            if self_points == final:  # or an appraisal that changed nothing: one mapping
                self_points = final
            if self_points is final and not r.not_applicable:
                self_total = totals.total
            else:
                self_total = total_up(rubric, group, self_points).total
            subtotals = {k: shared.setdefault((str(v),), v) for k, v in totals.subtotals.items()}
            out.append(
                scoring.finish(
                    rubric,
                    r,
                    totals,
                    subtotals=subtotals,  # the same values, each held once
                    points=final,
                    self_points=self_points,
                    self_total=self_total,
                )
            )
    return out, references


def _merged(points: Mapping[str, Decimal], more: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    """`points` updated with `more`: the same dict when there is nothing to add (most units:
    thousands of results share what they can)."""
    if not more:
        return points
    return points.updated(more) if isinstance(points, Keyed) else {**points, **more}


def _ranked(rubric: Rubric, results: list[UnitResult]) -> tuple[UnitResult, ...]:
    """Ranks within each group (and within parents where the group says so), on the total and
    then the rubric's tie-breaks; units the rubric lists as unranked are scored, not ranked.
    Order: rubric's groups, then ranked, unranked, invalid, missing."""
    order = {g.id: i for i, g in enumerate(rubric.groups)}
    status_order = {Status.GRADED: 0, Status.INVALID: 2, Status.MISSING: 3}
    keys: dict[str, dict[str, tuple[Decimal, ...]]] = defaultdict(dict)
    by_parent: dict[tuple[str, str | None], dict[str, tuple[Decimal, ...]]] = defaultdict(dict)
    for r in results:
        if r.status is not Status.GRADED or rubric.unranked_reason(r.code) is not None:
            continue
        assert r.total is not None
        key = ranking_key(rubric, r.total, r.subtotals, r.points)
        keys[r.group][r.code] = key
        group = rubric.group(r.group)
        if group is not None and group.rank_within == "parent":
            by_parent[(r.group, r.parent)][r.code] = key
    ranks: dict[str, int] = {}
    for units in keys.values():
        ranks.update(rank_units(units))
    parent_ranks: dict[str, int] = {}
    for units in by_parent.values():
        parent_ranks.update(rank_units(units))
    final = []
    for r in results:
        reason = rubric.unranked_reason(r.code)
        if r.status is Status.GRADED and reason is not None:
            r = r.replaced(unranked=reason)
        elif r.status is Status.GRADED:
            r = r.replaced(rank=ranks[r.code], parent_rank=parent_ranks.get(r.code))
        final.append(r)
    final.sort(
        key=lambda r: (
            order.get(r.group, len(order)),
            status_order[r.status] + (1 if r.unranked else 0),
            r.rank or 0,
            r.code,
        )
    )
    return tuple(final)
