"""``/api/v1/activations``: extra Tag IDs and the cohorts each receives."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from cohortcast.store import activations
from cohortcast.store.models import Activation
from cohortcast.store.unset import UNSET
from cohortcast.web.api.auth import CallerDep
from cohortcast.web.api.schemas import RequestBody, as_utc

router = APIRouter(prefix="/activations", tags=["activations"])


class ActivationCreate(RequestBody):
    """Send ``cohort_ids`` to ``tag_id``; blank or null means the default Tag ID."""

    integration: Literal["pinterest"]
    tag_id: str | None = None
    cohort_ids: list[str]


class ActivationUpdate(RequestBody):
    """Fields to change; ``tag_id: null`` means the default Tag ID."""

    tag_id: str | None = None
    cohort_ids: list[str] | None = None


class ActivationOut(BaseModel):
    """An activation and the Tag ID it actually sends to."""

    id: str
    integration: Literal["pinterest"]
    tag_id: str | None
    effective_tag_id: str
    cohort_ids: list[str]
    is_default: bool
    created_at: datetime


def activation_out(activation: Activation) -> ActivationOut:
    """The API view of an activation."""
    return ActivationOut(
        id=activation.id,
        integration="pinterest",
        tag_id=activation.tag_id,
        effective_tag_id=activations.effective_tag_id(activation),
        cohort_ids=[cohort.id for cohort in activation.cohorts],
        is_default=activation.is_default,
        created_at=as_utc(activation.created_at),
    )


@router.post("", status_code=201)
def create_activation(body: ActivationCreate, caller: CallerDep) -> ActivationOut:
    """Add an activation (409 without a Pinterest integration)."""
    with caller.store.transaction() as session:
        activation = activations.create_activation(
            session, caller.workspace_id, body.tag_id, body.cohort_ids
        )
        return activation_out(activation)


@router.get("")
def list_activations(caller: CallerDep) -> list[ActivationOut]:
    """Every activation, the default one first."""
    with caller.store.read() as session:
        return [
            activation_out(a)
            for a in activations.list_activations(session, caller.workspace_id)
        ]


@router.get("/{activation_id}")
def get_activation(activation_id: str, caller: CallerDep) -> ActivationOut:
    """One activation."""
    with caller.store.read() as session:
        return activation_out(
            activations.get_activation(session, caller.workspace_id, activation_id)
        )


@router.patch("/{activation_id}")
def update_activation(
    activation_id: str, body: ActivationUpdate, caller: CallerDep
) -> ActivationOut:
    """Change the Tag ID or replace the cohorts."""
    tag_id = body.tag_id if "tag_id" in body.model_fields_set else UNSET
    with caller.store.transaction() as session:
        activation = activations.update_activation(
            session,
            caller.workspace_id,
            activation_id,
            tag_id=tag_id,
            cohort_ids=body.cohort_ids,
        )
        return activation_out(activation)


@router.delete("/{activation_id}", status_code=204)
def delete_activation(activation_id: str, caller: CallerDep) -> Response:
    """Delete an activation (the default one cannot be deleted: 409)."""
    with caller.store.transaction() as session:
        activations.delete_activation(session, caller.workspace_id, activation_id)
    return Response(status_code=204)
