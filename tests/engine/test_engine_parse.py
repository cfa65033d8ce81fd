"""Parsing and validating single definitions and whole cohort sets."""

import importlib
import math

import pytest

from cohortcast.engine import CohortSet, DefinitionError, parse_definition, references

# The model classes of the implementation that runs (Python or compiled).
_model = importlib.import_module(CohortSet.__module__.rpartition(".")[0] + "._model")
AllOf, CohortRef, Count, Leaf = (
    _model.AllOf,
    _model.CohortRef,
    _model.Count,
    _model.Leaf,
)
Not, Predicate, Sum, Window = _model.Not, _model.Predicate, _model.Sum, _model.Window


def _error(raw: object) -> str:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw)
    return str(caught.value)


def test_a_full_leaf_parses_into_the_typed_model() -> None:
    definition = parse_definition(
        {
            "event": "Pageview",
            "where": [{"property": "category", "op": "eq", "value": "travel"}],
            "count": {"op": "gte", "value": 3},
            "within": {"days": 30},
        }
    )

    assert definition == Leaf(
        "Pageview",
        (Predicate("category", "eq", "travel"),),
        Count("gte", 3),
        Window("days", 30),
    )


def test_a_leaf_without_count_means_at_least_once_over_all_history() -> None:
    assert parse_definition({"event": "Pageview"}) == Leaf(
        "Pageview", (), Count("gte", 1)
    )


def test_combinators_nest_and_references_are_collected() -> None:
    definition = parse_definition(
        {"all": [{"cohort": "a"}, {"not": {"any": [{"cohort": "b"}, {"event": "X"}]}}]}
    )

    assert isinstance(definition, AllOf)
    assert isinstance(definition.children[1], Not)
    assert definition.children[0] == CohortRef("a")
    assert references(definition) == {"a", "b"}


def test_a_whole_float_counts_as_an_integer() -> None:
    definition = parse_definition({"event": "X", "count": {"op": "eq", "value": 3.0}})

    assert definition == Leaf("X", (), Count("eq", 3))


def test_a_sum_keeps_its_property_and_threshold() -> None:
    definition = parse_definition(
        {"event": "Engaged", "sum": {"property": "seconds", "op": "gte", "value": 120}}
    )

    assert isinstance(definition, Leaf)
    assert definition.measure == Sum("seconds", "gte", 120)


def test_exists_defaults_to_true() -> None:
    definition = parse_definition(
        {"event": "X", "where": [{"property": "a", "op": "exists"}]}
    )

    assert isinstance(definition, Leaf)
    assert definition.where == (Predicate("a", "exists", True),)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"all": [{"event": "A"}, {"event": "B", "within": {"weeks": 2}}]},
            "definition.all[1].within: 'weeks' is not a window unit; use minutes,"
            " hours or days",
        ),
        (
            {"event": "A", "colour": "red"},
            "definition: 'colour' is not a key of a leaf; use event, where, count,"
            " sum or within",
        ),
        (
            {"event": "A", "within": {"days": 0}},
            "definition.within.days: 0 is not a valid window; use a whole number of"
            " days from 1 to 366",
        ),
        (
            {"event": "A", "count": {"op": "gte", "value": -1}},
            "definition.count.value: -1 is not a valid count; use a whole number"
            " from 0 to 100",
        ),
        (
            {"event": "A", "count": {"op": "gte", "value": True}},
            "definition.count.value: true is not a valid count; use a whole number"
            " from 0 to 100",
        ),
        (
            {"any": []},
            "definition.any: [] is empty; give at least one definition",
        ),
        (
            {"event": "A", "where": [{"property": "a", "op": "like", "value": "x"}]},
            "definition.where[0].op: 'like' is not a predicate operator; use eq, ne,"
            " in, not_in, contains, not_contains, starts_with, ends_with, gt, gte,"
            " lt, lte or exists",
        ),
        (
            {"event": "A", "where": [{"property": "a", "op": "gt", "value": "5"}]},
            "definition.where[0].value: '5' is not a valid value for 'gt'; use a"
            " number",
        ),
        (
            {"event": "A", "sum": {"property": "s", "op": "gte", "value": math.nan}},
            "definition.sum.value: NaN is not a valid sum; use a number",
        ),
        (
            "Pageview",
            "definition: 'Pageview' is not a definition; expected an object with one"
            " of the keys event, all, any, not or cohort",
        ),
        (
            {"cohort": "a", "not": {"event": "A"}},
            "definition: 'cohort' is not a key of a not combinator; use only not",
        ),
    ],
)
def test_errors_name_the_path_and_quote_the_bad_value(
    raw: object, message: str
) -> None:
    assert _error(raw) == message


def test_an_error_carries_its_path_and_bad_value() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition({"event": "A", "within": {"hours": 9000}})

    assert caught.value.path == "definition.within.hours"
    assert caught.value.value == 9000


def test_nesting_deeper_than_eight_combinators_is_rejected() -> None:
    allowed: object = {"event": "A"}
    for _ in range(8):
        allowed = {"not": allowed}
    parse_definition(allowed)

    assert _error({"all": [allowed]}).startswith(
        "definition.all[0].not.not.not.not.not.not.not: 'not' is combinator 9"
    )


def test_more_than_128_nodes_is_rejected() -> None:
    parse_definition({"any": [{"event": "A"}] * 127})

    assert _error({"any": [{"event": "A"}] * 128}).startswith(
        "definition.any[127]: this is node 129, over the limit of 128 nodes"
    )


def test_a_set_reports_paths_under_the_cohort_code() -> None:
    with pytest.raises(DefinitionError) as caught:
        CohortSet.compile({"ok": {"event": "A"}, "bad": {"event": ""}})

    assert str(caught.value) == (
        "cohorts.bad.definition.event: '' is not an event name; use a non-empty string"
    )


def test_a_set_rejects_unknown_self_and_cyclic_references() -> None:
    cases = {
        "cohorts.a.definition.all[1].cohort: 'zz' is not a cohort in this workspace;"
        " use the code of an existing cohort": {
            "a": {"all": [{"event": "A"}, {"cohort": "zz"}]}
        },
        "cohorts.a.definition.not.cohort: 'a' is this cohort itself; a cohort cannot"
        " refer to itself": {"a": {"not": {"cohort": "a"}}},
        "cohorts.b.definition.cohort: 'c' leads back to 'b' through b -> c -> b;"
        " cohort references cannot form a cycle": {
            "b": {"cohort": "c"},
            "c": {"any": [{"event": "A"}, {"cohort": "b"}]},
            "a": {"cohort": "b"},
        },
    }
    for message, definitions in cases.items():
        with pytest.raises(DefinitionError) as caught:
            CohortSet.compile(definitions)
        assert str(caught.value) == message


def test_a_cycle_is_reported_in_the_cohort_listed_first() -> None:
    with pytest.raises(DefinitionError) as caught:
        CohortSet.compile({"edited": {"cohort": "old"}, "old": {"cohort": "edited"}})

    assert caught.value.path == "cohorts.edited.definition.cohort"


def test_a_long_chain_of_references_compiles() -> None:
    chain: dict[str, object] = {"c0": {"event": "A"}}
    for index in range(1, 3000):
        chain[f"c{index}"] = {"cohort": f"c{index - 1}"}

    assert len(CohortSet.compile(chain).codes) == 3000
