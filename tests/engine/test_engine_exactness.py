"""Incremental evaluation equals recomputing from the full history.

Random cohort sets (every leaf kind, combinators, references) meet random
event sequences with ties, out-of-order events and advances; after every step
the engine's membership, changes and next change time are checked against
``evaluate_history``, the obvious rescan of every event.

Sum properties are integers here, so every partial sum is exact and the order
in which amounts are added cannot matter (docs/cohorts.md, "Count and sum").
"""

import importlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohortcast.engine import Change, CohortSet, Definition, Event, UserState

# The modules of the implementation that runs (Python or compiled).
_package = CohortSet.__module__.rpartition(".")[0]
_leaf_holds = importlib.import_module(f"{_package}._history")._leaf_holds
_model = importlib.import_module(f"{_package}._model")
AllOf, AnyOf, Leaf, Not = _model.AllOf, _model.AnyOf, _model.Leaf, _model.Not

# 500 examples run in seconds; set COHORTCAST_EXACTNESS_EXAMPLES=20000 for a
# deeper search before changing the engine's semantics.
EXAMPLES = int(os.environ.get("COHORTCAST_EXACTNESS_EXAMPLES", "500"))
EVENT_NAMES = ("A", "B")
# Small windows and a small time range so that events often sit exactly on
# window edges and bucket ends (a minute's buckets are one second wide).
WINDOWS = ({"minutes": 1}, {"minutes": 2}, {"minutes": 3})
# Steps are offsets from the clock; the listed ones sit on window edges and
# bucket ends (late events included), the ranges give everything else.
OFFSETS = st.sampled_from(
    [
        *(0, 0, 1, -1, 999, 1000, -1000, 60_000, -60_000, -59_999, -59_000),
        *(-58_001, -120_000, -119_999, -118_000, -180_000, -179_999, -177_000),
        120_000,
    ]
) | st.integers(-200_000, 100_000)

predicates = st.sampled_from(
    [
        {"property": "k", "op": "eq", "value": 1},
        {"property": "k", "op": "ne", "value": 2},
        {"property": "k", "op": "in", "value": [1, 3]},
        {"property": "k", "op": "gte", "value": 2},
        {"property": "k", "op": "exists", "value": False},
        {"property": "tag", "op": "contains", "value": "x"},
    ]
)
counts = st.builds(
    lambda op, value: {"op": op, "value": value},
    st.sampled_from(["gte", "lte", "eq"]),
    st.integers(0, 3),
)
sums = st.builds(
    lambda op, value: {"property": "v", "op": op, "value": value},
    st.sampled_from(["gte", "lte", "eq"]),
    st.integers(-2, 8),
)


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    leaf: dict[str, Any] = {"event": draw(st.sampled_from(EVENT_NAMES))}
    if draw(st.booleans()):
        leaf["where"] = [draw(predicates)]
    measure = draw(st.sampled_from(["default", "count", "sum"]))
    if measure == "count":
        leaf["count"] = draw(counts)
    elif measure == "sum":
        leaf["sum"] = draw(sums)
    if draw(st.integers(0, 3)):
        leaf["within"] = draw(st.sampled_from(WINDOWS))
    return leaf


def definitions(earlier: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    base = leaves()
    if earlier:
        base = base | st.sampled_from(earlier).map(lambda code: {"cohort": code})
    return st.recursive(
        base,
        lambda children: st.one_of(
            st.lists(children, min_size=1, max_size=3).map(lambda c: {"all": c}),
            st.lists(children, min_size=1, max_size=3).map(lambda c: {"any": c}),
            children.map(lambda c: {"not": c}),
        ),
        max_leaves=4,
    )


@st.composite
def cohort_sets(draw: st.DrawFn) -> dict[str, Any]:
    # Later cohorts may refer to earlier ones; shuffled codes make the
    # dependency order differ from the order of codes.
    codes = draw(st.permutations(["p", "q", "r", "s"]))[: draw(st.integers(1, 4))]
    cohorts: dict[str, Any] = {}
    for index, code in enumerate(codes):
        cohorts[code] = draw(definitions(list(codes[:index])))
    return cohorts


event_properties = st.fixed_dictionaries(
    {},
    optional={
        "k": st.integers(0, 3),
        "v": st.integers(-3, 6),
        "tag": st.sampled_from(["x", "yx", ["x"], ["y"]]),
    },
)
steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(EVENT_NAMES), OFFSETS, event_properties),
        st.tuples(st.just("advance"), OFFSETS, st.just({})),
        st.tuples(st.just("save"), st.just(0), st.just({})),
    ),
    max_size=25,
)


@dataclass
class Replay:
    """The engine's view next to the reference's, step by step."""

    cohorts: CohortSet
    state: UserState
    events: list[Event] = field(default_factory=list)
    now: int | None = None
    members: frozenset[str] = frozenset()

    def expect_at(self, time: int) -> frozenset[str]:
        return self.cohorts.evaluate_history(self.events, time)


def _leaves_of(definition: Definition) -> list[Leaf]:
    if isinstance(definition, Leaf):
        return [definition]
    if isinstance(definition, AllOf | AnyOf):
        return [leaf for child in definition.children for leaf in _leaves_of(child)]
    if isinstance(definition, Not):
        return _leaves_of(definition.child)
    return []


def _check_changes(replay: Replay, changes: list[Change], now: int) -> None:
    """Changes are ordered, each happens exactly at its time (between the old
    clock and the new one), and replaying them gives the new membership."""
    assert changes == sorted(changes, key=lambda change: (change.time, change.cohort))
    members = set(replay.members)
    for time in sorted({change.time for change in changes}):
        assert time == now or (replay.now is not None and replay.now < time < now)
        if time < now:
            assert replay.expect_at(time - 1) == members
        for change in (c for c in changes if c.time == time):
            assert (change.cohort in members) == (change.kind == "exit")
            members ^= {change.cohort}
        if time < now:
            assert replay.expect_at(time) == members
    assert frozenset(members) == replay.cohorts.members(replay.state)


def _check_next_change(replay: Replay) -> None:
    """Nothing changes before the next change time, and some leaf flips at it."""
    now = replay.state.now
    assert now is not None
    upcoming = replay.cohorts.next_change_time(replay.state)
    if upcoming is None:
        assert replay.expect_at(now + 10**9) == replay.members
        return

    assert upcoming > now
    assert replay.expect_at(upcoming - 1) == replay.members
    leaves = [
        leaf
        for definition in replay.cohorts.definitions.values()
        for leaf in _leaves_of(definition)
    ]
    assert any(
        _leaf_holds(leaf, replay.events, upcoming - 1)
        != _leaf_holds(leaf, replay.events, upcoming)
        for leaf in leaves
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cohort_sets(), steps)
def test_incremental_evaluation_equals_recomputing_from_history(
    definitions: dict[str, Any],
    sequence: list[tuple[str, int, dict[str, Any]]],
) -> None:
    cohorts = CohortSet.compile(definitions)
    replay = Replay(cohorts, cohorts.new_state())

    for kind, offset, properties in sequence:
        time = (replay.now or 0) + offset
        if kind == "save":
            saved = json.loads(json.dumps(replay.state.to_json()))
            replay.state = UserState.from_json(saved)
            continue
        if kind == "advance":
            changes = cohorts.advance(replay.state, time)
        else:
            event = Event(kind, time, properties)
            changes = cohorts.process(replay.state, event)
            replay.events.append(event)
        now = time if replay.now is None else max(replay.now, time)

        _check_changes(replay, changes, now)
        assert replay.state.now == now
        replay.now, replay.members = now, cohorts.members(replay.state)
        assert replay.members == replay.expect_at(now)
        _check_next_change(replay)
