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
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, TypedDict

from cryptography.fernet import Fernet, InvalidToken
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
    """An integration that can deliver: its ad account and decrypted token.

    The token may reach other ad accounts too; :meth:`in_account` is the
    same integration acting on one of those.
    """

    integration_id: str
    workspace_id: str
    tag_id: str
    ad_account_id: str
    access_token: str

    def in_account(self, ad_account_id: str) -> DeliveryTarget:
        """This integration and token, acting on ``ad_account_id``."""
        return replace(self, ad_account_id=ad_account_id)

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
    row.conversion_tag_ids = None
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


def change_credentials(
    session: Session,
    integration: Integration,
    settings: Settings,
    *,
    ad_account_id: str | None,
    access_token: str | None,
) -> None:
    """Set, keep (None) or clear ('') the ad account and the token, and log
    that they changed: what ``PATCH /api/v1/integrations/{id}`` does with its
    credential fields, and what the dashboard's forms end in."""
    if ad_account_id is None and access_token is None:
        return
    save_credentials(
        session,
        integration,
        cipher_for(settings),
        int(time.time() * 1000),
        ad_account_id=ad_account_id,
        access_token=access_token,
    )
    logger.info(
        "Pinterest credentials of integration %s changed (ad account %s, token %s)",
        integration.id,
        "set" if ad_account_id else "unchanged or cleared",
        "set" if access_token else "unchanged or cleared",
    )


class CredentialsFormError(InvalidValueError):
    """The Server-side delivery form has problems; ``problems`` maps each
    field to its sentence (``str(error)`` and ``path`` are the first's)."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message, field)
        self.problems = problems


def save_delivery_form(
    session: Session,
    integration: Integration,
    settings: Settings,
    *,
    ad_account_id: str,
    access_token: str,
) -> bool:
    """Save the dashboard's Server-side delivery form; whether anything changed.

    The ad account is required. A blank token keeps the stored one, and is
    refused when none is stored (or the stored one cannot be read with this
    server's secret). Raises :class:`CredentialsFormError` naming every
    field's problem, before anything is saved. The token is never quoted.
    """
    row = session.get(PinterestCredentials, integration.id)
    account, token = ad_account_id.strip(), access_token.strip()
    problems = _form_problems(account, token, row, cipher_for(settings))
    if problems:
        raise CredentialsFormError(problems)

    if not token and row is not None and row.ad_account_id == account:
        return False
    change_credentials(
        session,
        integration,
        settings,
        ad_account_id=account,
        access_token=token or None,
    )
    return True


def _form_problems(
    account: str, token: str, row: PinterestCredentials | None, cipher: TokenCipher
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not account:
        problems["ad_account_id"] = (
            "Enter the ad account ID: the digits Pinterest shows under Business "
            "Manager > Ad accounts, e.g. 549755885175."
        )
    else:
        try:
            _valid_ad_account_id(account)
        except InvalidValueError as error:
            problems["ad_account_id"] = str(error)
    token_problem = _token_problem(token, row, cipher)
    if token_problem:
        problems["access_token"] = token_problem
    return problems


def _token_problem(
    token: str, row: PinterestCredentials | None, cipher: TokenCipher
) -> str | None:
    if any(character.isspace() for character in token):
        return (
            "The access token contains a space or a line break; paste the token "
            "alone, as Pinterest shows it (it starts with pina_), without "
            "'Bearer'."
        )
    if token:
        return None
    stored = row.token_ciphertext if row is not None else None
    if stored is None:
        return (
            "Enter an access token: none is saved yet. Create one in Pinterest's "
            "developer apps with the ads:read and ads:write scopes."
        )
    if cipher.decrypt(stored) is None:
        return (
            "Enter the access token again: the saved one was encrypted with "
            "another secret key and this server cannot read it."
        )
    return None


def remove_credentials(
    session: Session, integration: Integration, settings: Settings
) -> None:
    """Forget the ad account and the token: server-side delivery stops."""
    change_credentials(
        session, integration, settings, ad_account_id="", access_token=""
    )


TokenState = Literal["none", "set", "unreadable"]


@dataclass(frozen=True)
class DeliverySetup:
    """What the Server-side delivery form shows: never the token itself,
    only whether one is set (and readable) and when the credentials were
    last saved."""

    ad_account_id: str | None
    token: TokenState
    saved_at: int | None
    connection_result: str | None = None
    connection_detail: str | None = None
    connection_checked_at: int | None = None

    @property
    def configured(self) -> bool:
        """Whether delivery has an ad account and a readable token."""
        return self.ad_account_id is not None and self.token == "set"


def delivery_setup(
    session: Session, integration_id: str, settings: Settings
) -> DeliverySetup:
    """The stored credentials of an integration, as the form shows them."""
    row = session.get(PinterestCredentials, integration_id)
    if row is None:
        return DeliverySetup(None, "none", None)
    token: TokenState = "none"
    if row.token_ciphertext is not None:
        readable = cipher_for(settings).decrypt(row.token_ciphertext) is not None
        token = "set" if readable else "unreadable"
    return DeliverySetup(
        row.ad_account_id,
        token,
        row.updated_at or None,
        row.connection_result,
        row.connection_detail,
        row.connection_checked_at,
    )
