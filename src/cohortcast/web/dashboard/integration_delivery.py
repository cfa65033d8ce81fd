"""The Pinterest integration's Server-side delivery section: save the ad
account and access token, turn delivery off, and Test connection.

The section is drawn on the integration's page
(:func:`~cohortcast.web.dashboard.integrations.integration_page`). Every
action calls the function ``PATCH /api/v1/integrations/{id}`` and ``POST
.../test-connection`` call, from :mod:`cohortcast.delivery.credentials` and
:mod:`cohortcast.delivery.connection`. The token is write-only: no page,
error or flash message ever contains it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from cohortcast.delivery import connection, credentials
from cohortcast.delivery.overview import delivery_overview
from cohortcast.store import integrations
from cohortcast.web.dashboard.forms import Submission, SubmissionDep, ViewerDep
from cohortcast.web.dashboard.integrations import (
    API,
    LIST,
    SECTION,
    integration_page,
)
from cohortcast.web.dashboard.rendering import (
    DashboardRoute,
    redirect,
    render,
    store_of,
)

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

DELIVERY = LIST + "/{integration_id}/delivery"
ANCHOR = "#server-side-delivery"


@router.post(DELIVERY)
def save(request: Request, integration_id: str, submission: SubmissionDep) -> Response:
    """Save the ad account and, when one was typed, the token."""
    viewer = submission.viewer
    ad_account_id = submission.text("ad_account_id")
    try:
        with store_of(request).transaction() as session:
            integration = integrations.get_integration(
                session, viewer.workspace_id, integration_id
            )
            changed = credentials.save_delivery_form(
                session,
                integration,
                request.app.state.settings,
                ad_account_id=ad_account_id,
                access_token=submission.text("access_token"),
            )
    except credentials.CredentialsFormError as error:
        return integration_page(
            request,
            viewer,
            integration_id,
            delivery_values={"ad_account_id": ad_account_id},
            delivery_errors=_with_token_note(error.problems, submission),
            status=422,
        )
    if not changed:
        return redirect(
            request,
            _page(integration_id),
            "Nothing changed: the ad account is the same and the token was kept.",
        )
    return redirect(
        request,
        _page(integration_id),
        f"Server-side delivery saved for ad account {ad_account_id.strip()}. "
        "Choose Test connection to check it with Pinterest.",
    )


@router.post(DELIVERY + "/test")
async def test_connection(
    request: Request, integration_id: str, submission: SubmissionDep
) -> Response:
    """Run the connection test the API runs; the page shows each step."""
    outcome = await connection.run_connection_test(
        store_of(request),
        request.app.state.settings,
        submission.viewer.workspace_id,
        integration_id,
    )
    if outcome.result == "not_configured":
        message = (
            "Test connection needs an ad account ID and an access token: enter "
            "them under Server-side delivery first."
        )
    elif outcome.ok:
        message = f"Test connection passed. {outcome.detail}"
    else:
        message = (
            "Test connection found a problem: Connection test below shows the "
            "step that failed and what to do."
        )
    return redirect(request, _page(integration_id, "#connection-test"), message)


@router.get(DELIVERY + "/remove")
def confirm_removal(
    request: Request, integration_id: str, viewer: ViewerDep
) -> Response:
    """Ask before turning delivery off, saying what stops and what stays."""
    with store_of(request).read() as session:
        found = integrations.get_integration(
            session, viewer.workspace_id, integration_id
        )
        overview = delivery_overview(session, found)
    queued = overview.conversions.queued + sum(
        audience.delivery.customer_list.queued for audience in overview.audiences
    )
    held = sum(1 for audience in overview.audiences if audience.audience_id)
    return render(
        request,
        "integration_delivery_off.html",
        viewer,
        title="Turn off server-side delivery?",
        section=SECTION,
        api_twin=f"{API}/{integration_id}",
        integration_id=integration_id,
        overview=overview,
        queued=queued,
        held=held,
    )


@router.post(DELIVERY + "/remove")
def remove(
    request: Request, integration_id: str, submission: SubmissionDep
) -> Response:
    """Forget the ad account and the token."""
    with store_of(request).transaction() as session:
        integration = integrations.get_integration(
            session, submission.viewer.workspace_id, integration_id
        )
        credentials.remove_credentials(session, integration, request.app.state.settings)
    return redirect(
        request,
        _page(integration_id),
        "Server-side delivery is off: Cohortcast forgot the ad account and the "
        "access token. Browsers keep sending activated cohorts through the pixel.",
    )


def _with_token_note(
    problems: dict[str, str], submission: Submission
) -> dict[str, str]:
    # A typed token is never sent back to the browser, so say it must be
    # typed again when another field's error is why nothing was saved.
    if not submission.text("access_token").strip() or "access_token" in problems:
        return problems
    return problems | {
        "access_token": "Nothing was saved, and the token you typed is not kept "
        "on this page: paste it again."
    }


def _page(integration_id: str, anchor: str = ANCHOR) -> str:
    return f"{LIST}/{integration_id}{anchor}"
