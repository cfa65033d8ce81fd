"""Ingestion: store new events and evaluate them, in one transaction.

For each profile of a batch, in the batch's transaction:

1. lock the profile (created when new);
2. insert the events, skipping ids already stored (``ON CONFLICT DO
   NOTHING ... RETURNING`` says which were new);
3. run only the new events through the workspace's compiled cohorts;
4. write the state, memberships and changes.

The answer goes out after the commit, so an acknowledged event is durable,
a retried batch counts once, and a crash between two steps leaves nothing
half done: the retry finds no trace of the batch and does it all again.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Table, func
from sqlalchemy.orm import Session

from cohortcast.collection.batches import (
    CollectBatch,
    Identities,
    Receipt,
    parse_collect_batch,
)
from cohortcast.collection.cohort_sets import CohortSetCache
from cohortcast.collection.evaluation import (
    dialect_insert,
    lock_profile,
    save_profile,
)
from cohortcast.collection.rebuild import note_definitions
from cohortcast.collection.validation import Rejection, TimeLimits, ValidEvent
from cohortcast.engine import Change, Event
from cohortcast.store.collection_models import CollectedEvent, ReceiptCounter
from cohortcast.store.database import Store
from cohortcast.store.sdk_config import ConfigStamp, find_config_stamp

logger = logging.getLogger(__name__)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

_EVENTS: Table = CollectedEvent.__table__  # type: ignore[assignment]
_RECEIPTS: Table = ReceiptCounter.__table__  # type: ignore[assignment]


def now_ms() -> int:
    """The server's clock in milliseconds since the epoch."""
    return int(clock.time() * 1000)


class UnknownSdkKeyError(LookupError):
    """No workspace has this SDK key (HTTP 404)."""

    def __init__(self, sdk_key: str) -> None:
        super().__init__(
            f"SDK key {sdk_key[:80]!r} is not known; copy the snippet again from"
            " the dashboard."
        )


@dataclass(slots=True)
class IngestResult:
    """What happened to a batch; ``as_json()`` is the HTTP answer."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    rejected_receipts: list[Rejection] = field(default_factory=list)
    changes: int = 0

    def as_json(self) -> dict[str, object]:
        answer: dict[str, object] = {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [rejection.as_json() for rejection in self.rejected],
        }
        if self.rejected_receipts:
            answer["rejected_receipts"] = [r.as_json() for r in self.rejected_receipts]
        return answer


@dataclass(frozen=True, slots=True)
class ProfileEvents:
    """The events of one profile inside a batch."""

    profile_key: str
    identities: Identities
    events: Sequence[ValidEvent]


class Collector:
    """Validates, stores and evaluates events for every workspace of a store.

    One per process: it holds the compiled cohorts cache. ``clock`` returns
    the server time in milliseconds (injected by tests).
    """

    def __init__(
        self,
        store: Store,
        *,
        retention_days: int = 30,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.store = store
        self.retention_ms = retention_days * DAY_MS
        self.clock = clock
        self.cohort_sets = CohortSetCache(on_compile=note_definitions)

    def limits(self) -> TimeLimits:
        """The event times accepted now."""
        return TimeLimits(self.clock(), self.retention_ms)

    def collect(self, sdk_key: str, body: bytes) -> IngestResult:
        """Handle one SDK batch (raw request body) for the workspace of ``sdk_key``.

        Raises :class:`BatchError` for an unusable batch and
        :class:`UnknownSdkKeyError`; returns after the commit.
        """
        limits = self.limits()
        batch = parse_collect_batch(body, limits)
        with self.store.transaction() as session:
            stamp = find_config_stamp(session, sdk_key)
            if stamp is None:
                raise UnknownSdkKeyError(sdk_key)
            result = self.ingest(session, stamp, [_profile_events(batch)], limits.now)
            if batch.receipts:
                count_receipts(session, stamp.workspace_id, batch.receipts)
        result.duplicates += batch.repeated
        result.rejected = batch.rejected
        result.rejected_receipts = batch.rejected_receipts
        return result

    def ingest(
        self,
        session: Session,
        stamp: ConfigStamp,
        groups: Sequence[ProfileEvents],
        now: int,
    ) -> IngestResult:
        """Store and evaluate ``groups`` in ``session``; the caller commits."""
        cohorts = self.cohort_sets.get(
            session, stamp.workspace_id, stamp.config_version
        )
        result = IngestResult()
        for group in groups:
            profile = lock_profile(
                session, stamp.workspace_id, group.profile_key, group.identities, now
            )
            new_events = insert_events(session, stamp.workspace_id, group, now)
            result.accepted += len(new_events)
            result.duplicates += len(group.events) - len(new_events)
            if not new_events:
                continue

            changes: list[Change] = []
            for event in sorted(new_events, key=lambda e: e.time):
                changes += cohorts.process(
                    profile.state, Event(event.name, event.time, event.properties)
                )
            save_profile(session, stamp.workspace_id, profile, cohorts, changes, now)
            result.changes += len(changes)
        return result


def insert_events(
    session: Session, workspace_id: str, group: ProfileEvents, now: int
) -> list[ValidEvent]:
    """Insert the group's events; return those that were not stored before."""
    if not group.events:
        return []
    insert = (
        dialect_insert(session, _EVENTS)
        .on_conflict_do_nothing(
            index_elements=["workspace_id", "profile_key", "event_id"]
        )
        .returning(_EVENTS.c.event_id)
    )
    rows = session.execute(
        insert,
        [
            {
                "workspace_id": workspace_id,
                "profile_key": group.profile_key,
                "event_id": event.id,
                "name": event.name,
                "time": event.time,
                "properties": event.properties,
                "received_at": now,
            }
            for event in group.events
        ],
    )
    stored = set(rows.scalars())
    return [event for event in group.events if event.id in stored]


def count_receipts(
    session: Session, workspace_id: str, receipts: list[Receipt]
) -> None:
    """Add receipts to their hourly counters (one row per Tag ID, cohort, hour)."""
    buckets: dict[tuple[str, str, int], tuple[int, int]] = {}
    for receipt in receipts:
        key = (receipt.tag_id, receipt.cohort_code, receipt.time // HOUR_MS * HOUR_MS)
        count, last = buckets.get(key, (0, 0))
        buckets[key] = (count + 1, max(last, receipt.time))

    insert = dialect_insert(session, _RECEIPTS)
    upsert = insert.on_conflict_do_update(
        index_elements=["workspace_id", "tag_id", "cohort_code", "hour"],
        set_={
            "count": _RECEIPTS.c.count + insert.excluded.count,
            "last_fired_at": _greatest(session, insert.excluded.last_fired_at),
        },
    )
    for (tag_id, code, hour), (count, last) in sorted(buckets.items()):
        session.execute(
            upsert,
            {
                "workspace_id": workspace_id,
                "tag_id": tag_id,
                "cohort_code": code,
                "hour": hour,
                "count": count,
                "last_fired_at": last,
            },
        )


def _greatest(session: Session, candidate: object) -> object:
    column = _RECEIPTS.c.last_fired_at
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(column, candidate)
    return func.max(column, candidate)


def _profile_events(batch: CollectBatch) -> ProfileEvents:
    return ProfileEvents(batch.profile_key, batch.identities, batch.events)
