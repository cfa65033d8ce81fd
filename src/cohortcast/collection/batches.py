"""The SDK's collect batch (docs/ARCHITECTURE.md, "Collect batch"), validated.

One batch comes from one visitor: its events are stored and evaluated under
the profile key ``v:<visitor_id>`` whatever identity it carries, because the
device evaluates per visitor and a batch retried after ``identify()`` must
still land on the same profile to count once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cohortcast.collection.signals import Signals, parse_signals
from cohortcast.collection.validation import (
    MAX_ID_LENGTH,
    MAX_RECEIPTS,
    MAX_USER_ID_LENGTH,
    BatchError,
    Rejection,
    TimeLimits,
    ValidEvent,
    check_events,
    check_sha256,
    check_text,
    parse_json_body,
    require_object,
)

MAX_TAG_ID_LENGTH = 20
MAX_COHORT_CODE_LENGTH = 16
MAX_RECEIPT_EVENT_ID_LENGTH = 300


@dataclass(frozen=True, slots=True)
class Receipt:
    """A pixel the browser fired: which Tag ID, which cohort, when."""

    tag_id: str
    cohort_code: str
    time: int


@dataclass(frozen=True, slots=True)
class Identities:
    """What is known about who a profile is; emails and MAIDs only hashed."""

    user_id: str | None = None
    email_sha256: str | None = None
    maid_sha256: tuple[str, ...] = ()


@dataclass(slots=True)
class CollectBatch:
    """A validated batch: its profile, good events, receipts and rejections."""

    profile_key: str
    identities: Identities
    events: list[ValidEvent]
    repeated: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    rejected_receipts: list[Rejection] = field(default_factory=list)
    signals: Signals | None = None


def parse_collect_batch(body: bytes, limits: TimeLimits) -> CollectBatch:
    """Validate a collect request body.

    Raises :class:`BatchError` when the body is not a batch at all, or when
    it has items and none of them is usable (status 422, listing them).
    """
    batch = require_object(parse_json_body(body), "The request body")
    visitor_id = _envelope_text(batch.get("visitor_id"), "visitor_id", MAX_ID_LENGTH)
    user_id = batch.get("user_id")
    identities = Identities(
        user_id=None
        if user_id is None
        else _envelope_text(user_id, "user_id", MAX_USER_ID_LENGTH),
        email_sha256=check_sha256(batch.get("email_sha256"), "email_sha256"),
    )

    checked = check_events(batch.get("events"), limits)
    parsed = CollectBatch(
        profile_key=f"v:{visitor_id}",
        identities=identities,
        events=checked.events,
        repeated=checked.repeated,
        rejected=checked.rejected,
    )
    _add_receipts(parsed, batch.get("receipts"), limits)
    parsed.signals = parse_signals(batch.get("signals"))
    refuse_if_nothing_usable(parsed.rejected + parsed.rejected_receipts, parsed)
    return parsed


def refuse_if_nothing_usable(rejected: list[Rejection], batch: CollectBatch) -> None:
    """422 listing the problems when every item of a batch was rejected."""
    if not rejected or batch.events or batch.receipts or batch.repeated:
        return
    shown = "; ".join(rejection.detail for rejection in rejected[:5])
    more = f" (and {len(rejected) - 5} more)" if len(rejected) > 5 else ""
    raise BatchError(f"No item of the batch is valid: {shown}{more}.", status=422)


def _add_receipts(batch: CollectBatch, raw: object, limits: TimeLimits) -> None:
    if raw is None:
        return
    if not isinstance(raw, list):
        raise BatchError(f"receipts must be a list, got {type(raw).__name__}.")
    if len(raw) > MAX_RECEIPTS:
        raise BatchError(
            f"The batch has {len(raw)} receipts; send at most {MAX_RECEIPTS}.",
            status=413,
        )
    for index, item in enumerate(raw):
        try:
            batch.receipts.append(_receipt(item, limits))
        except ValueError as error:
            detail = f"receipts[{index}]: {error}"
            batch.rejected_receipts.append(Rejection(index, detail))


def _receipt(item: object, limits: TimeLimits) -> Receipt:
    if not isinstance(item, dict):
        raise ValueError("expected an object")
    tag_id = check_text(item.get("tag_id"), "tag_id", MAX_TAG_ID_LENGTH)
    if not tag_id.isdigit():
        raise ValueError("tag_id must contain only digits")
    cohort_code = check_text(
        item.get("cohort_code"), "cohort_code", MAX_COHORT_CODE_LENGTH
    )
    check_text(item.get("event_id"), "event_id", MAX_RECEIPT_EVENT_ID_LENGTH)
    time = item.get("time")
    if isinstance(time, bool) or not isinstance(time, int):
        raise ValueError("time must be whole milliseconds since the Unix epoch")
    if not limits.earliest <= time <= limits.latest:
        raise ValueError(f"time {time} is outside the accepted range")
    return Receipt(tag_id, cohort_code, time)


def _envelope_text(value: object, what: str, limit: int) -> str:
    try:
        return check_text(value, what, limit)
    except ValueError as error:
        raise BatchError(f"{error}.") from None
