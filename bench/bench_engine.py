"""Benchmark of the cohort engine: events per second on one core and state
bytes per user.

50 cohorts of mixed shapes (topic readers, engaged readers, recent visitors,
lapsed subscribers, references, sums, lte/eq counts) over a deterministic
random stream of events from many users, in sessions spread over 30 days,
2% of them late.
Only ``CohortSet.process`` is timed, in CPU time of this process (so one core,
and other load on the machine does not count); generating events is not.

All events are generated before the clock starts, then ``gc.freeze()`` puts
those inputs (about three million objects) out of the cyclic garbage
collector's reach, so that its collections during the timed section do not
rescan the harness's data; the states the engine builds stay under the
normal collector. ``--plain-gc`` measures without the freeze. State bytes are
those of the JSON the server stores (compact separators).

    .venv/bin/python bench/bench_engine.py                 # 1,000,000 events
    .venv/bin/python bench/bench_engine.py --events 100000 --users 10000

The last line is ``engine_events_per_second: <value> events/s``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Iterator
from typing import Any

from cohortcast.engine import IMPLEMENTATION, CohortSet, Event, UserState

START = 1_764_547_200_000  # 2025-12-01T00:00:00Z
DAY = 86_400_000
DAYS = 30
TOPICS = [
    "travel",
    "food",
    "sport",
    "tech",
    "fashion",
    "home",
    "beauty",
    "finance",
    "health",
    "auto",
    "music",
    "film",
]


def _topic(topic: str, count: int, days: int) -> dict[str, Any]:
    return {
        "event": "Pageview",
        "where": [{"property": "category", "op": "eq", "value": topic}],
        "count": {"op": "gte", "value": count},
        "within": {"days": days},
    }


def _engaged(seconds: int, window: dict[str, int] | None) -> dict[str, Any]:
    leaf: dict[str, Any] = {
        "event": "Engagement",
        "sum": {"property": "engaged_seconds", "op": "gte", "value": seconds},
    }
    if window:
        leaf["within"] = window
    return leaf


def cohorts() -> dict[str, Any]:
    """Fifty cohorts shaped like what publishers define."""
    found: dict[str, Any] = {}
    for topic in TOPICS:
        found[f"{topic}_readers"] = _topic(topic, 3, 30)
    for topic in TOPICS[:6]:
        found[f"{topic}_today"] = _topic(topic, 1, 1)
    found["engaged_week"] = _engaged(300, {"days": 7})
    found["engaged_day"] = _engaged(120, {"days": 1})
    found["engaged_hour"] = _engaged(60, {"hours": 1})
    found["engaged_month"] = _engaged(1200, {"days": 30})
    found["engaged_ever"] = _engaged(3000, None)
    found["visited_today"] = {"event": "Pageview", "within": {"days": 1}}
    found["visited_week"] = {"event": "Pageview", "within": {"days": 7}}
    found["subscriber"] = {
        "all": [{"event": "Subscribe"}, {"not": {"event": "Unsubscribe"}}]
    }
    found["lapsed_subscriber"] = {
        "all": [
            {"cohort": "subscriber"},
            {"not": {"event": "Pageview", "within": {"days": 14}}},
        ]
    }
    found["not_travel"] = {"not": {"cohort": "travel_readers"}}
    found["not_engaged"] = {"not": {"cohort": "engaged_week"}}
    found["hotel_searchers"] = {
        "event": "Search",
        "where": [{"property": "query", "op": "contains", "value": "hotel"}],
        "within": {"days": 14},
    }
    found["frequent_searchers"] = {
        "event": "Search",
        "count": {"op": "gte", "value": 3},
        "within": {"days": 7},
    }
    found["video_fans"] = {
        "event": "VideoPlay",
        "where": [{"property": "duration", "op": "gt", "value": 30}],
        "count": {"op": "gte", "value": 2},
        "within": {"days": 7},
    }
    found["long_video"] = {
        "event": "VideoPlay",
        "where": [{"property": "duration", "op": "gte", "value": 600}],
    }
    found["big_spenders"] = {
        "event": "Purchase",
        "sum": {"property": "value", "op": "gte", "value": 100},
    }
    found["recent_buyers"] = {"event": "Purchase", "within": {"days": 30}}
    found["travel_path"] = {
        "event": "Pageview",
        "where": [{"property": "path", "op": "starts_with", "value": "/travel/"}],
        "within": {"days": 7},
    }
    found["guides"] = {
        "event": "Pageview",
        "where": [{"property": "path", "op": "ends_with", "value": "/guide"}],
        "count": {"op": "gte", "value": 2},
        "within": {"days": 30},
    }
    found["travel_or_food"] = {
        "any": [{"cohort": "travel_readers"}, {"cohort": "food_readers"}]
    }
    found["tech_or_finance"] = {
        "any": [{"cohort": "tech_readers"}, {"cohort": "finance_readers"}]
    }
    found["engaged_sport"] = {
        "all": [{"cohort": "engaged_week"}, {"cohort": "sport_readers"}]
    }
    found["engaged_buyers"] = {
        "all": [{"cohort": "engaged_month"}, {"cohort": "recent_buyers"}]
    }
    found["light_readers"] = {
        "event": "Pageview",
        "count": {"op": "lte", "value": 2},
        "within": {"days": 7},
    }
    found["one_subscription"] = {
        "event": "Subscribe",
        "count": {"op": "eq", "value": 1},
    }
    found["social_sharers"] = {
        "event": "Share",
        "where": [
            {"property": "network", "op": "in", "value": ["pinterest", "facebook"]}
        ],
        "within": {"days": 30},
    }
    found["pinterest_sharers"] = {
        "event": "Share",
        "where": [{"property": "network", "op": "eq", "value": "pinterest"}],
    }
    found["new_visitors"] = {
        "all": [
            {"event": "Pageview", "count": {"op": "lte", "value": 3}},
            {"not": {"cohort": "subscriber"}},
        ]
    }
    found["mobile_travel"] = {
        "event": "Pageview",
        "where": [
            {"property": "category", "op": "eq", "value": "travel"},
            {"property": "device.type", "op": "eq", "value": "mobile"},
        ],
        "within": {"days": 7},
    }
    found["culture_fans"] = {
        "event": "Pageview",
        "where": [{"property": "category", "op": "in", "value": ["music", "film"]}],
        "count": {"op": "gte", "value": 5},
        "within": {"days": 30},
    }
    found["engaged_not_buying"] = {
        "all": [{"cohort": "engaged_week"}, {"not": {"cohort": "recent_buyers"}}]
    }
    found["wellness_today"] = {
        "any": [
            {
                "event": "Pageview",
                "where": [{"property": "category", "op": "eq", "value": topic}],
                "within": {"days": 1},
            }
            for topic in ("health", "beauty")
        ]
    }
    assert len(found) == 50, len(found)
    return found


def _properties(name: str, rng: random.Random) -> dict[str, Any]:
    if name == "Pageview":
        topic = TOPICS[min(int(rng.expovariate(0.3)), len(TOPICS) - 1)]
        kind = "guide" if rng.random() < 0.1 else "article"
        return {
            "category": topic,
            "path": f"/{topic}/{kind}",
            "device": {"type": "mobile" if rng.random() < 0.6 else "desktop"},
        }
    if name == "Engagement":
        return {"engaged_seconds": rng.randrange(0, 180)}
    if name == "Search":
        return {"query": rng.choice(["hotel lisbon", "recipes", "shoes", "hotel"])}
    if name == "VideoPlay":
        return {"duration": rng.randrange(0, 900)}
    if name == "Purchase":
        return {"value": rng.randrange(5, 80)}
    if name == "Share":
        return {"network": rng.choice(["pinterest", "facebook", "x", "email"])}
    return {}


NAMES = ["Pageview", "Engagement", "Search", "VideoPlay", "Purchase", "Share"]
NAMES += ["Subscribe", "Unsubscribe"]
WEIGHTS = [60, 20, 5, 5, 2, 5, 2, 1]


def events(count: int, users: int, seed: int = 7) -> Iterator[list[tuple[int, Event]]]:
    """One batch of (user, event) per day, in arrival order.

    Users come in sessions of a few events (four on average) one to two
    minutes apart, at random times of the day; 2% of events arrive late,
    carrying a time up to ten minutes before their arrival.
    """
    rng = random.Random(seed)
    per_day = count // DAYS
    for day in range(DAYS):
        wanted = per_day if day < DAYS - 1 else count - per_day * (DAYS - 1)
        arrivals: list[tuple[int, int, Event]] = []
        while len(arrivals) < wanted:
            user = rng.randrange(users)
            moment = START + day * DAY + rng.randrange(DAY)
            length = min(1 + int(rng.expovariate(1 / 3)), wanted - len(arrivals))
            for name in rng.choices(NAMES, WEIGHTS, k=length):
                late = rng.randrange(600_000) if rng.random() < 0.02 else 0
                event = Event(name, moment - late, _properties(name, rng))
                arrivals.append((moment, user, event))
                moment += rng.randrange(5_000, 120_000)
        arrivals.sort(key=lambda arrival: arrival[0])
        yield [(user, event) for _, user, event in arrivals]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument(
        "--plain-gc", action="store_true", help="do not gc.freeze() the inputs"
    )
    options = parser.parse_args(argv)

    cohort_set = CohortSet.compile(cohorts())
    states: dict[int, UserState] = {}
    new_state, process = cohort_set.new_state, cohort_set.process
    cpu, wall, processed, changes = 0.0, 0.0, 0, 0
    batches = list(events(options.events, options.users))
    if not options.plain_gc:
        gc.freeze()
    for batch in batches:
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for user, event in batch:
            state = states.get(user)
            if state is None:
                state = states[user] = new_state()
            changes += len(process(state, event))
        cpu += time.process_time() - started_cpu
        wall += time.perf_counter() - started_wall
        processed += len(batch)

    sizes = [
        len(json.dumps(s.to_json(), separators=(",", ":"))) for s in states.values()
    ]
    collector = "plain" if options.plain_gc else "inputs frozen"
    print(
        f"cohorts: {len(cohort_set.codes)}, users: {len(states)}, events: {processed}"
        f", engine: {IMPLEMENTATION}, gc: {collector}"
    )
    print(f"membership changes: {changes}")
    average = sum(sizes) / len(sizes)
    print(f"state_bytes_per_user: avg {average:.0f} bytes, max {max(sizes)} bytes")
    print(f"wall clock: {processed / wall:.0f} events/s (depends on other load)")
    print(f"engine_events_per_second: {processed / cpu:.0f} events/s")


if __name__ == "__main__":
    main(sys.argv[1:])
