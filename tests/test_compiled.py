"""The compiled rubric (`Rubric.plan`): its figures against the rubric's rules, worked out here
the long way (a direct reading of the tree, as the Rubric methods did before the plan), for the
bundled and test rubrics and for generated ones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictscore.rubric import Criterion, Rubric, bundled_rubric_ids, load_rubric, parse_rubric
from ictscore.rubric.compiled import GroupPlan
from tests.conftest import SMALL_RUBRIC

TEST_RUBRICS = sorted((Path(__file__).parent / "rubrics").glob("*.yaml"))
_ZERO = Decimal(0)


def _expected_max(rubric: Rubric, c: Criterion, group: str, skip: frozenset[str]) -> Decimal:
    """The maximum of `c` for a unit of `group` with `skip` marked not applicable, by the rules:
    0 where it does not apply; a leaf's `max`; a parent's children combined, then capped."""
    if c.id in skip or not rubric.applies(c, group):
        return _ZERO
    if c.is_leaf:
        assert c.max is not None
        return c.max
    maxima = [_expected_max(rubric, ch, group, skip) for ch in c.children]
    combined = max(maxima, default=_ZERO) if c.combine == "best_of" else sum(maxima, _ZERO)
    capped = c.max is not None and (c.capped or rubric.parent_max == "cap")
    return min(combined, c.max) if capped and c.max is not None else combined


def _expected_kind_max(rubric: Rubric, kind: str, group: str, skip: frozenset[str]) -> Decimal:
    areas = [a for a in rubric.criteria if a.kind == kind]
    return sum((_expected_max(rubric, a, group, skip) for a in areas), _ZERO)


def _check(rubric: Rubric, group: str, skip: frozenset[str] = frozenset()) -> None:
    """The plan and the Rubric methods agree with the rules, for one group and skip set."""
    plan = rubric.plan(group)
    nodes = [n for n in rubric.walk() if _expected_max(rubric, n.criterion, group, _ZERO_SKIP) > 0]
    assert [n.criterion.id for n in rubric.nodes_for(group)] == [n.criterion.id for n in nodes]
    assert list(plan.nodes) == rubric.nodes_for(group)
    assert [(c.id, c.depth, c.parent, c.area) for c in plan.criteria] == [
        (n.criterion.id, n.depth, n.parent.id if n.parent else None, n.area.id) for n in nodes
    ]
    assert plan.leaves == tuple(n.criterion.id for n in nodes if n.criterion.is_leaf)
    assert plan.areas == tuple(n.criterion.id for n in nodes if n.depth == 0)
    for n in rubric.walk():
        c = n.criterion
        expected = _expected_max(rubric, c, group, skip)
        assert rubric.max_for(c, group, skip) == expected == plan.max_of(c.id, skip), c.id
        kids = [ch.id for ch in c.children if _expected_max(rubric, ch, group, skip) > 0]
        assert [k.id for k in rubric.applicable_children(c, group, skip)] == kids, c.id
        assert list(plan.children_of(c.id, skip)) == kids, c.id
        assert plan.kind_of(c.id) == rubric.area_kind(c.id) == n.area.kind
        if (entry := plan.get(c.id)) is not None:
            assert entry.criterion is c and entry.kind == n.area.kind
            assert entry.max == _expected_max(rubric, c, group, _ZERO_SKIP)
            assert (entry.cap is not None) == rubric.is_capped(c)
            assert entry.is_leaf == c.is_leaf and entry.combine == c.combine
    base = _expected_kind_max(rubric, "base", group, skip)
    assert rubric.base_max(group, skip) == base == plan.unit_base_max(skip)
    assert (
        plan.base_max
        == rubric.base_max(group)
        == _expected_kind_max(rubric, "base", group, _ZERO_SKIP)
    )
    assert (
        plan.bonus_max
        == rubric.bonus_max(group)
        == _expected_kind_max(rubric, "bonus", group, _ZERO_SKIP)
    )
    assert (
        plan.penalty_max
        == rubric.penalty_max(group)
        == _expected_kind_max(rubric, "penalty", group, _ZERO_SKIP)
    )
    rescaled = rubric.not_applicable == "rescale" and rubric.scale is not None
    assert plan.published_max == rubric.published_max(group)
    assert plan.published_max == (rubric.scale if rescaled else plan.base_max)
    assert plan.rescale_to == (rubric.scale if rescaled else None)
    assert (plan.precision, plan.negative_total, plan.tie_breaks) == (
        rubric.precision,
        rubric.negative_total,
        rubric.tie_breaks,
    )


_ZERO_SKIP: frozenset[str] = frozenset()


def _known_rubrics() -> list[tuple[str, Rubric]]:
    out = [(rid, load_rubric(rid)) for rid in bundled_rubric_ids()]
    out += [(p.name, load_rubric(p)) for p in TEST_RUBRICS]
    out.append(("small", parse_rubric(SMALL_RUBRIC)))
    return out


KNOWN = _known_rubrics()


@pytest.mark.parametrize(("name", "rubric"), KNOWN, ids=[name for name, _ in KNOWN])
def test_the_plan_of_every_group_follows_the_rules(name: str, rubric: Rubric):
    for g in rubric.groups:
        _check(rubric, g.id)


@pytest.mark.parametrize(("name", "rubric"), KNOWN, ids=[name for name, _ in KNOWN])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_unit_with_criteria_marked_not_applicable(name: str, rubric: Rubric, data: Any):
    ids = [n.criterion.id for n in rubric.walk()]
    group = data.draw(st.sampled_from([g.id for g in rubric.groups]))
    skip = frozenset(data.draw(st.lists(st.sampled_from(ids), max_size=6)))
    _check(rubric, group, skip)


def test_the_plan_is_worked_out_once_per_group(tiengiang: Rubric):
    plan = tiengiang.plan("xa")
    assert isinstance(plan, GroupPlan)
    assert tiengiang.plan("xa") is plan
    assert tiengiang.plan("huyen") is not plan
    assert "1.3" not in plan and plan.max_of("1.3") == 0  # not for communes
    assert "1.3" in tiengiang.plan("huyen")
    copy = tiengiang.model_copy()
    assert copy.plan("xa") is not plan and copy.plan("xa") == plan


def test_a_group_the_rubric_does_not_have_has_no_plan(tiengiang: Rubric):
    with pytest.raises(KeyError, match="'nope' is not in rubric tiengiang-2020"):
        tiengiang.plan("nope")
    # the Rubric queries answer 0 for it, as they always did
    assert tiengiang.base_max("nope") == 0
    assert tiengiang.nodes_for("nope") == []


def test_a_parent_combines_and_caps_its_childrens_points(small_rubric: Rubric):
    plan = small_rubric.plan("so")
    for entry in plan.criteria:
        if entry.is_leaf:
            continue
        values = [plan.by_id[ch].max for ch in entry.children]
        assert entry.combine_points(values) == entry.max
        assert entry.combine_points([]) == 0


# --- generated rubrics ---------------------------------------------------------------------

GROUPS = ("a", "b", "c")


@st.composite
def _subtree(
    draw: Any, prefix: str, depth: int, groups: tuple[str, ...], cap_policy: bool
) -> dict[str, Any]:
    """A criterion (with its children) applying to a subset of `groups`, with a maximum;
    `cap_policy` (parent_max: cap): a parent may declare a max below its children's."""
    node: dict[str, Any] = {"id": prefix, "title": f"Tiêu chí {prefix}"}
    if draw(st.booleans()):
        own = tuple(sorted(draw(st.sets(st.sampled_from(groups), min_size=1))))
        node["groups"] = list(own)
        groups = own
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        node["max"] = draw(st.integers(1, 10))
        node["method"] = {"type": "direct"}
        return node
    count = draw(st.integers(1, 3))
    node["children"] = [
        draw(_subtree(f"{prefix}.{i}", depth + 1, groups, cap_policy)) for i in range(1, count + 1)
    ]
    if draw(st.booleans()):
        node["combine"] = "best_of"
    if draw(st.booleans()):
        node["max"] = draw(st.integers(1, _reach(node)))  # a cap the children can reach
        node["capped"] = True
    elif cap_policy and draw(st.booleans()):
        node["max"] = draw(st.integers(1, _reach(node)))
    return node


def _reach(node: dict[str, Any]) -> int:
    """The most a generated criterion can be worth, over all groups."""
    if "children" not in node:
        return int(node["max"])
    values = [_reach(ch) for ch in node["children"]]
    combined = max(values) if node.get("combine") == "best_of" else sum(values)
    return min(combined, node.get("max", combined))


@st.composite
def _rubrics(draw: Any) -> Rubric:
    """A valid rubric: a first area every group has, then generated areas of any kind."""
    areas: list[dict[str, Any]] = [
        {"id": "1", "title": "Chung", "max": 5, "method": {"type": "direct"}}
    ]
    cap_policy = draw(st.booleans())
    for i in range(2, draw(st.integers(2, 4)) + 1):
        area = draw(_subtree(str(i), 0, GROUPS, cap_policy))
        area["kind"] = draw(st.sampled_from(["base", "base", "bonus", "penalty"]))
        areas.append(area)
    doc: dict[str, Any] = {
        "id": "generated",
        "version": "1",
        "title": "Sinh ngẫu nhiên",
        "year": 2024,
        "issuer": "Sở",
        "groups": [{"id": g, "label": g.upper()} for g in GROUPS],
        "criteria": areas,
        "parent_max": "cap" if cap_policy else "equal",
    }
    if draw(st.booleans()):
        doc["not_applicable"] = "rescale"
        doc["scale"] = 100
    return parse_rubric(yaml.safe_dump(doc, allow_unicode=True), "generated.yaml")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric=_rubrics(), data=st.data())
def test_the_plan_follows_the_rules_for_generated_rubrics(rubric: Rubric, data: Any):
    ids = [n.criterion.id for n in rubric.walk()]
    for g in GROUPS:
        _check(rubric, g)
    skip = frozenset(data.draw(st.lists(st.sampled_from(ids), max_size=4)))
    _check(rubric, data.draw(st.sampled_from(GROUPS)), skip)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric=_rubrics(), data=st.data())
def test_totals_from_the_plans_order_are_those_of_the_tree(rubric: Rubric, data: Any):
    """A unit with every criterion applicable is totalled in the plan's order (each parent
    after its children), not by walking the tree: the same subtotals, in the same order, and
    the same totals, for any points."""
    from ictscore.grading.scoring import total_up

    group = data.draw(st.sampled_from(GROUPS))
    plan = rubric.plan(group)
    points = {
        leaf: Decimal(data.draw(st.integers(0, 2_000))) / 100
        for leaf in plan.leaves
        if data.draw(st.booleans())
    }
    flat = total_up(rubric, group, points)
    walked = total_up(rubric, group, points, frozenset({"not a criterion"}))  # the tree's walk
    assert flat == walked
    assert list(flat.subtotals) == list(walked.subtotals)
    assert [c.id for c in plan.parents_in_order] == list(walked.subtotals)
