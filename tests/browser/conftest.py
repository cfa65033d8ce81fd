"""A real Cohortcast server, a publisher site on another origin, and Chromium.

The server runs under uvicorn in a thread on 127.0.0.1 with a temporary SQLite
database; the publisher's pages are served from ``localhost`` on another port,
so the SDK is loaded cross-origin as on a real site. Chromium is Debian's
``/usr/bin/chromium``: these tests never download a browser.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_serving import serving

from cohortcast.demo.browser_traffic import CHROMIUM, CHROMIUM_ARGS
from cohortcast.settings import Settings
from cohortcast.store import tokens, workspaces
from cohortcast.web.app import create_app

SDK_BUNDLE = Path(__file__).parents[2] / "src/cohortcast/web/static/sdk/cohortcast.js"
# The two stubs of docs/sdk.md: the short one queues function-style calls,
# the long one method-style calls too.
SHORT_STUB = (
    "window.cohortcast=window.cohortcast||function(){"
    "(window.cohortcast.q=window.cohortcast.q||[]).push(arguments)};"
)
METHOD_STUB = (
    "!function(w,c){c=w.cohortcast=w.cohortcast||function(){"
    "(c.q=c.q||[]).push(arguments)};"
    '"page track identify on ready consent".split(" ").forEach(function(m){'
    "c[m]=c[m]||function(){c.apply(0,[m].concat([].slice.call(arguments)))}})"
    "}(window);"
)
PIXEL_ROUTE = "https://ct.pinterest.com/v3/**"
# The smallest GIF, so the intercepted pixel answers like Pinterest's.
GIF = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every browser test needs Chromium; those on the SDK also its bundle.
    for item in items:
        if "browser" not in item.keywords:
            continue
        if not CHROMIUM.exists():
            reason = f"{CHROMIUM} is missing: install Debian's chromium (make chromium)"
            item.add_marker(pytest.mark.skip(reason=reason))
        elif not SDK_BUNDLE.exists() and "cohortcast_server" in item.fixturenames:
            reason = f"{SDK_BUNDLE} is missing: build the SDK first (make sdk)"
            item.add_marker(pytest.mark.skip(reason=reason))


class CollectTap:
    """ASGI wrapper that keeps a copy of every collect batch the server got.

    Playwright does not report requests made by a page that is unloading,
    which are exactly the keepalive ones, so they are seen where they land.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.batches: dict[str, list[dict[str, Any]]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/collect/v1/"):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        if scope["method"] == "POST":
            sdk_key = path.split("/")[3]
            self.batches.setdefault(sdk_key, []).append(json.loads(body))
        await self.app(scope, replay, send)


@dataclass
class CohortcastServer:
    """The running server and a way to make workspaces on it."""

    url: str
    app: Any
    tap: CollectTap

    def collected(self, sdk_key: str) -> list[dict[str, Any]]:
        """The collect batches the server received for `sdk_key`, in order."""
        return list(self.tap.batches.get(sdk_key, []))

    def workspace(self) -> Workspace:
        """A new workspace of its own, so tests never see each other's routing."""
        slug = "ws" + secrets.token_hex(4)
        with self.app.state.store.transaction() as session:
            made = workspaces.create_workspace(session, slug, slug)
            secret = tokens.create_token(session, made.id, "browser-tests").secret
        api = httpx.Client(
            base_url=self.url + "/api/v1",
            headers={"Authorization": f"Bearer {secret}"},
        )
        sdk_key: str = api.get("/workspace").raise_for_status().json()["sdk_key"]
        return Workspace(api=api, sdk_key=sdk_key)


@dataclass
class Workspace:
    """A workspace's management API, with the calls the dashboard makes."""

    api: httpx.Client
    sdk_key: str
    cohorts: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: object) -> dict[str, Any]:
        response = self.api.request(method, path, json=body)
        assert response.is_success, f"{method} {path}: {response.text}"
        result: dict[str, Any] = response.json()
        return result

    def add_pinterest(self, tag_id: str) -> None:
        self.call("POST", "/integrations", {"type": "pinterest", "tag_id": tag_id})

    def add_cohort(self, name: str, definition: object) -> str:
        """Creates a cohort and returns its code."""
        made = self.call("POST", "/cohorts", {"name": name, "definition": definition})
        self.cohorts[made["code"]] = made["id"]
        code: str = made["code"]
        return code

    def toggle_pinterest(self, code: str, enabled: bool) -> None:
        path = f"/cohorts/{self.cohorts[code]}/activations/pinterest"
        self.call("PUT", path, {"enabled": enabled})

    def add_activation(self, tag_id: str, codes: list[str]) -> None:
        ids = [self.cohorts[code] for code in codes]
        body = {"integration": "pinterest", "tag_id": tag_id, "cohort_ids": ids}
        self.call("POST", "/activations", body)


@pytest.fixture(scope="session")
def cohortcast_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CohortcastServer]:
    """The real application under uvicorn, on a temporary SQLite database."""
    database = tmp_path_factory.mktemp("server") / "cohortcast.db"
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    tap = CollectTap(app)
    with serving(tap) as url:
        yield CohortcastServer(url=url, app=app, tap=tap)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``COHORTCAST_SCREENSHOT_DIR`` (set it to
    docs/screenshots to refresh the docs' images), else a temporary folder."""
    configured = os.environ.get("COHORTCAST_SCREENSHOT_DIR")
    if configured:
        Path(configured).mkdir(parents=True, exist_ok=True)
        return Path(configured)
    return tmp_path_factory.mktemp("screenshots")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class PublisherSite:
    """A static site on another origin; `page()` writes a page with the snippet."""

    root: Path
    url: str
    server_url: str

    def page(
        self,
        sdk_key: str,
        name: str = "index.html",
        attributes: str = "",
        method_stub: bool = False,
        inline: str = "",
    ) -> str:
        """Writes a page with a stub, then `inline` script, then the SDK tag."""
        stub = METHOD_STUB if method_stub else SHORT_STUB
        html = (
            "<!doctype html><title>Lisbon in three days</title>"
            f"<script>{stub}{inline}</script>"
            f'<script async src="{self.server_url}/sdk/v1/cohortcast.js" '
            f'data-sdk-key="{sdk_key}" data-debug="true" {attributes}></script>'
            "<p>Hi</p>"
        )
        (self.root / name).write_text(html)
        return f"{self.url}/{name}"


@pytest.fixture(scope="session")
def publisher(
    tmp_path_factory: pytest.TempPathFactory, cohortcast_server: CohortcastServer
) -> Iterator[PublisherSite]:
    """Serves a folder on localhost, a different origin from the server's 127.0.0.1."""
    root = tmp_path_factory.mktemp("publisher")
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield PublisherSite(
        root=root,
        url=f"http://localhost:{httpd.server_address[1]}",
        server_url=cohortcast_server.url,
    )
    httpd.shutdown()
    httpd.server_close()


# Module scope, not session: Playwright's sync API keeps an event loop running
# in this thread while it is open, and later tests call asyncio.run().
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class Visitor:
    """One browser profile, with every pixel and collect request it made."""

    context: Any
    page: Any
    pixels: list[dict[str, Any]] = field(default_factory=list)
    collects: list[str] = field(default_factory=list)

    def delivered(self) -> dict[str, list[str]]:
        """Tag ID -> cohort codes fired to it, sorted, repeats kept."""
        by_tag: dict[str, list[str]] = {}
        for pixel in self.pixels:
            by_tag.setdefault(pixel["tid"], []).append(pixel["ed"]["cohort_code"])
        return {tag: sorted(codes) for tag, codes in sorted(by_tag.items())}


@pytest.fixture
def visitor(chromium: Any) -> Iterator[Visitor]:
    """A fresh browser profile that records pixels and collect requests."""
    import json
    from urllib.parse import parse_qs, urlsplit

    context = chromium.new_context()
    page = context.new_page()
    seen = Visitor(context=context, page=page)

    def on_pixel(route: Any) -> None:
        query = parse_qs(urlsplit(route.request.url).query)
        seen.pixels.append(
            {
                "tid": query["tid"][0],
                "event": query["event"][0],
                "ed": json.loads(query["ed"][0]),
                "cb": query["cb"][0],
            }
        )
        route.fulfill(status=200, content_type="image/gif", body=GIF)

    context.route(PIXEL_ROUTE, on_pixel)
    page.on(
        "request",
        lambda request: (
            "/collect/" in request.url and seen.collects.append(request.url)
        ),
    )
    yield seen
    context.close()
