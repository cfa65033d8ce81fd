"""The run-time side of a leaf: what it keeps per user, whether it holds at a
time, and when it next flips with no new event.

Every leaf kind keeps a bounded entry per user (see "State bounds" in
docs/cohorts.md), in a JSON-ready shape so a state serialises without copying:

- count ``gte 1`` with window: the latest matching time, an integer
- other counts with window: ascending list of the latest ``cap`` matching times
- count without window: an integer capped at ``cap``
- sum with window: flat list ``[bucket, sum, bucket, sum, ...]``, buckets
  ascending (at most 60 live)
- sum without window: the total, a float

These methods run for every event, so entries are typed ``Any`` rather than
narrowed with ``cast`` (a function call each time); ``restore`` is where an
entry's shape is checked.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
from bisect import bisect_right, insort
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeAlias

from ._checks import finite_number
from ._model import Count, Leaf, Sum
from ._predicates import Matcher, compile_where, property_reader

if TYPE_CHECKING:
    from ._state import UserState

LeafEntry: TypeAlias = Any
"""One leaf's state for one user (see the module docstring)."""

Entries: TypeAlias = dict[str, LeafEntry]

BUCKETS = 60

_COMPARE: Mapping[str, Callable[[float, float], bool]] = {
    "gte": operator.ge,
    "lte": operator.le,
    "eq": operator.eq,
}


def leaf_key(leaf: Leaf) -> str:
    """A short stable key for a leaf; equal leaves share a key, hence state."""
    measure: list[object]
    if isinstance(leaf.measure, Count):
        measure = ["count", leaf.measure.op, leaf.measure.value]
    else:
        measure = ["sum", leaf.measure.property, leaf.measure.op, leaf.measure.value]
    canonical = json.dumps(
        [
            leaf.event,
            [[p.property, p.op, p.value] for p in leaf.where],
            measure,
            leaf.within.milliseconds if leaf.within else None,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:10]


class CompiledLeaf:
    """Base of the leaf kinds; ``matches`` is None when any event of the name
    matches, and ``windowed`` says whether time alone can flip the leaf.

    A windowed leaf keeps ``state.flips[key]``, the next time after the clock
    at which it flips with no new event, current through ``update`` and
    ``refresh``; it is absent when the leaf will not flip.
    """

    __slots__ = ("event", "key", "matches", "test", "threshold", "where", "windowed")

    def __init__(self, leaf: Leaf) -> None:
        self.key = leaf_key(leaf)
        self.event = leaf.event
        self.where = leaf.where
        self.matches: Matcher | None = compile_where(leaf.where)
        self.test = _COMPARE[leaf.measure.op]
        self.threshold: float = leaf.measure.value
        self.windowed = leaf.within is not None

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        """Add one matching event at ``time`` as seen at ``now`` (time <= now,
        ``now`` is the clock); return whether the leaf's truth at ``now``
        changed."""
        raise NotImplementedError

    def check(self, state: UserState, time: int) -> bool:
        """Whether the leaf holds for the user at ``time`` (not before the
        clock): the leaf's cohort test."""
        raise NotImplementedError

    def refresh(self, state: UserState, now: int) -> None:
        """Forget what can no longer count at ``now`` or later and recompute
        the next flip; only windowed leaves flip with time."""

    def restore(self, entry: object) -> LeafEntry:
        """A stored entry made safe for this leaf, or None when it does not fit."""
        raise NotImplementedError

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        """A JSON-ready copy of the entry without what has expired at ``now``
        (None when nothing is left)."""
        return entry


def compile_leaf(leaf: Leaf) -> CompiledLeaf:
    """Pick the run-time kind for a parsed leaf."""
    measure = leaf.measure
    if isinstance(measure, Sum):
        return SumWindowLeaf(leaf) if leaf.within else SumTotalLeaf(leaf)
    if measure.op == "gte" and measure.value == 0:
        return AlwaysLeaf(leaf)
    if not leaf.within:
        return CountTotalLeaf(leaf)
    if measure.op == "gte":
        return RecentLeaf(leaf) if measure.value == 1 else AtLeastLeaf(leaf)
    return AtMostLeaf(leaf) if measure.op == "lte" else ExactlyLeaf(leaf)


def count_cap(count: Count | Sum) -> int:
    """How many latest events decide a count: N for gte, N + 1 otherwise."""
    assert isinstance(count, Count)
    return count.value if count.op == "gte" else count.value + 1


def _set_flip(flips: dict[str, int], key: str, flip: int | None) -> None:
    if flip is None:
        flips.pop(key, None)
    else:
        flips[key] = flip


class AlwaysLeaf(CompiledLeaf):
    """``count gte 0``: holds whatever happens, so it keeps nothing."""

    __slots__ = ()

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.windowed = False

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        return False

    def check(self, state: UserState, time: int) -> bool:
        return True

    def restore(self, entry: object) -> LeafEntry:
        return None

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        return None


class CountWindowLeaf(CompiledLeaf):
    """Count in a window: keeps the ``cap`` latest times, ascending.

    For ``gte N`` (cap N) and ``lte N`` (cap N + 1) the leaf's truth is decided
    by one fact, whether the cap-th latest time is inside the window; it flips
    exactly when that time leaves, ties or not.
    """

    __slots__ = ("cap", "window")

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.cap = count_cap(leaf.measure)
        self.window = leaf.within.milliseconds if leaf.within else 0

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        # Whether the cap-th latest time is inside the window, before and after.
        window = self.window
        horizon = now - window
        if time <= horizon:
            return False
        key, cap, entries = self.key, self.cap, state.entries
        times: list[int] | None = entries.get(key)
        if times is None:
            entries[key] = [time]
            if cap == 1:
                state.flips[key] = time + window
                return True
            return False

        before = len(times) >= cap and times[-cap] > horizon
        if time >= times[-1]:
            times.append(time)
        else:
            insort(times, time)
        # One time was added, so at most one is beyond the cap: the oldest.
        if len(times) > cap:
            del times[0]
        if times[0] <= horizon:
            del times[: bisect_right(times, horizon)]
        # Every time left is inside the window.
        if len(times) >= cap:
            state.flips[key] = times[-cap] + window
            return not before
        return False

    def refresh(self, state: UserState, now: int) -> None:
        key, entries = self.key, state.entries
        times = entries.get(key)
        if times is not None:
            del times[: bisect_right(times, now - self.window)]
            if not times:
                del entries[key]
                times = None
        cap = self.cap
        if times is not None and len(times) >= cap:
            state.flips[key] = times[-cap] + self.window
        else:
            state.flips.pop(key, None)

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        return entry[bisect_right(entry, now - self.window) :] or None

    def restore(self, entry: object) -> LeafEntry:
        if not isinstance(entry, list) or not all(is_time(t) for t in entry):
            return None
        times = sorted(entry)
        return times[max(0, len(times) - self.cap) :] or None


class AtLeastLeaf(CountWindowLeaf):
    """``gte N`` in a window: holds while the N-th latest time is inside."""

    __slots__ = ()

    def check(self, state: UserState, time: int) -> bool:
        times = state.entries.get(self.key)
        cap = self.cap
        return (
            times is not None and len(times) >= cap and times[-cap] > time - self.window
        )


class RecentLeaf(CompiledLeaf):
    """``gte 1`` in a window, "did X in the last W", the commonest leaf: keeps
    only the latest matching time, as a plain integer."""

    __slots__ = ("window",)

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.window = leaf.within.milliseconds if leaf.within else 0

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        window = self.window
        horizon = now - window
        if time <= horizon:
            return False
        key, entries = self.key, state.entries
        latest: int | None = entries.get(key)
        if latest is not None and latest >= time:
            return False
        entries[key] = time
        state.flips[key] = time + window
        return latest is None or latest <= horizon

    def check(self, state: UserState, time: int) -> bool:
        latest: int | None = state.entries.get(self.key)
        return latest is not None and latest > time - self.window

    def refresh(self, state: UserState, now: int) -> None:
        key, entries = self.key, state.entries
        latest: int | None = entries.get(key)
        if latest is None or latest <= now - self.window:
            entries.pop(key, None)
            state.flips.pop(key, None)
        else:
            state.flips[key] = latest + self.window

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        return entry if entry > now - self.window else None

    def restore(self, entry: object) -> LeafEntry:
        if isinstance(entry, list) and entry and all(is_time(t) for t in entry):
            return max(entry)  # as earlier versions saved it: a list of times
        return entry if is_time(entry) else None


class AtMostLeaf(CountWindowLeaf):
    """``lte N`` in a window: fails while the (N+1)-th latest time is inside."""

    __slots__ = ()

    def check(self, state: UserState, time: int) -> bool:
        times = state.entries.get(self.key)
        cap = self.cap
        return times is None or len(times) < cap or times[-cap] <= time - self.window


class ExactlyLeaf(CountWindowLeaf):
    """``eq N`` in a window: flips both when the N-th and the (N+1)-th latest
    times leave, so its truth is compared in full around each event."""

    __slots__ = ()

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        before = self.check(state, now)
        super().update(state, time, now, properties)
        _set_flip(state.flips, self.key, self._flip(state.entries.get(self.key), now))
        return self.check(state, now) != before

    def check(self, state: UserState, time: int) -> bool:
        times = state.entries.get(self.key)
        if times is None:
            return self.test(0, self.threshold)
        inside = len(times) - bisect_right(times, time - self.window)
        return self.test(inside, self.threshold)

    def refresh(self, state: UserState, now: int) -> None:
        super().refresh(state, now)
        _set_flip(state.flips, self.key, self._flip(state.entries.get(self.key), now))

    def _flip(self, times: list[int] | None, now: int) -> int | None:
        if times is None:
            return None
        last = len(times)
        first = bisect_right(times, now - self.window)
        test, threshold = self.test, self.threshold
        holds_now = test(last - first, threshold)
        for index in range(first, last):
            # Equal times leave together: only the last of a run changes the count.
            if index + 1 < last and times[index + 1] == times[index]:
                continue
            if test(last - index - 1, threshold) != holds_now:
                return times[index] + self.window
        return None


class CountTotalLeaf(CompiledLeaf):
    """Count over all history: a counter that stops at ``cap``."""

    __slots__ = ("cap",)

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.cap = count_cap(leaf.measure)

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        entries, key = state.entries, self.key
        count = entries.get(key, 0)
        if count >= self.cap:
            return False
        entries[key] = count + 1
        return self.test(count + 1, self.threshold) != self.test(count, self.threshold)

    def check(self, state: UserState, time: int) -> bool:
        return self.test(state.entries.get(self.key, 0), self.threshold)

    def restore(self, entry: object) -> LeafEntry:
        if not isinstance(entry, int) or isinstance(entry, bool) or entry < 0:
            return None
        return min(entry, self.cap)


def _amount(value: object) -> float:
    """What a property adds to a sum: its value if a finite number, else 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    try:
        amount = float(value)
    except OverflowError:
        return 0.0
    return amount if math.isfinite(amount) else 0.0


class SumTotalLeaf(CompiledLeaf):
    """Sum over all history: the running total."""

    __slots__ = ("read",)

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        assert isinstance(leaf.measure, Sum)
        self.read = property_reader(leaf.measure.property)

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        amount = _amount(self.read(properties))
        if not amount:
            return False
        entries, key = state.entries, self.key
        total = entries.get(key, 0.0)
        entries[key] = total + amount
        return self.test(total + amount, self.threshold) != self.test(
            total, self.threshold
        )

    def check(self, state: UserState, time: int) -> bool:
        return self.test(state.entries.get(self.key, 0.0), self.threshold)

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        return _compact(entry)

    def restore(self, entry: object) -> LeafEntry:
        if isinstance(entry, bool) or not isinstance(entry, int | float):
            return None
        return float(entry) if finite_number(entry) else None


class SumWindowLeaf(CompiledLeaf):
    """Sum in a window of 60 buckets: keeps a flat list ``[bucket, sum,
    bucket, sum, ...]``, oldest bucket first (flat rather than pairs: one list
    per user and leaf, not one per bucket).

    Totals are always added newest bucket first, so the total now and the
    totals after each future bucket expiry come from one running sum.
    """

    __slots__ = ("read", "width")

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        assert isinstance(leaf.measure, Sum)
        self.read = property_reader(leaf.measure.property)
        self.width = (leaf.within.milliseconds if leaf.within else 0) // BUCKETS

    def update(
        self, state: UserState, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        amount = _amount(self.read(properties))
        width = self.width
        bucket = time // width
        oldest_live = now // width - BUCKETS + 1
        if not amount or bucket < oldest_live:
            return False
        key, entries = self.key, state.entries
        flat: list[Any] | None = entries.get(key)
        if flat is None:
            before = self.test(0.0, self.threshold)
            flat = entries[key] = [bucket, amount]
        else:
            _drop_expired(flat, oldest_live)
            before = self.test(_live_total(flat, oldest_live), self.threshold)
            _add(flat, bucket, amount)
        _set_flip(state.flips, key, self._flip(flat))
        return self.test(_live_total(flat, oldest_live), self.threshold) != before

    def check(self, state: UserState, time: int) -> bool:
        flat = state.entries.get(self.key)
        if flat is None:
            return self.test(0.0, self.threshold)
        total = _live_total(flat, time // self.width - BUCKETS + 1)
        return self.test(total, self.threshold)

    def refresh(self, state: UserState, now: int) -> None:
        key, entries = self.key, state.entries
        flat = entries.get(key)
        if flat is not None:
            _drop_expired(flat, now // self.width - BUCKETS + 1)
            if not flat:
                del entries[key]
                flat = None
        _set_flip(state.flips, key, self._flip(flat) if flat is not None else None)

    def _flip(self, flat: list[Any]) -> int | None:
        """When the total next crosses the threshold as buckets expire; every
        bucket kept is live."""
        # totals[i] is the sum of the newest i buckets, added newest first.
        totals = [0.0]
        for index in range(len(flat) - 1, 0, -2):
            totals.append(totals[-1] + flat[index])
        test, threshold = self.test, self.threshold
        live = len(totals) - 1
        holds_now = test(totals[live], threshold)
        for index in range(live):
            if test(totals[live - index - 1], threshold) != holds_now:
                return int(flat[2 * index] + BUCKETS) * self.width
        return None

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        oldest_live = now // self.width - BUCKETS + 1
        kept: list[Any] = []
        for index in range(0, len(entry), 2):
            if entry[index] >= oldest_live:
                kept += [entry[index], _compact(entry[index + 1])]
        return kept or None

    def restore(self, entry: object) -> LeafEntry:
        if not isinstance(entry, list):
            return None
        if all(is_pair(pair) for pair in entry):  # as earlier versions saved it
            entry = [number for pair in entry for number in pair]
        if len(entry) % 2 or not all(
            is_time(entry[index]) and finite_number(entry[index + 1])
            for index in range(0, len(entry), 2)
        ):
            return None
        if any(later <= earlier for earlier, later in pairwise(entry[0::2])):
            return None
        return list(entry) or None


def _drop_expired(flat: list[Any], oldest_live: int) -> None:
    """Remove the buckets before ``oldest_live`` from a flat bucket list."""
    index = 0
    while index < len(flat) and flat[index] < oldest_live:
        index += 2
    if index:
        del flat[:index]


def _live_total(flat: list[Any], oldest_live: int) -> float:
    """The sum of the live buckets of a flat list, added newest first."""
    total = 0.0
    for index in range(len(flat) - 2, -1, -2):
        if flat[index] < oldest_live:
            break
        total += flat[index + 1]
    return total


def _add(flat: list[Any], bucket: int, amount: float) -> None:
    """Add an amount to its bucket in a flat list, keeping buckets ascending."""
    index = len(flat) - 2
    while index >= 0 and flat[index] > bucket:
        index -= 2
    if index >= 0 and flat[index] == bucket:
        flat[index + 1] += amount
    else:
        flat[index + 2 : index + 2] = [bucket, amount]


def _compact(total: float) -> int | float:
    """A whole total as an int, so ``120.0`` is stored as ``120``. (The union
    keeps mypyc from turning the int back into a float.)"""
    if isinstance(total, float) and total.is_integer() and abs(total) < 2**53:
        return int(total)
    return total


def is_time(value: object) -> bool:
    """An integer time (or counter) as stored in a state; never a boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_pair(value: object) -> bool:
    """A ``[bucket, sum]`` pair, as states saved by earlier versions hold
    windowed sums."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and is_time(value[0])
        and finite_number(value[1])
    )
