"""Membership changes become outbox rows, in the transaction that records them.

Registered as a collection change hook: when a profile with a hashed email
or MAID enters a cohort routed to a Tag ID the integration's credentials
deliver to, one Conversions API event is queued per ad account (event id
``cc.{cohort_code}.{visitor_id}.{entered_at_ms}``, the pixel's) and one
customer-list ADD per identifier; an exit queues the REMOVEs. Profiles
without a hashed identity queue nothing: Pinterest could not match them.

Each row names the ad account that owns the routed Tag ID: the integration's
default Tag ID is its own account's (Test connection checks it belongs), and
every other Tag ID is the account's in which the audience sync found it and
keeps its audiences, whether the integration's account or another one the
token may use. A cohort routed only to a Tag ID no reachable account owns
queues nothing: its advertiser's lists are out of reach, and another
account's lists must not get it.
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

    owners = _tag_owners(session, integration_id, ad_account_id, default_tag_id)
    accounts_of: dict[str, set[str]] = {}
    for route in load_routing(session, workspace_id):
        owner = owners.get(route["tag_id"])
        if owner is not None:
            for code in route["cohort_codes"]:
                accounts_of.setdefault(code, set()).add(owner)
    relevant = [
        (profile_id, [c for c in changes if c.cohort in accounts_of])
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
            for owner in sorted(accounts_of[change.cohort]):
                rows.extend(
                    _rows_for(integration_id, owner, person, profile_id, change)
                )
    if not rows:
        return

    now = int(time.time() * 1000)
    values = [
        {"integration_id": integration_id, **row, "state": "pending", "attempts": 0}
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


def _tag_owners(
    session: Session, integration_id: str, ad_account_id: str, default_tag_id: str
) -> dict[str, str]:
    """The ad account of each Tag ID these credentials deliver to."""
    owners = {default_tag_id: ad_account_id}
    synced = session.execute(
        select(PinterestAudience.tag_id, PinterestAudience.ad_account_id)
        .where(PinterestAudience.integration_id == integration_id)
        .distinct()
    )
    owners.update((tag_id, account) for tag_id, account in synced)
    return owners


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
    integration_id: str,
    ad_account_id: str,
    person: Identified,
    profile_id: int,
    change: Change,
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
            "ad_account_id": ad_account_id,
            "group_key": "events",
            "payload": dict(event),
            "idempotency_key": (
                f"conv:{integration_id}:{ad_account_id}:{event['event_id']}"[:200]
            ),
        }

    operation = "ADD" if change.kind == "entry" else "REMOVE"
    typed = [("EMAIL", record) for record in person.emails]
    typed += [("MAID", record) for record in person.maids]
    for list_type, record in typed:
        digest = hashlib.sha256(
            f"{integration_id}:{ad_account_id}:{profile_id}:{code}:{list_type}:"
            f"{operation}:{change.time}:{record}".encode()
        ).hexdigest()
        yield {
            "kind": CUSTOMER_LIST,
            "ad_account_id": ad_account_id,
            "group_key": f"{code}:{list_type}",
            "payload": {
                "cohort_code": code,
                "list_type": list_type,
                "operation": operation,
                "record": record,
            },
            "idempotency_key": f"list:{digest}",
        }
