"""Values and types the collection tests share (the fixtures are in conftest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cohortcast.collection.ingest import IngestResult

START = 1_796_000_000_000
MINUTE = 60_000


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: int = START

    def __call__(self) -> int:
        return self.now


@dataclass(frozen=True)
class Workspace:
    id: str
    sdk_key: str


AddCohort = Callable[[Any], str]
Send = Callable[..., IngestResult]
Members = Callable[[], dict[str, set[str]]]
