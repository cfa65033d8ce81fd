""" "Test connection": is the token good, may it use the ad account, and does
the integration's Tag ID belong to that ad account?

Each step is one read call made once (no retries), so the answer comes in a
second or two and names the first thing that is wrong. The calls go to the
delivery log like every other exchange with Pinterest.

:func:`run_connection_test` is what ``POST
/api/v1/integrations/{id}/test-connection`` and the dashboard's Test
connection button both run; :func:`last_connection_steps` reads the stored
outcome back as one line per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from cohortcast.delivery import log
from cohortcast.delivery.credentials import cipher_for, find_credentials
from cohortcast.delivery.exchange import Clock, attempt, wall_clock_ms
from cohortcast.delivery.log import Exchange
from cohortcast.pinterest.ads import (
    AdsApiError,
    AdsClient,
    ApiRequest,
    AuthenticationError,
    NotFound,
    PermissionDenied,
    get_ad_account,
    get_user_account,
    list_conversion_tags,
)
from cohortcast.settings import Settings
from cohortcast.store import integrations
from cohortcast.store.database import Store

KIND = "connection_test"

R = TypeVar("R", bound=BaseModel)

ConnectionOutcome = Literal[
    "ok",
    "bad_token",
    "wrong_ad_account",
    "no_permission",
    "tag_not_in_ad_account",
    "unreachable",
    "not_configured",
]

Step = Literal["token", "ad_account", "tag"]

STEP_NAMES: dict[Step, str] = {
    "token": "Pinterest accepts the access token",
    "ad_account": "The token may use the ad account",
    "tag": "The default Tag ID is one of the ad account's conversion tags",
}
"""The steps in the order they run, each as what it confirms when it passes."""

StepState = Literal["passed", "failed", "not_checked"]

_FAILED_STEP: dict[str, Step] = {
    "bad_token": "token",
    "no_permission": "ad_account",
    "wrong_ad_account": "ad_account",
    "tag_not_in_ad_account": "tag",
}

NOT_CONFIGURED = (
    "Enter the ad account ID and an access token first (PATCH "
    "/api/v1/integrations/{id} with ad_account_id and access_token)."
)


@dataclass(frozen=True)
class ConnectionResult:
    """The outcome and a sentence saying what it means and what to do."""

    result: ConnectionOutcome
    detail: str

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return self.result == "ok"


async def check_connection(
    client: AdsClient,
    ad_account_id: str,
    tag_id: str,
    *,
    integration_id: str,
    clock: Clock,
) -> tuple[ConnectionResult, list[Exchange]]:
    """Check the token, the ad account and the Tag ID, in that order.

    Returns the result and the exchanges made, for the delivery log.
    """
    exchanges: list[Exchange] = []

    async def step(request: ApiRequest[R]) -> R | None:
        answer, exchange = await attempt(
            client,
            request,
            integration_id=integration_id,
            kind=KIND,
            items=0,
            clock=clock,
        )
        exchanges.append(exchange)
        return answer

    user = await step(get_user_account())
    account = await step(get_ad_account(ad_account_id)) if user else None
    tags = await step(list_conversion_tags(ad_account_id)) if account else None
    if user is None or account is None or tags is None:
        error = exchanges[-1].error
        assert error is not None
        return _failure(error, ad_account_id), exchanges

    if tag_id not in {tag.id for tag in tags.items}:
        result = ConnectionResult(
            "tag_not_in_ad_account",
            f"Tag ID {tag_id!r} is not a conversion tag of ad account "
            f"{ad_account_id!r}; use a Tag ID from that account's Ads > "
            "Conversions, or the ad account that owns the tag.",
        )
        return result, exchanges
    who = user.username or "the token's user"
    name = account.name or ad_account_id
    result = ConnectionResult(
        "ok", f"Connected as {who} to ad account {name!r}, which owns Tag ID {tag_id}."
    )
    return result, exchanges


def _failure(error: AdsApiError, ad_account_id: str) -> ConnectionResult:
    said = f"Pinterest said: {error.message}"
    if isinstance(error, AuthenticationError):
        return ConnectionResult(
            "bad_token",
            f"The access token was refused ({said}); create a new token in "
            "Pinterest's developer apps and enter it again.",
        )
    if isinstance(error, PermissionDenied):
        return ConnectionResult(
            "no_permission",
            f"The token may not use ad account {ad_account_id!r} ({said}); ask "
            "the account's owner for access or use a token of a user who has it.",
        )
    if isinstance(error, NotFound) or error.status == 400:
        return ConnectionResult(
            "wrong_ad_account",
            f"Ad account {ad_account_id!r} does not exist ({said}); copy the id "
            "from Pinterest Business Manager > Ad accounts.",
        )
    return ConnectionResult(
        "unreachable",
        f"Pinterest could not be reached or failed ({error}); try again later.",
    )


async def run_connection_test(
    store: Store,
    settings: Settings,
    workspace_id: str,
    integration_id: str,
    *,
    clock: Clock = wall_clock_ms,
) -> ConnectionResult:
    """Test the integration's stored credentials against Pinterest.

    Logs each call in the delivery log and keeps the outcome on the
    credentials row, where the Audiences page and the troubleshooting checks
    read it. Without an ad account or a readable token the result is
    ``not_configured`` and Pinterest is not called. Raises the store's
    :class:`~cohortcast.store.errors.NotFoundError` or ``ForbiddenError``
    for an integration that is not the workspace's.
    """
    with store.transaction() as session:
        integration = integrations.get_integration(
            session, workspace_id, integration_id
        )
        row = find_credentials(session, integration.id)
        ciphertext, ad_account_id = row.token_ciphertext, row.ad_account_id
        tag_id = integration.tag_id
    token = cipher_for(settings).decrypt(ciphertext) if ciphertext else None

    outcome = ConnectionResult("not_configured", NOT_CONFIGURED)
    exchanges: list[Exchange] = []
    if token is not None and ad_account_id is not None:
        async with AdsClient(token, base_url=settings.pinterest_api_url) as client:
            outcome, exchanges = await check_connection(
                client,
                ad_account_id,
                tag_id,
                integration_id=integration_id,
                clock=clock,
            )

    with store.transaction() as session:
        _record_outcome(session, integration_id, outcome, exchanges, clock())
    return outcome


def _record_outcome(
    session: Session,
    integration_id: str,
    outcome: ConnectionResult,
    exchanges: list[Exchange],
    now: int,
) -> None:
    for exchange in exchanges:
        log.record(session, exchange)
    if exchanges:
        session.flush()
        log.prune(session, integration_id)
    row = find_credentials(session, integration_id)
    row.connection_result = outcome.result
    row.connection_detail = outcome.detail
    row.connection_checked_at = now


@dataclass(frozen=True)
class StepOutcome:
    """One step of the last connection test: what it checks and how it went."""

    step: Step
    name: str
    state: StepState


def last_connection_steps(
    session: Session, integration_id: str, result: str | None
) -> list[StepOutcome]:
    """The steps of the integration's last connection test, in order.

    The steps after a failed one were not checked. Which step Pinterest
    failed to answer (``unreachable``) is read from the delivery log, where
    the test's last call is the newest connection-test exchange.
    """
    failed = _FAILED_STEP.get(result or "")
    if result == "unreachable":
        newest = log.newest(session, integration_id, 1, kind=KIND)
        failed = step_of(newest[0].path) if newest else None

    outcomes: list[StepOutcome] = []
    state: StepState = "passed" if result == "ok" or failed else "not_checked"
    for step, name in STEP_NAMES.items():
        if step == failed:
            outcomes.append(StepOutcome(step, name, "failed"))
            state = "not_checked"
            continue
        outcomes.append(StepOutcome(step, name, state))
    return outcomes


def step_of(path: str) -> Step:
    """The step a connection-test request path belongs to."""
    tail = path.split("?", 1)[0].rstrip("/")
    if tail.endswith("/user_account"):
        return "token"
    if tail.endswith("/conversion_tags"):
        return "tag"
    return "ad_account"
