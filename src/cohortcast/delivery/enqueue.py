"""Membership changes become outbox rows, in the transaction that records them.

Registered as a collection change hook: when a profile with a hashed email
or MAID enters a cohort routed to a Tag ID of the ad account an integration
has credentials for, one Conversions API event is queued (event id
``cc.{cohort_code}.{visitor_id}.{entered_at_ms}``, the pixel's) and one
customer-list ADD per identifier; an exit queues the REMOVEs. Profiles
without a hashed identity queue nothing: Pinterest could not match them.

A cohort routed only to an alternative Tag ID of another Pinterest account
queues nothing either: that account is not the one these credentials reach,
and its advertiser, not this one, is meant to get the cohort. The account's
Tag IDs are the integration's default (Test connection checks it belongs)
and those the audience sync found in the account (it stores audiences for
those only), so an alternative Tag ID of the same account is served from
its first sync on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohortcast.collection.change_hooks import ProfileChanges, on_changes
from cohortcast.collection.evaluation import dialect_insert
from cohortcast.engine import Change
from cohortcast.pinterest.ads import cohort_conversion_event
from cohortcast.store.collection_models import Profile
from cohortcast.store.delivery_models import (
    OutboxRow,
    PinterestAudience,
    PinterestCredentials,
)
from cohortcast.store.models import Integration
from cohortcast.store.routing import load_routing

CONVERSIONS = "conversions"
CUSTOMER_LIST = "customer_list"

_VISITOR_PREFIX = "v:"


@dataclass(frozen=True)
class Identified:
    """A profile's visitor id and hashed identities."""

    visitor_id: str
    emails: tuple[str, ...]
    maids: tuple[str, ...]


@on_changes
def enqueue_changes(
    session: Session, workspace_id: str, profile_changes: ProfileChanges
) -> None:
    """Queue the deliveries the changes call for (see the module docstring)."""
    account = _credentialed_account(session, workspace_id)
    if account is None:
        return
    integration_id, ad_account_id, default_tag_id = account

    own_tag_ids = _own_tag_ids(session, integration_id, default_tag_id)
    routed = {
        code
        for route in load_routing(session, workspace_id)
        if route["tag_id"] in own_tag_ids
        for code in route["cohort_codes"]
    }
    relevant = [
        (profile_id, [c for c in changes if c.cohort in routed])
        for profile_id, changes in profile_changes
    ]
    relevant = [(profile_id, changes) for profile_id, changes in relevant if changes]
    if not relevant:
        return

    identified = _identified(session, [profile_id for profile_id, _ in relevant])
    rows: list[dict[str, Any]] = []
    for profile_id, changes in relevant:
        person = identified.get(profile_id)
        if person is None:
            continue
        for change in changes:
            rows.extend(_rows_for(integration_id, person, profile_id, change))
    if not rows:
        return

    common = {"integration_id": integration_id, "ad_account_id": ad_account_id}
    now = int(time.time() * 1000)
    values = [
        {**common, **row, "state": "pending", "attempts": 0}
        | {"next_attempt_at": 0, "created_at": now}
        for row in rows
    ]
    insert = dialect_insert(session, OutboxRow.__table__)  # type: ignore[arg-type]
    session.execute(insert.on_conflict_do_nothing(), values)


def _credentialed_account(
    session: Session, workspace_id: str
) -> tuple[str, str, str] | None:
    row = session.execute(
        select(Integration.id, PinterestCredentials.ad_account_id, Integration.tag_id)
        .join(
            PinterestCredentials, PinterestCredentials.integration_id == Integration.id
        )
        .where(
            Integration.workspace_id == workspace_id,
            PinterestCredentials.ad_account_id.is_not(None),
            PinterestCredentials.token_ciphertext.is_not(None),
        )
    ).first()
    if row is None or row[1] is None:
        return None
    return row[0], row[1], row[2]


def _own_tag_ids(
    session: Session, integration_id: str, default_tag_id: str
) -> set[str]:
    synced = session.scalars(
        select(PinterestAudience.tag_id)
        .where(PinterestAudience.integration_id == integration_id)
        .distinct()
    )
    return {default_tag_id, *synced}


def _identified(session: Session, profile_ids: Sequence[int]) -> dict[int, Identified]:
    rows = session.execute(
        select(
            Profile.id, Profile.profile_key, Profile.email_sha256, Profile.maid_sha256
        ).where(Profile.id.in_(profile_ids))
    )
    found: dict[int, Identified] = {}
    for profile_id, key, email, maids in rows:
        emails = (email,) if email else ()
        maid_list = tuple(maids or ())
        if emails or maid_list:
            visitor_id = key.removeprefix(_VISITOR_PREFIX)
            found[profile_id] = Identified(visitor_id, emails, maid_list)
    return found


def _rows_for(
    integration_id: str, person: Identified, profile_id: int, change: Change
) -> Iterator[dict[str, Any]]:
    code = change.cohort
    if change.kind == "entry":
        event = cohort_conversion_event(
            code,
            person.visitor_id,
            change.time,
            emails=person.emails,
            maids=person.maids,
        )
        yield {
            "kind": CONVERSIONS,
            "group_key": "events",
            "payload": dict(event),
            "idempotency_key": f"conv:{integration_id}:{event['event_id']}"[:200],
        }

    operation = "ADD" if change.kind == "entry" else "REMOVE"
    typed = [("EMAIL", record) for record in person.emails]
    typed += [("MAID", record) for record in person.maids]
    for list_type, record in typed:
        digest = hashlib.sha256(
            f"{integration_id}:{profile_id}:{code}:{list_type}:{operation}:"
            f"{change.time}:{record}".encode()
        ).hexdigest()
        yield {
            "kind": CUSTOMER_LIST,
            "group_key": f"{code}:{list_type}",
            "payload": {
                "cohort_code": code,
                "list_type": list_type,
                "operation": operation,
                "record": record,
            },
            "idempotency_key": f"list:{digest}",
        }
