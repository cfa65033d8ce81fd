"""Which leaves an event can match, found without testing every leaf.

Leaves are grouped by event name; within a name, a leaf with an ``eq``
predicate on a string (``category eq travel``, the common case) is filed under
that property's value, so an event reads the property once and only tests the
leaves filed under its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ._leaves import CompiledLeaf
from ._predicates import Matcher, PropertyReader, compile_where, property_reader


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

    def matching(self, properties: Mapping[str, object]) -> list[CompiledLeaf]:
        """The leaves whose predicates all hold for these properties."""
        found = list(self.always)
        for leaf, matches in self.tested:
            if matches(properties):
                found.append(leaf)
        for read, by_value in self.indexed:
            value = read(properties)
            if isinstance(value, str):
                for leaf, rest in by_value.get(value, ()):
                    if rest is None or rest(properties):
                        found.append(leaf)
        return found


def routes(leaves: Iterable[CompiledLeaf]) -> dict[str, Route]:
    """One route per event name."""
    by_event: dict[str, list[CompiledLeaf]] = {}
    for leaf in leaves:
        by_event.setdefault(leaf.event, []).append(leaf)
    return {name: Route(named) for name, named in by_event.items()}
