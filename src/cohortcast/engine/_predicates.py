"""``where`` predicates: parsing them, and compiling them once into closures
that test an event's properties."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import cast, get_args

from ._checks import (
    MAX_STRING,
    finite_number,
    object_keys,
    or_list,
    property_path,
    too_long,
)
from ._errors import DefinitionError, quote
from ._model import Predicate, PredicateOp, Scalar

MAX_PREDICATES = 32
MAX_LIST_ITEMS = 1000

Matcher = Callable[[Mapping[str, object]], bool]
"""Tests an event's properties."""

PropertyReader = Callable[[Mapping[str, object]], object]
"""Reads a property by dotted path; None stands for absent (JSON null included)."""

_OPS: tuple[str, ...] = get_args(PredicateOp)
_SCALAR = "a string, number or boolean"
_EXPECTED: Mapping[str, str] = {
    "eq": _SCALAR,
    "ne": _SCALAR,
    "in": "a non-empty list of strings, numbers or booleans",
    "not_in": "a non-empty list of strings, numbers or booleans",
    "contains": "a string",
    "not_contains": "a string",
    "starts_with": "a string",
    "ends_with": "a string",
    "gt": "a number",
    "gte": "a number",
    "lt": "a number",
    "lte": "a number",
    "exists": "true or false",
}


def parse_predicates(raw: object, path: str) -> tuple[Predicate, ...]:
    """Validate a leaf's ``where`` list."""
    if not isinstance(raw, list | tuple):
        raise DefinitionError(
            path,
            raw,
            f"{quote(raw)} is not a list of predicates; expected a list such as"
            ' [{"property": "category", "op": "eq", "value": "travel"}]',
        )
    if not raw:
        raise DefinitionError(
            path, raw, "[] is empty; give at least one predicate or leave where out"
        )
    if len(raw) > MAX_PREDICATES:
        raise DefinitionError(
            path,
            raw,
            f"{len(raw)} predicates is more than the limit of {MAX_PREDICATES}",
        )
    return tuple(_predicate(item, f"{path}[{index}]") for index, item in enumerate(raw))


def _predicate(raw: object, path: str) -> Predicate:
    if not isinstance(raw, Mapping):
        raise DefinitionError(
            path,
            raw,
            f"{quote(raw)} is not a predicate; expected an object with property,"
            " op and value",
        )
    object_keys(raw, path, ("property", "op", "value"), "a predicate")
    if "property" not in raw:
        raise DefinitionError(
            path,
            raw,
            f"{quote(raw)} has no property; add a dotted path such as"
            " 'article.section'",
        )
    prop = property_path(raw["property"], f"{path}.property")
    if "op" not in raw:
        raise DefinitionError(path, raw, f"{quote(raw)} has no op; use {or_list(_OPS)}")
    op = raw["op"]
    if op not in _OPS:
        raise DefinitionError(
            f"{path}.op",
            op,
            f"{quote(op)} is not a predicate operator; use {or_list(_OPS)}",
        )

    op = cast(PredicateOp, op)
    if "value" not in raw:
        if op == "exists":
            return Predicate(prop, op, True)
        raise DefinitionError(
            path, raw, f"{quote(raw)} has no value; {quote(op)} needs {_EXPECTED[op]}"
        )
    return Predicate(prop, op, _value(raw["value"], op, f"{path}.value"))


def _value(raw: object, op: PredicateOp, path: str) -> Scalar | tuple[Scalar, ...]:
    if op in ("in", "not_in"):
        return _value_list(raw, op, path)

    if op in ("eq", "ne"):
        valid = _is_scalar(raw)
    elif op == "exists":
        valid = isinstance(raw, bool)
    elif op in ("gt", "gte", "lt", "lte"):
        valid = finite_number(raw)
    else:
        valid = isinstance(raw, str)
    if not valid:
        raise DefinitionError(
            path,
            raw,
            f"{quote(raw)} is not a valid value for {quote(op)}; use {_EXPECTED[op]}",
        )
    return _short_enough(cast(Scalar, raw), path)


def _value_list(raw: object, op: PredicateOp, path: str) -> tuple[Scalar, ...]:
    if not isinstance(raw, list | tuple) or not raw:
        raise DefinitionError(
            path,
            raw,
            f"{quote(raw)} is not a valid value for {quote(op)}; use {_EXPECTED[op]}",
        )
    if len(raw) > MAX_LIST_ITEMS:
        raise DefinitionError(
            path, raw, f"{len(raw)} items is more than the limit of {MAX_LIST_ITEMS}"
        )
    for index, item in enumerate(raw):
        if not _is_scalar(item):
            raise DefinitionError(
                f"{path}[{index}]",
                item,
                f"{quote(item)} is not a valid item for {quote(op)}; use strings,"
                " numbers or booleans",
            )
        _short_enough(item, f"{path}[{index}]")
    return tuple(raw)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | bool) or finite_number(value)


def _short_enough(value: Scalar, path: str) -> Scalar:
    if isinstance(value, str) and too_long(value):
        raise DefinitionError(
            path, value, f"{quote(value)} is longer than {MAX_STRING} characters"
        )
    return value


def property_reader(path: str) -> PropertyReader:
    """Compile a dotted path into a reader; absent and null both read as None."""
    names = path.split(".")
    if len(names) == 1:
        name = names[0]
        return lambda properties: properties.get(name)

    def read(properties: Mapping[str, object]) -> object:
        value: object = properties
        for name in names:
            if not isinstance(value, Mapping):
                return None
            value = value.get(name)
        return value

    return read


def is_number(value: object) -> bool:
    """A number in the predicate sense: int or float, never a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def compile_where(where: Sequence[Predicate]) -> Matcher | None:
    """One closure testing every predicate; None when there are none."""
    matchers = tuple(compile_predicate(predicate) for predicate in where)
    if not matchers:
        return None
    if len(matchers) == 1:
        return matchers[0]

    # A plain loop rather than all(): no generator per event on the hot path.
    def all_hold(properties: Mapping[str, object]) -> bool:
        for matcher in matchers:  # noqa: SIM110
            if not matcher(properties):
                return False
        return True

    return all_hold


def compile_predicate(predicate: Predicate) -> Matcher:
    """Compile one predicate into a closure over the event's properties."""
    read = property_reader(predicate.property)
    op, value = predicate.op, predicate.value
    if op in _NEGATIONS:
        positive = _positive(read, _NEGATIONS[op], value)
        return lambda properties: not positive(properties)
    return _positive(read, op, value)


# Each negative operator holds exactly when its positive one does not.
_NEGATIONS: Mapping[str, PredicateOp] = {
    "ne": "eq",
    "not_in": "in",
    "not_contains": "contains",
}


def _positive(read: PropertyReader, op: PredicateOp, value: object) -> Matcher:
    if op == "eq":
        return _equals(read, cast(Scalar, value))
    if op == "in":
        return _member_of(read, cast(tuple[Scalar, ...], value))
    if op == "contains":
        return _contains(read, cast(str, value))
    if op == "exists":
        if value:
            return lambda properties: read(properties) is not None
        return lambda properties: read(properties) is None
    return _text_or_number(read, op, value)


def _equals(read: PropertyReader, value: Scalar) -> Matcher:
    if isinstance(value, bool):
        return lambda properties: read(properties) is value
    if isinstance(value, str):
        return lambda properties: read(properties) == value

    def equals_number(properties: Mapping[str, object]) -> bool:
        found = read(properties)
        # True == 1 in Python, but a boolean is never a number here.
        return found == value and found is not True and found is not False

    return equals_number


def _member_of(read: PropertyReader, values: tuple[Scalar, ...]) -> Matcher:
    # Split by kind: Python's sets would otherwise find True in {1}.
    texts = frozenset(item for item in values if isinstance(item, str))
    flags = frozenset(item for item in values if isinstance(item, bool))
    numbers = frozenset(item for item in values if is_number(item))

    def member(properties: Mapping[str, object]) -> bool:
        found = read(properties)
        if isinstance(found, str):
            return found in texts
        if isinstance(found, bool):
            return found in flags
        return is_number(found) and found in numbers

    return member


def _contains(read: PropertyReader, value: str) -> Matcher:
    def contains(properties: Mapping[str, object]) -> bool:
        found = read(properties)
        # For a list, `in` compares items with ==, which only a string passes.
        return isinstance(found, str | list | tuple) and value in found

    return contains


def _text_or_number(read: PropertyReader, op: PredicateOp, value: object) -> Matcher:
    if op == "starts_with":
        prefix = cast(str, value)
        return lambda p: isinstance(found := read(p), str) and found.startswith(prefix)
    if op == "ends_with":
        suffix = cast(str, value)
        return lambda p: isinstance(found := read(p), str) and found.endswith(suffix)

    bound = cast(float, value)
    compare = _ORDER[op]

    def ordered(properties: Mapping[str, object]) -> bool:
        found = read(properties)
        if isinstance(found, bool) or not isinstance(found, (int, float)):
            return False
        return compare(found, bound)

    return ordered


_ORDER: Mapping[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
