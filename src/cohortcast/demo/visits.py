"""Simulated readers: which pages each visitor reads, and for how long.

Pure and seeded, so a demo run is reproducible and the plan can be tested
without a browser. Each visitor has a favourite topic and mostly reads it,
which is what makes the topic cohorts fill at different speeds.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Shares of visitors by favourite topic, and of page views when a visitor
# strays from it (readers go where the site's popular stories are). Travel
# and food lead because their cohorts are the activated ones that fill
# slowest: with these shares about 48% of visitors read three travel
# articles and 58% a food one, so both cross Pinterest's minimum of 100
# after about 210 visitors, well within two minutes (docs/demo.md).
TOPIC_WEIGHTS = {"travel": 0.55, "food": 0.35, "tech": 0.05, "home": 0.05}
FAVOURITE_SHARE = 0.7
MIN_PAGES, MAX_PAGES = 3, 5
# Most page views are a glance; a few readers stay, which is what the
# engagement cohort counts. Kept short: a reader holds one of the browser's
# tabs for half a minute, and every second a tab waits is visitors lost.
GLANCE_SECONDS = (0.2, 0.5)
READ_SECONDS = (5.0, 7.0)
READER_SHARE = 0.05


@dataclass(frozen=True)
class PageVisit:
    """One page view: the URL and how long the visitor stays on it."""

    url: str
    stay_seconds: float


def plan_visit(
    rng: random.Random, urls_by_topic: Mapping[str, Sequence[str]]
) -> list[PageVisit]:
    """The pages one new visitor reads, in order, never the same page twice in a row."""
    topics = [topic for topic in TOPIC_WEIGHTS if urls_by_topic.get(topic)]
    weights = [TOPIC_WEIGHTS[topic] for topic in topics]
    favourite = rng.choices(topics, weights)[0]
    reader = rng.random() < READER_SHARE
    stay_range = READ_SECONDS if reader else GLANCE_SECONDS

    visits: list[PageVisit] = []
    for _ in range(rng.randint(MIN_PAGES, MAX_PAGES)):
        stray = rng.random() >= FAVOURITE_SHARE
        topic = rng.choices(topics, weights)[0] if stray else favourite
        choices = [
            url for url in urls_by_topic[topic] if not visits or url != visits[-1].url
        ]
        url = rng.choice(choices or list(urls_by_topic[topic]))
        visits.append(PageVisit(url, round(rng.uniform(*stay_range), 2)))
    return visits
