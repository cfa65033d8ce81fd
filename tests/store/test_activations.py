"""Activations and the Pinterest toggle, and how they feed the routing table."""

from __future__ import annotations

import pytest

from cohortcast.store import activations, cohorts, integrations
from cohortcast.store.database import Store
from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.models import Cohort
from cohortcast.store.routing import load_routing

DEFAULT = "2612345678901"
OTHER = "5550000000001"


def _cohort(store: Store, workspace_id: str, name: str = "Travel") -> Cohort:
    with store.transaction() as session:
        return cohorts.create_cohort(
            session, workspace_id, name=name, definition={"event": "Pageview"}
        )


def _integration(store: Store, workspace_id: str) -> str:
    with store.transaction() as session:
        return integrations.add_pinterest_integration(session, workspace_id, DEFAULT).id


def test_the_toggle_routes_the_cohort_to_the_default_tag_id(
    store: Store, workspace_id: str
) -> None:
    _integration(store, workspace_id)
    cohort = _cohort(store, workspace_id)

    with store.transaction() as session:
        activations.set_pinterest_toggle(session, workspace_id, cohort.id, True)
        routing_on = load_routing(session, workspace_id)
    with store.transaction() as session:
        activations.set_pinterest_toggle(session, workspace_id, cohort.id, False)
        routing_off = load_routing(session, workspace_id)

    assert routing_on == [{"tag_id": DEFAULT, "cohort_codes": [cohort.code]}]
    assert routing_off == []


def test_the_toggle_without_an_integration_says_to_add_it_first(
    store: Store, workspace_id: str
) -> None:
    cohort = _cohort(store, workspace_id)

    with (
        pytest.raises(ConflictError, match="add it first"),
        store.transaction() as session,
    ):
        activations.set_pinterest_toggle(session, workspace_id, cohort.id, True)


def test_an_activation_with_a_blank_tag_id_sends_to_the_default(
    store: Store, workspace_id: str
) -> None:
    _integration(store, workspace_id)
    cohort = _cohort(store, workspace_id)

    with store.transaction() as session:
        activation = activations.create_activation(
            session, workspace_id, "  ", [cohort.id]
        )
        effective = activations.effective_tag_id(activation)

    assert activation.tag_id is None
    assert effective == DEFAULT


def test_unknown_cohort_ids_are_quoted(store: Store, workspace_id: str) -> None:
    _integration(store, workspace_id)

    with (
        pytest.raises(InvalidValueError, match="'coh_x', 'coh_y' are not cohorts"),
        store.transaction() as session,
    ):
        activations.create_activation(session, workspace_id, OTHER, ["coh_x", "coh_y"])


def test_deleting_a_cohort_removes_it_from_every_routing(
    store: Store, workspace_id: str
) -> None:
    _integration(store, workspace_id)
    kept, deleted = (
        _cohort(store, workspace_id, "kept"),
        _cohort(store, workspace_id, "gone"),
    )
    with store.transaction() as session:
        activations.set_pinterest_toggle(session, workspace_id, deleted.id, True)
        activations.create_activation(
            session, workspace_id, OTHER, [kept.id, deleted.id]
        )

    with store.transaction() as session:
        cohorts.delete_cohort(session, workspace_id, deleted.id)
        routing = load_routing(session, workspace_id)
        remaining = [
            [c.id for c in a.cohorts]
            for a in activations.list_activations(session, workspace_id)
        ]

    assert routing == [{"tag_id": OTHER, "cohort_codes": [kept.code]}]
    assert remaining == [[], [kept.id]]


def test_disabled_cohorts_stay_in_activations_but_are_not_routed(
    store: Store, workspace_id: str
) -> None:
    _integration(store, workspace_id)
    cohort = _cohort(store, workspace_id)
    with store.transaction() as session:
        activations.set_pinterest_toggle(session, workspace_id, cohort.id, True)
        cohorts.update_cohort(session, workspace_id, cohort.id, enabled=False)
        routing = load_routing(session, workspace_id)

    assert routing == []


def test_the_default_activation_keeps_the_integration_tag_id(
    store: Store, workspace_id: str
) -> None:
    _integration(store, workspace_id)
    with store.read() as session:
        default = activations.list_activations(session, workspace_id)[0]

    with (
        pytest.raises(ConflictError, match="always sends to the integration's Tag ID"),
        store.transaction() as session,
    ):
        activations.update_activation(session, workspace_id, default.id, tag_id=OTHER)
    with (
        pytest.raises(ConflictError, match="cannot be deleted"),
        store.transaction() as session,
    ):
        activations.delete_activation(session, workspace_id, default.id)


def test_changing_the_default_tag_id_moves_the_default_routing(
    store: Store, workspace_id: str
) -> None:
    integration_id = _integration(store, workspace_id)
    cohort = _cohort(store, workspace_id)
    with store.transaction() as session:
        activations.set_pinterest_toggle(session, workspace_id, cohort.id, True)
        integrations.update_integration(
            session, workspace_id, integration_id, tag_id=OTHER
        )
        routing = load_routing(session, workspace_id)

    assert routing == [{"tag_id": OTHER, "cohort_codes": [cohort.code]}]
