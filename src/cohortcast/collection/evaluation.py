"""Per-profile evaluation in the store: lock a profile, run the engine on its
state, and write back the state, memberships and changes, all in the caller's
transaction (so the events that caused them commit with them, or nothing does).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cohortcast.collection.batches import Identities
from cohortcast.engine import Change, CohortSet, UserState
from cohortcast.store.collection_models import (
    Membership,
    MembershipChange,
    Profile,
)

logger = logging.getLogger(__name__)

MAX_MAIDS = 10

_PROFILES: Table = Profile.__table__  # type: ignore[assignment]
_MEMBERSHIPS: Table = Membership.__table__  # type: ignore[assignment]
_CHANGES: Table = MembershipChange.__table__  # type: ignore[assignment]

_FIND_PROFILE = select(
    Profile.id,
    Profile.state,
    Profile.user_id,
    Profile.email_sha256,
    Profile.maid_sha256,
).where(
    Profile.workspace_id == bindparam("workspace_id"),
    Profile.profile_key == bindparam("profile_key"),
)


@dataclass(slots=True)
class LoadedProfile:
    """A locked profile row and its engine state, ready to evaluate."""

    id: int
    state: UserState
    members_before: frozenset[str]


DialectInsert = postgresql.Insert | sqlite.Insert


def dialect_insert(session: Session, table: Table) -> DialectInsert:
    """``INSERT`` with ``ON CONFLICT`` support for the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def is_postgresql(session: Session) -> bool:
    """Whether the session talks to PostgreSQL (row locks) or SQLite."""
    return session.get_bind().dialect.name == "postgresql"


def lock_profile(
    session: Session,
    workspace_id: str,
    profile_key: str,
    identities: Identities,
    now: int,
) -> LoadedProfile:
    """The profile ``profile_key``, created when new, locked until commit.

    On PostgreSQL the row is locked (two tabs of one visitor send batches at
    the same time); SQLite transactions that write already hold the one lock.
    """
    keys = {"workspace_id": workspace_id, "profile_key": profile_key}
    query = _FIND_PROFILE.with_for_update() if is_postgresql(session) else _FIND_PROFILE
    row = session.execute(query, keys).one_or_none()
    if row is None:
        create = dialect_insert(session, _PROFILES).on_conflict_do_nothing()
        session.execute(create, {**keys, "updated_at": now})
        row = session.execute(query, keys).one()
    changed = _identity_updates(row, identities)
    if changed:
        session.execute(update(Profile).where(Profile.id == row.id).values(changed))
    state = restore_state(row.state)
    return LoadedProfile(row.id, state, frozenset(state.members))


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


def save_profile(
    session: Session,
    workspace_id: str,
    profile: LoadedProfile,
    cohorts: CohortSet,
    changes: Sequence[Change],
    now: int,
) -> None:
    """Write the state and the wake-up time, and record ``changes``."""
    session.execute(
        update(Profile)
        .where(Profile.id == profile.id)
        .values(
            state=profile.state.to_json(),
            next_change_time=cohorts.next_change_time(profile.state),
            updated_at=now,
        )
    )
    if changes:
        record_changes(session, workspace_id, profile, cohorts, changes)


def record_changes(
    session: Session,
    workspace_id: str,
    profile: LoadedProfile,
    cohorts: CohortSet,
    changes: Sequence[Change],
) -> None:
    """Append ``changes`` to the history and bring ``memberships`` in line
    with the members now."""
    session.execute(
        _CHANGES.insert(),
        [
            {
                "workspace_id": workspace_id,
                "profile_id": profile.id,
                "cohort_code": change.cohort,
                "kind": change.kind,
                "time": change.time,
            }
            for change in changes
        ],
    )
    members = cohorts.members(profile.state)
    _remove_memberships(session, profile.id, profile.members_before - members)
    entered = {c.cohort: c.time for c in changes if c.kind == "entry"}
    added = members - profile.members_before
    if added:
        insert = dialect_insert(session, _MEMBERSHIPS).on_conflict_do_nothing()
        session.execute(
            insert,
            [
                {
                    "profile_id": profile.id,
                    "cohort_code": code,
                    "workspace_id": workspace_id,
                    "entered_at": entered.get(code, 0),
                }
                for code in sorted(added)
            ],
        )


def _remove_memberships(
    session: Session, profile_id: int, codes: Iterable[str]
) -> None:
    codes = sorted(codes)
    if codes:
        session.execute(
            delete(Membership).where(
                Membership.profile_id == profile_id,
                Membership.cohort_code.in_(codes),
            )
        )


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
