"""The sandbox's in-memory Pinterest: accounts, tags, audiences, lists, events.

One lock guards everything; every method holds it for a few dictionary
operations only, so the ASGI handlers (which run on one event loop) and test
threads reading the state never see a half-made change.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from ..ads import CALLS_PER_MINUTE_PER_AD_ACCOUNT, ConversionEvent, RateLimiter
from ._faults import FaultInjector

DEFAULT_TOKEN = "pina_sandbox_token"
OTHER_TOKEN = "pina_sandbox_other_token"
MIN_AUDIENCE_SIZE = 100
KEPT_EVENT_BATCHES = 10
KEPT_PIXEL_HITS = 200_000


@dataclass
class AdAccountRecord:
    """An ad account and the Tag IDs (conversion tags) that belong to it."""

    id: str
    name: str
    tag_ids: list[str]
    country: str = "US"
    currency: str = "USD"


@dataclass(frozen=True)
class PixelHit:
    """One request the pixel endpoint received."""

    tag_id: str
    event: str
    event_data: dict[str, object]
    visitor_id: str | None
    received_at: float
    problem: str | None = None


@dataclass
class AudienceRecord:
    """An audience as the sandbox keeps it; its size is computed when read."""

    id: str
    ad_account_id: str
    name: str
    audience_type: str
    rule: dict[str, object]
    description: str | None
    created: int
    updated: int
    archived: bool = False


@dataclass
class CustomerListRecord:
    """A customer list and the records currently in it."""

    id: str
    ad_account_id: str
    name: str
    list_type: str
    records: set[str]
    created: int
    updated: int
    num_batches: int = 1
    uploaded: int = 0
    removed: int = 0


@dataclass(frozen=True)
class ReceivedBatch:
    """One Conversions API request the sandbox recorded (test mode records none).

    Batches are kept whole: one object per request instead of one per event
    keeps recording out of the events endpoint's cost.
    """

    ad_account_id: str
    events: list[ConversionEvent]
    received_at: float


def _seed_accounts() -> dict[str, AdAccountRecord]:
    accounts = [
        AdAccountRecord("549755885175", "Sandbox Publisher", ["2612345678901"]),
        AdAccountRecord("549755885176", "Sandbox Second Account", ["2619573804216"]),
        AdAccountRecord("549755885199", "Someone Else's Account", ["2612345678999"]),
    ]
    return {account.id: account for account in accounts}


def _seed_tokens() -> dict[str, set[str]]:
    # The default token sees the first two accounts; the third belongs to
    # another user, so the default token gets 403 there.
    return {
        DEFAULT_TOKEN: {"549755885175", "549755885176"},
        OTHER_TOKEN: {"549755885199"},
    }


@dataclass
class SandboxState:
    """Everything the sandbox knows; create one per app (or share it with a test).

    ``tokens`` maps each valid access token to the ad account ids it may use.
    """

    accounts: dict[str, AdAccountRecord] = field(default_factory=_seed_accounts)
    tokens: dict[str, set[str]] = field(default_factory=_seed_tokens)
    rate_limit_per_minute: int = CALLS_PER_MINUTE_PER_AD_ACCOUNT
    audiences: dict[str, AudienceRecord] = field(default_factory=dict)
    customer_lists: dict[str, CustomerListRecord] = field(default_factory=dict)
    pixel_hits: deque[PixelHit] = field(
        default_factory=lambda: deque(maxlen=KEPT_PIXEL_HITS)
    )
    event_batches: deque[ReceivedBatch] = field(
        default_factory=lambda: deque(maxlen=KEPT_EVENT_BATCHES)
    )
    events_received: int = 0
    test_events_received: int = 0
    faults: FaultInjector = field(default_factory=FaultInjector)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(2542620639259)
    )
    _visitors: dict[str, dict[str, list[PixelHit]]] = field(default_factory=dict)
    rate_limiter: RateLimiter = field(init=False)
    _configured_rate_limit: int = field(init=False)

    def __post_init__(self) -> None:
        self.rate_limiter = RateLimiter(self.rate_limit_per_minute)
        self._configured_rate_limit = self.rate_limit_per_minute

    def reset(self) -> None:
        """Forget everything received, created and injected; restore the rate limit.

        Accounts and tokens stay as configured.
        """
        with self.lock:
            self.audiences.clear()
            self.customer_lists.clear()
            self.pixel_hits.clear()
            self.event_batches.clear()
            self._visitors.clear()
            self.events_received = 0
            self.test_events_received = 0
            self.faults.clear()
            self.set_rate_limit(self._configured_rate_limit)

    def set_rate_limit(self, calls_per_minute: int) -> None:
        """Change the per-ad-account limit (a fresh, full bucket per account)."""
        with self.lock:
            self.rate_limit_per_minute = calls_per_minute
            self.rate_limiter = RateLimiter(calls_per_minute)

    def new_id(self) -> str:
        """A fresh numeric id, like Pinterest's."""
        with self.lock:
            return str(next(self._ids))

    def tag_owner(self, tag_id: str) -> str | None:
        """The ad account a Tag ID belongs to, if any."""
        for account in self.accounts.values():
            if tag_id in account.tag_ids:
                return account.id
        return None

    def record_pixel_hit(self, hit: PixelHit) -> None:
        """Keep a pixel hit; hits with a visitor count towards VISITOR audiences."""
        with self.lock:
            self.pixel_hits.append(hit)
            if hit.visitor_id is None or hit.problem is not None:
                return
            by_visitor = self._visitors.setdefault(hit.tag_id, {})
            by_visitor.setdefault(hit.visitor_id, []).append(hit)

    def record_events(
        self, ad_account_id: str, events: list[ConversionEvent], *, test: bool
    ) -> None:
        """Count events; keep the latest ones unless they came in test mode."""
        now = time.time()
        with self.lock:
            if test:
                self.test_events_received += len(events)
                return
            self.events_received += len(events)
            self.event_batches.append(ReceivedBatch(ad_account_id, events, now))

    def latest_events(self, limit: int) -> list[tuple[str, ConversionEvent]]:
        """Up to ``limit`` recorded events with their ad account, newest last."""
        latest: list[tuple[str, ConversionEvent]] = []
        with self.lock:
            for batch in reversed(self.event_batches):
                if len(latest) >= limit:
                    break
                pairs = [(batch.ad_account_id, event) for event in batch.events]
                latest[:0] = pairs
        return latest[-limit:] if limit > 0 else []

    def visitors_matching(self, rule: dict[str, object]) -> int:
        """How many distinct visitors sent a pixel hit that the VISITOR rule matches."""
        tag_id = rule.get("visitor_source_id")
        wanted_event = rule.get("event")
        wanted_data = rule.get("event_data") or {}
        retention = rule.get("retention_days")
        oldest = time.time() - 86400 * retention if isinstance(retention, int) else 0
        if not isinstance(tag_id, str) or not isinstance(wanted_data, dict):
            return 0

        def matches(hit: PixelHit) -> bool:
            if hit.received_at < oldest:
                return False
            if wanted_event is not None and hit.event != wanted_event:
                return False
            return all(
                str(hit.event_data.get(key)) == str(value)
                for key, value in wanted_data.items()
            )

        with self.lock:
            by_visitor = self._visitors.get(tag_id, {})
            return sum(1 for hits in by_visitor.values() if any(map(matches, hits)))

    def audience_size(self, audience: AudienceRecord) -> int:
        """The size Pinterest would report: visitors, or people in the list."""
        if audience.audience_type == "VISITOR":
            return self.visitors_matching(audience.rule)
        if audience.audience_type == "CUSTOMER_LIST":
            with self.lock:
                found = self.customer_lists.get(
                    str(audience.rule.get("customer_list_id"))
                )
                return len(found.records) if found else 0
        return 0


def size_status(size: int) -> str:
    """READY at or above Pinterest's minimum audience size, TOO_SMALL below."""
    return "READY" if size >= MIN_AUDIENCE_SIZE else "TOO_SMALL"
