"""Event collection and server-side evaluation: raw events, profiles,
memberships, membership changes, receipt counters, evaluation status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid).
_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _workspace_id(primary_key: bool = False) -> sa.Column[object]:
    return sa.Column(
        "workspace_id",
        sa.String(32),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def _profile_id(primary_key: bool = False) -> sa.Column[object]:
    return sa.Column(
        "profile_id",
        _ROW_ID,
        sa.ForeignKey("profiles.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
        index=not primary_key,
    )


def _millis(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "collected_events",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        _workspace_id(),
        sa.Column("profile_key", sa.String(120), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _millis("time"),
        sa.Column("properties", sa.JSON(), nullable=False),
        _millis("received_at"),
        sa.UniqueConstraint("workspace_id", "profile_key", "event_id"),
    )
    op.create_index(
        "ix_collected_events_workspace_time",
        "collected_events",
        ["workspace_id", "time"],
    )
    op.create_table(
        "profiles",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        _workspace_id(),
        sa.Column("profile_key", sa.String(120), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=True),
        sa.Column("email_sha256", sa.String(64), nullable=True),
        sa.Column("maid_sha256", sa.JSON(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=True),
        _millis("next_change_time", nullable=True),
        _millis("updated_at"),
        sa.UniqueConstraint("workspace_id", "profile_key"),
    )
    op.create_index("ix_profiles_next_change_time", "profiles", ["next_change_time"])
    op.create_table(
        "memberships",
        _profile_id(primary_key=True),
        sa.Column("cohort_code", sa.String(16), primary_key=True),
        _workspace_id(),
        _millis("entered_at"),
    )
    op.create_index(
        "ix_memberships_workspace_cohort",
        "memberships",
        ["workspace_id", "cohort_code"],
    )
    op.create_table(
        "membership_changes",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        _workspace_id(),
        _profile_id(),
        sa.Column("cohort_code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(5), nullable=False),
        _millis("time"),
    )
    op.create_index(
        "ix_membership_changes_workspace_cohort_time",
        "membership_changes",
        ["workspace_id", "cohort_code", "time"],
    )
    op.create_table(
        "receipt_counters",
        _workspace_id(primary_key=True),
        sa.Column("tag_id", sa.String(20), primary_key=True),
        sa.Column("cohort_code", sa.String(16), primary_key=True),
        sa.Column("hour", sa.BigInteger(), primary_key=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        _millis("last_fired_at"),
    )
    op.create_table(
        "evaluation_status",
        _workspace_id(primary_key=True),
        sa.Column("built_leaves", sa.JSON(), nullable=False),
        sa.Column("rebuild_leaves", sa.JSON(), nullable=False),
        _millis("rebuild_after_profile"),
        _millis("updated_at"),
    )


def downgrade() -> None:
    for table in (
        "evaluation_status",
        "receipt_counters",
        "membership_changes",
        "memberships",
        "profiles",
        "collected_events",
    ):
        op.drop_table(table)
