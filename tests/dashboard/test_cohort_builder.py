"""The builder's mapping between form fields and definitions, and back."""

from __future__ import annotations

import pytest

from cohortcast.web.dashboard.cohort_builder import (
    builder_from_definition,
    builder_from_form,
    definition_from_builder,
    error_field,
)
from cohortcast.web.dashboard.cohort_words import describe

ROUND_TRIPS = [
    {"event": "Pageview"},
    {"not": {"event": "Signup"}},
    {
        "event": "Pageview",
        "where": [
            {"property": "plan", "op": "in", "value": ["gold", "3", 4, True]},
            {"property": "article.section", "op": "exists", "value": False},
            {"property": "price", "op": "gte", "value": 2.5},
            {"property": "title", "op": "contains", "value": "Lisbon"},
        ],
        "count": {"op": "eq", "value": 0},
        "within": {"hours": 12},
    },
    {"all": [{"event": "A"}, {"not": {"event": "B", "within": {"minutes": 5}}}]},
]
JSON_ONLY = [
    {"event": "Engagement", "sum": {"property": "s", "op": "gte", "value": 1}},
    {"cohort": "k7d2qa"},
    {"all": [{"any": [{"event": "A"}, {"event": "B"}]}, {"event": "C"}]},
    {"all": [{"event": "A"}]},
    {"event": "A", "where": [{"property": "tags", "op": "in", "value": ["a,b"]}]},
]


@pytest.mark.parametrize("definition", ROUND_TRIPS)
def test_the_builder_shows_common_shapes_and_gives_them_back(
    definition: object,
) -> None:
    builder = builder_from_definition(definition)

    assert builder is not None
    assert definition_from_builder(builder) == definition


@pytest.mark.parametrize("definition", JSON_ONLY)
def test_other_shapes_stay_in_json(definition: object) -> None:
    assert builder_from_definition(definition) is None


def test_form_fields_become_a_definition_with_blank_rows_left_out() -> None:
    builder = builder_from_form(
        {
            "c0-event": " Pageview ",
            "c0-f0-property": "",
            "c0-f0-value": "",
            "c0-f1-property": "category",
            "c0-f1-op": "ne",
            "c0-f1-value": '"42"',
            "c0-count-op": "lte",
            "c0-count": "2",
            "c0-window": "7",
            "c0-window-unit": "days",
        }
    )

    assert definition_from_builder(builder) == {
        "event": "Pageview",
        "where": [{"property": "category", "op": "ne", "value": "42"}],
        "count": {"op": "lte", "value": 2},
        "within": {"days": 7},
    }


def test_errors_map_back_to_the_field_they_came_from() -> None:
    fields = {
        "c0-event": "A",
        "c1-event": "B",
        "c1-f0-property": "",
        "c1-f1-property": "x",
        "c1-f1-value": "1",
    }
    builder = builder_from_form(fields)

    assert error_field("definition.all[1].within.days", builder) == "c1-window"
    assert error_field("definition.all[1].not.where[0].value", builder) == "c1-f1"
    assert error_field("definition.all[0].count.value", builder) == "c0-count"
    assert error_field("definition.all[0].event", builder) == "c0-event"
    assert error_field("definition", builder) == "definition"


def test_a_definition_reads_as_words() -> None:
    definition = {
        "all": [
            {
                "event": "Pageview",
                "where": [{"property": "category", "op": "eq", "value": "travel"}],
                "count": {"op": "gte", "value": 3},
                "within": {"days": 30},
            },
            {"not": {"cohort": "k7d2qa"}},
        ]
    }

    assert describe(definition) == (
        '(Pageview where category equals "travel" at least 3 times in the last '
        "30 days) and (not (in cohort k7d2qa))"
    )
