"""VISITOR audiences kept in step with routing, and their sizes and statuses.

An integration's audiences are synced when the workspace's configuration
version differs from the one last synced (any cohort, activation or
integration change bumps it) and every ``SendContext.audience_refresh_ms``
otherwise (:data:`REFRESH_MS` unless the server is told otherwise), to read
Pinterest's sizes and statuses. A sync lists the ad account's
audiences, plans with ``plan_audience_changes`` (which matches audiences by
their rule, so one created just before a crash is found, not made again),
sends the plan, and stores what Pinterest holds per (Tag ID, cohort).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cohortcast.delivery.credentials import DeliveryTarget, find_credentials
from cohortcast.delivery.exchange import attempt
from cohortcast.delivery.log import Exchange
from cohortcast.pinterest.ads import (
    AdsApiError,
    AdsClient,
    ApiRequest,
    Audience,
    CohortAudience,
    cohort_of,
    list_audiences,
    list_conversion_tags,
    plan_audience_changes,
)
from cohortcast.store.delivery_models import PinterestAudience
from cohortcast.store.models import Cohort, Workspace
from cohortcast.store.routing import load_routing

if TYPE_CHECKING:
    from cohortcast.delivery.sender import SendContext

KIND = "audience_sync"
REFRESH_MS = 300_000

R = TypeVar("R", bound=BaseModel)


@dataclass
class AudienceSync:
    """What one sync did: its exchanges and the error that stopped it."""

    exchanges: list[Exchange] = field(default_factory=list)
    error: AdsApiError | None = None
    ran: bool = False


@dataclass(frozen=True)
class _Wanted:
    version: int
    cohorts: list[CohortAudience]


def _wanted_if_due(
    context: SendContext, target: DeliveryTarget, now: int
) -> _Wanted | None:
    with context.store.read() as session:
        credentials = find_credentials(session, target.integration_id)
        version = session.scalar(
            select(Workspace.config_version).where(Workspace.id == target.workspace_id)
        )
        assert version is not None
        changed = credentials.audiences_synced_version != version
        if not changed and now < credentials.audiences_next_sync_at:
            return None
        if (
            changed
            and credentials.audiences_sync_attempts
            and (now < credentials.audiences_next_sync_at)
        ):
            return None  # backing off after a failed sync
        rows = session.execute(
            select(Cohort.code, Cohort.name).where(
                Cohort.workspace_id == target.workspace_id
            )
        )
        names = {row.code: row.name for row in rows}
        cohorts = [
            CohortAudience(route["tag_id"], code, names[code])
            for route in load_routing(session, target.workspace_id)
            for code in route["cohort_codes"]
        ]
    return _Wanted(version, cohorts)


async def sync_audiences(
    context: SendContext, target: DeliveryTarget, client: AdsClient, now: int
) -> AudienceSync:
    """Sync the integration's audiences if due; record the result."""
    sync = AudienceSync()
    wanted = _wanted_if_due(context, target, now)
    if wanted is None:
        return sync
    sync.ran = True

    own_tags = await _own_tag_ids(context, target, client, sync)
    existing = (
        None if own_tags is None else await _list_all(context, target, client, sync)
    )
    if own_tags is not None and existing is not None:
        # An alternative Tag ID may belong to another Pinterest account: its
        # audiences live there, out of reach of these credentials.
        wanted = _Wanted(
            wanted.version,
            [cohort for cohort in wanted.cohorts if cohort.tag_id in own_tags],
        )
        plan = plan_audience_changes(target.ad_account_id, existing, wanted.cohorts)
        for request in plan:
            await _exchange(context, target, client, sync, request, items=1)
            if sync.error is not None:
                break
        if sync.error is None and plan:
            existing = await _list_all(context, target, client, sync)

    _record(context, target, wanted, existing if sync.error is None else None, sync)
    return sync


async def _exchange(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    sync: AudienceSync,
    request: ApiRequest[R],
    *,
    items: int,
) -> R | None:
    """Send one request of this sync and log it; None (and ``sync.error``
    set) when it failed."""
    answer, exchange = await attempt(
        client,
        request,
        integration_id=target.integration_id,
        kind=KIND,
        items=items,
        clock=context.clock,
    )
    sync.exchanges.append(exchange)
    if exchange.error is not None:
        sync.error = exchange.error
        return None
    return answer


async def _own_tag_ids(
    context: SendContext, target: DeliveryTarget, client: AdsClient, sync: AudienceSync
) -> set[str] | None:
    """The Tag IDs of the ad account's conversion tags, or None on failure."""
    request = list_conversion_tags(target.ad_account_id)
    tags = await _exchange(context, target, client, sync, request, items=0)
    return None if tags is None else {tag.id for tag in tags.items}


async def _list_all(
    context: SendContext, target: DeliveryTarget, client: AdsClient, sync: AudienceSync
) -> list[Audience] | None:
    audiences: list[Audience] = []
    bookmark: str | None = None
    while True:
        request = list_audiences(target.ad_account_id, bookmark)
        page = await _exchange(context, target, client, sync, request, items=0)
        if page is None:
            return None
        audiences.extend(page.items)
        bookmark = page.bookmark
        if not bookmark:
            return audiences


def _record(
    context: SendContext,
    target: DeliveryTarget,
    wanted: _Wanted,
    audiences: list[Audience] | None,
    sync: AudienceSync,
) -> None:
    now = context.clock()
    with context.store.transaction() as session:
        credentials = find_credentials(session, target.integration_id)
        if audiences is None:
            error = sync.error
            assert error is not None
            credentials.audiences_sync_attempts += 1
            credentials.audiences_error = str(error)
            retry = context.retry.delay(
                min(credentials.audiences_sync_attempts, 30), error, context.draw
            )
            refresh = context.audience_refresh_ms
            wait = int(retry * 1000) if retry is not None else refresh
            credentials.audiences_next_sync_at = now + wait
            return

        credentials.audiences_synced_version = wanted.version
        credentials.audiences_next_sync_at = now + context.audience_refresh_ms
        credentials.audiences_sync_attempts = 0
        credentials.audiences_error = None
        _store_mapping(session, target, wanted, audiences, now)


def _store_mapping(
    session: Session,
    target: DeliveryTarget,
    wanted: _Wanted,
    audiences: list[Audience],
    now: int,
) -> None:
    found: dict[tuple[str, str], Audience] = {}
    for audience in sorted(audiences, key=lambda item: int(item.id)):
        key = cohort_of(audience)
        if key is not None:
            found.setdefault(key, audience)
    session.execute(
        delete(PinterestAudience).where(
            PinterestAudience.integration_id == target.integration_id
        )
    )
    for cohort in wanted.cohorts:
        held = found.get((cohort.tag_id, cohort.cohort_code))
        if held is None:
            continue
        session.add(
            PinterestAudience(
                integration_id=target.integration_id,
                tag_id=cohort.tag_id,
                cohort_code=cohort.cohort_code,
                audience_id=held.id,
                name=held.name or cohort.name,
                size=held.size,
                status=held.status,
                updated_at=now,
            )
        )
