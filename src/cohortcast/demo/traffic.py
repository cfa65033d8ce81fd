"""Demo traffic: what both traffic sources count, and the server-side source.

Browser sessions (:mod:`cohortcast.demo.browser_traffic`) are the real thing.
Without Chromium the demo sends the same page views straight to the server's
collect endpoint, as a publisher's own server or app would: with the
signals the SDK would report (the site's Pinterest cookie, consent) and, for
signed-in readers, a hashed email. Cohorts fill and sizes show in the
dashboard, and the server delivers the signed-in members to Pinterest
(customer lists and Conversions API events); but no browser runs the SDK, so
no pixel reaches the sandbox and its VISITOR audiences stay empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

import httpx

from cohortcast.demo.visits import PageVisit, plan_visit

logger = logging.getLogger(__name__)


@dataclass
class TrafficStats:
    """Counters the traffic sources update and the progress lines read."""

    visitors: int = 0
    page_views: int = 0
    failed_visits: int = 0

    def to_json(self) -> str:
        """One line the traffic process writes for the demo to read."""
        return json.dumps(asdict(self))

    def update_from_json(self, line: str) -> None:
        """Take the counters from a line written by :meth:`to_json`."""
        values = json.loads(line)
        self.visitors = int(values["visitors"])
        self.page_views = int(values["page_views"])
        self.failed_visits = int(values["failed_visits"])


@dataclass(frozen=True)
class TrafficPlan:
    """What the traffic process is to do; ``mode`` is "browser" or "collect"."""

    mode: str
    reason: str
    site_url: str
    server_url: str
    sdk_key: str
    visitors: int | None
    concurrency: int
    seed: int

    def to_json(self) -> str:
        """The plan as the traffic process's command line carries it."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> TrafficPlan:
        """The plan written by :meth:`to_json`."""
        return cls(**json.loads(raw))


class TrafficSource(Protocol):
    """Something that drives visitors until done or stopped."""

    async def run(self, stats: TrafficStats, stop: asyncio.Event) -> None:
        """Send traffic, updating ``stats``, until done or ``stop`` is set."""


def build_source(plan: TrafficPlan) -> TrafficSource:
    """The traffic source the plan names, for the site's articles."""
    from cohortcast.demo.browser_traffic import BrowserTraffic
    from cohortcast.demo.site import article_urls

    urls = article_urls(plan.site_url)
    if plan.mode == "browser":
        return BrowserTraffic(
            urls,
            visitors=plan.visitors,
            concurrency=plan.concurrency,
            seed=plan.seed,
        )
    return CollectTraffic(
        plan.server_url,
        plan.sdk_key,
        urls,
        visitors=plan.visitors,
        concurrency=plan.concurrency,
        seed=plan.seed,
    )


# A server-side integration knows what the page's request carried: the
# first-party _pin_unauth cookie that the site's Pinterest tag set (missing
# where a browser blocks it), and the reader's account when signed in.
PINTEREST_COOKIE_SHARE = 0.9
SIGNED_IN_SHARE = 0.5


def reader_email() -> str:
    """A new signed-in reader's address, at a domain reserved for examples."""
    return f"reader-{secrets.token_hex(8)}@example.com"


@dataclass(frozen=True)
class ServerSideVisitor:
    """What a server knows about one visitor besides the pages."""

    visitor_id: str
    pinterest_cookie: bool
    email_sha256: str | None

    @classmethod
    def draw(cls, rng: random.Random) -> ServerSideVisitor:
        """A new visitor: a cookie for most, a hashed email for the signed in."""
        visitor_id = "v_" + secrets.token_hex(8)
        cookie = rng.random() < PINTEREST_COOKIE_SHARE
        email = None
        if rng.random() < SIGNED_IN_SHARE:
            # The SDK's identify() hashes the same way: trimmed, lower case.
            email = hashlib.sha256(reader_email().encode()).hexdigest()
        return cls(visitor_id, cookie, email)

    def batch_fields(self) -> dict[str, object]:
        """The batch's visitor, signals and identity, as the SDK sends them."""
        fields: dict[str, object] = {
            "visitor_id": self.visitor_id,
            "signals": {"pinterest_cookie": self.pinterest_cookie, "consent": True},
        }
        if self.email_sha256 is not None:
            fields["email_sha256"] = self.email_sha256
        return fields


class CollectTraffic:
    """Page views posted to ``POST /collect/v1/{sdk_key}/events``, one batch each.

    Paced like the browser's visitors (one page every stay), ``concurrency``
    at a time, so the dashboard's sizes grow at a similar speed.
    """

    def __init__(
        self,
        server_url: str,
        sdk_key: str,
        urls_by_topic: Mapping[str, Sequence[str]],
        *,
        visitors: int | None,
        concurrency: int,
        seed: int,
    ) -> None:
        self._collect_url = f"{server_url}/collect/v1/{sdk_key}/events"
        self._urls_by_topic = urls_by_topic
        self._remaining = visitors
        self._concurrency = concurrency
        self._rng = random.Random(seed)

    async def run(self, stats: TrafficStats, stop: asyncio.Event) -> None:
        """Run until every visitor is done or ``stop`` is set."""
        async with httpx.AsyncClient(timeout=10) as http:
            workers = [
                asyncio.create_task(self._worker(http, stats, stop))
                for _ in range(self._concurrency)
            ]
            await asyncio.gather(*workers)

    async def _worker(
        self, http: httpx.AsyncClient, stats: TrafficStats, stop: asyncio.Event
    ) -> None:
        while not stop.is_set():
            if self._remaining is not None:
                if self._remaining <= 0:
                    return
                self._remaining -= 1
            plan = plan_visit(self._rng, self._urls_by_topic)
            visitor = ServerSideVisitor.draw(self._rng)
            try:
                if await self._visit(http, visitor, plan, stats, stop):
                    stats.visitors += 1
            except httpx.HTTPError as error:
                stats.failed_visits += 1
                logger.debug("A demo page view was not collected: %s", error)

    async def _visit(
        self,
        http: httpx.AsyncClient,
        visitor: ServerSideVisitor,
        plan: list[PageVisit],
        stats: TrafficStats,
        stop: asyncio.Event,
    ) -> bool:
        """Send the plan's page views; False when ``stop`` cut the visit short."""
        for visit in plan:
            batch = page_view_batch(visitor, visit, int(time.time() * 1000))
            response = await http.post(self._collect_url, json=batch)
            response.raise_for_status()
            stats.page_views += 1
            # A reader may stay for seconds; Ctrl-C should not wait for them.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=visit.stay_seconds)
            if stop.is_set():
                return False
        return True


def page_view_batch(
    visitor: ServerSideVisitor, visit: PageVisit, now: int
) -> dict[str, object]:
    """The collect batch for one page view at ``now`` (ms), as the SDK shapes it."""
    path = visit.url.split("/", 3)[-1]
    category = path.split("/", 1)[0]
    return {
        **visitor.batch_fields(),
        "sent_at": now,
        "events": [
            {
                "id": "e_" + secrets.token_hex(8),
                "name": "Pageview",
                "time": now,
                "properties": {
                    "url": visit.url,
                    "path": "/" + path,
                    "category": category,
                },
            }
        ],
    }
