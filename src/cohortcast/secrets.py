"""The server's secret key, and the purpose-specific keys derived from it.

One secret serves every feature that signs or encrypts something (dashboard
sessions, CSRF tokens, later stored Pinterest credentials). Each feature asks
:func:`key_for` for its own key, so a value signed for one purpose is never
accepted for another.

The secret comes from ``COHORTCAST_SECRET_KEY`` when set, otherwise from a key
file (``COHORTCAST_KEY_FILE``; by default ``cohortcast.key`` beside the SQLite
database, so ``./cohortcast.key`` for the default database), created with
owner-only permissions on first start.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from cohortcast.settings import Settings

logger = logging.getLogger(__name__)

KEY_FILE_NAME = "cohortcast.key"
MIN_SECRET_LENGTH = 32
_GENERATED_BYTES = 32


class SecretKeyError(RuntimeError):
    """The configured secret cannot be used; ``str(error)`` says how to fix it."""


def load_secret_key(settings: Settings) -> bytes:
    """The server's secret: from the setting, else the key file (made if missing).

    Raises :class:`SecretKeyError` for a secret that is too short or a key file
    that cannot be read or holds too little.
    """
    if settings.secret_key is not None:
        return _checked(settings.secret_key, "COHORTCAST_SECRET_KEY")

    path = key_file_path(settings)
    try:
        return _checked(path.read_text(encoding="utf-8").strip(), str(path))
    except FileNotFoundError:
        return _create_key_file(path)
    except OSError as error:
        raise SecretKeyError(
            f"Cannot read the key file {str(path)!r} ({error.strerror}); fix its "
            "permissions or set COHORTCAST_SECRET_KEY."
        ) from error


def key_for(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for one ``purpose`` (e.g. ``"session"``), derived with HMAC."""
    return hmac.new(secret, b"cohortcast/" + purpose.encode(), hashlib.sha256).digest()


def key_file_path(settings: Settings) -> Path:
    """Where the key file is: the setting, or beside a SQLite database file."""
    if settings.key_file is not None:
        return Path(settings.key_file)

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (
        None,
        "",
        ":memory:",
    ):
        return Path(str(url.database)).parent / KEY_FILE_NAME
    return Path(KEY_FILE_NAME)


def _create_key_file(path: Path) -> bytes:
    secret = secrets.token_hex(_GENERATED_BYTES)
    try:
        # O_EXCL: when two processes start at once, only one writes the key
        # and the other reads it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _checked(path.read_text(encoding="utf-8").strip(), str(path))
    except OSError as error:
        raise SecretKeyError(
            f"Cannot create the key file {str(path)!r} ({error.strerror}); set "
            "COHORTCAST_KEY_FILE to a writable place or COHORTCAST_SECRET_KEY."
        ) from error

    with os.fdopen(descriptor, "w", encoding="utf-8") as key_file:
        key_file.write(secret + "\n")
    logger.info("Created the secret key file %s", path)
    return secret.encode()


def _checked(secret: str, source: str) -> bytes:
    if len(secret) < MIN_SECRET_LENGTH:
        raise SecretKeyError(
            f"The secret key from {source} has {len(secret)} characters; use at "
            f"least {MIN_SECRET_LENGTH} random ones (e.g. from "
            "'python -c \"import secrets; print(secrets.token_hex(32))\"')."
        )
    return secret.encode()
