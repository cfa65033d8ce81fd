"""The Ads API client against the sandbox, over real HTTP."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx
import pytest

from cohortcast.pinterest.ads import (
    AdsClient,
    AudienceCreateRequest,
    AudienceRule,
    AuthenticationError,
    CohortAudience,
    InvalidRequest,
    NetworkError,
    NotFound,
    PermissionDenied,
    RateLimited,
    RateLimiter,
    RetryPolicy,
    ServerError,
    cohort_conversion_event,
    get_audience,
    get_user_account,
    list_conversion_tags,
)
from cohortcast.pinterest.identifiers import hash_email
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN, Fault

if TYPE_CHECKING:
    from conftest import RunningSandbox

pytestmark = pytest.mark.anyio

ACCOUNT = "549755885175"
OTHER_ACCOUNT = "549755885199"
TAG = "2612345678901"


class RecordedSleep:
    """Stands in for asyncio.sleep: remembers the delays, waits for nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def client_for(
    sandbox: RunningSandbox,
    token: str = DEFAULT_TOKEN,
    sleep: RecordedSleep | None = None,
    timeout: float = 5.0,
) -> AdsClient:
    return AdsClient(
        token,
        base_url=sandbox.api_url,
        timeout=timeout,
        retry=RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=2.0),
        sleep=sleep or RecordedSleep(),
    )


def hashed_emails(count: int, start: int = 0) -> list[str]:
    return [hash_email(f"reader{i}@example.com") for i in range(start, start + count)]


async def test_audiences_are_created_renamed_and_archived_with_the_cohort(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        created = await client.sync_cohort_audiences(
            ACCOUNT, [CohortAudience(TAG, "k7d2qa", "Travel")]
        )
        assert [audience.name for audience in created] == ["Travel (Cohortcast k7d2qa)"]
        assert created[0].status == "TOO_SMALL"
        assert created[0].size == 0

        again = await client.sync_cohort_audiences(
            ACCOUNT, [CohortAudience(TAG, "k7d2qa", "Travel")]
        )
        assert again == []

        renamed = await client.sync_cohort_audiences(
            ACCOUNT, [CohortAudience(TAG, "k7d2qa", "Trips")]
        )
        assert renamed[0].id == created[0].id
        assert renamed[0].name == "Trips (Cohortcast k7d2qa)"

        await client.sync_cohort_audiences(ACCOUNT, [])
        assert await client.list_audiences(ACCOUNT) == []


async def test_listing_follows_bookmarks_across_pages(sandbox: RunningSandbox) -> None:
    wanted = [CohortAudience(TAG, f"c{i:03d}", f"Cohort {i}") for i in range(260)]
    async with client_for(sandbox) as client:
        await client.sync_cohort_audiences(ACCOUNT, wanted)
        listed = await client.list_audiences(ACCOUNT)
    assert len(listed) == 260


async def test_an_audience_becomes_ready_when_100_visitors_sent_the_pixel(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        [audience] = await client.sync_cohort_audiences(
            ACCOUNT, [CohortAudience(TAG, "k7d2qa", "Travel")]
        )
        async with httpx.AsyncClient(base_url=sandbox.url) as browser:
            for visitor in range(100):
                for _repeat in range(2 if visitor < 99 else 1):
                    await browser.get("/v3/", params=pixel(visitor, "k7d2qa"))
                if visitor == 98:
                    almost = await client.call(get_audience(ACCOUNT, audience.id))
                    assert (almost.size, almost.status) == (99, "TOO_SMALL")
            await browser.get("/v3/", params=pixel(500, "another"))

        ready = await client.call(get_audience(ACCOUNT, audience.id))
    assert (ready.size, ready.status) == (100, "READY")


def pixel(visitor: int, code: str) -> dict[str, str]:
    event_id = f"cc.{code}.v_{visitor}.1764777599000"
    ed = f'{{"cohort_code":"{code}","event_id":"{event_id}"}}'
    return {"tid": TAG, "event": "custom", "ed": ed, "cb": "1764777599001"}


async def test_a_customer_list_grows_with_add_and_shrinks_with_remove(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        created = await client.create_customer_list(
            ACCOUNT, "Travel", hashed_emails(60)
        )
        assert created.status == "TOO_SMALL"

        added = await client.update_customer_list(
            ACCOUNT, created.id, "ADD", hashed_emails(60, start=60)
        )
        assert added.status == "READY"
        assert added.num_uploaded_user_records == 120

        removed = await client.update_customer_list(
            ACCOUNT, created.id, "REMOVE", hashed_emails(30)
        )
    assert removed.status == "TOO_SMALL"
    assert len(sandbox.state.customer_lists[created.id].records) == 90


async def test_large_customer_list_updates_go_out_in_batches(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        created = await client.create_customer_list(
            ACCOUNT, "Big", hashed_emails(25_000)
        )
        answer = await client.update_customer_list(
            ACCOUNT, created.id, "REMOVE", hashed_emails(12_000)
        )
    # One create and two ADDs for 25,000 records, two REMOVEs for 12,000.
    assert answer.num_batches == 5
    assert len(sandbox.state.customer_lists[created.id].records) == 13_000


async def test_a_customer_list_audience_has_the_lists_size(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        created = await client.create_customer_list(
            ACCOUNT, "Loyal", hashed_emails(150)
        )
        audience = await client.create_audience(
            ACCOUNT,
            AudienceCreateRequest(
                name="Loyal readers",
                audience_type="CUSTOMER_LIST",
                rule=AudienceRule(customer_list_id=created.id),
            ),
        )
    assert (audience.size, audience.status) == (150, "READY")


async def test_conversion_events_are_delivered_1000_per_request(
    sandbox: RunningSandbox,
) -> None:
    events = [
        cohort_conversion_event("k7d2qa", f"v_{i}", 1764777599000, emails=["a@b.co"])
        for i in range(2500)
    ]
    async with client_for(sandbox) as client:
        summary = await client.send_conversion_events(ACCOUNT, events)
    assert (summary.received, summary.processed, summary.requests) == (2500, 2500, 3)
    assert sandbox.state.events_received == 2500
    # Requests run concurrently, so batches may arrive in any order.
    received = sandbox.state.latest_events(2500)
    assert {account for account, _event in received} == {ACCOUNT}
    assert sorted(event["event_id"] for _account, event in received) == sorted(
        event["event_id"] for event in events
    )


async def test_test_mode_answers_like_real_delivery_but_records_nothing(
    sandbox: RunningSandbox,
) -> None:
    events = [cohort_conversion_event("k7d2qa", "v_1", 1, maids=["ABC"])]
    async with client_for(sandbox) as client:
        summary = await client.send_conversion_events(ACCOUNT, events, test=True)
    assert summary.processed == 1
    assert sandbox.state.events_received == 0
    assert sandbox.state.test_events_received == 1


async def test_the_conversion_tags_give_the_ad_accounts_tag_ids(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        tags = await client.list_conversion_tags(ACCOUNT)
        account = await client.get_ad_account(ACCOUNT)
        user = await client.get_user_account()
    assert [tag.id for tag in tags] == [TAG]
    assert account.id == ACCOUNT
    assert user.username


async def test_a_bad_token_is_an_authentication_error(sandbox: RunningSandbox) -> None:
    async with client_for(sandbox, token="not-a-token") as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_audiences(ACCOUNT)
    assert (caught.value.status, caught.value.code) == (401, 2)
    assert not caught.value.retryable


async def test_another_users_ad_account_is_permission_denied(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.list_audiences(OTHER_ACCOUNT)
    assert caught.value.message == "You are not permitted to access that resource."


async def test_an_invalid_request_carries_pinterests_message(
    sandbox: RunningSandbox,
) -> None:
    sleep = RecordedSleep()
    async with client_for(sandbox, sleep=sleep) as client:
        with pytest.raises(InvalidRequest) as caught:
            await client.sync_cohort_audiences(
                ACCOUNT, [CohortAudience("2612345678999", "k7d2qa", "Travel")]
            )
    assert caught.value.status == 400
    assert "conversion tag 2612345678999 does not belong to ad account" in str(
        caught.value
    )
    assert sleep.delays == []


async def test_a_missing_audience_is_not_found(sandbox: RunningSandbox) -> None:
    async with client_for(sandbox) as client:
        with pytest.raises(NotFound, match="Audience 123 not found"):
            await client.call(get_audience(ACCOUNT, "123"))


async def test_a_429_is_retried_after_the_delay_pinterest_asks_for(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(
        Fault(path_prefix="/v5/ad_accounts", status=429, retry_after=1.0)
    )
    sleep = RecordedSleep()
    async with client_for(sandbox, sleep=sleep) as client:
        tags = await client.list_conversion_tags(ACCOUNT)
    assert [tag.id for tag in tags] == [TAG]
    assert sleep.delays == [1.0]


async def test_server_errors_are_retried_with_backoff_until_success(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(Fault(path_prefix="/v5/", status=503, count=2))
    sleep = RecordedSleep()
    async with client_for(sandbox, sleep=sleep) as client:
        await client.get_user_account()
    assert len(sleep.delays) == 2
    assert all(0 <= delay <= 0.02 for delay in sleep.delays)


async def test_server_errors_give_up_after_the_last_attempt(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(Fault(path_prefix="/v5/", status=500, count=10))
    sleep = RecordedSleep()
    async with client_for(sandbox, sleep=sleep) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_user_account()
    assert caught.value.retryable
    assert len(sleep.delays) == 3


async def test_a_slow_answer_times_out_as_a_retryable_network_error(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(Fault(path_prefix="/v5/user_account", delay_ms=1000))
    async with client_for(sandbox, timeout=0.1) as client:
        with pytest.raises(NetworkError, match="timed out") as caught:
            await client.send(get_user_account())
    assert caught.value.retryable


async def test_the_sandbox_rate_limit_answers_429_per_ad_account(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.set_rate_limit(3)
    async with client_for(sandbox) as client:
        for _ in range(3):
            await client.list_conversion_tags(ACCOUNT)
        with pytest.raises(RateLimited) as caught:
            await client.send(list_conversion_tags(ACCOUNT))
        await client.list_conversion_tags("549755885176")
    assert caught.value.code == 8


async def test_the_client_waits_for_the_ad_accounts_rate_limit(
    sandbox: RunningSandbox,
) -> None:
    now = [0.0]
    limiter = RateLimiter(calls=2, period=60, clock=lambda: now[0])
    sleep = RecordedSleep()
    client = AdsClient(
        DEFAULT_TOKEN, base_url=sandbox.api_url, rate_limiter=limiter, sleep=sleep
    )
    async with client:
        for _ in range(3):
            await client.list_conversion_tags(ACCOUNT)
        await client.list_conversion_tags("549755885176")
    # The third call to one account waits a refill interval; another
    # account's bucket is untouched.
    assert sleep.delays == [30.0]


async def test_cohort_audiences_report_id_size_and_status_by_tag_and_cohort(
    sandbox: RunningSandbox,
) -> None:
    async with client_for(sandbox) as client:
        await client.sync_cohort_audiences(
            ACCOUNT, [CohortAudience(TAG, "k7d2qa", "Travel")]
        )
        await client.create_audience(
            ACCOUNT,
            AudienceCreateRequest(
                name="Publisher's own",
                audience_type="VISITOR",
                rule=AudienceRule(visitor_source_id=TAG, event="checkout"),
            ),
        )
        audiences = await client.cohort_audiences(ACCOUNT)
    assert list(audiences) == [(TAG, "k7d2qa")]
    audience = audiences[TAG, "k7d2qa"]
    assert (audience.size, audience.status) == (0, "TOO_SMALL")
    assert audience.id.isdigit()


async def test_one_info_line_per_request_and_never_the_token(
    sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cohortcast.pinterest.ads")
    async with client_for(sandbox) as client:
        await client.list_conversion_tags(ACCOUNT)
        assert DEFAULT_TOKEN not in repr(client)
    lines = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("cohortcast.pinterest.ads")
    ]
    assert len(lines) == 1
    assert lines[0].startswith(
        f"Pinterest GET /ad_accounts/{ACCOUNT}/conversion_tags -> 200"
    )
    assert all(DEFAULT_TOKEN not in record.getMessage() for record in caplog.records)
