"""``/api/v1/cohorts``: cohorts and the cohort page's Pinterest toggle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from cohortcast.collection.sizes import live_sizes
from cohortcast.pinterest.routing import tag_ids_by_cohort
from cohortcast.store import activations, cohorts
from cohortcast.store.models import Cohort
from cohortcast.store.routing import load_routing
from cohortcast.store.unset import UNSET
from cohortcast.web.api.auth import CallerDep
from cohortcast.web.api.events import CohortSize
from cohortcast.web.api.schemas import RequestBody, as_utc

router = APIRouter(prefix="/cohorts", tags=["cohorts"])


class CohortCreate(RequestBody):
    """A new cohort; ``definition`` follows docs/cohorts.md."""

    name: str
    description: str = ""
    definition: Any
    enabled: bool = True


class CohortUpdate(RequestBody):
    """Fields to change; omitted fields stay as they are."""

    name: str | None = None
    description: str | None = None
    definition: Any = None
    enabled: bool | None = None


class PinterestToggle(RequestBody):
    """The cohort page's Pinterest switch."""

    enabled: bool


class CohortActivationOut(BaseModel):
    """An activation the cohort is in, and the Tag ID it sends to."""

    id: str
    tag_id: str | None
    effective_tag_id: str
    is_default: bool


class CohortOut(BaseModel):
    """A cohort; ``routed_tag_ids`` are the Tag IDs that receive it right now."""

    id: str
    code: str
    name: str
    description: str
    definition: Any
    enabled: bool
    pinterest_enabled: bool
    activations: list[CohortActivationOut]
    routed_tag_ids: list[str]
    created_at: datetime
    updated_at: datetime
    # Counted by the server from collected events; null before any collection.
    size: CohortSize | None = None


def cohort_views(
    session: Session, workspace_id: str, found: list[Cohort]
) -> list[CohortOut]:
    """The API view of ``found``, with their activations and routed Tag IDs."""
    routed = tag_ids_by_cohort(load_routing(session, workspace_id))
    sizes = live_sizes(session, workspace_id)
    return [
        CohortOut(
            id=cohort.id,
            code=cohort.code,
            name=cohort.name,
            description=cohort.description,
            definition=cohort.definition,
            enabled=cohort.enabled,
            pinterest_enabled=activations.pinterest_toggle_is_on(cohort),
            activations=[
                CohortActivationOut(
                    id=activation.id,
                    tag_id=activation.tag_id,
                    effective_tag_id=activations.effective_tag_id(activation),
                    is_default=activation.is_default,
                )
                for activation in cohort.activations
            ],
            routed_tag_ids=routed.get(cohort.code, []),
            created_at=as_utc(cohort.created_at),
            updated_at=as_utc(cohort.updated_at),
            size=sizes.of(cohort.code),
        )
        for cohort in found
    ]


@router.post("", status_code=201)
def create_cohort(body: CohortCreate, caller: CallerDep) -> CohortOut:
    """Create a cohort; 422 names the path of a definition error."""
    with caller.store.transaction() as session:
        cohort = cohorts.create_cohort(
            session,
            caller.workspace_id,
            name=body.name,
            description=body.description,
            definition=body.definition,
            enabled=body.enabled,
        )
        return cohort_views(session, caller.workspace_id, [cohort])[0]


@router.get("")
def list_cohorts(caller: CallerDep) -> list[CohortOut]:
    """Every cohort of the workspace, oldest first."""
    with caller.store.read() as session:
        found = cohorts.list_cohorts(session, caller.workspace_id)
        return cohort_views(session, caller.workspace_id, found)


@router.get("/{cohort_id}")
def get_cohort(cohort_id: str, caller: CallerDep) -> CohortOut:
    """One cohort."""
    with caller.store.read() as session:
        cohort = cohorts.get_cohort(session, caller.workspace_id, cohort_id)
        return cohort_views(session, caller.workspace_id, [cohort])[0]


@router.patch("/{cohort_id}")
def update_cohort(cohort_id: str, body: CohortUpdate, caller: CallerDep) -> CohortOut:
    """Change name, description, definition or enabled; the code never changes."""
    definition = body.definition if "definition" in body.model_fields_set else UNSET
    with caller.store.transaction() as session:
        cohort = cohorts.update_cohort(
            session,
            caller.workspace_id,
            cohort_id,
            name=body.name,
            description=body.description,
            definition=definition,
            enabled=body.enabled,
        )
        return cohort_views(session, caller.workspace_id, [cohort])[0]


@router.delete("/{cohort_id}", status_code=204)
def delete_cohort(cohort_id: str, caller: CallerDep) -> Response:
    """Delete the cohort and remove it from every activation (409 if referred to)."""
    with caller.store.transaction() as session:
        cohorts.delete_cohort(session, caller.workspace_id, cohort_id)
    return Response(status_code=204)


@router.put("/{cohort_id}/activations/pinterest")
def set_pinterest(
    cohort_id: str, body: PinterestToggle, caller: CallerDep
) -> CohortOut:
    """The cohort page's toggle: send the cohort to the default Tag ID or stop."""
    with caller.store.transaction() as session:
        cohort = activations.set_pinterest_toggle(
            session, caller.workspace_id, cohort_id, body.enabled
        )
        return cohort_views(session, caller.workspace_id, [cohort])[0]
