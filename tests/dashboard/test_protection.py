"""Without a session or a CSRF token, no form changes anything."""

from __future__ import annotations

import pytest
from dashboard_pages import TAG_ID
from fastapi.testclient import TestClient

from cohortcast.store import cohorts, integrations, workspaces
from cohortcast.store.database import Store

PAGES = [
    "/cohorts",
    "/cohorts/new",
    "/activations",
    "/activations/new",
    "/activations/new/pinterest",
    "/settings/integrations",
    "/settings/integrations/new",
    "/settings/integrations/new/pinterest",
    "/snippet",
]
FORMS = {
    "/settings/integrations/new/pinterest": {"tag_id": TAG_ID},
    "/cohorts/new": {"name": "Travel", "c0-event": "Pageview", "action": "save"},
}


def _workspace_id(store: Store) -> str:
    with store.read() as session:
        return workspaces.get_default_workspace(session).id


def _nothing_changed(store: Store) -> bool:
    workspace_id = _workspace_id(store)
    with store.read() as session:
        return not integrations.list_integrations(
            session, workspace_id
        ) and not cohorts.list_cohorts(session, workspace_id)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_asks_a_stranger_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize(("path", "fields"), FORMS.items())
def test_a_form_sent_without_a_session_changes_nothing(
    client: TestClient, store: Store, path: str, fields: dict[str, str]
) -> None:
    response = client.post(path, data=fields, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert _nothing_changed(store)


@pytest.mark.parametrize("token", [None, "", "forged"])
@pytest.mark.parametrize(("path", "fields"), FORMS.items())
def test_a_form_without_the_right_csrf_token_changes_nothing(
    dashboard: TestClient,
    store: Store,
    path: str,
    fields: dict[str, str],
    token: str | None,
) -> None:
    data = dict(fields) if token is None else {**fields, "csrf_token": token}

    response = dashboard.post(path, data=data)

    assert response.status_code == 403
    assert "nothing was changed" in response.text
    assert _nothing_changed(store)


def test_the_toggle_without_a_token_changes_nothing(
    dashboard: TestClient, store: Store
) -> None:
    workspace_id = _workspace_id(store)
    with store.transaction() as session:
        integrations.add_pinterest_integration(session, workspace_id, TAG_ID)
        cohort_id = cohorts.create_cohort(
            session, workspace_id, name="Travel", definition={"event": "Pageview"}
        ).id

    response = dashboard.post(
        f"/cohorts/{cohort_id}/pinterest",
        data={"enabled": "true"},
        headers={"Accept": "application/json", "X-CSRF-Token": "forged"},
    )

    assert response.status_code == 403
    assert dashboard.get(f"/api/v1/cohorts/{cohort_id}").status_code == 401
    with store.read() as session:
        cohort = cohorts.get_cohort(session, workspace_id, cohort_id)
        assert cohort.activations == []


def test_a_token_from_another_session_is_refused(
    dashboard: TestClient, app: object, store: Store
) -> None:
    from dashboard_pages import csrf_token, sign_in

    other = TestClient(app)  # type: ignore[arg-type]
    sign_in(other)
    stolen = csrf_token(other.get("/cohorts"))

    response = dashboard.post(
        "/settings/integrations/new/pinterest",
        data={"csrf_token": stolen, "tag_id": TAG_ID},
    )

    assert response.status_code == 403
    assert _nothing_changed(store)


def test_another_workspaces_cohort_is_not_found(
    dashboard: TestClient, store: Store
) -> None:
    with store.transaction() as session:
        other = workspaces.create_workspace(session, "Other", "other")
        cohort_id = cohorts.create_cohort(
            session, other.id, name="Secret", definition={"event": "Pageview"}
        ).id

    response = dashboard.get(f"/cohorts/{cohort_id}")

    assert response.status_code == 404
    assert "Secret" not in response.text
