"""Initial schema: workspaces, tokens, users, integrations, cohorts, activations.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _workspace_id() -> sa.Column[object]:
    return sa.Column(
        "workspace_id",
        sa.String(32),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    _create_workspaces_tokens_and_users()
    _create_integrations_cohorts_and_activations()


def _create_workspaces_tokens_and_users() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("sdk_key", sa.String(64), nullable=False, unique=True),
        sa.Column("config_version", sa.Integer(), nullable=False),
        _timestamp("created_at"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        _workspace_id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        _timestamp("created_at"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        _workspace_id(),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(400), nullable=False),
        _timestamp("created_at"),
    )


def _create_integrations_cohorts_and_activations() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", sa.String(32), primary_key=True),
        _workspace_id(),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tag_id", sa.String(20), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.UniqueConstraint("workspace_id", "type"),
    )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.String(32), primary_key=True),
        _workspace_id(),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.UniqueConstraint("workspace_id", "code"),
    )
    op.create_table(
        "activations",
        sa.Column("id", sa.String(32), primary_key=True),
        _workspace_id(),
        sa.Column(
            "integration_id",
            sa.String(32),
            sa.ForeignKey("integrations.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("tag_id", sa.String(20), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
    )
    op.create_table(
        "activation_cohorts",
        sa.Column(
            "activation_id",
            sa.String(32),
            sa.ForeignKey("activations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "cohort_id",
            sa.String(32),
            sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
    )


def downgrade() -> None:
    for table in (
        "activation_cohorts",
        "activations",
        "cohorts",
        "integrations",
        "users",
        "api_tokens",
        "workspaces",
    ):
        op.drop_table(table)
