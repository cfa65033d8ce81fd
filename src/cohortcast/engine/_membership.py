"""Compile a parsed definition once into a closure deciding membership."""

from __future__ import annotations

from collections.abc import Callable

from ._leaves import CompiledLeaf, compile_leaf
from ._model import AllOf, CohortRef, Definition, Leaf, Not
from ._state import UserState

CohortTest = Callable[[UserState, int], bool]
"""Whether a definition holds for a user at a time (not before the clock).

A cohort reference reads ``state.members``: cohorts are evaluated in
dependency order, so a referenced cohort is already up to date at that time.
"""


class Compiler:
    """Compiles the definitions of one set, sharing equal leaves between them."""

    def __init__(self) -> None:
        self.leaves: dict[str, CompiledLeaf] = {}

    def compile(self, definition: Definition) -> tuple[CohortTest, frozenset[str]]:
        """The test for a definition and the keys of the leaves it reads."""
        keys: set[str] = set()
        return self._node(definition, keys), frozenset(keys)

    def _node(self, definition: Definition, keys: set[str]) -> CohortTest:
        if isinstance(definition, Leaf):
            return self._leaf(definition, keys)
        if isinstance(definition, CohortRef):
            code = definition.code
            return lambda state, time: code in state.members
        if isinstance(definition, Not):
            child = self._node(definition.child, keys)
            return lambda state, time: not child(state, time)

        children = tuple(self._node(child, keys) for child in definition.children)
        if len(children) == 1:
            return children[0]
        if isinstance(definition, AllOf):
            return _all_of(children)
        return _any_of(children)

    def _leaf(self, definition: Leaf, keys: set[str]) -> CohortTest:
        leaf = compile_leaf(definition)
        leaf = self.leaves.setdefault(leaf.key, leaf)
        keys.add(leaf.key)
        return leaf.check


# Plain loops rather than all()/any(): no generator per call on the hot path.
def _all_of(children: tuple[CohortTest, ...]) -> CohortTest:
    def all_hold(state: UserState, time: int) -> bool:
        for child in children:  # noqa: SIM110
            if not child(state, time):
                return False
        return True

    return all_hold


def _any_of(children: tuple[CohortTest, ...]) -> CohortTest:
    def any_holds(state: UserState, time: int) -> bool:
        for child in children:  # noqa: SIM110
            if child(state, time):
                return True
        return False

    return any_holds
