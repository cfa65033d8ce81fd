"""Dashboard users: creation and password checks with salted scrypt."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.ids import new_id
from cohortcast.store.models import User

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8

# scrypt cost: about 50 ms and 16 MiB per check on a laptop.
_N, _R, _P = 2**14, 8, 1


def create_user(session: Session, workspace_id: str, email: str, password: str) -> User:
    """Create a dashboard user.

    Raises :class:`InvalidValueError` for a bad email or short password and
    :class:`ConflictError` when the email is taken.
    """
    email = email.strip().lower()
    if "@" not in email.strip("@"):
        raise InvalidValueError(f"Email {email!r} is not an email address.", "email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValueError(
            f"The password has {len(password)} characters; use at least "
            f"{MIN_PASSWORD_LENGTH}.",
            "password",
        )
    if find_user_by_email(session, email) is not None:
        raise ConflictError(f"A user with email {email!r} already exists.")

    user = User(
        id=new_id("usr"),
        workspace_id=workspace_id,
        email=email,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    logger.info("Created dashboard user %s in workspace %s", user.id, workspace_id)
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with ``email`` (case-insensitive), or None."""
    return session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower())
    )


def authenticate_user(session: Session, email: str, password: str) -> User | None:
    """The user when ``password`` is theirs, otherwise None (same cost either way)."""
    user = find_user_by_email(session, email)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal
        # which emails have accounts.
        hash_password(password)
        return None
    return user if verify_password(password, user.password_hash) else None


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password`."""
    scheme, n, r, p, salt, expected = stored.split("$")
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(digest.hex(), expected)
