"""Tables of server-side Pinterest delivery (issue 7).

Kept apart from :mod:`cohortcast.store.models` like the collection tables:
the outbox is written in the collection transaction and read by a worker,
so it uses integer keys and millisecond times. Importing this module adds
the tables to ``Base.metadata``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cohortcast.store.collection_models import RowId
from cohortcast.store.models import Base

_INTEGRATION = "integrations.id"


class PinterestCredentials(Base):
    """The ad account and encrypted access token of a Pinterest integration,
    and what the last connection test and audience sync found."""

    __tablename__ = "pinterest_credentials"

    integration_id: Mapped[str] = mapped_column(
        ForeignKey(_INTEGRATION, ondelete="CASCADE"), primary_key=True
    )
    ad_account_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    token_ciphertext: Mapped[str | None] = mapped_column(Text, nullable=True)
    token_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    connection_result: Mapped[str | None] = mapped_column(String(32), nullable=True)
    connection_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    connection_checked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    audiences_synced_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audiences_next_sync_at: Mapped[int] = mapped_column(BigInteger, default=0)
    audiences_sync_attempts: Mapped[int] = mapped_column(Integer, default=0)
    audiences_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The ad account's Tag IDs, as the last audience sync read them.
    conversion_tag_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class OutboxRow(Base):
    """One item to deliver (a conversion event or a customer-list record).

    ``state`` is pending, sending (claimed; ``next_attempt_at`` is then the
    lease's end), sent or failed. ``idempotency_key`` is unique, so the same
    cohort entry enqueued twice (a retried batch, a rebuild) is kept once.
    """

    __tablename__ = "delivery_outbox"
    __table_args__ = (
        Index("ix_delivery_outbox_due", "state", "next_attempt_at"),
        Index("ix_delivery_outbox_group", "integration_id", "kind", "group_key"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey(_INTEGRATION, ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))
    group_key: Mapped[str] = mapped_column(String(64))
    ad_account_id: Mapped[str] = mapped_column(String(20))
    payload: Mapped[Any] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class DeliveryLogEntry(Base):
    """One exchange with Pinterest: what was sent, when, and the answer."""

    __tablename__ = "delivery_log"
    __table_args__ = (Index("ix_delivery_log_integration", "integration_id", "id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey(_INTEGRATION, ondelete="CASCADE")
    )
    at: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    items: Mapped[int] = mapped_column(Integer)
    status: Mapped[int] = mapped_column(Integer)
    pinterest_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)


class PinterestAudience(Base):
    """The VISITOR audience Pinterest holds for one routed (Tag ID, cohort),
    in the ad account that owns the Tag ID."""

    __tablename__ = "pinterest_audiences"

    integration_id: Mapped[str] = mapped_column(
        ForeignKey(_INTEGRATION, ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    cohort_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    ad_account_id: Mapped[str] = mapped_column(String(20))
    audience_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class PinterestCustomerList(Base):
    """The customer list an ad account holds for one cohort and identifier type."""

    __tablename__ = "pinterest_customer_lists"

    integration_id: Mapped[str] = mapped_column(
        ForeignKey(_INTEGRATION, ondelete="CASCADE"), primary_key=True
    )
    ad_account_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    cohort_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    list_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    customer_list_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
