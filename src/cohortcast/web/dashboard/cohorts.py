"""Cohorts: the list, a cohort's page with its Pinterest toggle, and deletion.

The pages show the same view of a cohort as ``/api/v1/cohorts`` (built by
the API's ``cohort_views``), so the page and its JSON twin never disagree
about whether Pinterest is on or which Tag IDs receive the cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from cohortcast.delivery.overview import (
    ManagedAudience,
    audiences_of_cohort,
    delivery_overview,
    has_credentials,
)
from cohortcast.store import activations, cohorts, integrations
from cohortcast.store.errors import ConflictError
from cohortcast.web.api.cohorts import CohortOut, cohort_views
from cohortcast.web.dashboard import delivery_words
from cohortcast.web.dashboard.cohort_words import describe
from cohortcast.web.dashboard.forms import SubmissionDep, ViewerDep
from cohortcast.web.dashboard.rendering import (
    DashboardRoute,
    problem,
    redirect,
    render,
    store_of,
    wants_json,
)
from cohortcast.web.dashboard.sessions import Viewer

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

API = "/api/v1/cohorts"
SECTION = "cohorts"


@dataclass(frozen=True)
class RoutedTagId:
    """A Tag ID receiving the cohort, and whether it is the default one."""

    tag_id: str
    label: str


@router.get("/cohorts")
def cohort_list(request: Request, viewer: ViewerDep) -> Response:
    """Every cohort: name, code, activations and size."""
    with store_of(request).read() as session:
        found = cohorts.list_cohorts(session, viewer.workspace_id)
        views = cohort_views(session, viewer.workspace_id, found)
        has_integration = _default_tag_id(session, viewer.workspace_id) is not None
    return render(
        request,
        "cohorts.html",
        viewer,
        title="Cohorts",
        section=SECTION,
        api_twin=API,
        cohorts=views,
        has_integration=has_integration,
    )


@router.get("/cohorts/{cohort_id}")
def cohort_page(request: Request, cohort_id: str, viewer: ViewerDep) -> Response:
    """One cohort: its definition in words, size, toggle and receiving Tag IDs."""
    with store_of(request).read() as session:
        cohort = cohorts.get_cohort(session, viewer.workspace_id, cohort_id)
        view = cohort_views(session, viewer.workspace_id, [cohort])[0]
        default_tag_id = _default_tag_id(session, viewer.workspace_id)
        audiences = _audiences(session, viewer.workspace_id, view.code)
    return render(
        request,
        "cohort.html",
        viewer,
        title=view.name,
        section=SECTION,
        api_twin=f"{API}/{cohort_id}",
        cohort=view,
        summary=describe(view.definition),
        routed=_routed(view, default_tag_id),
        default_tag_id=default_tag_id,
        audiences=audiences,
        words=delivery_words,
    )


@router.post("/cohorts/{cohort_id}/pinterest")
def toggle_pinterest(
    request: Request, cohort_id: str, submission: SubmissionDep
) -> Response:
    """The Pinterest toggle; answers JSON to the page's script, else redirects."""
    enabled = submission.text("enabled") == "true"
    workspace_id = submission.viewer.workspace_id
    try:
        with store_of(request).transaction() as session:
            cohort = activations.set_pinterest_toggle(
                session, workspace_id, cohort_id, enabled
            )
            view = cohort_views(session, workspace_id, [cohort])[0]
            default_tag_id = _default_tag_id(session, workspace_id)
    except ConflictError as error:
        return problem(request, 409, str(error))

    message = _toggle_message(view, default_tag_id)
    if not wants_json(request):
        return redirect(request, f"/cohorts/{cohort_id}", message)
    routed = _routed(view, default_tag_id)
    return JSONResponse(
        {
            "pinterest_enabled": view.pinterest_enabled,
            "routed": [{"tag_id": r.tag_id, "label": r.label} for r in routed],
            "message": message,
        }
    )


@router.get("/cohorts/{cohort_id}/delete")
def confirm_delete(request: Request, cohort_id: str, viewer: ViewerDep) -> Response:
    """Ask before deleting a cohort."""
    with store_of(request).read() as session:
        cohort = cohorts.get_cohort(session, viewer.workspace_id, cohort_id)
        view = cohort_views(session, viewer.workspace_id, [cohort])[0]
    return _delete_page(request, viewer, view)


@router.post("/cohorts/{cohort_id}/delete")
def delete(request: Request, cohort_id: str, submission: SubmissionDep) -> Response:
    """Delete the cohort (refused, with the reason, while others refer to it)."""
    viewer = submission.viewer
    try:
        with store_of(request).transaction() as session:
            cohorts.delete_cohort(session, viewer.workspace_id, cohort_id)
    except ConflictError as error:
        with store_of(request).read() as session:
            cohort = cohorts.get_cohort(session, viewer.workspace_id, cohort_id)
            view = cohort_views(session, viewer.workspace_id, [cohort])[0]
        return _delete_page(request, viewer, view, error=str(error))
    return redirect(request, "/cohorts", "Cohort deleted.")


def _delete_page(
    request: Request, viewer: Viewer, view: CohortOut, error: str | None = None
) -> Response:
    return render(
        request,
        "cohort_delete.html",
        viewer,
        title=f"Delete {view.name}?",
        section=SECTION,
        api_twin=f"{API}/{view.id}",
        status_code=409 if error else 200,
        cohort=view,
        error=error,
    )


def _default_tag_id(session: Session, workspace_id: str) -> str | None:
    integration = integrations.find_pinterest_integration(session, workspace_id)
    return integration.tag_id if integration else None


def _audiences(
    session: Session, workspace_id: str, cohort_code: str
) -> list[ManagedAudience] | None:
    """The cohort's Pinterest audiences; None when server-side delivery is off."""
    integration = integrations.find_pinterest_integration(session, workspace_id)
    if integration is None or not has_credentials(session, integration.id):
        return None
    overview = delivery_overview(session, integration, outbox=False)
    return audiences_of_cohort([overview], cohort_code)


def _routed(view: CohortOut, default_tag_id: str | None) -> list[RoutedTagId]:
    return [
        RoutedTagId(tag_id, "default" if tag_id == default_tag_id else "alternative")
        for tag_id in view.routed_tag_ids
    ]


def _toggle_message(view: CohortOut, default_tag_id: str | None) -> str:
    if view.pinterest_enabled:
        return (
            f"Pinterest is on: browsers send {view.name} to the default Tag ID "
            f"{default_tag_id} as visitors enter it."
        )
    return f"Pinterest is off for {view.name} on the default Tag ID."
