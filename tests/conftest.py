"""Fixtures shared by the server's tests: a database per test, the app, tokens.

``database_url`` runs each test that uses it twice: on a fresh SQLite file
and, when ``COHORTCAST_TEST_POSTGRES_URL`` is set, in a fresh PostgreSQL
schema (created and dropped around the test, so tests never see each other).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from cohortcast.settings import Settings
from cohortcast.store import tokens, workspaces
from cohortcast.store.database import Store
from cohortcast.web.app import create_app

POSTGRES_ENV = "COHORTCAST_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine | None]:
    """An engine on the test PostgreSQL server, or None when none is configured."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_admin: Engine | None
) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cohortcast.db'}"
        return
    if postgres_admin is None:
        pytest.skip(f"PostgreSQL not available: set {POSTGRES_ENV}")

    schema = f"test_{secrets.token_hex(6)}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_admin.url).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    yield url.render_as_string(hide_password=False)
    with postgres_admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Default settings on the test database."""
    return Settings(database_url=database_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The application on the test database, its connections closed afterwards."""
    application = create_app(settings)
    yield application
    application.state.store.close()


@pytest.fixture
def store(app: FastAPI) -> Store:
    """The app's store, for arranging data and checking results directly."""
    result: Store = app.state.store
    return result


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """An HTTP client without a token."""
    return TestClient(app)


@pytest.fixture
def api(app: FastAPI, store: Store) -> TestClient:
    """An HTTP client with a token of the default workspace."""
    return TestClient(app, headers=auth_header(store))


def auth_header(
    store: Store, workspace_slug: str = workspaces.DEFAULT_SLUG
) -> dict[str, str]:
    """``Authorization`` for a new token of the workspace ``workspace_slug``.

    A workspace other than the default one is created when missing.
    """
    with store.transaction() as session:
        workspace = workspaces.find_workspace_by_slug(session, workspace_slug)
        if workspace is None:
            workspace = workspaces.create_workspace(
                session, workspace_slug, workspace_slug
            )
        created = tokens.create_token(session, workspace.id, "tests")
    return {"Authorization": f"Bearer {created.secret}"}
