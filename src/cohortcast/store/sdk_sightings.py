"""When a browser last fetched a workspace's SDK configuration.

The troubleshooting checks use it as "the SDK was seen on the site". The
web layer decides how often to write (see :mod:`cohortcast.web.sdk_sightings`).
"""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cohortcast.store.diagnostics_models import SdkSighting

_SIGHTINGS: Table = SdkSighting.__table__  # type: ignore[assignment]


def record_config_fetch(session: Session, workspace_id: str, at: int) -> None:
    """Remember that the configuration was fetched at ``at`` (ms); never goes back."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(_SIGHTINGS)
    session.execute(
        insert.values(
            workspace_id=workspace_id, config_fetched_at=at
        ).on_conflict_do_update(
            index_elements=["workspace_id"],
            set_={"config_fetched_at": insert.excluded.config_fetched_at},
            where=SdkSighting.config_fetched_at < insert.excluded.config_fetched_at,
        )
    )


def last_config_fetch(session: Session, workspace_id: str) -> int | None:
    """When the configuration was last fetched (ms), or None if never."""
    return session.scalar(
        select(SdkSighting.config_fetched_at).where(
            SdkSighting.workspace_id == workspace_id
        )
    )
