"""``/api/v1/cohorts`` and the cohort page's Pinterest toggle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

CohortFactory = Callable[..., dict[str, Any]]
TAG_ID = "2612345678901"


def test_creating_a_cohort_answers_201_with_a_stable_code(api: TestClient) -> None:
    response = api.post(
        "/api/v1/cohorts",
        json={
            "name": "Travel readers",
            "description": "Three travel articles in 30 days",
            "definition": {
                "event": "Pageview",
                "where": [{"property": "category", "op": "eq", "value": "travel"}],
                "count": {"op": "gte", "value": 3},
                "within": {"days": 30},
            },
        },
    )

    assert response.status_code == 201
    cohort = response.json()
    assert len(cohort["code"]) == 6
    assert cohort["enabled"] is True
    assert cohort["pinterest_enabled"] is False
    assert cohort["routed_tag_ids"] == []
    assert api.get(f"/api/v1/cohorts/{cohort['id']}").json() == cohort


def test_a_definition_error_answers_422_naming_the_path(api: TestClient) -> None:
    response = api.post(
        "/api/v1/cohorts",
        json={
            "name": "a",
            "definition": {
                "all": [{"event": "A"}, {"event": "B", "within": {"weeks": 2}}]
            },
        },
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "definition.all[1].within: 'weeks' is not a window unit; "
        "use minutes, hours or days"
    }


def test_patch_changes_fields_but_never_the_code(
    api: TestClient, make_cohort: CohortFactory
) -> None:
    cohort = make_cohort()

    response = api.patch(
        f"/api/v1/cohorts/{cohort['id']}",
        json={"name": "Renamed", "definition": {"event": "Click"}, "enabled": False},
    )

    assert response.status_code == 200
    patched = response.json()
    assert (patched["code"], patched["name"], patched["enabled"]) == (
        cohort["code"],
        "Renamed",
        False,
    )
    assert patched["definition"] == {"event": "Click"}


def test_list_and_delete(api: TestClient, make_cohort: CohortFactory) -> None:
    first, second = make_cohort("first"), make_cohort("second")

    assert [c["id"] for c in api.get("/api/v1/cohorts").json()] == [
        first["id"],
        second["id"],
    ]
    assert api.delete(f"/api/v1/cohorts/{first['id']}").status_code == 204
    assert [c["id"] for c in api.get("/api/v1/cohorts").json()] == [second["id"]]
    assert api.get(f"/api/v1/cohorts/{first['id']}").status_code == 404


def test_deleting_a_referenced_cohort_answers_409_naming_the_referrers(
    api: TestClient, make_cohort: CohortFactory
) -> None:
    base = make_cohort("Base")
    make_cohort("Fans", {"cohort": base["code"]})

    response = api.delete(f"/api/v1/cohorts/{base['id']}")

    assert response.status_code == 409
    assert "(Fans) refer to it" in response.json()["detail"]


def test_the_toggle_routes_the_cohort_to_the_default_tag_id(
    api: TestClient, make_cohort: CohortFactory, integration: dict[str, Any]
) -> None:
    cohort = make_cohort()
    path = f"/api/v1/cohorts/{cohort['id']}/activations/pinterest"

    on = api.put(path, json={"enabled": True})
    off = api.put(path, json={"enabled": False})

    assert on.status_code == 200
    assert on.json()["pinterest_enabled"] is True
    assert on.json()["routed_tag_ids"] == [TAG_ID]
    assert on.json()["activations"][0]["effective_tag_id"] == TAG_ID
    assert off.json()["pinterest_enabled"] is False
    assert off.json()["routed_tag_ids"] == []


def test_the_toggle_without_an_integration_answers_409(
    api: TestClient, make_cohort: CohortFactory
) -> None:
    cohort = make_cohort()

    response = api.put(
        f"/api/v1/cohorts/{cohort['id']}/activations/pinterest", json={"enabled": True}
    )

    assert response.status_code == 409
    assert "add it first" in response.json()["detail"]


def test_the_toggle_needs_a_boolean(
    api: TestClient, make_cohort: CohortFactory
) -> None:
    cohort = make_cohort()

    response = api.put(
        f"/api/v1/cohorts/{cohort['id']}/activations/pinterest", json={"enabled": "yes"}
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": 'body.enabled: expected true or false, got "yes".'
    }
