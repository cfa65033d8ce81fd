"""Opening the store: engine, migrations on start, and transactions.

``open_store(url)`` is the one entry point. It brings the schema to the latest
migration and makes sure the default workspace exists, so a fresh database is
usable at once, by the server, the CLI and tests alike.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from cohortcast.store import workspaces

logger = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"

# Any constant works; it only has to be the same in every Cohortcast process.
_MIGRATION_LOCK_KEY = 7_216_004_311

# Execution option that makes a SQLite transaction take the write lock at BEGIN.
_SQLITE_BEGIN = "cohortcast_sqlite_begin"


class Store:
    """A database with the Cohortcast schema; hands out transactions.

    Service functions (``cohortcast.store.cohorts`` and friends) take the
    ``Session`` of a transaction and never commit themselves, so one request
    is one transaction and the config version bump commits with the change.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lookup_engine = _lookup_engine(engine)
        self._reads = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(**{_SQLITE_BEGIN: "BEGIN IMMEDIATE"})
        self._writes = sessionmaker(writer, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A read-write transaction: committed on success, rolled back on error."""
        with self._writes.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction; cheaper on SQLite, where it takes no lock."""
        with self._reads.begin() as session:
            yield session

    @property
    def database_label(self) -> str:
        """The database URL without its password, safe to log and display."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self.lookup_engine.dispose()


def open_store(database_url: str, *, migrate: bool = True) -> Store:
    """Connect to ``database_url``, apply pending migrations, return the store.

    Creates the default workspace when none exists. Safe when several
    processes start at once on a new database: migrating and creating the
    workspace happen in one transaction under a lock (an advisory lock on
    PostgreSQL, the write lock on SQLite).
    """
    store = Store(create_database_engine(database_url))
    if not migrate:
        return store

    locking = store.engine.execution_options(**{_SQLITE_BEGIN: "BEGIN IMMEDIATE"})
    with locking.begin() as connection:
        _upgrade(connection)
        with Session(bind=connection) as session:
            workspaces.ensure_default_workspace(session)
            session.flush()
    return store


def create_database_engine(database_url: str) -> Engine:
    """An engine for SQLite or PostgreSQL with the settings Cohortcast relies on."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if url.database in (None, "", ":memory:"):
        # One shared connection, otherwise each would see its own empty database.
        options["poolclass"] = StaticPool
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _lookup_engine(engine: Engine) -> Engine:
    # For single-statement lookups on every request (config.json). On
    # PostgreSQL, autocommit and no pre-ping make a lookup one round trip
    # instead of three (ping, query, rollback); callers retry once on a
    # dropped connection instead. SQLite lookups are already that cheap.
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=2)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is turned off so that _begin_sqlite_transaction
    # decides how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA foreign_keys = ON")
    _use_wal(cursor)
    cursor.close()


def _use_wal(cursor: Any) -> None:
    # WAL is a property of the file: once set, every later connection sees it.
    # Setting it answers "database is locked" at once, without the busy
    # timeout, while another process opening a new file holds a lock, so the
    # first connections retry for a while.
    for _ in range(100):
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            time.sleep(0.05)
    cursor.execute("PRAGMA journal_mode = WAL")


def _begin_sqlite_transaction(connection: Connection) -> None:
    # Writers take the lock up front: a deferred transaction that later tries
    # to write fails at once with "database is locked" instead of waiting.
    begin = connection.get_execution_options().get(_SQLITE_BEGIN, "BEGIN")
    connection.exec_driver_sql(begin)


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
        )
    before = MigrationContext.configure(connection).get_current_revision()
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    after = MigrationContext.configure(connection).get_current_revision()
    if after != before:
        logger.info("Migrated the database from %s to %s", before or "empty", after)
