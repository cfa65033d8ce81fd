"""Checks on the references between the cohorts of one set: every referenced
code exists, no cohort refers to itself, and there is no cycle."""

from __future__ import annotations

from collections.abc import Mapping

from ._errors import DefinitionError, quote
from ._model import Definition
from ._parse import reference_paths


def dependency_order(definitions: Mapping[str, Definition]) -> list[str]:
    """The cohort codes ordered so that a cohort comes after those it refers to.

    Raises ``DefinitionError`` at the path of the first bad reference, in the
    mapping's order. A cycle is reported at the reference that leaves the first
    cohort of the cycle met, so a caller validating one edited cohort among
    valid ones should put it first: the error then lands in its definition.
    """
    edges = {
        code: _edges(code, definition, definitions)
        for code, definition in definitions.items()
    }
    order: list[str] = []
    done: set[str] = set()
    for code in definitions:
        if code not in done:
            _visit(code, edges, done, order)
    return order


def _edges(
    code: str, definition: Definition, definitions: Mapping[str, Definition]
) -> dict[str, str]:
    """Each referenced code with the path of its first reference."""
    edges: dict[str, str] = {}
    for target, path in reference_paths(definition, f"cohorts.{code}.definition"):
        if target == code:
            raise DefinitionError(
                path,
                target,
                f"{quote(target)} is this cohort itself; a cohort cannot refer to"
                " itself",
            )
        if target not in definitions:
            raise DefinitionError(
                path,
                target,
                f"{quote(target)} is not a cohort in this workspace; use the code of"
                " an existing cohort",
            )
        edges.setdefault(target, path)
    return edges


def _visit(
    root: str,
    edges: Mapping[str, Mapping[str, str]],
    done: set[str],
    order: list[str],
) -> None:
    """Depth-first from ``root``, without recursion: chains of references may be
    longer than Python's recursion limit."""
    stack = [root]
    pending = [iter(edges[root])]
    while pending:
        target = next(pending[-1], None)
        if target is None:
            pending.pop()
            done.add(stack[-1])
            order.append(stack.pop())
        elif target in stack:
            raise _cycle_error([*stack[stack.index(target) :], target], edges)
        elif target not in done:
            stack.append(target)
            pending.append(iter(edges[target]))


def _cycle_error(
    cycle: list[str], edges: Mapping[str, Mapping[str, str]]
) -> DefinitionError:
    start, following = cycle[0], cycle[1]
    return DefinitionError(
        edges[start][following],
        following,
        f"{quote(following)} leads back to {quote(start)} through"
        f" {' -> '.join(cycle)}; cohort references cannot form a cycle",
    )
