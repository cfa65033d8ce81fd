"""What delivery did, read back: per-cohort outbox counts, failed-only log
pages, and connection tests in the delivery log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from delivery_helpers import (
    AD_ACCOUNT,
    EMAIL_SHA256,
    OTHER_EMAIL_SHA256,
    START,
)
from fastapi.testclient import TestClient

from cohortcast.delivery.overview import DeliveryOverview, delivery_overview
from cohortcast.delivery.worker import Deliverer, deliver_due
from cohortcast.pinterest.sandbox import Fault
from cohortcast.store.database import Store
from cohortcast.store.models import Integration
from conftest import Visit
from sandbox_server import Sandbox


def overview_of(store: Store, integration_id: str) -> DeliveryOverview:
    with store.read() as session:
        integration = session.get(Integration, integration_id)
        assert integration is not None
        return delivery_overview(session, integration)


def test_each_cohort_counts_its_own_customer_list_records_and_events(
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
    store: Store,
) -> None:
    travel = activate("Travel", {"event": "Pageview"})
    signups = activate("Signups", {"event": "Signup"})
    visit("v_1", email_sha256=EMAIL_SHA256)
    visit("v_2", email_sha256=OTHER_EMAIL_SHA256)
    asyncio.run(deliver_due(deliverer, START))
    visit("v_3", email_sha256=EMAIL_SHA256, name="Signup")

    overview = overview_of(store, connected["id"])

    by_code = {audience.cohort_code: audience for audience in overview.audiences}
    assert set(by_code) == {travel, signups}
    sent_travel = by_code[travel].delivery
    assert (sent_travel.customer_list.sent, sent_travel.customer_list.queued) == (2, 0)
    assert (sent_travel.conversions.sent, sent_travel.conversions.queued) == (2, 0)
    queued_signups = by_code[signups].delivery
    assert (queued_signups.customer_list.sent, queued_signups.customer_list.queued) == (
        0,
        1,
    )
    assert (overview.conversions.sent, overview.conversions.queued) == (2, 1)
    assert by_code[travel].outlook == "held"
    assert by_code[travel].status == "TOO_SMALL"


def test_the_audiences_api_counts_each_audiences_deliveries(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
) -> None:
    travel = activate("Travel", {"event": "Pageview"})
    visit("v_1", email_sha256=EMAIL_SHA256)
    visit("v_2", email_sha256=OTHER_EMAIL_SHA256)
    asyncio.run(deliver_due(deliverer, START))
    visit("v_3", email_sha256=EMAIL_SHA256)

    response = api.get(f"/api/v1/integrations/{connected['id']}/audiences")

    assert response.status_code == 200, response.text
    (audience,) = response.json()
    assert audience["cohort_code"] == travel
    assert audience["customer_list_records"] == {"queued": 1, "sent": 2, "failed": 0}
    assert audience["conversion_events"] == {"queued": 1, "sent": 2, "failed": 0}
    assert audience["last_error"] is None


def test_a_refused_batch_is_the_cohorts_last_error(
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    deliverer: Deliverer,
    store: Store,
    sandbox: Sandbox,
) -> None:
    code = activate("Travel")
    visit("v_1", email_sha256=EMAIL_SHA256)
    events = f"/v5/ad_accounts/{AD_ACCOUNT}/events"
    sandbox.state.faults.add(Fault(events, status=400, message="event_time too old"))

    asyncio.run(deliver_due(deliverer, START))

    (audience,) = overview_of(store, connected["id"]).audiences
    assert audience.cohort_code == code
    assert audience.delivery.conversions.failed == 1
    assert audience.delivery.last_error_retrying is False
    assert "event_time too old" in (audience.delivery.last_error or "")


def test_the_log_api_can_keep_only_failed_exchanges(
    api: TestClient,
    connected: dict[str, Any],
    activate: Callable[..., str],
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    activate("Travel")
    tags = f"/v5/ad_accounts/{AD_ACCOUNT}/conversion_tags"
    sandbox.state.faults.add(Fault(tags, status=503, count=1))
    asyncio.run(deliver_due(deliverer, START))
    asyncio.run(deliver_due(deliverer, START + 600_000))
    url = f"/api/v1/integrations/{connected['id']}/deliveries"

    everything = api.get(url).json()["items"]
    failed = api.get(url, params={"result": "failed"}).json()["items"]
    refused = api.get(url, params={"result": "sometimes"})

    assert len(everything) > 1
    assert [item["status"] for item in failed] == [503]
    assert refused.status_code == 422
    assert '"sometimes"' in refused.json()["detail"]


def test_a_connection_test_goes_to_the_delivery_log(
    api: TestClient, connected: dict[str, Any], sandbox: Sandbox
) -> None:
    answer = api.post(f"/api/v1/integrations/{connected['id']}/test-connection")
    url = f"/api/v1/integrations/{connected['id']}/deliveries"

    items = api.get(url).json()["items"]

    assert answer.json()["result"] == "ok"
    assert [(item["kind"], item["method"], item["path"]) for item in items] == [
        ("connection_test", "GET", f"/ad_accounts/{AD_ACCOUNT}/conversion_tags"),
        ("connection_test", "GET", f"/ad_accounts/{AD_ACCOUNT}"),
        ("connection_test", "GET", "/user_account"),
    ]
