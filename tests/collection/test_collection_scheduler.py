"""Changes caused by time alone, applied at the times the engine reports."""

from __future__ import annotations

from collection_helpers import MINUTE, START, AddCohort, Clock, Members, Send
from sqlalchemy import select

from cohortcast.collection.ingest import Collector
from cohortcast.collection.scheduler import apply_due_changes
from cohortcast.store.collection_models import MembershipChange, Profile
from cohortcast.store.database import Store

WINDOW = {"event": "A", "within": {"minutes": 10}}


def changes(store: Store) -> list[tuple[str, str, int]]:
    with store.read() as session:
        rows = session.execute(
            select(
                MembershipChange.cohort_code,
                MembershipChange.kind,
                MembershipChange.time,
            ).order_by(MembershipChange.id)
        )
        return [(code, kind, time) for code, kind, time in rows]


def test_an_exit_is_recorded_at_the_time_the_window_passes(
    send: Send,
    add_cohort: AddCohort,
    store: Store,
    collector: Collector,
    members: Members,
) -> None:
    code = add_cohort(WINDOW)
    send("v1", [("e1", "A", START)])

    # Nothing is due before the window ends; the scheduler runs late, after.
    assert apply_due_changes(store, collector.cohort_sets, START + 10 * MINUTE - 1) == 0
    assert apply_due_changes(store, collector.cohort_sets, START + 25 * MINUTE) == 1

    assert changes(store) == [
        (code, "entry", START),
        (code, "exit", START + 10 * MINUTE),
    ]
    assert members() == {}


def test_a_not_cohort_is_entered_when_the_window_passes(
    send: Send,
    add_cohort: AddCohort,
    store: Store,
    collector: Collector,
    members: Members,
) -> None:
    code = add_cohort({"not": WINDOW})
    send("v1", [("e1", "A", START)])

    apply_due_changes(store, collector.cohort_sets, START + 11 * MINUTE)

    assert changes(store) == [(code, "entry", START + 10 * MINUTE)]
    assert members() == {"v:v1": {code}}


def test_an_advanced_profile_is_not_due_again(
    send: Send, add_cohort: AddCohort, store: Store, collector: Collector
) -> None:
    add_cohort(WINDOW)
    send("v1", [("e1", "A", START)])
    apply_due_changes(store, collector.cohort_sets, START + 11 * MINUTE)

    assert apply_due_changes(store, collector.cohort_sets, START + 99 * MINUTE) == 0
    with store.read() as session:
        assert session.scalar(select(Profile.next_change_time)) is None


def test_a_new_event_after_an_exit_enters_again(
    send: Send,
    add_cohort: AddCohort,
    store: Store,
    collector: Collector,
    clock: Clock,
    members: Members,
) -> None:
    code = add_cohort(WINDOW)
    send("v1", [("e1", "A", START)])
    apply_due_changes(store, collector.cohort_sets, START + 11 * MINUTE)
    clock.now = START + 20 * MINUTE

    send("v1", [("e2", "A", START + 20 * MINUTE)])

    assert [kind for _, kind, _ in changes(store)] == ["entry", "exit", "entry"]
    assert members() == {"v:v1": {code}}
