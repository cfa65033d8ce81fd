"""``cohortcast demo``: the whole product on this machine, with no Pinterest account."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import click

from cohortcast.demo.options import DEFAULT_DATA_DIR, DemoOptions
from cohortcast.demo.processes import ChildFailedError, PortInUseError
from cohortcast.demo.runner import DemoDataError, DemoStarted, run_demo
from cohortcast.demo.seed import DEMO_ACCOUNTS, SeedError
from cohortcast.demo.traffic import TrafficPlan, TrafficStats, build_source

_PORT = click.IntRange(1, 65535)


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface for all three servers.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=_PORT,
    help="Cohortcast server port.",
)
@click.option(
    "--sandbox-port",
    default=8700,
    show_default=True,
    type=_PORT,
    help="Pinterest sandbox port.",
)
@click.option(
    "--site-port",
    default=8800,
    show_default=True,
    type=_PORT,
    help="Demo publisher site port.",
)
@click.option(
    "--data-dir",
    default=str(DEFAULT_DATA_DIR),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo keeps its database, key, sign-in and logs.",
)
@click.option("--reset", is_flag=True, help="Delete the demo data and seed it afresh.")
@click.option(
    "--visitors",
    type=click.IntRange(min=1),
    help="Stop the traffic after this many visitors. [default: no limit]",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=1),
    help="Stop the whole demo after this many seconds. [default: until Ctrl-C]",
)
@click.option(
    "--no-browser",
    is_flag=True,
    help="Send traffic to the collect endpoint instead of driving Chromium.",
)
@click.option(
    "--concurrency",
    default=DemoOptions.concurrency,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Visitors reading at the same time.",
)
def demo(
    host: str,
    port: int,
    sandbox_port: int,
    site_port: int,
    data_dir: Path,
    reset: bool,
    visitors: int | None,
    duration: float | None,
    no_browser: bool,
    concurrency: int,
) -> None:
    """Run the server, a Pinterest sandbox and a demo site, with traffic.

    Seeds a workspace (Pinterest integration, five cohorts, two of them on,
    and a second Pinterest account), then sends visitors through the demo
    site so that audiences fill in the sandbox's Ads > Audiences page. A
    second run reuses the data; --reset starts afresh. Ctrl-C stops it all.
    """
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    options = DemoOptions(
        host=host,
        port=port,
        sandbox_port=sandbox_port,
        site_port=site_port,
        data_dir=data_dir,
        reset=reset,
        visitors=visitors,
        duration=duration,
        use_browser=not no_browser,
        concurrency=concurrency,
    )
    try:
        stats = asyncio.run(_run(options))
    except (PortInUseError, ChildFailedError, DemoDataError, SeedError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{stats.visitors} visitors, {stats.page_views} page views in all.")
    click.echo("Stopped.")


async def _run(options: DemoOptions) -> TrafficStats:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, _stopping, stop)
    return await run_demo(options, _Printer(), stop)


def _stopping(stop: asyncio.Event) -> None:
    if not stop.is_set():
        click.echo("\nStopping...")
    stop.set()


class _Printer:
    """Prints the runner's news for a person at a terminal."""

    def started(self, started: DemoStarted) -> None:
        urls, seed = started.urls, started.seed
        credentials = seed.credentials
        click.echo(_data_line(started))
        click.echo("")
        rows = [
            ("Dashboard", urls.dashboard),
            ("  sign in with", f"{credentials.email} / {credentials.password}"),
            ("Demo site", f"{urls.site}/"),
            ("Ads > Audiences", f"{urls.audiences}  (the Pinterest sandbox)"),
            ("API docs", urls.api_docs),
            ("  API token", credentials.api_token),
        ]
        for label, value in rows:
            click.echo(f"  {label:<17} {value}")
        click.echo("")
        click.echo("  Activated cohorts, by Pinterest Tag ID:")
        for line in _routing_lines(started):
            click.echo(f"    {line}")
        click.echo(f"  Traffic: {_traffic_text(started)}")
        click.echo(f"  Server-side delivery: {_delivery_text(started)}")
        click.echo(f"  Logs: server.log, sandbox.log, traffic.log in {started.log_dir}")
        click.echo("")
        click.echo("Press Ctrl-C to stop. Progress every 10 s:")

    def progress(self, line: str) -> None:
        click.echo(line)


def _data_line(started: DemoStarted) -> str:
    where = started.log_dir
    if started.reset:
        return f"Reset the demo data in {where} and seeded it afresh."
    if started.seed.created:
        return f"Seeded a new demo workspace in {where}."
    return f"Reusing the demo data in {where} (--reset starts afresh)."


def _routing_lines(started: DemoStarted) -> list[str]:
    names = {cohort.code: cohort.name for cohort in started.seed.cohorts}
    accounts = {account.tag_id: account for account in DEMO_ACCOUNTS}
    lines = []
    for route in started.seed.routing:
        account = accounts.get(route["tag_id"])
        label = f"ad account {account.id}" if account else "an unknown ad account"
        cohorts = ", ".join(names.get(code, code) for code in route["cohort_codes"])
        lines.append(f"{route['tag_id']} ({label}): {cohorts}")
    return lines or ["none: nothing is sent to Pinterest"]


def _traffic_text(started: DemoStarted) -> str:
    if started.traffic_mode == "browser":
        return f"real browser sessions ({started.traffic_reason})."
    return (
        f"server-side events API, posted to the collect endpoint "
        f"({started.traffic_reason}), half the readers signed in (hashed "
        "emails).\n    Cohort sizes grow in the dashboard, and the server sends "
        "signed-in members to the customer lists of each ad account their "
        "cohort is routed to; no browser runs the SDK, so no pixel fires and "
        "the VISITOR audiences stay at 0."
    )


@click.command("demo-traffic", hidden=True)
@click.option("--plan", "raw_plan", required=True, help="The traffic plan as JSON.")
def demo_traffic(raw_plan: str) -> None:
    """Drive the demo's visitors; run by ``cohortcast demo`` in its own session.

    Writes the counters as one JSON line a second; SIGTERM or SIGINT stops it
    after the pages being read.
    """
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_drive_traffic(TrafficPlan.from_json(raw_plan)))


async def _drive_traffic(plan: TrafficPlan) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    stats = TrafficStats()
    traffic = asyncio.create_task(build_source(plan).run(stats, stop))
    while not traffic.done():
        await asyncio.wait({traffic}, timeout=1)
        click.echo(stats.to_json())
    await traffic


def _delivery_text(started: DemoStarted) -> str:
    delivery = started.delivery
    if not delivery.enabled:
        return "not in this version; the demo made the audiences itself."
    main, *others = DEMO_ACCOUNTS
    also = ", ".join(account.id for account in others)
    text = (
        f"on, with the token of sandbox ad account {main.id}, which also "
        f"reaches {also}: the server keeps the audiences, customer lists and "
        "Conversions API events of both, each for the Tag IDs it owns."
    )
    if delivery.connection is None:
        return text + " Test connection did not answer; see server.log."
    verdict = "passed" if delivery.connection_ok else "FAILED"
    return f"{text}\n    Test connection {verdict}: {delivery.connection}"


COMMANDS = [demo, demo_traffic]
