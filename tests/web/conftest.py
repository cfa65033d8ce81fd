"""Small builders for API tests: each creates one object through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

DEFAULT_TAG_ID = "2612345678901"

CohortFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def integration(api: TestClient) -> dict[str, Any]:
    """The workspace's Pinterest integration, Tag ID :data:`DEFAULT_TAG_ID`."""
    response = api.post(
        "/api/v1/integrations", json={"type": "pinterest", "tag_id": DEFAULT_TAG_ID}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def make_cohort(api: TestClient) -> CohortFactory:
    """Create a cohort (default definition: any Pageview) and return its JSON."""

    def make(
        name: str = "Travel", definition: object = None, **fields: Any
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "definition": definition or {"event": "Pageview"},
            **fields,
        }
        response = api.post("/api/v1/cohorts", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    return make
