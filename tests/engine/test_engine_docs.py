"""Every JSON example in docs/cohorts.md is a valid definition, so the guide
cannot drift from the engine."""

import json
import pathlib
import re

import pytest

from cohortcast.engine import CohortSet, Event, parse_definition

GUIDE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "cohorts.md"
EXAMPLES = re.findall(r"```json\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_json_example_in_the_guide_is_a_valid_definition(example: str) -> None:
    parse_definition(json.loads(example))


def test_the_lapsed_subscribers_example_behaves_as_the_guide_says() -> None:
    day = 86_400_000
    subscribers, lapsed = (json.loads(EXAMPLES[index]) for index in (4, 5))
    cohorts = CohortSet.compile({"subscribers": subscribers, "lapsed": lapsed})
    state = cohorts.new_state()

    cohorts.process(state, Event("Subscribe", 0, {}))
    cohorts.process(state, Event("Pageview", day, {}))
    assert cohorts.members(state) == {"subscribers"}

    cohorts.advance(state, 31 * day)
    assert cohorts.members(state) == {"subscribers", "lapsed"}
