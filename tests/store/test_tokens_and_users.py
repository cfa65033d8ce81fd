"""Secrets: API tokens stored as hashes, passwords as salted scrypt."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from cohortcast.store import tokens, users
from cohortcast.store.database import Store
from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.models import ApiToken, User


def test_a_token_finds_its_workspace_and_only_its_hash_is_stored(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        created = tokens.create_token(session, workspace_id, "ci")

    with store.read() as session:
        found = tokens.find_workspace_for_token(session, created.secret)
        stored = list(session.scalars(select(ApiToken.secret_hash)))
        unknown = tokens.find_workspace_for_token(session, created.secret + "x")

    assert found is not None
    assert found.id == workspace_id
    assert created.secret not in stored[0]
    assert unknown is None


def test_a_user_signs_in_with_the_password_and_only_a_salted_hash_is_stored(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        users.create_user(session, workspace_id, "Ada@Example.com", "correct horse")
        users.create_user(session, workspace_id, "bob@example.com", "correct horse")

    with store.read() as session:
        signed_in = users.authenticate_user(session, "ada@example.com", "correct horse")
        refused = users.authenticate_user(session, "ada@example.com", "wrong horse")
        hashes = list(session.scalars(select(User.password_hash)))

    assert signed_in is not None
    assert signed_in.email == "ada@example.com"
    assert refused is None
    assert hashes[0] != hashes[1]
    assert all("correct horse" not in h for h in hashes)


def test_a_second_user_with_the_same_email_is_a_conflict(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        users.create_user(session, workspace_id, "ada@example.com", "correct horse")

    with (
        pytest.raises(ConflictError, match="already exists"),
        store.transaction() as session,
    ):
        users.create_user(session, workspace_id, "ADA@example.com", "another one")


def test_a_short_password_is_rejected(store: Store, workspace_id: str) -> None:
    with (
        pytest.raises(InvalidValueError, match="use at least 8"),
        store.transaction() as session,
    ):
        users.create_user(session, workspace_id, "ada@example.com", "short")


def test_secrets_are_never_logged(
    store: Store, workspace_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cohortcast")

    with store.transaction() as session:
        created = tokens.create_token(session, workspace_id, "ci")
        users.create_user(session, workspace_id, "ada@example.com", "correct horse")

    assert "Created API token" in caplog.text
    assert created.secret not in caplog.text
    assert "correct horse" not in caplog.text
    assert "ada@example.com" not in caplog.text
