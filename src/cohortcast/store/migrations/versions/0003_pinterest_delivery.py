"""Server-side Pinterest delivery: credentials, the outbox, the delivery log,
and the audiences and customer lists Pinterest holds for cohorts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid).
_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _integration_id(primary_key: bool = False) -> sa.Column[object]:
    return sa.Column(
        "integration_id",
        sa.String(32),
        sa.ForeignKey("integrations.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "pinterest_credentials",
        _integration_id(primary_key=True),
        sa.Column("ad_account_id", sa.String(20), nullable=True),
        sa.Column("token_ciphertext", sa.Text(), nullable=True),
        sa.Column("token_last4", sa.String(4), nullable=True),
        sa.Column("connection_result", sa.String(32), nullable=True),
        sa.Column("connection_detail", sa.Text(), nullable=True),
        sa.Column("connection_checked_at", sa.BigInteger(), nullable=True),
        sa.Column("audiences_synced_version", sa.Integer(), nullable=True),
        sa.Column("audiences_next_sync_at", sa.BigInteger(), nullable=False),
        sa.Column("audiences_sync_attempts", sa.Integer(), nullable=False),
        sa.Column("audiences_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "delivery_outbox",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        _integration_id(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("ad_account_id", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_delivery_outbox_due", "delivery_outbox", ["state", "next_attempt_at"]
    )
    op.create_index(
        "ix_delivery_outbox_group",
        "delivery_outbox",
        ["integration_id", "kind", "group_key"],
    )
    op.create_table(
        "delivery_log",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        _integration_id(),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("pinterest_code", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_delivery_log_integration", "delivery_log", ["integration_id", "id"]
    )
    op.create_table(
        "pinterest_audiences",
        _integration_id(primary_key=True),
        sa.Column("tag_id", sa.String(20), primary_key=True),
        sa.Column("cohort_code", sa.String(16), primary_key=True),
        sa.Column("audience_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "pinterest_customer_lists",
        _integration_id(primary_key=True),
        sa.Column("cohort_code", sa.String(16), primary_key=True),
        sa.Column("list_type", sa.String(10), primary_key=True),
        sa.Column("customer_list_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "pinterest_customer_lists",
        "pinterest_audiences",
        "delivery_log",
        "delivery_outbox",
        "pinterest_credentials",
    ):
        op.drop_table(table)
