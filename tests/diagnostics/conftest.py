"""Diagnostics tests build a site through the store, then read the report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from diagnostics_helpers import Site

from cohortcast.store.database import Store, open_store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on an empty test database."""
    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def site(store: Store) -> Site:
    """The default workspace, with nothing set up yet."""
    return Site(store)
