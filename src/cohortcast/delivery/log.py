"""The delivery log: one row per exchange with Pinterest, per integration.

Bounded by count: only the newest :data:`KEPT_PER_INTEGRATION` rows of each
integration are kept (pruned after every worker pass that wrote some), so a
busy integration cannot grow the table without end and a quiet one keeps
its history however old it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from cohortcast.pinterest.ads import AdsApiError
from cohortcast.store.delivery_models import DeliveryLogEntry

KEPT_PER_INTEGRATION = 1000


@dataclass(frozen=True)
class Exchange:
    """What one request to Pinterest was and how it ended."""

    integration_id: str
    kind: str
    method: str
    path: str
    items: int
    at: int
    duration_ms: int
    error: AdsApiError | None = None
    status: int = 200

    @property
    def ok(self) -> bool:
        """Whether Pinterest accepted the request."""
        return self.error is None


def record(session: Session, exchange: Exchange) -> None:
    """Add ``exchange`` to its integration's log."""
    error = exchange.error
    session.add(
        DeliveryLogEntry(
            integration_id=exchange.integration_id,
            at=exchange.at,
            kind=exchange.kind,
            method=exchange.method,
            path=exchange.path[:300],
            items=exchange.items,
            status=error.status if error is not None else exchange.status,
            pinterest_code=error.code if error is not None else None,
            message=error.message if error is not None else None,
            duration_ms=exchange.duration_ms,
        )
    )


def prune(session: Session, integration_id: str) -> None:
    """Keep only the newest :data:`KEPT_PER_INTEGRATION` rows of the integration."""
    oldest_kept = session.scalar(
        select(DeliveryLogEntry.id)
        .where(DeliveryLogEntry.integration_id == integration_id)
        .order_by(DeliveryLogEntry.id.desc())
        .offset(KEPT_PER_INTEGRATION - 1)
        .limit(1)
    )
    if oldest_kept is None:
        return
    session.execute(
        delete(DeliveryLogEntry).where(
            DeliveryLogEntry.integration_id == integration_id,
            DeliveryLogEntry.id < oldest_kept,
        )
    )


def failed() -> ColumnElement[bool]:
    """Rows of exchanges Pinterest did not accept: no answer (status 0) or
    an error status."""
    return or_(DeliveryLogEntry.status == 0, DeliveryLogEntry.status >= 400)


def newest(
    session: Session,
    integration_id: str,
    limit: int,
    before: int | None = None,
    *,
    failed_only: bool = False,
    kind: str | None = None,
) -> list[DeliveryLogEntry]:
    """Up to ``limit`` rows, newest first, older than id ``before`` when given;
    only failed exchanges with ``failed_only``, only one kind with ``kind``."""
    query = select(DeliveryLogEntry).where(
        DeliveryLogEntry.integration_id == integration_id
    )
    if before is not None:
        query = query.where(DeliveryLogEntry.id < before)
    if failed_only:
        query = query.where(failed())
    if kind is not None:
        query = query.where(DeliveryLogEntry.kind == kind)
    query = query.order_by(DeliveryLogEntry.id.desc()).limit(limit)
    return list(session.scalars(query))
