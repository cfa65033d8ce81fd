"""Opening the store: migrations on start, the default workspace, the schema."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from cohortcast.store import workspaces
from cohortcast.store.database import open_store
from cohortcast.store.models import Base, Workspace


def test_migrations_are_applied_on_start_against_an_empty_database(
    empty_database_url: str,
) -> None:
    store = open_store(empty_database_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        with store.read() as session:
            default = workspaces.get_default_workspace(session)
    finally:
        store.close()

    assert {"workspaces", "cohorts", "activations", "alembic_version"} <= tables
    assert default.sdk_key.startswith("sdk_")
    assert default.config_version == 1


def test_opening_twice_keeps_one_default_workspace_and_its_sdk_key(
    database_url: str,
) -> None:
    first = open_store(database_url)
    with first.read() as session:
        sdk_key = workspaces.get_default_workspace(session).sdk_key
    first.close()

    second = open_store(database_url)
    with second.read() as session:
        keys = list(session.scalars(select(Workspace.sdk_key)))
    second.close()

    assert keys == [sdk_key]


def test_the_migrations_produce_exactly_the_models_schema(
    empty_database_url: str,
) -> None:
    store = open_store(empty_database_url)
    try:
        with store.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), Base.metadata
            )
    finally:
        store.close()

    assert differences == []


def test_the_database_label_hides_the_password() -> None:
    store = open_store("postgresql+psycopg://cc:s3cret@127.0.0.1:1/x", migrate=False)

    assert "s3cret" not in store.database_label
    assert "***" in store.database_label


def test_processes_starting_together_on_a_new_database_make_one_workspace(
    empty_database_url: str,
) -> None:
    def start() -> None:
        open_store(empty_database_url).close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        for started in [pool.submit(start) for _ in range(4)]:
            started.result()

    store = open_store(empty_database_url)
    with store.read() as session:
        count = len(list(session.scalars(select(Workspace.id))))
    store.close()
    assert count == 1
