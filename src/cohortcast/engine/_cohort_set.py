"""A workspace's cohorts compiled together, and incremental evaluation."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from ._checks import string_value
from ._errors import DefinitionError, quote
from ._history import evaluate_history
from ._leaves import CompiledLeaf, Entries, LeafEntry
from ._membership import CohortTest, Compiler
from ._model import Change, Definition, Event
from ._parse import parse_definition, references
from ._references import dependency_order
from ._routing import routes
from ._state import UserState

# Distinct sets of touched leaves are few in practice; the cache of their
# affected cohorts stops growing past this many so it stays bounded.
_AFFECTED_CACHE_SIZE = 4096


class CohortSet:
    """The cohorts of one workspace, compiled once, evaluated per user.

    Build it with ``CohortSet.compile``. Evaluation never does I/O: a caller
    keeps one ``UserState`` per user and feeds it events (``process``) and the
    passing of time (``advance``); both return the entries and exits caused,
    ordered by time, then cohort code.
    """

    def __init__(self, definitions: Mapping[str, Definition], order: list[str]) -> None:
        self.definitions = dict(definitions)
        self.codes = tuple(order)
        self.fingerprint = hashlib.sha256(
            repr(sorted(self.definitions.items())).encode()
        ).hexdigest()[:12]

        compiler = Compiler()
        compiled = [compiler.compile(definitions[code]) for code in order]
        self._tests: tuple[CohortTest, ...] = tuple(test for test, _ in compiled)
        self._leaves: dict[str, CompiledLeaf] = compiler.leaves
        self._routes = routes(self._leaves.values())
        self._every_cohort = tuple(range(len(order)))
        self._cohorts_of_leaf = _cohorts_of_leaves(definitions, order, compiled)
        self._affected_cache: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._empty_members = self._members_without_events()

    @classmethod
    def compile(cls, definitions: Mapping[str, object]) -> CohortSet:
        """Validate and compile cohorts keyed by cohort code (raw JSON values).

        Raises ``DefinitionError`` with a path starting ``cohorts.<code>.definition``
        for an invalid definition, an unknown cohort reference, a self reference
        or a cycle. To validate one edited cohort in the context of its
        workspace, compile the whole workspace with it first in the mapping.
        """
        if not isinstance(definitions, Mapping):
            raise DefinitionError(
                "cohorts",
                definitions,
                f"{quote(definitions)} is not an object mapping cohort codes to"
                " definitions",
            )
        parsed: dict[str, Definition] = {}
        for code, raw in definitions.items():
            string_value(code, "cohorts", "a cohort code")
            parsed[code] = parse_definition(raw, f"cohorts.{code}.definition")
        return cls(parsed, dependency_order(parsed))

    def new_state(self) -> UserState:
        """An empty state: no clock, no members, no leaf entries."""
        state = UserState()
        state.owner = self
        state.cohort_set = self.fingerprint
        return state

    def members(self, state: UserState) -> frozenset[str]:
        """The cohorts the user is in at the state's clock."""
        if state.owner is self:
            return frozenset(state.members)
        return frozenset(code for code in state.members if code in self.definitions)

    def leaf_keys(self) -> frozenset[str]:
        """The keys under which states keep per-leaf entries for these cohorts.

        Equal leaves share a key (and state) across cohorts and edits, so the
        keys a new set adds are exactly the entries a rebuild must fill.
        """
        return frozenset(self._leaves)

    def next_change_time(self, state: UserState) -> int | None:
        """The earliest time after the clock at which a leaf flips if no event
        arrives; a scheduler can call ``advance`` then. None when nothing will."""
        self._attach(state)
        return state.wake

    def process(self, state: UserState, event: Event) -> list[Change]:
        """Add one event and return the membership changes it causes.

        Changes caused by time alone before ``event.time`` come first, each at
        its own time. A late event (``time`` at or before the clock) counts as
        of its own time and its changes are reported at the clock.
        """
        changes = (
            [] if state.owner is self and not state.stale else self._catch_up(state)
        )
        time, now = event.time, state.now
        if now is None:
            state.now = time
            state.members = set(self._empty_members)
            flipped = self._record(state, event, time)
            self._evaluate(state, self._affected(flipped), time, [])
            return [Change(code, "entry", time) for code in sorted(state.members)]

        due: list[str] = []
        if time > now:
            wake = state.wake
            if wake is not None and wake <= time:
                if wake < time:
                    self._run_until(state, time - 1, changes)
                # Flips due exactly now are applied with the event.
                due = self._due(state, time)
                self._refresh(state, due, time)
            state.now = now = time
        flipped = self._record(state, event, now)
        if flipped or due:
            keys = flipped + due if due else flipped
            self._evaluate(state, self._affected(keys), now, changes)
        return changes

    def advance(self, state: UserState, time: int) -> list[Change]:
        """Move the clock forward to ``time``; return the changes on the way,
        each at its own time. Does nothing when ``time`` is not after the clock
        (but a state's first advance starts its clock and evaluates every cohort).
        """
        changes = self._catch_up(state)
        if state.now is None:
            state.now = time
            state.members = set(self._empty_members)
            return [Change(code, "entry", time) for code in sorted(state.members)]
        if time > state.now:
            self._run_until(state, time, changes)
            state.now = time
        return changes

    def evaluate_history(self, events: Iterable[Event], at: int) -> frozenset[str]:
        """Membership at ``at`` recomputed from a full history (events after
        ``at`` are ignored): the slow, obvious reference for tests."""
        return evaluate_history(self.definitions, self.codes, list(events), at)

    def _members_without_events(self) -> frozenset[str]:
        """The cohorts that hold on an empty history (at any time)."""
        state = UserState()
        for code, test in zip(self.codes, self._tests, strict=True):
            if test(state, 0):
                state.members.add(code)
        return frozenset(state.members)

    def _run_until(self, state: UserState, limit: int, changes: list[Change]) -> None:
        """Apply every leaf flip at or before ``limit``, in time order."""
        while state.wake is not None and state.wake <= limit:
            time = state.wake
            state.now = time
            due = self._due(state, time)
            self._refresh(state, due, time)
            self._evaluate(state, self._affected(due), time, changes)

    def _due(self, state: UserState, time: int) -> list[str]:
        return [key for key, flip in state.flips.items() if flip <= time]

    def _record(self, state: UserState, event: Event, now: int) -> list[str]:
        """Add the event to every leaf it matches (keeping their flips and the
        wake time current); return the keys of those whose truth at ``now``
        changed: only their cohorts need evaluating."""
        route = self._routes.get(event.name)
        if route is None:
            return []
        flipped: list[str] = []
        route.record(state, event.time, now, event.properties, flipped)
        if route.windowed:
            flips = state.flips
            state.wake = min(flips.values()) if flips else None
        return flipped

    def _refresh(self, state: UserState, keys: Iterable[str], now: int) -> None:
        """Bring these windowed leaves up to ``now`` (forget what expired,
        recompute their next flips) and recompute the wake time."""
        leaves = self._leaves
        for key in keys:
            leaves[key].refresh(state, now)
        flips = state.flips
        state.wake = min(flips.values()) if flips else None

    def _affected(self, keys: list[str]) -> tuple[int, ...]:
        """Positions (in dependency order) of cohorts that read these leaves."""
        if len(keys) == 1:
            return self._cohorts_of_leaf[keys[0]]
        cache_key = tuple(keys)
        found = self._affected_cache.get(cache_key)
        if found is None:
            positions: set[int] = set()
            for key in keys:
                positions.update(self._cohorts_of_leaf[key])
            found = tuple(sorted(positions))
            if len(self._affected_cache) < _AFFECTED_CACHE_SIZE:
                self._affected_cache[cache_key] = found
        return found

    def _evaluate(
        self,
        state: UserState,
        positions: tuple[int, ...],
        time: int,
        changes: list[Change],
    ) -> None:
        """Re-evaluate these cohorts at ``time`` and report what changed."""
        first = len(changes)
        members, codes, tests = state.members, self.codes, self._tests
        for position in positions:
            code = codes[position]
            if tests[position](state, time):
                if code not in members:
                    members.add(code)
                    changes.append(Change(code, "entry", time))
            elif code in members:
                members.discard(code)
                changes.append(Change(code, "exit", time))
        if len(changes) - first > 1:
            changes[first:] = sorted(changes[first:], key=lambda change: change.cohort)

    def stored_entries(self, entries: Entries, now: int) -> dict[str, LeafEntry]:
        """Leaf entries ready for JSON, without what has expired at ``now``
        (used by ``UserState.to_json``)."""
        stored = {}
        for key, entry in entries.items():
            kept = self._leaves[key].stored(entry, now)
            if kept is not None:
                stored[key] = kept
        return stored

    def _attach(self, state: UserState) -> None:
        """Adopt a state restored from JSON or made by another cohort set: keep
        only entries that fit this set's leaves and rebuild the caches."""
        if state.owner is self:
            return
        for key, entry in list(state.entries.items()):
            leaf = self._leaves.get(key)
            restored = leaf.restore(entry) if leaf else None
            if restored is None:
                del state.entries[key]
            else:
                state.entries[key] = restored
        # Cohorts deleted since the state was saved cannot be evaluated: drop them.
        state.members &= self.definitions.keys()
        if state.cohort_set != self.fingerprint:
            state.stale = state.now is not None
            state.cohort_set = self.fingerprint
        state.owner = self
        state.flips, state.wake = {}, None
        if state.now is not None:
            windowed = [key for key in state.entries if self._leaves[key].windowed]
            self._refresh(state, windowed, state.now)

    def _catch_up(self, state: UserState) -> list[Change]:
        """Attach the state; if it was saved under other definitions, bring its
        membership up to date at its clock first."""
        self._attach(state)
        changes: list[Change] = []
        if state.stale and state.now is not None:
            self._evaluate(state, self._every_cohort, state.now, changes)
        state.stale = False
        return changes


def _cohorts_of_leaves(
    definitions: Mapping[str, Definition],
    order: list[str],
    compiled: list[tuple[CohortTest, frozenset[str]]],
) -> dict[str, tuple[int, ...]]:
    """For each leaf key, the positions of the cohorts whose membership can
    change when it flips: those reading it and, transitively, their referrers."""
    position = {code: index for index, code in enumerate(order)}
    referrers: dict[str, set[int]] = {code: set() for code in order}
    for code in order:
        for target in references(definitions[code]):
            referrers[target].add(position[code])

    # In dependency order, a cohort's referrers come later; walk back to front.
    reach: dict[int, set[int]] = {}
    for index in reversed(range(len(order))):
        reach[index] = {index}
        for referrer in referrers[order[index]]:
            reach[index] |= reach[referrer]

    cohorts_of_leaf: dict[str, set[int]] = {}
    for index, (_, keys) in enumerate(compiled):
        for key in keys:
            cohorts_of_leaf.setdefault(key, set()).update(reach[index])
    return {key: tuple(sorted(found)) for key, found in cohorts_of_leaf.items()}
