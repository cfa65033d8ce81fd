"""Cohort entries and exits reach the Conversions API and customer lists
through the outbox, batched within Pinterest's limits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from delivery_helpers import (
    AD_ACCOUNT,
    EMAIL_SHA256,
    OTHER_EMAIL_SHA256,
    START,
    FakeTime,
)
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from cohortcast.delivery.worker import Deliverer, PassReport, deliver_due
from cohortcast.pinterest.ads import cohort_conversion_event
from cohortcast.store.database import Store
from cohortcast.store.delivery_models import DeliveryLogEntry, OutboxRow
from conftest import Visit
from sandbox_server import Sandbox


def deliver(deliverer: Deliverer) -> PassReport:
    return asyncio.run(deliver_due(deliverer))


def event_ids(sandbox: Sandbox) -> list[str]:
    return [event["event_id"] for _, event in sandbox.state.latest_events(100_000)]


def queue_rows(
    store: Store, integration_id: str, kind: str, payloads: list[Any], group: str
) -> None:
    """Put rows straight in the outbox, as the change hook would."""
    with store.transaction() as session:
        session.execute(
            insert(OutboxRow),
            [
                {
                    "integration_id": integration_id,
                    "kind": kind,
                    "group_key": group,
                    "ad_account_id": AD_ACCOUNT,
                    "payload": payload,
                    "idempotency_key": f"{kind}:{index}",
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": 0,
                    "created_at": START,
                }
                for index, payload in enumerate(payloads)
            ],
        )


def conversion_payloads(count: int) -> list[Any]:
    return [
        dict(cohort_conversion_event("k1", f"v_{n}", START, emails=[EMAIL_SHA256]))
        for n in range(count)
    ]


def logged(store: Store) -> list[DeliveryLogEntry]:
    with store.read() as session:
        return list(session.scalars(select(DeliveryLogEntry).order_by("id")))


def test_an_identified_entry_is_sent_with_the_pixels_event_id(
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    code = activate()
    visit("v_known", email_sha256=EMAIL_SHA256)
    visit("v_anonymous")

    deliver(deliverer)
    deliver(deliverer)

    assert event_ids(sandbox) == [f"cc.{code}.v_known.{START}"]
    (_, event), *_ = sandbox.state.latest_events(1)
    assert event["user_data"]["em"] == [EMAIL_SHA256]


def test_nothing_is_queued_for_a_cohort_that_is_not_activated(
    api: TestClient,
    connected: dict[str, Any],
    visit: Visit,
    store: Store,
) -> None:
    api.post(
        "/api/v1/cohorts", json={"name": "Quiet", "definition": {"event": "Pageview"}}
    )

    visit("v_known", email_sha256=EMAIL_SHA256)

    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0


SECOND_ACCOUNT = "549755885176"
SECOND_ACCOUNT_TAG = "2619573804216"
UNREACHABLE_TAG = "2612345678999"  # owned by an account the token may not use


def route(api: TestClient, tag_id: str, cohort_id: str) -> None:
    """Send the cohort to ``tag_id`` too, through a new activation."""
    routed = api.post(
        "/api/v1/activations",
        json={"integration": "pinterest", "tag_id": tag_id, "cohort_ids": [cohort_id]},
    )
    assert routed.status_code == 201, routed.text


def route_new_cohort(api: TestClient, name: str, tag_id: str) -> str:
    """A new cohort sent only to ``tag_id``; its code."""
    created = api.post(
        "/api/v1/cohorts", json={"name": name, "definition": {"event": "Pageview"}}
    )
    assert created.status_code == 201, created.text
    route(api, tag_id, created.json()["id"])
    code: str = created.json()["code"]
    return code


def test_a_cohort_routed_to_another_reachable_accounts_tag_id_goes_to_that_account(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    travel = activate("Travel")
    food = route_new_cohort(api, "Food", SECOND_ACCOUNT_TAG)
    deliver(deliverer)

    visit("v_known", email_sha256=EMAIL_SHA256)
    deliver(deliverer)

    events = sorted(
        (account, event["event_id"])
        for account, event in sandbox.state.latest_events(100)
    )
    assert events == sorted(
        [
            (AD_ACCOUNT, f"cc.{travel}.v_known.{START}"),
            (SECOND_ACCOUNT, f"cc.{food}.v_known.{START}"),
        ]
    )
    lists = sorted(
        (item.ad_account_id, item.name, tuple(item.records))
        for item in sandbox.state.customer_lists.values()
    )
    assert lists == [
        (AD_ACCOUNT, f"Cohortcast cohort {travel} (EMAIL)", (EMAIL_SHA256,)),
        (SECOND_ACCOUNT, f"Cohortcast cohort {food} (EMAIL)", (EMAIL_SHA256,)),
    ]


def test_a_cohort_sent_to_two_accounts_reaches_each_once(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    travel = activate("Travel")
    route(api, SECOND_ACCOUNT_TAG, api.get("/api/v1/cohorts").json()[0]["id"])
    deliver(deliverer)

    visit("v_known", email_sha256=EMAIL_SHA256)
    deliver(deliverer)
    deliver(deliverer)

    event_id = f"cc.{travel}.v_known.{START}"
    events = sorted(
        (account, event["event_id"])
        for account, event in sandbox.state.latest_events(100)
    )
    assert events == [(AD_ACCOUNT, event_id), (SECOND_ACCOUNT, event_id)]
    owners = sorted(
        item.ad_account_id for item in sandbox.state.customer_lists.values()
    )
    assert owners == [AD_ACCOUNT, SECOND_ACCOUNT]


def test_a_cohort_routed_only_to_a_tag_id_no_reachable_account_owns_is_not_sent(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    travel = activate("Travel")
    route_new_cohort(api, "Food", UNREACHABLE_TAG)
    deliver(deliverer)

    visit("v_known", email_sha256=EMAIL_SHA256)
    deliver(deliverer)

    assert event_ids(sandbox) == [f"cc.{travel}.v_known.{START}"]
    lists = [item.name for item in sandbox.state.customer_lists.values()]
    assert lists == [f"Cohortcast cohort {travel} (EMAIL)"]


def test_nothing_is_queued_without_credentials(
    integration: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    store: Store,
) -> None:
    activate()

    visit("v_known", email_sha256=EMAIL_SHA256)

    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0


def test_the_customer_list_gets_the_member_on_entry_and_loses_them_on_exit(
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    once = {"event": "Pageview", "count": {"op": "eq", "value": 1}}
    code = activate("Exactly once", once)
    visit("v_1", email_sha256=EMAIL_SHA256, at=START)
    visit("v_2", email_sha256=OTHER_EMAIL_SHA256, at=START)
    deliver(deliverer)
    (customer_list,) = sandbox.state.customer_lists.values()
    after_entries = set(customer_list.records)

    visit("v_1", email_sha256=EMAIL_SHA256, at=START + 1000)
    deliver(deliverer)

    assert customer_list.name == f"Cohortcast cohort {code} (EMAIL)"
    assert after_entries == {EMAIL_SHA256, OTHER_EMAIL_SHA256}
    assert customer_list.records == {OTHER_EMAIL_SHA256}
    assert len(sandbox.state.customer_lists) == 1


def test_customer_list_records_go_out_10000_per_request_in_order(
    connected: dict[str, Any],
    store: Store,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    records = [f"{n:064x}" for n in range(10_001)]
    adds = [
        {"cohort_code": "k1", "list_type": "EMAIL", "operation": "ADD", "record": r}
        for r in records
    ]
    removal = {**adds[0], "operation": "REMOVE"}
    queue_rows(store, connected["id"], "customer_list", [*adds, removal], "k1:EMAIL")

    deliver(deliverer)

    (customer_list,) = sandbox.state.customer_lists.values()
    assert customer_list.records == set(records[1:])
    sizes = [entry.items for entry in logged(store) if entry.kind == "customer_list"]
    assert sizes == [0, 10_000, 1, 1]  # list lookup, create, ADD, REMOVE


def test_conversion_events_go_out_1000_per_request(
    connected: dict[str, Any],
    store: Store,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    queue_rows(
        store, connected["id"], "conversions", conversion_payloads(2500), "events"
    )

    report = deliver(deliverer)

    assert report.states["sent"] == 2500
    assert sandbox.state.events_received == 2500
    sizes = [entry.items for entry in logged(store) if entry.kind == "conversions"]
    assert sizes == [1000, 1000, 500]


def test_test_mode_sends_events_pinterest_validates_but_does_not_record(
    connected: dict[str, Any],
    store: Store,
    make_deliverer: Callable[..., Deliverer],
    sandbox: Sandbox,
) -> None:
    queue_rows(store, connected["id"], "conversions", conversion_payloads(3), "events")

    deliver(make_deliverer(test_events=True))

    assert sandbox.state.test_events_received == 3
    assert sandbox.state.events_received == 0


def test_calls_wait_for_the_ad_accounts_rate_limit(
    connected: dict[str, Any],
    store: Store,
    make_deliverer: Callable[..., Deliverer],
    sandbox: Sandbox,
    fake_time: FakeTime,
) -> None:
    queue_rows(
        store, connected["id"], "conversions", conversion_payloads(2500), "events"
    )

    deliver(make_deliverer(rate_limit=2))

    # 2 calls per minute: the account's conversion tags and its audiences are
    # listed at once, then each of the 3 requests waits 30 s for the bucket.
    assert sandbox.state.events_received == 2500
    assert fake_time.sleeps == [30.0, 30.0, 30.0]
