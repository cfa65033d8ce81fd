"""``POST /api/v1/events`` (server-side events), sizes and previews."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from cohortcast.pinterest.identifiers import hash_email, hash_maid
from cohortcast.store.collection_models import Profile
from cohortcast.store.database import Store

EMAIL = "Ada.Lovelace@Example.COM"
MAID = "6D92078A-8246-4BA4-AE5B-76104861E7DC"


def now() -> int:
    return int(time.time() * 1000)


def post_events(api: TestClient, *events: dict[str, Any]) -> Any:
    return api.post("/api/v1/events", json={"events": list(events)})


def test_server_events_need_a_token(client: TestClient) -> None:
    response = client.post("/api/v1/events", json={"events": []})
    assert response.status_code == 401


def test_events_with_identities_are_accepted(api: TestClient) -> None:
    response = post_events(
        api,
        {"id": "o1", "name": "Purchase", "time": now(), "email": EMAIL},
        {"id": "o2", "name": "Purchase", "time": now(), "maid": [MAID]},
        {"id": "o3", "name": "Purchase", "time": now(), "user_id": "u-17"},
    )

    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}


def test_an_event_naming_nobody_is_rejected_by_index(api: TestClient) -> None:
    response = post_events(
        api,
        {"id": "o1", "name": "Purchase", "time": now(), "user_id": "u-1"},
        {"id": "o2", "name": "Purchase", "time": now()},
    )

    assert response.json()["rejected"] == [
        {
            "index": 1,
            "detail": "events[1]: name the person with user_id, email, maid or"
            " visitor_id",
        }
    ]


def test_a_bad_email_is_rejected_without_quoting_it(api: TestClient) -> None:
    response = post_events(
        api, {"id": "o1", "name": "Purchase", "time": now(), "email": "secret-no-at"}
    )

    assert response.status_code == 422
    assert "secret-no-at" not in response.text


def test_raw_emails_and_maids_never_reach_the_database(
    api: TestClient, store: Store
) -> None:
    post_events(
        api,
        {
            "id": "o1",
            "name": "Purchase",
            "time": now(),
            "email": EMAIL,
            "maid": MAID,
            "properties": {"plan": "gold"},
        },
    )

    dump = _every_value(store).lower()
    assert EMAIL.lower() not in dump
    assert MAID.lower() not in dump
    with store.read() as session:
        profile = session.scalars(select(Profile)).one()
    assert profile.email_sha256 == hash_email(EMAIL)
    assert profile.maid_sha256 == [hash_maid(MAID)]
    assert profile.profile_key == f"e:{profile.email_sha256}"


def test_one_email_in_two_cases_is_one_profile(api: TestClient, store: Store) -> None:
    post_events(api, {"id": "o1", "name": "A", "time": now(), "email": EMAIL})
    post_events(api, {"id": "o2", "name": "A", "time": now(), "email": EMAIL.lower()})

    with store.read() as session:
        assert len(session.scalars(select(Profile.id)).all()) == 1


def test_cohorts_show_their_live_size(api: TestClient, make_cohort: Any) -> None:
    cohort = make_cohort(definition={"event": "Purchase"})
    assert api.get(f"/api/v1/cohorts/{cohort['id']}").json()["size"] is None

    post_events(api, {"id": "o1", "name": "Purchase", "time": now(), "user_id": "u"})

    size = api.get(f"/api/v1/cohorts/{cohort['id']}").json()["size"]
    assert size["members"] == 1
    assert api.get("/api/v1/cohorts").json()[0]["size"]["members"] == 1


def test_a_preview_predicts_the_size_of_a_definition(api: TestClient) -> None:
    for user in ("a", "b"):
        post_events(
            api, {"id": user, "name": "Purchase", "time": now(), "user_id": user}
        )

    response = api.post(
        "/api/v1/cohorts/preview", json={"definition": {"event": "Purchase"}}
    )

    assert response.json() == {
        "predicted_size": 2,
        "profiles_scanned": 2,
        "window_days": 30,
        "complete": True,
    }


def test_a_preview_of_a_bad_definition_names_the_path(api: TestClient) -> None:
    response = api.post(
        "/api/v1/cohorts/preview",
        json={"definition": {"event": "A", "within": {"weeks": 2}}},
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("definition.within: 'weeks'")


def test_the_openapi_document_describes_server_side_events(api: TestClient) -> None:
    document = api.get("/api/v1/openapi.json").json()

    assert "/api/v1/events" in document["paths"]
    assert "/api/v1/cohorts/preview" in document["paths"]


def _every_value(store: Store) -> str:
    """Every value of every table, as one string."""
    metadata = MetaData()
    metadata.reflect(store.engine)
    found: list[str] = []
    with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(table.select()):
                found.extend(str(value) for value in row)
    return " ".join(found)
