"""Keyed and Inputs, the compact read-only mappings a unit's result holds: they behave as the
dicts they replace."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ictscore.grading.results import Inputs, InputValue, Keyed, Status, UnitResult

ids = st.text(alphabet="0123456789.ab", min_size=1, max_size=5)
numbers = st.decimals(
    allow_nan=False, allow_infinity=False, places=2, min_value=-999, max_value=999
)


@given(st.dictionaries(ids, numbers), st.dictionaries(ids, numbers))
def test_keyed_is_the_dict_it_holds(items: dict[str, Decimal], more: dict[str, Decimal]):
    keyed = Keyed(items)
    assert keyed == items and dict(keyed) == items and list(keyed) == list(items)
    assert len(keyed) == len(items)
    for key, value in items.items():
        assert key in keyed and keyed[key] == value and keyed.get(key) == value
    assert keyed.get("zz-not-there") is None and keyed.get("zz", 7) == 7
    updated = keyed.updated(more)
    assert updated == {**items, **more} and list(updated) == list({**items, **more})
    assert keyed == items  # unchanged
    back = pickle.loads(pickle.dumps(keyed))
    assert back == keyed and list(back) == list(keyed)


def test_keyed_mappings_with_the_same_keys_share_them():
    a = Keyed({"1.1": Decimal(1), "1.2": Decimal(2)})
    b = pickle.loads(pickle.dumps(Keyed({"1.1": Decimal(5), "1.2": Decimal(6)})))
    assert a._keys is b._keys  # noqa: SLF001 - the point of the class
    assert Keyed.of({}) is Keyed.from_tuples((), ()) and Keyed.of({}) == Keyed() == {}


@given(
    st.dictionaries(
        ids,
        st.dictionaries(
            st.sampled_from(["points", "numerator", "denominator", "answer"]),
            st.tuples(st.one_of(numbers, st.text(max_size=3), st.none()), st.text(max_size=4)),
            min_size=1,
        ),
    )
)
def test_inputs_are_the_nested_dict_they_hold(items: dict[str, dict[str, tuple[object, str]]]):
    nested = {
        cid: {slot: InputValue(value, cell) for slot, (value, cell) in slots.items()}
        for cid, slots in items.items()
    }
    inputs = Inputs(nested)
    assert inputs == nested and list(inputs) == list(nested) and len(inputs) == len(nested)
    assert dict(inputs.items()) == nested
    for cid, slots in nested.items():
        assert inputs[cid] == slots
    assert pickle.loads(pickle.dumps(inputs)) == inputs


def test_inputs_equal_whatever_the_order():
    a = {"1.1": {"x": InputValue(1, "E9")}, "1.2": {"y": InputValue(2, "E10")}}
    b = {"1.2": {"y": InputValue(2, "E10")}, "1.1": {"x": InputValue(1, "E9")}}
    assert Inputs(a) == Inputs(b) == a == b
    assert Inputs(a) != Inputs({"1.1": {"x": InputValue(1, "F9")}})


_CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "rank": st.none() | st.integers(1, 300),
        "total": st.none() | numbers,
        "verified": st.booleans(),
        "points": st.dictionaries(ids, numbers),
        "subtotals": st.dictionaries(ids, numbers),
        "inputs": st.dictionaries(ids, st.dictionaries(ids, st.just(InputValue(1, "E9")))),
    },
)


@given(_CHANGES, st.booleans())
def test_a_result_replaced_is_the_result_dataclasses_replace_makes(
    changes: dict[str, object], same: bool
) -> None:
    """UnitResult.replaced, the fast copy a batch makes tens of thousands of times, gives what
    dataclasses.replace gives: every field, the mappings held as Keyed and Inputs (one given
    twice held once), the original unchanged."""
    base = UnitResult(
        code="28249", name="Xã A", group="xa", status=Status.GRADED, points={"1.1": Decimal(2)}
    )
    if same and "points" in changes:
        changes["self_points"] = changes["points"]
    fast, slow = base.replaced(**changes), dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    assert fast == slow and fast is not base
    for name in UnitResult.__dataclass_fields__:
        assert type(getattr(fast, name)) is type(getattr(slow, name)), name
    assert (fast.points is fast.self_points) == (slow.points is slow.self_points)
    assert base.points == {"1.1": Decimal(2)} and base.rank is None
    with pytest.raises(TypeError, match="rnak"):
        base.replaced(rnak=1)
