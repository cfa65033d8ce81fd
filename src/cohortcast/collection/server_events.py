"""Server-side events (apps, CTV, servers): the SDK's events plus identities.

Body of ``POST /api/v1/events``::

    {"events": [{"id": "o-1001", "name": "Purchase", "time": 1764777600000,
                 "properties": {"value": 42},
                 "user_id": "u-17", "email": "Ada@Example.com",
                 "maid": "6D92078A-8246-4BA4-AE5B-76104861E7DC"}]}

Each event names its person with at least one of ``user_id``, ``email`` (or
``email_sha256``), ``maid`` (one id or a list) and ``visitor_id`` (the SDK's
visitor, to add server events to a browser's profile). The profile is the
first of: user id, hashed email, first hashed MAID, visitor id. Emails and
MAIDs are normalised and hashed here, on arrival, as Pinterest expects; the
clear values go no further than this module and are never quoted in errors.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from cohortcast.collection.batches import Identities
from cohortcast.collection.ingest import Collector, IngestResult, ProfileEvents
from cohortcast.collection.validation import (
    MAX_EVENTS,
    MAX_ID_LENGTH,
    MAX_USER_ID_LENGTH,
    BatchError,
    Rejection,
    TimeLimits,
    check_event,
    check_text,
    parse_json_body,
    require_object,
)
from cohortcast.pinterest.identifiers import InvalidIdentifier, hash_email, hash_maid
from cohortcast.store.models import Workspace
from cohortcast.store.sdk_config import ConfigStamp

MAX_MAIDS_PER_EVENT = 10


def ingest_server_events(
    collector: Collector, workspace_id: str, body: bytes
) -> IngestResult:
    """Validate, store and evaluate a server-side events request in one
    transaction; the answer counts accepted and duplicate events and lists
    the rejected ones by index. Raises :class:`BatchError`."""
    limits = collector.limits()
    groups, rejected = parse_server_events(body, limits)
    with collector.store.transaction() as session:
        version = session.scalar(
            select(Workspace.config_version).where(Workspace.id == workspace_id)
        )
        stamp = ConfigStamp(workspace_id, version or 0)
        results = collector.ingest(session, stamp, groups, limits.now)
    return IngestResult(
        accepted=sum(result.accepted for result in results),
        duplicates=sum(result.duplicates for result in results),
        rejected=rejected,
    )


def parse_server_events(
    body: bytes, limits: TimeLimits
) -> tuple[list[ProfileEvents], list[Rejection]]:
    """Validate the body; return one group per event and the rejections.

    Raises :class:`BatchError` when the body is not ``{"events": [...]}``,
    has too many events, or none of its events is usable (422).
    """
    raw = require_object(parse_json_body(body), "The request body").get("events")
    if not isinstance(raw, list):
        raise BatchError('The request body must be {"events": [...]}.', status=422)
    if len(raw) > MAX_EVENTS:
        raise BatchError(
            f"The request has {len(raw)} events; send at most {MAX_EVENTS}.",
            status=413,
        )

    groups: list[ProfileEvents] = []
    rejected: list[Rejection] = []
    for index, item in enumerate(raw):
        try:
            event = check_event(item, limits)
            assert isinstance(item, Mapping)
            key, identities = profile_of(item)
        except (ValueError, InvalidIdentifier) as error:
            rejected.append(Rejection(index, f"events[{index}]: {error}"))
            continue
        groups.append(ProfileEvents(key, identities, [event]))
    if rejected and not groups:
        shown = "; ".join(r.detail for r in rejected[:5])
        raise BatchError(f"No event of the request is valid: {shown}.", status=422)
    return groups, rejected


def profile_of(item: Mapping[str, object]) -> tuple[str, Identities]:
    """The profile key and hashed identities of one event; ValueError if none."""
    user_id = _optional_text(item.get("user_id"), "user_id", MAX_USER_ID_LENGTH)
    visitor_id = _optional_text(item.get("visitor_id"), "visitor_id", MAX_ID_LENGTH)
    email = _hashed_email(item)
    maids = tuple(hash_maid(maid) for maid in _maids(item.get("maid")))
    identities = Identities(user_id, email, maids)

    if user_id is not None:
        return f"u:{user_id}", identities
    if email is not None:
        return f"e:{email}", identities
    if maids:
        return f"m:{maids[0]}", identities
    if visitor_id is not None:
        return f"v:{visitor_id}", identities
    raise ValueError("name the person with user_id, email, maid or visitor_id")


def _hashed_email(item: Mapping[str, object]) -> str | None:
    email, digest = item.get("email"), item.get("email_sha256")
    if email is not None:
        if not isinstance(email, str):
            raise ValueError("email must be a string")
        return hash_email(email)
    if digest is not None:
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError("email_sha256 must be a hex SHA-256 digest")
        return hash_email(digest)
    return None


def _maids(value: object) -> list[str]:
    if value is None:
        return []
    maids = value if isinstance(value, list) else [value]
    if len(maids) > MAX_MAIDS_PER_EVENT or not all(isinstance(m, str) for m in maids):
        raise ValueError(
            f"maid must be a string or a list of at most {MAX_MAIDS_PER_EVENT} strings"
        )
    return [maid for maid in maids if isinstance(maid, str)]


def _optional_text(value: object, what: str, limit: int) -> str | None:
    return None if value is None else check_text(value, what, limit)
