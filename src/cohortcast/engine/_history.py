"""The reference evaluation: membership recomputed from a full event history.

Deliberately obvious and slow (it rescans every event for every leaf); the
incremental engine must always agree with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._checks import finite_number
from ._leaves import BUCKETS
from ._model import AllOf, CohortRef, Count, Definition, Event, Leaf, Not
from ._predicates import compile_where, property_reader


def evaluate_history(
    definitions: Mapping[str, Definition],
    order: Sequence[str],
    events: Sequence[Event],
    at: int,
) -> frozenset[str]:
    """The codes of the cohorts that hold at ``at`` given ``events`` (those
    after ``at`` are ignored); ``order`` puts referenced cohorts first."""
    seen = [event for event in events if event.time <= at]
    members: set[str] = set()
    for code in order:
        if _holds(definitions[code], seen, at, members):
            members.add(code)
    return frozenset(members)


def _holds(
    definition: Definition, events: Sequence[Event], at: int, members: set[str]
) -> bool:
    if isinstance(definition, Leaf):
        return _leaf_holds(definition, events, at)
    if isinstance(definition, CohortRef):
        return definition.code in members
    if isinstance(definition, Not):
        return not _holds(definition.child, events, at, members)
    results = [_holds(child, events, at, members) for child in definition.children]
    return all(results) if isinstance(definition, AllOf) else any(results)


def _leaf_holds(leaf: Leaf, events: Sequence[Event], at: int) -> bool:
    matches = compile_where(leaf.where)
    matching = [
        event
        for event in events
        if event.name == leaf.event and (matches is None or matches(event.properties))
    ]
    measure = leaf.measure
    if isinstance(measure, Count):
        if leaf.within is not None:
            start = at - leaf.within.milliseconds
            matching = [event for event in matching if event.time > start]
        return _compare(len(matching), measure.op, measure.value)

    if leaf.within is not None:
        width = leaf.within.milliseconds // BUCKETS
        oldest = at // width - BUCKETS + 1
        matching = [event for event in matching if event.time // width >= oldest]
    read = property_reader(measure.property)
    total = 0.0
    for event in matching:
        amount = read(event.properties)
        if isinstance(amount, int | float) and finite_number(amount):
            total += float(amount)
    return _compare(total, measure.op, measure.value)


def _compare(found: float, op: str, wanted: float) -> bool:
    if op == "gte":
        return found >= wanted
    if op == "lte":
        return found <= wanted
    return found == wanted
