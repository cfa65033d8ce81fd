"""``POST /collect/v1/{sdk_key}/events`` over HTTP, as the SDK calls it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cohortcast.store import workspaces
from cohortcast.store.database import Store


@pytest.fixture
def collect_path(store: Store) -> str:
    with store.read() as session:
        sdk_key = workspaces.get_default_workspace(session).sdk_key
    return f"/collect/v1/{sdk_key}/events"


def batch(*events: dict[str, Any], visitor: str = "v_1") -> dict[str, Any]:
    return {"visitor_id": visitor, "sent_at": now(), "events": list(events)}


def event(event_id: str = "e1", **fields: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"id": event_id, "name": "Pageview", "time": now()}
    found.update(fields)
    return found


def now() -> int:
    return int(time.time() * 1000)


def test_a_text_plain_batch_is_accepted_with_cors(
    client: TestClient, collect_path: str
) -> None:
    response = client.post(
        collect_path,
        content=json.dumps(batch(event())),
        headers={
            "Content-Type": "text/plain;charset=UTF-8",
            "Origin": "https://a.example",
        },
    )

    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_preflight_is_answered(client: TestClient, collect_path: str) -> None:
    response = client.options(
        collect_path,
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert response.status_code == 204


def test_a_resent_batch_counts_its_events_as_duplicates(
    client: TestClient, collect_path: str
) -> None:
    body = batch(event("e1"), event("e2"))
    client.post(collect_path, json=body)

    response = client.post(collect_path, json=body)

    assert response.json() == {"accepted": 0, "duplicates": 2, "rejected": []}


def test_a_partly_bad_batch_answers_200_with_the_bad_events_by_index(
    client: TestClient, collect_path: str
) -> None:
    response = client.post(collect_path, json=batch(event("e1"), event("e2", name="")))

    assert response.status_code == 200
    assert response.json()["rejected"] == [
        {"index": 1, "detail": "events[1]: name must have 1 to 200 characters, got 0"}
    ]


def test_an_unknown_sdk_key_answers_404(client: TestClient) -> None:
    response = client.post("/collect/v1/sdk_nope/events", json=batch(event()))

    assert response.status_code == 404
    assert "'sdk_nope' is not known" in response.json()["detail"]


def test_malformed_json_answers_400_with_a_sentence(
    client: TestClient, collect_path: str
) -> None:
    response = client.post(collect_path, content=b'{"visitor_id": ')

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON")


def test_an_all_bad_batch_answers_422_listing_the_problems(
    client: TestClient, collect_path: str
) -> None:
    response = client.post(collect_path, json=batch(event(time=now() + 3_600_000)))

    assert response.status_code == 422
    assert "more than 10 minutes ahead" in response.json()["detail"]


def test_too_many_events_answers_413_naming_the_limit(
    client: TestClient, collect_path: str
) -> None:
    events = [event(f"e{n}") for n in range(501)]

    response = client.post(collect_path, json=batch(*events))

    assert response.status_code == 413
    assert "at most 500" in response.json()["detail"]


def test_an_oversized_body_answers_413_before_it_is_read(
    client: TestClient, collect_path: str
) -> None:
    response = client.post(collect_path, content=b" " * (1024 * 1024 + 1))

    assert response.status_code == 413
    assert "1048576 bytes" in response.json()["detail"]


def test_a_chunked_body_over_the_limit_answers_413_with_cors(
    client: TestClient, collect_path: str
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(17):
            yield b" " * 65_536

    response = client.post(
        collect_path, content=chunks(), headers={"Origin": "https://a.example"}
    )

    assert response.status_code == 413
    assert "1048576 bytes" in response.json()["detail"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_other_methods_on_the_collect_path_answer_405(
    client: TestClient, collect_path: str
) -> None:
    response = client.get(collect_path)

    assert response.status_code == 405
    assert response.json() == {"detail": f"GET is not allowed on {collect_path}."}


@pytest.mark.parametrize(
    "content",
    [b"null", b"42", b'"text"', b"[" * 50_000 + b"]" * 50_000, b"\x00\xff"],
)
def test_hostile_bodies_answer_400_not_500(
    client: TestClient, collect_path: str, content: bytes
) -> None:
    assert client.post(collect_path, content=content).status_code == 400


def test_huge_strings_and_wrong_types_are_rejected_per_event(
    client: TestClient, collect_path: str
) -> None:
    events = [
        event("e1"),
        event("e2", name="x" * 1_000_000),
        event("e3", properties="not an object"),
        {"id": 3, "name": "Pageview", "time": now()},
    ]

    response = client.post(collect_path, json=batch(*events))

    assert response.status_code == 200
    assert [r["index"] for r in response.json()["rejected"]] == [1, 2, 3]
