"""Per-profile evaluation in the store: lock profiles, run the engine on their
state, and write back the states, memberships and changes, all in the
caller's transaction (so the events that caused them commit with them, or
nothing does). Every function works on many profiles with a few statements,
since ingestion handles many batches per transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cohortcast.collection.bulk import BulkStatement, Row, insert_statement
from cohortcast.collection.change_hooks import run_change_hooks
from cohortcast.engine import Change, CohortSet, UserState
from cohortcast.store.collection_models import Profile

if TYPE_CHECKING:
    # Only for annotations: batches imports modules that import this one.
    from cohortcast.collection.batches import Identities

logger = logging.getLogger(__name__)

MAX_MAIDS = 10

_FIND_PROFILES = (
    select(
        Profile.id,
        Profile.profile_key,
        Profile.state,
        Profile.user_id,
        Profile.email_sha256,
        Profile.maid_sha256,
    )
    .where(
        Profile.workspace_id == bindparam("workspace_id"),
        Profile.profile_key.in_(bindparam("profile_keys", expanding=True)),
    )
    # One order for every writer, so concurrent row locks cannot deadlock.
    .order_by(Profile.profile_key)
)

_CREATE_PROFILES = insert_statement(
    "profiles",
    [("workspace_id", "text"), ("profile_key", "text"), ("updated_at", "bigint")],
    skip_conflicts=True,
)

# Rows are (profile id, state as JSON text, next change time, now).
_SAVE_STATES = BulkStatement(
    postgresql="UPDATE profiles SET state = saved.state,"
    " next_change_time = saved.wake, updated_at = saved.now"
    " FROM unnest(%b::bigint[], %b::json[], %b::bigint[], %b::bigint[])"
    " AS saved(id, state, wake, now) WHERE profiles.id = saved.id",
    sqlite="UPDATE profiles SET state = ?2, next_change_time = ?3, updated_at = ?4"
    " WHERE id = ?1",
)

_RECORD_CHANGES = insert_statement(
    "membership_changes",
    [
        ("workspace_id", "text"),
        ("profile_id", "bigint"),
        ("cohort_code", "text"),
        ("kind", "text"),
        ("time", "bigint"),
    ],
)

_ADD_MEMBERSHIPS = insert_statement(
    "memberships",
    [
        ("profile_id", "bigint"),
        ("cohort_code", "text"),
        ("workspace_id", "text"),
        ("entered_at", "bigint"),
    ],
    skip_conflicts=True,
)

# Rows are (profile id, cohort code).
_DROP_MEMBERSHIPS = BulkStatement(
    postgresql="DELETE FROM memberships USING unnest(%b::bigint[], %b::text[])"
    " AS dropped(profile_id, cohort_code)"
    " WHERE memberships.profile_id = dropped.profile_id"
    " AND memberships.cohort_code = dropped.cohort_code",
    sqlite="DELETE FROM memberships WHERE profile_id = ? AND cohort_code = ?",
)

DialectInsert = postgresql.Insert | sqlite.Insert


@dataclass(slots=True)
class LoadedProfile:
    """A locked profile row, its engine state, and the changes it went through."""

    id: int
    state: UserState
    members_before: frozenset[str]
    changes: list[Change] = field(default_factory=list)


def dialect_insert(session: Session, table: Table) -> DialectInsert:
    """``INSERT`` with ``ON CONFLICT`` support for the session's database."""
    if is_postgresql(session):
        return postgresql.insert(table)
    return sqlite.insert(table)


def is_postgresql(session: Session) -> bool:
    """Whether the session talks to PostgreSQL (row locks) or SQLite."""
    return session.get_bind().dialect.name == "postgresql"


def loaded(profile_id: int, saved: Any) -> LoadedProfile:
    """A :class:`LoadedProfile` from a row's id and ``state`` column."""
    state = restore_state(saved)
    return LoadedProfile(profile_id, state, frozenset(state.members))


def lock_profiles(
    session: Session,
    workspace_id: str,
    identities: Mapping[str, Identities],
    now: int,
) -> dict[str, LoadedProfile]:
    """The profiles keyed by profile key (created when new), locked until commit.

    On PostgreSQL the rows are locked (two tabs of one visitor send batches
    at the same time); SQLite transactions that write already hold the lock.
    """
    keys = sorted(identities)
    parameters = {"workspace_id": workspace_id, "profile_keys": keys}
    query = (
        _FIND_PROFILES.with_for_update() if is_postgresql(session) else _FIND_PROFILES
    )
    rows = {row.profile_key: row for row in session.execute(query, parameters)}
    missing = [key for key in keys if key not in rows]
    if missing:
        rows_to_create = [(workspace_id, key, now) for key in missing]
        _CREATE_PROFILES.run(session.connection(), rows_to_create)
        parameters["profile_keys"] = missing
        rows.update(
            (row.profile_key, row) for row in session.execute(query, parameters)
        )

    profiles: dict[str, LoadedProfile] = {}
    for key in keys:
        row = rows[key]
        changed = _identity_updates(row, identities[key])
        if changed:
            session.execute(update(Profile).where(Profile.id == row.id).values(changed))
        profiles[key] = loaded(row.id, row.state)
    return profiles


def restore_state(saved: Any) -> UserState:
    """A state from the ``profiles.state`` column; a new one when there is none
    or it cannot be read (logged: evaluation starts over for that profile)."""
    if saved is None:
        return UserState()
    try:
        return UserState.from_json(saved)
    except ValueError as error:
        logger.warning("Discarding an unreadable profile state: %s", error)
        return UserState()


def save_profiles(
    session: Session,
    workspace_id: str,
    profiles: Sequence[LoadedProfile],
    cohorts: CohortSet,
    now: int,
) -> None:
    """Write each profile's state and wake-up time, and record its changes."""
    if not profiles:
        return
    _SAVE_STATES.run(
        session.connection(),
        [
            (
                profile.id,
                json.dumps(profile.state.to_json(), separators=(",", ":")),
                cohorts.next_change_time(profile.state),
                now,
            )
            for profile in profiles
        ],
    )
    changed = [profile for profile in profiles if profile.changes]
    if changed:
        record_changes(session, workspace_id, changed, cohorts)


def record_changes(
    session: Session,
    workspace_id: str,
    profiles: Sequence[LoadedProfile],
    cohorts: CohortSet,
) -> None:
    """Append the profiles' changes to the history and bring ``memberships``
    in line with their members now."""
    connection = session.connection()
    _RECORD_CHANGES.run(
        connection,
        [
            (workspace_id, profile.id, change.cohort, change.kind, change.time)
            for profile in profiles
            for change in profile.changes
        ],
    )

    dropped: list[Row] = []
    added: list[Row] = []
    for profile in profiles:
        members = cohorts.members(profile.state)
        entered = {c.cohort: c.time for c in profile.changes if c.kind == "entry"}
        for code in sorted(profile.members_before - members):
            dropped.append((profile.id, code))
        for code in sorted(members - profile.members_before):
            added.append((profile.id, code, workspace_id, entered.get(code, 0)))
    _DROP_MEMBERSHIPS.run(connection, dropped)
    _ADD_MEMBERSHIPS.run(connection, added)
    # Server-side delivery queues its outbox rows here, in this transaction.
    run_change_hooks(session, workspace_id, [(p.id, p.changes) for p in profiles])


def _identity_updates(row: Any, identities: Identities) -> dict[str, object]:
    """The identity columns ``identities`` adds to or changes on ``row``."""
    values: dict[str, object] = {}
    if identities.user_id is not None and identities.user_id != row.user_id:
        values["user_id"] = identities.user_id
    email = identities.email_sha256
    if email is not None and email != row.email_sha256:
        values["email_sha256"] = email
    known = list(row.maid_sha256 or [])
    added = [maid for maid in identities.maid_sha256 if maid not in known]
    if added:
        # A person has few devices; the newest few are the ones worth matching.
        values["maid_sha256"] = (known + added)[-MAX_MAIDS:]
    return values
