"""Tables the troubleshooting checks read that nothing else records (issue 8).

Both are bounded: one row per workspace for the SDK's last configuration
fetch, one row per profile for the SDK's signals (deleted with the profile).
Importing this module adds the tables to ``Base.metadata``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cohortcast.store.models import Base


class SdkSighting(Base):
    """When a browser last fetched the workspace's SDK configuration.

    Written at most once a minute per server process, so the busiest route
    does not write on every request.
    """

    __tablename__ = "sdk_sightings"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    config_fetched_at: Mapped[int] = mapped_column(BigInteger)


class ProfileSignals(Base):
    """What the SDK last reported about a visitor's browser: whether
    Pinterest's own cookies exist (never their values) and whether
    activation was allowed."""

    __tablename__ = "profile_signals"
    __table_args__ = (Index("ix_profile_signals_workspace", "workspace_id"),)

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    pinterest_cookie: Mapped[bool] = mapped_column(Boolean)
    consent: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[int] = mapped_column(BigInteger)
