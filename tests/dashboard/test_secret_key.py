"""The server's secret key: from the setting, or a key file made on first start."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cohortcast.secrets import (
    SecretKeyError,
    key_file_path,
    key_for,
    load_secret_key,
)
from cohortcast.settings import Settings


def test_the_key_file_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    settings = Settings(key_file=str(tmp_path / "cohortcast.key"))

    first = load_secret_key(settings)
    second = load_secret_key(settings)

    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE((tmp_path / "cohortcast.key").stat().st_mode)
    assert mode == 0o600


def test_the_setting_wins_over_the_file(tmp_path: Path) -> None:
    settings = Settings(secret_key="s" * 40, key_file=str(tmp_path / "k"))

    assert load_secret_key(settings) == b"s" * 40
    assert not (tmp_path / "k").exists()


def test_a_short_secret_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(SecretKeyError, match="has 5 characters; use at least 32"):
        load_secret_key(Settings(secret_key="short"))


def test_the_default_key_file_sits_beside_the_sqlite_database(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'data.db'}")

    assert key_file_path(settings) == tmp_path / "cohortcast.key"
    assert key_file_path(Settings()) == Path("cohortcast.key")


def test_each_purpose_gets_its_own_key() -> None:
    secret = b"x" * 32

    assert key_for(secret, "session") != key_for(secret, "csrf")
    assert key_for(secret, "session") == key_for(secret, "session")


def test_the_secret_is_not_in_the_settings_repr() -> None:
    assert "hunter2" not in repr(Settings(secret_key="hunter2" * 5))
