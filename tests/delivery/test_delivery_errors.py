"""Every class of answer: 4xx recorded with Pinterest's message and not
retried; 429 and 5xx retried with backoff until they go through."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from delivery_helpers import AD_ACCOUNT, START, FakeTime
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_delivery_outbox import conversion_payloads, logged, queue_rows

from cohortcast.delivery.worker import Deliverer, deliver_due
from cohortcast.pinterest.sandbox import Fault
from cohortcast.store.database import Store
from cohortcast.store.delivery_models import OutboxRow
from sandbox_server import Sandbox

EVENTS_PATH = f"/v5/ad_accounts/{AD_ACCOUNT}/events"


def rows(store: Store) -> list[OutboxRow]:
    with store.read() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def deliver_at(deliverer: Deliverer, now: int) -> None:
    """One pass with the deliverer's clock set to ``now``."""
    clock = deliverer.clock
    assert isinstance(clock, FakeTime)
    clock.now = now
    asyncio.run(deliver_due(deliverer))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "Invalid parameters: event_time is too old."),
        (403, "User not authorized to access this ad account."),
    ],
)
def test_a_4xx_answer_is_recorded_with_pinterests_message_and_not_retried(
    connected: dict[str, Any],
    store: Store,
    deliverer: Deliverer,
    sandbox: Sandbox,
    status: int,
    message: str,
) -> None:
    queue_rows(store, connected["id"], "conversions", conversion_payloads(2), "events")
    sandbox.state.faults.add(Fault(EVENTS_PATH, status=status, message=message))

    deliver_at(deliverer, START)
    deliver_at(deliverer, START + 3_600_000)

    assert {(row.state, row.attempts) for row in rows(store)} == {("failed", 1)}
    assert all(message in (row.last_error or "") for row in rows(store))
    (entry,) = [entry for entry in logged(store) if entry.kind == "conversions"]
    assert (entry.status, entry.message) == (status, message)
    assert sandbox.state.events_received == 0


def test_a_token_pinterest_refuses_fails_the_delivery_with_401(
    api: TestClient,
    connected: dict[str, Any],
    store: Store,
    deliverer: Deliverer,
    sandbox: Sandbox,
) -> None:
    api.patch(
        f"/api/v1/integrations/{connected['id']}",
        json={"access_token": "pina_revoked_token"},
    )
    queue_rows(store, connected["id"], "conversions", conversion_payloads(1), "events")

    deliver_at(deliverer, START)

    (row,) = rows(store)
    assert row.state == "failed"
    assert "Authentication failed." in (row.last_error or "")
    assert {entry.status for entry in logged(store)} == {401}


@pytest.mark.parametrize("status", [429, 500, 503])
def test_429_and_5xx_are_retried_with_growing_backoff_until_they_succeed(
    connected: dict[str, Any],
    store: Store,
    deliverer: Deliverer,
    sandbox: Sandbox,
    status: int,
) -> None:
    queue_rows(store, connected["id"], "conversions", conversion_payloads(3), "events")
    sandbox.state.faults.add(Fault(EVENTS_PATH, status=status, count=2))

    deliver_at(deliverer, START)
    first_wait = rows(store)[0].next_attempt_at - START
    deliver_at(deliverer, START + first_wait - 1)  # not due yet: nothing sent
    deliver_at(deliverer, START + first_wait)
    second_wait = rows(store)[0].next_attempt_at - (START + first_wait)
    deliver_at(deliverer, START + first_wait + second_wait)

    # Jitter draws its ceiling in these tests: 1 s, then 2 s.
    assert (first_wait, second_wait) == (1000, 2000)
    assert {(row.state, row.attempts) for row in rows(store)} == {("sent", 3)}
    assert sandbox.state.events_received == 3
    statuses = [entry.status for entry in logged(store) if entry.kind == "conversions"]
    assert statuses == [status, status, 200]


def test_retry_after_is_a_floor_under_the_backoff(
    connected: dict[str, Any],
    store: Store,
    deliverer: Deliverer,
    sandbox: Sandbox,
    fake_time: FakeTime,
) -> None:
    queue_rows(store, connected["id"], "conversions", conversion_payloads(1), "events")
    sandbox.state.faults.add(Fault(EVENTS_PATH, status=429, retry_after=30))

    deliver_at(deliverer, START)

    (row,) = rows(store)
    assert (row.state, row.next_attempt_at - fake_time.now) == ("pending", 30_000)
