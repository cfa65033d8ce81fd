"""SQLAlchemy models: the tables every part of Cohortcast reads and writes.

Ids are random strings with a readable prefix (``coh_...``) so that an id
never reveals how many objects exist and never repeats after a reset.
Everything a workspace owns is deleted with it, and association rows go with
either side, so deleting a cohort or an integration leaves nothing dangling.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utc_now() -> datetime:
    """The current time, timezone-aware, as every timestamp column stores it."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base; its metadata is what the migrations must produce."""


class Workspace(Base):
    """A publisher's space: its SDK key, tokens, cohorts and integration.

    ``config_version`` is bumped in the same transaction as every change that
    can alter the SDK configuration, so a cache keyed by it is never stale.
    """

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    sdk_key: Mapped[str] = mapped_column(String(64), unique=True)
    config_version: Mapped[int] = mapped_column(Integer, default=1)
    # When config_version last changed; the troubleshooting checks show it.
    config_changed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=utc_now
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )


class ApiToken(Base):
    """A management API token; only the SHA-256 of its secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )


class User(Base):
    """A dashboard user; the password is kept as a salted scrypt hash."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )


class Integration(Base):
    """A destination account; today only Pinterest, one per workspace."""

    __tablename__ = "integrations"
    __table_args__ = (UniqueConstraint("workspace_id", "type"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    tag_id: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now
    )

    activations: Mapped[list[Activation]] = relationship(
        back_populates="integration", cascade="all, delete-orphan", passive_deletes=True
    )


activation_cohorts = Table(
    "activation_cohorts",
    Base.metadata,
    Column(
        "activation_id",
        ForeignKey("activations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "cohort_id",
        ForeignKey("cohorts.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Cohort(Base):
    """An audience segment; ``code`` is its stable public name in the SDK."""

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[Any] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now
    )

    activations: Mapped[list[Activation]] = relationship(
        secondary=activation_cohorts, back_populates="cohorts", passive_deletes=True
    )


class Activation(Base):
    """A set of cohorts sent to one Tag ID of an integration.

    ``tag_id`` None means the integration's Tag ID. Each integration has one
    ``is_default`` activation: the cohort page's Pinterest toggle.
    """

    __tablename__ = "activations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    tag_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )

    integration: Mapped[Integration] = relationship(back_populates="activations")
    cohorts: Mapped[list[Cohort]] = relationship(
        secondary=activation_cohorts,
        back_populates="activations",
        order_by=Cohort.code,
        passive_deletes=True,
    )
