"""What the demo reports every few seconds, read from the sandbox.

:func:`read_progress` asks the sandbox what Pinterest would show (audience
sizes per ad account) and which Tag IDs the pixel hits went to;
:func:`progress_line` turns that into one line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from cohortcast.demo.traffic import TrafficStats

# The sandbox keeps at most this many hits; the demo never comes near it.
_HIT_LIMIT = 200_000
# Pinterest targets no audience of fewer people; the sandbox says READY from here.
MINIMUM_AUDIENCE = 100
_LIST_NAME = re.compile(r"Cohortcast cohort (\S+) \((?:EMAIL|MAID)\)")


@dataclass(frozen=True)
class AudienceSize:
    """One audience in Ads > Audiences."""

    ad_account_id: str
    name: str
    tag_id: str
    cohort_code: str
    size: int
    status: str


@dataclass(frozen=True)
class CustomerListSize:
    """One customer list server-side delivery filled, and its cohort's code."""

    ad_account_id: str
    name: str
    cohort_code: str | None
    size: int


@dataclass(frozen=True)
class SandboxProgress:
    """The sandbox's view: audiences, customer lists and pixel hits per Tag ID."""

    audiences: list[AudienceSize]
    hits_by_tag: dict[str, int] = field(default_factory=dict)
    customer_lists: list[CustomerListSize] = field(default_factory=list)


async def read_progress(http: httpx.AsyncClient, sandbox_url: str) -> SandboxProgress:
    """Read ``/ads/audiences.json`` and ``/_sandbox/pixel_hits`` once."""
    overview = (await http.get(f"{sandbox_url}/ads/audiences.json")).json()
    hits = (
        await http.get(f"{sandbox_url}/_sandbox/pixel_hits?limit={_HIT_LIMIT}")
    ).json()
    audiences = [
        AudienceSize(
            ad_account_id=account["id"],
            name=row["name"],
            tag_id=str(row["tag_id"]),
            cohort_code=str(row["cohort_code"]),
            size=int(row["size"]),
            status=str(row["status"]),
        )
        for account in overview["ad_accounts"]
        for row in account["audiences"]
    ]
    customer_lists = [
        CustomerListSize(
            ad_account_id=account["id"],
            name=row["name"],
            cohort_code=_list_cohort_code(row["name"]),
            size=int(row["size"]),
        )
        for account in overview["ad_accounts"]
        for row in account.get("customer_lists", [])
    ]
    counted = Counter(str(hit["tid"]) for hit in hits["items"])
    return SandboxProgress(audiences, dict(sorted(counted.items())), customer_lists)


def _list_cohort_code(name: str) -> str | None:
    # Server-side delivery names its lists "Cohortcast cohort {code} ({type})".
    match = _LIST_NAME.fullmatch(name)
    return match.group(1) if match else None


def progress_line(
    elapsed: float,
    stats: TrafficStats,
    progress: SandboxProgress,
    cohort_names: Mapping[str, str],
    source: str,
) -> str:
    """A few lines: the traffic so far, then each ad account's audiences.

    ``[0:40] 212 visitors, 830 page views (browsers); pixel hits by Tag ID:
    2612345678901 180`` followed by ``    ad account 549755885175, Tag ID
    2612345678901: Travel readers 96, Recent visitors 104 READY`` and, once
    server-side delivery filled some, the account's customer lists;
    ``cohort_names`` maps cohort codes to names, ``source`` names the traffic.
    """
    minutes, seconds = divmod(int(elapsed), 60)
    head = f"[{minutes}:{seconds:02d}] {stats.visitors} visitors, "
    head += f"{stats.page_views} page views ({source})"
    if progress.hits_by_tag:
        hits = ", ".join(
            f"{tag} {count}" for tag, count in progress.hits_by_tag.items()
        )
        head += f"; pixel hits by Tag ID: {hits}"

    by_account: dict[tuple[str, str], list[str]] = {}
    for audience in progress.audiences:
        name = cohort_names.get(audience.cohort_code, audience.name)
        ready = " READY" if audience.status == "READY" else ""
        key = (audience.ad_account_id, f", Tag ID {audience.tag_id}")
        by_account.setdefault(key, []).append(f"{name} {audience.size}{ready}")
    for customer_list in progress.customer_lists:
        code = customer_list.cohort_code
        name = (
            cohort_names.get(code, customer_list.name) if code else customer_list.name
        )
        ready = " READY" if customer_list.size >= MINIMUM_AUDIENCE else ""
        key = (customer_list.ad_account_id, " customer lists")
        by_account.setdefault(key, []).append(f"{name} {customer_list.size}{ready}")
    lines = [head]
    for (account_id, what), rows in by_account.items():
        lines.append(f"    ad account {account_id}{what}: " + ", ".join(rows))
    return "\n".join(lines)
