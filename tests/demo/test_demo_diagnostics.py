"""The demo's workspace, with the traffic the demo sends, passes every check.

Built in-process from the demo's own pieces (its seed, its visit plans, the
batches its collect traffic posts) with a fixed clock, so no timing is
involved. Each visitor is a browser on the demo site: the site's stand-in for
Pinterest's base tag gave it a ``_pin_unauth`` cookie, and the SDK sends a
delivery receipt for each routed (Tag ID, cohort) the visitor entered.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from sqlalchemy import select

from cohortcast.collection.ingest import Collector
from cohortcast.demo.options import DemoOptions
from cohortcast.demo.runner import seed_data_dir
from cohortcast.demo.site import article_urls
from cohortcast.demo.traffic import ServerSideVisitor, page_view_batch
from cohortcast.demo.visits import plan_visit
from cohortcast.diagnostics import run_diagnostics
from cohortcast.pinterest.routing import Route
from cohortcast.store.collection_models import Membership, Profile
from cohortcast.store.database import Store, open_store
from cohortcast.store.sdk_sightings import record_config_fetch
from cohortcast.store.workspaces import get_default_workspace

NOW = 1_796_000_000_000
MINUTE = 60_000
VISITORS = 300


def _members(store: Store, visitor_id: str) -> set[str]:
    with store.read() as session:
        return set(
            session.scalars(
                select(Membership.cohort_code)
                .join(Profile, Profile.id == Membership.profile_id)
                .where(Profile.profile_key == f"v:{visitor_id}")
            )
        )


def _receipts(
    visitor_id: str, members: set[str], routing: list[Route]
) -> list[dict[str, object]]:
    return [
        {
            "tag_id": route["tag_id"],
            "cohort_code": code,
            "event_id": f"cc.{code}.{visitor_id}.{NOW}",
            "time": NOW,
        }
        for route in routing
        for code in route["cohort_codes"]
        if code in members
    ]


def _send(collector: Collector, sdk_key: str, *batches: dict[str, object]) -> None:
    parsed = [collector.parse(json.dumps(batch).encode()) for batch in batches]
    collector.commit_batches([(sdk_key, batch) for batch in parsed])


def test_the_demo_workspace_with_its_traffic_passes_every_check(
    tmp_path: Path,
) -> None:
    options = DemoOptions(data_dir=tmp_path)
    seeded = seed_data_dir(options)
    store = open_store(options.database_url)
    collector = Collector(store, clock=lambda: NOW)
    rng = random.Random(options.seed)
    urls = article_urls(options.urls.site)

    for number in range(VISITORS):
        visitor = ServerSideVisitor(f"v_demo{number}", True, None)
        views = [
            page_view_batch(visitor, visit, NOW) for visit in plan_visit(rng, urls)
        ]
        _send(collector, seeded.sdk_key, *views)
        members = _members(store, visitor.visitor_id)
        receipts = _receipts(visitor.visitor_id, members, seeded.routing)
        if receipts:
            batch = {**visitor.batch_fields(), "sent_at": NOW, "receipts": receipts}
            _send(collector, seeded.sdk_key, batch)
    with store.transaction() as session:
        workspace_id = get_default_workspace(session).id
        record_config_fetch(session, workspace_id, NOW - MINUTE)

    with store.read() as session:
        report = run_diagnostics(session, workspace_id, NOW)
    store.close()

    unhealthy = [
        (check.id, check.status, check.evidence)
        for check in report.checks
        if check.status not in ("ok", "info")
    ]
    assert unhealthy == []
    assert report.status == "ok"
    # The one cohort the demo leaves off is a normal state, said as such.
    engaged = next(c.code for c in seeded.cohorts if c.name == "Engaged readers")
    informational = [check.id for check in report.checks if check.status == "info"]
    assert informational == [f"cohorts.activated.{engaged}"]
