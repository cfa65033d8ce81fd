"""Process-wide settings, read from ``COHORTCAST_*`` environment variables.

Every field of :class:`Settings` has one environment variable, listed in
:data:`ENVIRONMENT` and documented in the README's configuration table (a test
keeps the two in step).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///./cohortcast.db"


class SettingsError(ValueError):
    """An environment variable holds a value the setting cannot take."""


@dataclass(frozen=True)
class Settings:
    """How one server process runs; build with :meth:`from_env` or directly."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    max_body_bytes: int = 256 * 1024
    pinterest_pixel_url: str = "https://ct.pinterest.com/v3/"
    pinterest_event: str = "custom"
    pinterest_refresh_seconds: int = 86400
    consent_required: bool = False
    log_level: str = "INFO"
    event_retention_days: int = 30
    collect_max_body_bytes: int = 1024 * 1024
    background_interval_seconds: int = 1
    # repr=False: settings get logged and printed; the secret must not be.
    secret_key: str | None = dataclasses.field(default=None, repr=False)
    key_file: str | None = None
    secure_cookies: bool = False
    sign_in_delay_seconds: float = 1.0
    pinterest_api_url: str = "https://api.pinterest.com/v5"
    pinterest_test_events: bool = False
    delivery_lease_seconds: int = 120
    audience_refresh_seconds: int = 300

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from ``environ`` (default ``os.environ``).

        Unset variables keep their defaults; a value that does not parse
        raises :class:`SettingsError` naming the variable.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            name = ENVIRONMENT[field.name]
            raw = environ.get(name)
            if raw is None or raw.strip() == "":
                continue
            values[field.name] = _parse(name, raw.strip(), _PARSERS[field.name])
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (e.g. from CLI options)."""
        return dataclasses.replace(self, **changes)


ENVIRONMENT: dict[str, str] = {
    field.name: f"COHORTCAST_{field.name.upper()}"
    for field in dataclasses.fields(Settings)
}


def _parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(raw)


def _parse_seconds(raw: str) -> float:
    value = float(raw)
    if not 0 <= value < float("inf"):
        raise ValueError(raw)
    return value


def _parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(raw)
    return value


_PARSERS: dict[str, Callable[[str], Any]] = {
    "database_url": str,
    "host": str,
    "port": _parse_positive_int,
    "public_url": lambda raw: raw.rstrip("/"),
    "max_body_bytes": _parse_positive_int,
    "pinterest_pixel_url": str,
    "pinterest_event": str,
    "pinterest_refresh_seconds": _parse_positive_int,
    "consent_required": _parse_bool,
    "log_level": str.upper,
    "event_retention_days": _parse_positive_int,
    "collect_max_body_bytes": _parse_positive_int,
    "background_interval_seconds": _parse_positive_int,
    "secret_key": str,
    "key_file": str,
    "secure_cookies": _parse_bool,
    "sign_in_delay_seconds": _parse_seconds,
    "pinterest_api_url": lambda raw: raw.rstrip("/"),
    "pinterest_test_events": _parse_bool,
    "delivery_lease_seconds": _parse_positive_int,
    "audience_refresh_seconds": _parse_positive_int,
}


_EXPECTED: dict[Callable[[str], Any], str] = {
    _parse_bool: "true or false",
    _parse_positive_int: "a whole number greater than 0",
    _parse_seconds: "a number of seconds, 0 or more",
}


def _parse(name: str, raw: str, parser: Callable[[str], Any]) -> Any:
    try:
        return parser(raw)
    except ValueError:
        expected = _EXPECTED.get(parser, "a valid value")
        raise SettingsError(
            f"{name}={raw!r} is not valid; expected {expected}."
        ) from None
