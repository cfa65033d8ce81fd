"""``cohortcast demo`` end to end: seed, start everything, drive traffic, stop.

:func:`run_demo` owns every process and thread it starts and stops them all,
in reverse order, when ``stop`` is set (the CLI sets it on Ctrl-C or SIGTERM)
or the duration is over. It never prints: it tells a :class:`DemoReporter`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from cohortcast.demo.audiences import sync_demo_audiences
from cohortcast.demo.browser_traffic import chromium_available
from cohortcast.demo.delivery import ServerSideDelivery, connect_server_side_delivery
from cohortcast.demo.drive import TrafficDrive
from cohortcast.demo.options import DATABASE_FILE, KEY_FILE, DemoOptions, DemoUrls
from cohortcast.demo.processes import ChildProcess, check_ports_free
from cohortcast.demo.seed import CREDENTIALS_FILE, DemoSeed, seed_demo
from cohortcast.demo.site import DemoSite, render_pages
from cohortcast.demo.traffic import TrafficPlan, TrafficStats
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN
from cohortcast.settings import ENVIRONMENT
from cohortcast.store.database import open_store

logger = logging.getLogger(__name__)

AUDIENCE_REFRESH_SECONDS = 15


@dataclass(frozen=True)
class DemoStarted:
    """Everything the user needs once the demo is up."""

    urls: DemoUrls
    seed: DemoSeed
    reset: bool
    traffic_mode: str
    traffic_reason: str
    audiences_by_account: dict[str, int]
    delivery: ServerSideDelivery
    log_dir: str


class DemoReporter(Protocol):
    """Where the runner tells what happens (the CLI prints it)."""

    def started(self, started: DemoStarted) -> None:
        """Everything is up; traffic starts now."""

    def progress(self, line: str) -> None:
        """A progress line, or a note such as the traffic being done."""


class DemoDataError(RuntimeError):
    """The data directory cannot be reset; the message says why."""


_DEMO_FILES = (
    DATABASE_FILE,
    *(DATABASE_FILE + suffix for suffix in ("-journal", "-wal", "-shm")),
    KEY_FILE,
    CREDENTIALS_FILE,
    "server.log",
    "sandbox.log",
    "traffic.log",
    ".gitignore",
)


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
    async with _running_services(options, seeded):
        if stop.is_set():
            return stats
        urls = options.urls
        audiences = await sync_demo_audiences(
            urls.ads_api, DEFAULT_TOKEN, seeded.routing, seeded.cohorts
        )
        delivery = await connect_server_side_delivery(
            urls.server, seeded.credentials.api_token, DEFAULT_TOKEN
        )
        plan = choose_traffic(options, seeded)
        reporter.started(
            DemoStarted(
                urls=options.urls,
                seed=seeded,
                reset=options.reset,
                traffic_mode=plan.mode,
                traffic_reason=plan.reason,
                audiences_by_account=audiences,
                delivery=delivery,
                log_dir=str(options.data_dir),
            )
        )
        names = {cohort.code: cohort.name for cohort in seeded.cohorts}
        drive = TrafficDrive(options, plan, reporter.progress, names)
        stats = await drive.run(stop)
    return stats


def reset_data_dir(options: DemoOptions) -> None:
    """Delete the demo's own files from the data directory, then the directory.

    Only files the demo makes are removed, so a --data-dir pointing somewhere
    that holds other things loses nothing else (and is then kept).
    """
    data_dir = options.data_dir
    if not data_dir.is_dir():
        return
    database = data_dir / DATABASE_FILE
    if database.exists() and not (data_dir / CREDENTIALS_FILE).exists():
        # Without the demo's sign-in file the database may be someone's real
        # one; deleting it is for a person to decide.
        raise DemoDataError(
            f"{str(database)!r} was not made by cohortcast demo (there is no "
            f"{CREDENTIALS_FILE} beside it); delete it yourself or choose "
            "another --data-dir."
        )
    for name in _DEMO_FILES:
        (data_dir / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        data_dir.rmdir()
    logger.info("Deleted the demo data in %s", data_dir)


def seed_data_dir(options: DemoOptions) -> DemoSeed:
    """Open (and migrate) the demo database and seed it once."""
    options.data_dir.mkdir(parents=True, exist_ok=True)
    # The directory holds a password and an API token: keep it out of git
    # wherever it is created, as pytest does with its cache.
    (options.data_dir / ".gitignore").write_text("# Made by cohortcast demo.\n*\n")
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
        # The audiences fill within minutes; the Troubleshooting page should
        # show their sizes as they grow, not five minutes late.
        ENVIRONMENT["audience_refresh_seconds"]: str(AUDIENCE_REFRESH_SECONDS),
    }
    # Server-side delivery, where this version has it, goes to the sandbox too.
    if "pinterest_api_url" in ENVIRONMENT:
        environment[ENVIRONMENT["pinterest_api_url"]] = options.urls.ads_api
    return environment


@contextlib.asynccontextmanager
async def _running_services(
    options: DemoOptions, seeded: DemoSeed
) -> AsyncIterator[None]:
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
        site = DemoSite(
            host, options.site_port, render_pages(urls.server, seeded.sdk_key)
        )
        site.start()
        yield
    finally:
        # Reverse order: no page view reaches a stopped server.
        if site is not None:
            site.stop()
        if server is not None:
            server.stop()
        sandbox.stop()
