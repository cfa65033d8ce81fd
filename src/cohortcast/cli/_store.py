"""Opening the store from CLI options, shared by the commands that write to it."""

from __future__ import annotations

import click

from cohortcast.settings import ENVIRONMENT, Settings, SettingsError
from cohortcast.store.database import Store, open_store

DATABASE_URL_HELP = (
    "SQLAlchemy URL of the database to write to. "
    f"[default: sqlite:///./cohortcast.db; env {ENVIRONMENT['database_url']}]"
)


def open_cli_store(database_url: str | None) -> Store:
    """The store named by ``--database-url`` or the environment, migrated."""
    try:
        url = database_url or Settings.from_env().database_url
    except SettingsError as error:
        raise click.UsageError(str(error)) from error
    return open_store(url)
