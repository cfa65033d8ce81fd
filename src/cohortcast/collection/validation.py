"""Validation of collected events: by hand, since it runs for every event.

A batch is refused as a whole (:class:`BatchError`) only when its envelope is
wrong or nothing in it is usable; otherwise the good events go on and the bad
ones are reported by index, so one bad event never costs a visitor the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_EVENTS = 500
MAX_RECEIPTS = 500
MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 200
MAX_USER_ID_LENGTH = 200
MAX_PROPERTIES_BYTES = 16_384
MAX_PROPERTIES_DEPTH = 8
# Browsers' clocks drift; an event this far ahead of the server is refused.
MAX_FUTURE_MS = 10 * 60 * 1000

_HEX = frozenset("0123456789abcdef")
# One encoder for every event: json.dumps with options builds a new one per
# call, which cost a third of the encoding.
_PROPERTIES_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


class BatchError(ValueError):
    """The whole batch is refused; ``status`` is 400 (unreadable) or 422."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


@dataclass(frozen=True, slots=True)
class ValidEvent:
    """An event that passed validation; ``properties_json`` is what is stored."""

    id: str
    name: str
    time: int
    properties: dict[str, object]
    properties_json: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused item, by its index in the batch's list."""

    index: int
    detail: str

    def as_json(self) -> dict[str, object]:
        """The item of the answer's ``rejected`` list."""
        return {"index": self.index, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class TimeLimits:
    """The times an event may have: not too far ahead, not past retention."""

    now: int
    retention_ms: int

    @property
    def latest(self) -> int:
        return self.now + MAX_FUTURE_MS

    @property
    def earliest(self) -> int:
        return self.now - self.retention_ms


@dataclass(slots=True)
class CheckedEvents:
    """The outcome of validating a list of events."""

    events: list[ValidEvent] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    # Indexes of events repeated inside the batch itself; they count as duplicates.
    repeated: int = 0


def parse_json_body(body: bytes) -> object:
    """Decode a request body as JSON whatever its content type (the SDK sends
    ``text/plain`` to avoid a CORS preflight); :class:`BatchError` if it is not."""
    if not body.strip():
        raise BatchError("The request body is empty; send a JSON object.")
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise BatchError("The request body is not UTF-8 text; send JSON.") from None
    except json.JSONDecodeError as error:
        raise BatchError(
            f"The request body is not valid JSON ({error.msg} at line"
            f" {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise BatchError("The request body nests too deeply to read.") from None


def require_object(value: object, what: str) -> Mapping[str, object]:
    """``value`` as an object, or a 400 naming ``what`` was expected."""
    if not isinstance(value, dict):
        raise BatchError(f"{what} must be a JSON object, got {_kind(value)}.")
    return value


def check_events(raw: object, limits: TimeLimits) -> CheckedEvents:
    """Validate the ``events`` list; raises :class:`BatchError` for a list
    that is not one or is too long, otherwise sorts the events into kept,
    rejected (by index) and repeated."""
    if raw is None:
        return CheckedEvents()
    if not isinstance(raw, list):
        raise BatchError(f"events must be a list, got {_kind(raw)}.")
    if len(raw) > MAX_EVENTS:
        raise BatchError(
            f"The batch has {len(raw)} events; send at most {MAX_EVENTS} per request.",
            status=413,
        )

    checked = CheckedEvents()
    seen: set[str] = set()
    for index, item in enumerate(raw):
        try:
            event = check_event(item, limits)
        except ValueError as error:
            checked.rejected.append(Rejection(index, f"events[{index}]: {error}"))
            continue
        if event.id in seen:
            checked.repeated += 1
            continue
        seen.add(event.id)
        checked.events.append(event)
    return checked


def check_event(item: object, limits: TimeLimits) -> ValidEvent:
    """One event, or ValueError with a sentence saying what is wrong."""
    if not isinstance(item, dict):
        raise ValueError(f"expected an object, got {_kind(item)}")
    event_id = check_text(item.get("id"), "id", MAX_ID_LENGTH)
    name = check_text(item.get("name"), "name", MAX_NAME_LENGTH)
    time = check_time(item.get("time"), limits)

    properties = item.get("properties")
    if properties is None:
        return ValidEvent(event_id, name, time, {}, "{}")
    if not isinstance(properties, dict):
        raise ValueError(f"properties must be an object, got {_kind(properties)}")
    if _too_deep(properties, MAX_PROPERTIES_DEPTH):
        raise ValueError(
            f"properties nest deeper than {MAX_PROPERTIES_DEPTH} levels; flatten them"
        )
    try:
        # NaN and Infinity parse, but PostgreSQL's json refuses them, which
        # failed the whole batch (and its group commit) instead of this event.
        encoded = _PROPERTIES_ENCODER.encode(properties)
    except ValueError:
        raise ValueError(
            "properties hold NaN or Infinity, which JSON does not allow;"
            " send a number or null"
        ) from None
    if len(encoded) > MAX_PROPERTIES_BYTES:
        raise ValueError(
            f"properties take {len(encoded)} characters as JSON; keep them under"
            f" {MAX_PROPERTIES_BYTES}"
        )
    return ValidEvent(event_id, name, time, properties, encoded)


def check_text(value: object, what: str, limit: int) -> str:
    """A non-empty string of at most ``limit`` characters."""
    if not isinstance(value, str):
        if value is None:
            raise ValueError(f"{what} is missing; send a non-empty string")
        raise ValueError(f"{what} must be a string, got {_kind(value)}")
    if not value or len(value) > limit:
        raise ValueError(f"{what} must have 1 to {limit} characters, got {len(value)}")
    return value


def check_time(value: object, limits: TimeLimits) -> int:
    """Integer milliseconds since the epoch, inside ``limits``."""
    if value is None:
        raise ValueError("time is missing; send milliseconds since the Unix epoch")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            f"time must be whole milliseconds since the Unix epoch, got {_kind(value)}"
        )
    if value > limits.latest:
        raise ValueError(
            f"time {value} is more than {MAX_FUTURE_MS // 60_000} minutes ahead of"
            f" the server's clock ({limits.now}); check the device's clock"
        )
    if value < limits.earliest:
        raise ValueError(
            f"time {value} is older than the retention period"
            f" ({limits.retention_ms // 86_400_000} days); it would be deleted at once"
        )
    return value


def check_sha256(value: object, what: str) -> str | None:
    """An optional lowercase hex SHA-256 digest (64 characters)."""
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or len(value) != 64
        or not _HEX.issuperset(value.lower())
    ):
        raise BatchError(f"{what} must be a hex SHA-256 digest (64 characters).")
    return value.lower()


def _too_deep(value: object, levels: int) -> bool:
    # Iterative, so a hostile nesting cannot exhaust the stack.
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        children = (
            current.values()
            if isinstance(current, dict)
            else current
            if isinstance(current, list)
            else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > levels:
                    return True
                pending.append((child, depth + 1))
    return False


def _kind(value: object) -> str:
    """The JSON kind of ``value``, for messages (values may be personal data)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
