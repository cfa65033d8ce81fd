"""The stamp that keys the SDK configuration cache, and what the SDK is sent."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from cohortcast.store import activations, cohorts, integrations, workspaces
from cohortcast.store.database import Store
from cohortcast.store.sdk_config import ConfigStampReader, load_sdk_content


def _sdk_key(store: Store) -> str:
    with store.read() as session:
        return workspaces.get_default_workspace(session).sdk_key


def test_the_stamp_changes_with_every_change_and_is_none_for_unknown_keys(
    store: Store, workspace_id: str
) -> None:
    reader = ConfigStampReader(store.lookup_engine)
    before = reader.read(_sdk_key(store))

    with store.transaction() as session:
        integrations.add_pinterest_integration(session, workspace_id, "2612345678901")
    after = reader.read(_sdk_key(store))

    assert before is not None
    assert after is not None
    assert after.workspace_id == before.workspace_id == workspace_id
    assert after.config_version == before.config_version + 1
    assert reader.read("sdk_unknown") is None


def test_the_content_holds_enabled_cohorts_by_code_and_the_routing(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        integrations.add_pinterest_integration(session, workspace_id, "2612345678901")
        on = cohorts.create_cohort(
            session, workspace_id, name="on", definition={"event": "A"}
        )
        cohorts.create_cohort(
            session, workspace_id, name="off", definition={"event": "B"}, enabled=False
        )
        activations.set_pinterest_toggle(session, workspace_id, on.id, True)

    with store.read() as session:
        content = load_sdk_content(session, workspace_id)

    assert content.cohorts == [{"code": on.code, "definition": {"event": "A"}}]
    assert content.routing == [{"tag_id": "2612345678901", "cohort_codes": [on.code]}]


def test_the_stamp_reader_survives_a_dropped_connection(
    store: Store, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("only a database server can drop a connection")
    reader = ConfigStampReader(store.lookup_engine)
    sdk_key = _sdk_key(store)
    reader.read(sdk_key)
    dropped = _lookup_backend(store)

    with store.engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})

    assert reader.read(sdk_key) is not None
    assert _lookup_backend(store) != dropped


def _lookup_backend(store: Store) -> int:
    # The lookup pool holds one idle connection: the one the reader used.
    with store.lookup_engine.connect() as connection:
        pid: int = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid
