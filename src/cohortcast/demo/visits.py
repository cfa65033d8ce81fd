"""Simulated readers: which pages each visitor reads, and for how long.

Pure and seeded, so a demo run is reproducible and the plan can be tested
without a browser. Each visitor has a favourite topic and mostly reads it,
which is what makes the topic cohorts fill at different speeds.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Shares of visitors by favourite topic. Travel and food lead because their
# cohorts are the activated ones, and travel's needs three articles: with
# these shares both reach about 45% of visitors, so they cross Pinterest's
# minimum of 100 soon after the first 200 visitors.
TOPIC_WEIGHTS = {"travel": 0.5, "food": 0.3, "tech": 0.1, "home": 0.1}
FAVOURITE_SHARE = 0.85
MIN_PAGES, MAX_PAGES = 3, 6
# Most page views are a glance; some readers stay, which is what the
# engagement cohort counts. Kept short so a 2-core machine can run hundreds
# of visitors a minute.
GLANCE_SECONDS = (0.2, 0.6)
READ_SECONDS = (4.0, 8.0)
READER_SHARE = 0.1


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
        topic = favourite if rng.random() < FAVOURITE_SHARE else rng.choice(topics)
        choices = [
            url for url in urls_by_topic[topic] if not visits or url != visits[-1].url
        ]
        url = rng.choice(choices or list(urls_by_topic[topic]))
        visits.append(PageVisit(url, round(rng.uniform(*stay_range), 2)))
    return visits
