"""Delivery > Pinterest audiences and Delivery log: what server-side delivery
did, from the store, with empty states that say what to do."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from dashboard_pages import OTHER_TAG_ID, TAG_ID
from fastapi.testclient import TestClient

from cohortcast.delivery import log
from cohortcast.delivery.credentials import cipher_for, save_credentials
from cohortcast.pinterest.ads import AdsApiError
from cohortcast.settings import Settings
from cohortcast.store import activations, cohorts, integrations, workspaces
from cohortcast.store.database import Store
from cohortcast.store.delivery_models import (
    OutboxRow,
    PinterestAudience,
    PinterestCredentials,
)
from cohortcast.store.models import Workspace

AUDIENCES = "/delivery"
LOG = "/delivery/log"
AD_ACCOUNT = "549755885175"
AT = 1_796_000_000_000  # 2026-11-30 00:53:20 UTC
HASHED_EMAIL = "5f" * 32
FAKE_TOKEN = "not-a-real-token-1234"


@dataclass(frozen=True)
class World:
    integration_id: str
    cohort_id: str
    code: str


def add_pinterest(store: Store, settings: Settings, *, credentials: bool) -> World:
    """Pinterest with :data:`TAG_ID`, one cohort toggled on, and optionally
    an ad account and token."""
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        integration = integrations.add_pinterest_integration(
            session, workspace.id, TAG_ID
        )
        cohort = cohorts.create_cohort(
            session,
            workspace.id,
            name="Travel readers",
            definition={"event": "Pageview"},
        )
        activations.set_pinterest_toggle(session, workspace.id, cohort.id, True)
        if credentials:
            save_credentials(
                session,
                integration,
                cipher_for(settings),
                AT,
                ad_account_id=AD_ACCOUNT,
                access_token=FAKE_TOKEN,
            )
        return World(integration.id, cohort.id, cohort.code)


def mark_synced(store: Store, world: World, *, audience: bool = True) -> None:
    """What a successful audience sync leaves: the version, and the audience."""
    with store.transaction() as session:
        credentials = session.get(PinterestCredentials, world.integration_id)
        assert credentials is not None
        version = session.query(Workspace.config_version).scalar()
        credentials.audiences_synced_version = version
        credentials.audiences_next_sync_at = AT + 300_000
        if audience:
            session.add(
                PinterestAudience(
                    integration_id=world.integration_id,
                    tag_id=TAG_ID,
                    ad_account_id=AD_ACCOUNT,
                    cohort_code=world.code,
                    audience_id="2542620905475",
                    name=f"Travel readers (Cohortcast {world.code})",
                    size=1234,
                    status="READY",
                    updated_at=AT,
                )
            )


def queue(
    store: Store, world: World, state: str, n: int, error: str | None = None
) -> None:
    """``n`` customer-list rows of the cohort in ``state``."""
    with store.transaction() as session:
        for _ in range(n):
            session.add(
                OutboxRow(
                    integration_id=world.integration_id,
                    kind="customer_list",
                    group_key=f"{world.code}:EMAIL",
                    ad_account_id=AD_ACCOUNT,
                    payload={
                        "cohort_code": world.code,
                        "list_type": "EMAIL",
                        "operation": "ADD",
                        "record": HASHED_EMAIL,
                    },
                    idempotency_key=f"list:{state}:{_ + 1}:{error}",
                    state=state,
                    attempts=1,
                    next_attempt_at=0,
                    created_at=AT,
                    last_error=error,
                )
            )


def exchange(
    world: World,
    at: int,
    *,
    kind: str = "conversions",
    method: str = "POST",
    path: str = f"/ad_accounts/{AD_ACCOUNT}/events",
    error: AdsApiError | None = None,
) -> log.Exchange:
    return log.Exchange(world.integration_id, kind, method, path, 3, at, 42, error)


def record(store: Store, *exchanges: log.Exchange) -> None:
    with store.transaction() as session:
        for one in exchanges:
            log.record(session, one)


def rows_of(page_html: str) -> list[str]:
    """The text of each body row of the page's table, whitespace squeezed."""
    body = re.search(r"<tbody>(.*?)</tbody>", page_html, re.S)
    if body is None:
        return []
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows
    ]


def text_of(page_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


@pytest.mark.parametrize("path", [AUDIENCES, LOG + "?result=failed"])
def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=%2Fdelivery")


def test_the_nav_links_to_delivery_and_marks_it_current(dashboard: TestClient) -> None:
    page = dashboard.get(AUDIENCES)

    assert page.status_code == 200
    assert '<a href="/delivery" aria-current="page">Delivery</a>' in page.text
    assert '<a href="/delivery/log">Delivery log</a>' in page.text


def test_without_pinterest_both_pages_say_to_add_it(dashboard: TestClient) -> None:
    audiences = text_of(dashboard.get(AUDIENCES).text)
    deliveries = text_of(dashboard.get(LOG).text)

    assert "No audiences yet: Pinterest is not set up." in audiences
    assert "Settings > Integrations > Add Integration > Pinterest" in audiences
    assert "No deliveries yet: Pinterest is not set up." in deliveries


def test_without_credentials_the_pages_say_how_to_turn_delivery_on(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=False)

    audiences = dashboard.get(AUDIENCES).text
    deliveries = dashboard.get(LOG).text

    form = f"/settings/integrations/{world.integration_id}#server-side-delivery"
    assert "Server-side delivery is off: enter an ad account ID" in text_of(audiences)
    assert f'href="{form}"' in audiences
    assert "No deliveries yet." in text_of(deliveries)
    assert f'href="{form}"' in deliveries


def test_with_credentials_but_nothing_routed_the_page_says_to_activate_a_cohort(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        activations.set_pinterest_toggle(session, workspace.id, world.cohort_id, False)

    audiences = text_of(dashboard.get(AUDIENCES).text)
    deliveries = text_of(dashboard.get(LOG).text)

    assert f"Ad account {AD_ACCOUNT}" in audiences
    assert "No audiences yet: no cohort is sent to Pinterest." in audiences
    assert "Not run yet: choose Test connection on the integration's page" in (
        audiences
    )
    assert "No deliveries yet: activate a cohort" in deliveries


def test_an_audience_shows_pinterests_status_size_and_what_was_sent(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    mark_synced(store, world)
    queue(store, world, "sent", 2)
    queue(store, world, "pending", 1, "Pinterest answered 503 to PATCH /x: busy")
    queue(store, world, "failed", 1, "Pinterest answered 400 (code 2) to PATCH /x: bad")

    page = dashboard.get(AUDIENCES)

    (row,) = rows_of(page.text)
    assert row.startswith(f"Travel readers {world.code} {TAG_ID} default")
    assert f"Travel readers (Cohortcast {world.code}) id 2542620905475" in row
    assert "Ready Advertisers can target it" in row
    assert "1,234" in row
    assert "2 sent, 1 queued, 1 refused" in row
    assert "Last synced 2026-11-30 00:53:20 UTC" in text_of(page.text)
    assert "Refused: Pinterest refused the request and it is not retried." in row
    assert "Error: Pinterest answered 400 (code 2) to PATCH /x: bad" in row
    assert HASHED_EMAIL not in page.text
    assert FAKE_TOKEN not in page.text
    assert f"GET /api/v1/integrations/{world.integration_id}/audiences" in page.text


def route_to_other_tag_id(store: Store, world: World) -> None:
    """Send the world's cohort to :data:`OTHER_TAG_ID` too."""
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        activations.create_activation(
            session, workspace.id, OTHER_TAG_ID, [world.cohort_id]
        )


def test_a_routed_cohort_without_an_audience_says_why(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    route_to_other_tag_id(store, world)

    before_sync = rows_of(dashboard.get(AUDIENCES).text)
    mark_synced(store, world)
    after_sync = rows_of(dashboard.get(AUDIENCES).text)

    assert [row.split(" Not created yet")[0] for row in before_sync] == [
        f"Travel readers {world.code} {TAG_ID} default No audience",
        f"Travel readers {world.code} {OTHER_TAG_ID} No audience",
    ]
    assert "Ready" in after_sync[0]
    assert (
        "Other account No ad account this token may use owns this Tag ID"
        in (after_sync[1])
    )


def test_an_audience_in_another_ad_account_names_that_account(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    route_to_other_tag_id(store, world)
    mark_synced(store, world)
    with store.transaction() as session:
        session.add(
            PinterestAudience(
                integration_id=world.integration_id,
                tag_id=OTHER_TAG_ID,
                ad_account_id="549755885176",
                cohort_code=world.code,
                audience_id="2542620905476",
                name=f"Travel readers (Cohortcast {world.code})",
                size=321,
                status="READY",
                updated_at=AT,
            )
        )

    rows = rows_of(dashboard.get(AUDIENCES).text)

    page = dashboard.get(AUDIENCES).text
    assert "(sent: in the last day; in every ad account below)" in page
    assert f"{OTHER_TAG_ID} in ad account 549755885176" in rows[1]
    assert "Ready" in rows[1]
    assert "321" in rows[1]
    assert "in ad account" not in rows[0]


def test_a_failing_audience_sync_says_what_to_do(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    refused = AdsApiError(
        "Authentication failed.", status=401, code=2, method="GET", path="/x"
    )
    record(
        store, exchange(world, AT, kind="audience_sync", method="GET", error=refused)
    )
    with store.transaction() as session:
        credentials = session.get(PinterestCredentials, world.integration_id)
        assert credentials is not None
        credentials.audiences_error = str(refused)

    page = text_of(dashboard.get(AUDIENCES).text)

    assert "✗ Failing Pinterest refused the access token." in page
    assert "Error: Pinterest answered 401 (code 2) to GET /x" in page


def test_the_log_lists_exchanges_newest_first_in_words(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    failure = AdsApiError(
        "Email someone@example.org is not valid.", status=400, code=1, method="POST"
    )
    record(
        store,
        exchange(world, AT, kind="connection_test", method="GET", path="/user_account"),
        exchange(
            world,
            AT + 1000,
            kind="audience_sync",
            path=f"/ad_accounts/{AD_ACCOUNT}/audiences",
        ),
        exchange(world, AT + 2000, error=failure),
    )

    page = dashboard.get(LOG)

    assert rows_of(page.text) == [
        "2026-11-30 00:53:22 UTC Conversions API batch 549755885175 ✗ 400 code 1 3 "
        "Pinterest refused the request and it is not retried. Its message says "
        "why; if it names a field Cohortcast sent, report it as a bug. "
        "Pinterest said: Email [email] is not valid. 42 ms",
        "2026-11-30 00:53:21 UTC Audience create 549755885175 ✓ 200 3 42 ms",
        "2026-11-30 00:53:20 UTC Connection test: access token none ✓ 200 3 42 ms",
    ]
    assert "someone@example.org" not in page.text


def test_the_log_pages_with_an_older_link_and_back_to_the_newest(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    record(store, *(exchange(world, AT + i * 1000) for i in range(120)))

    first = dashboard.get(LOG)
    older = re.search(r'href="/delivery/log\?before=(\d+)" rel="next"', first.text)
    assert older is not None
    second = dashboard.get(LOG, params={"before": older.group(1)})
    older_again = re.search(r'before=(\d+)" rel="next"', second.text)
    assert older_again is not None
    last = dashboard.get(LOG, params={"before": older_again.group(1)})

    seen = [rows_of(page.text) for page in (first, second, last)]
    assert f"/deliveries?before={older.group(1)}</code>" in second.text
    assert [len(rows) for rows in seen] == [50, 50, 20]
    times = [row.split(" UTC")[0] for rows in seen for row in rows]
    assert times == sorted(set(times), reverse=True)
    assert "← Newest" not in first.text
    assert 'href="/delivery/log">← Newest</a>' in last.text
    assert 'rel="next"' not in last.text


def test_the_failed_filter_keeps_only_refused_and_unanswered_exchanges(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    record(
        store,
        exchange(world, AT),
        exchange(world, AT + 1000, error=AdsApiError("timed out", status=0)),
        exchange(world, AT + 2000),
        exchange(world, AT + 3000, error=AdsApiError("slow down", status=429)),
    )

    page = dashboard.get(LOG, params={"result": "failed"})

    rows = rows_of(page.text)
    assert [row.split(" ")[8] for row in rows] == ["429", "no"]
    assert "Cohortcast waits as Pinterest asks" in rows[0]
    assert "Pinterest could not be reached" in rows[1]
    assert '<option value="failed" selected>' in page.text
    assert f"/api/v1/integrations/{world.integration_id}/deliveries?result=failed" in (
        page.text
    )


def test_the_failed_filter_with_nothing_failed_says_so(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    record(store, exchange(world, AT))

    page = text_of(dashboard.get(LOG, params={"result": "failed"}).text)

    assert "No failed deliveries: Pinterest accepted every request in the log." in page


@pytest.mark.parametrize(
    ("query", "quoted"),
    [
        ({"result": "broken"}, "Result 'broken' is not a filter"),
        ({"before": "abc"}, "Before 'abc' is not a position"),
        ({"before": "0"}, "Before '0' is not a position"),
        ({"before": "-5"}, "Before '-5' is not a position"),
    ],
)
def test_a_bad_query_parameter_is_a_400_that_quotes_it(
    dashboard: TestClient, query: dict[str, str], quoted: str
) -> None:
    response = dashboard.get(LOG, params=query)

    assert response.status_code == 400
    assert quoted in html.unescape(response.text)
    assert '<a href="/delivery/log">Show the newest deliveries</a>' in response.text
    assert '<a href="/delivery" aria-current="page">Delivery</a>' in response.text


def test_the_cohort_page_shows_its_audiences(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=True)
    mark_synced(store, world)

    page = text_of(dashboard.get(f"/cohorts/{world.cohort_id}").text)

    assert "Pinterest audiences" in page
    assert (
        f"{TAG_ID} : Ready Travel readers (Cohortcast {world.code}), "
        "1,234 people in Pinterest"
    ) in page


def test_the_cohort_page_leaves_audiences_out_while_delivery_is_off(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    world = add_pinterest(store, settings, credentials=False)

    page = dashboard.get(f"/cohorts/{world.cohort_id}").text

    assert "Pinterest audiences" not in page


def test_the_integration_list_links_to_audiences_and_the_log(
    store: Store, settings: Settings, dashboard: TestClient
) -> None:
    add_pinterest(store, settings, credentials=False)

    page = dashboard.get("/settings/integrations").text

    assert '<a href="/delivery">Audiences' in page
    assert '<a href="/delivery/log">Delivery log' in page
