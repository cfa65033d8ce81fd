"""Driving the dashboard in Chromium: a real server with one user, signing
in, and following links as a person would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from browser_serving import serving

from cohortcast.settings import Settings
from cohortcast.store import users, workspaces
from cohortcast.web.app import create_app

EMAIL = "ana@example.com"
PASSWORD = "correct horse battery"


@dataclass
class DashboardServer:
    """The running server, its app (for the store) and the user's workspace."""

    url: str
    app: Any
    sdk_key: str


@contextmanager
def running_dashboard(folder: Path, **overrides: Any) -> Iterator[DashboardServer]:
    """A fresh server in ``folder`` with one dashboard user and nothing else;
    ``overrides`` are further :class:`Settings` fields."""
    settings = Settings(
        database_url=f"sqlite:///{folder / 'cohortcast.db'}",
        key_file=str(folder / "cohortcast.key"),
        sign_in_delay_seconds=0.01,
        **overrides,
    )
    app = create_app(settings)
    with app.state.store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        users.create_user(session, workspace.id, EMAIL, PASSWORD)
        sdk_key = workspace.sdk_key

    with serving(app) as url:
        yield DashboardServer(url=url, app=app, sdk_key=sdk_key)


def sign_in(page: Any, url: str) -> None:
    """Sign in as :data:`EMAIL` from the server's front page."""
    page.goto(url + "/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in"))
    page.wait_for_url("**/cohorts")


def nav(page: Any, name: str) -> None:
    """Choose ``name`` in the main navigation."""
    main = page.get_by_role("navigation", name="Main")
    follow(page, main.get_by_role("link", name=name, exact=True))


def follow(page: Any, target: Any) -> None:
    """Click ``target`` and wait until a new document has replaced this one:
    the page before may have the same link or button, and a form may come
    back to its own URL."""
    page.evaluate("window.previousPage = true")
    target.click()
    page.wait_for_function("window.previousPage === undefined")
    page.wait_for_load_state()


def page_width(page: Any) -> int:
    """How wide the document is, to compare with the viewport."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width
