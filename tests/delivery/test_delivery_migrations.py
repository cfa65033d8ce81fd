"""The migration chain stays one line, whoever adds a migration."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

import cohortcast.store

MIGRATIONS = Path(cohortcast.store.__file__).parent / "migrations"


def test_the_migration_chain_has_exactly_one_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")

    heads = ScriptDirectory.from_config(config).get_heads()

    assert len(heads) == 1, f"Migrations have several heads {heads}; chain them."
