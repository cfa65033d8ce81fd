"""``cohortcast demo`` end to end: seed, start everything, drive traffic, stop.

:func:`run_demo` owns every process and thread it starts and stops them all,
in reverse order, when ``stop`` is set (the CLI sets it on Ctrl-C or SIGTERM)
or the duration is over. It never prints: it tells a :class:`DemoReporter`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import httpx

from cohortcast.demo.audiences import sync_demo_audiences
from cohortcast.demo.browser_traffic import chromium_available
from cohortcast.demo.options import DATABASE_FILE, KEY_FILE, DemoOptions, DemoUrls
from cohortcast.demo.processes import ChildProcess, check_ports_free
from cohortcast.demo.progress import progress_line, read_progress
from cohortcast.demo.seed import CREDENTIALS_FILE, DemoSeed, seed_demo
from cohortcast.demo.site import DemoSite, render_pages
from cohortcast.demo.traffic import TrafficPlan, TrafficStats
from cohortcast.demo.traffic_process import TrafficProcess
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN
from cohortcast.settings import ENVIRONMENT
from cohortcast.store.database import open_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoStarted:
    """Everything the user needs once the demo is up."""

    urls: DemoUrls
    seed: DemoSeed
    reset: bool
    traffic_mode: str
    traffic_reason: str
    audiences_by_account: dict[str, int]
    log_dir: str


class DemoReporter(Protocol):
    """Where the runner tells what happens (the CLI prints it)."""

    def started(self, started: DemoStarted) -> None:
        """Everything is up; traffic starts now."""

    def progress(self, line: str) -> None:
        """A progress line, or a note such as the traffic being done."""


class DemoDataError(RuntimeError):
    """The data directory cannot be used or reset; the message says why."""


async def run_demo(
    options: DemoOptions, reporter: DemoReporter, stop: asyncio.Event
) -> TrafficStats:
    """Run the demo until ``stop`` is set or ``options.duration`` has passed."""
    check_ports_free(
        options.host,
        {
            "--port": options.port,
            "--sandbox-port": options.sandbox_port,
            "--site-port": options.site_port,
        },
    )
    if options.reset:
        reset_data_dir(options)
    seeded = seed_data_dir(options)

    stats = TrafficStats()
    async with _running_services(options, seeded, stop) as audiences:
        if stop.is_set():
            return stats
        plan = choose_traffic(options, seeded)
        reporter.started(
            DemoStarted(
                urls=options.urls,
                seed=seeded,
                reset=options.reset,
                traffic_mode=plan.mode,
                traffic_reason=plan.reason,
                audiences_by_account=audiences,
                log_dir=str(options.data_dir),
            )
        )
        traffic = TrafficProcess(plan, options.data_dir / "traffic.log")
        await _drive(options, traffic, stats, reporter, stop)
    return stats


def reset_data_dir(options: DemoOptions) -> None:
    """Delete the data directory, refusing one that is not a demo's."""
    data_dir = options.data_dir
    if not data_dir.exists():
        return
    known = {DATABASE_FILE, KEY_FILE, CREDENTIALS_FILE}
    if not any((data_dir / name).exists() for name in known) and any(
        data_dir.iterdir()
    ):
        raise DemoDataError(
            f"{str(data_dir)!r} does not look like a demo data directory (no "
            f"{DATABASE_FILE}); refusing to delete it. Pass another --data-dir."
        )
    shutil.rmtree(data_dir)
    logger.info("Deleted the demo data in %s", data_dir)


def seed_data_dir(options: DemoOptions) -> DemoSeed:
    """Open (and migrate) the demo database and seed it once."""
    options.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(options.database_url)
    try:
        return seed_demo(store, options.data_dir)
    finally:
        store.close()


def choose_traffic(options: DemoOptions, seeded: DemoSeed) -> TrafficPlan:
    """Browser sessions when Chromium is there and wanted, else the collect API."""
    if options.use_browser and chromium_available():
        mode, reason = "browser", "headless Chromium running the SDK on the demo site"
    else:
        mode = "collect"
        reason = "--no-browser" if not options.use_browser else "Chromium not found"
    return TrafficPlan(
        mode=mode,
        reason=reason,
        site_url=options.urls.site,
        server_url=options.urls.server,
        sdk_key=seeded.sdk_key,
        visitors=options.visitors,
        concurrency=options.concurrency,
        seed=options.seed,
    )


def server_environment(options: DemoOptions) -> dict[str, str]:
    """The server's settings: the demo database and key, the sandbox's pixel."""
    environment = {
        ENVIRONMENT["database_url"]: options.database_url,
        ENVIRONMENT["key_file"]: str((options.data_dir / KEY_FILE).resolve()),
        ENVIRONMENT["pinterest_pixel_url"]: options.urls.pixel,
        # Every collected batch would log a line; the demo's own lines matter.
        ENVIRONMENT["log_level"]: "WARNING",
    }
    # Server-side delivery, where this version has it, goes to the sandbox too.
    if "pinterest_api_url" in ENVIRONMENT:
        environment[ENVIRONMENT["pinterest_api_url"]] = options.urls.ads_api
    return environment


@contextlib.asynccontextmanager
async def _running_services(
    options: DemoOptions, seeded: DemoSeed, stop: asyncio.Event
) -> AsyncIterator[dict[str, int]]:
    logs = options.data_dir
    host = options.host
    sandbox = ChildProcess(
        "Pinterest sandbox",
        ["sandbox", "--host", host, "--port", str(options.sandbox_port)],
        logs / "sandbox.log",
    )
    server: ChildProcess | None = None
    site: DemoSite | None = None
    try:
        server = ChildProcess(
            "Cohortcast server",
            ["serve", "--host", host, "--port", str(options.port)],
            logs / "server.log",
            server_environment(options),
        )
        urls = options.urls
        await asyncio.gather(
            asyncio.to_thread(
                sandbox.wait_until_up, urls.sandbox + "/ads/audiences.json"
            ),
            asyncio.to_thread(server.wait_until_up, urls.server + "/healthz"),
        )
        audiences = await sync_demo_audiences(
            urls.ads_api, DEFAULT_TOKEN, seeded.routing, seeded.cohorts
        )
        site = DemoSite(
            host, options.site_port, render_pages(urls.server, seeded.sdk_key)
        )
        site.start()
        yield audiences
    finally:
        # Reverse order: no page view reaches a stopped server.
        if site is not None:
            site.stop()
        if server is not None:
            server.stop()
        sandbox.stop()


async def _drive(
    options: DemoOptions,
    source: TrafficProcess,
    stats: TrafficStats,
    reporter: DemoReporter,
    stop: asyncio.Event,
) -> None:
    traffic_stop = asyncio.Event()
    traffic = asyncio.create_task(source.run(stats, traffic_stop))
    try:
        await _report_until_stopped(options, traffic, source, reporter, stop, stats)
    finally:
        traffic_stop.set()
        await _finish(traffic)


async def _report_until_stopped(
    options: DemoOptions,
    traffic: asyncio.Task[None],
    source: TrafficProcess,
    reporter: DemoReporter,
    stop: asyncio.Event,
    stats: TrafficStats,
) -> None:
    started = time.monotonic()
    announced_done = False
    async with httpx.AsyncClient(timeout=5) as http:
        while not stop.is_set():
            elapsed = time.monotonic() - started
            if options.duration is not None and elapsed >= options.duration:
                return
            wait = options.progress_interval
            if options.duration is not None:
                wait = min(wait, options.duration - elapsed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.05))
            reporter.progress(
                await _progress_text(http, options, time.monotonic() - started, stats)
            )
            if traffic.done() and not announced_done:
                announced_done = True
                reporter.progress(_traffic_done_note(traffic, source, options))


async def _progress_text(
    http: httpx.AsyncClient, options: DemoOptions, elapsed: float, stats: TrafficStats
) -> str:
    try:
        progress = await read_progress(http, options.urls.sandbox)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return f"The sandbox did not answer ({error!r}); see its log."
    return progress_line(elapsed, stats, progress)


def _traffic_done_note(
    traffic: asyncio.Task[None], source: TrafficProcess, options: DemoOptions
) -> str:
    error = None if traffic.cancelled() else traffic.exception()
    if error is not None or source.returncode != 0:
        log = options.data_dir / "traffic.log"
        return f"The traffic stopped early ({error or source.returncode}); see {log}."
    return "The traffic is done; everything keeps running until Ctrl-C."


async def _finish(traffic: asyncio.Task[None]) -> None:
    # The traffic process finishes its open pages and closes Chromium; the
    # process class kills it if that takes too long.
    try:
        await traffic
    except Exception as error:
        logger.warning("Demo traffic ended with an error: %s", error)
