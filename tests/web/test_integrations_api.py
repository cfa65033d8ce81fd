"""``/api/v1/integrations``: the Pinterest integration over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

TAG_ID = "2612345678901"


def test_adding_pinterest_answers_201_with_the_integration(api: TestClient) -> None:
    response = api.post(
        "/api/v1/integrations",
        json={"type": "pinterest", "tag_id": f" {TAG_ID} ", "name": "Main account"},
    )

    assert response.status_code == 201
    body = response.json()
    # The design's fields; server-side delivery adds its own beside them.
    assert {"id", "type", "name", "tag_id", "status", "created_at"} <= set(body)
    assert (body["type"], body["name"], body["tag_id"], body["status"]) == (
        "pinterest",
        "Main account",
        TAG_ID,
        "live",
    )


def test_a_second_pinterest_integration_answers_409(
    api: TestClient, integration: dict[str, Any]
) -> None:
    response = api.post(
        "/api/v1/integrations", json={"type": "pinterest", "tag_id": TAG_ID}
    )

    assert response.status_code == 409
    assert integration["id"] in response.json()["detail"]


@pytest.mark.parametrize(
    ("tag_id", "detail"),
    [
        (
            "26123abc",
            "Tag ID '26123abc' must contain only digits "
            "(find it under Ads > Conversions in Pinterest).",
        ),
        (123, "body.tag_id: expected a string, got 123."),
    ],
)
def test_a_bad_tag_id_answers_422_with_a_sentence(
    api: TestClient, tag_id: object, detail: str
) -> None:
    response = api.post(
        "/api/v1/integrations", json={"type": "pinterest", "tag_id": tag_id}
    )

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_an_unsupported_type_answers_422(api: TestClient) -> None:
    response = api.post(
        "/api/v1/integrations", json={"type": "facebook", "tag_id": TAG_ID}
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "body.type: expected 'pinterest', got \"facebook\"."
    }


def test_get_list_patch_and_delete(
    api: TestClient, integration: dict[str, Any]
) -> None:
    path = f"/api/v1/integrations/{integration['id']}"

    assert api.get(path).json() == integration
    assert api.get("/api/v1/integrations").json() == [integration]
    patched = api.patch(path, json={"tag_id": "5550000000001"})
    assert patched.status_code == 200
    assert patched.json()["tag_id"] == "5550000000001"
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    assert api.get("/api/v1/integrations").json() == []


def test_an_unknown_integration_answers_404(api: TestClient) -> None:
    response = api.patch("/api/v1/integrations/int_nope", json={"name": "x"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Integration 'int_nope' does not exist."}


def test_deleting_the_integration_deletes_its_activations(
    api: TestClient, integration: dict[str, Any]
) -> None:
    api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": "5550000000001", "cohort_ids": []},
    )

    api.delete(f"/api/v1/integrations/{integration['id']}")

    assert api.get("/api/v1/activations").json() == []
