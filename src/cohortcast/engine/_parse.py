"""Parse and validate one cohort definition (JSON value) into the typed model.

Every check raises ``DefinitionError`` with the JSON path of the bad part; no
other exception escapes, whatever the input.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

from ._checks import (
    finite_number,
    object_keys,
    or_list,
    property_path,
    string_value,
    whole_number,
)
from ._errors import DefinitionError, quote
from ._model import (
    MILLISECONDS_PER_UNIT,
    AllOf,
    AnyOf,
    CohortRef,
    Comparison,
    Count,
    Definition,
    Leaf,
    Not,
    Sum,
    Window,
    WindowUnit,
)
from ._predicates import parse_predicates

MAX_DEPTH = 8
MAX_NODES = 128
MAX_COUNT = 100
MAX_WINDOW_DAYS = 366

# The key that decides an object's shape, in the order they are looked for.
_SHAPE_KEYS = ("event", "all", "any", "not", "cohort")
_LEAF_KEYS = ("event", "where", "count", "sum", "within")
_COMPARISONS = ("gte", "lte", "eq")


def parse_definition(raw: object, path: str = "definition") -> Definition:
    """Validate one definition on its own and return its typed model.

    References to other cohorts are checked only for shape here; whether the
    code exists, and cycles, need the whole set (``CohortSet.compile``).
    Raises ``DefinitionError`` naming the JSON path, for example
    ``definition.all[1].within: 'weeks' is not a window unit; use minutes,
    hours or days``.
    """
    return _Parser().node(raw, path, 0)


def references(definition: Definition) -> frozenset[str]:
    """The cohort codes a definition refers to, at any depth."""
    return frozenset(code for code, _ in reference_paths(definition, "definition"))


def reference_paths(definition: Definition, path: str) -> Iterator[tuple[str, str]]:
    """Each cohort reference with its JSON path, in document order."""
    if isinstance(definition, CohortRef):
        yield definition.code, f"{path}.cohort"
    elif isinstance(definition, AllOf | AnyOf):
        key = "all" if isinstance(definition, AllOf) else "any"
        for index, child in enumerate(definition.children):
            yield from reference_paths(child, f"{path}.{key}[{index}]")
    elif isinstance(definition, Not):
        yield from reference_paths(definition.child, f"{path}.not")


class _Parser:
    """Walks one definition, counting nodes against the limit."""

    def __init__(self) -> None:
        self.nodes = 0

    def node(self, raw: object, path: str, depth: int) -> Definition:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise DefinitionError(
                path,
                raw,
                f"this is node {self.nodes}, over the limit of {MAX_NODES} nodes in"
                " one definition; move part of it into its own cohort and refer to it",
            )
        if not isinstance(raw, Mapping):
            raise DefinitionError(
                path,
                raw,
                f"{quote(raw)} is not a definition; expected an object with one of"
                " the keys event, all, any, not or cohort",
            )

        shape = next((key for key in _SHAPE_KEYS if key in raw), None)
        if shape is None:
            if not raw:
                raise DefinitionError(
                    path,
                    raw,
                    "{} is an empty definition; expected one of the keys event, all,"
                    " any, not or cohort",
                )
            key = next(iter(raw))
            raise DefinitionError(
                path,
                key,
                f"{quote(key)} is not a key of a definition; start it with one of"
                " event, all, any, not or cohort",
            )
        if shape == "event":
            return self.leaf(raw, path)
        if shape == "cohort":
            object_keys(raw, path, ("cohort",), "a cohort reference")
            code = string_value(raw["cohort"], f"{path}.cohort", "a cohort code")
            return CohortRef(code)
        return self.combinator(raw, path, depth, shape)

    def combinator(
        self, raw: Mapping[object, object], path: str, depth: int, shape: str
    ) -> Definition:
        article = "a" if shape == "not" else "an"
        object_keys(raw, path, (shape,), f"{article} {shape} combinator")
        if depth + 1 > MAX_DEPTH:
            raise DefinitionError(
                path,
                raw,
                f"{quote(shape)} is combinator {depth + 1} on this path, over the"
                f" limit of {MAX_DEPTH} nested combinators; move part of the"
                " definition into its own cohort and refer to it",
            )

        inner = raw[shape]
        if shape == "not":
            return Not(self.node(inner, f"{path}.not", depth + 1))

        if not isinstance(inner, list | tuple):
            raise DefinitionError(
                f"{path}.{shape}",
                inner,
                f"{quote(inner)} is not a list of definitions; expected a list such as"
                ' [{"event": "Pageview"}]',
            )
        if not inner:
            raise DefinitionError(
                f"{path}.{shape}", inner, "[] is empty; give at least one definition"
            )
        children = tuple(
            self.node(child, f"{path}.{shape}[{index}]", depth + 1)
            for index, child in enumerate(inner)
        )
        return AllOf(children) if shape == "all" else AnyOf(children)

    def leaf(self, raw: Mapping[object, object], path: str) -> Leaf:
        object_keys(raw, path, _LEAF_KEYS, "a leaf")
        event = string_value(raw["event"], f"{path}.event", "an event name")
        where = (
            parse_predicates(raw["where"], f"{path}.where") if "where" in raw else ()
        )
        if "count" in raw and "sum" in raw:
            raise DefinitionError(
                path,
                "sum",
                "'sum' cannot be used with 'count' in one leaf; use one of them",
            )

        measure: Count | Sum = Count()
        if "count" in raw:
            measure = _count(raw["count"], f"{path}.count")
        elif "sum" in raw:
            measure = _sum(raw["sum"], f"{path}.sum")
        within = _window(raw["within"], f"{path}.within") if "within" in raw else None
        return Leaf(event, where, measure, within)


def _comparison(raw: Mapping[object, object], path: str, what: str) -> Comparison:
    if "op" not in raw:
        raise DefinitionError(
            path, raw, f"{quote(raw)} has no op; use {or_list(_COMPARISONS)}"
        )
    op = raw["op"]
    if op not in _COMPARISONS:
        raise DefinitionError(
            f"{path}.op",
            op,
            f"{quote(op)} is not {what} operator; use {or_list(_COMPARISONS)}",
        )
    return cast(Comparison, op)


def _count(raw: object, path: str) -> Count:
    if not isinstance(raw, Mapping):
        raise DefinitionError(
            path,
            raw,
            f'{quote(raw)} is not a count; expected an object such as {{"op": "gte",'
            ' "value": 3}',
        )
    object_keys(raw, path, ("op", "value"), "a count")
    op = _comparison(raw, path, "a count")
    if "value" not in raw:
        raise DefinitionError(
            path, raw, f"{quote(raw)} has no value; use a whole number from 0 to 100"
        )

    value = whole_number(raw["value"])
    if value is None or not 0 <= value <= MAX_COUNT:
        raise DefinitionError(
            f"{path}.value",
            raw["value"],
            f"{quote(raw['value'])} is not a valid count; use a whole number from 0"
            f" to {MAX_COUNT}",
        )
    return Count(op, value)


def _sum(raw: object, path: str) -> Sum:
    if not isinstance(raw, Mapping):
        raise DefinitionError(
            path,
            raw,
            f'{quote(raw)} is not a sum; expected an object such as {{"property":'
            ' "engaged_seconds", "op": "gte", "value": 120}',
        )
    object_keys(raw, path, ("property", "op", "value"), "a sum")
    if "property" not in raw:
        raise DefinitionError(
            path, raw, f"{quote(raw)} has no property; name the number to add up"
        )
    prop = property_path(raw["property"], f"{path}.property")
    op = _comparison(raw, path, "a sum")
    if "value" not in raw:
        raise DefinitionError(path, raw, f"{quote(raw)} has no value; use a number")

    value = raw["value"]
    if not finite_number(value):
        raise DefinitionError(
            f"{path}.value", value, f"{quote(value)} is not a valid sum; use a number"
        )
    return Sum(prop, op, cast(int | float, value))


def _window(raw: object, path: str) -> Window:
    if not isinstance(raw, Mapping):
        raise DefinitionError(
            path,
            raw,
            f'{quote(raw)} is not a window; expected an object such as {{"days": 30}}',
        )
    units = tuple(MILLISECONDS_PER_UNIT)
    for key in raw:
        if key not in units:
            raise DefinitionError(
                path, key, f"{quote(key)} is not a window unit; use {or_list(units)}"
            )
    if len(raw) != 1:
        raise DefinitionError(
            path,
            raw,
            f"{quote(raw)} does not have exactly one unit; use one of minutes,"
            " hours or days",
        )

    unit = cast(WindowUnit, next(iter(raw)))
    most = (
        MAX_WINDOW_DAYS * MILLISECONDS_PER_UNIT["days"] // MILLISECONDS_PER_UNIT[unit]
    )
    amount = whole_number(raw[unit])
    if amount is None or not 1 <= amount <= most:
        raise DefinitionError(
            f"{path}.{unit}",
            raw[unit],
            f"{quote(raw[unit])} is not a valid window; use a whole number of {unit}"
            f" from 1 to {most}",
        )
    return Window(unit, amount)
