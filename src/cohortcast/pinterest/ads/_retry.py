"""When to retry a failed call, and how fast calls may go.

:class:`RetryPolicy` gives the wait before the next attempt: exponential
backoff with full jitter (a uniform draw between 0 and the exponential
ceiling), so that many workers failing together do not retry together; a
``Retry-After`` from Pinterest is a floor under that draw.

:class:`RateLimiter` is a token bucket per ad account sized to Pinterest's
published limit of 5,000 calls per minute per ad account. It never sleeps
itself: it says how long to wait, which keeps it deterministic under an
injected clock.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ._errors import AdsApiError

CALLS_PER_MINUTE_PER_AD_ACCOUNT = 5000


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter.

    Attempt ``n`` (counted from 1) that failed with a retryable error waits a
    uniform draw in ``[0, min(max_delay, base_delay * 2 ** (n - 1))]``, but at
    least the error's ``retry_after``. After ``max_attempts`` attempts, or on
    an error that is not retryable, :meth:`delay` answers None: give up.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 60.0

    def delay(
        self,
        attempt: int,
        error: AdsApiError,
        draw: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retrying after failed ``attempt``, or None."""
        if not error.retryable or attempt >= self.max_attempts:
            return None

        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        jittered = ceiling * draw()
        if error.retry_after is None:
            return jittered
        return min(self.max_delay, max(error.retry_after, jittered))


class RateLimiter:
    """A token bucket per key (the ad account id), safe to share between threads.

    The bucket holds ``calls`` tokens and refills at ``calls / period``
    tokens per second; a full bucket allows a burst of ``calls``.
    """

    def __init__(
        self,
        calls: int = CALLS_PER_MINUTE_PER_AD_ACCOUNT,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if calls < 1 or period <= 0:
            raise ValueError(
                f"A rate limit of {calls} calls per {period} s is impossible; "
                "use at least 1 call per positive period."
            )
        self.calls = calls
        self.rate = calls / period
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def reserve(self, key: str) -> float:
        """Take one call for ``key`` and return how long to wait before making it.

        Reservations queue up: the fifth call beyond the burst waits five
        refill intervals, so concurrent callers never exceed the rate.
        """
        with self._lock:
            tokens = self._refill(key) - 1.0
            self._buckets[key] = (tokens, self._clock())
        return 0.0 if tokens >= 0 else -tokens / self.rate

    def try_take(self, key: str) -> float:
        """Take one call if one is available now (answer 0.0); otherwise take
        nothing and answer the seconds until one will be."""
        with self._lock:
            tokens = self._refill(key)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, self._clock())
                return 0.0
            self._buckets[key] = (tokens, self._clock())
        return (1.0 - tokens) / self.rate

    def _refill(self, key: str) -> float:
        now = self._clock()
        tokens, updated = self._buckets.get(key, (float(self.calls), now))
        return min(float(self.calls), tokens + (now - updated) * self.rate)
