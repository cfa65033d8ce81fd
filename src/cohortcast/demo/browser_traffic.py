"""Traffic from real browser sessions: headless Chromium driven by Playwright.

Each of ``concurrency`` browser contexts plays one visitor after another,
reading the pages :func:`plan_visit` chose on the demo site and starting each
visitor with the site's storage empty, so the SDK makes a new visitor id. The
SDK loads from the server, evaluates the cohorts in the page and fires the
pixel to the sandbox, exactly as on a publisher's site.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cohortcast.demo.traffic import SIGNED_IN_SHARE, TrafficStats, reader_email
from cohortcast.demo.visits import PageVisit, plan_visit

logger = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 15_000
READY_TIMEOUT = 15.0
_READY_SCRIPT = "() => new Promise((resolve) => window.cohortcast('ready', resolve))"


def chromium_available() -> bool:
    """Whether Debian's Chromium and the Playwright package are installed."""
    if not CHROMIUM.exists():
        return False
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return False
    return True


class BrowserTraffic:
    """Drives ``visitors`` visitors (None: until stopped) through the site."""

    def __init__(
        self,
        urls_by_topic: Mapping[str, Sequence[str]],
        *,
        visitors: int | None,
        concurrency: int,
        seed: int,
    ) -> None:
        self._urls_by_topic = urls_by_topic
        first_url = next(url for urls in urls_by_topic.values() for url in urls)
        self._site_origin = "/".join(first_url.split("/", 3)[:3])
        self._remaining = visitors
        self._concurrency = concurrency
        self._rng = random.Random(seed)

    async def run(self, stats: TrafficStats, stop: asyncio.Event) -> None:
        """Run until every visitor is done or ``stop`` is set; closes Chromium."""
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            workers = [
                asyncio.create_task(self._worker(browser, stats, stop))
                for _ in range(self._concurrency)
            ]
            try:
                await _until_done_or_stopped(workers, stop)
            finally:
                # A page still loading is abandoned rather than waited for:
                # on a busy machine it could hold the demo's Ctrl-C for seconds.
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                await browser.close()

    def _next_plan(self) -> list[PageVisit] | None:
        if self._remaining is not None:
            if self._remaining <= 0:
                return None
            self._remaining -= 1
        return plan_visit(self._rng, self._urls_by_topic)

    async def _worker(
        self, browser: Any, stats: TrafficStats, stop: asyncio.Event
    ) -> None:
        context = await browser.new_context()
        try:
            page = await context.new_page()
            devtools = await context.new_cdp_session(page)
            while not stop.is_set():
                plan = self._next_plan()
                if plan is None:
                    return
                await self._visit(page, plan, stats, stop)
                await self._forget_visitor(page, devtools)
        finally:
            with contextlib.suppress(Exception):
                await context.close()

    async def _visit(
        self, page: Any, plan: list[PageVisit], stats: TrafficStats, stop: asyncio.Event
    ) -> None:
        try:
            if self._rng.random() < SIGNED_IN_SHARE:
                # The site's own sign-in: its pages identify the reader to the
                # SDK (templates/_layout.html), which hashes the email.
                cookie = {"name": "reader", "value": reader_email()}
                await page.context.add_cookies([{**cookie, "url": self._site_origin}])
            for visit in plan:
                if stop.is_set():
                    return
                await page.goto(
                    visit.url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS
                )
                # ready() fires even when the configuration cannot load, but
                # not when the SDK itself cannot: then the visit gives up.
                await asyncio.wait_for(page.evaluate(_READY_SCRIPT), READY_TIMEOUT)
                stats.page_views += 1
                await asyncio.sleep(visit.stay_seconds)
            stats.visitors += 1
        except Exception as error:
            # A page that fails (e.g. while stopping) only ends this visit;
            # the demo keeps going with the next visitor.
            stats.failed_visits += 1
            logger.debug("A demo visit failed: %s", error)

    async def _forget_visitor(self, page: Any, devtools: Any) -> None:
        # A fresh browser context per visitor costs about a second of CPU on a
        # 2-core machine; clearing the site's storage and cookies makes the
        # SDK start a new visitor, and the site's Pinterest tag a new
        # _pin_unauth, just as well. Leaving the page first lets it send its
        # last batch (a keepalive request that survives the navigation).
        await page.goto("about:blank")
        await devtools.send(
            "Storage.clearDataForOrigin",
            {"origin": self._site_origin, "storageTypes": "local_storage,cookies"},
        )


async def _until_done_or_stopped(
    workers: list[asyncio.Task[None]], stop: asyncio.Event
) -> None:
    stopping = asyncio.create_task(stop.wait())
    pending: set[asyncio.Task[Any]] = set(workers)
    try:
        while pending and not stop.is_set():
            _, pending = await asyncio.wait(
                pending | {stopping}, return_when=asyncio.FIRST_COMPLETED
            )
            pending.discard(stopping)
    finally:
        stopping.cancel()
