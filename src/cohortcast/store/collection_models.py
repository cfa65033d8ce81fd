"""Tables of event collection and server-side evaluation (issue 6).

Kept apart from :mod:`cohortcast.store.models` because they are written on
every collected batch and shaped for that: integer keys, millisecond times as
integers (what the engine uses), and no ORM relationships on the hot path.
Importing this module adds the tables to ``Base.metadata``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cohortcast.store.models import Base

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid).
RowId = BigInteger().with_variant(Integer(), "sqlite")

_WORKSPACE = "workspaces.id"


class CollectedEvent(Base):
    """One raw event as received; unique per (workspace, profile, event id),
    which is what makes a retried batch count once."""

    __tablename__ = "collected_events"
    __table_args__ = (
        UniqueConstraint("workspace_id", "profile_key", "event_id"),
        Index("ix_collected_events_workspace_time", "workspace_id", "time"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey(_WORKSPACE, ondelete="CASCADE")
    )
    profile_key: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    time: Mapped[int] = mapped_column(BigInteger)
    properties: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[int] = mapped_column(BigInteger)


class Profile(Base):
    """One person or device as the server evaluates it: identities (hashed),
    the engine's state, and when the scheduler must next advance it."""

    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("workspace_id", "profile_key"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey(_WORKSPACE, ondelete="CASCADE")
    )
    profile_key: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    maid_sha256: Mapped[Any] = mapped_column(JSON, nullable=True)
    state: Mapped[Any] = mapped_column(JSON, nullable=True)
    next_change_time: Mapped[int | None] = mapped_column(
        BigInteger, nullable=True, index=True
    )
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Membership(Base):
    """A profile in a cohort now; ``count(*)`` per cohort is its live size."""

    __tablename__ = "memberships"
    __table_args__ = (
        Index("ix_memberships_workspace_cohort", "workspace_id", "cohort_code"),
    )

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    cohort_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey(_WORKSPACE, ondelete="CASCADE")
    )
    entered_at: Mapped[int] = mapped_column(BigInteger)


class MembershipChange(Base):
    """An entry or exit, at the time the engine reported it."""

    __tablename__ = "membership_changes"
    __table_args__ = (
        Index(
            "ix_membership_changes_workspace_cohort_time",
            "workspace_id",
            "cohort_code",
            "time",
        ),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey(_WORKSPACE, ondelete="CASCADE")
    )
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    cohort_code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(5))
    time: Mapped[int] = mapped_column(BigInteger)


class ReceiptCounter(Base):
    """Delivery receipts from browsers, counted per hour: bounded, no visitor."""

    __tablename__ = "receipt_counters"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey(_WORKSPACE, ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    cohort_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    last_fired_at: Mapped[int] = mapped_column(BigInteger)


class EvaluationStatus(Base):
    """Per workspace: which cohort leaves every profile's state has been built
    for, and how far a rebuild for new or edited cohorts has come."""

    __tablename__ = "evaluation_status"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey(_WORKSPACE, ondelete="CASCADE"), primary_key=True
    )
    built_leaves: Mapped[Any] = mapped_column(JSON)
    rebuild_leaves: Mapped[Any] = mapped_column(JSON)
    rebuild_after_profile: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
