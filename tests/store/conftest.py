"""Store tests work on the store alone, without the web app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cohortcast.store import workspaces
from cohortcast.store.database import Store, open_store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on an empty test database."""
    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def workspace_id(store: Store) -> str:
    """The default workspace's id."""
    with store.read() as session:
        return workspaces.get_default_workspace(session).id
