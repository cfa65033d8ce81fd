"""Cohorts: the builder and JSON editor, errors in place, the Pinterest toggle."""

from __future__ import annotations

import json
import time

import pytest
from dashboard_pages import TAG_ID, PostForm, errors_on, flash_on
from fastapi.testclient import TestClient

from cohortcast.store import cohorts, integrations, workspaces
from cohortcast.store.database import Store

NEW = "/cohorts/new"
TRAVEL = {
    "name": "Travel readers",
    "c0-event": "Pageview",
    "c0-f0-property": "category",
    "c0-f0-op": "eq",
    "c0-f0-value": "travel",
    "c0-count-op": "gte",
    "c0-count": "3",
    "c0-window": "30",
    "c0-window-unit": "days",
    "action": "save",
}


def _stored_definition(store: Store) -> object:
    with store.read() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        (cohort,) = cohorts.list_cohorts(session, workspace_id)
        return cohort.definition


def test_the_builder_saves_the_definition_it_shows(
    post_form: PostForm, store: Store
) -> None:
    response = post_form(NEW, NEW, **TRAVEL)

    assert "created" in (flash_on(response) or "")
    assert "Pageview where category equals" in response.text
    assert _stored_definition(store) == {
        "event": "Pageview",
        "where": [{"property": "category", "op": "eq", "value": "travel"}],
        "count": {"op": "gte", "value": 3},
        "within": {"days": 30},
    }


def test_two_conditions_with_not_combine_with_any(
    post_form: PostForm, store: Store
) -> None:
    post_form(
        NEW,
        NEW,
        **TRAVEL,
        combinator="any",
        **{"c1-event": "Signup", "c1-not": "on", "c1-window-unit": "ever"},
    )

    assert _stored_definition(store) == {
        "any": [
            {
                "event": "Pageview",
                "where": [{"property": "category", "op": "eq", "value": "travel"}],
                "count": {"op": "gte", "value": 3},
                "within": {"days": 30},
            },
            {"not": {"event": "Signup"}},
        ]
    }


def test_a_bad_window_is_shown_at_its_condition_with_the_input_kept(
    post_form: PostForm,
) -> None:
    fields = {
        **TRAVEL,
        "c1-event": "Signup",
        "c1-window": "0",
        "c1-window-unit": "days",
    }

    response = post_form(NEW, NEW, **fields)

    assert response.status_code == 422
    assert 'id="c1-window-error"' in response.text
    assert "definition.all[1].within.days" in response.text
    assert 'name="c1-window" value="0"' in response.text
    assert 'name="c0-f0-value" value="travel"' in response.text


def test_a_bad_filter_value_is_shown_at_its_row(post_form: PostForm) -> None:
    fields = {**TRAVEL, "c0-f0-op": "gt", "c0-f0-value": "lots"}

    response = post_form(NEW, NEW, **fields)

    assert 'id="c0-f0-error"' in response.text
    assert 'value="lots"' in response.text


def test_a_missing_name_is_shown_at_the_name(post_form: PostForm) -> None:
    response = post_form(NEW, NEW, **{**TRAVEL, "name": "  "})

    assert 'id="name-error"' in response.text
    assert "Name" in errors_on(response)[1]


def test_builder_steps_add_conditions_and_filters_without_saving(
    post_form: PostForm, store: Store
) -> None:
    added = post_form(NEW, NEW, **{**TRAVEL, "action": "add-condition"})
    filtered = post_form(NEW, NEW, **{**TRAVEL, "action": "add-filter-0"})

    assert "Condition 2" in added.text
    assert 'name="c0-f1-property"' in filtered.text
    with store.read() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        assert cohorts.list_cohorts(session, workspace_id) == []


def test_the_json_editor_reports_bad_json_and_engine_errors(
    post_form: PostForm,
) -> None:
    to_json = post_form(NEW, NEW, **{**TRAVEL, "action": "to-json"})
    not_json = post_form(
        NEW, NEW, name="X", mode="json", definition_json="{oops", action="save"
    )
    bad_unit = post_form(
        NEW,
        NEW,
        name="X",
        mode="json",
        definition_json=json.dumps({"event": "Pageview", "within": {"weeks": 2}}),
        action="save",
    )

    assert 'id="definition_json"' in to_json.text
    assert "&#34;days&#34;: 30" in to_json.text
    assert "not valid JSON" in errors_on(not_json)[1]
    assert "{oops" in not_json.text
    assert "&#39;weeks&#39; is not a window unit" in errors_on(bad_unit)[1]


def test_editing_a_sum_opens_the_json_editor(
    dashboard: TestClient, store: Store
) -> None:
    definition = {
        "event": "Engagement",
        "sum": {"property": "seconds", "op": "gte", "value": 120},
    }
    with store.transaction() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        cohort_id = cohorts.create_cohort(
            session, workspace_id, name="Engaged", definition=definition
        ).id

    page = dashboard.get(f"/cohorts/{cohort_id}/edit")

    assert 'id="definition_json"' in page.text
    assert "&#34;sum&#34;" in page.text


@pytest.fixture
def travel_id(store: Store) -> str:
    """Pinterest with :data:`TAG_ID` and one cohort, Travel."""
    with store.transaction() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        integrations.add_pinterest_integration(session, workspace_id, TAG_ID)
        return cohorts.create_cohort(
            session, workspace_id, name="Travel", definition={"event": "Pageview"}
        ).id


def test_the_toggle_answers_the_script_with_the_receiving_tag_ids(
    post_form: PostForm, travel_id: str
) -> None:
    page = f"/cohorts/{travel_id}"

    response = post_form(page, page + "/pinterest", enabled="true")

    assert response.status_code == 200
    assert 'aria-checked="true"' in response.text
    assert f'<code>{TAG_ID}</code> <span class="badge">default</span>' in response.text


def test_the_toggle_as_json(dashboard: TestClient, travel_id: str) -> None:
    page = dashboard.get(f"/cohorts/{travel_id}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

    response = dashboard.post(
        f"/cohorts/{travel_id}/pinterest",
        data={"enabled": "true"},
        headers={"Accept": "application/json", "X-CSRF-Token": token},
    )

    assert response.json()["pinterest_enabled"] is True
    assert response.json()["routed"] == [{"tag_id": TAG_ID, "label": "default"}]


def test_the_toggle_without_pinterest_says_to_add_it(
    dashboard: TestClient, store: Store
) -> None:
    with store.transaction() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        cohort_id = cohorts.create_cohort(
            session, workspace_id, name="Travel", definition={"event": "Pageview"}
        ).id
    page = dashboard.get(f"/cohorts/{cohort_id}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

    response = dashboard.post(
        f"/cohorts/{cohort_id}/pinterest",
        data={"enabled": "true", "csrf_token": token},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 409
    assert (
        "Settings > Integrations > Add Integration > Pinterest"
        in (response.json()["detail"])
    )


def test_a_cohort_can_be_deleted_after_confirmation(
    post_form: PostForm, dashboard: TestClient, travel_id: str
) -> None:
    path = f"/cohorts/{travel_id}/delete"

    confirmation = dashboard.get(path)
    deleted = post_form(path, path)

    assert "This cannot be undone" in confirmation.text
    assert flash_on(deleted) == "Cohort deleted."
    assert "No cohorts yet" in deleted.text


def test_the_size_is_shown_once_known(
    dashboard: TestClient, store: Store, travel_id: str
) -> None:
    from cohortcast.store.collection_models import Membership, Profile

    before = dashboard.get(f"/cohorts/{travel_id}")
    with store.transaction() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        code = cohorts.get_cohort(session, workspace_id, travel_id).code
        profile = Profile(workspace_id=workspace_id, profile_key="v_1", updated_at=0)
        session.add(profile)
        session.flush()
        session.add(
            Membership(
                profile_id=profile.id,
                cohort_code=code,
                workspace_id=workspace_id,
                entered_at=0,
            )
        )
    after = dashboard.get(f"/cohorts/{travel_id}")

    assert "not known yet" in before.text
    assert "1 visitor " in after.text
    assert "Pinterest targets audiences of 100 or more" in after.text


def _collect_pageviews(client: TestClient, store: Store, sections: list[str]) -> None:
    """One visitor per section, each with one page view of it, just now."""
    with store.read() as session:
        sdk_key = workspaces.get_default_workspace(session).sdk_key
    now = int(time.time() * 1000)
    for number, section in enumerate(sections):
        event = {
            "id": f"e{number}",
            "name": "Pageview",
            "time": now - 1000,
            "properties": {"category": section},
        }
        answer = client.post(
            f"/collect/v1/{sdk_key}/events",
            json={"visitor_id": f"v_{number}", "events": [event]},
        )
        assert answer.status_code == 200, answer.text


def test_estimate_size_predicts_from_collected_events_and_saves_nothing(
    dashboard: TestClient, post_form: PostForm, store: Store
) -> None:
    _collect_pageviews(dashboard, store, ["travel", "travel", "food"])
    once = {**TRAVEL, "c0-count": "1", "action": "estimate"}

    page = post_form(NEW, NEW, **once)

    assert page.status_code == 200
    assert "About 2 visitors</strong> would be in this cohort now, of 3" in page.text
    assert "Pinterest targets audiences of 100 people or more." in page.text
    assert 'value="travel"' in page.text  # the form is kept as typed
    with store.read() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        assert cohorts.list_cohorts(session, workspace_id) == []


def test_estimate_size_of_a_bad_definition_marks_the_field(
    post_form: PostForm,
) -> None:
    bad = post_form(
        NEW,
        NEW,
        name="",
        mode="json",
        definition_json=json.dumps({"event": "Pageview", "within": {"weeks": 2}}),
        action="estimate",
    )

    assert bad.status_code == 422
    assert "The size could not be estimated" in bad.text
    assert "&#39;weeks&#39; is not a window unit" in errors_on(bad)[1]
    assert "would be in this cohort now" not in bad.text


def test_estimate_size_without_events_says_there_is_nothing_to_count(
    post_form: PostForm,
) -> None:
    page = post_form(NEW, NEW, **{**TRAVEL, "action": "estimate"})

    assert page.status_code == 200
    assert "No events were collected in the last 30 days" in page.text
    assert "would be in this cohort now" not in page.text


@pytest.mark.parametrize("action", ["save", "estimate"])
def test_json_nested_beyond_reading_is_an_error_not_a_crash(
    post_form: PostForm, action: str
) -> None:
    hostile = "[" * 5000 + "]" * 5000

    page = post_form(
        NEW, NEW, name="X", mode="json", definition_json=hostile, action=action
    )

    assert page.status_code == 422
    assert "nests too deeply to read" in errors_on(page)[1]
