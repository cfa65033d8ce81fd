"""Splitting deliveries within the Ads API's limits.

- Conversions API: ``ConversionEvents.data`` has ``maxItems: 1000`` in
  Pinterest's OpenAPI description, so at most 1,000 events per request.
- Customer lists: ``records`` is one comma-separated string and the
  description sets no maximum. Cohortcast sends at most 10,000 records per
  request: 10,000 SHA-256 digests make a body of about 650 kB, well inside
  what an HTTP API accepts, and a failed batch costs little to resend.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

MAX_EVENTS_PER_REQUEST = 1000
MAX_RECORDS_PER_REQUEST = 10_000

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield consecutive lists of at most ``size`` items, in order, none empty."""
    if size < 1:
        raise ValueError(f"Batch size {size} must be at least 1.")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def records_string(records: Sequence[str]) -> str:
    """Join customer-list records the way ``records`` expects: comma-separated.

    A record containing a comma would split into two, so it is refused.
    """
    for record in records:
        if "," in record or not record:
            raise ValueError(
                "A customer-list record must be non-empty and contain no comma; "
                "pass hashed identifiers (see cohortcast.pinterest.identifiers)."
            )
    return ",".join(records)


def parse_records(records: str) -> list[str]:
    """Split a ``records`` string back into records, ignoring empty entries.

    Pinterest's own example ends with a trailing comma, so empty entries are
    tolerated rather than refused.
    """
    return [record.strip() for record in records.split(",") if record.strip()]
