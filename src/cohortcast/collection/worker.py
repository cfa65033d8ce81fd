"""The background task of a server process: scheduled changes, cohort
rebuilds and retention, each a bounded step run in a thread so requests keep
flowing. Several processes may run it against one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from cohortcast.collection.ingest import Collector
from cohortcast.collection.rebuild import rebuild_step
from cohortcast.collection.retention import delete_expired
from cohortcast.collection.scheduler import apply_all_due_changes

logger = logging.getLogger(__name__)

RETENTION_EVERY_SECONDS = 600


def run_background_step(collector: Collector, *, retention: bool) -> None:
    """One pass: apply due changes, advance rebuilds, optionally retention."""
    apply_all_due_changes(collector.store, collector.cohort_sets, collector.clock)
    rebuild_step(collector.store, collector.cohort_sets, collector.clock())
    if retention:
        cutoff = collector.clock() - collector.retention_ms
        delete_expired(collector.store, cutoff)


async def run_background(collector: Collector, interval_seconds: float) -> None:
    """Run :func:`run_background_step` every ``interval_seconds`` until cancelled;
    a failing pass is logged and the next one tries again."""
    passes_per_retention = max(1, int(RETENTION_EVERY_SECONDS / interval_seconds))
    count = 0
    while True:
        try:
            await run_in_threadpool(
                run_background_step,
                collector,
                retention=count % passes_per_retention == 0,
            )
        except Exception:
            logger.exception("A background collection pass failed; retrying")
        count += 1
        await asyncio.sleep(interval_seconds)
