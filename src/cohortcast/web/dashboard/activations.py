"""Cohort Activation: the list, + Add Activation's tiles, the form, deletion.

Each activation shows the Tag ID that will actually be used, so a blank Tag
ID reads "default: 2612345678901" rather than leaving the user to guess.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from cohortcast.store import activations, cohorts, integrations
from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.models import Activation
from cohortcast.store.unset import UNSET
from cohortcast.web.dashboard.forms import SubmissionDep, ViewerDep
from cohortcast.web.dashboard.rendering import (
    DashboardRoute,
    redirect,
    render,
    store_of,
)
from cohortcast.web.dashboard.sessions import Viewer

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

LIST = "/activations"
API = "/api/v1/activations"
SECTION = "activations"


def tag_id_shown(activation: Activation) -> str:
    """The Tag ID the activation uses, saying when it is the default one."""
    if activation.tag_id is None:
        return f"default: {activations.effective_tag_id(activation)}"
    return activation.tag_id


@router.get(LIST)
def activation_list(request: Request, viewer: ViewerDep) -> Response:
    """Every activation with the Tag ID it sends to and its cohorts."""
    with store_of(request).read() as session:
        found = activations.list_activations(session, viewer.workspace_id)
        rows = [
            {
                "id": a.id,
                "is_default": a.is_default,
                "tag_id": tag_id_shown(a),
                "cohorts": [(c.id, c.name, c.code) for c in a.cohorts],
            }
            for a in found
        ]
        has_integration = bool(found)
    return render(
        request,
        "activations.html",
        viewer,
        title="Cohort Activation",
        section=SECTION,
        api_twin=API,
        rows=rows,
        has_integration=has_integration,
    )


@router.get(LIST + "/new")
def destinations(request: Request, viewer: ViewerDep) -> Response:
    """+ Add Activation: one tile per destination."""
    with store_of(request).read() as session:
        integration = integrations.find_pinterest_integration(
            session, viewer.workspace_id
        )
    return render(
        request,
        "activation_destinations.html",
        viewer,
        title="Add Activation",
        section=SECTION,
        api_twin=API,
        has_integration=integration is not None,
    )


@router.get(LIST + "/new/pinterest")
def new_form(request: Request, viewer: ViewerDep) -> Response:
    """The Pinterest activation form: Tag ID, cohorts, Save."""
    return _form(request, viewer, None, tag_id="", chosen=[], errors={})


@router.post(LIST + "/new/pinterest")
def create(request: Request, submission: SubmissionDep) -> Response:
    """Save a new activation; errors come back inline, choices kept."""
    viewer = submission.viewer
    tag_id, chosen = submission.text("tag_id"), submission.texts("cohort_ids")
    try:
        with store_of(request).transaction() as session:
            made = activations.create_activation(
                session, viewer.workspace_id, tag_id, chosen
            )
            shown = tag_id_shown(made)
    except (InvalidValueError, ConflictError) as error:
        errors = {getattr(error, "path", None) or "form": str(error)}
        return _form(request, viewer, None, tag_id, chosen, errors, status=422)
    cohort_count = f"{len(chosen)} cohort{'' if len(chosen) == 1 else 's'}"
    return redirect(
        request, LIST, f"Activation saved: Tag ID {shown} now receives {cohort_count}."
    )


@router.get(LIST + "/{activation_id}")
def edit_form(request: Request, activation_id: str, viewer: ViewerDep) -> Response:
    """Edit an activation's Tag ID and cohorts."""
    with store_of(request).read() as session:
        found = activations.get_activation(session, viewer.workspace_id, activation_id)
        chosen = [cohort.id for cohort in found.cohorts]
        tag_id = found.tag_id or ""
    return _form(request, viewer, activation_id, tag_id, chosen, errors={})


@router.post(LIST + "/{activation_id}")
def update(request: Request, activation_id: str, submission: SubmissionDep) -> Response:
    """Save the edit (the default activation keeps the integration's Tag ID)."""
    viewer = submission.viewer
    tag_id, chosen = submission.text("tag_id"), submission.texts("cohort_ids")
    try:
        with store_of(request).transaction() as session:
            found = activations.get_activation(
                session, viewer.workspace_id, activation_id
            )
            activations.update_activation(
                session,
                viewer.workspace_id,
                activation_id,
                tag_id=UNSET if found.is_default else tag_id,
                cohort_ids=chosen,
            )
    except (InvalidValueError, ConflictError) as error:
        errors = {getattr(error, "path", None) or "form": str(error)}
        return _form(request, viewer, activation_id, tag_id, chosen, errors, 422)
    return redirect(request, LIST, "Activation saved.")


@router.get(LIST + "/{activation_id}/delete")
def confirm_delete(request: Request, activation_id: str, viewer: ViewerDep) -> Response:
    """Ask before deleting, naming the Tag ID and cohorts that will stop."""
    with store_of(request).read() as session:
        found = activations.get_activation(session, viewer.workspace_id, activation_id)
        return render(
            request,
            "activation_delete.html",
            viewer,
            title="Delete activation?",
            section=SECTION,
            api_twin=f"{API}/{activation_id}",
            activation_id=activation_id,
            tag_id=tag_id_shown(found),
            cohort_names=[cohort.name for cohort in found.cohorts],
            is_default=found.is_default,
        )


@router.post(LIST + "/{activation_id}/delete")
def delete(request: Request, activation_id: str, submission: SubmissionDep) -> Response:
    """Delete the activation (the default one is refused by the store)."""
    try:
        with store_of(request).transaction() as session:
            activations.delete_activation(
                session, submission.viewer.workspace_id, activation_id
            )
    except ConflictError as error:
        return redirect(request, LIST, str(error))
    return redirect(request, LIST, "Activation deleted.")


def _form(
    request: Request,
    viewer: Viewer,
    activation_id: str | None,
    tag_id: str,
    chosen: Sequence[str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    with store_of(request).read() as session:
        integration = integrations.find_pinterest_integration(
            session, viewer.workspace_id
        )
        is_default = _is_default(session, viewer, activation_id)
        choices = [
            (c.id, c.name, c.code)
            for c in cohorts.list_cohorts(session, viewer.workspace_id)
        ]
    return render(
        request,
        "activation_form.html",
        viewer,
        title="Pinterest activation",
        section=SECTION,
        api_twin=f"{API}/{activation_id}" if activation_id else API,
        status_code=status,
        activation_id=activation_id,
        is_default=is_default,
        default_tag_id=integration.tag_id if integration else None,
        tag_id=tag_id,
        chosen=set(chosen),
        choices=choices,
        errors=errors,
    )


def _is_default(session: Session, viewer: Viewer, activation_id: str | None) -> bool:
    if activation_id is None:
        return False
    found = activations.get_activation(session, viewer.workspace_id, activation_id)
    return found.is_default
