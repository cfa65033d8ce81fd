"""Multi-row statements behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collection_helpers import START, Workspace
from sqlalchemy import select

from cohortcast.collection.bulk import insert_statement
from cohortcast.store.collection_models import CollectedEvent
from cohortcast.store.database import Store

INSERT = insert_statement(
    "collected_events",
    [
        ("workspace_id", "text"),
        ("profile_key", "text"),
        ("event_id", "text"),
        ("name", "text"),
        ("time", "bigint"),
        ("properties", "json"),
        ("received_at", "bigint"),
    ],
    skip_conflicts=True,
)


def _row(workspace: Workspace, event_id: str, properties: str) -> tuple[object, ...]:
    return (workspace.id, "v:a", event_id, "Pageview", START, properties, START)


def test_an_insert_skips_rows_already_stored_and_keeps_json_as_json(
    store: Store, workspace: Workspace
) -> None:
    with store.transaction() as session:
        INSERT.run(session.connection(), [_row(workspace, "e1", '{"n":1}')])
    with store.transaction() as session:
        rows = [_row(workspace, "e1", '{"n":2}'), _row(workspace, "e2", '{"t":"à ☀"}')]
        INSERT.run(session.connection(), rows)

    with store.read() as session:
        stored = session.execute(
            select(CollectedEvent.event_id, CollectedEvent.properties).order_by(
                CollectedEvent.event_id
            )
        ).all()
    assert [tuple(row) for row in stored] == [("e1", {"n": 1}), ("e2", {"t": "à ☀"})]


def test_an_empty_list_of_rows_writes_nothing(store: Store) -> None:
    with store.transaction() as session:
        INSERT.run(session.connection(), [])
    with store.read() as session:
        assert session.execute(select(CollectedEvent.id)).first() is None
