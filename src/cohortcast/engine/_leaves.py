"""The run-time side of a leaf: what it keeps per user, whether it holds at a
time, and when it next flips with no new event.

Every leaf kind keeps a bounded entry per user (see "State bounds" in
docs/cohorts.md), in a JSON-ready shape so a state serialises without copying:

- count with window: ascending list of the latest ``cap`` matching times
- count without window: an integer capped at ``cap``
- sum with window: ascending list of ``[bucket, sum]`` pairs (at most 60 live)
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
from typing import Any, TypeAlias

from ._checks import finite_number
from ._model import Count, Leaf, Sum
from ._predicates import Matcher, compile_where, property_reader

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
    matches, and ``windowed`` says whether time alone can flip the leaf."""

    __slots__ = ("event", "key", "matches", "test", "threshold", "where", "windowed")

    def __init__(self, leaf: Leaf) -> None:
        self.key = leaf_key(leaf)
        self.event = leaf.event
        self.where = leaf.where
        self.matches: Matcher | None = compile_where(leaf.where)
        self.test = _COMPARE[leaf.measure.op]
        self.threshold: float = leaf.measure.value
        self.windowed = leaf.within is not None

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        """Add one matching event at ``time`` as seen at ``now`` (time <= now);
        return whether that changed the leaf's truth at ``now``."""
        raise NotImplementedError

    def holds(self, entry: LeafEntry, time: int) -> bool:
        """Whether the leaf holds at ``time`` (not before the state's clock);
        ``entry`` is None for a leaf the user never matched."""
        raise NotImplementedError

    def next_flip(self, entry: LeafEntry, now: int) -> int | None:
        """The first time after ``now`` at which ``holds`` changes, if any."""
        return None

    def restore(self, entry: object) -> LeafEntry:
        """A stored entry made safe for this leaf, or None when it does not fit."""
        raise NotImplementedError

    def prune(self, entries: Entries, now: int) -> None:
        """Forget what can no longer count at ``now`` or later, to keep state small."""

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        """A JSON-ready copy of the entry without what has expired at ``now``
        (None when nothing is left)."""
        return entry


def compile_leaf(leaf: Leaf) -> CompiledLeaf:
    """Pick the run-time kind for a parsed leaf."""
    measure = leaf.measure
    if isinstance(measure, Sum):
        return SumWindowLeaf(leaf) if leaf.within else SumTotalLeaf(leaf)
    if not leaf.within:
        return CountTotalLeaf(leaf)
    if measure.op == "gte":
        return AtLeastLeaf(leaf)
    return AtMostLeaf(leaf) if measure.op == "lte" else ExactlyLeaf(leaf)


def count_cap(count: Count | Sum) -> int:
    """How many latest events decide a count: N for gte, N + 1 otherwise."""
    assert isinstance(count, Count)
    return count.value if count.op == "gte" else count.value + 1


class CountWindowLeaf(CompiledLeaf):
    """Count in a window (any comparison): keeps the ``cap`` latest times."""

    __slots__ = ("cap", "window")

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.cap = count_cap(leaf.measure)
        self.window = leaf.within.milliseconds if leaf.within else 0

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        # Keeps ``time`` among the latest ``cap`` times inside the window. gte
        # and lte flip exactly when the cap-th latest time enters or leaves the
        # window, so the answer compares that before and after; eq overrides.
        cap, horizon = self.cap, now - self.window
        times: list[int] | None = entries.get(self.key)
        if time <= horizon or not cap:
            return False
        if times is None:
            entries[self.key] = [time]
            return cap == 1

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
        return before != (len(times) >= cap and times[-cap] > horizon)

    def holds(self, entry: LeafEntry, time: int) -> bool:
        if entry is None:
            return self.test(0, self.threshold)
        inside = len(entry) - bisect_right(entry, time - self.window)
        return self.test(inside, self.threshold)

    def next_flip(self, entry: LeafEntry, now: int) -> int | None:
        if entry is None:
            return None
        last = len(entry)
        first = bisect_right(entry, now - self.window)
        holds_now = self.test(last - first, self.threshold)
        for index in range(first, last):
            # Equal times leave together: only the last of a run changes the count.
            if index + 1 < last and entry[index + 1] == entry[index]:
                continue
            if self.test(last - index - 1, self.threshold) != holds_now:
                return int(entry[index]) + self.window
        return None

    def prune(self, entries: Entries, now: int) -> None:
        times = entries.get(self.key)
        if times is not None:
            del times[: bisect_right(times, now - self.window)]
            if not times:
                del entries[self.key]

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        return entry[bisect_right(entry, now - self.window) :] or None

    def restore(self, entry: object) -> LeafEntry:
        if not isinstance(entry, list) or not all(is_time(t) for t in entry):
            return None
        times = sorted(entry)
        return times[max(0, len(times) - self.cap) :] if self.cap else None


class AtLeastLeaf(CountWindowLeaf):
    """``gte N`` in a window: holds while the N-th latest time is inside, and
    flips (to false) exactly when it leaves, ties or not."""

    __slots__ = ()

    def holds(self, entry: LeafEntry, time: int) -> bool:
        cap = self.cap
        if not cap:
            return True
        return (
            entry is not None and len(entry) >= cap and entry[-cap] > time - self.window
        )

    def next_flip(self, entry: LeafEntry, now: int) -> int | None:
        cap = self.cap
        if cap and entry is not None and len(entry) >= cap:
            leaves_at: int = entry[-cap] + self.window
            if leaves_at > now:
                return leaves_at
        return None


class AtMostLeaf(CountWindowLeaf):
    """``lte N`` in a window: fails while the (N+1)-th latest time is inside,
    and flips (to true) exactly when it leaves."""

    __slots__ = ()

    def holds(self, entry: LeafEntry, time: int) -> bool:
        cap = self.cap
        return entry is None or len(entry) < cap or entry[-cap] <= time - self.window

    next_flip = AtLeastLeaf.next_flip


class ExactlyLeaf(CountWindowLeaf):
    """``eq N`` in a window: flips both when the N-th and the (N+1)-th latest
    times leave, so its truth is compared in full around each event."""

    __slots__ = ()

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        before = self.holds(entries.get(self.key), now)
        super().record(entries, time, now, properties)
        return self.holds(entries.get(self.key), now) != before


class CountTotalLeaf(CompiledLeaf):
    """Count over all history: a counter that stops at ``cap``."""

    __slots__ = ("cap",)

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        self.cap = count_cap(leaf.measure)

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        count = entries.get(self.key, 0)
        if count >= self.cap:
            return False
        entries[self.key] = count + 1
        return self.test(count + 1, self.threshold) != self.test(count, self.threshold)

    def holds(self, entry: LeafEntry, time: int) -> bool:
        return self.test(entry or 0, self.threshold)

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

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        amount = _amount(self.read(properties))
        if not amount:
            return False
        total = entries.get(self.key, 0.0)
        entries[self.key] = total + amount
        return self.test(total + amount, self.threshold) != self.test(
            total, self.threshold
        )

    def holds(self, entry: LeafEntry, time: int) -> bool:
        return self.test(entry or 0.0, self.threshold)

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        return _compact(entry)

    def restore(self, entry: object) -> LeafEntry:
        if isinstance(entry, bool) or not isinstance(entry, int | float):
            return None
        return float(entry) if finite_number(entry) else None


class SumWindowLeaf(CompiledLeaf):
    """Sum in a window of 60 buckets: keeps ``[bucket, sum]`` pairs, oldest first.

    Totals are always added newest bucket first, so the total now and the
    totals after each future bucket expiry come from one running sum.
    """

    __slots__ = ("read", "width")

    def __init__(self, leaf: Leaf) -> None:
        super().__init__(leaf)
        assert isinstance(leaf.measure, Sum)
        self.read = property_reader(leaf.measure.property)
        self.width = (leaf.within.milliseconds if leaf.within else 0) // BUCKETS

    def record(
        self, entries: Entries, time: int, now: int, properties: Mapping[str, object]
    ) -> bool:
        amount = _amount(self.read(properties))
        bucket = time // self.width
        if not amount or bucket < now // self.width - BUCKETS + 1:
            return False
        before = self.holds(entries.get(self.key), now)
        self._add(entries, bucket, amount, now)
        return self.holds(entries.get(self.key), now) != before

    def _add(self, entries: Entries, bucket: int, amount: float, now: int) -> None:
        oldest_live = now // self.width - BUCKETS + 1
        pairs = entries.get(self.key)
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

    def holds(self, entry: LeafEntry, time: int) -> bool:
        total = 0.0
        if entry is not None:
            oldest_live = time // self.width - BUCKETS + 1
            for bucket, amount in reversed(entry):
                if bucket < oldest_live:
                    break
                total += amount
        return self.test(total, self.threshold)

    def next_flip(self, entry: LeafEntry, now: int) -> int | None:
        if entry is None:
            return None
        oldest_live = now // self.width - BUCKETS + 1
        live = [pair for pair in entry if pair[0] >= oldest_live]
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
        pairs = entries.get(self.key)
        if pairs is not None:
            oldest_live = now // self.width - BUCKETS + 1
            pairs[:] = [pair for pair in pairs if pair[0] >= oldest_live]
            if not pairs:
                del entries[self.key]

    def stored(self, entry: LeafEntry, now: int) -> LeafEntry:
        oldest_live = now // self.width - BUCKETS + 1
        live = [[bucket, _compact(total)] for bucket, total in entry]
        return [pair for pair in live if pair[0] >= oldest_live] or None

    def restore(self, entry: object) -> LeafEntry:
        if not isinstance(entry, list) or not all(is_pair(pair) for pair in entry):
            return None
        pairs = sorted((list(pair) for pair in entry), key=lambda pair: pair[0])
        buckets = [pair[0] for pair in pairs]
        return pairs if len(set(buckets)) == len(buckets) else None


def _compact(total: float) -> float:
    """A whole total as an int, so ``120.0`` is stored as ``120``."""
    if isinstance(total, float) and total.is_integer() and abs(total) < 2**53:
        return int(total)
    return total


def _add_to_bucket(pairs: list[list[Any]], bucket: int, amount: float) -> None:
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
