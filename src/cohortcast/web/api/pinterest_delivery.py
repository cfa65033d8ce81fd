"""``/api/v1/integrations/{id}/...``: server-side Pinterest delivery.

Test the connection, see the audiences Pinterest holds for routed cohorts,
and read the delivery log. Credentials are set with ``PATCH
/api/v1/integrations/{id}`` (see :mod:`.integrations`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from cohortcast.delivery import log, overview
from cohortcast.delivery.connection import (
    ConnectionOutcome,
    ConnectionResult,
    check_connection,
)
from cohortcast.delivery.credentials import cipher_for, find_credentials
from cohortcast.delivery.worker import wall_clock_ms
from cohortcast.pinterest.ads import AdsClient
from cohortcast.settings import Settings
from cohortcast.store import integrations
from cohortcast.web.api.auth import CallerDep

# No prefix: mounted inside the integrations router, under /integrations.
router = APIRouter(tags=["pinterest delivery"])


class ConnectionOut(BaseModel):
    """The result of a connection test and what it means."""

    ok: bool
    result: ConnectionOutcome
    detail: str


class AudienceOut(BaseModel):
    """A VISITOR audience Pinterest holds for one routed cohort and Tag ID."""

    id: str
    name: str
    tag_id: str
    cohort_code: str
    size: int | None
    status: str | None


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
    settings: Settings = request.app.state.settings
    with caller.store.transaction() as session:
        integration = integrations.get_integration(
            session, caller.workspace_id, integration_id
        )
        row = find_credentials(session, integration.id)
        ciphertext, ad_account_id = row.token_ciphertext, row.ad_account_id
        tag_id = integration.tag_id
    token = cipher_for(settings).decrypt(ciphertext) if ciphertext else None

    outcome = ConnectionResult(
        "not_configured",
        "Enter the ad account ID and an access token first (PATCH "
        "/api/v1/integrations/{id} with ad_account_id and access_token).",
    )
    exchanges: list[log.Exchange] = []
    if token is not None and ad_account_id is not None:
        async with AdsClient(token, base_url=settings.pinterest_api_url) as client:
            outcome, exchanges = await check_connection(
                client,
                ad_account_id,
                tag_id,
                integration_id=integration_id,
                clock=wall_clock_ms,
            )

    with caller.store.transaction() as session:
        for exchange in exchanges:
            log.record(session, exchange)
        if exchanges:
            session.flush()
            log.prune(session, integration_id)
        row = find_credentials(session, integration_id)
        row.connection_result = outcome.result
        row.connection_detail = outcome.detail
        row.connection_checked_at = wall_clock_ms()
    return ConnectionOut(ok=outcome.ok, result=outcome.result, detail=outcome.detail)


@router.get("/{integration_id}/audiences")
def list_audiences(integration_id: str, caller: CallerDep) -> list[AudienceOut]:
    """The audiences of routed cohorts, as Pinterest last reported them."""
    with caller.store.read() as session:
        integrations.get_integration(session, caller.workspace_id, integration_id)
        return [
            AudienceOut(
                id=row.audience_id,
                name=row.name,
                tag_id=row.tag_id,
                cohort_code=row.cohort_code,
                size=row.size,
                status=row.status,
            )
            for row in overview.stored_audiences(session, integration_id)
        ]


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
