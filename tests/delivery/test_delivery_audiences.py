"""One VISITOR audience per routed (Tag ID, cohort), kept in step with
routing, with Pinterest's sizes and statuses in the API."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from delivery_helpers import AD_ACCOUNT, START, TAG_ID
from fastapi.testclient import TestClient

from cohortcast.delivery.audiences import REFRESH_MS
from cohortcast.delivery.worker import Deliverer, deliver_due
from cohortcast.diagnostics._pinterest_facts import stored_pinterest_facts
from cohortcast.pinterest.ads import (
    AdsClient,
    CohortAudience,
    create_audience,
    visitor_audience,
)
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN, Fault
from cohortcast.store.database import Store
from cohortcast.store.delivery_models import PinterestCredentials
from sandbox_server import Sandbox


def live_audiences(sandbox: Sandbox) -> dict[str, Any]:
    return {
        audience.id: audience
        for audience in sandbox.state.audiences.values()
        if not audience.archived and audience.ad_account_id == AD_ACCOUNT
    }


def audiences_api(api: TestClient, integration: dict[str, Any]) -> Any:
    response = api.get(f"/api/v1/integrations/{integration['id']}/audiences")
    assert response.status_code == 200, response.text
    return response.json()


def test_each_activated_cohort_gets_one_audience_with_its_size_and_status(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    code = activate("Travel")

    asyncio.run(deliver_due(deliverer, START))
    asyncio.run(deliver_due(deliverer, START + 1))

    (audience,) = live_audiences(sandbox).values()
    assert audience.name == f"Travel (Cohortcast {code})"
    assert audiences_api(api, connected) == [
        {
            "id": audience.id,
            "name": audience.name,
            "tag_id": TAG_ID,
            "cohort_code": code,
            "ad_account_id": AD_ACCOUNT,
            "size": 0,
            "status": "TOO_SMALL",
            "customer_list_records": {"queued": 0, "sent": 0, "failed": 0},
            "conversion_events": {"queued": 0, "sent": 0, "failed": 0},
            "last_error": None,
        }
    ]


SECOND_ACCOUNT = "549755885176"
SECOND_ACCOUNT_TAG = "2619573804216"
UNREACHABLE_TAG = "2612345678999"  # owned by an account the token may not use


def route(api: TestClient, tag_id: str, cohort_ids: list[str]) -> str:
    created = api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": tag_id, "cohort_ids": cohort_ids},
    )
    assert created.status_code == 201, created.text
    activation_id: str = created.json()["id"]
    return activation_id


def travel_to_both_accounts(api: TestClient, activate: Callable[..., str]) -> str:
    """Travel, toggled on for the default Tag ID and routed to the second
    account's; its activation id there."""
    activate("Travel")
    cohort_id = api.get("/api/v1/cohorts").json()[0]["id"]
    return route(api, SECOND_ACCOUNT_TAG, [cohort_id])


def audiences_in(sandbox: Sandbox, account: str) -> list[tuple[str, str]]:
    """(Tag ID, name) of the account's live audiences."""
    return sorted(
        (str(audience.rule["visitor_source_id"]), audience.name)
        for audience in sandbox.state.audiences.values()
        if not audience.archived and audience.ad_account_id == account
    )


def test_a_tag_id_of_another_account_the_token_reaches_gets_its_audience_there(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    code = activate("Travel")
    cohort_id = api.get("/api/v1/cohorts").json()[0]["id"]
    route(api, SECOND_ACCOUNT_TAG, [cohort_id])

    report = asyncio.run(deliver_due(deliverer, START))

    name = f"Travel (Cohortcast {code})"
    assert audiences_in(sandbox, AD_ACCOUNT) == [(TAG_ID, name)]
    assert audiences_in(sandbox, SECOND_ACCOUNT) == [(SECOND_ACCOUNT_TAG, name)]
    assert [
        (row["tag_id"], row["ad_account_id"]) for row in audiences_api(api, connected)
    ] == [(TAG_ID, AD_ACCOUNT), (SECOND_ACCOUNT_TAG, SECOND_ACCOUNT)]
    assert report.audience_syncs == 1
    # Synced and current: the next pass reads nothing until the refresh.
    assert asyncio.run(deliver_due(deliverer, START + 1)).audience_syncs == 0


def test_a_tag_id_no_reachable_account_owns_gets_no_audience_and_stops_nothing(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    code = activate("Travel")
    cohort_id = api.get("/api/v1/cohorts").json()[0]["id"]
    route(api, UNREACHABLE_TAG, [cohort_id])

    asyncio.run(deliver_due(deliverer, START))

    (audience,) = live_audiences(sandbox).values()
    assert audience.name == f"Travel (Cohortcast {code})"
    assert [
        (row["tag_id"], row["cohort_code"]) for row in audiences_api(api, connected)
    ] == [(TAG_ID, code)]
    assert asyncio.run(deliver_due(deliverer, START + 1)).audience_syncs == 0


def test_unrouting_another_accounts_tag_id_archives_its_audience_there_only(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    activation_id = travel_to_both_accounts(api, activate)
    # Another publisher's cohort audience on another Tag ID of the shared
    # account: not this workspace's to archive.
    account = sandbox.state.accounts[SECOND_ACCOUNT]
    monkeypatch.setattr(account, "tag_ids", [*account.tag_ids, "2619573804217"])
    theirs = CohortAudience("2619573804217", "zzzzzz", "Their cohort")

    async def create_theirs() -> None:
        async with AdsClient(DEFAULT_TOKEN, base_url=sandbox.api_url) as client:
            await client.send(create_audience(SECOND_ACCOUNT, visitor_audience(theirs)))

    asyncio.run(create_theirs())
    asyncio.run(deliver_due(deliverer, START))
    assert len(audiences_in(sandbox, SECOND_ACCOUNT)) == 2

    deleted = api.delete(f"/api/v1/activations/{activation_id}")
    assert deleted.status_code == 204, deleted.text
    asyncio.run(deliver_due(deliverer, START + 1))

    assert audiences_in(sandbox, SECOND_ACCOUNT) == [
        ("2619573804217", "Their cohort (Cohortcast zzzzzz)")
    ]
    assert [row["tag_id"] for row in audiences_api(api, connected)] == [TAG_ID]


def test_a_renamed_cohort_renames_its_audience_and_a_deactivated_one_archives_it(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    activate("Travel")
    food = activate("Food")
    asyncio.run(deliver_due(deliverer, START))
    cohorts = {cohort["code"]: cohort for cohort in api.get("/api/v1/cohorts").json()}

    api.patch(f"/api/v1/cohorts/{cohorts[food]['id']}", json={"name": "Cooking"})
    travel = next(cohort for code, cohort in cohorts.items() if code != food)
    api.put(
        f"/api/v1/cohorts/{travel['id']}/activations/pinterest",
        json={"enabled": False},
    )
    asyncio.run(deliver_due(deliverer, START + 1))

    names = [audience.name for audience in live_audiences(sandbox).values()]
    assert names == [f"Cooking (Cohortcast {food})"]
    assert [row["cohort_code"] for row in audiences_api(api, connected)] == [food]


def test_an_audience_created_before_a_crash_is_found_not_made_again(
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    code = activate("Travel")
    # Pinterest created it, but the process died before recording that.
    wanted = CohortAudience(TAG_ID, code, "Travel")

    async def create_behind_our_back() -> None:
        async with AdsClient(DEFAULT_TOKEN, base_url=sandbox.api_url) as client:
            await client.send(create_audience(AD_ACCOUNT, visitor_audience(wanted)))

    asyncio.run(create_behind_our_back())

    asyncio.run(deliver_due(deliverer, START))
    asyncio.run(deliver_due(deliverer, START + REFRESH_MS))

    assert len(live_audiences(sandbox)) == 1
    assert len(sandbox.state.audiences) == 1


def test_sizes_are_refreshed_from_pinterest_periodically(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    activate("Travel")
    asyncio.run(deliver_due(deliverer, START))
    (audience,) = live_audiences(sandbox).values()
    audience.name = "Changed in Pinterest"

    asyncio.run(deliver_due(deliverer, START + REFRESH_MS - 1))
    before = audiences_api(api, connected)[0]["name"]
    asyncio.run(deliver_due(deliverer, START + REFRESH_MS))
    after = audiences_api(api, connected)[0]["name"]

    # The refresh reads Pinterest again and puts the name back.
    assert before == "Changed in Pinterest" or before.startswith("Travel")
    assert after.startswith("Travel")


def test_the_delivery_log_is_paginated_newest_first(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
) -> None:
    activate("Travel")
    asyncio.run(deliver_due(deliverer, START))
    url = f"/api/v1/integrations/{connected['id']}/deliveries"

    first = api.get(url, params={"limit": 3}).json()
    second = api.get(url, params={"limit": 3, "before": first["next_before"]}).json()

    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 4  # the account's tags, list, create, list again
    assert second["next_before"] is None
    assert {item["kind"] for item in first["items"]} == {"audience_sync"}


def test_a_shorter_refresh_setting_reads_pinterest_again_sooner(
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
) -> None:
    activate("Travel")
    quick = dataclasses.replace(deliverer, audience_refresh_ms=15_000)
    asyncio.run(deliver_due(quick, START))

    early = asyncio.run(deliver_due(quick, START + 14_999))
    due = asyncio.run(deliver_due(quick, START + 15_000))

    assert early.audience_syncs == 0
    assert due.audience_syncs == 1


def test_another_account_that_refuses_its_tags_is_skipped_not_retried(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
    store: Store,
) -> None:
    travel_to_both_accounts(api, activate)
    tags = f"/v5/ad_accounts/{SECOND_ACCOUNT}/conversion_tags"
    sandbox.state.faults.add(Fault(tags, status=403))

    asyncio.run(deliver_due(deliverer, START))

    assert len(audiences_in(sandbox, AD_ACCOUNT)) == 1
    assert audiences_in(sandbox, SECOND_ACCOUNT) == []
    assert [row["tag_id"] for row in audiences_api(api, connected)] == [TAG_ID]
    with store.read() as session:
        credentials = session.get(PinterestCredentials, connected["id"])
        assert credentials is not None
        assert credentials.audiences_error is None
        assert credentials.audiences_sync_attempts == 0


def test_a_busy_pinterest_while_searching_other_accounts_retries_the_sync(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    travel_to_both_accounts(api, activate)
    tags = f"/v5/ad_accounts/{SECOND_ACCOUNT}/conversion_tags"
    sandbox.state.faults.add(Fault(tags, status=503))

    asyncio.run(deliver_due(deliverer, START))
    held_first = audiences_in(sandbox, SECOND_ACCOUNT)
    retried = asyncio.run(deliver_due(deliverer, START + 10 * 60_000))

    assert held_first == []
    assert len(audiences_in(sandbox, AD_ACCOUNT)) == 1
    assert retried.audience_syncs == 1
    assert len(audiences_in(sandbox, SECOND_ACCOUNT)) == 1


def test_a_sync_keeps_the_ad_accounts_tag_ids_for_the_checks_until_it_changes(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    store: Store,
) -> None:
    activate("Travel")
    asyncio.run(deliver_due(deliverer, START))
    with store.read() as session:
        synced = stored_pinterest_facts(session, connected["id"])

    api.patch(
        f"/api/v1/integrations/{connected['id']}",
        json={"ad_account_id": SECOND_ACCOUNT},
    )
    with store.read() as session:
        changed = stored_pinterest_facts(session, connected["id"])

    assert synced is not None
    assert synced.conversion_tag_ids == (TAG_ID,)
    assert changed is not None
    assert changed.conversion_tag_ids == ()
