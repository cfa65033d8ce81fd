"""Claiming due outbox rows, and recording what became of them.

A claim marks rows ``sending`` and moves ``next_attempt_at`` to the end of a
lease, in its own short transaction. If the process dies while sending, the
lease runs out and another pass claims the rows again: delivery is at least
once, and every kind of row is safe to send twice (see ``docs/delivery.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cohortcast.pinterest.ads import batched
from cohortcast.store.delivery_models import OutboxRow

LEASE_MS = 120_000
CLAIM_LIMIT = 20_000
KEEP_SENT_MS = 24 * 3600 * 1000

ACTIVE = ("pending", "sending")

# Only customer-list rows need their order kept: an ADD and a later REMOVE
# of one record must reach Pinterest in that order. Conversion events do not.
ORDERED_KIND = "customer_list"


@dataclass(frozen=True)
class ClaimedRow:
    """A claimed row, detached from its session."""

    id: int
    integration_id: str
    kind: str
    group_key: str
    ad_account_id: str
    payload: Any
    attempts: int

    @property
    def group(self) -> tuple[str, str, str, str]:
        """Rows of one group go out together, in id order, to one ad account."""
        return (self.integration_id, self.ad_account_id, self.kind, self.group_key)


def claim_due(
    session: Session, now: int, limit: int = CLAIM_LIMIT, lease_ms: int = LEASE_MS
) -> list[ClaimedRow]:
    """Claim up to ``limit`` due rows, oldest first, for one lease.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several servers claim at
    once without taking each other's rows; SQLite has one writer at a time.
    A customer list whose older rows are still waiting (backing off, or
    claimed by another server) is left alone, so ADDs and REMOVEs of one
    list are never reordered.
    """
    query = (
        select(*_CLAIMED_COLUMNS)
        .where(OutboxRow.state.in_(ACTIVE), OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = [
        ClaimedRow(
            row.id,
            row.integration_id,
            row.kind,
            row.group_key,
            row.ad_account_id,
            row.payload,
            row.attempts + 1,
        )
        for row in session.execute(query)
    ]
    blocked = _blocked(session, found)
    claimed = [row for row in found if row.id not in blocked]

    # One statement per thousand rows: a claim of 20,000 ORM objects spent
    # more time flushing than sending.
    for chunk in batched([row.id for row in claimed], 1000):
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(chunk))
            .values(
                state="sending",
                attempts=OutboxRow.attempts + 1,
                next_attempt_at=now + lease_ms,
            )
        )
    return claimed


_CLAIMED_COLUMNS = (
    OutboxRow.id,
    OutboxRow.integration_id,
    OutboxRow.kind,
    OutboxRow.group_key,
    OutboxRow.ad_account_id,
    OutboxRow.payload,
    OutboxRow.attempts,
)


def _blocked(session: Session, rows: Sequence[ClaimedRow]) -> set[int]:
    """Ids of claimable rows that must wait behind an older unclaimable one."""
    first_id: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        if row.kind != ORDERED_KIND:
            continue
        first_id.setdefault(row.group, row.id)

    blocked: set[int] = set()
    for group, first in first_id.items():
        integration_id, ad_account_id, kind, group_key = group
        waiting = session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(
                OutboxRow.integration_id == integration_id,
                OutboxRow.ad_account_id == ad_account_id,
                OutboxRow.kind == kind,
                OutboxRow.group_key == group_key,
                OutboxRow.state.in_(ACTIVE),
                OutboxRow.id < first,
            )
        )
        if waiting:
            blocked.update(row.id for row in rows if row.group == group)
    return blocked


@dataclass(frozen=True)
class Outcome:
    """What happened to some rows: sent, retry at a time, or failed for good."""

    row_ids: Sequence[int]
    state: str
    next_attempt_at: int = 0
    error: str | None = None


def record_outcomes(session: Session, outcomes: Sequence[Outcome], now: int) -> None:
    """Write each outcome to its rows, and forget sent rows older than a day."""
    for outcome in outcomes:
        for chunk in batched(outcome.row_ids, 1000):
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(chunk))
                .values(
                    state=outcome.state,
                    next_attempt_at=outcome.next_attempt_at,
                    last_error=outcome.error,
                )
            )
    session.execute(
        delete(OutboxRow).where(
            OutboxRow.state == "sent", OutboxRow.created_at < now - KEEP_SENT_MS
        )
    )


def pending_count(session: Session) -> int:
    """Rows still to deliver (pending or sending)."""
    count = session.scalar(
        select(func.count()).select_from(OutboxRow).where(OutboxRow.state.in_(ACTIVE))
    )
    return int(count or 0)
