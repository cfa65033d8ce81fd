"""``/api/v1/integrations``: the workspace's Pinterest integration."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, SecretStr

from cohortcast.delivery import credentials
from cohortcast.store import integrations
from cohortcast.store.models import Integration
from cohortcast.web.api import pinterest_delivery
from cohortcast.web.api.auth import CallerDep
from cohortcast.web.api.schemas import RequestBody, as_utc

router = APIRouter(prefix="/integrations", tags=["integrations"])


class IntegrationCreate(RequestBody):
    """Add Pinterest with the Tag ID shown under Ads > Conversions."""

    type: Literal["pinterest"]
    tag_id: str
    name: str | None = None


class IntegrationUpdate(RequestBody):
    """Fields to change; omitted fields stay as they are."""

    tag_id: str | None = None
    name: str | None = None
    # Server-side delivery; the token is write-only (empty string: remove).
    ad_account_id: str | None = None
    access_token: SecretStr | None = None


class IntegrationOut(BaseModel):
    """An integration; ``status`` is ``live`` once saved (no publishing delay)."""

    id: str
    type: str
    name: str
    tag_id: str
    status: Literal["live"]
    created_at: datetime
    ad_account_id: str | None = None
    has_access_token: bool = False
    access_token_last4: str | None = None


def integration_out(integration: Integration) -> IntegrationOut:
    """The API view of an integration."""
    return IntegrationOut(
        id=integration.id,
        type=integration.type,
        name=integration.name,
        tag_id=integration.tag_id,
        status="live",
        created_at=as_utc(integration.created_at),
        **credentials.credentials_fields(integration),
    )


@router.post("", status_code=201)
def create_integration(body: IntegrationCreate, caller: CallerDep) -> IntegrationOut:
    """Add the Pinterest integration (409 if the workspace has one)."""
    with caller.store.transaction() as session:
        integration = integrations.add_pinterest_integration(
            session, caller.workspace_id, body.tag_id, body.name
        )
        return integration_out(integration)


@router.get("")
def list_integrations(caller: CallerDep) -> list[IntegrationOut]:
    """The workspace's integrations."""
    with caller.store.read() as session:
        return [
            integration_out(i)
            for i in integrations.list_integrations(session, caller.workspace_id)
        ]


@router.get("/{integration_id}")
def get_integration(integration_id: str, caller: CallerDep) -> IntegrationOut:
    """One integration."""
    with caller.store.read() as session:
        return integration_out(
            integrations.get_integration(session, caller.workspace_id, integration_id)
        )


@router.patch("/{integration_id}")
def update_integration(
    integration_id: str, body: IntegrationUpdate, caller: CallerDep, request: Request
) -> IntegrationOut:
    """Change the default Tag ID, the name, or the delivery credentials."""
    with caller.store.transaction() as session:
        integration = integrations.update_integration(
            session,
            caller.workspace_id,
            integration_id,
            tag_id=body.tag_id,
            name=body.name,
        )
        credentials.change_credentials(
            session,
            integration,
            request.app.state.settings,
            ad_account_id=body.ad_account_id,
            access_token=(
                body.access_token.get_secret_value()
                if body.access_token is not None
                else None
            ),
        )
        return integration_out(integration)


@router.delete("/{integration_id}", status_code=204)
def delete_integration(integration_id: str, caller: CallerDep) -> Response:
    """Delete the integration and every activation it has."""
    with caller.store.transaction() as session:
        integrations.delete_integration(session, caller.workspace_id, integration_id)
    return Response(status_code=204)


# Test connection, audiences and the delivery log: /integrations/{id}/...
router.include_router(pinterest_delivery.router)
