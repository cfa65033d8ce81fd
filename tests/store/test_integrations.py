"""The Pinterest integration: one per workspace, Tag ID validated, deletion cascades."""

from __future__ import annotations

import pytest

from cohortcast.store import activations, integrations, workspaces
from cohortcast.store.database import Store
from cohortcast.store.errors import ConflictError, ForbiddenError, InvalidValueError
from cohortcast.store.models import Activation


def test_adding_the_integration_trims_the_tag_id_and_creates_the_default_activation(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        integration = integrations.add_pinterest_integration(
            session, workspace_id, " 2612345678901 "
        )

    with store.read() as session:
        found = activations.list_activations(session, workspace_id)
    assert integration.tag_id == "2612345678901"
    assert integration.name == "Pinterest"
    assert [(a.is_default, a.tag_id) for a in found] == [(True, None)]


def test_a_second_pinterest_integration_is_a_conflict(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        integrations.add_pinterest_integration(session, workspace_id, "2612345678901")

    with (
        pytest.raises(ConflictError, match="already has a Pinterest integration"),
        store.transaction() as session,
    ):
        integrations.add_pinterest_integration(session, workspace_id, "2612345678902")


def test_a_bad_tag_id_is_invalid_and_names_the_field(
    store: Store, workspace_id: str
) -> None:
    with pytest.raises(InvalidValueError) as caught, store.transaction() as session:
        integrations.add_pinterest_integration(session, workspace_id, "26123abc")

    assert caught.value.path == "tag_id"
    assert str(caught.value) == (
        "Tag ID '26123abc' must contain only digits "
        "(find it under Ads > Conversions in Pinterest)."
    )


def test_deleting_the_integration_deletes_its_activations(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        integration = integrations.add_pinterest_integration(
            session, workspace_id, "2612345678901"
        )
        activations.create_activation(session, workspace_id, "5550000000001", [])

    with store.transaction() as session:
        integrations.delete_integration(session, workspace_id, integration.id)

    with store.read() as session:
        assert session.query(Activation).count() == 0


def test_another_workspace_cannot_touch_the_integration(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        integration = integrations.add_pinterest_integration(
            session, workspace_id, "2612345678901"
        )
        other = workspaces.create_workspace(session, "Other", "other")

    with (
        pytest.raises(ForbiddenError, match="belongs to another workspace"),
        store.transaction() as session,
    ):
        integrations.delete_integration(session, other.id, integration.id)


def test_every_change_bumps_the_config_version(store: Store, workspace_id: str) -> None:
    def version() -> int:
        with store.read() as session:
            return workspaces.get_workspace(session, workspace_id).config_version

    start = version()
    with store.transaction() as session:
        integration = integrations.add_pinterest_integration(
            session, workspace_id, "2612345678901"
        )
    with store.transaction() as session:
        integrations.update_integration(
            session, workspace_id, integration.id, tag_id="2612345678902"
        )
    with store.transaction() as session:
        integrations.delete_integration(session, workspace_id, integration.id)

    assert version() == start + 3
