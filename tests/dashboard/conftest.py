"""Dashboard fixtures: a user, a signed-in browser-like client, form tokens.

Sign-in delays are zero here (the throttle has its own tests) and the key
file lives in the test's temporary folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dashboard_pages import EMAIL, PASSWORD, PostForm, csrf_token, sign_in
from fastapi.testclient import TestClient
from httpx import Response

from cohortcast.settings import Settings
from cohortcast.store import users, workspaces
from cohortcast.store.database import Store


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Default settings, a key file of the test's own and no sign-in delay."""
    return Settings(
        database_url=database_url,
        key_file=str(tmp_path / "cohortcast.key"),
        sign_in_delay_seconds=0,
    )


@pytest.fixture
def user(store: Store) -> str:
    """A dashboard user in the default workspace; returns the user's id."""
    with store.transaction() as session:
        workspace = workspaces.ensure_default_workspace(session)
        return users.create_user(session, workspace.id, EMAIL, PASSWORD).id


@pytest.fixture
def dashboard(client: TestClient, user: str) -> TestClient:
    """A client signed in as :data:`EMAIL`."""
    assert sign_in(client).status_code == 303
    return client


@pytest.fixture
def post_form(dashboard: TestClient) -> PostForm:
    """``post_form(page_path, action_path, **fields)``: submit a form with its token."""

    def post(page_path: str, action_path: str, **fields: Any) -> Response:
        token = csrf_token(dashboard.get(page_path))
        return dashboard.post(action_path, data={"csrf_token": token, **fields})

    return post
