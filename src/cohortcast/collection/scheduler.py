"""Changes caused by time alone: a window sliding past a profile's last
qualifying event makes it exit (or, under ``not``, enter) with no new event.

Each profile stores the engine's ``next_change_time``; :func:`apply_due_changes`
advances the profiles whose time has come, recording each change at the exact
time the engine reports, not at the time the scheduler happened to run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cohortcast.collection.cohort_sets import CohortSetCache
from cohortcast.collection.evaluation import (
    LoadedProfile,
    is_postgresql,
    loaded,
    save_profiles,
)
from cohortcast.engine import CohortSet
from cohortcast.store.collection_models import Profile
from cohortcast.store.database import Store
from cohortcast.store.models import Workspace

logger = logging.getLogger(__name__)

BATCH_SIZE = 200

_DUE = (
    select(Profile.id, Profile.workspace_id, Profile.state)
    .where(Profile.next_change_time <= bindparam("now"))
    .order_by(Profile.next_change_time)
    .limit(bindparam("limit"))
)


def apply_due_changes(
    store: Store, cohort_sets: CohortSetCache, now: int, limit: int = BATCH_SIZE
) -> int:
    """Advance up to ``limit`` profiles that are due at ``now``, in one
    transaction; return how many. Several processes may run it at once: on
    PostgreSQL each skips the rows another has locked."""
    with store.transaction() as session:
        # Compiling can touch the evaluation status row, which rebuilds lock
        # before profiles; doing it first keeps that order and avoids deadlock.
        workspace_ids = session.scalars(
            select(Profile.workspace_id)
            .where(Profile.next_change_time <= now)
            .distinct()
        ).all()
        compiled = {w: _cohorts(session, cohort_sets, w) for w in workspace_ids}

        query = (
            _DUE.with_for_update(skip_locked=True) if is_postgresql(session) else _DUE
        )
        due = session.execute(query, {"now": now, "limit": limit}).all()
        advanced: dict[str, list[LoadedProfile]] = {}
        for profile_id, workspace_id, saved in due:
            if workspace_id not in compiled:
                compiled[workspace_id] = _cohorts(session, cohort_sets, workspace_id)
            profile = loaded(profile_id, saved)
            profile.changes = compiled[workspace_id].advance(profile.state, now)
            advanced.setdefault(workspace_id, []).append(profile)
        for workspace_id, profiles in advanced.items():
            save_profiles(session, workspace_id, profiles, compiled[workspace_id], now)
    if due:
        logger.debug("Advanced %s profiles to %s", len(due), now)
    return len(due)


def apply_all_due_changes(
    store: Store, cohort_sets: CohortSetCache, clock: Callable[[], int]
) -> int:
    """Run :func:`apply_due_changes` until nothing is due; return the total."""
    total = 0
    while True:
        done = apply_due_changes(store, cohort_sets, clock())
        total += done
        if done < BATCH_SIZE:
            return total


def _cohorts(
    session: Session, cohort_sets: CohortSetCache, workspace_id: str
) -> CohortSet:
    version = session.scalar(
        select(Workspace.config_version).where(Workspace.id == workspace_id)
    )
    return cohort_sets.get(session, workspace_id, version or 0)
