"""The delivery worker: sync audiences, claim due outbox rows, send, record.

:func:`deliver_due` is one deterministic pass (tests call it with their own
clock and client factory); :func:`run_delivery` runs passes in the server's
event loop for the life of the app (see web/background.py).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cohortcast.delivery import log
from cohortcast.delivery.audiences import REFRESH_MS, sync_audiences
from cohortcast.delivery.credentials import (
    DeliveryTarget,
    TokenCipher,
    cipher_for,
    delivery_targets,
)
from cohortcast.delivery.exchange import Clock, wall_clock_ms
from cohortcast.delivery.outbox import (
    LEASE_MS,
    ClaimedRow,
    Outcome,
    claim_due,
    record_outcomes,
)
from cohortcast.delivery.sender import OUTBOX_RETRY, SendContext, send_group
from cohortcast.pinterest.ads import AdsClient, RateLimiter, RetryPolicy
from cohortcast.settings import Settings
from cohortcast.store.database import Store

logger = logging.getLogger(__name__)

ClientFactory = Callable[[DeliveryTarget], AdsClient]

# Rows whose integration lost its credentials wait this long before a retry.
_NO_CREDENTIALS_WAIT_MS = 60_000


@dataclass
class Deliverer:
    """Everything a pass needs; one per server process."""

    store: Store
    cipher: TokenCipher
    client_factory: ClientFactory
    clock: Clock = wall_clock_ms
    test_events: bool = False
    retry: RetryPolicy = OUTBOX_RETRY
    draw: Callable[[], float] = random.random
    lease_ms: int = LEASE_MS
    audience_refresh_ms: int = REFRESH_MS


@dataclass
class PassReport:
    """Counts of one pass, for tests and the benchmark."""

    claimed: int = 0
    states: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    audience_syncs: int = 0
    exchanges: int = 0


async def deliver_due(deliverer: Deliverer, now: int | None = None) -> PassReport:
    """One pass: sync due audiences, then deliver the due outbox rows."""
    now = deliverer.clock() if now is None else now
    context = SendContext(
        deliverer.store,
        deliverer.clock,
        deliverer.retry,
        deliverer.draw,
        deliverer.test_events,
        deliverer.audience_refresh_ms,
    )
    with deliverer.store.read() as session:
        targets = {
            target.integration_id: target
            for target in delivery_targets(session, deliverer.cipher)
        }
    report = PassReport()
    clients: dict[str, AdsClient] = {}
    try:
        exchanges: list[log.Exchange] = []
        for target in targets.values():
            client = _client(deliverer, clients, target)
            sync = await sync_audiences(context, target, client, now)
            report.audience_syncs += int(sync.ran)
            exchanges.extend(sync.exchanges)
        _write_log(deliverer.store, exchanges)

        await _deliver_outbox(deliverer, context, targets, clients, now, report)
    finally:
        for client in clients.values():
            await client.aclose()
    return report


async def _deliver_outbox(
    deliverer: Deliverer,
    context: SendContext,
    targets: dict[str, DeliveryTarget],
    clients: dict[str, AdsClient],
    now: int,
    report: PassReport,
) -> None:
    with deliverer.store.transaction() as session:
        claimed = claim_due(session, now, lease_ms=deliverer.lease_ms)
    report.claimed = len(claimed)
    if not claimed:
        return

    outcomes: list[Outcome] = []
    exchanges: list[log.Exchange] = []
    for group in _groups(claimed):
        target = targets.get(group[0].integration_id)
        if target is None:
            retry_at = now + _NO_CREDENTIALS_WAIT_MS
            outcomes.append(Outcome([row.id for row in group], "pending", retry_at))
            continue
        client = _client(deliverer, clients, target)
        account = target.in_account(group[0].ad_account_id)
        result = await send_group(context, account, client, group)
        outcomes.extend(result.outcomes)
        exchanges.extend(result.exchanges)

    with deliverer.store.transaction() as session:
        record_outcomes(session, outcomes, deliverer.clock())
    _write_log(deliverer.store, exchanges)
    report.exchanges += len(exchanges)
    for outcome in outcomes:
        report.states[outcome.state] += len(outcome.row_ids)


def _groups(rows: Sequence[ClaimedRow]) -> list[list[ClaimedRow]]:
    grouped: dict[tuple[str, str, str, str], list[ClaimedRow]] = {}
    for row in rows:
        grouped.setdefault(row.group, []).append(row)
    return list(grouped.values())


def _client(
    deliverer: Deliverer, clients: dict[str, AdsClient], target: DeliveryTarget
) -> AdsClient:
    if target.integration_id not in clients:
        clients[target.integration_id] = deliverer.client_factory(target)
    return clients[target.integration_id]


def _write_log(store: Store, exchanges: Sequence[log.Exchange]) -> None:
    if not exchanges:
        return
    with store.transaction() as session:
        for exchange in exchanges:
            log.record(session, exchange)
        session.flush()
        for integration_id in {exchange.integration_id for exchange in exchanges}:
            log.prune(session, integration_id)


def client_factory_for(settings: Settings) -> ClientFactory:
    """Clients on ``settings``' API URL sharing one rate limiter, so every
    pass of this process stays under 5,000 calls per minute per ad account."""
    limiter = RateLimiter()

    def make(target: DeliveryTarget) -> AdsClient:
        return AdsClient(
            target.access_token,
            base_url=settings.pinterest_api_url,
            rate_limiter=limiter,
        )

    return make


def deliverer_for(settings: Settings, store: Store) -> Deliverer:
    """The deliverer a server process runs with ``settings``."""
    return Deliverer(
        store,
        cipher_for(settings),
        client_factory_for(settings),
        test_events=settings.pinterest_test_events,
        lease_ms=settings.delivery_lease_seconds * 1000,
        audience_refresh_ms=settings.audience_refresh_seconds * 1000,
    )


async def run_delivery(deliverer: Deliverer, interval_seconds: float) -> None:
    """Run :func:`deliver_due` every ``interval_seconds`` until cancelled; a
    failing pass is logged and the next one tries again."""
    while True:
        try:
            await deliver_due(deliverer)
        except Exception:
            logger.exception("A delivery pass failed; retrying")
        await asyncio.sleep(interval_seconds)
