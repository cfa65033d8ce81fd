"""Values and types the delivery tests share (the fixtures are in conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field

AD_ACCOUNT = "549755885175"
TAG_ID = "2612345678901"
START = 1_796_000_000_000
SECRET = "delivery-tests-secret-0123456789abcdef"


@dataclass
class FakeTime:
    """The deliverer's clock (ms) and the sleeps the client asked for."""

    now: int = START
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> int:
        return self.now

    def monotonic(self) -> float:
        return self.now / 1000

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += int(seconds * 1000)


EMAIL_SHA256 = "a" * 63 + "1"
OTHER_EMAIL_SHA256 = "b" * 63 + "2"
