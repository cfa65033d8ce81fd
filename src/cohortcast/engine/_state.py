"""One user's evaluation state, and its JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._checks import finite_number
from ._errors import quote
from ._leaves import Entries, LeafEntry, is_pair

if TYPE_CHECKING:
    from ._cohort_set import CohortSet

FORMAT_VERSION = 1
_KEYS = ("version", "cohort_set", "now", "members", "leaves")


class UserState:
    """Everything the engine keeps for one user; mutable, bounded in size.

    Create one with ``CohortSet.new_state()`` or restore one with
    ``UserState.from_json``; only the engine changes it. ``now`` is the state's
    clock (None before its first event or advance) and ``members`` the cohort
    codes the user is in at ``now``.
    """

    __slots__ = (
        "cohort_set",
        "entries",
        "flips",
        "members",
        "now",
        "owner",
        "stale",
        "wake",
    )

    def __init__(self) -> None:
        self.now: int | None = None
        self.members: set[str] = set()
        # Leaf key -> that leaf's bounded entry (see _leaves).
        self.entries: Entries = {}
        # Fingerprint of the cohort set whose definitions produced ``members``.
        self.cohort_set: str | None = None
        # Caches owned by the cohort set this state is attached to: each leaf's
        # next flip time, their minimum, and whether membership must be rebuilt.
        self.owner: CohortSet | None = None
        self.flips: dict[str, int] = {}
        self.wake: int | None = None
        self.stale = False

    def to_json(self) -> dict[str, object]:
        """A JSON-able copy of the state (without caches), for storage.

        ``{"version": 1, "cohort_set": <fingerprint of the definitions>, "now":
        <ms or null>, "members": [codes], "leaves": {<leaf key>: <entry>}}``,
        where a leaf key is a hash of the leaf's definition (so an unchanged
        leaf keeps its state when other cohorts change) and an entry is a time,
        a list of times, a counter, a flat list of buckets and their sums, or
        a total (see _leaves).
        """
        return {
            "version": FORMAT_VERSION,
            "cohort_set": self.cohort_set,
            "now": self.now,
            "members": sorted(self.members),
            "leaves": self._stored_leaves(),
        }

    def _stored_leaves(self) -> dict[str, LeafEntry]:
        # An attached state knows its leaves: what has left a window is dropped.
        if self.owner is None or self.now is None:
            return {key: _copy(entry) for key, entry in self.entries.items()}
        return self.owner.stored_entries(self.entries, self.now)

    @classmethod
    def from_json(cls, value: object) -> UserState:
        """Restore a state saved by ``to_json``.

        Raises ValueError, naming the bad part, for anything that is not such a
        state; it may come from a database or a browser. A state saved under
        other cohort definitions is accepted and catches up when next used.
        """
        if not isinstance(value, Mapping):
            raise ValueError(f"user state: {quote(value)} is not an object")
        for key in value:
            if key not in _KEYS:
                raise ValueError(
                    f"user state: {quote(key)} is not a key of a user state; use"
                    " version, cohort_set, now, members or leaves"
                )
        if value.get("version") != FORMAT_VERSION or isinstance(
            value.get("version"), bool
        ):
            raise ValueError(
                f"user state.version: {quote(value.get('version'))} is not a"
                f" supported version; expected {FORMAT_VERSION}"
            )

        state = cls()
        state.now = _optional_time(value.get("now"))
        state.cohort_set = _optional_text(value.get("cohort_set"))
        state.members = _members(value.get("members", []))
        state.entries = _entries(value.get("leaves", {}))
        return state


def _copy(entry: LeafEntry) -> LeafEntry:
    if isinstance(entry, list):
        return [list(item) if isinstance(item, list) else item for item in entry]
    return entry


def _optional_time(value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(
        f"user state.now: {quote(value)} is not a time; expected integer"
        " milliseconds or null"
    )


def _optional_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(
        f"user state.cohort_set: {quote(value)} is not a fingerprint; expected a"
        " string or null"
    )


def _members(value: object) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValueError(
            f"user state.members: {quote(value)} is not a list of cohort codes"
        )
    return set(value)


def _entries(value: object) -> Entries:
    if not isinstance(value, Mapping):
        raise ValueError(f"user state.leaves: {quote(value)} is not an object")
    entries: Entries = {}
    for key, entry in value.items():
        if not isinstance(key, str) or not _is_entry(entry):
            raise ValueError(
                f"user state.leaves.{key}: {quote(entry)} is not a leaf state;"
                " expected a number, or a list of numbers (times, or buckets and"
                " sums)"
            )
        entries[key] = _copy(entry)
    return entries


def _is_entry(entry: object) -> bool:
    if isinstance(entry, list):
        return all(finite_number(i) for i in entry) or all(is_pair(i) for i in entry)
    return finite_number(entry)
