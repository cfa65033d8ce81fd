"""The dashboard's flows in Chromium, as a new user would go through them.

A real server (uvicorn in a thread, temporary SQLite database and key file)
and Debian's Chromium. Set ``COHORTCAST_SCREENSHOT_DIR=docs/screenshots`` to
refresh the README's screenshots; otherwise they go to a temporary folder.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from cohortcast.settings import Settings
from cohortcast.store import cohorts, users, workspaces
from cohortcast.web.app import create_app

pytestmark = pytest.mark.browser

EMAIL = "ana@example.com"
PASSWORD = "correct horse battery"
TAG_ID = "2612345678901"
ALTERNATIVE_TAG_ID = "2698765432109"


@dataclass
class DashboardServer:
    """The running server, its app (for the store) and the user's workspace."""

    url: str
    app: Any
    sdk_key: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    """A fresh server with one dashboard user and nothing else."""
    folder = tmp_path_factory.mktemp("dashboard")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'cohortcast.db'}",
        key_file=str(folder / "cohortcast.key"),
        sign_in_delay_seconds=0.01,
    )
    app = create_app(settings)
    with app.state.store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        users.create_user(session, workspace.id, EMAIL, PASSWORD)
        sdk_key = workspace.sdk_key

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(url + "/healthz")
    yield DashboardServer(url=url, app=app, sdk_key=sdk_key)
    running.should_exit = True
    thread.join(timeout=10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"The server did not answer at {url} within 15 s.")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go."""
    configured = os.environ.get("COHORTCAST_SCREENSHOT_DIR")
    if configured:
        Path(configured).mkdir(parents=True, exist_ok=True)
        return Path(configured)
    return tmp_path_factory.mktemp("screenshots")


def _sign_in(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    _follow(page, page.get_by_role("button", name="Sign in"))
    page.wait_for_url("**/cohorts")


def _nav(page: Any, name: str) -> None:
    main = page.get_by_role("navigation", name="Main")
    _follow(page, main.get_by_role("link", name=name, exact=True))


def _follow(page: Any, target: Any) -> None:
    # Wait until a new document has replaced this one: the page before may
    # have the same link or button, and a form may come back to its own URL.
    page.evaluate("window.previousPage = true")
    target.click()
    page.wait_for_function("window.previousPage === undefined")
    page.wait_for_load_state()


def _error_of(page: Any, field_id: str) -> str:
    text: str = page.locator(f"#{field_id}-error").inner_text()
    return text


def _add_pinterest(page: Any, shots: Path) -> None:
    _nav(page, "Settings")
    _follow(page, page.get_by_role("link", name="Add Integration"))
    _follow(page, page.get_by_role("link", name="Pinterest"))
    page.get_by_label("Tag ID").fill("26123abc")
    _follow(page, page.get_by_role("button", name="Add Pinterest"))

    assert "must contain only digits" in _error_of(page, "tag_id")
    assert page.get_by_label("Tag ID").input_value() == "26123abc"
    page.screenshot(path=shots / "dashboard-add-pinterest-error.png")

    page.get_by_label("Tag ID").fill(TAG_ID)
    _follow(page, page.get_by_role("button", name="Add Pinterest"))
    page.wait_for_url("**/settings/integrations")
    assert page.locator(".status.live").inner_text() == "Live"
    page.screenshot(path=shots / "dashboard-integrations.png")


def _create_cohort(page: Any, name: str, event: str, filtered: bool) -> str:
    _nav(page, "Cohorts")
    _follow(page, page.get_by_role("link", name="New cohort"))
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
    _follow(page, page.get_by_role("button", name="Save", exact=True))
    page.wait_for_url("**/cohorts/coh_*")
    code: str = page.locator("dl.facts dd code").inner_text()
    return code


def _builder_rejects_a_zero_window(page: Any, shots: Path) -> None:
    _nav(page, "Cohorts")
    _follow(page, page.get_by_role("link", name="New cohort"))
    page.get_by_label("Name").fill("Broken")
    page.get_by_label("Event").fill("Pageview")
    page.get_by_label("In the last").fill("0")
    page.get_by_label("Window unit").select_option("days")
    _follow(page, page.get_by_role("button", name="Save", exact=True))

    assert "definition.within.days" in _error_of(page, "c0-window")
    assert page.get_by_label("In the last").input_value() == "0"
    page.get_by_label("In the last").fill("30")
    page.get_by_label("Property").fill("category")
    page.get_by_label("Value").fill("travel")
    page.screenshot(path=shots / "dashboard-cohort-builder.png", full_page=True)


def _toggle_pinterest(page: Any, cohort_name: str, shots: Path) -> None:
    _nav(page, "Cohorts")
    _follow(page, page.get_by_role("link", name=cohort_name))
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
    _nav(page, "Cohort Activation")
    _follow(page, page.get_by_role("link", name="+ Add Activation"))
    _follow(page, page.get_by_role("link", name="Pinterest"))
    page.get_by_label("Tag ID").fill(tag_id)
    page.get_by_label(cohort_name).check()
    _follow(page, page.get_by_role("button", name="Save"))
    page.wait_for_url("**/activations")


def _activation_rejects_a_bad_tag_id(page: Any) -> None:
    _nav(page, "Cohort Activation")
    _follow(page, page.get_by_role("link", name="+ Add Activation"))
    _follow(page, page.get_by_role("link", name="Pinterest"))
    page.get_by_label("Tag ID").fill("12345")
    _follow(page, page.get_by_role("button", name="Save"))

    assert "has 5 digits" in _error_of(page, "tag_id")
    assert page.get_by_label("Tag ID").input_value() == "12345"


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
    _sign_in(page, server.url)
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
    _nav(page, "Cohorts")
    assert "Pinterest: 2 Tag IDs" in page.locator("table").inner_text()
    page.screenshot(path=shots / "dashboard-cohorts.png")

    _nav(page, "Settings")
    _follow(page, page.get_by_role("link", name="Snippet"))
    assert server.sdk_key in page.locator("#snippet-code").input_value()
    page.get_by_role("button", name="Copy").click()
    page.wait_for_selector(".copy-status:not(:empty)")
    page.screenshot(path=shots / "dashboard-snippet.png")

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
    _sign_in(page, server.url)

    pages = (
        "/cohorts",
        "/cohorts/new",
        "/activations",
        "/activations/new/pinterest",
        "/settings/integrations",
        "/settings/integrations/new/pinterest",
        "/snippet",
    )
    for path in pages:
        page.goto(server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
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
