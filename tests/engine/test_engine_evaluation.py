"""Incremental evaluation: entries, exits, time, ties and late events."""

from cohortcast.engine import Change, CohortSet, Event

MINUTE = 60_000


def _travel(count: int = 2) -> CohortSet:
    return CohortSet.compile(
        {
            "travel": {
                "event": "Pageview",
                "where": [{"property": "category", "op": "eq", "value": "travel"}],
                "count": {"op": "gte", "value": count},
                "within": {"minutes": 10},
            }
        }
    )


def _view(time: int, category: str = "travel") -> Event:
    return Event("Pageview", time, {"category": category})


def test_a_user_enters_when_the_count_is_reached() -> None:
    cohorts = _travel()
    state = cohorts.new_state()

    assert cohorts.process(state, _view(0)) == []
    assert cohorts.process(state, _view(MINUTE)) == [Change("travel", "entry", MINUTE)]
    assert cohorts.members(state) == {"travel"}


def test_events_that_fail_the_predicate_do_not_count() -> None:
    cohorts = _travel()
    state = cohorts.new_state()

    cohorts.process(state, _view(0))
    cohorts.process(state, _view(1, "sport"))

    assert cohorts.members(state) == frozenset()


def test_the_user_exits_when_the_window_slides_past_an_event() -> None:
    cohorts = _travel()
    state = cohorts.new_state()
    cohorts.process(state, _view(0))
    cohorts.process(state, _view(MINUTE))

    assert cohorts.next_change_time(state) == 10 * MINUTE
    assert cohorts.advance(state, 10 * MINUTE - 1) == []
    assert cohorts.advance(state, 10 * MINUTE) == [
        Change("travel", "exit", 10 * MINUTE)
    ]
    assert cohorts.next_change_time(state) is None


def test_a_time_only_exit_is_reported_at_its_own_time_before_a_later_event() -> None:
    cohorts = _travel()
    state = cohorts.new_state()
    cohorts.process(state, _view(0))
    cohorts.process(state, _view(MINUTE))

    changes = cohorts.process(state, _view(20 * MINUTE, "sport"))

    assert changes == [Change("travel", "exit", 10 * MINUTE)]


def test_an_event_at_the_exit_time_keeps_the_user_in() -> None:
    cohorts = _travel()
    state = cohorts.new_state()
    cohorts.process(state, _view(0))
    cohorts.process(state, _view(MINUTE))

    assert cohorts.process(state, _view(10 * MINUTE)) == []
    assert cohorts.next_change_time(state) == 11 * MINUTE


def test_a_late_event_counts_and_is_reported_at_the_clock() -> None:
    cohorts = _travel()
    state = cohorts.new_state()
    cohorts.process(state, _view(5 * MINUTE))

    changes = cohorts.process(state, _view(MINUTE))

    assert changes == [Change("travel", "entry", 5 * MINUTE)]
    assert cohorts.next_change_time(state) == 11 * MINUTE


def test_a_late_event_already_outside_the_window_is_dropped() -> None:
    cohorts = _travel()
    state = cohorts.new_state()
    cohorts.process(state, _view(20 * MINUTE))

    assert cohorts.process(state, _view(10 * MINUTE)) == []
    assert cohorts.members(state) == frozenset()


def test_not_enters_on_the_first_evaluation_and_exits_on_a_match() -> None:
    cohorts = CohortSet.compile(
        {"new": {"not": {"event": "Subscribe"}}, "any": {"event": "Pageview"}}
    )
    state = cohorts.new_state()

    assert cohorts.advance(state, 5) == [Change("new", "entry", 5)]
    assert cohorts.process(state, Event("Subscribe", 7, {})) == [
        Change("new", "exit", 7)
    ]


def test_a_reference_follows_the_referenced_cohort() -> None:
    cohorts = CohortSet.compile(
        {
            "reader": {"event": "Pageview", "within": {"minutes": 1}},
            "lapsed": {"all": [{"event": "Subscribe"}, {"not": {"cohort": "reader"}}]},
        }
    )
    state = cohorts.new_state()
    cohorts.process(state, Event("Subscribe", 0, {}))

    assert cohorts.process(state, Event("Pageview", 10, {})) == [
        Change("lapsed", "exit", 10),
        Change("reader", "entry", 10),
    ]
    assert cohorts.advance(state, MINUTE + 10) == [
        Change("lapsed", "entry", MINUTE + 10),
        Change("reader", "exit", MINUTE + 10),
    ]


def test_a_sum_counts_in_buckets_of_a_sixtieth_of_the_window() -> None:
    cohorts = CohortSet.compile(
        {
            "engaged": {
                "event": "Engaged",
                "sum": {"property": "seconds", "op": "gte", "value": 100},
                "within": {"hours": 1},
            }
        }
    )
    state = cohorts.new_state()
    cohorts.process(state, Event("Engaged", 59_999, {"seconds": 60}))
    cohorts.process(state, Event("Engaged", 60_000, {"seconds": 40}))

    # Buckets are a minute wide: bucket 0 leaves at 60 minutes, bucket 1 at 61.
    assert cohorts.members(state) == {"engaged"}
    assert cohorts.next_change_time(state) == 60 * MINUTE


def test_history_evaluation_agrees_on_a_simple_case() -> None:
    cohorts = _travel()
    events = [_view(0), _view(MINUTE)]

    assert cohorts.evaluate_history(events, MINUTE) == {"travel"}
    assert cohorts.evaluate_history(events, 10 * MINUTE) == frozenset()
