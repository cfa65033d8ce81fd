"""Fixtures shared by the server's tests: a database per test, the app, tokens.

``database_url`` runs each test that uses it twice: on a fresh SQLite file
and, when ``COHORTCAST_TEST_POSTGRES_URL`` is set, on PostgreSQL, in a schema
of this test run whose tables are emptied before each test (so tests never
see each other's data). ``empty_database_url`` gives a database without
even the schema, for tests of the migrations.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
def backend(request: pytest.FixtureRequest, postgres_admin: Engine | None) -> str:
    """Which database the test runs on; PostgreSQL skips when it is not configured."""
    if request.param == "postgresql" and postgres_admin is None:
        pytest.skip(f"PostgreSQL not available: set {POSTGRES_ENV}")
    name: str = request.param
    return name


@pytest.fixture
def empty_database_url(
    backend: str, tmp_path: Path, postgres_admin: Engine | None
) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file or PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cohortcast.db'}"
        return
    assert postgres_admin is not None
    with _postgres_schema(postgres_admin) as url:
        yield url


@pytest.fixture(scope="session")
def _shared_postgres_url(postgres_admin: Engine | None) -> Iterator[str | None]:
    # Creating the schema takes PostgreSQL about half a second, emptying its
    # tables a few milliseconds, so tests share one schema and empty it.
    if postgres_admin is None:
        yield None
        return
    with _postgres_schema(postgres_admin) as url:
        yield url


@pytest.fixture
def database_url(
    backend: str,
    tmp_path: Path,
    postgres_admin: Engine | None,
    _shared_postgres_url: str | None,
) -> str:
    """A database with no data (the schema may already be migrated)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'cohortcast.db'}"
    assert postgres_admin is not None
    assert _shared_postgres_url is not None
    schema = make_url(_shared_postgres_url).query["options"]
    _empty_tables(postgres_admin, str(schema).removeprefix("-csearch_path="))
    return _shared_postgres_url


@contextmanager
def _postgres_schema(admin: Engine) -> Iterator[str]:
    schema = f"test_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _empty_tables(admin: Engine, schema: str) -> None:
    with admin.connect() as connection:
        tables = connection.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                "AND tablename <> 'alembic_version'"
            ),
            {"schema": schema},
        ).all()
        if tables:
            names = ", ".join(f'"{schema}"."{table}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} CASCADE"))


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


AuthHeaderFactory = Callable[..., dict[str, str]]


@pytest.fixture
def auth_header(store: Store) -> AuthHeaderFactory:
    """``auth_header(slug="default")``: an ``Authorization`` header for a new token.

    The token belongs to the workspace ``slug``, created when missing, so
    ``auth_header("other")`` is a stranger to the default workspace.
    """

    def make(slug: str = workspaces.DEFAULT_SLUG) -> dict[str, str]:
        with store.transaction() as session:
            workspace = workspaces.find_workspace_by_slug(session, slug)
            if workspace is None:
                workspace = workspaces.create_workspace(session, slug, slug)
            created = tokens.create_token(session, workspace.id, "tests")
        return {"Authorization": f"Bearer {created.secret}"}

    return make


@pytest.fixture
def api(app: FastAPI, auth_header: AuthHeaderFactory) -> TestClient:
    """An HTTP client with a token of the default workspace."""
    return TestClient(app, headers=auth_header())
