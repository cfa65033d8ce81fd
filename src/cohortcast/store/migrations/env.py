"""Alembic environment: runs on the connection ``open_store`` hands over.

Started by hand (``alembic revision --autogenerate`` while writing a new
migration), it connects to ``COHORTCAST_DATABASE_URL`` instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cohortcast.store import (
    collection_models,  # noqa: F401 (adds its tables)
    delivery_models,  # noqa: F401 (adds its tables)
    diagnostics_models,  # noqa: F401 (adds its tables)
)
from cohortcast.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_standalone() -> None:
    from cohortcast.settings import Settings
    from cohortcast.store.database import create_database_engine

    engine = create_database_engine(Settings.from_env().database_url)
    with engine.begin() as connection:
        _run(connection)


_connection = context.config.attributes.get("connection")
if _connection is None:
    _run_standalone()
else:
    _run(_connection)
