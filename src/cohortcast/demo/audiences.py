"""Pinterest audiences for the demo's routing, made in the sandbox at start.

The sandbox keeps its state in memory, so every run makes them again. Each ad
account gets one VISITOR audience per cohort routed to its Tag ID, exactly as
Cohortcast's own delivery keeps them (:meth:`AdsClient.sync_cohort_audiences`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from cohortcast.demo.seed import DEMO_ACCOUNTS, AdAccount, SeededCohort
from cohortcast.pinterest.ads import AdsClient, CohortAudience
from cohortcast.pinterest.routing import Route

logger = logging.getLogger(__name__)


def wanted_audiences(
    account: AdAccount, routing: Iterable[Route], names: Mapping[str, str]
) -> list[CohortAudience]:
    """The audiences ``account`` should have: its Tag ID's routed cohorts."""
    return [
        CohortAudience(
            tag_id=route["tag_id"], cohort_code=code, cohort_name=names[code]
        )
        for route in routing
        if route["tag_id"] == account.tag_id
        for code in route["cohort_codes"]
    ]


async def sync_demo_audiences(
    api_url: str, token: str, routing: list[Route], cohorts: list[SeededCohort]
) -> dict[str, int]:
    """Create the audiences in the sandbox; answers how many each account has."""
    names = {cohort.code: cohort.name for cohort in cohorts}
    counts: dict[str, int] = {}
    async with AdsClient(token, base_url=api_url) as client:
        for account in DEMO_ACCOUNTS:
            wanted = wanted_audiences(account, routing, names)
            await client.sync_cohort_audiences(account.id, wanted)
            counts[account.id] = len(wanted)
    return counts
