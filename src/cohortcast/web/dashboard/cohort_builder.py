"""The cohort form's builder: form fields to a definition and back.

The builder covers the common shapes: one or more conditions, each an event
with property filters, a count and a window, combined with all/any and a
NOT per condition. Anything else opens in the JSON editor. The engine (via
the store) validates what the builder produces; :func:`error_field` maps the
error's JSON path back to the builder field it came from.

Field names: ``c{i}-event``, ``c{i}-not``, ``c{i}-count-op``, ``c{i}-count``,
``c{i}-window``, ``c{i}-window-unit``, ``c{i}-f{j}-property``, ``-op``, ``-value``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FILTER_OPS: dict[str, str] = {
    "eq": "equals",
    "ne": "does not equal",
    "in": "is one of",
    "not_in": "is not one of",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "exists": "exists",
}
COUNT_OPS: dict[str, str] = {"gte": "at least", "lte": "at most", "eq": "exactly"}
WINDOW_UNITS: dict[str, str] = {
    "days": "days",
    "hours": "hours",
    "minutes": "minutes",
    "ever": "at any time",
}
MAX_CONDITIONS = 20
MAX_FILTERS = 32

_NUMERIC_OPS = {"gt", "gte", "lt", "lte"}
_TEXT_OPS = {"contains", "not_contains", "starts_with", "ends_with"}
_LEAF_KEYS = {"event", "where", "count", "within"}
_CONDITION_FIELD = re.compile(r"c(\d+)-")


@dataclass
class FilterRow:
    """One property filter as typed: ``category`` ``eq`` ``travel``."""

    path: str = ""
    op: str = "eq"
    value: str = ""

    @property
    def blank(self) -> bool:
        """An untouched row, left out of the definition."""
        return not self.path.strip() and not self.value.strip()


@dataclass
class Condition:
    """One leaf of the definition, possibly negated."""

    negate: bool = False
    event: str = ""
    filters: list[FilterRow] = field(default_factory=lambda: [FilterRow()])
    count_op: str = "gte"
    count: str = "1"
    window: str = ""
    window_unit: str = "ever"


@dataclass
class Builder:
    """The whole builder: conditions joined by ``all`` or ``any``."""

    combinator: str = "all"
    conditions: list[Condition] = field(default_factory=lambda: [Condition()])


def builder_from_form(fields: Mapping[str, str]) -> Builder:
    """Read the builder's fields; missing ones take their defaults."""
    indexes = sorted(
        {int(m.group(1)) for key in fields if (m := _CONDITION_FIELD.match(key))}
    )[:MAX_CONDITIONS]
    conditions = [_condition_from_form(fields, f"c{i}-") for i in indexes]
    combinator = "any" if fields.get("combinator") == "any" else "all"
    return Builder(combinator=combinator, conditions=conditions or [Condition()])


def definition_from_builder(builder: Builder) -> object:
    """The JSON definition the builder describes (validated later by the engine)."""
    leaves = [_condition_definition(c) for c in builder.conditions]
    if len(leaves) == 1:
        return leaves[0]
    return {builder.combinator: leaves}


def builder_from_definition(definition: object) -> Builder | None:
    """The builder showing ``definition``, or None when it cannot (use JSON)."""
    builder = _read_shape(definition)
    if builder is None:
        return None
    # Whatever the builder would not give back exactly stays in JSON.
    if _canonical(definition_from_builder(builder)) != _canonical(definition):
        return None
    return builder


def error_field(path: str | None, builder: Builder) -> str:
    """The builder field an error at ``path`` belongs to, or ``"definition"``."""
    rest = (path or "").removeprefix("definition")
    index = 0
    if len(builder.conditions) > 1:
        match = re.match(r"\.(?:all|any)\[(\d+)\]", rest)
        if match is None:
            return "definition"
        index, rest = int(match.group(1)), rest[match.end() :]
    rest = rest.removeprefix(".not")
    prefix = f"c{index}"

    where = re.match(r"\.where\[(\d+)\]", rest)
    if where is not None:
        kept = [
            j
            for j, row in enumerate(builder.conditions[index].filters)
            if not row.blank
        ]
        position = int(where.group(1))
        return f"{prefix}-f{kept[position]}" if position < len(kept) else prefix
    for key, name in (("event", "event"), ("count", "count"), ("within", "window")):
        if rest.startswith("." + key):
            return f"{prefix}-{name}"
    return prefix if rest else "definition"


def pretty_json(definition: object) -> str:
    """The definition as the JSON editor shows it."""
    return json.dumps(definition, indent=2, ensure_ascii=False)


def _condition_from_form(fields: Mapping[str, str], prefix: str) -> Condition:
    filter_indexes = sorted(
        {
            int(m.group(1))
            for key in fields
            if (m := re.match(re.escape(prefix) + r"f(\d+)-", key))
        }
    )[:MAX_FILTERS]
    filters = [
        FilterRow(
            path=fields.get(f"{prefix}f{j}-property", ""),
            op=_choice(fields.get(f"{prefix}f{j}-op"), FILTER_OPS, "eq"),
            value=fields.get(f"{prefix}f{j}-value", ""),
        )
        for j in filter_indexes
    ]
    return Condition(
        negate=bool(fields.get(f"{prefix}not")),
        event=fields.get(f"{prefix}event", ""),
        filters=filters or [FilterRow()],
        count_op=_choice(fields.get(f"{prefix}count-op"), COUNT_OPS, "gte"),
        count=fields.get(f"{prefix}count", "1"),
        window=fields.get(f"{prefix}window", ""),
        window_unit=_choice(fields.get(f"{prefix}window-unit"), WINDOW_UNITS, "ever"),
    )


def _condition_definition(condition: Condition) -> object:
    leaf: dict[str, Any] = {"event": condition.event.strip()}
    where = [_predicate(row) for row in condition.filters if not row.blank]
    if where:
        leaf["where"] = where
    count = _number(condition.count)
    if not (condition.count_op == "gte" and count == 1):
        leaf["count"] = {"op": condition.count_op, "value": count}
    if condition.window_unit != "ever":
        leaf["within"] = {condition.window_unit: _number(condition.window)}
    return {"not": leaf} if condition.negate else leaf


def _predicate(row: FilterRow) -> dict[str, object]:
    predicate = {"property": row.path.strip(), "op": row.op, "value": _value(row)}
    if row.op == "exists" and predicate["value"] is True:
        del predicate["value"]  # true is the default; the JSON stays minimal
    return predicate


def _value(row: FilterRow) -> object:
    text = row.value.strip()
    if row.op == "exists":
        return {"": True, "true": True, "false": False}.get(text.lower(), text)
    if row.op in ("in", "not_in"):
        return [_scalar(part) for part in text.split(",")]
    if row.op in _NUMERIC_OPS:
        return _number(text)
    if row.op in _TEXT_OPS:
        return text
    return _scalar(text)


def _scalar(raw: str) -> object:
    # "true", 3 and 2.5 mean what they look like; quotes keep them as text.
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    return _number(text)


def _number(raw: str) -> object:
    text = raw.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _read_shape(definition: object) -> Builder | None:
    if isinstance(definition, dict) and len(definition) == 1:
        combinator, items = next(iter(definition.items()))
        if combinator in ("all", "any") and isinstance(items, list) and len(items) > 1:
            conditions = [_read_condition(item) for item in items]
            if len(conditions) > MAX_CONDITIONS or None in conditions:
                return None
            return Builder(combinator, [c for c in conditions if c is not None])
    condition = _read_condition(definition)
    return Builder(conditions=[condition]) if condition is not None else None


def _read_condition(definition: object) -> Condition | None:
    negate = isinstance(definition, dict) and set(definition) == {"not"}
    leaf = definition["not"] if negate and isinstance(definition, dict) else definition
    if not isinstance(leaf, dict) or not set(leaf) <= _LEAF_KEYS:
        return None
    try:
        count = leaf.get("count", {"op": "gte", "value": 1})
        window_unit, window = next(iter(leaf.get("within", {"ever": ""}).items()))
        filters = [
            FilterRow(p["property"], p["op"], _text(p["op"], p.get("value", True)))
            for p in leaf.get("where", [])
        ]
        return Condition(
            negate=negate,
            event=leaf["event"],
            filters=[*filters, FilterRow()],
            count_op=count["op"],
            count=str(count["value"]),
            window=str(window),
            window_unit=window_unit,
        )
    except (AttributeError, KeyError, TypeError, StopIteration):
        return None


def _text(op: str, value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_text(op, item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and op not in _TEXT_OPS and _scalar(value) != value:
        return f'"{value}"'
    return str(value)


def _canonical(definition: object) -> str:
    return json.dumps(definition, sort_keys=True)


def _choice(raw: str | None, options: Mapping[str, str], default: str) -> str:
    return raw if raw is not None and raw in options else default
