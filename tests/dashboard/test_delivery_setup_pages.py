"""The integration page's Server-side delivery section: the ad account and
a write-only token, turning delivery off, and Test connection against the
Pinterest sandbox."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_pages import TAG_ID, PostForm, errors_on, flash_on
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from cohortcast.delivery.credentials import TokenCipher, cipher_for, save_credentials
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN, OTHER_TOKEN
from cohortcast.settings import Settings
from cohortcast.store import integrations, workspaces
from cohortcast.store.database import Store
from cohortcast.store.delivery_models import DeliveryLogEntry, PinterestCredentials
from cohortcast.store.models import Integration
from sandbox_server import Sandbox, running_sandbox

AD_ACCOUNT = "549755885175"
NEW_TOKEN = "pina_fake_token_for_tests_0001"


@pytest.fixture(scope="module")
def _sandbox_thread() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def sandbox(_sandbox_thread: Sandbox) -> Sandbox:
    _sandbox_thread.state.reset()
    return _sandbox_thread


@pytest.fixture
def settings(database_url: str, tmp_path: Path, sandbox: Sandbox) -> Settings:
    """The dashboard's test settings, with the Ads API at the sandbox."""
    return Settings(
        database_url=database_url,
        key_file=str(tmp_path / "cohortcast.key"),
        sign_in_delay_seconds=0,
        pinterest_api_url=sandbox.api_url,
    )


@pytest.fixture
def integration_id(store: Store, user: str) -> str:
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        return integrations.add_pinterest_integration(session, workspace.id, TAG_ID).id


def page_of(integration_id: str) -> str:
    return f"/settings/integrations/{integration_id}"


def save(
    post_form: PostForm, integration_id: str, ad_account_id: str, token: str
) -> Response:
    page = page_of(integration_id)
    return post_form(
        page,
        page + "/delivery",
        ad_account_id=ad_account_id,
        access_token=token,
    )


def stored(
    store: Store, settings: Settings, integration_id: str
) -> tuple[str | None, str | None]:
    """The stored ad account and the decrypted token."""
    with store.read() as session:
        row = session.get(PinterestCredentials, integration_id)
        if row is None:
            return None, None
        token = row.token_ciphertext
        decrypted = cipher_for(settings).decrypt(token) if token else None
        return row.ad_account_id, decrypted


def text_of(page_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


def errors_of(page: Response) -> list[str]:
    return [html.unescape(error) for error in errors_on(page)]


def steps_on(page_html: str) -> list[str]:
    items = re.findall(r'<li class="step (\w+)">(.*?)</li>', page_html, re.S)
    return [f"{state}: {text_of(body)}" for state, body in items]


def test_signed_out_visitors_cannot_see_or_change_delivery(
    client: TestClient, store: Store, settings: Settings, integration_id: str
) -> None:
    page = client.get(page_of(integration_id), follow_redirects=False)
    posted = client.post(
        page_of(integration_id) + "/delivery",
        data={"ad_account_id": AD_ACCOUNT, "access_token": NEW_TOKEN},
        follow_redirects=False,
    )

    assert page.status_code == 303
    assert posted.status_code == 303
    assert posted.headers["location"] == "/sign-in"
    assert stored(store, settings, integration_id) == (None, None)


@pytest.mark.parametrize("action", ["/delivery", "/delivery/remove", "/delivery/test"])
def test_a_form_without_its_csrf_token_changes_nothing(
    dashboard: TestClient,
    store: Store,
    settings: Settings,
    integration_id: str,
    post_form: PostForm,
    action: str,
) -> None:
    save(post_form, integration_id, AD_ACCOUNT, DEFAULT_TOKEN)

    response = dashboard.post(
        page_of(integration_id) + action,
        data={"ad_account_id": "1", "access_token": NEW_TOKEN},
    )

    assert response.status_code == 403
    assert "nothing was changed" in response.text
    assert stored(store, settings, integration_id) == (AD_ACCOUNT, DEFAULT_TOKEN)
    with store.read() as session:
        assert session.query(DeliveryLogEntry).count() == 0


def test_saving_keeps_the_token_encrypted_and_never_shows_it(
    dashboard: TestClient,
    store: Store,
    settings: Settings,
    integration_id: str,
    post_form: PostForm,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    response = save(post_form, integration_id, f" {AD_ACCOUNT} ", NEW_TOKEN)
    page = dashboard.get(page_of(integration_id))

    assert response.status_code == 200
    assert flash_on(page) is None  # shown once, on the page redirected to
    assert "Server-side delivery saved for ad account 549755885175" in text_of(
        response.text
    )
    assert stored(store, settings, integration_id) == (AD_ACCOUNT, NEW_TOKEN)
    shown = text_of(page.text)
    assert "Status On for ad account 549755885175" in shown
    assert "Access token Set (never shown)" in shown
    assert "Last saved 20" in shown
    assert 'name="access_token" value=""' in page.text
    for seen in (response.text, page.text, caplog.text):
        assert NEW_TOKEN not in seen
        assert NEW_TOKEN[-4:] not in seen


def test_a_blank_token_keeps_the_saved_one(
    dashboard: TestClient,
    store: Store,
    settings: Settings,
    integration_id: str,
    post_form: PostForm,
) -> None:
    save(post_form, integration_id, AD_ACCOUNT, NEW_TOKEN)

    response = save(post_form, integration_id, "549755885176", "")

    assert "saved for ad account 549755885176" in text_of(response.text)
    assert stored(store, settings, integration_id) == ("549755885176", NEW_TOKEN)


def test_saving_the_same_ad_account_without_a_token_changes_nothing(
    dashboard: TestClient,
    store: Store,
    settings: Settings,
    integration_id: str,
    post_form: PostForm,
) -> None:
    save(post_form, integration_id, AD_ACCOUNT, DEFAULT_TOKEN)
    post_form(page_of(integration_id), page_of(integration_id) + "/delivery/test")

    response = save(post_form, integration_id, AD_ACCOUNT, "")

    assert "Nothing changed" in text_of(response.text)
    assert "✓ Passed" in response.text


def test_a_blank_token_with_none_saved_is_refused(
    dashboard: TestClient,
    store: Store,
    settings: Settings,
    integration_id: str,
    post_form: PostForm,
) -> None:
    response = save(post_form, integration_id, AD_ACCOUNT, "  ")

    assert response.status_code == 422
    assert errors_of(response) == [
        "Enter an access token: none is saved yet. Create one in Pinterest's "
        "developer apps with the ads:read and ads:write scopes."
    ]
    assert 'value="549755885175"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert stored(store, settings, integration_id) == (None, None)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5497abc", "Ad account ID '5497abc' must contain only digits"),
        ("", "Enter the ad account ID: the digits Pinterest shows"),
    ],
)
def test_a_bad_ad_account_id_is_quoted_and_nothing_saved_is_lost(
    dashboard: TestClient,
    store: Store,
    settings: Settings,
    integration_id: str,
    post_form: PostForm,
    typed: str,
    expected: str,
) -> None:
    save(post_form, integration_id, AD_ACCOUNT, DEFAULT_TOKEN)

    response = save(post_form, integration_id, typed, NEW_TOKEN)

    assert response.status_code == 422
    errors = errors_of(response)
    assert errors[0].startswith(expected)
    assert "paste it again" in errors[1]
    assert NEW_TOKEN not in response.text
    assert stored(store, settings, integration_id) == (AD_ACCOUNT, DEFAULT_TOKEN)


def test_a_token_with_a_space_is_refused_without_quoting_it(
    dashboard: TestClient, integration_id: str, post_form: PostForm
) -> None:
    response = save(post_form, integration_id, AD_ACCOUNT, f"Bearer {NEW_TOKEN}")

    assert response.status_code == 422
    assert "contains a space or a line break" in errors_of(response)[0]
    assert NEW_TOKEN not in response.text


def test_turning_delivery_off_asks_first_then_forgets_the_credentials(
    dashboard: TestClient,
    store: Store,
    settings: Settings,
    integration_id: str,
    post_form: PostForm,
) -> None:
    save(post_form, integration_id, AD_ACCOUNT, NEW_TOKEN)
    page = dashboard.get(page_of(integration_id))
    assert f'href="{page_of(integration_id)}/delivery/remove"' in page.text

    confirm = dashboard.get(page_of(integration_id) + "/delivery/remove")
    assert "Turn off server-side delivery?" in confirm.text
    assert AD_ACCOUNT in confirm.text
    assert stored(store, settings, integration_id) == (AD_ACCOUNT, NEW_TOKEN)

    done = post_form(
        page_of(integration_id) + "/delivery/remove",
        page_of(integration_id) + "/delivery/remove",
    )

    assert "Server-side delivery is off" in text_of(done.text)
    assert "Status Off" in text_of(done.text)
    assert "Turn off server-side delivery…" not in done.text
    assert stored(store, settings, integration_id) == (None, None)


@pytest.mark.parametrize(
    ("ad_account_id", "token", "states", "advice"),
    [
        (AD_ACCOUNT, DEFAULT_TOKEN, ["passed", "passed", "passed"], "Connected as"),
        (
            AD_ACCOUNT,
            NEW_TOKEN,
            ["failed", "not_checked", "not_checked"],
            "create a new token in Pinterest's developer apps",
        ),
        (
            "549755885199",
            DEFAULT_TOKEN,
            ["passed", "failed", "not_checked"],
            "ask the account's owner for access",
        ),
        (
            "1234567",
            DEFAULT_TOKEN,
            ["passed", "failed", "not_checked"],
            "copy the id from Pinterest Business Manager > Ad accounts",
        ),
        (
            "549755885199",
            OTHER_TOKEN,
            ["passed", "passed", "failed"],
            f"Tag ID '{TAG_ID}' is not a conversion tag",
        ),
    ],
)
def test_test_connection_shows_each_step_and_what_to_do(
    dashboard: TestClient,
    store: Store,
    integration_id: str,
    post_form: PostForm,
    ad_account_id: str,
    token: str,
    states: list[str],
    advice: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    save(post_form, integration_id, ad_account_id, token)

    response = post_form(
        page_of(integration_id), page_of(integration_id) + "/delivery/test"
    )

    assert response.status_code == 200
    assert str(response.url).endswith(page_of(integration_id) + "#connection-test")
    steps = steps_on(response.text)
    assert [step.split(":")[0] for step in steps] == states
    assert advice in text_of(response.text)
    assert ("Test connection passed" in text_of(response.text)) is (
        states[-1] == "passed"
    )
    assert token not in response.text
    assert token not in caplog.text
    with store.read() as session:
        logged = session.query(DeliveryLogEntry).filter_by(kind="connection_test")
        assert logged.count() == len([s for s in states if s != "not_checked"])


def test_test_connection_gives_the_same_answer_as_the_api(
    dashboard: TestClient,
    api: TestClient,
    store: Store,
    integration_id: str,
    post_form: PostForm,
) -> None:
    save(post_form, integration_id, "549755885176", DEFAULT_TOKEN)
    post_form(page_of(integration_id), page_of(integration_id) + "/delivery/test")
    with store.read() as session:
        row = session.get(PinterestCredentials, integration_id)
        assert row is not None
        from_dashboard = (row.connection_result, row.connection_detail)

    answer = api.post(f"/api/v1/integrations/{integration_id}/test-connection")

    assert (answer.json()["result"], answer.json()["detail"]) == from_dashboard


def test_an_unreachable_pinterest_marks_the_step_it_stopped_at(
    app: FastAPI,
    dashboard: TestClient,
    integration_id: str,
    post_form: PostForm,
    settings: Settings,
) -> None:
    save(post_form, integration_id, AD_ACCOUNT, DEFAULT_TOKEN)
    app.state.settings = settings.replace(pinterest_api_url="http://127.0.0.1:9/v5")

    response = post_form(
        page_of(integration_id), page_of(integration_id) + "/delivery/test"
    )

    steps = steps_on(response.text)
    assert [step.split(":")[0] for step in steps] == [
        "failed",
        "not_checked",
        "not_checked",
    ]
    assert "try again later" in steps[0]


def test_without_credentials_there_is_nothing_to_test_yet(
    dashboard: TestClient, integration_id: str
) -> None:
    page = text_of(dashboard.get(page_of(integration_id)).text)

    assert "Status Off" in page
    assert "Access token Not set" in page
    assert "Save an ad account ID and an access token, then test them here." in page
    assert "Test connection" not in re.sub(r"<h3[^>]*>Connection test</h3>", "", page)


def test_the_delivery_pages_point_to_the_form_when_delivery_is_off(
    dashboard: TestClient, integration_id: str
) -> None:
    link = f'href="{page_of(integration_id)}#server-side-delivery"'

    audiences = dashboard.get("/delivery").text
    deliveries = dashboard.get("/delivery/log").text

    assert link in audiences
    assert link in deliveries
    assert "PATCH /api/v1" not in audiences
    assert "PATCH /api/v1" not in deliveries


def test_a_token_saved_under_another_secret_must_be_entered_again(
    dashboard: TestClient,
    store: Store,
    integration_id: str,
    post_form: PostForm,
) -> None:
    with store.transaction() as session:
        integration = session.get(Integration, integration_id)
        assert integration is not None
        other = TokenCipher(b"another-secret-key-0123456789abcdef")
        save_credentials(
            session,
            integration,
            other,
            1,
            ad_account_id=AD_ACCOUNT,
            access_token=NEW_TOKEN,
        )

    page = text_of(dashboard.get(page_of(integration_id)).text)
    response = save(post_form, integration_id, AD_ACCOUNT, "")

    assert "Access token Unreadable It was saved with another secret key" in page
    assert "Save an ad account ID and an access token, then test them here." in page
    assert response.status_code == 422
    assert errors_of(response) == [
        "Enter the access token again: the saved one was encrypted with another "
        "secret key and this server cannot read it."
    ]


@pytest.mark.parametrize(
    "action", ["", "/delivery/remove", "/delivery", "/delivery/test"]
)
def test_another_workspaces_integration_is_not_found(
    dashboard: TestClient,
    store: Store,
    post_form: PostForm,
    action: str,
) -> None:
    with store.transaction() as session:
        stranger = workspaces.create_workspace(session, "other", "Other")
        foreign = integrations.add_pinterest_integration(session, stranger.id, TAG_ID)

    path = page_of(foreign.id) + action
    if action in ("", "/delivery/remove"):
        response = dashboard.get(path)
    else:
        response = post_form("/settings/integrations", path, ad_account_id=AD_ACCOUNT)

    assert response.status_code == 404
    with store.read() as session:
        assert session.get(PinterestCredentials, foreign.id) is None
