"""Credentials: stored encrypted, never shown again, never logged; and a
connection test that names what is wrong."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from delivery_helpers import AD_ACCOUNT, TAG_ID
from fastapi.testclient import TestClient
from sqlalchemy import text

from cohortcast.pinterest.sandbox import DEFAULT_TOKEN, OTHER_TOKEN
from cohortcast.store.database import Store
from sandbox_server import Sandbox


def _patch(api: TestClient, integration: dict[str, Any], **fields: str) -> Any:
    return api.patch(f"/api/v1/integrations/{integration['id']}", json=fields)


def _test_connection(api: TestClient, integration: dict[str, Any]) -> Any:
    response = api.post(f"/api/v1/integrations/{integration['id']}/test-connection")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_token_is_stored_encrypted_and_never_shown_or_logged(
    api: TestClient,
    store: Store,
    integration: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    saved = _patch(
        api, integration, ad_account_id=AD_ACCOUNT, access_token=DEFAULT_TOKEN
    )
    shown = api.get(f"/api/v1/integrations/{integration['id']}")
    listed = api.get("/api/v1/integrations")
    _test_connection(api, integration)

    assert saved.status_code == 200
    assert shown.json()["has_access_token"] is True
    assert shown.json()["access_token_last4"] == DEFAULT_TOKEN[-4:]
    assert shown.json()["ad_account_id"] == AD_ACCOUNT
    for response in (saved, shown, listed):
        assert DEFAULT_TOKEN not in response.text
    assert DEFAULT_TOKEN not in caplog.text
    assert DEFAULT_TOKEN not in _dump_every_table(store)


def _dump_every_table(store: Store) -> str:
    with store.engine.connect() as connection:
        names = store.engine.dialect.get_table_names(connection)
        rows = [
            repr(row)
            for name in names
            for row in connection.execute(text(f'SELECT * FROM "{name}"'))
        ]
    return "\n".join(rows)


def test_an_empty_token_removes_it(
    api: TestClient, integration: dict[str, Any]
) -> None:
    _patch(api, integration, ad_account_id=AD_ACCOUNT, access_token=DEFAULT_TOKEN)

    cleared = _patch(api, integration, access_token="")

    assert cleared.json()["has_access_token"] is False
    assert cleared.json()["access_token_last4"] is None


def test_an_ad_account_id_with_letters_is_refused_with_the_value_quoted(
    api: TestClient, integration: dict[str, Any]
) -> None:
    response = _patch(api, integration, ad_account_id="5497abc")

    assert response.status_code == 422
    assert "'5497abc'" in response.text


@pytest.mark.parametrize(
    ("ad_account_id", "token", "expected"),
    [
        (AD_ACCOUNT, DEFAULT_TOKEN, "ok"),
        (AD_ACCOUNT, "pina_not_a_real_token", "bad_token"),
        ("549755885199", DEFAULT_TOKEN, "no_permission"),
        ("1234567", DEFAULT_TOKEN, "wrong_ad_account"),
        ("549755885176", DEFAULT_TOKEN, "tag_not_in_ad_account"),
        ("549755885199", OTHER_TOKEN, "tag_not_in_ad_account"),
    ],
)
def test_test_connection_names_each_kind_of_problem(
    api: TestClient,
    integration: dict[str, Any],
    sandbox: Sandbox,
    ad_account_id: str,
    token: str,
    expected: str,
) -> None:
    _patch(api, integration, ad_account_id=ad_account_id, access_token=token)

    answer = _test_connection(api, integration)

    assert answer["result"] == expected
    assert answer["ok"] is (expected == "ok")
    assert token not in answer["detail"]
    if expected == "tag_not_in_ad_account":
        assert TAG_ID in answer["detail"]


def test_test_connection_reports_an_unreachable_api(
    app: Any, api: TestClient, integration: dict[str, Any]
) -> None:
    app.state.settings = app.state.settings.replace(
        pinterest_api_url="http://127.0.0.1:9/v5"
    )
    _patch(api, integration, ad_account_id=AD_ACCOUNT, access_token=DEFAULT_TOKEN)

    answer = _test_connection(api, integration)

    assert answer["result"] == "unreachable"


def test_test_connection_without_credentials_says_what_to_enter(
    api: TestClient, integration: dict[str, Any]
) -> None:
    answer = _test_connection(api, integration)

    assert answer == {
        "ok": False,
        "result": "not_configured",
        "detail": answer["detail"],
    }
    assert "access_token" in answer["detail"]
