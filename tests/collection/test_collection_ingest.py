"""Ingestion: stored once, evaluated once, durable, and equal to the engine's
recomputation from the stored history."""

from __future__ import annotations

import json
import uuid

from collection_helpers import (
    MINUTE,
    START,
    AddCohort,
    Clock,
    Members,
    Send,
    Workspace,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cohortcast.collection.ingest import Collector
from cohortcast.engine import CohortSet, Event
from cohortcast.store.collection_models import CollectedEvent, MembershipChange
from cohortcast.store.database import Store, open_store

TWO_IN_TEN_MINUTES = {
    "event": "A",
    "count": {"op": "gte", "value": 2},
    "within": {"minutes": 10},
}


def test_a_batch_is_stored_and_evaluated(
    send: Send, add_cohort: AddCohort, members: Members
) -> None:
    code = add_cohort(TWO_IN_TEN_MINUTES)

    result = send("v1", [("e1", "A", START), ("e2", "A", START + MINUTE)])

    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, [])
    assert members() == {"v:v1": {code}}


def test_a_retried_batch_is_counted_once(
    send: Send, add_cohort: AddCohort, store: Store
) -> None:
    add_cohort(TWO_IN_TEN_MINUTES)
    events = [("e1", "A", START), ("e2", "A", START + MINUTE)]

    send("v1", events)
    again = send("v1", events)

    assert (again.accepted, again.duplicates) == (0, 2)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(CollectedEvent)) == 2
        changes = session.scalars(select(MembershipChange.kind)).all()
    assert changes == ["entry"]


def test_a_partly_bad_batch_keeps_the_good_events(send: Send) -> None:
    result = send("v1", [("e1", "A", START), {"id": "e2", "name": "A"}])

    assert result.accepted == 1
    assert [r.as_json() for r in result.rejected] == [
        {
            "index": 1,
            "detail": "events[1]: time is missing; send milliseconds since the"
            " Unix epoch",
        }
    ]


def test_the_same_event_id_of_two_visitors_is_two_events(send: Send) -> None:
    assert send("v1", [("e1", "A", START)]).accepted == 1
    assert send("v2", [("e1", "A", START)]).accepted == 1


def test_an_acknowledged_batch_survives_reopening_the_store(
    database_url: str, send: Send, add_cohort: AddCohort
) -> None:
    code = add_cohort({"event": "A"})
    send("v1", [("e1", "A", START)])

    reopened = open_store(database_url)
    try:
        with reopened.read() as session:
            stored = session.scalars(select(CollectedEvent.event_id)).all()
        assert stored == ["e1"]
        collector = Collector(reopened, clock=lambda: START)
        body = {
            "visitor_id": "v1",
            "events": [{"id": "e1", "name": "A", "time": START}],
        }
        result = collector.collect(_sdk_key(reopened), json.dumps(body).encode())
        assert (result.accepted, result.duplicates) == (0, 1)
    finally:
        reopened.close()
    assert code


def test_batches_of_one_visitor_committed_together_count_each_event_once(
    collector: Collector, workspace: Workspace, add_cohort: AddCohort, members: Members
) -> None:
    code = add_cohort(TWO_IN_TEN_MINUTES)
    first = _batch("v1", [("e1", "A", START), ("e2", "A", START + 1)])
    second = _batch("v1", [("e2", "A", START + 1), ("e3", "B", START + 2)])

    outcomes = collector.commit_batches(
        [
            (workspace.sdk_key, collector.parse(first)),
            (workspace.sdk_key, collector.parse(second)),
        ]
    )

    counts = [(o.accepted, o.duplicates) for o in outcomes]  # type: ignore[union-attr]
    assert counts == [(2, 0), (1, 1)]
    assert members() == {"v:v1": {code}}


def test_an_unknown_sdk_key_fails_only_its_own_batch(
    collector: Collector, workspace: Workspace
) -> None:
    batch = collector.parse(_batch("v1", [("e1", "A", START)]))

    outcomes = collector.commit_batches([("nope", batch), (workspace.sdk_key, batch)])

    assert isinstance(outcomes[0], LookupError)
    assert outcomes[1].accepted == 1  # type: ignore[union-attr]


DEFINITIONS = {
    "two": TWO_IN_TEN_MINUTES,
    "keyed": {
        "event": "B",
        "where": [{"property": "k", "op": "gte", "value": 2}],
        "within": {"minutes": 5},
    },
    "summed": {
        "event": "B",
        "sum": {"property": "k", "op": "gte", "value": 4},
        "within": {"minutes": 30},
    },
    "quiet": {"not": {"event": "A", "within": {"minutes": 3}}},
    "both": {"all": [{"cohort": "two"}, {"cohort": "keyed"}]},
}

histories = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.integers(0, 60 * MINUTE),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=histories, batch_size=st.integers(1, 7), data=st.data())
def test_server_membership_equals_the_engines_recomputation(
    send: Send,
    clock: Clock,
    store: Store,
    members: Members,
    history: list[tuple[str, int, int]],
    batch_size: int,
    data: st.DataObject,
) -> None:
    _ensure_cohorts(store)
    clock.now = START + 61 * MINUTE
    visitor = uuid.uuid4().hex
    events = [
        (f"e{n}", name, START + offset, {"k": k})
        for n, (name, offset, k) in enumerate(history)
    ]
    # Shuffled into batches, some sent twice: order and retries must not matter.
    sent = data.draw(st.permutations(events))
    for start in range(0, len(sent), batch_size):
        chunk = list(sent[start : start + batch_size])
        send(visitor, chunk)
        if data.draw(st.booleans()):
            send(visitor, chunk)

    cohorts = CohortSet.compile(DEFINITIONS)
    with store.read() as session:
        stored = session.execute(
            select(
                CollectedEvent.name, CollectedEvent.time, CollectedEvent.properties
            ).where(CollectedEvent.profile_key == f"v:{visitor}")
        ).all()
    assert len(stored) == len(events)
    at = max(time for _, time, _ in stored)
    expected = cohorts.evaluate_history([Event(*row) for row in stored], at)
    found = members().get(f"v:{visitor}", set())
    assert {_name_of(store, code) for code in found} == set(expected)


def _ensure_cohorts(store: Store) -> None:
    """The DEFINITIONS as the workspace's cohorts, saved once per test."""
    from cohortcast.store import cohorts, workspaces
    from cohortcast.store.models import Cohort

    with store.transaction() as session:
        if session.scalar(select(func.count()).select_from(Cohort)):
            return
        workspace = workspaces.get_default_workspace(session)
        codes: dict[str, str] = {}
        for name, definition in DEFINITIONS.items():
            # References name test codes; rewrite them to the saved codes.
            text = json.dumps(definition)
            for known, code in codes.items():
                text = text.replace(f'"cohort": "{known}"', f'"cohort": "{code}"')
            saved = cohorts.create_cohort(
                session, workspace.id, name=name, definition=json.loads(text)
            )
            codes[name] = saved.code


def _name_of(store: Store, code: str) -> str:
    from cohortcast.store.models import Cohort

    with store.read() as session:
        name = session.scalar(select(Cohort.name).where(Cohort.code == code))
    assert name is not None
    return name


def _batch(visitor: str, events: list[tuple[str, str, int]]) -> bytes:
    return json.dumps(
        {
            "visitor_id": visitor,
            "events": [{"id": i, "name": n, "time": t} for i, n, t in events],
        }
    ).encode()


def _sdk_key(store: Store) -> str:
    from cohortcast.store import workspaces

    with store.read() as session:
        return workspaces.get_default_workspace(session).sdk_key
