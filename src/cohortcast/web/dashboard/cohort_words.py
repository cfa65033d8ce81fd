"""A cohort definition in words, for the cohort page and the list.

``{"event": "Pageview", "count": {"op": "gte", "value": 3}, "within":
{"days": 30}}`` reads "Pageview at least 3 times in the last 30 days". The
definition was validated when saved; anything unexpected is shown as JSON
rather than guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cohortcast.web.dashboard.cohort_builder import COUNT_OPS, FILTER_OPS


def describe(definition: object) -> str:
    """One sentence (or nested clauses) saying who is in the cohort."""
    if not isinstance(definition, Mapping):
        return json.dumps(definition)
    if "event" in definition:
        return _leaf(definition)
    if "all" in definition or "any" in definition:
        joiner = " and " if "all" in definition else " or "
        parts = definition.get("all") or definition.get("any") or []
        return joiner.join(f"({describe(part)})" for part in parts)
    if "not" in definition:
        return f"not ({describe(definition['not'])})"
    if "cohort" in definition:
        return f"in cohort {definition['cohort']}"
    return json.dumps(definition)


def _leaf(leaf: Mapping[str, object]) -> str:
    words = [str(leaf["event"])]
    where = leaf.get("where")
    if isinstance(where, list) and where:
        words.append("where " + " and ".join(_predicate(p) for p in where))

    total = leaf.get("sum")
    count = leaf.get("count")
    if isinstance(total, Mapping):
        op = COUNT_OPS.get(str(total.get("op")), str(total.get("op")))
        words.append(
            f"with {total.get('property')} adding up to {op} {total.get('value')}"
        )
    elif isinstance(count, Mapping):
        op = COUNT_OPS.get(str(count.get("op")), str(count.get("op")))
        times = "time" if count.get("value") == 1 else "times"
        words.append(f"{op} {count.get('value')} {times}")
    else:
        words.append("at least once")

    within = leaf.get("within")
    if isinstance(within, Mapping) and within:
        unit, amount = next(iter(within.items()))
        words.append(f"in the last {amount} {unit}")
    else:
        words.append("ever")
    return " ".join(words)


def _predicate(predicate: object) -> str:
    if not isinstance(predicate, Mapping):
        return json.dumps(predicate)
    op = str(predicate.get("op"))
    name = predicate.get("property")
    if op == "exists":
        present = predicate.get("value", True)
        return f"{name} {'exists' if present else 'is absent'}"
    return f"{name} {FILTER_OPS.get(op, op)} {json.dumps(predicate.get('value'))}"
