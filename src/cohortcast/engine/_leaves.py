"""The run-time side of a leaf: what it keeps per user, whether it holds at a
time, and when it next flips with no new event.

Every leaf kind keeps a bounded entry per user (see "State bounds" in
docs/cohorts.md), in a JSON-ready shape so a state serialises without copying:

- count with window: ascending list of the latest ``cap`` matching times
- count without window: an integer capped at ``cap``
- sum with window: ascending list of ``[bucket, sum]`` pairs (at most 60 live)
- sum without window: the total, a float
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right, insort
from collections.abc import Callable, Mapping
from typing import TypeAlias, cast

from ._checks import finite_number
from ._model import Count, Leaf, Sum
from ._predicates import Matcher, compile_where, property_reader

LeafEntry: TypeAlias = list[int] | list[list[float]] | int | float
"""One leaf's state for one user (see the module docstring)."""

Entries: TypeAlias = dict[str, LeafEntry]

BUCKETS = 60

_COMPARE: Mapping[str, Callable[[float, float], bool]] = {
    "gte": lambda found, wanted: found >= wanted,
    "lte": lambda found, wanted: found <= wanted,
    "eq": lambda found, wanted: found == wanted,
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
    """Base of the four leaf kinds; ``matches`` is None when any event of the
    name matches."""

    __slots__ = ("event", "key", "matches", "test", "threshold")

    def __init__(self, leaf: Leaf) -> None:
        self.key = leaf_key(leaf)
        self.event = leaf.event
        self.matches: Matcher | None = compile_where(leaf.where)
        self.test = _COMPARE[leaf.measure.op]
        self.threshold: float = leaf.measure.value

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> None:
        """Add one matching event at ``time`` as seen at ``now`` (time <= now)."""
        raise NotImplementedError

    def holds(self, entry: LeafEntry | None, time: int) -> bool:
        """Whether the leaf holds at ``time`` (not before the state's clock)."""
        raise NotImplementedError

    def next_flip(self, entry: LeafEntry | None, now: int) -> int | None:
        """The first time after ``now`` at which ``holds`` changes, if any."""
        return None

    def restore(self, entry: object) -> LeafEntry | None:
        """A stored entry made safe for this leaf, or None when it does not fit."""
        raise NotImplementedError

    def prune(self, entries: Entries, now: int) -> None:
        """Forget what can no longer count at ``now`` or later, to keep state small."""


def compile_leaf(leaf: Leaf) -> CompiledLeaf:
    """Pick the run-time kind for a parsed leaf."""
    if isinstance(leaf.measure, Sum):
        return SumWindowLeaf(leaf) if leaf.within else SumTotalLeaf(leaf)
    return CountWindowLeaf(leaf) if leaf.within else CountTotalLeaf(leaf)


def count_cap(count: Count) -> int:
    """How many latest events decide a count: N for gte, N + 1 otherwise."""
    return count.value if count.op == "gte" else count.value + 1


class CountWindowLeaf(CompiledLeaf):
    """Count in a window: keeps the ``cap`` latest matching times."""

    __slots__ = ("cap", "window")

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.cap = count_cap(cast(Count, leaf.measure))
        self.window = leaf.within.milliseconds if leaf.within else 0

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> None:
        horizon = now - self.window
        if time <= horizon or not self.cap:
            return
        times = cast("list[int] | None", entries.get(self.key))
        if times is None:
            entries[self.key] = [time]
            return

        if time >= times[-1]:
            times.append(time)
        else:
            insort(times, time)
        # Drop times that left the window and those beyond the cap, oldest first.
        drop = max(bisect_right(times, horizon), len(times) - self.cap)
        if drop > 0:
            del times[:drop]

    def holds(self, entry: LeafEntry | None, time: int) -> bool:
        if entry is None:
            return self.test(0, self.threshold)
        times = cast("list[int]", entry)
        inside = len(times) - bisect_right(times, time - self.window)
        return self.test(inside, self.threshold)

    def next_flip(self, entry: LeafEntry | None, now: int) -> int | None:
        if entry is None:
            return None
        times = cast("list[int]", entry)
        last = len(times)
        first = bisect_right(times, now - self.window)
        holds_now = self.test(last - first, self.threshold)
        for index in range(first, last):
            # Equal times leave together: only the last of a run changes the count.
            if index + 1 < last and times[index + 1] == times[index]:
                continue
            if self.test(last - index - 1, self.threshold) != holds_now:
                return times[index] + self.window
        return None

    def prune(self, entries: Entries, now: int) -> None:
        times = cast("list[int] | None", entries.get(self.key))
        if times is not None:
            del times[: bisect_right(times, now - self.window)]
            if not times:
                del entries[self.key]

    def restore(self, entry: object) -> LeafEntry | None:
        if not isinstance(entry, list) or not all(is_time(t) for t in entry):
            return None
        times = sorted(cast("list[int]", entry))
        return times[max(0, len(times) - self.cap) :] if self.cap else None


class CountTotalLeaf(CompiledLeaf):
    """Count over all history: a counter that stops at ``cap``."""

    __slots__ = ("cap",)

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.cap = count_cap(cast(Count, leaf.measure))

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> None:
        if self.cap:
            count = cast(int, entries.get(self.key, 0))
            entries[self.key] = min(count + 1, self.cap)

    def holds(self, entry: LeafEntry | None, time: int) -> bool:
        return self.test(cast(int, entry or 0), self.threshold)

    def restore(self, entry: object) -> LeafEntry | None:
        if not is_time(entry) or cast(int, entry) < 0:
            return None
        return min(cast(int, entry), self.cap)


def _amount(value: object) -> float:
    """What a property adds to a sum: its value if a finite number, else 0."""
    return float(cast(float, value)) if finite_number(value) else 0.0


class SumTotalLeaf(CompiledLeaf):
    """Sum over all history: the running total."""

    __slots__ = ("read",)

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.read = property_reader(cast(Sum, leaf.measure).property)

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> None:
        amount = _amount(self.read(properties))
        if amount:
            entries[self.key] = cast(float, entries.get(self.key, 0.0)) + amount

    def holds(self, entry: LeafEntry | None, time: int) -> bool:
        return self.test(cast(float, entry or 0.0), self.threshold)

    def restore(self, entry: object) -> LeafEntry | None:
        if not finite_number(entry):
            return None
        return float(cast(float, entry))


class SumWindowLeaf(CompiledLeaf):
    """Sum in a window of 60 buckets: keeps ``[bucket, sum]`` pairs, oldest first.

    Totals are always added newest bucket first, so the total now and the
    totals after each future bucket expiry come from one running sum.
    """

    __slots__ = ("read", "width")

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.read = property_reader(cast(Sum, leaf.measure).property)
        self.width = (leaf.within.milliseconds if leaf.within else 0) // BUCKETS

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> None:
        amount = _amount(self.read(properties))
        bucket = time // self.width
        oldest_live = now // self.width - BUCKETS + 1
        if not amount or bucket < oldest_live:
            return
        pairs = cast("list[list[float]] | None", entries.get(self.key))
        if pairs is None:
            entries[self.key] = [[bucket, amount]]
            return

        if pairs[-1][0] == bucket:
            pairs[-1][1] += amount
        elif pairs[-1][0] < bucket:
            pairs.append([bucket, amount])
        else:
            _add_to_bucket(pairs, bucket, amount)
        if pairs[0][0] < oldest_live:
            pairs[:] = [pair for pair in pairs if pair[0] >= oldest_live]

    def holds(self, entry: LeafEntry | None, time: int) -> bool:
        total = 0.0
        if entry is not None:
            oldest_live = time // self.width - BUCKETS + 1
            for bucket, amount in reversed(cast("list[list[float]]", entry)):
                if bucket < oldest_live:
                    break
                total += amount
        return self.test(total, self.threshold)

    def next_flip(self, entry: LeafEntry | None, now: int) -> int | None:
        if entry is None:
            return None
        oldest_live = now // self.width - BUCKETS + 1
        live = [
            pair for pair in cast("list[list[float]]", entry) if pair[0] >= oldest_live
        ]
        # totals[i] is the sum of the newest i live buckets, added newest first.
        totals = [0.0]
        for _, amount in reversed(live):
            totals.append(totals[-1] + amount)
        holds_now = self.test(totals[-1], self.threshold)
        for index, (bucket, _) in enumerate(live):
            if self.test(totals[len(live) - index - 1], self.threshold) != holds_now:
                return int(bucket + BUCKETS) * self.width
        return None

    def prune(self, entries: Entries, now: int) -> None:
        pairs = cast("list[list[float]] | None", entries.get(self.key))
        if pairs is not None:
            oldest_live = now // self.width - BUCKETS + 1
            pairs[:] = [pair for pair in pairs if pair[0] >= oldest_live]
            if not pairs:
                del entries[self.key]

    def restore(self, entry: object) -> LeafEntry | None:
        if not isinstance(entry, list) or not all(is_pair(pair) for pair in entry):
            return None
        pairs = sorted((list(pair) for pair in entry), key=lambda pair: pair[0])
        buckets = [pair[0] for pair in pairs]
        return pairs if len(set(buckets)) == len(buckets) else None


def _add_to_bucket(pairs: list[list[float]], bucket: int, amount: float) -> None:
    index = bisect_right([pair[0] for pair in pairs], bucket)
    if index and pairs[index - 1][0] == bucket:
        pairs[index - 1][1] += amount
    else:
        pairs.insert(index, [bucket, amount])


def is_time(value: object) -> bool:
    """An integer time (or counter) as stored in a state; never a boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_pair(value: object) -> bool:
    """A stored ``[bucket, sum]`` pair of a windowed sum."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and is_time(value[0])
        and finite_number(value[1])
    )
