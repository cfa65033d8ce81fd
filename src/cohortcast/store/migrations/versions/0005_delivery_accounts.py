"""Audiences and customer lists name the ad account that holds them, so one
token can deliver to every ad account that owns a routed Tag ID; the
credentials keep the Tag IDs of their own ad account.

Both tables only remember what Pinterest holds: the next audience sync
stores the audiences again (every integration is marked to sync at once) and
a customer list missing from the store is found again by its name. So they
are made anew rather than filled in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _integration_id() -> sa.Column[object]:
    return sa.Column(
        "integration_id",
        sa.String(32),
        sa.ForeignKey("integrations.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=True,
    )


def _audiences(*, with_account: bool) -> None:
    account = [sa.Column("ad_account_id", sa.String(20), nullable=False)]
    op.create_table(
        "pinterest_audiences",
        _integration_id(),
        sa.Column("tag_id", sa.String(20), primary_key=True),
        sa.Column("cohort_code", sa.String(16), primary_key=True),
        *(account if with_account else []),
        sa.Column("audience_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )


def _customer_lists(*, with_account: bool) -> None:
    account = [sa.Column("ad_account_id", sa.String(20), primary_key=True)]
    op.create_table(
        "pinterest_customer_lists",
        _integration_id(),
        *(account if with_account else []),
        sa.Column("cohort_code", sa.String(16), primary_key=True),
        sa.Column("list_type", sa.String(10), primary_key=True),
        sa.Column("customer_list_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
    )


def _remake(*, with_account: bool) -> None:
    op.drop_table("pinterest_customer_lists")
    op.drop_table("pinterest_audiences")
    _audiences(with_account=with_account)
    _customer_lists(with_account=with_account)
    op.execute(
        sa.text("UPDATE pinterest_credentials SET audiences_synced_version = NULL")
    )


def upgrade() -> None:
    with op.batch_alter_table("pinterest_credentials") as credentials:
        credentials.add_column(
            sa.Column("conversion_tag_ids", sa.JSON(), nullable=True)
        )
    _remake(with_account=True)


def downgrade() -> None:
    _remake(with_account=False)
    with op.batch_alter_table("pinterest_credentials") as credentials:
        credentials.drop_column("conversion_tag_ids")
