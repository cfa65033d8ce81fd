"""The Troubleshooting page: every check, grouped, status in words and colour."""

from __future__ import annotations

import re

from dashboard_pages import TAG_ID
from fastapi.testclient import TestClient

from cohortcast.store import integrations, workspaces
from cohortcast.store.database import Store

PAGE = "/troubleshooting"


def statuses_on(html: str) -> dict[str, str]:
    """Check id -> the status word shown for it."""
    found = re.findall(
        r'<li class="check (\w+)" id="([^"]+)">\s*<h3><span class="check-status">'
        r"[^<]*?(Failing|Warning|OK)</span>",
        html,
    )
    return {check_id: word for _, check_id, word in found}


def test_the_nav_links_to_the_page_and_marks_it_current(
    dashboard: TestClient,
) -> None:
    page = dashboard.get(PAGE)

    assert page.status_code == 200
    assert '<a href="/troubleshooting" aria-current="page">Troubleshooting</a>' in (
        page.text
    )
    assert "<h1>Troubleshooting</h1>" in page.text
    assert "GET /api/v1/diagnostics" in page.text


def test_a_new_workspace_shows_the_failing_integration_with_its_fix(
    dashboard: TestClient,
) -> None:
    page = dashboard.get(PAGE)

    assert statuses_on(page.text)["integration.saved"] == "Failing"
    assert '<h2 id="group-1">Integration not available</h2>' in page.text
    assert "Fix: In the dashboard, open Settings &gt; Integrations" in page.text


def test_adding_pinterest_turns_the_integration_check_ok(
    store: Store, dashboard: TestClient
) -> None:
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        integrations.add_pinterest_integration(session, workspace.id, TAG_ID)

    statuses = statuses_on(dashboard.get(PAGE).text)

    assert statuses["integration.saved"] == "OK"
    assert statuses["integration.routing"] == "Failing"
    assert statuses["routing.effective"] == "OK"


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get(PAGE, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Ftroubleshooting"
