"""Delivery > Pinterest audiences and the delivery log in Chromium, with what
a publisher's first busy hour of server-side delivery leaves in the store.

Set ``COHORTCAST_SCREENSHOT_DIR=docs/screenshots`` to refresh the images of
docs/dashboard.md; otherwise they go to a temporary folder.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dashboard_browser import (
    DashboardServer,
    follow,
    nav,
    page_width,
    running_dashboard,
    sign_in,
)
from sqlalchemy import insert, select

from cohortcast.delivery import log
from cohortcast.delivery.credentials import cipher_for, save_credentials
from cohortcast.pinterest.ads import AdsApiError
from cohortcast.store import activations, cohorts, integrations, workspaces
from cohortcast.store.delivery_models import (
    OutboxRow,
    PinterestAudience,
    PinterestCredentials,
)
from cohortcast.store.models import Workspace

pytestmark = pytest.mark.browser

TAG_ID = "2612345678901"
PARTNER_TAG_ID = "2698765432109"
AD_ACCOUNT = "549755885175"
ACCOUNT = f"/ad_accounts/{AD_ACCOUNT}"
MINUTE = 60_000
QUIET_WORKER = {
    "background_interval_seconds": 3600,
    "pinterest_api_url": "http://127.0.0.1:9/v5",
}


@dataclass(frozen=True)
class Cohort:
    name: str
    status: str | None
    size: int | None
    sent: int
    queued: int


COHORTS = (
    Cohort("Travel readers", "READY", 12_480, 1_204, 38),
    Cohort("Newsletter signups", "TOO_SMALL", 64, 64, 0),
    Cohort("Weekend cooks", "INITIALIZING", None, 212, 17),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    """A server whose workspace has delivered to Pinterest for an hour.

    Its background passes run once, at start, before anything is stored, so
    they never touch the stored hour; and the Ads API is a closed local port.
    """
    folder = tmp_path_factory.mktemp("delivery")
    with running_dashboard(folder, **QUIET_WORKER) as running:
        _an_hour_of_delivery(running.app, int(time.time() * 1000))
        yield running


def _an_hour_of_delivery(app: Any, now: int) -> None:
    store = app.state.store
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        integration = integrations.add_pinterest_integration(
            session, workspace.id, TAG_ID
        )
        codes = []
        for cohort in COHORTS:
            made = cohorts.create_cohort(
                session, workspace.id, name=cohort.name, definition={"event": "View"}
            )
            activations.set_pinterest_toggle(session, workspace.id, made.id, True)
            codes.append(made.code)
        planners = cohorts.create_cohort(
            session, workspace.id, name="Lisbon planners", definition={"event": "Plan"}
        )
        activations.create_activation(
            session, workspace.id, PARTNER_TAG_ID, [planners.id]
        )
        save_credentials(
            session,
            integration,
            cipher_for(app.state.settings),
            now - 60 * MINUTE,
            ad_account_id=AD_ACCOUNT,
            access_token="placeholder-token-for-screenshots",
        )
        _synced(session, integration.id, codes, now)
        _outbox(session, integration.id, codes, now)
        _log(session, integration.id, now)


def _synced(session: Any, integration_id: str, codes: list[str], now: int) -> None:
    credentials = session.get(PinterestCredentials, integration_id)
    credentials.connection_result = "ok"
    credentials.connection_detail = (
        f"Connected as travelpress to ad account 'Travel Press', which owns "
        f"Tag ID {TAG_ID}."
    )
    credentials.connection_checked_at = now - 58 * MINUTE
    credentials.audiences_synced_version = session.scalar(
        select(Workspace.config_version)
    )
    credentials.audiences_next_sync_at = now + 4 * MINUTE
    for number, (cohort, code) in enumerate(zip(COHORTS, codes, strict=True)):
        session.add(
            PinterestAudience(
                integration_id=integration_id,
                tag_id=TAG_ID,
                ad_account_id=AD_ACCOUNT,
                cohort_code=code,
                audience_id=f"254262090547{number}",
                name=f"{cohort.name} (Cohortcast {code})",
                size=cohort.size,
                status=cohort.status,
                updated_at=now - MINUTE,
            )
        )


def _outbox(session: Any, integration_id: str, codes: list[str], now: int) -> None:
    rows = []
    for cohort, code in zip(COHORTS, codes, strict=True):
        states = ["sent"] * cohort.sent + ["pending"] * cohort.queued
        for number, state in enumerate(states):
            common = {
                "integration_id": integration_id,
                "ad_account_id": AD_ACCOUNT,
                "state": state,
                "attempts": 1,
                "next_attempt_at": now,
                "created_at": now - 30 * MINUTE,
                "last_error": None,
            }
            rows.append(
                common
                | {
                    "kind": "customer_list",
                    "group_key": f"{code}:EMAIL",
                    "payload": {"cohort_code": code, "operation": "ADD"},
                    "idempotency_key": f"list:{code}:{number}",
                }
            )
            rows.append(
                common
                | {
                    "kind": "conversions",
                    "group_key": "events",
                    "payload": {"custom_data": {"content_ids": [code]}},
                    "idempotency_key": f"conv:{code}:{number}",
                }
            )
    weekend = codes[2]
    for row in rows:
        if row["group_key"] == f"{weekend}:EMAIL" and row["state"] == "pending":
            row["last_error"] = (
                f"Pinterest answered 429 (code 8) to PATCH {ACCOUNT}/customer_lists/"
                "1234567: Too many requests. Try again later."
            )
    session.execute(insert(OutboxRow), rows)


def _log(session: Any, integration_id: str, now: int) -> None:
    exchanges: list[log.Exchange] = []

    def add(
        minutes_ago: float,
        kind: str,
        method: str,
        path: str,
        items: int = 0,
        error: AdsApiError | None = None,
    ) -> None:
        at = now - int(minutes_ago * MINUTE)
        duration = 180 + items // 4
        exchanges.append(
            log.Exchange(integration_id, kind, method, path, items, at, duration, error)
        )

    add(58, "connection_test", "GET", "/user_account")
    add(58, "connection_test", "GET", ACCOUNT)
    add(58, "connection_test", "GET", f"{ACCOUNT}/conversion_tags")
    add(57, "audience_sync", "GET", f"{ACCOUNT}/conversion_tags")
    add(57, "audience_sync", "GET", f"{ACCOUNT}/audiences")
    for _ in COHORTS:
        add(57, "audience_sync", "POST", f"{ACCOUNT}/audiences", 1)
    add(57, "audience_sync", "GET", f"{ACCOUNT}/audiences")
    add(40, "customer_list", "GET", f"{ACCOUNT}/customer_lists")
    add(40, "customer_list", "POST", f"{ACCOUNT}/customer_lists", 412)
    for minutes_ago in range(55, 0, -1):
        if minutes_ago % 5 == 0:
            add(minutes_ago, "audience_sync", "GET", f"{ACCOUNT}/conversion_tags")
            add(minutes_ago, "audience_sync", "GET", f"{ACCOUNT}/audiences")
        add(minutes_ago, "conversions", "POST", f"{ACCOUNT}/events", 20 + minutes_ago)
        if minutes_ago % 7 == 0:
            path = f"{ACCOUNT}/customer_lists/1234567"
            add(minutes_ago, "customer_list", "PATCH", path, 3 * minutes_ago)
    busy = AdsApiError(
        "Service temporarily unavailable.", status=503, method="POST", path="/"
    )
    add(12.5, "conversions", "POST", f"{ACCOUNT}/events", 31, busy)
    limited = AdsApiError(
        "Too many requests. Try again later.", status=429, code=8, method="PATCH"
    )
    add(0.5, "customer_list", "PATCH", f"{ACCOUNT}/customer_lists/1234567", 17, limited)

    # Ids follow time, as when the worker writes them.
    for exchange in sorted(exchanges, key=lambda one: one.at):
        log.record(session, exchange)


def _rows(page: Any) -> list[str]:
    texts: list[str] = page.locator("main table tbody tr").all_inner_texts()
    return [" ".join(text.split()) for text in texts]


def test_a_publisher_reads_audiences_and_the_delivery_log(
    chromium: Any, server: DashboardServer, shots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server.url)

    nav(page, "Delivery")
    rows = _rows(page)
    assert len(rows) == 4
    assert any("Ready" in row and "12,480" in row for row in rows)
    assert any(
        "Too small" in row and "Pinterest targets audiences" in row for row in rows
    )
    assert any("Other account" in row and PARTNER_TAG_ID in row for row in rows)
    assert any("Retrying: Pinterest's rate limit was reached" in row for row in rows)
    assert "placeholder-token" not in page.content()
    page.screenshot(path=shots / "dashboard-delivery-audiences.png", full_page=True)

    subnav = page.get_by_role("navigation", name="Delivery")
    follow(page, subnav.get_by_role("link", name="Delivery log"))
    newest = _rows(page)
    assert len(newest) == 50
    assert "Customer list update 549755885175 ✗ 429 code 8 17" in newest[0]
    page.screenshot(path=shots / "dashboard-delivery-log.png")

    follow(page, page.get_by_role("link", name="Older →"))
    older = _rows(page)
    assert older
    assert older[0] not in newest
    follow(page, page.get_by_role("link", name="← Newest"))
    assert _rows(page) == newest

    page.get_by_label("Show").select_option("failed")
    follow(page, page.get_by_role("button", name="Show"))
    failed = _rows(page)
    assert [row.split(" ")[3:5] for row in failed] == [
        ["Customer", "list"],
        ["Conversions", "API"],
    ]
    assert "Pinterest failed for a moment. Cohortcast retries by itself." in failed[1]
    context.close()


def test_the_cohort_and_integration_pages_lead_to_the_audiences(
    chromium: Any, server: DashboardServer, shots: Path
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, server.url)

    follow(page, page.get_by_role("link", name="Travel readers"))
    audiences = page.locator("ul[aria-labelledby=audiences-heading]").inner_text()
    assert f"{TAG_ID}: Ready Travel readers" in audiences
    assert "12,480 people in Pinterest" in audiences
    activation = page.locator("section.card", has_text="Pinterest audiences")
    activation.screenshot(path=shots / "dashboard-cohort-audiences.png")

    nav(page, "Settings")
    follow(page, page.get_by_role("link", name="Audiences of Pinterest"))
    assert page.url.endswith("/delivery")
    page.close()


def test_the_delivery_pages_fit_a_phone(
    chromium: Any, server: DashboardServer, shots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    sign_in(page, server.url)

    for path in ("/delivery", "/delivery/log", "/delivery/log?result=failed"):
        page.goto(server.url + path)
        assert page_width(page) <= 375, f"{path} is {page_width(page)} px wide"

    page.goto(server.url + "/delivery/log?result=failed")
    page.screenshot(path=shots / "dashboard-delivery-phone.png", full_page=True)
    context.close()
