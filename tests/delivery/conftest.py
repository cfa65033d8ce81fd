"""Delivery tests: the app on a test database, a sandbox over real HTTP, and
a deliverer whose clock, sleep and jitter the test controls.

Nothing here starts the app's lifespan, so no background worker runs: each
test calls ``deliver_due`` itself and sees exactly one pass at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from delivery_helpers import AD_ACCOUNT, SECRET, START, TAG_ID, FakeTime
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cohortcast.collection.ingest import Collector
from cohortcast.delivery.credentials import DeliveryTarget, cipher_for
from cohortcast.delivery.worker import Deliverer
from cohortcast.pinterest.ads import AdsClient, RateLimiter
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN
from cohortcast.settings import Settings
from cohortcast.store import workspaces
from cohortcast.store.database import Store
from sandbox_server import Sandbox, running_sandbox


@pytest.fixture(scope="session")
def _sandbox_thread() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def sandbox(_sandbox_thread: Sandbox) -> Sandbox:
    """The sandbox, emptied of audiences, lists, events and faults."""
    _sandbox_thread.state.reset()
    return _sandbox_thread


@pytest.fixture
def settings(database_url: str, sandbox: Sandbox) -> Settings:
    """Settings pointing delivery at the sandbox, with a fixed secret."""
    return Settings(
        database_url=database_url,
        secret_key=SECRET,
        pinterest_api_url=sandbox.api_url,
    )


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_deliverer(
    store: Store, settings: Settings, fake_time: FakeTime
) -> Callable[..., Deliverer]:
    """``make_deliverer(rate_limit=5000, test_events=False)``: a deliverer on
    the fake clock; jitter always draws the ceiling, so delays are known."""

    def make(rate_limit: int = 5000, test_events: bool = False) -> Deliverer:
        limiter = RateLimiter(rate_limit, clock=fake_time.monotonic)

        def client(target: DeliveryTarget) -> AdsClient:
            return AdsClient(
                target.access_token,
                base_url=settings.pinterest_api_url,
                rate_limiter=limiter,
                sleep=fake_time.sleep,
            )

        return Deliverer(
            store,
            cipher_for(settings),
            client,
            clock=fake_time,
            test_events=test_events,
            draw=lambda: 1.0,
        )

    return make


@pytest.fixture
def deliverer(make_deliverer: Callable[..., Deliverer]) -> Deliverer:
    return make_deliverer()


@pytest.fixture
def integration(api: TestClient) -> dict[str, Any]:
    """The Pinterest integration with :data:`TAG_ID`, no credentials yet."""
    response = api.post(
        "/api/v1/integrations", json={"type": "pinterest", "tag_id": TAG_ID}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture
def connected(api: TestClient, integration: dict[str, Any]) -> dict[str, Any]:
    """The integration with the sandbox's ad account and token."""
    response = api.patch(
        f"/api/v1/integrations/{integration['id']}",
        json={"ad_account_id": AD_ACCOUNT, "access_token": DEFAULT_TOKEN},
    )
    assert response.status_code == 200, response.text
    updated: dict[str, Any] = response.json()
    return updated


@pytest.fixture
def activate(api: TestClient) -> Callable[..., str]:
    """``activate(name, definition)``: a cohort with the Pinterest toggle on;
    returns its code."""

    def make(name: str = "Travel", definition: Any = None) -> str:
        body = {"name": name, "definition": definition or {"event": "Pageview"}}
        created = api.post("/api/v1/cohorts", json=body)
        assert created.status_code == 201, created.text
        cohort = created.json()
        toggled = api.put(
            f"/api/v1/cohorts/{cohort['id']}/activations/pinterest",
            json={"enabled": True},
        )
        assert toggled.status_code < 300, toggled.text
        code: str = cohort["code"]
        return code

    return make


Visit = Callable[..., None]


@pytest.fixture
def visit(app: FastAPI, store: Store, fake_time: FakeTime) -> Visit:
    """``visit(visitor, email_sha256=None, name="Pageview", at=START)``: one SDK
    batch through the collector, evaluated in its transaction."""
    collector = Collector(store, clock=fake_time)
    with store.read() as session:
        sdk_key = workspaces.get_default_workspace(session).sdk_key

    def send(
        visitor: str,
        email_sha256: str | None = None,
        name: str = "Pageview",
        at: int = START,
    ) -> None:
        body: dict[str, Any] = {
            "visitor_id": visitor,
            "events": [{"id": f"e_{visitor}_{at}_{name}", "name": name, "time": at}],
        }
        if email_sha256 is not None:
            body["email_sha256"] = email_sha256
        collector.collect(sdk_key, json.dumps(body).encode())

    return send
