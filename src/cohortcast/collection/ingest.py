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

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.orm import Session

from cohortcast.collection.batches import (
    CollectBatch,
    Identities,
    Receipt,
    parse_collect_batch,
)
from cohortcast.collection.bulk import Row, as_arrays, insert_statement
from cohortcast.collection.cohort_sets import CohortSetCache
from cohortcast.collection.evaluation import (
    dialect_insert,
    lock_profiles,
    save_profiles,
)
from cohortcast.collection.rebuild import note_definitions
from cohortcast.collection.signals import record_signals
from cohortcast.collection.validation import Rejection, TimeLimits, ValidEvent
from cohortcast.engine import Event
from cohortcast.store.collection_models import CollectedEvent, ReceiptCounter
from cohortcast.store.database import Store
from cohortcast.store.sdk_config import ConfigStamp, find_config_stamp

logger = logging.getLogger(__name__)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

_STORED_IDS = select(CollectedEvent.profile_key, CollectedEvent.event_id).where(
    CollectedEvent.workspace_id == bindparam("workspace_id"),
    CollectedEvent.profile_key.in_(bindparam("profile_keys", expanding=True)),
    CollectedEvent.event_id.in_(bindparam("event_ids", expanding=True)),
)
_LOOKUP_CHUNK = 2_000
_INSERT_EVENTS = insert_statement(
    "collected_events",
    [
        ("workspace_id", "text"),
        ("profile_key", "text"),
        ("event_id", "text"),
        ("name", "text"),
        ("time", "bigint"),
        ("properties", "json"),
        ("received_at", "bigint"),
    ],
    skip_conflicts=True,
)
_INSERT_NEW_EVENTS = f"{_INSERT_EVENTS.postgresql} RETURNING profile_key, event_id"
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
        """Handle one SDK batch (raw request body) in a transaction of its own.

        Raises :class:`BatchError` for an unusable batch and
        :class:`UnknownSdkKeyError`; returns after the commit.
        """
        outcome = self.commit_batches([(sdk_key, self.parse(body))])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def parse(self, body: bytes) -> CollectBatch:
        """Validate a collect request body now (see :func:`parse_collect_batch`)."""
        return parse_collect_batch(body, self.limits())

    def commit_batches(
        self, batches: Sequence[tuple[str, CollectBatch]]
    ) -> list[IngestResult | UnknownSdkKeyError]:
        """Store and evaluate validated batches ``(sdk_key, batch)`` in ONE
        transaction (one commit, one fsync, for all of them); the outcome of
        each, in order, once committed. A database error rolls all back."""
        now = self.clock()
        with self.store.transaction() as session:
            # On the Core connection: the ORM's handling of a plain select
            # cost more than the lookup itself.
            connection = session.connection()
            keys = dict.fromkeys(key for key, _ in batches)
            stamps = {key: find_config_stamp(connection, key) for key in keys}
            by_workspace: dict[ConfigStamp, list[int]] = {}
            for position, (key, _) in enumerate(batches):
                stamp = stamps[key]
                if stamp is not None:
                    by_workspace.setdefault(stamp, []).append(position)

            results: dict[int, IngestResult] = {}
            for stamp, positions in by_workspace.items():
                chosen = [batches[position][1] for position in positions]
                found = self.ingest(session, stamp, [_group(b) for b in chosen], now)
                results.update(zip(positions, found, strict=True))
                receipts = [r for batch in chosen for r in batch.receipts]
                if receipts:
                    count_receipts(session, stamp.workspace_id, receipts)
                signals = [(batch.profile_key, batch.signals) for batch in chosen]
                record_signals(session, stamp.workspace_id, signals, now)
        return [
            _finish(results[position], batch)
            if position in results
            else UnknownSdkKeyError(key)
            for position, (key, batch) in enumerate(batches)
        ]

    def ingest(
        self,
        session: Session,
        stamp: ConfigStamp,
        groups: Sequence[ProfileEvents],
        now: int,
    ) -> list[IngestResult]:
        """Store and evaluate ``groups`` in ``session`` (the caller commits);
        one result per group. Groups may share a profile."""
        cohorts = self.cohort_sets.get(
            session, stamp.workspace_id, stamp.config_version
        )
        identities: dict[str, Identities] = {}
        for group in groups:
            identities[group.profile_key] = merge(
                identities.get(group.profile_key), group.identities
            )
        profiles = lock_profiles(session, stamp.workspace_id, identities, now)
        stored = insert_events(session, stamp.workspace_id, groups, now)

        results: list[IngestResult] = []
        new_by_profile: dict[str, list[ValidEvent]] = {}
        for group in groups:
            new = [e for e in group.events if (group.profile_key, e.id) in stored]
            stored.difference_update((group.profile_key, e.id) for e in new)
            new_by_profile.setdefault(group.profile_key, []).extend(new)
            results.append(IngestResult(len(new), len(group.events) - len(new)))

        evaluated = []
        for key, events in new_by_profile.items():
            if events:
                profile = profiles[key]
                for event in sorted(events, key=lambda e: e.time):
                    profile.changes += cohorts.process(
                        profile.state, Event(event.name, event.time, event.properties)
                    )
                evaluated.append(profile)
        save_profiles(session, stamp.workspace_id, evaluated, cohorts, now)
        return results


def merge(known: Identities | None, more: Identities) -> Identities:
    """Identities of one profile seen in two batches; the later one wins."""
    if known is None:
        return more
    return Identities(
        user_id=more.user_id or known.user_id,
        email_sha256=more.email_sha256 or known.email_sha256,
        maid_sha256=tuple(dict.fromkeys(known.maid_sha256 + more.maid_sha256)),
    )


def insert_events(
    session: Session, workspace_id: str, groups: Sequence[ProfileEvents], now: int
) -> set[tuple[str, str]]:
    """Insert the groups' events not stored yet; return their (profile key,
    event id).

    The caller holds the lock of every profile in ``groups``
    (:func:`lock_profiles`), so no other transaction stores events for them
    meanwhile. On PostgreSQL the insert itself returns the rows that were
    new; on SQLite, where a lookup costs no round trip and the driver's
    ``executemany`` returns no rows, stored ids are looked up first.
    """
    connection = session.connection()
    rows: dict[tuple[str, str], Row] = {}
    for group in groups:
        for event in group.events:
            rows.setdefault(
                (group.profile_key, event.id),
                (
                    workspace_id,
                    group.profile_key,
                    event.id,
                    event.name,
                    event.time,
                    event.properties_json,
                    now,
                ),
            )
    if not rows:
        return set()

    if connection.dialect.name == "postgresql":
        inserted = connection.exec_driver_sql(
            _INSERT_NEW_EVENTS, as_arrays(list(rows.values()))
        )
        return {(key, event_id) for key, event_id in inserted}

    keys = sorted({group.profile_key for group in groups})
    stored = _stored_event_ids(connection, workspace_id, keys, groups)
    new = [row for key, row in rows.items() if key not in stored]
    _INSERT_EVENTS.run(connection, new)
    return set(rows) - stored


def _stored_event_ids(
    connection: Connection,
    workspace_id: str,
    keys: list[str],
    groups: Sequence[ProfileEvents],
) -> set[tuple[str, str]]:
    ids = sorted({event.id for group in groups for event in group.events})
    stored: set[tuple[str, str]] = set()
    # Chunks keep each lookup under the databases' limits on parameters.
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        rows = connection.execute(
            _STORED_IDS,
            {
                "workspace_id": workspace_id,
                "profile_keys": keys,
                "event_ids": ids[start : start + _LOOKUP_CHUNK],
            },
        )
        stored.update((key, event_id) for key, event_id in rows)
    return stored


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


def _group(batch: CollectBatch) -> ProfileEvents:
    return ProfileEvents(batch.profile_key, batch.identities, batch.events)


def _finish(result: IngestResult, batch: CollectBatch) -> IngestResult:
    result.duplicates += batch.repeated
    result.rejected = batch.rejected
    result.rejected_receipts = batch.rejected_receipts
    return result
