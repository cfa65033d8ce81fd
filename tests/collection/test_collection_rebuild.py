"""Cohort edits: new and edited cohorts are rebuilt from stored events."""

from __future__ import annotations

from collection_helpers import MINUTE, START, AddCohort, Members, Send, Workspace

from cohortcast.collection.ingest import Collector
from cohortcast.collection.rebuild import rebuild_step
from cohortcast.store import cohorts
from cohortcast.store.database import Store


def test_a_new_cohort_holds_the_visitors_who_qualified_before_it_existed(
    send: Send,
    add_cohort: AddCohort,
    store: Store,
    collector: Collector,
    members: Members,
) -> None:
    add_cohort({"event": "A"})
    send("v1", [("e1", "B", START), ("e2", "B", START + MINUTE)])
    send("v2", [("e3", "A", START)])

    later = add_cohort({"event": "B", "count": {"op": "gte", "value": 2}})
    # The next batch (of anyone) compiles the new cohorts and starts a rebuild.
    send("v2", [("e4", "A", START + 2 * MINUTE)])
    while rebuild_step(store, collector.cohort_sets, START + 3 * MINUTE):
        pass

    assert later in members()["v:v1"]
    assert later not in members()["v:v2"]


def test_an_edited_cohort_is_reevaluated_and_the_change_recorded(
    send: Send,
    add_cohort: AddCohort,
    store: Store,
    collector: Collector,
    members: Members,
    workspace: Workspace,
) -> None:
    code = add_cohort({"event": "A", "count": {"op": "gte", "value": 3}})
    send("v1", [("e1", "A", START), ("e2", "A", START + MINUTE)])
    assert members() == {}

    with store.transaction() as session:
        cohort = next(c for c in cohorts.list_cohorts(session, workspace.id))
        cohorts.update_cohort(
            session,
            workspace.id,
            cohort.id,
            definition={"event": "A", "count": {"op": "gte", "value": 2}},
        )
    rebuild_step(store, collector.cohort_sets, START + 2 * MINUTE)
    rebuild_step(store, collector.cohort_sets, START + 2 * MINUTE)

    assert members() == {"v:v1": {code}}


def test_a_deleted_cohort_leaves_no_members(
    send: Send,
    add_cohort: AddCohort,
    store: Store,
    collector: Collector,
    members: Members,
    workspace: Workspace,
) -> None:
    keep = add_cohort({"event": "A"})
    add_cohort({"event": "B"})
    send("v1", [("e1", "A", START), ("e2", "B", START)])

    with store.transaction() as session:
        gone = next(
            c for c in cohorts.list_cohorts(session, workspace.id) if c.code != keep
        )
        cohorts.delete_cohort(session, workspace.id, gone.id)
    rebuild_step(store, collector.cohort_sets, START + MINUTE)

    assert members() == {"v:v1": {keep}}
