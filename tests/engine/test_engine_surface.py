"""The engine's public surface is a contract (docs/ARCHITECTURE.md): pin it."""

import inspect

import cohortcast.engine as engine


def test_the_engine_exports_exactly_the_documented_names() -> None:
    assert sorted(engine.__all__) == [
        "Change",
        "CohortSet",
        "Definition",
        "DefinitionError",
        "Event",
        "UserState",
        "parse_definition",
        "references",
    ]


def test_definition_error_is_a_value_error_with_path_and_value() -> None:
    error = engine.DefinitionError("definition.event", 3, "3 is not an event name")

    assert isinstance(error, ValueError)
    assert (error.path, error.value) == ("definition.event", 3)
    assert str(error) == "definition.event: 3 is not an event name"


def test_parse_definition_defaults_its_path_to_definition() -> None:
    parameters = inspect.signature(engine.parse_definition).parameters

    assert list(parameters) == ["raw", "path"]
    assert parameters["path"].default == "definition"


def test_cohort_set_offers_the_documented_methods() -> None:
    for name in (
        "compile",
        "new_state",
        "process",
        "advance",
        "next_change_time",
        "members",
        "leaf_keys",
        "evaluate_history",
    ):
        assert callable(getattr(engine.CohortSet, name)), name


def test_event_and_change_carry_the_documented_fields() -> None:
    event = engine.Event("Pageview", 1_000, {"path": "/"})
    change = engine.Change("travel", "entry", 1_000)

    assert (event.name, event.time, event.properties) == (
        "Pageview",
        1_000,
        {"path": "/"},
    )
    assert (change.cohort, change.kind, change.time) == ("travel", "entry", 1_000)


def test_the_engine_imports_nothing_outside_the_standard_library() -> None:
    import ast
    import pathlib
    import sys

    # The engine's own sources compiled with mypyc (engine/_native.py).
    allowed = {"__future__", "_cohortcast_engine"}

    package = pathlib.Path(engine.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in allowed, (
                    f"{module.name} imports {name}"
                )


def test_an_event_refuses_a_time_that_is_not_integer_milliseconds() -> None:
    import pytest

    for time in (1.5, True, "1000"):
        with pytest.raises(ValueError, match="is not an integer"):
            engine.Event("Pageview", time, {})  # type: ignore[arg-type]


def test_the_engine_says_which_implementation_runs() -> None:
    assert engine.IMPLEMENTATION in ("python", "compiled")
    assert engine.CohortSet.__module__.startswith(
        "cohortcast.engine."
        if engine.IMPLEMENTATION == "python"
        else "_cohortcast_engine."
    )


def test_equal_leaves_share_a_key_across_cohorts_and_sets() -> None:
    travel = {
        "event": "Pageview",
        "where": [{"property": "t", "op": "eq", "value": "x"}],
    }
    first = engine.CohortSet.compile({"a": travel, "b": {"not": travel}})
    second = engine.CohortSet.compile({"c": {"any": [travel, {"event": "Buy"}]}})

    assert len(first.leaf_keys()) == 1
    assert first.leaf_keys() < second.leaf_keys()
    assert len(second.leaf_keys()) == 2
