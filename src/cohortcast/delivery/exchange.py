"""One attempt at one Ads API request, timed, logged and ready for the
delivery log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from cohortcast.delivery.log import Exchange
from cohortcast.pinterest.ads import AdsApiError, AdsClient, ApiRequest

logger = logging.getLogger(__name__)

R = TypeVar("R", bound=BaseModel)

Clock = Callable[[], int]
"""Milliseconds since the epoch; injected so tests control time."""


def wall_clock_ms() -> int:
    """Milliseconds since the epoch: the :data:`Clock` of a running server."""
    return int(time.time() * 1000)


async def attempt(
    client: AdsClient,
    request: ApiRequest[R],
    *,
    integration_id: str,
    kind: str,
    items: int,
    clock: Clock,
) -> tuple[R | None, Exchange]:
    """Send ``request`` once; the answer (None on failure) and the exchange."""
    at = clock()
    started = time.perf_counter()
    answer: R | None = None
    error: AdsApiError | None = None
    try:
        answer = await client.send(request)
    except AdsApiError as failure:
        error = failure
    duration_ms = int((time.perf_counter() - started) * 1000)

    exchange = Exchange(
        integration_id,
        kind,
        request.method,
        request.path,
        items,
        at,
        duration_ms,
        error,
    )
    status = error.status if error is not None else 200
    logger.info(
        "Pinterest delivery for integration %s: %s, %s items -> %s",
        integration_id,
        kind,
        items,
        status,
    )
    return answer, exchange
