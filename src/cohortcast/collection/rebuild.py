"""Cohort edits: bring stored profile states up to date with new definitions.

The engine keeps state per leaf, keyed by the leaf's content, so leaves that
an edit leaves alone keep their state and only *new* leaves (a new cohort, or
an edited condition) start empty. For those, profiles are rebuilt from the
retained raw events, in the background, resumably:

- every compile of a workspace's cohorts (:func:`note_definitions`) compares
  the leaf keys with those every profile was built for; new keys start (or
  restart) a rebuild from the first profile;
- :func:`rebuild_step` replays a few profiles' stored events through the
  current cohorts, replaces the state of the new leaves only, re-evaluates
  membership at the profile's clock and records the changes;
- once the last profile is done, the new keys count as built.

Until the rebuild reaches a profile, its new leaves hold only events received
since the edit; the rebuild then corrects membership, recording the change.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from cohortcast.collection.cohort_sets import CohortSetCache, leaf_keys
from cohortcast.collection.evaluation import (
    dialect_insert,
    is_postgresql,
    loaded,
    save_profiles,
)
from cohortcast.engine import CohortSet, Event
from cohortcast.store.collection_models import (
    CollectedEvent,
    EvaluationStatus,
    Membership,
    Profile,
)
from cohortcast.store.database import Store
from cohortcast.store.models import Workspace

logger = logging.getLogger(__name__)

PROFILES_PER_STEP = 100

_STATUS: Table = EvaluationStatus.__table__  # type: ignore[assignment]

_PROFILE_EVENTS = (
    select(CollectedEvent.name, CollectedEvent.time, CollectedEvent.properties)
    .where(
        CollectedEvent.workspace_id == bindparam("workspace_id"),
        CollectedEvent.profile_key == bindparam("profile_key"),
    )
    .order_by(CollectedEvent.time, CollectedEvent.id)
)


def note_definitions(session: Session, workspace_id: str, cohorts: CohortSet) -> None:
    """Record the workspace's current cohorts: start a rebuild for leaves no
    profile was built for, and drop memberships of cohorts that are gone."""
    current = leaf_keys(cohorts)
    status = _locked_status(session, workspace_id, cohorts)
    built = set(status.built_leaves) & current
    pending = (set(status.rebuild_leaves) | (current - built)) & current
    restart = bool(pending - set(status.rebuild_leaves))
    status.built_leaves = sorted(built)
    status.rebuild_leaves = sorted(pending)
    if restart:
        status.rebuild_after_profile = 0
        logger.info(
            "Cohorts of workspace %s changed: rebuilding %s leaves from stored events",
            workspace_id,
            len(pending),
        )
    session.execute(
        delete(Membership).where(
            Membership.workspace_id == workspace_id,
            Membership.cohort_code.not_in(sorted(cohorts.codes)),
        )
    )


def rebuild_step(
    store: Store,
    cohort_sets: CohortSetCache,
    now: int,
    limit: int = PROFILES_PER_STEP,
) -> int:
    """Rebuild up to ``limit`` profiles of each workspace with a rebuild under
    way, one transaction per workspace; return how many profiles were done."""
    with store.read() as session:
        workspace_ids = session.scalars(select(Workspace.id)).all()
    done = 0
    for workspace_id in workspace_ids:
        with store.transaction() as session:
            done += _rebuild_workspace(session, cohort_sets, workspace_id, now, limit)
    return done


def _rebuild_workspace(
    session: Session,
    cohort_sets: CohortSetCache,
    workspace_id: str,
    now: int,
    limit: int,
) -> int:
    version = session.scalar(
        select(Workspace.config_version).where(Workspace.id == workspace_id)
    )
    cohorts = cohort_sets.get(session, workspace_id, version or 0)
    status = _locked_status(session, workspace_id, cohorts)
    if not status.rebuild_leaves:
        return 0

    rows = session.execute(
        _profiles_after(session, workspace_id, status.rebuild_after_profile, limit)
    ).all()
    new_leaves = frozenset(status.rebuild_leaves)
    for profile_id, profile_key, saved in rows:
        rebuild_profile(
            session,
            workspace_id,
            cohorts,
            new_leaves,
            (profile_id, profile_key, saved),
            now,
        )

    if len(rows) < limit:
        status.built_leaves = sorted(set(status.built_leaves) | new_leaves)
        status.rebuild_leaves = []
        status.rebuild_after_profile = 0
        logger.info("Rebuilt the profiles of workspace %s", workspace_id)
    else:
        status.rebuild_after_profile = rows[-1][0]
    status.updated_at = now
    return len(rows)


def rebuild_profile(
    session: Session,
    workspace_id: str,
    cohorts: CohortSet,
    new_leaves: frozenset[str],
    row: tuple[int, str, Any],
    now: int,
) -> None:
    """Replace the state of ``new_leaves`` with a replay of the profile's
    stored events, then re-evaluate membership at the profile's clock."""
    profile_id, profile_key, saved = row
    replay = cohorts.new_state()
    events = session.execute(
        _PROFILE_EVENTS, {"workspace_id": workspace_id, "profile_key": profile_key}
    )
    for name, time, properties in events:
        cohorts.process(replay, Event(name, time, properties))

    saved_json = dict(saved or {})
    if saved_json.get("now") is None:
        return
    replayed = replay.to_json()["leaves"]
    assert isinstance(replayed, dict)
    leaves = {
        k: v
        for k, v in dict(saved_json.get("leaves", {})).items()
        if k not in new_leaves
    }
    leaves.update({k: v for k, v in replayed.items() if k in new_leaves})
    # A fingerprint no cohort set has makes the engine re-evaluate every cohort.
    saved_json.update(leaves=leaves, cohort_set="rebuilt")

    profile = loaded(profile_id, saved_json)
    clock = profile.state.now
    assert clock is not None
    profile.changes = cohorts.advance(profile.state, clock)
    save_profiles(session, workspace_id, [profile], cohorts, now)


def _profiles_after(session: Session, workspace_id: str, after: int, limit: int) -> Any:
    query = (
        select(Profile.id, Profile.profile_key, Profile.state)
        .where(Profile.workspace_id == workspace_id, Profile.id > after)
        .order_by(Profile.id)
        .limit(limit)
    )
    return query.with_for_update() if is_postgresql(session) else query


def _locked_status(
    session: Session, workspace_id: str, cohorts: CohortSet
) -> EvaluationStatus:
    """The workspace's status row, locked; created (as built for ``cohorts``)
    when the workspace is evaluated for the first time."""
    session.execute(
        dialect_insert(session, _STATUS)
        .on_conflict_do_nothing()
        .values(
            workspace_id=workspace_id,
            built_leaves=sorted(leaf_keys(cohorts)),
            rebuild_leaves=[],
            rebuild_after_profile=0,
            updated_at=0,
        )
    )
    query = select(EvaluationStatus).where(
        EvaluationStatus.workspace_id == workspace_id
    )
    if is_postgresql(session):
        query = query.with_for_update()
    status = session.scalars(query).one()
    return status
