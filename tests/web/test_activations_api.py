"""``/api/v1/activations``: extra Tag IDs for chosen cohorts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

CohortFactory = Callable[..., dict[str, Any]]
DEFAULT = "2612345678901"
OTHER = "5550000000001"


def test_creating_an_activation_answers_201(
    api: TestClient, make_cohort: CohortFactory, integration: dict[str, Any]
) -> None:
    cohort = make_cohort()

    response = api.post(
        "/api/v1/activations",
        json={
            "integration": "pinterest",
            "tag_id": OTHER,
            "cohort_ids": [cohort["id"]],
        },
    )

    assert response.status_code == 201
    activation = response.json()
    assert {
        k: activation[k] for k in ("integration", "tag_id", "effective_tag_id")
    } == {
        "integration": "pinterest",
        "tag_id": OTHER,
        "effective_tag_id": OTHER,
    }
    assert activation["cohort_ids"] == [cohort["id"]]
    assert api.get(f"/api/v1/cohorts/{cohort['id']}").json()["routed_tag_ids"] == [
        OTHER
    ]


def test_a_blank_tag_id_means_the_default(
    api: TestClient, make_cohort: CohortFactory, integration: dict[str, Any]
) -> None:
    cohort = make_cohort()

    activation = api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": " ", "cohort_ids": [cohort["id"]]},
    ).json()

    assert activation["tag_id"] is None
    assert activation["effective_tag_id"] == DEFAULT


def test_an_activation_without_an_integration_answers_409(api: TestClient) -> None:
    response = api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": OTHER, "cohort_ids": []},
    )

    assert response.status_code == 409
    assert "no Pinterest integration; add it first" in response.json()["detail"]


def test_unknown_cohort_ids_answer_422_quoting_them(
    api: TestClient, integration: dict[str, Any]
) -> None:
    response = api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": OTHER, "cohort_ids": ["coh_nope"]},
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "cohort_ids: 'coh_nope' is not a cohort"
    )


def test_a_bad_tag_id_answers_422(api: TestClient, integration: dict[str, Any]) -> None:
    response = api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": "12ab", "cohort_ids": []},
    )

    assert response.status_code == 422
    assert "Ads > Conversions" in response.json()["detail"]


def test_list_patch_and_delete(
    api: TestClient, make_cohort: CohortFactory, integration: dict[str, Any]
) -> None:
    cohort = make_cohort()
    created = api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": OTHER, "cohort_ids": []},
    ).json()
    path = f"/api/v1/activations/{created['id']}"

    listed = api.get("/api/v1/activations").json()
    patched = api.patch(path, json={"tag_id": None, "cohort_ids": [cohort["id"]]})
    deleted = api.delete(path)

    assert [a["is_default"] for a in listed] == [True, False]
    assert patched.status_code == 200
    assert (patched.json()["tag_id"], patched.json()["effective_tag_id"]) == (
        None,
        DEFAULT,
    )
    assert patched.json()["cohort_ids"] == [cohort["id"]]
    assert deleted.status_code == 204
    assert api.get(path).status_code == 404


def test_the_default_activation_cannot_be_deleted(
    api: TestClient, integration: dict[str, Any]
) -> None:
    default = api.get("/api/v1/activations").json()[0]

    response = api.delete(f"/api/v1/activations/{default['id']}")

    assert response.status_code == 409
    assert "turn Pinterest off" in response.json()["detail"]
