"""``cohortcast sandbox``: run the local Pinterest stand-in."""

from __future__ import annotations

import click
import uvicorn

from cohortcast.pinterest.sandbox import (
    DEFAULT_TOKEN,
    SandboxState,
    create_sandbox_app,
)


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind."
)
@click.option("--port", default=8700, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--token",
    default=DEFAULT_TOKEN,
    show_default=True,
    envvar="COHORTCAST_SANDBOX_TOKEN",
    help="Access token the sandbox accepts for its two ad accounts "
    "(env COHORTCAST_SANDBOX_TOKEN).",
)
@click.option(
    "--rate-limit",
    default=5000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Ads API calls allowed per minute per ad account, as on Pinterest.",
)
def sandbox(host: str, port: int, token: str, rate_limit: int) -> None:
    """Run a local Pinterest for demos and tests.

    Serves the pixel endpoint (/v3/), the Ads API v5 audiences, customer
    lists, conversion tags and Conversions API (/v5/...), and an
    "Ads > Audiences" page (/ads/audiences) that shows audience sizes built
    from the pixel hits and lists it receives (READY from 100 people).

    Point Cohortcast at it with the Ads API base URL http://HOST:PORT/v5 and
    the pixel URL http://HOST:PORT/v3/. Faults for tests are injected with
    POST /_sandbox/faults; see docs/pinterest.md.
    """
    state = SandboxState(rate_limit_per_minute=rate_limit)
    if token != DEFAULT_TOKEN:
        state.tokens[token] = state.tokens.pop(DEFAULT_TOKEN)

    url = f"http://{host}:{port}"
    # The sandbox token is a made-up one, printed so demos can use it.
    click.echo(
        f"Pinterest sandbox on {url} (audiences: {url}/ads/audiences, "
        f"Ads API: {url}/v5, pixel: {url}/v3/) - access token: {token}"
    )
    uvicorn.run(create_sandbox_app(state), host=host, port=port, log_level="warning")


COMMANDS = [sandbox]
