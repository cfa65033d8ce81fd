"""Demo traffic: what both traffic sources count, and the server-side source.

Browser sessions (:mod:`cohortcast.demo.browser_traffic`) are the real thing.
Without Chromium the demo sends the same page views straight to the server's
collect endpoint, as a server-side integration would: cohorts fill and sizes
show in the dashboard, but no browser runs the SDK, so no pixel reaches the
sandbox.
"""

from __future__ import annotations

import asyncio
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
            visitor_id = "v_" + secrets.token_hex(8)
            try:
                for visit in plan:
                    await self._send_page_view(http, visitor_id, visit)
                    stats.page_views += 1
                    await asyncio.sleep(visit.stay_seconds)
                stats.visitors += 1
            except httpx.HTTPError as error:
                stats.failed_visits += 1
                logger.debug("A demo page view was not collected: %s", error)

    async def _send_page_view(
        self, http: httpx.AsyncClient, visitor_id: str, visit: PageVisit
    ) -> None:
        now = int(time.time() * 1000)
        path = visit.url.split("/", 3)[-1]
        category = path.split("/", 1)[0]
        batch = {
            "visitor_id": visitor_id,
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
        response = await http.post(self._collect_url, json=batch)
        response.raise_for_status()
