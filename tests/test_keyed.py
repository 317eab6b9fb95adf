"""Keyed and Inputs, the compact read-only mappings a unit's result holds: they behave as the
dicts they replace."""

from __future__ import annotations

import pickle
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ictscore.grading.results import Inputs, InputValue, Keyed

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
