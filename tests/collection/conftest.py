"""Collection tests work on the store and the collector, with a clock the
test sets (``clock.now``), so times and the scheduler are deterministic."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from collection_helpers import AddCohort, Clock, Members, Send, Workspace
from sqlalchemy import select

from cohortcast.collection.ingest import Collector, IngestResult
from cohortcast.store import cohorts, workspaces
from cohortcast.store.collection_models import Membership, Profile
from cohortcast.store.database import Store, open_store


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on an empty test database."""
    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def workspace(store: Store) -> Workspace:
    """The default workspace."""
    with store.read() as session:
        found = workspaces.get_default_workspace(session)
        return Workspace(found.id, found.sdk_key)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def collector(store: Store, clock: Clock) -> Collector:
    return Collector(store, clock=clock)


@pytest.fixture
def add_cohort(store: Store, workspace: Workspace) -> AddCohort:
    """``add_cohort(definition)`` saves an enabled cohort; returns its code."""

    def add(definition: Any) -> str:
        with store.transaction() as session:
            cohort = cohorts.create_cohort(
                session, workspace.id, name="A cohort", definition=definition
            )
            return cohort.code

    return add


@pytest.fixture
def send(collector: Collector, workspace: Workspace) -> Send:
    """``send(visitor, events)``: one SDK batch; events are (id, name, time)
    tuples or dicts."""

    def post(visitor: str, events: list[Any], **fields: Any) -> IngestResult:
        body = {"visitor_id": visitor, "events": [as_event(e) for e in events]}
        body.update(fields)
        return collector.collect(workspace.sdk_key, json.dumps(body).encode())

    return post


def as_event(event: Any) -> Any:
    if isinstance(event, tuple):
        event_id, name, time, *rest = event
        return {
            "id": event_id,
            "name": name,
            "time": time,
            "properties": rest[0] if rest else {},
        }
    return event


@pytest.fixture
def members(store: Store) -> Members:
    """``members()``: the cohort codes of every profile with any, by profile key,
    read from the ``memberships`` table."""

    def read() -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        with store.read() as session:
            rows = session.execute(
                select(Profile.profile_key, Membership.cohort_code).join(
                    Profile, Profile.id == Membership.profile_id
                )
            )
            for key, code in rows:
                found.setdefault(key, set()).add(code)
        return found

    return read
