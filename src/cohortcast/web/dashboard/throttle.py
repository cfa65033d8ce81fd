"""Slowing down password guessing: a growing delay per email and address.

Each failed sign-in for an email from one client address doubles the wait
before the next attempt is checked (1 s, 2 s, 4 s, 8 s at most with the
default base), so a person who mistyped barely notices and a script guessing
passwords gets a handful of tries a minute. It is kept in memory: a restart
forgets it, which costs a guesser nothing it could not get by waiting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MAX_DOUBLINGS = 3
FORGET_AFTER_SECONDS = 15 * 60
MAX_TRACKED = 10_000


@dataclass
class _Failures:
    count: int
    last_at: float


class SignInThrottle:
    """Failure counts by ``(email, address)``; ``delay`` says how long to wait."""

    def __init__(self, base_seconds: float) -> None:
        self.base_seconds = base_seconds
        self._failures: dict[tuple[str, str], _Failures] = {}

    def delay(self, email: str, address: str) -> float:
        """Seconds to wait before checking this attempt (0 after no failures)."""
        failures = self._failures.get(_key(email, address))
        if (
            failures is None
            or time.monotonic() - failures.last_at > FORGET_AFTER_SECONDS
        ):
            return 0.0
        doublings: int = min(failures.count - 1, MAX_DOUBLINGS)
        return self.base_seconds * 2.0**doublings

    def failed(self, email: str, address: str) -> None:
        """Count a wrong password."""
        if len(self._failures) >= MAX_TRACKED:
            # Memory stays bounded: drop the entry that has been quiet longest.
            oldest = min(self._failures, key=lambda k: self._failures[k].last_at)
            del self._failures[oldest]
        key = _key(email, address)
        previous = self._failures.get(key)
        count = previous.count + 1 if previous else 1
        self._failures[key] = _Failures(count=count, last_at=time.monotonic())

    def succeeded(self, email: str, address: str) -> None:
        """Forget the failures once the right password is given."""
        self._failures.pop(_key(email, address), None)


def _key(email: str, address: str) -> tuple[str, str]:
    return (email.strip().lower(), address)
