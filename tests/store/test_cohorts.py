"""Cohort rules: stable codes, definitions validated as a set, references kept whole."""

from __future__ import annotations

import re

import pytest

from cohortcast.store import cohorts
from cohortcast.store.database import Store
from cohortcast.store.errors import ConflictError, InvalidValueError

PAGEVIEW = {"event": "Pageview"}


def test_a_new_cohort_gets_a_short_lowercase_code(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        cohort = cohorts.create_cohort(
            session, workspace_id, name=" Travel ", definition=PAGEVIEW
        )

    assert re.fullmatch(r"[a-z][a-z0-9]{5}", cohort.code)
    assert cohort.name == "Travel"
    assert cohort.enabled


def test_the_code_never_changes_when_the_cohort_is_edited(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        cohort = cohorts.create_cohort(
            session, workspace_id, name="a", definition=PAGEVIEW
        )
    with store.transaction() as session:
        edited = cohorts.update_cohort(
            session, workspace_id, cohort.id, name="b", definition={"event": "Click"}
        )

    assert edited.code == cohort.code
    assert edited.definition == {"event": "Click"}


def test_a_definition_error_names_the_path_inside_the_cohort(
    store: Store, workspace_id: str
) -> None:
    definition = {"all": [PAGEVIEW, {"event": "Click", "within": {"weeks": 2}}]}

    with pytest.raises(InvalidValueError) as caught, store.transaction() as session:
        cohorts.create_cohort(session, workspace_id, name="a", definition=definition)

    assert caught.value.path == "definition.all[1].within"
    assert str(caught.value) == (
        "definition.all[1].within: 'weeks' is not a window unit; "
        "use minutes, hours or days"
    )


def test_an_unknown_cohort_reference_is_rejected(
    store: Store, workspace_id: str
) -> None:
    with (
        pytest.raises(InvalidValueError, match=r"^definition\.cohort: 'nope'"),
        store.transaction() as session,
    ):
        cohorts.create_cohort(
            session, workspace_id, name="a", definition={"cohort": "nope"}
        )


def test_an_edit_that_makes_a_cycle_is_rejected(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        base = cohorts.create_cohort(
            session, workspace_id, name="a", definition=PAGEVIEW
        )
        child = cohorts.create_cohort(
            session, workspace_id, name="b", definition={"cohort": base.code}
        )

    with (
        pytest.raises(InvalidValueError, match="cycle"),
        store.transaction() as session,
    ):
        cohorts.update_cohort(
            session, workspace_id, base.id, definition={"cohort": child.code}
        )


def test_a_referenced_cohort_cannot_be_deleted_or_disabled(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        base = cohorts.create_cohort(
            session, workspace_id, name="a", definition=PAGEVIEW
        )
        cohorts.create_cohort(
            session, workspace_id, name="Readers", definition={"cohort": base.code}
        )

    with (
        pytest.raises(ConflictError, match=r"Cannot delete .*\(Readers\) refer to it"),
        store.transaction() as session,
    ):
        cohorts.delete_cohort(session, workspace_id, base.id)
    with (
        pytest.raises(ConflictError, match=r"Cannot disable"),
        store.transaction() as session,
    ):
        cohorts.update_cohort(session, workspace_id, base.id, enabled=False)


def test_an_enabled_cohort_cannot_refer_to_a_disabled_one(
    store: Store, workspace_id: str
) -> None:
    with store.transaction() as session:
        off = cohorts.create_cohort(
            session, workspace_id, name="off", definition=PAGEVIEW, enabled=False
        )

    with (
        pytest.raises(InvalidValueError, match="is disabled"),
        store.transaction() as session,
    ):
        cohorts.create_cohort(
            session, workspace_id, name="a", definition={"cohort": off.code}
        )


def test_a_blank_name_is_rejected(store: Store, workspace_id: str) -> None:
    with (
        pytest.raises(InvalidValueError, match="Name '  ' must have 1 to 200"),
        store.transaction() as session,
    ):
        cohorts.create_cohort(session, workspace_id, name="  ", definition=PAGEVIEW)
