"""Settings > Integrations > Add Integration > Pinterest, edit and remove."""

from __future__ import annotations

from dashboard_pages import TAG_ID, PostForm, errors_on, flash_on
from fastapi.testclient import TestClient

NEW = "/settings/integrations/new/pinterest"


def test_the_catalog_has_a_pinterest_tile(dashboard: TestClient) -> None:
    page = dashboard.get("/settings/integrations/new")

    assert "<h1>Add Integration</h1>" in page.text
    assert f'href="{NEW}"' in page.text


def test_the_pinterest_form_has_a_tag_id_field_with_help(dashboard: TestClient) -> None:
    page = dashboard.get(NEW)

    assert '<label for="tag_id">Tag ID</label>' in page.text
    assert "Ads &gt; Conversions" in page.text
    assert ">Add Pinterest</button>" in page.text


def test_an_invalid_tag_id_is_shown_inline_and_kept(post_form: PostForm) -> None:
    response = post_form(NEW, NEW, tag_id="26123abc")

    assert response.status_code == 422
    assert errors_on(response) == [
        "Tag ID &#39;26123abc&#39; must contain only digits (find it under Ads "
        "&gt; Conversions in Pinterest)."
    ]
    assert 'value="26123abc"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_adding_pinterest_lists_it_as_live(
    post_form: PostForm, dashboard: TestClient
) -> None:
    response = post_form(NEW, NEW, tag_id=f" {TAG_ID} ")

    assert str(response.url).endswith("/settings/integrations")
    assert TAG_ID in (flash_on(response) or "")
    assert "Live" in response.text
    assert dashboard.get("/snippet").status_code == 200


def test_a_second_pinterest_integration_is_refused_with_the_reason(
    post_form: PostForm,
) -> None:
    post_form(NEW, NEW, tag_id=TAG_ID)

    response = post_form(NEW, NEW, tag_id="2698765432109")

    assert response.status_code == 409
    assert "already has a Pinterest integration" in errors_on(response)[0]


def _integration_path(dashboard: TestClient) -> str:
    page = dashboard.get("/settings/integrations").text
    start = page.index('href="/settings/integrations/int_') + len('href="')
    return page[start : page.index('"', start)]


def test_the_default_tag_id_can_be_edited(
    post_form: PostForm, dashboard: TestClient
) -> None:
    post_form(NEW, NEW, tag_id=TAG_ID)
    path = _integration_path(dashboard)

    invalid = post_form(path, path, tag_id="123", name="Pinterest")
    saved = post_form(path, path, tag_id="2698765432109", name="Pinterest EU")

    assert "has 3 digits" in errors_on(invalid)[0]
    assert 'value="123"' in invalid.text
    assert flash_on(saved) == "Pinterest integration saved."
    assert "2698765432109" in saved.text
    assert "Pinterest EU" in saved.text


def test_removing_names_what_will_stop_and_then_removes(
    post_form: PostForm, dashboard: TestClient
) -> None:
    post_form(NEW, NEW, tag_id=TAG_ID)
    path = _integration_path(dashboard)
    made = post_form(
        "/cohorts/new",
        "/cohorts/new",
        name="Travel",
        **{"c0-event": "Pageview", "action": "save"},
    )
    cohort_path = str(made.url).removeprefix("http://testserver")
    post_form(cohort_path, cohort_path + "/pinterest", enabled="true")

    confirmation = dashboard.get(path + "/remove")
    removed = post_form(path + "/remove", path + "/remove")

    assert "Browsers will stop sending these cohorts to Pinterest" in confirmation.text
    assert TAG_ID in confirmation.text
    assert "Pinterest removed" in (flash_on(removed) or "")
    assert "No integrations yet" in removed.text
