"""Errors come out as one readable sentence, and oversized bodies are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cohortcast.settings import Settings
from cohortcast.web.app import create_app


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"definition": {"event": "A"}}, "body.name: this field is required."),
        (
            {"name": "a", "definition": {"event": "A"}, "colour": "red"},
            "body.colour: there is no such field; remove it.",
        ),
        ({"name": ["a"], "definition": {}}, 'body.name: expected a string, got ["a"].'),
        ([1, 2], "body: expected a JSON object, got [1, 2]."),
    ],
)
def test_a_bad_body_is_described_in_one_sentence(
    api: TestClient, body: object, detail: str
) -> None:
    response = api.post("/api/v1/cohorts", json=body)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_a_body_not_sent_as_json_asks_for_the_content_type(api: TestClient) -> None:
    response = api.post(
        "/api/v1/integrations",
        content=b'{"type": "pinterest", "tag_id": "2612345678901"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "body: expected JSON; send it with 'Content-Type: application/json'."
    }


def test_invalid_json_is_described(api: TestClient) -> None:
    response = api.post(
        "/api/v1/cohorts",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("body: not valid JSON (")


def test_further_problems_are_counted_after_the_first(api: TestClient) -> None:
    response = api.post("/api/v1/cohorts", json={})

    assert response.json() == {
        "detail": "body.name: this field is required (and 1 more problem)."
    }


def test_an_unknown_route_answers_404_with_a_sentence(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no GET /api/v1/nothing-here; see /api/v1/docs."
    }


@pytest.fixture
def small_limit_client(database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url, max_body_bytes=100))
    yield TestClient(app)
    app.state.store.close()


def test_a_declared_oversized_body_answers_413_before_auth(
    small_limit_client: TestClient,
) -> None:
    response = small_limit_client.post("/api/v1/cohorts", content=b"x" * 101)

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 100 bytes; send at most 100 bytes."
    }


def test_a_chunked_oversized_body_answers_413(small_limit_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"x" * 30

    response = small_limit_client.post(
        "/api/v1/cohorts",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )

    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert "larger than 100 bytes" in response.json()["detail"]


def test_a_body_within_the_limit_is_accepted(small_limit_client: TestClient) -> None:
    response = small_limit_client.post("/api/v1/cohorts", json={})

    assert response.status_code == 401
