"""``GET /api/v1/diagnostics``: the checks as JSON, fed by real SDK traffic."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from cohortcast.store.database import Store
from cohortcast.store.sdk_sightings import last_config_fetch
from cohortcast.store.workspaces import get_default_workspace
from cohortcast.web.sdk_sightings import WRITE_EVERY_MS, ConfigFetchRecorder

# The Tag ID of the ``integration`` fixture (tests/web/conftest.py).
DEFAULT_TAG_ID = "2612345678901"


def checks_by_id(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in answer["checks"]}


def test_diagnostics_need_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/diagnostics").status_code == 401


def test_a_new_workspace_fails_for_want_of_an_integration(api: TestClient) -> None:
    response = api.get("/api/v1/diagnostics")

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "failing"
    assert answer["checked_at"].endswith("Z")
    saved = checks_by_id(answer)["integration.saved"]
    assert saved["group"] == "integration"
    assert saved["status"] == "failing"
    assert "Add Integration > Pinterest" in saved["fix"]


def test_the_sdk_fetching_its_configuration_and_firing_a_pixel_shows_as_ok(
    api: TestClient,
    integration: dict[str, Any],
    make_cohort: Callable[..., dict[str, Any]],
) -> None:
    cohort = make_cohort()
    toggle = f"/api/v1/cohorts/{cohort['id']}/activations/pinterest"
    assert api.put(toggle, json={"enabled": True}).status_code == 200
    sdk_key = api.get("/api/v1/workspace").json()["sdk_key"]
    now = int(time.time() * 1000)

    assert api.get(f"/sdk/v1/{sdk_key}/config.json").status_code == 200
    batch = {
        "visitor_id": "v_1",
        "events": [{"id": "e_1", "name": "Pageview", "time": now - 1000}],
        "receipts": [
            {
                "tag_id": DEFAULT_TAG_ID,
                "cohort_code": cohort["code"],
                "event_id": f"cc.{cohort['code']}.v_1.{now}",
                "time": now - 500,
            }
        ],
        "signals": {"pinterest_cookie": True, "consent": True},
    }
    assert api.post(f"/collect/v1/{sdk_key}/events", json=batch).status_code == 200

    checks = checks_by_id(api.get("/api/v1/diagnostics").json())
    for check_id in (
        "integration.sdk_seen",
        "integration.events_collected",
        f"integration.first_pixel.{DEFAULT_TAG_ID}",
        f"cohorts.pixels.{cohort['code']}",
        f"audience_size.identifiable.{cohort['code']}",
    ):
        assert checks[check_id]["status"] == "ok", checks[check_id]
    assert checks[f"cohorts.members.{cohort['code']}"]["status"] == "warning"


def test_config_fetches_are_written_at_most_once_a_minute(store: Store) -> None:
    with store.read() as session:
        workspace_id = get_default_workspace(session).id
    recorder = ConfigFetchRecorder(store)

    decisions = [recorder.due(workspace_id, at) for at in (0, 1_000, WRITE_EVERY_MS)]
    recorder.write(workspace_id, 5_000)
    recorder.write(workspace_id, 4_000)

    assert decisions == [True, False, True]
    with store.read() as session:
        assert last_config_fetch(session, workspace_id) == 5_000
