"""VISITOR audiences kept in step with routing, and their sizes and statuses.

An integration's audiences are synced when the workspace's configuration
version differs from the one last synced (any cohort, activation or
integration change bumps it) and every ``SendContext.audience_refresh_ms``
otherwise (:data:`REFRESH_MS` unless the server is told otherwise), to read
Pinterest's sizes and statuses.

A sync first places each routed Tag ID in the ad account that owns it: the
integration's own, or another account the token may use (an alternative Tag
ID of a second Pinterest account, reached through Business Access). Then,
per account, it lists the audiences, plans with ``plan_audience_changes``
(which matches audiences by their rule, so one created just before a crash
is found, not made again), sends the plan, and stores what Pinterest holds
per (Tag ID, cohort) with the account. In another account only the
audiences of this workspace's Tag IDs are managed. A Tag ID no reachable
account owns gets no audience: the pixel alone delivers it.
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
    list_ad_accounts,
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

# Bounds on the search for the ad account of a routed Tag ID, per sync.
MAX_ACCOUNT_PAGES = 4
MAX_ACCOUNTS_SEARCHED = 50

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
    # The Tag IDs each ad account held audiences for at the last sync.
    stored: dict[str, set[str]]


@dataclass
class _Owners:
    """Which ad account owns each routed Tag ID the sync could place."""

    primary: str
    # The Tag IDs of the integration's own ad account.
    own: set[str] = field(default_factory=set)
    tags: dict[str, str] = field(default_factory=dict)
    # The other ad accounts the token may use; None when they were not
    # listed (no need) or listing them failed.
    reachable: set[str] | None = None

    def accounts(self, wanted: _Wanted) -> dict[str, set[str]]:
        """The Tag IDs to manage in each ad account to sync, the primary first."""
        managed: dict[str, set[str]] = {self.primary: set()}
        for tag_id, account in self.tags.items():
            managed.setdefault(account, set()).add(tag_id)
        for account, tag_ids in wanted.stored.items():
            if account in managed:
                managed[account] |= tag_ids
            elif self.reachable is not None and account in self.reachable:
                managed[account] = set(tag_ids)
        return managed


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
        stored: dict[str, set[str]] = {}
        for account, tag_id in session.execute(
            select(PinterestAudience.ad_account_id, PinterestAudience.tag_id).where(
                PinterestAudience.integration_id == target.integration_id
            )
        ):
            stored.setdefault(account, set()).add(tag_id)
    return _Wanted(version, cohorts, stored)


async def sync_audiences(
    context: SendContext, target: DeliveryTarget, client: AdsClient, now: int
) -> AudienceSync:
    """Sync the integration's audiences if due; record the result.

    Each routed Tag ID's audiences are kept in the ad account that owns it:
    the integration's own, or another one the token may use. A Tag ID no
    reachable account owns is left to the pixel.
    """
    sync = AudienceSync()
    wanted = _wanted_if_due(context, target, now)
    if wanted is None:
        return sync
    sync.ran = True

    owners = await _find_owners(context, target, client, sync, wanted)
    held: dict[str, list[Audience]] = {}
    if owners is not None:
        for account, tag_ids in owners.accounts(wanted).items():
            cohorts = [
                c for c in wanted.cohorts if owners.tags.get(c.tag_id) == account
            ]
            scope = None if account == owners.primary else tag_ids
            audiences = await _reconcile(
                context, target.in_account(account), client, sync, cohorts, scope
            )
            if audiences is None:
                break
            held[account] = audiences
    _record(context, target, wanted, owners, held, sync)
    return sync


async def _reconcile(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    sync: AudienceSync,
    cohorts: list[CohortAudience],
    tag_ids: set[str] | None,
) -> list[Audience] | None:
    """Make one ad account's cohort audiences match ``cohorts``; what it
    then holds, or None when Pinterest refused a request."""
    existing = await _list_all(context, target, client, sync)
    if existing is None:
        return None
    plan = plan_audience_changes(
        target.ad_account_id, existing, cohorts, tag_ids=tag_ids
    )
    for request in plan:
        if await _exchange(context, target, client, sync, request, items=1) is None:
            return None
    return await _list_all(context, target, client, sync) if plan else existing


async def _exchange(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    sync: AudienceSync,
    request: ApiRequest[R],
    *,
    items: int,
    required: bool = True,
) -> R | None:
    """Send one request of this sync and log it; None when it failed, and
    then ``sync.error`` is set unless the request was not ``required`` and
    the error is not worth retrying."""
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
        if required or exchange.error.retryable:
            sync.error = exchange.error
        return None
    return answer


async def _find_owners(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    sync: AudienceSync,
    wanted: _Wanted,
) -> _Owners | None:
    """The owners of the routed Tag IDs, or None when the integration's own
    ad account could not be read.

    The other accounts the token may use are listed only when a routed Tag
    ID is not the integration account's, or audiences were kept in another
    account before; then their conversion tags are read, those that held
    audiences first, until every routed Tag ID is placed or
    :data:`MAX_ACCOUNTS_SEARCHED` accounts were read.
    """
    primary = target.ad_account_id
    own = await _tag_ids_of(context, target, client, sync)
    if own is None:
        return None
    routed = {cohort.tag_id for cohort in wanted.cohorts}
    owners = _Owners(primary, own, dict.fromkeys(routed & own, primary))
    unplaced = routed - own
    if not unplaced and set(wanted.stored) <= {primary}:
        return owners

    owners.reachable = await _other_accounts(context, target, client, sync)
    if owners.reachable is None:
        return owners
    ordered = sorted(owners.reachable, key=lambda a: (a not in wanted.stored, a))
    for account in ordered[:MAX_ACCOUNTS_SEARCHED]:
        if not unplaced:
            break
        found = await _tag_ids_of(
            context, target.in_account(account), client, sync, required=False
        )
        if found is None:
            if sync.error is not None:
                break  # Pinterest is busy or down: try the whole sync again.
            continue  # This account does not let the token read its tags.
        owners.tags.update((tag_id, account) for tag_id in unplaced & found)
        unplaced -= found
    return owners


async def _tag_ids_of(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    sync: AudienceSync,
    *,
    required: bool = True,
) -> set[str] | None:
    """The Tag IDs of the ad account's conversion tags, or None on failure.

    Not ``required`` (another account, shared with the token's user in a role
    that may not read tags), only a retryable failure fails the sync.
    """
    request = list_conversion_tags(target.ad_account_id)
    tags = await _exchange(
        context, target, client, sync, request, items=0, required=required
    )
    return None if tags is None else {tag.id for tag in tags.items}


async def _other_accounts(
    context: SendContext, target: DeliveryTarget, client: AdsClient, sync: AudienceSync
) -> set[str] | None:
    """The ad accounts besides the integration's that the token may use."""
    accounts: set[str] = set()
    bookmark: str | None = None
    for _ in range(MAX_ACCOUNT_PAGES):
        request = list_ad_accounts(bookmark)
        page = await _exchange(context, target, client, sync, request, items=0)
        if page is None:
            return None
        accounts.update(account.id for account in page.items)
        bookmark = page.bookmark
        if not bookmark:
            break
    accounts.discard(target.ad_account_id)
    return accounts


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
    owners: _Owners | None,
    held: dict[str, list[Audience]],
    sync: AudienceSync,
) -> None:
    now = context.clock()
    with context.store.transaction() as session:
        credentials = find_credentials(session, target.integration_id)
        if owners is not None:
            credentials.conversion_tag_ids = sorted(owners.own)
        if owners is not None and owners.primary in held:
            _store_mapping(session, target, wanted, owners, held, now)
        if sync.error is not None:
            error = sync.error
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


def _store_mapping(
    session: Session,
    target: DeliveryTarget,
    wanted: _Wanted,
    owners: _Owners,
    held: dict[str, list[Audience]],
    now: int,
) -> None:
    """Replace the stored audiences of each account synced, and forget those
    of accounts the token no longer reaches."""
    forgotten = set(held)
    if owners.reachable is not None:
        forgotten |= set(wanted.stored) - owners.reachable - {owners.primary}
    session.execute(
        delete(PinterestAudience).where(
            PinterestAudience.integration_id == target.integration_id,
            PinterestAudience.ad_account_id.in_(forgotten),
        )
    )
    for account, audiences in held.items():
        found: dict[tuple[str, str], Audience] = {}
        for item in sorted(audiences, key=lambda item: int(item.id)):
            key = cohort_of(item)
            if key is not None:
                found.setdefault(key, item)
        for cohort in wanted.cohorts:
            if owners.tags.get(cohort.tag_id) != account:
                continue
            audience = found.get((cohort.tag_id, cohort.cohort_code))
            if audience is None:
                continue
            session.add(
                PinterestAudience(
                    integration_id=target.integration_id,
                    tag_id=cohort.tag_id,
                    cohort_code=cohort.cohort_code,
                    ad_account_id=account,
                    audience_id=audience.id,
                    name=audience.name or cohort.name,
                    size=audience.size,
                    status=audience.status,
                    updated_at=now,
                )
            )
