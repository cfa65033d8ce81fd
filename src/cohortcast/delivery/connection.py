""" "Test connection": is the token good, may it use the ad account, and does
the integration's Tag ID belong to that ad account?

Each step is one read call made once (no retries), so the answer comes in a
second or two and names the first thing that is wrong. The calls go to the
delivery log like every other exchange with Pinterest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel

from cohortcast.delivery.exchange import Clock, attempt
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
