"""Routing: which cohort codes go to which Pinterest Tag ID.

:func:`compute_routing` is the only place this is decided. The SDK
configuration, delivery and the troubleshooting checks all use its answer,
so a Tag ID never receives a cohort that is not routed to it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TypedDict


@dataclass(frozen=True)
class ActivationRow:
    """One activation as stored: its own Tag ID (None or blank: the default)."""

    tag_id: str | None
    cohort_codes: Collection[str]


class Route(TypedDict):
    """One entry of the routing table, ready to be sent as JSON."""

    tag_id: str
    cohort_codes: list[str]


def compute_routing(
    default_tag_id: str | None,
    activations: Iterable[ActivationRow],
    enabled_cohort_codes: Collection[str],
) -> list[Route]:
    """Merge activations into one entry per Tag ID, sorted by Tag ID, codes sorted.

    ``default_tag_id`` is the integration's Tag ID; None means there is no
    integration, so nothing is routed. Codes not in ``enabled_cohort_codes``
    (disabled or deleted cohorts) are left out, and so are Tag IDs left with
    no cohort.
    """
    if default_tag_id is None:
        return []

    codes_by_tag: dict[str, set[str]] = {}
    for activation in activations:
        tag_id = (activation.tag_id or "").strip() or default_tag_id
        routed = {
            code for code in activation.cohort_codes if code in enabled_cohort_codes
        }
        codes_by_tag.setdefault(tag_id, set()).update(routed)

    return [
        Route(tag_id=tag_id, cohort_codes=sorted(codes))
        for tag_id, codes in sorted(codes_by_tag.items())
        if codes
    ]


def tag_ids_by_cohort(routing: Iterable[Route]) -> dict[str, list[str]]:
    """Invert a routing table: for each cohort code, the sorted Tag IDs receiving it."""
    tag_ids: dict[str, list[str]] = {}
    for route in routing:
        for code in route["cohort_codes"]:
            tag_ids.setdefault(code, []).append(route["tag_id"])
    return {code: sorted(tags) for code, tags in tag_ids.items()}
