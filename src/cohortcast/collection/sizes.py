"""Cohort sizes: live (members now) and predicted (a definition not yet saved).

Pinterest will not target fewer than 100 people, so both show up in the API
and the dashboard before a cohort is activated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cohortcast.collection.cohort_sets import enabled_definitions
from cohortcast.engine import CohortSet, DefinitionError, Event
from cohortcast.store.collection_models import CollectedEvent, Membership, Profile
from cohortcast.store.definitions import invalid_definition

PREVIEW_WINDOW_DAYS = 30
# Bounds on the work of one preview, so a request never scans without end.
PREVIEW_MAX_EVENTS = 2_000_000
PREVIEW_CODE = "_preview"


@dataclass(frozen=True)
class LiveSizes:
    """Members now per cohort code, as of ``as_of``; ``collected`` is False
    while the workspace has no profile (sizes are unknown, not zero)."""

    members: dict[str, int]
    as_of: datetime
    collected: bool

    def of(self, code: str) -> dict[str, object] | None:
        """The API's ``size`` for one cohort, or None before any collection."""
        if not self.collected:
            return None
        return {"members": self.members.get(code, 0), "as_of": self.as_of}


@dataclass(frozen=True)
class Prediction:
    """How many profiles a definition would hold now, from recent events."""

    predicted_size: int
    profiles_scanned: int
    window_days: int
    complete: bool


def live_sizes(session: Session, workspace_id: str) -> LiveSizes:
    """Members now of every cohort of the workspace (one grouped count)."""
    counts = session.execute(
        select(Membership.cohort_code, func.count())
        .where(Membership.workspace_id == workspace_id)
        .group_by(Membership.cohort_code)
    )
    members: dict[str, int] = dict(counts.all())
    collected = bool(members) or (
        session.scalar(
            select(Profile.id).where(Profile.workspace_id == workspace_id).limit(1)
        )
        is not None
    )
    return LiveSizes(members, datetime.now(UTC), collected)


def predict_size(
    session: Session,
    workspace_id: str,
    definition: object,
    now: int,
    max_events: int = PREVIEW_MAX_EVENTS,
) -> Prediction:
    """Evaluate ``definition`` (with the workspace's cohorts, which it may
    refer to) for every profile over the last 30 days of stored events.

    Raises :class:`InvalidValueError` naming the place inside ``definition``
    (``definition.within: ...``). Stops after ``max_events`` events
    (``complete`` is then False and the size counts the profiles seen).
    """
    cohorts = _with_preview(session, workspace_id, definition)
    window_start = now - PREVIEW_WINDOW_DAYS * 86_400_000
    rows = session.execute(
        select(
            CollectedEvent.profile_key,
            CollectedEvent.name,
            CollectedEvent.time,
            CollectedEvent.properties,
        )
        .where(
            CollectedEvent.workspace_id == workspace_id,
            CollectedEvent.time > window_start,
            CollectedEvent.time <= now,
        )
        .order_by(CollectedEvent.profile_key)
        .execution_options(yield_per=5_000)
    )

    members = scanned = 0
    current: str | None = None
    events: list[Event] = []
    complete = True
    for seen, (key, name, time, properties) in enumerate(rows, start=1):
        if key != current:
            members += _holds(cohorts, events, now)
            scanned += current is not None
            current, events = key, []
        if seen > max_events:
            complete = False
            break
        events.append(Event(name, time, properties))
    if complete and current is not None:
        members += _holds(cohorts, events, now)
        scanned += 1
    return Prediction(members, scanned, PREVIEW_WINDOW_DAYS, complete)


def _holds(cohorts: CohortSet, events: list[Event], now: int) -> int:
    if not events:
        return 0
    state = cohorts.new_state()
    for event in sorted(events, key=lambda e: e.time):
        cohorts.process(state, event)
    cohorts.advance(state, now)
    return int(PREVIEW_CODE in cohorts.members(state))


def _with_preview(session: Session, workspace_id: str, definition: object) -> CohortSet:
    """The workspace's cohorts plus the previewed one under a code no real
    cohort has (theirs are letters and digits)."""
    definitions = enabled_definitions(session, workspace_id)
    definitions[PREVIEW_CODE] = definition
    try:
        return CohortSet.compile(definitions)
    except DefinitionError as error:
        raise invalid_definition(error, PREVIEW_CODE) from None
