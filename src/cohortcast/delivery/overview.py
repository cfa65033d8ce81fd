"""What server-side delivery holds for one integration, read for people.

The dashboard's Audiences page and ``/api/v1/integrations/{id}/audiences``
read these functions: the audiences Pinterest last reported, what each
routed cohort has waiting, sent and refused in the outbox, and how the
connection test and the audience sync last went. Reads only the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import SQLColumnExpression, func, select
from sqlalchemy.orm import Session

from cohortcast.delivery import log
from cohortcast.delivery.audiences import KIND as AUDIENCE_SYNC
from cohortcast.delivery.enqueue import CONVERSIONS, CUSTOMER_LIST
from cohortcast.store.delivery_models import (
    DeliveryLogEntry,
    OutboxRow,
    PinterestAudience,
    PinterestCredentials,
)
from cohortcast.store.models import Cohort, Integration, Workspace
from cohortcast.store.routing import load_routing

Outlook = Literal["held", "awaiting_sync", "not_in_ad_account", "unrouted"]
"""Where a (Tag ID, cohort) stands: Pinterest holds its audience; the next
sync creates it; the last sync was current and still made none, so no ad
account the token reaches owns the Tag ID; or it is no longer routed and
the next sync archives it."""


@dataclass
class OutboxCounts:
    """Rows of one cohort and kind: waiting (pending or being sent), sent in
    the last day (sent rows are kept that long) and refused by Pinterest."""

    queued: int = 0
    sent: int = 0
    failed: int = 0

    def add(self, state: str, count: int) -> None:
        """Count ``count`` rows in ``state``."""
        if state == "sent":
            self.sent += count
        elif state == "failed":
            self.failed += count
        else:
            self.queued += count


@dataclass
class CohortDelivery:
    """What the outbox holds for one cohort, and its newest error."""

    customer_list: OutboxCounts = field(default_factory=OutboxCounts)
    conversions: OutboxCounts = field(default_factory=OutboxCounts)
    last_error: str | None = None
    last_error_retrying: bool = False


@dataclass(frozen=True)
class ManagedAudience:
    """One routed (Tag ID, cohort), or a stored audience no longer routed.

    ``ad_account_id`` is the account holding the audience (the integration's
    own, or another one the token reaches), None while none is known.
    """

    tag_id: str
    cohort_code: str
    ad_account_id: str | None
    cohort_id: str | None
    cohort_name: str | None
    outlook: Outlook
    audience_id: str | None
    name: str | None
    size: int | None
    status: str | None
    synced_at: int | None
    delivery: CohortDelivery


@dataclass(frozen=True)
class DeliveryOverview:
    """The integration's server-side delivery, as the store knows it."""

    integration_id: str
    tag_id: str
    ad_account_id: str | None
    has_access_token: bool
    connection_result: str | None
    connection_detail: str | None
    connection_checked_at: int | None
    audiences_error: str | None
    last_sync_failure: DeliveryLogEntry | None
    ever_synced: bool
    next_sync_at: int | None
    conversions: OutboxCounts
    audiences: list[ManagedAudience]

    @property
    def configured(self) -> bool:
        """Whether the integration has an ad account and a token to deliver."""
        return self.ad_account_id is not None and self.has_access_token

    @property
    def synced_at(self) -> int | None:
        """When a sync last succeeded, as far as the stored audiences tell."""
        times = [a.synced_at for a in self.audiences if a.synced_at is not None]
        return max(times, default=None)


def stored_audiences(session: Session, integration_id: str) -> list[PinterestAudience]:
    """The audiences the last successful sync stored, by Tag ID and cohort."""
    return list(
        session.scalars(
            select(PinterestAudience)
            .where(PinterestAudience.integration_id == integration_id)
            .order_by(PinterestAudience.tag_id, PinterestAudience.cohort_code)
        )
    )


def has_credentials(session: Session, integration_id: str) -> bool:
    """Whether the integration has an ad account and a token, so it delivers."""
    credentials = session.get(PinterestCredentials, integration_id)
    return (
        credentials is not None
        and credentials.ad_account_id is not None
        and credentials.token_ciphertext is not None
    )


def delivery_overview(
    session: Session, integration: Integration, *, outbox: bool = True
) -> DeliveryOverview:
    """Everything the Audiences page shows about ``integration``; without
    ``outbox``, the outbox is not counted (every count reads 0)."""
    credentials = session.get(PinterestCredentials, integration.id)
    configured = credentials is not None and credentials.ad_account_id is not None
    has_token = credentials is not None and credentials.token_ciphertext is not None

    deliveries = cohort_deliveries(session, integration.id) if outbox else {}
    audiences = _managed_audiences(session, integration, credentials, deliveries)
    conversions = OutboxCounts()
    for cohort in deliveries.values():
        conversions.queued += cohort.conversions.queued
        conversions.sent += cohort.conversions.sent
        conversions.failed += cohort.conversions.failed

    sync_error = credentials.audiences_error if credentials else None
    failure = None
    if sync_error is not None:
        found = log.newest(
            session, integration.id, 1, failed_only=True, kind=AUDIENCE_SYNC
        )
        failure = found[0] if found else None
    return DeliveryOverview(
        integration_id=integration.id,
        tag_id=integration.tag_id,
        ad_account_id=credentials.ad_account_id if credentials else None,
        has_access_token=has_token,
        connection_result=credentials.connection_result if credentials else None,
        connection_detail=credentials.connection_detail if credentials else None,
        connection_checked_at=(
            credentials.connection_checked_at if credentials else None
        ),
        audiences_error=sync_error,
        last_sync_failure=failure,
        ever_synced=(
            credentials is not None and credentials.audiences_synced_version is not None
        ),
        next_sync_at=(
            credentials.audiences_next_sync_at
            if credentials and configured and has_token
            else None
        ),
        conversions=conversions,
        audiences=audiences,
    )


def cohort_deliveries(
    session: Session, integration_id: str
) -> dict[tuple[str, str], CohortDelivery]:
    """(ad account, cohort code) -> the outbox rows of the cohort's customer
    lists and conversions in that account."""
    by_code: dict[tuple[str, str], CohortDelivery] = defaultdict(CohortDelivery)
    newest_error_id: dict[tuple[str, str], int] = {}
    for kind, code_of in ((CUSTOMER_LIST, _list_code), (CONVERSIONS, _event_code)):
        # One expression object for SELECT and GROUP BY: PostgreSQL matches
        # them by text, bound parameters included.
        code = code_of()
        account = OutboxRow.ad_account_id
        counts = session.execute(
            select(account, code, OutboxRow.state, func.count())
            .where(OutboxRow.integration_id == integration_id, OutboxRow.kind == kind)
            .group_by(account, code, OutboxRow.state)
        )
        for ad_account_id, key, state, count in counts:
            counted = by_code[ad_account_id, _cohort(key)]
            side = (
                counted.customer_list if kind == CUSTOMER_LIST else counted.conversions
            )
            side.add(state, count)

        # One row per distinct message: a Pinterest outage leaves thousands
        # of rows with the same few errors.
        errors = session.execute(
            select(
                account,
                code,
                OutboxRow.state,
                OutboxRow.last_error,
                func.max(OutboxRow.id),
            )
            .where(
                OutboxRow.integration_id == integration_id,
                OutboxRow.kind == kind,
                OutboxRow.last_error.is_not(None),
                OutboxRow.state != "sent",
            )
            .group_by(account, code, OutboxRow.state, OutboxRow.last_error)
        )
        for ad_account_id, key, state, error, row_id in errors:
            cohort_key = (ad_account_id, _cohort(key))
            if row_id > newest_error_id.get(cohort_key, 0):
                newest_error_id[cohort_key] = row_id
                counted = by_code[cohort_key]
                counted.last_error = error
                counted.last_error_retrying = state != "failed"
    return dict(by_code)


def _list_code() -> SQLColumnExpression[str]:
    # group_key is "{cohort_code}:{list_type}"; the code is split off in Python.
    return OutboxRow.group_key


def _event_code() -> SQLColumnExpression[str]:
    # A conversion event carries its cohort code in custom_data.content_ids.
    code: SQLColumnExpression[str] = OutboxRow.payload[
        ("custom_data", "content_ids", 0)
    ].as_string()
    return code


def _cohort(key: str | None) -> str:
    return (key or "").split(":", 1)[0]


def _managed_audiences(
    session: Session,
    integration: Integration,
    credentials: PinterestCredentials | None,
    deliveries: dict[tuple[str, str], CohortDelivery],
) -> list[ManagedAudience]:
    workspace_id = integration.workspace_id
    cohorts = {
        row.code: (row.id, row.name)
        for row in session.execute(
            select(Cohort.code, Cohort.id, Cohort.name).where(
                Cohort.workspace_id == workspace_id
            )
        )
    }
    routed = {
        (route["tag_id"], code)
        for route in load_routing(session, workspace_id)
        for code in route["cohort_codes"]
    }
    stored = {
        (row.tag_id, row.cohort_code): row
        for row in stored_audiences(session, integration.id)
    }
    version = session.scalar(
        select(Workspace.config_version).where(Workspace.id == workspace_id)
    )
    sync_current = (
        credentials is not None
        and credentials.audiences_error is None
        and credentials.audiences_synced_version == version
    )

    def order(key: tuple[str, str]) -> tuple[bool, str, str]:
        # The default Tag ID first, then by Tag ID; cohorts by name.
        tag_id, code = key
        name = cohorts.get(code, (None, code))[1] or code
        return (tag_id != integration.tag_id, tag_id, name.casefold())

    managed = []
    for tag_id, code in sorted(routed | stored.keys(), key=order):
        row = stored.get((tag_id, code))
        cohort_id, cohort_name = cohorts.get(code, (None, None))
        account = row.ad_account_id if row else None
        if account is None and tag_id == integration.tag_id and credentials:
            account = credentials.ad_account_id
        managed.append(
            ManagedAudience(
                tag_id=tag_id,
                cohort_code=code,
                ad_account_id=account,
                cohort_id=cohort_id,
                cohort_name=cohort_name,
                outlook=_outlook((tag_id, code) in routed, row, sync_current),
                audience_id=row.audience_id if row else None,
                name=row.name if row else None,
                size=row.size if row else None,
                status=row.status if row else None,
                synced_at=row.updated_at if row else None,
                delivery=deliveries.get((account or "", code), CohortDelivery()),
            )
        )
    return managed


def _outlook(
    routed: bool, row: PinterestAudience | None, sync_current: bool
) -> Outlook:
    if not routed:
        return "unrouted"
    if row is not None:
        return "held"
    return "not_in_ad_account" if sync_current else "awaiting_sync"


def audiences_of_cohort(
    overviews: Iterable[DeliveryOverview], cohort_code: str
) -> list[ManagedAudience]:
    """The audiences of one cohort, across the given integrations."""
    return [
        audience
        for overview in overviews
        for audience in overview.audiences
        if audience.cohort_code == cohort_code
    ]
