"""Settings: read from the environment, and every one documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cohortcast.settings import ENVIRONMENT, Settings, SettingsError

README = Path(__file__).parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme_configuration_table() -> None:
    documented = set(
        re.findall(r"^\| `(COHORTCAST_[A-Z_]+)` \|", README.read_text(), re.M)
    )

    assert sorted(set(ENVIRONMENT.values()) - documented) == []
    assert sorted(documented - set(ENVIRONMENT.values())) == []


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "COHORTCAST_DATABASE_URL": "postgresql+psycopg://db/cc",
            "COHORTCAST_PORT": "9000",
            "COHORTCAST_CONSENT_REQUIRED": "yes",
            "COHORTCAST_PUBLIC_URL": "https://cc.example/",
            "COHORTCAST_HOST": "  ",
        }
    )

    assert settings.database_url == "postgresql+psycopg://db/cc"
    assert settings.port == 9000
    assert settings.consent_required is True
    assert settings.public_url == "https://cc.example"
    assert settings.host == "127.0.0.1"


def test_the_default_database_is_a_sqlite_file_in_the_working_directory() -> None:
    assert Settings.from_env({}).database_url == "sqlite:///./cohortcast.db"


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (
            "COHORTCAST_PORT",
            "eighty",
            "COHORTCAST_PORT='eighty' is not valid; expected a whole",
        ),
        ("COHORTCAST_MAX_BODY_BYTES", "0", "expected a whole number greater than 0"),
        ("COHORTCAST_CONSENT_REQUIRED", "maybe", "expected true or false"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_is_expected(
    name: str, raw: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_env({name: raw})
