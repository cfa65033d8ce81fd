"""Run every shared vector (vectors/cohorts/*.json, format in
docs/ARCHITECTURE.md); the browser SDK runs the evaluation cases too."""

import json
import pathlib
from typing import Any

import pytest

from cohortcast.engine import Change, CohortSet, DefinitionError, Event

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "cohorts"


def _cases() -> list[Any]:
    found = []
    for path in sorted(FOLDER.glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            found.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return found


def _change(raw: dict[str, Any]) -> Change:
    return Change(raw["cohort"], raw["kind"], raw["time"])


@pytest.mark.parametrize("case", _cases())
def test_vector(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(DefinitionError) as caught:
            CohortSet.compile(case["cohorts"])
        assert str(caught.value) == case["error"]
        return

    cohorts = CohortSet.compile(case["cohorts"])
    state = cohorts.new_state()
    changes: list[Change] = []
    for index, step in enumerate(case["steps"]):
        if "event" in step:
            event = step["event"]
            changes += cohorts.process(
                state, Event(event["name"], event["time"], event.get("properties", {}))
            )
        elif "advance" in step:
            changes += cohorts.advance(state, step["advance"])
        else:
            expect = step["expect"]
            where = f"step {index}"
            assert sorted(cohorts.members(state)) == sorted(expect["members"]), where
            if "changes" in expect:
                assert changes == [_change(c) for c in expect["changes"]], where
            if "next_change_time" in expect:
                assert cohorts.next_change_time(state) == expect["next_change_time"], (
                    where
                )
            changes = []


def test_there_are_enough_vectors_and_names_are_unique() -> None:
    names = [case.id for case in _cases()]

    assert len(names) >= 150
    assert len(set(names)) == len(names)
