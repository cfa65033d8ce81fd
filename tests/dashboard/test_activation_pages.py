"""Cohort Activation: tiles, the form, the Tag ID shown, edit and delete."""

from __future__ import annotations

import pytest
from dashboard_pages import OTHER_TAG_ID, TAG_ID, PostForm, errors_on, flash_on
from fastapi.testclient import TestClient

from cohortcast.store import cohorts, integrations, workspaces
from cohortcast.store.database import Store

NEW = "/activations/new/pinterest"


@pytest.fixture
def cohort_ids(store: Store) -> list[str]:
    """Pinterest with :data:`TAG_ID` and two cohorts."""
    with store.transaction() as session:
        workspace_id = workspaces.get_default_workspace(session).id
        integrations.add_pinterest_integration(session, workspace_id, TAG_ID)
        return [
            cohorts.create_cohort(
                session, workspace_id, name=name, definition={"event": name}
            ).id
            for name in ("Travel", "Cooking")
        ]


def test_add_activation_shows_a_pinterest_tile(dashboard: TestClient) -> None:
    page = dashboard.get("/activations/new")

    assert f'href="{NEW}"' in page.text
    assert '<span class="tile-name">Pinterest</span>' in page.text


def test_the_form_says_blank_means_the_default_tag_id(
    dashboard: TestClient, cohort_ids: list[str]
) -> None:
    page = dashboard.get(NEW)

    assert f"Leave blank to use the default Tag ID, {TAG_ID}." in page.text
    assert "<legend>Cohorts</legend>" in page.text
    assert ">Save</button>" in page.text


def test_a_blank_tag_id_is_listed_as_the_default(
    post_form: PostForm, cohort_ids: list[str]
) -> None:
    response = post_form(NEW, NEW, tag_id="", cohort_ids=cohort_ids[:1])

    assert str(response.url).endswith("/activations")
    assert f"default: {TAG_ID}" in (flash_on(response) or "")
    assert response.text.count(f"default: {TAG_ID}") >= 2


def test_an_alternative_tag_id_is_listed_as_it_is(
    post_form: PostForm, cohort_ids: list[str]
) -> None:
    response = post_form(NEW, NEW, tag_id=OTHER_TAG_ID, cohort_ids=cohort_ids)

    assert f"<code>{OTHER_TAG_ID}</code>" in response.text
    assert "Travel" in response.text
    assert "Cooking" in response.text


def test_an_invalid_tag_id_is_shown_inline_with_the_choices_kept(
    post_form: PostForm, cohort_ids: list[str]
) -> None:
    response = post_form(NEW, NEW, tag_id="12ab", cohort_ids=cohort_ids[1:])

    assert response.status_code == 422
    assert "must contain only digits" in errors_on(response)[0]
    assert 'value="12ab"' in response.text
    assert f'value="{cohort_ids[1]}" checked' in response.text
    assert f'value="{cohort_ids[0]}" checked' not in response.text


def test_without_pinterest_the_form_says_to_add_it_first(
    post_form: PostForm,
) -> None:
    response = post_form(NEW, NEW, tag_id="")

    assert response.status_code == 422
    assert any("add it first" in error for error in errors_on(response))


def _activation_path(page_text: str) -> str:
    marker = 'href="/activations/act_'
    # The first activation is the default one (the cohort pages' toggle).
    start = page_text.rindex(marker) + len('href="')
    return page_text[start : page_text.index('"', start)]


def test_an_activation_can_be_edited_and_deleted(
    post_form: PostForm, dashboard: TestClient, cohort_ids: list[str]
) -> None:
    listed = post_form(NEW, NEW, tag_id=OTHER_TAG_ID, cohort_ids=cohort_ids[:1])
    path = _activation_path(listed.text).removesuffix("/delete")

    edited = post_form(path, path, tag_id="", cohort_ids=cohort_ids)
    confirmation = dashboard.get(path + "/delete")
    deleted = post_form(path + "/delete", path + "/delete")

    assert flash_on(edited) == "Activation saved."
    assert OTHER_TAG_ID not in edited.text
    assert f"to Tag ID <code>default: {TAG_ID}</code>" in confirmation.text
    assert flash_on(deleted) == "Activation deleted."
