"""Settings > Integrations: the list, Add Integration's catalog, the Pinterest form.

The pages call the same store functions as ``/api/v1/integrations``; a
store error is shown next to its field with what the user typed kept.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from cohortcast.delivery import connection, credentials
from cohortcast.store import integrations
from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.routing import load_routing
from cohortcast.web.dashboard import delivery_words as words
from cohortcast.web.dashboard.forms import SubmissionDep, ViewerDep
from cohortcast.web.dashboard.rendering import (
    DashboardRoute,
    redirect,
    render,
    store_of,
)
from cohortcast.web.dashboard.sessions import Viewer

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

LIST = "/settings/integrations"
API = "/api/v1/integrations"
SECTION = "settings"


@router.get(LIST)
def integration_list(request: Request, viewer: ViewerDep) -> Response:
    """Every integration with its status."""
    with store_of(request).read() as session:
        found = integrations.list_integrations(session, viewer.workspace_id)
        return render(
            request,
            "integrations.html",
            viewer,
            title="Integrations",
            section=SECTION,
            api_twin=API,
            integrations=found,
        )


@router.get(LIST + "/new")
def catalog(request: Request, viewer: ViewerDep) -> Response:
    """Add Integration: the destinations Cohortcast can send to."""
    with store_of(request).read() as session:
        existing = integrations.find_pinterest_integration(session, viewer.workspace_id)
    return render(
        request,
        "integration_catalog.html",
        viewer,
        title="Add Integration",
        section=SECTION,
        api_twin=API,
        existing=existing,
    )


@router.get(LIST + "/new/pinterest")
def pinterest_form(request: Request, viewer: ViewerDep) -> Response:
    """The Pinterest form: Tag ID and the Add Pinterest button."""
    return _pinterest_form(request, viewer, values={"tag_id": ""}, errors={})


@router.post(LIST + "/new/pinterest")
def add_pinterest(request: Request, submission: SubmissionDep) -> Response:
    """Add the integration; an invalid Tag ID comes back inline."""
    viewer = submission.viewer
    values = {"tag_id": submission.text("tag_id")}
    try:
        with store_of(request).transaction() as session:
            integrations.add_pinterest_integration(
                session, viewer.workspace_id, values["tag_id"]
            )
    except InvalidValueError as error:
        return _pinterest_form(request, viewer, values, {"tag_id": str(error)}, 422)
    except ConflictError as error:
        return _pinterest_form(request, viewer, values, {"form": str(error)}, 409)
    return redirect(
        request,
        LIST,
        f"Pinterest is live: browsers send activated cohorts to Tag ID "
        f"{values['tag_id'].strip()} from now on.",
    )


@router.get(LIST + "/{integration_id}")
def edit_form(request: Request, integration_id: str, viewer: ViewerDep) -> Response:
    """Edit the integration's default Tag ID and name; set up server-side delivery."""
    return integration_page(request, viewer, integration_id)


@router.post(LIST + "/{integration_id}")
def update(
    request: Request, integration_id: str, submission: SubmissionDep
) -> Response:
    """Save the edit; errors come back inline."""
    viewer = submission.viewer
    values = {"tag_id": submission.text("tag_id"), "name": submission.text("name")}
    try:
        with store_of(request).transaction() as session:
            integrations.update_integration(
                session,
                viewer.workspace_id,
                integration_id,
                tag_id=values["tag_id"],
                name=values["name"],
            )
    except InvalidValueError as error:
        errors = {error.path or "form": str(error)}
        return integration_page(
            request, viewer, integration_id, values=values, errors=errors, status=422
        )
    return redirect(request, LIST, "Pinterest integration saved.")


@router.get(LIST + "/{integration_id}/remove")
def confirm_removal(
    request: Request, integration_id: str, viewer: ViewerDep
) -> Response:
    """Ask before removing, naming the cohorts and Tag IDs that will stop."""
    with store_of(request).read() as session:
        found = integrations.get_integration(
            session, viewer.workspace_id, integration_id
        )
        routing = load_routing(session, viewer.workspace_id)
        return render(
            request,
            "integration_remove.html",
            viewer,
            title=f"Remove {found.name}?",
            section=SECTION,
            api_twin=f"{API}/{integration_id}",
            integration=found,
            routing=routing,
            activation_count=len(found.activations),
        )


@router.post(LIST + "/{integration_id}/remove")
def remove(
    request: Request, integration_id: str, submission: SubmissionDep
) -> Response:
    """Remove the integration and every activation it has."""
    with store_of(request).transaction() as session:
        integrations.delete_integration(
            session, submission.viewer.workspace_id, integration_id
        )
    return redirect(
        request,
        LIST,
        "Pinterest removed: browsers no longer send cohorts to Pinterest.",
    )


def _pinterest_form(
    request: Request,
    viewer: Viewer,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        request,
        "integration_pinterest.html",
        viewer,
        title="Add Pinterest",
        section=SECTION,
        api_twin=API,
        status_code=status,
        values=values,
        errors=errors,
    )


def integration_page(
    request: Request,
    viewer: Viewer,
    integration_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    delivery_values: dict[str, str] | None = None,
    delivery_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The integration's page: its edit form and its Server-side delivery
    section, each with what was typed and its errors, or as stored."""
    settings = request.app.state.settings
    with store_of(request).read() as session:
        found = integrations.get_integration(
            session, viewer.workspace_id, integration_id
        )
        setup = credentials.delivery_setup(session, integration_id, settings)
        steps = connection.last_connection_steps(
            session, integration_id, setup.connection_result
        )
        stored = {"tag_id": found.tag_id, "name": found.name}
        tag_id = found.tag_id
    return render(
        request,
        "integration_edit.html",
        viewer,
        title="Pinterest integration",
        section=SECTION,
        api_twin=f"{API}/{integration_id}",
        status_code=status,
        integration_id=integration_id,
        tag_id=tag_id,
        values=values or stored,
        errors=errors or {},
        setup=setup,
        steps=steps,
        delivery_values=delivery_values or {"ad_account_id": setup.ad_account_id or ""},
        delivery_errors=delivery_errors or {},
        words=words,
    )
