"""Troubleshooting facts: when the SDK configuration last changed, when a
browser last fetched it, and the SDK's signals per profile.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
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


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as workspaces:
        workspaces.add_column(
            sa.Column("config_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "sdk_sightings",
        _workspace_id(primary_key=True),
        sa.Column("config_fetched_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "profile_signals",
        sa.Column(
            "profile_id",
            _ROW_ID,
            sa.ForeignKey("profiles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _workspace_id(),
        sa.Column("pinterest_cookie", sa.Boolean(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_profile_signals_workspace", "profile_signals", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_profile_signals_workspace", table_name="profile_signals")
    op.drop_table("profile_signals")
    op.drop_table("sdk_sightings")
    with op.batch_alter_table("workspaces") as workspaces:
        workspaces.drop_column("config_changed_at")
