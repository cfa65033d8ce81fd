"""A user's state survives JSON, and garbage is refused with a clear error."""

import json

import pytest

from cohortcast.engine import Change, CohortSet, Event, UserState

COHORTS = {
    "twice": {
        "event": "A",
        "count": {"op": "gte", "value": 2},
        "within": {"minutes": 1},
    },
    "engaged": {
        "event": "A",
        "sum": {"property": "s", "op": "gte", "value": 10},
        "within": {"hours": 1},
    },
    "ever": {"event": "A", "count": {"op": "eq", "value": 3}},
}


def test_a_state_round_trips_through_json_and_keeps_evaluating() -> None:
    cohorts = CohortSet.compile(COHORTS)
    state = cohorts.new_state()
    cohorts.process(state, Event("A", 0, {"s": 6}))
    cohorts.process(state, Event("A", 1_000, {"s": 6}))

    restored = UserState.from_json(json.loads(json.dumps(state.to_json())))

    assert cohorts.members(restored) == {"twice", "engaged"}
    assert cohorts.next_change_time(restored) == 60_000
    assert cohorts.process(restored, Event("A", 2_000, {})) == [
        Change("ever", "entry", 2_000)
    ]


def test_a_state_saved_under_other_definitions_catches_up_at_its_clock() -> None:
    old = CohortSet.compile({"a": {"event": "A"}})
    state = old.new_state()
    old.process(state, Event("A", 5, {}))

    new = CohortSet.compile({"a": {"event": "B"}, "b": {"not": {"event": "B"}}})
    restored = UserState.from_json(state.to_json())

    assert new.advance(restored, 9) == [Change("a", "exit", 5), Change("b", "entry", 5)]


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "state",
        {"version": 2},
        {"version": True},
        {"version": 1, "now": "yesterday"},
        {"version": 1, "now": 1.5},
        {"version": 1, "members": "a"},
        {"version": 1, "members": [1]},
        {"version": 1, "leaves": []},
        {"version": 1, "leaves": {"k": "x"}},
        {"version": 1, "leaves": {"k": [1, [2, 3]]}},
        {"version": 1, "leaves": {"k": [[1, "x"]]}},
        {"version": 1, "leaves": {"k": True}},
        {"version": 1, "extra": 1},
    ],
)
def test_from_json_refuses_garbage_with_a_value_error(garbage: object) -> None:
    with pytest.raises(ValueError, match=r"^user state"):
        UserState.from_json(garbage)


def test_entries_that_do_not_fit_a_leaf_are_dropped_not_trusted() -> None:
    cohorts = CohortSet.compile(COHORTS)
    state = cohorts.new_state()
    cohorts.process(state, Event("A", 0, {"s": 1}))
    saved = state.to_json()
    leaves = saved["leaves"]
    assert isinstance(leaves, dict)
    for key in leaves:
        leaves[key] = 7.5

    restored = UserState.from_json(saved)

    assert cohorts.process(restored, Event("A", 1, {"s": 1})) == []
    fresh = restored.to_json()["leaves"]
    assert isinstance(fresh, dict)
    assert sorted(map(str, fresh.values())) == ["1", "[0, 1]", "[1]"]


def test_a_state_saved_by_an_earlier_version_still_evaluates() -> None:
    # Earlier versions kept "gte 1 in a window" as a list of times and
    # windowed sums as [bucket, sum] pairs.
    cohorts = CohortSet.compile(
        {
            "recent": {"event": "A", "within": {"minutes": 1}},
            "engaged": COHORTS["engaged"],
        }
    )
    fresh = cohorts.new_state()
    cohorts.process(fresh, Event("A", 30_000, {"s": 6}))
    cohorts.process(fresh, Event("A", 90_000, {"s": 6}))
    saved = fresh.to_json()
    leaves = saved["leaves"]
    assert isinstance(leaves, dict)
    old = {
        key: [entry] if isinstance(entry, int) else [entry[0:2], entry[2:4]]
        for key, entry in leaves.items()
    }

    restored = UserState.from_json({**saved, "leaves": old})

    assert cohorts.members(restored) == {"recent", "engaged"}
    assert cohorts.next_change_time(restored) == 150_000
    assert restored.to_json()["leaves"] == leaves
