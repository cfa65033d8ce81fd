"""Turning one group of claimed outbox rows into Ads API requests.

Conversion events go out 1,000 per request. Customer-list records go out in
id order as runs of one operation (ADD or REMOVE), 10,000 per request, so a
record added and then removed ends up removed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cohortcast.delivery.audiences import REFRESH_MS
from cohortcast.delivery.credentials import DeliveryTarget
from cohortcast.delivery.customer_lists import resolve_list
from cohortcast.delivery.enqueue import CONVERSIONS, CUSTOMER_LIST
from cohortcast.delivery.exchange import Clock, attempt
from cohortcast.delivery.log import Exchange
from cohortcast.delivery.outbox import ClaimedRow, Outcome
from cohortcast.pinterest.ads import (
    MAX_EVENTS_PER_REQUEST,
    MAX_RECORDS_PER_REQUEST,
    AdsApiError,
    AdsClient,
    ApiRequest,
    RetryPolicy,
    batched,
    customer_list_update_requests,
    send_conversion_events,
    validate_conversion_event,
)
from cohortcast.store.database import Store

# Delivery never gives up on a retryable error: the wait grows to 5 minutes
# and stays there until Pinterest answers again.
OUTBOX_RETRY = RetryPolicy(max_attempts=2**31, base_delay=1.0, max_delay=300.0)
_MAX_EXPONENT_ATTEMPT = 30


@dataclass
class GroupResult:
    """Outcomes for every row of a group, and the exchanges that led to them."""

    outcomes: list[Outcome] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass(frozen=True)
class SendContext:
    """What sending needs besides the rows: time, retry policy, test mode."""

    store: Store
    clock: Clock
    retry: RetryPolicy = OUTBOX_RETRY
    draw: Callable[[], float] = random.random
    test_events: bool = False
    audience_refresh_ms: int = REFRESH_MS

    def outcome_of(
        self, rows: Sequence[ClaimedRow], error: AdsApiError | None
    ) -> Outcome:
        """Sent, retry after the policy's delay, or failed with Pinterest's message."""
        ids = [row.id for row in rows]
        if error is None:
            return Outcome(ids, "sent")
        attempts = min(max(row.attempts for row in rows), _MAX_EXPONENT_ATTEMPT)
        delay = self.retry.delay(attempts, error, self.draw)
        if delay is None:
            return Outcome(ids, "failed", error=str(error))
        return Outcome(ids, "pending", self.clock() + int(delay * 1000), str(error))


async def send_group(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    rows: Sequence[ClaimedRow],
) -> GroupResult:
    """Deliver one group's rows (all of one kind and group key)."""
    if rows[0].kind == CONVERSIONS:
        return await _send_conversions(context, target, client, rows)
    return await _send_customer_list(context, target, client, rows)


async def _send_conversions(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    rows: Sequence[ClaimedRow],
) -> GroupResult:
    result = GroupResult()
    for chunk in batched(rows, MAX_EVENTS_PER_REQUEST):
        events = [validate_conversion_event(row.payload) for row in chunk]
        request = send_conversion_events(
            target.ad_account_id, events, test=context.test_events
        )
        error = await _attempt(
            context, target, client, request, CONVERSIONS, len(chunk), result
        )
        result.outcomes.append(context.outcome_of(chunk, error))
    return result


async def _send_customer_list(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    rows: Sequence[ClaimedRow],
) -> GroupResult:
    result = GroupResult()
    runs = _runs_of_one_operation(rows)
    for index, run in enumerate(runs):
        error = await _send_run(context, target, client, run, result)
        if error is not None and error.retryable:
            # Later runs wait too: sending them now would reorder the list.
            rest = [row for later in runs[index + 1 :] for row in later]
            if rest:
                retry = context.outcome_of(run, error)
                result.outcomes.append(
                    Outcome([r.id for r in rest], "pending", retry.next_attempt_at)
                )
            break
    return result


async def _send_run(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    run: Sequence[ClaimedRow],
    result: GroupResult,
) -> AdsApiError | None:
    """One run of ADDs or REMOVEs; the first error stops it (later chunks wait)."""
    operation = run[0].payload["operation"]
    chunks = list(batched(run, MAX_RECORDS_PER_REQUEST))
    records = [row.payload["record"] for row in chunks[0]]
    resolved = await resolve_list(context, target, client, run[0].payload, records)
    result.exchanges.extend(resolved.exchanges)
    if resolved.error is not None or resolved.list_id is None:
        # No list and nothing to add (a REMOVE) is done; an error retries all.
        result.outcomes.append(context.outcome_of(run, resolved.error))
        return resolved.error
    if resolved.created_with_first_chunk:
        result.outcomes.append(context.outcome_of(chunks[0], None))
        chunks = chunks[1:]

    for position, chunk in enumerate(chunks):
        records = [row.payload["record"] for row in chunk]
        (request,) = customer_list_update_requests(
            target.ad_account_id, resolved.list_id, operation, records
        )
        error = await _attempt(
            context, target, client, request, CUSTOMER_LIST, len(chunk), result
        )
        if error is not None and error.retryable:
            waiting = [row for later in chunks[position:] for row in later]
            result.outcomes.append(context.outcome_of(waiting, error))
            return error
        result.outcomes.append(context.outcome_of(chunk, error))
    return None


async def _attempt(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    request: ApiRequest[Any],
    kind: str,
    items: int,
    result: GroupResult,
) -> AdsApiError | None:
    _answer, exchange = await attempt(
        client,
        request,
        integration_id=target.integration_id,
        kind=kind,
        items=items,
        clock=context.clock,
    )
    result.exchanges.append(exchange)
    return exchange.error


def _runs_of_one_operation(rows: Sequence[ClaimedRow]) -> list[list[ClaimedRow]]:
    runs: list[list[ClaimedRow]] = []
    for row in sorted(rows, key=lambda item: item.id):
        if runs and runs[-1][0].payload["operation"] == row.payload["operation"]:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs
