"""Signing in and out: cookies, the wrong-password message, CSRF, sessions."""

from __future__ import annotations

import pytest
from dashboard_pages import EMAIL, csrf_token, errors_on, flash_on, sign_in
from fastapi.testclient import TestClient

from cohortcast.store import users
from cohortcast.store.database import Store
from cohortcast.store.models import User
from cohortcast.web.dashboard.throttle import SignInThrottle


def test_the_front_door_sends_a_stranger_to_the_sign_in_page(
    client: TestClient,
) -> None:
    response = client.get("/", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_signing_in_sets_an_http_only_same_site_session_cookie(
    client: TestClient, user: str
) -> None:
    response = sign_in(client)

    assert response.status_code == 303
    assert response.headers["location"] == "/cohorts"
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("cohortcast_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert client.get("/cohorts").status_code == 200


def test_the_cookie_is_secure_over_https(app: object, user: str) -> None:
    secure_client = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]

    response = sign_in(secure_client)

    cookies = ",".join(response.headers.get_list("set-cookie"))
    assert "Secure" in cookies


def test_a_wrong_password_gets_a_plain_message_and_keeps_the_email(
    client: TestClient, user: str
) -> None:
    response = sign_in(client, password="not the password")

    assert response.status_code == 401
    assert errors_on(response) == ["Email or password is incorrect."]
    assert f'value="{EMAIL}"' in response.text
    assert client.get("/cohorts", follow_redirects=False).status_code == 303


def test_an_unknown_email_gets_the_same_message(client: TestClient, user: str) -> None:
    response = sign_in(client, email="nobody@example.com")

    assert errors_on(response) == ["Email or password is incorrect."]


def test_signing_in_without_the_forms_token_is_refused(
    client: TestClient, user: str
) -> None:
    client.get("/sign-in")

    response = client.post("/sign-in", data={"email": EMAIL, "password": "x" * 20})

    assert response.status_code == 403
    assert "nothing was changed" in response.text


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(
    client: TestClient, user: str
) -> None:
    asked = client.get("/snippet", follow_redirects=False)
    assert asked.headers["location"] == "/sign-in?next=%2Fsnippet"

    page = client.get("/sign-in?next=//evil.example/")
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token(page),
            "email": EMAIL,
            "password": "correct horse battery",
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == "/cohorts"


def test_signing_out_ends_the_session(dashboard: TestClient) -> None:
    token = csrf_token(dashboard.get("/cohorts"))

    response = dashboard.post("/sign-out", data={"csrf_token": token})

    assert flash_on(response) == "You are signed out."
    assert dashboard.get("/cohorts", follow_redirects=False).status_code == 303


def test_signing_out_without_the_token_is_refused(dashboard: TestClient) -> None:
    response = dashboard.post("/sign-out", data={})

    assert response.status_code == 403
    assert dashboard.get("/cohorts").status_code == 200


def test_a_password_change_ends_existing_sessions(
    dashboard: TestClient, store: Store, user: str
) -> None:
    with store.transaction() as session:
        found = session.get(User, user)
        assert found is not None
        found.password_hash = users.hash_password("a brand new password")

    assert dashboard.get("/cohorts", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_is_not_a_session(dashboard: TestClient) -> None:
    value = dashboard.cookies["cohortcast_session"]
    user_id, issued_at, nonce, fingerprint, signature = value.split(".")
    dashboard.cookies.clear()
    dashboard.cookies.set(
        "cohortcast_session",
        f"{user_id}.{int(issued_at) + 9}.{nonce}.{fingerprint}.{signature}",
    )

    assert dashboard.get("/cohorts", follow_redirects=False).status_code == 303


def test_the_retry_delay_doubles_and_stops_growing() -> None:
    throttle = SignInThrottle(base_seconds=1.0)
    delays = []
    for _ in range(6):
        delays.append(throttle.delay("Ana@example.com", "10.0.0.1"))
        throttle.failed("ana@example.com", "10.0.0.1")

    assert delays == [0.0, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert throttle.delay("ana@example.com", "10.0.0.2") == 0.0
    throttle.succeeded("ana@example.com", "10.0.0.1")
    assert throttle.delay("ana@example.com", "10.0.0.1") == 0.0


@pytest.mark.parametrize("base", [0.05])
def test_a_second_wrong_password_waits_before_answering(
    client: TestClient, user: str, base: float
) -> None:
    import time

    client.app.state.sign_in_throttle = SignInThrottle(base)  # type: ignore[attr-defined]
    sign_in(client, password="wrong once")

    started = time.monotonic()
    sign_in(client, password="wrong twice")

    assert time.monotonic() - started >= base
