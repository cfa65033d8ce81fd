"""Which leaves an event can match, found without testing every leaf.

Leaves are grouped by event name; within a name, a leaf with an ``eq``
predicate on a string (``category eq travel``, the common case) is filed under
that property's value, so an event reads the property once and only tests the
leaves filed under its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ._leaves import CompiledLeaf
from ._predicates import Matcher, PropertyReader, compile_where, property_reader

if TYPE_CHECKING:
    from ._state import UserState


class Route:
    """The leaves of one event name, arranged for matching."""

    __slots__ = ("always", "indexed", "tested", "windowed")

    def __init__(self, leaves: Sequence[CompiledLeaf]) -> None:
        always: list[CompiledLeaf] = []
        tested: list[tuple[CompiledLeaf, Matcher]] = []
        filed: dict[str, dict[str, list[tuple[CompiledLeaf, Matcher | None]]]] = {}
        for leaf in leaves:
            index = next(
                (
                    position
                    for position, predicate in enumerate(leaf.where)
                    if predicate.op == "eq" and isinstance(predicate.value, str)
                ),
                None,
            )
            if leaf.matches is None:
                always.append(leaf)
            elif index is None:
                tested.append((leaf, leaf.matches))
            else:
                predicate = leaf.where[index]
                rest = compile_where(leaf.where[:index] + leaf.where[index + 1 :])
                by_value = filed.setdefault(predicate.property, {})
                by_value.setdefault(str(predicate.value), []).append((leaf, rest))

        self.windowed = any(leaf.windowed for leaf in leaves)
        self.always = tuple(always)
        self.tested = tuple(tested)
        self.indexed: tuple[
            tuple[
                PropertyReader,
                Mapping[str, tuple[tuple[CompiledLeaf, Matcher | None], ...]],
            ],
            ...,
        ] = tuple(
            (
                property_reader(path),
                {value: tuple(entries) for value, entries in by_value.items()},
            )
            for path, by_value in filed.items()
        )

    def record(
        self,
        state: UserState,
        time: int,
        now: int,
        properties: Mapping[str, object],
        flipped: list[str],
    ) -> None:
        """Update every leaf whose predicates all hold for these properties;
        append to ``flipped`` the keys of those whose truth at ``now`` changed."""
        for leaf in self.always:
            if leaf.update(state, time, now, properties):
                flipped.append(leaf.key)
        for leaf, matches in self.tested:
            if matches(properties) and leaf.update(state, time, now, properties):
                flipped.append(leaf.key)
        for read, by_value in self.indexed:
            value = read(properties)
            if not isinstance(value, str):
                continue
            for leaf, rest in by_value.get(value, ()):
                if (rest is None or rest(properties)) and leaf.update(
                    state, time, now, properties
                ):
                    flipped.append(leaf.key)


def routes(leaves: Iterable[CompiledLeaf]) -> dict[str, Route]:
    """One route per event name."""
    by_event: dict[str, list[CompiledLeaf]] = {}
    for leaf in leaves:
        by_event.setdefault(leaf.event, []).append(leaf)
    return {name: Route(named) for name, named in by_event.items()}
