"""Retention: raw events older than the retention period are deleted."""

from __future__ import annotations

from collection_helpers import START, Clock, Send
from sqlalchemy import select

from cohortcast.collection.ingest import DAY_MS
from cohortcast.collection.retention import delete_expired
from cohortcast.store.collection_models import CollectedEvent
from cohortcast.store.database import Store


def test_events_older_than_the_cutoff_are_deleted_in_batches(
    send: Send, store: Store, clock: Clock
) -> None:
    send("v1", [(f"old{n}", "A", START - 20 * DAY_MS + n) for n in range(5)])
    send("v1", [("new", "A", START)])

    deleted = delete_expired(store, START - 10 * DAY_MS, batch=2)

    assert deleted == 5
    with store.read() as session:
        assert session.scalars(select(CollectedEvent.event_id)).all() == ["new"]
