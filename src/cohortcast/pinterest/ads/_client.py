"""The Pinterest Ads API v5 client.

The client is asynchronous (``httpx.AsyncClient``): the outbox worker runs in
the server's event loop beside the ASGI app, a batch of Conversions API
requests goes out concurrently without a thread per request, and a backoff
sleep holds no thread. Every call goes through :meth:`AdsClient.send` (one
attempt, typed error) or :meth:`AdsClient.call` (with retries); the helper
methods only build requests and combine answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType

import httpx
from pydantic import ValidationError

from . import _requests as build
from ._audiences import (
    PIXEL_EVENT,
    CohortAudience,
    cohort_of,
    plan_audience_changes,
)
from ._batching import MAX_RECORDS_PER_REQUEST, records_string
from ._errors import AdsApiError, ServerError, error_from_response, error_from_transport
from ._models import (
    AdAccount,
    Audience,
    AudienceCreateRequest,
    AudienceUpdateRequest,
    ConversionEvent,
    ConversionResponse,
    ConversionTag,
    CustomerList,
    CustomerListRequest,
    ListOperation,
    ListType,
    UserAccount,
)
from ._requests import ApiRequest, R
from ._retry import RateLimiter, RetryPolicy

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.pinterest.com/v5"

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class ConversionSummary:
    """What the Conversions API said about a delivery of many events."""

    received: int = 0
    processed: int = 0
    requests: int = 0


class AdsClient:
    """Calls the Ads API of one access token.

    >>> async with AdsClient(token) as client:          # doctest: +SKIP
    ...     summary = await client.send_conversion_events("5497", events)

    ``base_url`` defaults to Pinterest; point it at ``cohortcast sandbox``
    for demos and tests. ``transport`` replaces the network (e.g. an
    ``httpx.MockTransport``). ``rate_limiter`` can be shared between clients
    that use the same ad accounts. Errors are :class:`AdsApiError` subclasses.
    """

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = DEFAULT_API_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not access_token.strip():
            raise ValueError("The Pinterest access token is empty; pass a token.")
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def __repr__(self) -> str:
        # Never show the token.
        return f"AdsClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> AdsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def send(self, request: ApiRequest[R]) -> R:
        """Make one attempt at ``request``; return the parsed answer or raise.

        Waits for the ad account's rate limit first. Raises an
        :class:`AdsApiError` whose ``retryable`` and ``retry_after`` tell an
        outbox worker whether and when to try again.
        """
        if request.rate_limit_key is not None:
            wait = self.rate_limiter.reserve(request.rate_limit_key)
            if wait > 0:
                await self._sleep(wait)

        response = await self._exchange(request)
        if response.status_code >= 400:
            raise error_from_response(response)
        try:
            return request.response_type.model_validate_json(response.content)
        except ValidationError as exc:
            raise ServerError(
                f"the answer does not have the documented shape ({exc.error_count()} "
                "problems)",
                status=response.status_code,
                method=request.method,
                path=request.path,
            ) from exc

    async def call(self, request: ApiRequest[R]) -> R:
        """Like :meth:`send`, retrying retryable errors as :attr:`retry` says."""
        attempt = 1
        while True:
            try:
                return await self.send(request)
            except AdsApiError as error:
                delay = self.retry.delay(attempt, error)
                if delay is None:
                    raise
                logger.info(
                    "Retrying %s %s in %.2f s after attempt %s: %s",
                    request.method,
                    request.path,
                    delay,
                    attempt,
                    error.message,
                )
                await self._sleep(delay)
                attempt += 1

    async def _exchange(self, request: ApiRequest[R]) -> httpx.Response:
        url = self.base_url + request.path
        started = time.perf_counter()
        headers = {"Content-Type": "application/json"} if request.body else None
        try:
            response = await self._http.request(
                request.method,
                url,
                params=request.params,
                content=request.body,
                headers=headers,
            )
        except httpx.TransportError as exc:
            elapsed = (time.perf_counter() - started) * 1000
            logger.info(
                "Pinterest %s %s failed after %.0f ms: %s",
                request.method,
                request.path,
                elapsed,
                type(exc).__name__,
            )
            raise error_from_transport(exc, request.method, request.path) from exc
        elapsed = (time.perf_counter() - started) * 1000
        logger.info(
            "Pinterest %s %s -> %s in %.0f ms",
            request.method,
            request.path,
            response.status_code,
            elapsed,
        )
        return response

    async def get_user_account(self) -> UserAccount:
        """The user account the token belongs to."""
        return await self.call(build.get_user_account())

    async def get_ad_account(self, ad_account_id: str) -> AdAccount:
        """The ad account, if the token may use it."""
        return await self.call(build.get_ad_account(ad_account_id))

    async def list_conversion_tags(self, ad_account_id: str) -> list[ConversionTag]:
        """The ad account's conversion tags; their ids are its Tag IDs."""
        return (await self.call(build.list_conversion_tags(ad_account_id))).items

    async def list_audiences(self, ad_account_id: str) -> list[Audience]:
        """Every audience of the ad account, following bookmarks."""
        audiences: list[Audience] = []
        bookmark: str | None = None
        while True:
            page = await self.call(build.list_audiences(ad_account_id, bookmark))
            audiences.extend(page.items)
            bookmark = page.bookmark
            if not bookmark:
                return audiences

    async def create_audience(
        self, ad_account_id: str, audience: AudienceCreateRequest
    ) -> Audience:
        """Create one audience."""
        return await self.call(build.create_audience(ad_account_id, audience))

    async def update_audience(
        self, ad_account_id: str, audience_id: str, change: AudienceUpdateRequest
    ) -> Audience:
        """Rename or archive (``operation_type="REMOVE"``) one audience."""
        request = build.update_audience(ad_account_id, audience_id, change)
        return await self.call(request)

    async def cohort_audiences(
        self, ad_account_id: str, event: str = PIXEL_EVENT
    ) -> dict[tuple[str, str], Audience]:
        """The ad account's cohort audiences keyed by ``(tag_id, cohort_code)``.

        Each carries Pinterest's ``id``, ``size`` and ``status`` (READY,
        TOO_SMALL, INITIALIZING); audiences Cohortcast does not manage are
        left out.
        """
        found: dict[tuple[str, str], Audience] = {}
        for audience in await self.list_audiences(ad_account_id):
            key = cohort_of(audience, event)
            if key is not None:
                found.setdefault(key, audience)
        return found

    async def sync_cohort_audiences(
        self,
        ad_account_id: str,
        wanted: Iterable[CohortAudience],
        event: str = PIXEL_EVENT,
    ) -> list[Audience]:
        """Create, rename and archive VISITOR audiences so they match ``wanted``.

        Returns the audiences Pinterest answered for the changes made (none
        when everything already matched).
        """
        existing = await self.list_audiences(ad_account_id)
        plan = plan_audience_changes(ad_account_id, existing, wanted, event)
        return [await self.call(request) for request in plan]

    async def create_customer_list(
        self,
        ad_account_id: str,
        name: str,
        records: Sequence[str],
        list_type: ListType = "EMAIL",
    ) -> CustomerList:
        """Create a customer list; records beyond the first batch are ADDed.

        Records must already be hashed (see :mod:`..identifiers`).
        """
        first = records[:MAX_RECORDS_PER_REQUEST]
        body = CustomerListRequest(
            name=name, records=records_string(first), list_type=list_type
        )
        created = await self.call(build.create_customer_list(ad_account_id, body))
        rest = records[MAX_RECORDS_PER_REQUEST:]
        if not rest:
            return created
        return await self.update_customer_list(ad_account_id, created.id, "ADD", rest)

    async def update_customer_list(
        self,
        ad_account_id: str,
        customer_list_id: str,
        operation: ListOperation,
        records: Sequence[str],
    ) -> CustomerList:
        """ADD (cohort entries) or REMOVE (exits) hashed records, batched.

        Returns the list as Pinterest answered the last batch.
        """
        requests = build.customer_list_update_requests(
            ad_account_id, customer_list_id, operation, records
        )
        if not requests:
            raise ValueError("No records to update; pass at least one record.")
        answers = [await self.call(request) for request in requests]
        return answers[-1]

    async def send_conversion_events(
        self,
        ad_account_id: str,
        events: Sequence[ConversionEvent],
        *,
        test: bool = False,
        concurrency: int = 4,
    ) -> ConversionSummary:
        """Send any number of events, 1,000 per request, ``concurrency`` at a time.

        ``test=True`` asks Pinterest to validate without recording. When a
        request still fails after its retries, the others still run to their
        end (nothing is left in flight) and the first error is raised.
        """
        requests = build.conversion_event_requests(ad_account_id, events, test=test)
        gate = asyncio.Semaphore(concurrency)
        summary = ConversionSummary(requests=len(requests))

        async def deliver(request: ApiRequest[ConversionResponse]) -> None:
            async with gate:
                answer = await self.call(request)
            summary.received += answer.num_events_received
            summary.processed += answer.num_events_processed

        outcomes = await asyncio.gather(
            *(deliver(request) for request in requests), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return summary
