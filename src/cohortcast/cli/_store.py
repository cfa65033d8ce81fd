"""Opening the store from CLI options, shared by the commands that write to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from cohortcast.settings import ENVIRONMENT, Settings, SettingsError
from cohortcast.store.database import Store, open_store
from cohortcast.store.errors import StoreError

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


@contextmanager
def cli_session(database_url: str | None, *, write: bool) -> Iterator[Session]:
    """A session on the store named by ``--database-url`` or the environment
    (a transaction when ``write``); a store error becomes the command's error
    message, and the store is closed either way."""
    store = open_cli_store(database_url)
    try:
        with store.transaction() if write else store.read() as session:
            yield session
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
