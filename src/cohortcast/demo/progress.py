"""What the demo reports every few seconds, read from the sandbox.

:func:`read_progress` asks the sandbox what Pinterest would show (audience
sizes per ad account) and which Tag IDs the pixel hits went to;
:func:`progress_line` turns that into one line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from cohortcast.demo.traffic import TrafficStats

# The sandbox keeps at most this many hits; the demo never comes near it.
_HIT_LIMIT = 200_000


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
class SandboxProgress:
    """The sandbox's view: audiences and pixel hits per Tag ID."""

    audiences: list[AudienceSize]
    hits_by_tag: dict[str, int] = field(default_factory=dict)


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
    counted = Counter(str(hit["tid"]) for hit in hits["items"])
    return SandboxProgress(audiences, dict(sorted(counted.items())))


def progress_line(
    elapsed: float,
    stats: TrafficStats,
    progress: SandboxProgress,
    cohort_names: Mapping[str, str],
) -> str:
    """A few lines: the traffic so far, then each ad account's audiences.

    ``[0:40] 212 visitors, 830 page views; pixel hits: 2612345678901 180``
    followed by ``  ad account 549755885175: Travel readers 96, Food lovers
    104 READY``; ``cohort_names`` maps cohort codes to names.
    """
    minutes, seconds = divmod(int(elapsed), 60)
    head = f"[{minutes}:{seconds:02d}] {stats.visitors} visitors, "
    head += f"{stats.page_views} page views"
    if progress.hits_by_tag:
        hits = ", ".join(
            f"{tag} {count}" for tag, count in progress.hits_by_tag.items()
        )
        head += f"; pixel hits by Tag ID: {hits}"

    by_account: dict[str, list[str]] = {}
    for audience in progress.audiences:
        name = cohort_names.get(audience.cohort_code, audience.name)
        ready = " READY" if audience.status == "READY" else ""
        by_account.setdefault(audience.ad_account_id, []).append(
            f"{name} {audience.size}{ready}"
        )
    lines = [head]
    for account_id, rows in by_account.items():
        lines.append(f"    ad account {account_id}: " + ", ".join(rows))
    return "\n".join(lines)
