"""Whatever the input, the engine fails only the documented way: bad
definitions raise DefinitionError, bad stored states raise ValueError, and
a compiled set evaluates any event without raising."""

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohortcast.engine import (
    CohortSet,
    DefinitionError,
    Event,
    UserState,
    parse_definition,
)

# Keys the parser knows, mixed with others, so that random objects often get
# past the first checks and reach the deeper ones.
KEYS = st.sampled_from(
    [
        *("event", "all", "any", "not", "cohort", "where", "count", "sum", "within"),
        *("property", "op", "value", "minutes", "hours", "days", "weeks", ""),
    ]
) | st.text(max_size=5)
WORDS = st.sampled_from(
    ["Pageview", "eq", "in", "gte", "lte", "exists", "contains", "a", "a.b", "a..b"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | WORDS
    | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=30,
)
SETTINGS = settings(
    max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(JSON)
def test_any_json_either_parses_or_raises_a_definition_error(raw: object) -> None:
    try:
        parse_definition(raw)
    except DefinitionError as error:
        failure = error
    else:
        return
    assert str(failure).startswith(f"{failure.path}: ")
    assert "\n" not in str(failure)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["a", "b", "c", ""]), JSON, max_size=3), JSON)
def test_any_cohort_set_compiles_or_raises_and_then_evaluates_anything(
    definitions: dict[str, Any], properties: object
) -> None:
    try:
        cohorts = CohortSet.compile(definitions)
    except DefinitionError as error:
        failure = error
    else:
        _evaluate_anything(cohorts, properties)
        return
    assert failure.path.startswith("cohorts")


def _evaluate_anything(cohorts: CohortSet, properties: object) -> None:
    state = cohorts.new_state()
    props = properties if isinstance(properties, dict) else {"value": properties}
    for name in ("Pageview", "a", ""):
        cohorts.process(state, Event(name, 1000, props))
    cohorts.advance(state, 10**13)
    json.dumps(state.to_json(), allow_nan=False)


def test_definitions_that_are_not_json_raise_definition_errors() -> None:
    weird: list[object] = [
        {1: "x"},
        {"event": "A", "where": ({"property": "a", "op": "eq", "value": {1, 2}},)},
        {"event": "A", "within": {"days": math.inf}},
        {"event": "A", "count": {"op": "gte", "value": 10**400}},
        {"event": "A", "sum": {"property": "s", "op": "eq", "value": -math.inf}},
        object(),
    ]
    nested: list[object] = []
    nested.append(nested)
    weird.append({"all": nested})
    for raw in weird:
        with pytest.raises(DefinitionError):
            parse_definition(raw)


def test_a_set_that_is_not_a_mapping_raises_a_definition_error() -> None:
    for raw in (None, [], "cohorts", 3):
        with pytest.raises(DefinitionError) as caught:
            CohortSet.compile(raw)  # type: ignore[arg-type]
        assert caught.value.path == "cohorts"


RESTORING = CohortSet.compile(
    {
        "a": {
            "event": "A",
            "count": {"op": "eq", "value": 2},
            "within": {"minutes": 1},
        },
        "b": {
            "event": "A",
            "sum": {"property": "s", "op": "gte", "value": 3},
            "within": {"hours": 1},
        },
    }
)

STATES = (
    st.fixed_dictionaries(
        {"version": st.just(1) | JSON},
        optional={
            "cohort_set": st.none() | st.text(max_size=4) | JSON,
            "now": st.none() | st.integers(-(10**13), 10**13) | JSON,
            "members": st.lists(st.sampled_from(["a", "b", "zz"])) | JSON,
            "leaves": st.dictionaries(
                st.text(max_size=10),
                st.integers(-5, 10**13)
                | st.floats()
                | st.lists(st.integers(-(10**13), 10**13), max_size=5)
                | st.lists(
                    st.lists(
                        st.integers(-(10**6), 10**6) | st.floats(),
                        min_size=2,
                        max_size=2,
                    ),
                    max_size=5,
                )
                | JSON,
                max_size=4,
            )
            | JSON,
        },
    )
    | JSON
)


@SETTINGS
@given(STATES)
def test_a_stored_state_is_restored_or_refused_with_a_value_error(raw: object) -> None:
    try:
        state = UserState.from_json(raw)
    except ValueError as error:
        failure = error
    else:
        _evaluate_restored(state)
        return
    assert str(failure).startswith("user state")


def _evaluate_restored(state: UserState) -> None:
    RESTORING.next_change_time(state)
    RESTORING.process(state, Event("A", 5, {"s": 1}))
    RESTORING.advance(state, 10**14)
    assert RESTORING.members(state) <= {"a", "b"}


def test_a_restored_state_keeps_its_leaves_when_they_still_apply() -> None:
    """Leaf keys follow the leaf's content, so an unrelated edit keeps state."""
    before = CohortSet.compile(
        {"a": {"event": "A", "count": {"op": "gte", "value": 2}}}
    )
    state = before.new_state()
    before.process(state, Event("A", 1, {}))

    after = CohortSet.compile(
        {
            "a": {"event": "A", "count": {"op": "gte", "value": 2}},
            "b": {"event": "B"},
        }
    )
    restored = UserState.from_json(state.to_json())

    assert [c.cohort for c in after.process(restored, Event("A", 2, {}))] == ["a"]
