"""Retention: raw events, change history and receipt counters older than
``COHORTCAST_EVENT_RETENTION_DAYS`` are deleted, a bounded batch at a time so
the deletion never holds the database for long.

Profile states are kept: they are bounded and hold what membership needs.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Result, delete, select

from cohortcast.store.collection_models import (
    CollectedEvent,
    MembershipChange,
    ReceiptCounter,
)
from cohortcast.store.database import Store
from cohortcast.store.models import Workspace

logger = logging.getLogger(__name__)

DELETE_BATCH = 5_000


def delete_expired(store: Store, cutoff: int, batch: int = DELETE_BATCH) -> int:
    """Delete what is older than ``cutoff`` (ms); return the rows deleted.

    Runs batches until a batch comes back short, each in its own transaction.
    """
    with store.read() as session:
        workspace_ids = session.scalars(select(Workspace.id)).all()
    total = 0
    for workspace_id in workspace_ids:
        for table in (CollectedEvent, MembershipChange):
            total += _delete_batches(store, table, workspace_id, cutoff, batch)
    with store.transaction() as session:
        result = session.execute(
            delete(ReceiptCounter).where(ReceiptCounter.hour < cutoff)
        )
        total += _rowcount(result)
    if total:
        logger.info("Deleted %s rows collected before %s", total, cutoff)
    return total


def _delete_batches(
    store: Store,
    table: type[CollectedEvent] | type[MembershipChange],
    workspace_id: str,
    cutoff: int,
    batch: int,
) -> int:
    # Per workspace, so the (workspace_id, time) index finds the old rows.
    total = 0
    while True:
        expired = (
            select(table.id)
            .where(table.workspace_id == workspace_id, table.time < cutoff)
            .limit(batch)
        )
        with store.transaction() as session:
            result = session.execute(
                delete(table).where(table.id.in_(expired.scalar_subquery()))
            )
        deleted = _rowcount(result)
        total += deleted
        if deleted < batch:
            return total


def _rowcount(result: Result[Any]) -> int:
    count: int = getattr(result, "rowcount", 0)
    return count
