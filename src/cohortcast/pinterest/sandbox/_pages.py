"""The sandbox's "Ads > Audiences" page and its JSON twin.

``/ads/audiences`` shows, per ad account, the audiences with id, name, rule,
size and status, refreshing itself every few seconds so a demo can watch an
audience cross Pinterest's minimum of 100. ``/ads/audiences.json`` answers
the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ._state import MIN_AUDIENCE_SIZE, AudienceRecord, SandboxState, size_status

REFRESH_SECONDS = 3

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _audience_row(state: SandboxState, audience: AudienceRecord) -> dict[str, object]:
    size = state.audience_size(audience)
    event_data = audience.rule.get("event_data")
    cohort_code = (
        event_data.get("cohort_code") if isinstance(event_data, dict) else None
    )
    return {
        "id": audience.id,
        "name": audience.name,
        "audience_type": audience.audience_type,
        "tag_id": audience.rule.get("visitor_source_id"),
        "customer_list_id": audience.rule.get("customer_list_id"),
        "event": audience.rule.get("event"),
        "cohort_code": cohort_code,
        "rule": audience.rule,
        "size": size,
        "status": size_status(size),
        "created": datetime.fromtimestamp(audience.created, UTC).isoformat(),
    }


def audiences_overview(state: SandboxState) -> dict[str, object]:
    """Every ad account with its Tag IDs, live audiences, lists and event counts."""
    with state.lock:
        accounts = list(state.accounts.values())
        audiences = [item for item in state.audiences.values() if not item.archived]
        lists = list(state.customer_lists.values())
        received = state.events_received
        hits = len(state.pixel_hits)

    rows = []
    for account in accounts:
        rows.append(
            {
                "id": account.id,
                "name": account.name,
                "tag_ids": account.tag_ids,
                "audiences": [
                    _audience_row(state, audience)
                    for audience in audiences
                    if audience.ad_account_id == account.id
                ],
                "customer_lists": [
                    {"id": item.id, "name": item.name, "size": len(item.records)}
                    for item in lists
                    if item.ad_account_id == account.id
                ],
            }
        )
    return {
        "minimum_size": MIN_AUDIENCE_SIZE,
        "pixel_hits": hits,
        "conversion_events": received,
        "ad_accounts": rows,
    }


async def audiences_page(request: Request, state: SandboxState) -> Response:
    """``GET /ads/audiences``: the HTML page."""
    template = _templates.get_template("audiences.html")
    html = template.render(refresh=REFRESH_SECONDS, **audiences_overview(state))
    return HTMLResponse(html)


async def audiences_json(request: Request, state: SandboxState) -> Response:
    """``GET /ads/audiences.json``: the page's rows as JSON."""
    return JSONResponse(audiences_overview(state))
