"""``GET /api/v1/workspace`` and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_workspace_shows_its_sdk_key(api: TestClient) -> None:
    workspace = api.get("/api/v1/workspace").json()

    assert set(workspace) == {"id", "name", "sdk_key"}
    assert workspace["sdk_key"].startswith("sdk_")


def test_the_openapi_document_lists_the_management_api(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()

    assert {
        "/api/v1/workspace",
        "/api/v1/integrations",
        "/api/v1/integrations/{integration_id}",
        "/api/v1/cohorts",
        "/api/v1/cohorts/{cohort_id}",
        "/api/v1/cohorts/{cohort_id}/activations/pinterest",
        "/api/v1/activations",
        "/api/v1/activations/{activation_id}",
    } <= set(document["paths"])
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_the_openapi_document_describes_errors_as_one_sentence(
    client: TestClient,
) -> None:
    document = client.get("/api/v1/openapi.json").json()
    responses = document["paths"]["/api/v1/cohorts"]["post"]["responses"]

    assert responses["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert {"401", "403", "404", "409", "413"} <= set(responses)
