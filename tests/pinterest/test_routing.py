"""The routing rules: which cohort codes go to which Tag ID."""

from __future__ import annotations

from cohortcast.pinterest.routing import (
    ActivationRow,
    compute_routing,
    tag_ids_by_cohort,
)

DEFAULT = "2612345678901"
OTHER = "5550000000001"


def test_blank_activation_tag_id_falls_back_to_the_default_tag() -> None:
    routing = compute_routing(
        DEFAULT, [ActivationRow(None, ["a"]), ActivationRow("  ", ["b"])], {"a", "b"}
    )

    assert routing == [{"tag_id": DEFAULT, "cohort_codes": ["a", "b"]}]


def test_duplicates_are_merged_and_everything_is_sorted() -> None:
    routing = compute_routing(
        DEFAULT,
        [
            ActivationRow(OTHER, ["c", "a"]),
            ActivationRow(DEFAULT, ["b", "a"]),
            ActivationRow(None, ["a"]),
            ActivationRow(OTHER, ["a"]),
        ],
        {"a", "b", "c"},
    )

    assert routing == [
        {"tag_id": DEFAULT, "cohort_codes": ["a", "b"]},
        {"tag_id": OTHER, "cohort_codes": ["a", "c"]},
    ]


def test_disabled_or_deleted_cohorts_are_not_routed() -> None:
    routing = compute_routing(
        DEFAULT,
        [ActivationRow(None, ["on", "off", "gone"])],
        enabled_cohort_codes={"on"},
    )

    assert routing == [{"tag_id": DEFAULT, "cohort_codes": ["on"]}]


def test_a_tag_id_left_without_cohorts_is_not_listed() -> None:
    routing = compute_routing(
        DEFAULT, [ActivationRow(None, ["a"]), ActivationRow(OTHER, ["off"])], {"a"}
    )

    assert routing == [{"tag_id": DEFAULT, "cohort_codes": ["a"]}]


def test_without_an_integration_nothing_is_routed() -> None:
    assert compute_routing(None, [ActivationRow(OTHER, ["a"])], {"a"}) == []


def test_tag_ids_by_cohort_inverts_the_table() -> None:
    routing = compute_routing(
        DEFAULT,
        [ActivationRow(OTHER, ["a"]), ActivationRow(None, ["a", "b"])],
        {"a", "b"},
    )

    assert tag_ids_by_cohort(routing) == {"a": [DEFAULT, OTHER], "b": [DEFAULT]}
