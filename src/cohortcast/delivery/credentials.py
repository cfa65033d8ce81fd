"""The ad account and access token of a Pinterest integration.

The token is encrypted with Fernet (AES-128-CBC with an HMAC) under a key
derived from the server's secret for the purpose ``pinterest-token``, so a
copy of the database alone reveals nothing. Only its last four characters
are kept in clear, to show which token is configured.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from cohortcast.secrets import key_for, load_secret_key
from cohortcast.settings import Settings
from cohortcast.store.delivery_models import PinterestCredentials
from cohortcast.store.errors import InvalidValueError
from cohortcast.store.models import Integration

logger = logging.getLogger(__name__)

PURPOSE = "pinterest-token"

_AD_ACCOUNT_ID = re.compile(r"[0-9]{1,20}")


class TokenCipher:
    """Encrypts and decrypts access tokens with the server's derived key."""

    def __init__(self, secret: bytes) -> None:
        key = base64.urlsafe_b64encode(key_for(secret, PURPOSE))
        self._fernet = Fernet(key)

    def __repr__(self) -> str:
        return "TokenCipher()"

    def encrypt(self, token: str) -> str:
        """The ciphertext of ``token``, as text for a database column."""
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str) -> str | None:
        """The token, or None when the ciphertext was made with another secret."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            return None


@lru_cache(maxsize=8)
def cipher_for(settings: Settings) -> TokenCipher:
    """The cipher of the server's secret (read once per settings)."""
    return TokenCipher(load_secret_key(settings))


@dataclass(frozen=True)
class DeliveryTarget:
    """An integration that can deliver: its ad account and decrypted token."""

    integration_id: str
    workspace_id: str
    tag_id: str
    ad_account_id: str
    access_token: str

    def __repr__(self) -> str:
        # Never show the token.
        return (
            f"DeliveryTarget(integration_id={self.integration_id!r}, "
            f"ad_account_id={self.ad_account_id!r})"
        )


def find_credentials(session: Session, integration_id: str) -> PinterestCredentials:
    """The credentials row of an integration, created empty when missing."""
    row = session.get(PinterestCredentials, integration_id)
    if row is None:
        row = PinterestCredentials(
            integration_id=integration_id, audiences_next_sync_at=0, updated_at=0
        )
        row.audiences_sync_attempts = 0
        session.add(row)
    return row


def save_credentials(
    session: Session,
    integration: Integration,
    cipher: TokenCipher,
    now: int,
    *,
    ad_account_id: str | None = None,
    access_token: str | None = None,
) -> PinterestCredentials:
    """Set the ad account and/or the token; an empty string clears one.

    Raises :class:`InvalidValueError` for an ad account id that is not digits.
    A change makes the next worker pass sync audiences again.
    """
    row = find_credentials(session, integration.id)
    if ad_account_id is not None:
        row.ad_account_id = _valid_ad_account_id(ad_account_id)
    if access_token is not None:
        token = access_token.strip()
        row.token_ciphertext = cipher.encrypt(token) if token else None
        row.token_last4 = token[-4:] if token else None
    row.connection_result = None
    row.connection_detail = None
    row.audiences_synced_version = None
    row.audiences_next_sync_at = 0
    row.audiences_sync_attempts = 0
    row.updated_at = now
    return row


def delivery_targets(
    session: Session, cipher: TokenCipher, workspace_id: str | None = None
) -> list[DeliveryTarget]:
    """Integrations with both an ad account and a readable token.

    A token encrypted under another secret (the key changed) is left out:
    the integration cannot deliver until the token is entered again.
    """
    query = select(Integration, PinterestCredentials).join(
        PinterestCredentials,
        PinterestCredentials.integration_id == Integration.id,
    )
    query = query.where(
        PinterestCredentials.ad_account_id.is_not(None),
        PinterestCredentials.token_ciphertext.is_not(None),
    )
    if workspace_id is not None:
        query = query.where(Integration.workspace_id == workspace_id)

    targets: list[DeliveryTarget] = []
    for integration, credentials in session.execute(query):
        assert credentials.token_ciphertext is not None
        assert credentials.ad_account_id is not None
        token = cipher.decrypt(credentials.token_ciphertext)
        if token is None:
            continue
        targets.append(
            DeliveryTarget(
                integration.id,
                integration.workspace_id,
                integration.tag_id,
                credentials.ad_account_id,
                token,
            )
        )
    return targets


def _valid_ad_account_id(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if _AD_ACCOUNT_ID.fullmatch(value) is None:
        raise InvalidValueError(
            f"Ad account ID {value!r} must contain only digits (find it in "
            "Pinterest under Business Manager > Ad accounts)."
        )
    return value


class CredentialsView(TypedDict):
    """The credentials as the API shows them; never the token itself."""

    ad_account_id: str | None
    has_access_token: bool
    access_token_last4: str | None


def credentials_fields(integration: Integration) -> CredentialsView:
    """The integration's ad account, whether a token is set and its last four
    characters (read in the integration's own session)."""
    session = object_session(integration)
    row = session.get(PinterestCredentials, integration.id) if session else None
    if row is None:
        return CredentialsView(
            ad_account_id=None, has_access_token=False, access_token_last4=None
        )
    return CredentialsView(
        ad_account_id=row.ad_account_id,
        has_access_token=row.token_ciphertext is not None,
        access_token_last4=row.token_last4,
    )


def update_from_api(
    session: Session,
    integration: Integration,
    settings: Settings,
    *,
    ad_account_id: str | None,
    access_token: SecretStr | None,
) -> None:
    """Apply a PATCH's credential fields, if it has any."""
    if ad_account_id is None and access_token is None:
        return
    save_credentials(
        session,
        integration,
        cipher_for(settings),
        int(time.time() * 1000),
        ad_account_id=ad_account_id,
        access_token=(
            access_token.get_secret_value() if access_token is not None else None
        ),
    )
    logger.info(
        "Pinterest credentials of integration %s changed (ad account %s, token %s)",
        integration.id,
        "set" if ad_account_id else "unchanged or cleared",
        "set" if access_token else "unchanged or cleared",
    )
