"""Management API tokens: shown once, stored as a SHA-256 hash, checked per request."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohortcast.store.errors import InvalidValueError, NotFoundError
from cohortcast.store.ids import new_id
from cohortcast.store.models import ApiToken, Workspace

logger = logging.getLogger(__name__)

# Makes a leaked token easy to recognise in logs and secret scanners.
TOKEN_PREFIX = "cct_"


@dataclass(frozen=True)
class CreatedToken:
    """A new token; ``secret`` exists only here and is never stored."""

    id: str
    name: str
    workspace_id: str
    secret: str


def create_token(session: Session, workspace_id: str, name: str) -> CreatedToken:
    """Create a token for ``workspace_id``; show ``secret`` to the user once."""
    name = name.strip()
    if not name:
        raise InvalidValueError(
            "A token name must not be empty; name it after who uses it.", "name"
        )

    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=new_id("tok"),
        workspace_id=workspace_id,
        name=name,
        secret_hash=_hash(secret),
    )
    session.add(token)
    session.flush()
    logger.info(
        "Created API token %s (%s) for workspace %s", token.id, name, workspace_id
    )
    return CreatedToken(token.id, name, workspace_id, secret)


def list_tokens(session: Session, workspace_id: str) -> list[ApiToken]:
    """The workspace's tokens, oldest first (their secrets are not kept)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.workspace_id == workspace_id)
            .order_by(ApiToken.created_at, ApiToken.id)
        )
    )


def revoke_token(session: Session, workspace_id: str, token_id: str) -> ApiToken:
    """Delete a token of the workspace; requests carrying it fail from now on."""
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.workspace_id == workspace_id, ApiToken.id == token_id.strip()
        )
    )
    if token is None:
        raise NotFoundError(
            f"No token has the id {token_id!r} in this workspace; `cohortcast"
            " token list` shows the ids (they start with 'tok_')."
        )
    session.delete(token)
    session.flush()
    logger.info(
        "Revoked API token %s (%s) of workspace %s", token.id, token.name, workspace_id
    )
    return token


def find_workspace_for_token(session: Session, secret: str) -> Workspace | None:
    """The workspace a token belongs to, or None when the token is unknown."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    return session.scalar(
        select(Workspace)
        .join(ApiToken, ApiToken.workspace_id == Workspace.id)
        .where(ApiToken.secret_hash == _hash(secret))
    )


def _hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast unsalted hash is enough here;
    # passwords, which people choose, get scrypt instead (see users.py).
    return hashlib.sha256(secret.encode()).hexdigest()
