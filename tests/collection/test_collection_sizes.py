"""Cohort sizes: live counts and predictions over recent events."""

from __future__ import annotations

from collection_helpers import MINUTE, START, AddCohort, Send, Workspace

from cohortcast.collection.sizes import live_sizes, predict_size
from cohortcast.store.database import Store


def test_sizes_are_unknown_before_anything_is_collected(
    store: Store, workspace: Workspace, add_cohort: AddCohort
) -> None:
    code = add_cohort({"event": "A"})
    with store.read() as session:
        assert live_sizes(session, workspace.id).of(code) is None


def test_live_size_counts_members_now(
    store: Store, workspace: Workspace, add_cohort: AddCohort, send: Send
) -> None:
    code = add_cohort({"event": "A"})
    other = add_cohort({"event": "B"})
    for visitor in ("v1", "v2", "v3"):
        send(visitor, [(f"{visitor}e", "A", START)])

    with store.read() as session:
        sizes = live_sizes(session, workspace.id)
    assert sizes.of(code)["members"] == 3  # type: ignore[index]
    assert sizes.of(other)["members"] == 0  # type: ignore[index]


def test_a_preview_evaluates_the_definition_over_stored_events(
    store: Store, workspace: Workspace, add_cohort: AddCohort, send: Send
) -> None:
    code = add_cohort({"event": "A"})
    send("v1", [("e1", "A", START), ("e2", "B", START)])
    send("v2", [("e3", "A", START)])
    send("v3", [("e4", "B", START)])
    definition = {"all": [{"cohort": code}, {"event": "B"}]}

    with store.read() as session:
        found = predict_size(session, workspace.id, definition, START + MINUTE)

    assert (found.predicted_size, found.profiles_scanned, found.complete) == (
        1,
        3,
        True,
    )


def test_a_preview_stops_at_its_bound_counting_the_profiles_read_whole(
    store: Store, workspace: Workspace, send: Send
) -> None:
    for visitor in ("v1", "v2", "v3"):
        send(visitor, [(f"{visitor}e", "A", START)])

    with store.read() as session:
        found = predict_size(
            session, workspace.id, {"event": "A"}, START + MINUTE, max_events=2
        )

    assert not found.complete
    assert found.profiles_scanned == 2
