"""The dashboard's flows in Chromium, as a new user would go through them.

A real server (uvicorn in a thread, temporary SQLite database and key file),
the Pinterest sandbox as its Ads API, and Debian's Chromium. Set
``COHORTCAST_SCREENSHOT_DIR=docs/screenshots`` to refresh the README's
screenshots; otherwise they go to a temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dashboard_browser import (
    DashboardServer,
    follow,
    nav,
    page_width,
    running_dashboard,
    sign_in,
)

from cohortcast.pinterest.sandbox import DEFAULT_TOKEN
from cohortcast.store import cohorts, workspaces
from sandbox_server import running_sandbox

pytestmark = pytest.mark.browser

TAG_ID = "2612345678901"
ALTERNATIVE_TAG_ID = "2698765432109"
AD_ACCOUNT = "549755885175"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    """A fresh server with one dashboard user and nothing else, whose Ads API
    is the sandbox."""
    folder = tmp_path_factory.mktemp("dashboard")
    with (
        running_sandbox() as sandbox,
        running_dashboard(folder, pinterest_api_url=sandbox.api_url) as running,
    ):
        yield running


def _error_of(page: Any, field_id: str) -> str:
    text: str = page.locator(f"#{field_id}-error").inner_text()
    return text


def _add_pinterest(page: Any, shots: Path) -> None:
    nav(page, "Settings")
    follow(page, page.get_by_role("link", name="Add Integration"))
    follow(page, page.get_by_role("link", name="Pinterest"))
    page.get_by_label("Tag ID").fill("26123abc")
    follow(page, page.get_by_role("button", name="Add Pinterest"))

    assert "must contain only digits" in _error_of(page, "tag_id")
    assert page.get_by_label("Tag ID").input_value() == "26123abc"
    page.screenshot(path=shots / "dashboard-add-pinterest-error.png")

    page.get_by_label("Tag ID").fill(TAG_ID)
    follow(page, page.get_by_role("button", name="Add Pinterest"))
    page.wait_for_url("**/settings/integrations")
    assert page.locator(".status.live").inner_text() == "Live"
    page.screenshot(path=shots / "dashboard-integrations.png")


def _create_cohort(page: Any, name: str, event: str, filtered: bool) -> str:
    nav(page, "Cohorts")
    follow(page, page.get_by_role("link", name="New cohort"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Event").fill(event)
    if filtered:
        page.get_by_label("Property").fill("category")
        page.get_by_label("Operator").select_option("eq")
        page.get_by_label("Value").fill("travel")
        page.get_by_label("How many times").select_option("gte")
        page.get_by_label("Number of times").fill("3")
        page.get_by_label("In the last").fill("30")
        page.get_by_label("Window unit").select_option("days")
    follow(page, page.get_by_role("button", name="Save", exact=True))
    page.wait_for_url("**/cohorts/coh_*")
    code: str = page.locator("dl.facts dd code").inner_text()
    return code


def _builder_rejects_a_zero_window(page: Any, shots: Path) -> None:
    nav(page, "Cohorts")
    follow(page, page.get_by_role("link", name="New cohort"))
    page.get_by_label("Name").fill("Broken")
    page.get_by_label("Event").fill("Pageview")
    page.get_by_label("In the last").fill("0")
    page.get_by_label("Window unit").select_option("days")
    follow(page, page.get_by_role("button", name="Save", exact=True))

    assert "definition.within.days" in _error_of(page, "c0-window")
    assert page.get_by_label("In the last").input_value() == "0"
    page.get_by_label("In the last").fill("30")
    page.get_by_label("Property").fill("category")
    page.get_by_label("Value").fill("travel")
    page.screenshot(path=shots / "dashboard-cohort-builder.png", full_page=True)


def _toggle_pinterest(page: Any, cohort_name: str, shots: Path) -> None:
    nav(page, "Cohorts")
    follow(page, page.get_by_role("link", name=cohort_name))
    switch = page.get_by_role("switch", name="Pinterest")
    assert switch.get_attribute("aria-checked") == "false"
    page.evaluate("window.stillTheSamePage = true")

    switch.focus()
    page.keyboard.press("Space")
    page.wait_for_selector("[role=switch][aria-checked=true]")

    assert page.evaluate("window.stillTheSamePage") is True
    assert "Pinterest is on" in page.locator("#pinterest-state").inner_text()
    assert TAG_ID in page.locator("#routed-tag-ids").inner_text()
    assert "default" in page.locator("#routed-tag-ids").inner_text()
    page.screenshot(path=shots / "dashboard-cohort.png", full_page=True)


def _add_activation(page: Any, tag_id: str, cohort_name: str) -> None:
    nav(page, "Cohort Activation")
    follow(page, page.get_by_role("link", name="+ Add Activation"))
    follow(page, page.get_by_role("link", name="Pinterest"))
    page.get_by_label("Tag ID").fill(tag_id)
    page.get_by_label(cohort_name).check()
    follow(page, page.get_by_role("button", name="Save"))
    page.wait_for_url("**/activations")


def _activation_rejects_a_bad_tag_id(page: Any) -> None:
    nav(page, "Cohort Activation")
    follow(page, page.get_by_role("link", name="+ Add Activation"))
    follow(page, page.get_by_role("link", name="Pinterest"))
    page.get_by_label("Tag ID").fill("12345")
    follow(page, page.get_by_role("button", name="Save"))

    assert "has 5 digits" in _error_of(page, "tag_id")
    assert page.get_by_label("Tag ID").input_value() == "12345"


def _set_up_server_side_delivery(page: Any, shots: Path) -> None:
    nav(page, "Settings")
    follow(page, page.get_by_role("link", name="Edit Pinterest"))
    section = page.locator("#server-side-delivery")
    assert "Status Off" in " ".join(section.inner_text().split())
    page.get_by_label("Ad account ID").fill("5497abc")
    page.get_by_label("Access token").fill(DEFAULT_TOKEN)
    follow(page, page.get_by_role("button", name="Save delivery settings"))

    assert "'5497abc' must contain only digits" in _error_of(page, "ad_account_id")
    assert "paste it again" in _error_of(page, "access_token")
    assert page.get_by_label("Access token").input_value() == ""
    page.get_by_label("Ad account ID").fill(AD_ACCOUNT)
    page.get_by_label("Access token").fill(DEFAULT_TOKEN)
    follow(page, page.get_by_role("button", name="Save delivery settings"))
    assert "Access token\nSet (never shown)" in section.inner_text()

    follow(page, page.get_by_role("button", name="Test connection"))
    steps = page.locator("ol.steps li").all_inner_texts()
    assert [" ".join(step.split()).split(" :")[0] for step in steps] == [
        "✓ Pinterest accepts the access token",
        "✓ The token may use the ad account",
        "✓ The default Tag ID is one of the ad account's conversion tags",
    ]
    assert page.locator("ol.steps li.passed").count() == 3
    assert "Test connection passed" in page.locator(".flash").inner_text()
    assert DEFAULT_TOKEN not in page.content()
    section.screenshot(path=shots / "dashboard-delivery-setup.png")

    page.set_viewport_size({"width": 375, "height": 812})
    assert page_width(page) <= 375
    follow(page, page.get_by_role("link", name="Turn off server-side delivery…"))
    assert page_width(page) <= 375
    follow(page, page.get_by_role("link", name="Cancel"))
    page.set_viewport_size({"width": 1280, "height": 900})


def _codes_by_name(server: DashboardServer) -> dict[str, str]:
    with server.app.state.store.read() as session:
        workspace = workspaces.get_default_workspace(session)
        return {c.name: c.code for c in cohorts.list_cohorts(session, workspace.id)}


def test_a_new_user_sets_up_pinterest_and_activates_cohorts(
    chromium: Any, server: DashboardServer, shots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()

    page.goto(server.url + "/")
    page.screenshot(path=shots / "dashboard-sign-in.png")
    sign_in(page, server.url)
    _add_pinterest(page, shots)
    _builder_rejects_a_zero_window(page, shots)
    travel = _create_cohort(page, "Travel readers", "Pageview", filtered=True)
    newsletter = _create_cohort(page, "Newsletter signups", "Signup", filtered=False)
    _toggle_pinterest(page, "Travel readers", shots)
    _activation_rejects_a_bad_tag_id(page)
    _add_activation(page, ALTERNATIVE_TAG_ID, "Travel readers")
    _add_activation(page, "", "Newsletter signups")

    listing = page.locator("table").inner_text()
    assert f"default: {TAG_ID}" in listing
    assert ALTERNATIVE_TAG_ID in listing
    page.screenshot(path=shots / "dashboard-activations.png")
    nav(page, "Cohorts")
    assert "Pinterest: 2 Tag IDs" in page.locator("table").inner_text()
    page.screenshot(path=shots / "dashboard-cohorts.png")

    nav(page, "Settings")
    follow(page, page.get_by_role("link", name="Snippet"))
    assert server.sdk_key in page.locator("#snippet-code").input_value()
    page.get_by_role("button", name="Copy").click()
    page.wait_for_selector(".copy-status:not(:empty)")
    page.screenshot(path=shots / "dashboard-snippet.png")
    _set_up_server_side_delivery(page, shots)

    assert _codes_by_name(server) == {
        "Travel readers": travel,
        "Newsletter signups": newsletter,
    }
    config = httpx.get(f"{server.url}/sdk/v1/{server.sdk_key}/config.json").json()
    assert config["routing"] == [
        {"tag_id": TAG_ID, "cohort_codes": sorted([travel, newsletter])},
        {"tag_id": ALTERNATIVE_TAG_ID, "cohort_codes": [travel]},
    ]
    context.close()


def test_the_pages_fit_a_phone(
    chromium: Any, server: DashboardServer, shots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    sign_in(page, server.url)

    pages = (
        "/cohorts",
        "/cohorts/new",
        "/activations",
        "/activations/new/pinterest",
        "/settings/integrations",
        "/settings/integrations/new/pinterest",
        "/snippet",
        "/delivery",
        "/delivery/log",
        "/troubleshooting",
    )
    for path in pages:
        page.goto(server.url + path)
        width = page_width(page)
        assert width <= 375, f"{path} is {width} px wide on a 375 px phone"

    page.goto(server.url + "/activations")
    page.screenshot(path=shots / "dashboard-phone.png", full_page=True)
    context.close()


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(
    chromium: Any, server: DashboardServer
) -> None:
    page = chromium.new_page()
    page.goto(server.url + "/sign-in")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")

    assert focused == "Skip to content"
    assert page.evaluate("location.hash") == "#main"
    page.close()
