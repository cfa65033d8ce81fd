"""The migration chain stays one line, whoever adds a migration, and the
delivery migrations keep what they must."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

import cohortcast.store

MIGRATIONS = Path(cohortcast.store.__file__).parent / "migrations"


def test_the_migration_chain_has_exactly_one_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")

    heads = ScriptDirectory.from_config(config).get_heads()

    assert len(heads) == 1, f"Migrations have several heads {heads}; chain them."


def _alembic(engine: Engine, verb: str, revision: str) -> None:
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("path_separator", "os")
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def test_0005_remakes_audiences_and_lists_with_their_account_and_resyncs(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _alembic(engine, "upgrade", "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO pinterest_credentials (integration_id, ad_account_id,"
                " audiences_synced_version, audiences_next_sync_at,"
                " audiences_sync_attempts, updated_at)"
                " VALUES ('int_1', '549755885175', 7, 99, 0, 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO pinterest_audiences VALUES"
                " ('int_1', '2612345678901', 'k1', '2542620905475', 'Travel', 5,"
                " 'READY', 1)"
            )
        )

    _alembic(engine, "upgrade", "head")

    columns = inspect(engine).get_columns("pinterest_audiences")
    assert "ad_account_id" in [column["name"] for column in columns]
    kept = inspect(engine).get_columns("pinterest_credentials")
    assert "conversion_tag_ids" in [column["name"] for column in kept]
    keys = inspect(engine).get_pk_constraint("pinterest_customer_lists")
    assert keys["constrained_columns"] == [
        "integration_id",
        "ad_account_id",
        "cohort_code",
        "list_type",
    ]
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM pinterest_audiences")) == 0
        synced = "SELECT audiences_synced_version FROM pinterest_credentials"
        assert connection.scalar(text(synced)) is None

    _alembic(engine, "downgrade", "0004")

    columns = inspect(engine).get_columns("pinterest_audiences")
    assert "ad_account_id" not in [column["name"] for column in columns]
    kept = inspect(engine).get_columns("pinterest_credentials")
    assert "conversion_tag_ids" not in [column["name"] for column in kept]
    engine.dispose()
