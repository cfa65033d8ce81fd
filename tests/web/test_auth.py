"""Every management route needs a token of the object's own workspace."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

MANAGEMENT_ROUTES = [
    ("GET", "/api/v1/workspace"),
    ("GET", "/api/v1/integrations"),
    ("POST", "/api/v1/integrations"),
    ("GET", "/api/v1/cohorts"),
    ("POST", "/api/v1/cohorts"),
    ("GET", "/api/v1/cohorts/coh_x"),
    ("PATCH", "/api/v1/cohorts/coh_x"),
    ("DELETE", "/api/v1/cohorts/coh_x"),
    ("PUT", "/api/v1/cohorts/coh_x/activations/pinterest"),
    ("GET", "/api/v1/activations"),
    ("POST", "/api/v1/activations"),
    ("DELETE", "/api/v1/activations/act_x"),
]


@pytest.mark.parametrize(("method", "path"), MANAGEMENT_ROUTES)
def test_a_request_without_a_token_is_refused_with_401(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, json={})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "cohortcast token create" in response.json()["detail"]


def test_an_unknown_token_is_refused_with_401(client: TestClient) -> None:
    response = client.get(
        "/api/v1/workspace", headers={"Authorization": "Bearer cct_not-a-real-token"}
    )

    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_objects_of_another_workspace_are_forbidden(
    api: TestClient, app: Any, auth_header: Any, integration: dict[str, Any]
) -> None:
    cohort = api.post(
        "/api/v1/cohorts", json={"name": "a", "definition": {"event": "Pageview"}}
    ).json()
    stranger = TestClient(app, headers=auth_header("other"))

    responses = [
        stranger.get(f"/api/v1/cohorts/{cohort['id']}"),
        stranger.patch(f"/api/v1/cohorts/{cohort['id']}", json={"name": "b"}),
        stranger.delete(f"/api/v1/cohorts/{cohort['id']}"),
        stranger.get(f"/api/v1/integrations/{integration['id']}"),
        stranger.delete(f"/api/v1/integrations/{integration['id']}"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert responses[0].json() == {
        "detail": f"Cohort '{cohort['id']}' belongs to another workspace."
    }
    assert api.get(f"/api/v1/cohorts/{cohort['id']}").status_code == 200


def test_each_workspace_sees_only_its_own_lists(
    api: TestClient, app: Any, auth_header: Any, integration: dict[str, Any]
) -> None:
    stranger = TestClient(app, headers=auth_header("other"))

    assert stranger.get("/api/v1/integrations").json() == []
    assert stranger.get("/api/v1/activations").json() == []
    assert (
        stranger.get("/api/v1/workspace").json()["id"]
        != api.get("/api/v1/workspace").json()["id"]
    )
