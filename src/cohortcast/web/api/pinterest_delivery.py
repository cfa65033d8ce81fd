"""``/api/v1/integrations/{id}/...``: server-side Pinterest delivery.

Test the connection, see the audiences Pinterest holds for routed cohorts,
and read the delivery log. Credentials are set with ``PATCH
/api/v1/integrations/{id}`` (see :mod:`.integrations`). The work is done in
:mod:`cohortcast.delivery`, by the functions the dashboard calls too.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from cohortcast.delivery import log, overview
from cohortcast.delivery.connection import ConnectionOutcome, run_connection_test
from cohortcast.store import integrations
from cohortcast.web.api.auth import CallerDep

# No prefix: mounted inside the integrations router, under /integrations.
router = APIRouter(tags=["pinterest delivery"])


class ConnectionOut(BaseModel):
    """The result of a connection test and what it means."""

    ok: bool
    result: ConnectionOutcome
    detail: str


class OutboxCountsOut(BaseModel):
    """Items of one cohort in one ad account: waiting to go out, sent in the
    last day, and refused by Pinterest (not retried)."""

    queued: int
    sent: int
    failed: int


class AudienceOut(BaseModel):
    """A VISITOR audience Pinterest holds for one routed cohort and Tag ID,
    in the ad account that owns the Tag ID, with what server-side delivery
    sent that account for the cohort."""

    id: str
    name: str
    tag_id: str
    cohort_code: str
    ad_account_id: str
    size: int | None
    status: str | None
    customer_list_records: OutboxCountsOut
    conversion_events: OutboxCountsOut
    last_error: str | None


class DeliveryOut(BaseModel):
    """One exchange with Pinterest from the delivery log."""

    id: int
    at: int
    kind: str
    method: str
    path: str
    items: int
    status: int
    pinterest_code: int | None
    message: str | None
    duration_ms: int


class DeliveryPage(BaseModel):
    """Newest first; pass ``next_before`` as ``before`` for the next page."""

    items: list[DeliveryOut]
    next_before: int | None


@router.post("/{integration_id}/test-connection")
async def test_connection(
    integration_id: str, caller: CallerDep, request: Request
) -> ConnectionOut:
    """Check the token, the ad account, and that the Tag ID belongs to it."""
    outcome = await run_connection_test(
        caller.store, request.app.state.settings, caller.workspace_id, integration_id
    )
    return ConnectionOut(ok=outcome.ok, result=outcome.result, detail=outcome.detail)


@router.get("/{integration_id}/audiences")
def list_audiences(integration_id: str, caller: CallerDep) -> list[AudienceOut]:
    """The audiences of routed cohorts, as Pinterest last reported them, and
    the cohort's customer-list records and Conversions API events."""
    with caller.store.read() as session:
        integration = integrations.get_integration(
            session, caller.workspace_id, integration_id
        )
        managed = overview.delivery_overview(session, integration).audiences
        return [
            AudienceOut(
                id=audience.audience_id,
                name=audience.name or "",
                tag_id=audience.tag_id,
                cohort_code=audience.cohort_code,
                ad_account_id=audience.ad_account_id or "",
                size=audience.size,
                status=audience.status,
                customer_list_records=_counts(audience.delivery.customer_list),
                conversion_events=_counts(audience.delivery.conversions),
                last_error=audience.delivery.last_error,
            )
            for audience in sorted(managed, key=lambda a: (a.tag_id, a.cohort_code))
            if audience.audience_id is not None
        ]


def _counts(counts: overview.OutboxCounts) -> OutboxCountsOut:
    return OutboxCountsOut(queued=counts.queued, sent=counts.sent, failed=counts.failed)


@router.get("/{integration_id}/deliveries")
def list_deliveries(
    integration_id: str,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[int | None, Query(ge=1)] = None,
    result: Literal["all", "failed"] = "all",
) -> DeliveryPage:
    """The delivery log, newest first, ``limit`` per page; ``result=failed``
    keeps the exchanges Pinterest did not accept."""
    with caller.store.read() as session:
        integrations.get_integration(session, caller.workspace_id, integration_id)
        entries = log.newest(
            session, integration_id, limit, before, failed_only=result == "failed"
        )
        items = [
            DeliveryOut.model_validate(entry, from_attributes=True) for entry in entries
        ]
    next_before = items[-1].id if len(items) == limit else None
    return DeliveryPage(items=items, next_before=next_before)
