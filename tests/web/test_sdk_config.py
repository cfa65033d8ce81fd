"""``GET /sdk/v1/{sdk_key}/config.json``: content, ETag, 304, CORS, freshness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cohortcast.settings import Settings
from cohortcast.store.database import Store
from cohortcast.store.sdk_sightings import last_config_fetch
from cohortcast.store.workspaces import get_default_workspace
from cohortcast.web.app import create_app

CohortFactory = Callable[..., dict[str, Any]]
DEFAULT = "2612345678901"
OTHER = "5550000000001"


@pytest.fixture
def config_path(api: TestClient) -> str:
    sdk_key = api.get("/api/v1/workspace").json()["sdk_key"]
    return f"/sdk/v1/{sdk_key}/config.json"


def test_the_configuration_has_the_documented_shape(
    api: TestClient, client: TestClient, config_path: str
) -> None:
    response = client.get(config_path)
    sdk_key = config_path.split("/")[3]

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "version": response.headers["etag"].strip('"'),
        "cohorts": [],
        "routing": [],
        "pinterest": {
            "pixel_url": "https://ct.pinterest.com/v3/",
            "event": "custom",
            "refresh_seconds": 86400,
        },
        "collect_url": f"http://testserver/collect/v1/{sdk_key}/events",
        "consent_required": False,
    }


def test_enabled_cohorts_and_the_routing_table_are_served(
    api: TestClient,
    client: TestClient,
    config_path: str,
    make_cohort: CohortFactory,
    integration: dict[str, Any],
) -> None:
    on, off = make_cohort("on"), make_cohort("off", enabled=False)
    api.put(f"/api/v1/cohorts/{on['id']}/activations/pinterest", json={"enabled": True})
    api.post(
        "/api/v1/activations",
        json={
            "integration": "pinterest",
            "tag_id": OTHER,
            "cohort_ids": [on["id"], off["id"]],
        },
    )

    config = client.get(config_path).json()

    assert config["cohorts"] == [
        {"code": on["code"], "definition": {"event": "Pageview"}}
    ]
    assert config["routing"] == [
        {"tag_id": DEFAULT, "cohort_codes": [on["code"]]},
        {"tag_id": OTHER, "cohort_codes": [on["code"]]},
    ]


def test_a_matching_if_none_match_answers_304_with_the_etag_and_no_body(
    client: TestClient, config_path: str
) -> None:
    etag = client.get(config_path).headers["etag"]

    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(config_path, headers={"If-None-Match": sent})
        assert response.status_code == 304
        assert response.headers["etag"] == etag
        assert response.content == b""


def test_the_etag_is_strong_quoted_and_stable_while_nothing_changes(
    client: TestClient, config_path: str
) -> None:
    first, second = client.get(config_path), client.get(config_path)

    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["etag"].startswith('"')
    assert first.content == second.content


def test_a_change_through_the_api_is_in_the_very_next_response(
    api: TestClient, client: TestClient, config_path: str, make_cohort: CohortFactory
) -> None:
    before = client.get(config_path)

    cohort = make_cohort()
    after = client.get(config_path, headers={"If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert [c["code"] for c in after.json()["cohorts"]] == [cohort["code"]]


def test_a_change_made_through_another_process_is_in_the_next_response(
    settings: Settings, client: TestClient, config_path: str, auth_header: Any
) -> None:
    etag = client.get(config_path).headers["etag"]
    other_process = create_app(settings)
    try:
        TestClient(other_process, headers=auth_header()).post(
            "/api/v1/integrations", json={"type": "pinterest", "tag_id": DEFAULT}
        )
    finally:
        other_process.state.store.close()

    response = client.get(config_path, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_caching_and_cors_headers(client: TestClient, config_path: str) -> None:
    response = client.get(config_path, headers={"Origin": "https://news.example"})

    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]


def test_a_cors_preflight_is_answered(client: TestClient, config_path: str) -> None:
    response = client.options(
        config_path,
        headers={
            "Origin": "https://news.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-headers"] == "if-none-match"


def test_an_unknown_sdk_key_answers_404(client: TestClient) -> None:
    response = client.get("/sdk/v1/sdk_unknown/config.json")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "SDK key 'sdk_unknown' is not known; copy the snippet again from "
        "the dashboard."
    }
    assert response.headers["access-control-allow-origin"] == "*"


def test_the_public_url_setting_makes_the_collect_url(
    database_url: str, config_path: str
) -> None:
    app = create_app(
        Settings(database_url=database_url, public_url="https://cc.example")
    )
    try:
        config = TestClient(app).get(config_path).json()
    finally:
        app.state.store.close()

    assert config["collect_url"].startswith("https://cc.example/collect/v1/sdk_")


def test_management_routes_get_no_cors_headers(api: TestClient) -> None:
    response = api.get("/api/v1/workspace", headers={"Origin": "https://news.example"})

    assert "access-control-allow-origin" not in response.headers


def test_head_answers_like_get_without_a_body_and_is_not_a_sighting(
    client: TestClient, config_path: str, store: Store
) -> None:
    with store.read() as session:
        workspace_id = get_default_workspace(session).id

    head = client.head(config_path)

    assert (head.status_code, head.content) == (200, b"")
    with store.read() as session:
        assert last_config_fetch(session, workspace_id) is None
    got = client.get(config_path)
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["cache-control"] == got.headers["cache-control"]
    with store.read() as session:
        assert last_config_fetch(session, workspace_id) is not None
    unchanged = client.head(config_path, headers={"If-None-Match": got.headers["etag"]})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert client.head("/sdk/v1/sdk_unknown/config.json").status_code == 404
