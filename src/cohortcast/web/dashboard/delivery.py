"""Delivery: the Pinterest audiences Cohortcast manages, and the delivery log.

Both pages read what server-side delivery stored (see ``docs/delivery.md``)
through :mod:`cohortcast.delivery.overview` and
:mod:`cohortcast.delivery.log`, the same functions as their JSON twins
``/api/v1/integrations/{id}/audiences`` and ``.../deliveries``. Neither
calls Pinterest, so they load as fast as any other page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from cohortcast.delivery import log
from cohortcast.delivery.overview import (
    DeliveryOverview,
    delivery_overview,
    has_credentials,
)
from cohortcast.store import integrations
from cohortcast.store.delivery_models import DeliveryLogEntry
from cohortcast.store.models import Integration
from cohortcast.web.dashboard import delivery_words as words
from cohortcast.web.dashboard.forms import ViewerDep
from cohortcast.web.dashboard.rendering import DashboardRoute, render, store_of
from cohortcast.web.dashboard.sessions import Viewer

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

AUDIENCES = "/delivery"
LOG = "/delivery/log"
SECTION = "delivery"
PAGE_SIZE = 50
RESULTS = ("all", "failed")


@dataclass(frozen=True)
class LogRow:
    """One exchange as the log page shows it."""

    at: str
    what: str
    ad_account_id: str | None
    ok: bool
    status: int
    items: int
    duration_ms: int
    pinterest_code: int | None
    message: str
    advice: str


@router.get(AUDIENCES)
def audiences_page(request: Request, viewer: ViewerDep) -> Response:
    """Per ad account, each audience Cohortcast manages and how delivery goes."""
    with store_of(request).read() as session:
        overviews = [
            delivery_overview(session, integration)
            for integration in _pinterest_integrations(session, viewer)
        ]
    return render(
        request,
        "delivery_audiences.html",
        viewer,
        title="Pinterest audiences",
        section=SECTION,
        api_twin=_twin(overviews, "audiences"),
        wide=True,
        page="audiences",
        overviews=overviews,
        words=words,
    )


@router.get(LOG)
def log_page(request: Request, viewer: ViewerDep) -> Response:
    """The newest exchanges with Pinterest, all or only the failed ones."""
    query = _log_query(request)
    if isinstance(query, str):
        return _bad_query(request, viewer, query)
    result, before = query

    integration_id, configured, entries, older = None, False, [], None
    with store_of(request).read() as session:
        found = _pinterest_integrations(session, viewer)
        if found:
            integration_id = found[0].id
            configured = has_credentials(session, integration_id)
            newest = log.newest(
                session,
                integration_id,
                PAGE_SIZE + 1,
                before,
                failed_only=result == "failed",
            )
            entries = [_row(entry) for entry in newest[:PAGE_SIZE]]
            if len(newest) > PAGE_SIZE:
                older = newest[PAGE_SIZE - 1].id
    return render(
        request,
        "delivery_log.html",
        viewer,
        title="Delivery log",
        section=SECTION,
        api_twin=_log_twin(integration_id, result, before),
        wide=True,
        page="log",
        integration_id=integration_id,
        configured=configured,
        entries=entries,
        result=result,
        before=before,
        older=older,
    )


def _log_query(request: Request) -> tuple[str, int | None] | str:
    """The filter and the position asked for, or why they cannot be."""
    result = request.query_params.get("result", "all")
    if result not in RESULTS:
        return (
            f"Result {result!r} is not a filter of the delivery log; use 'all' "
            "or 'failed'."
        )
    raw_before = request.query_params.get("before", "")
    before = _cursor(raw_before)
    if raw_before and before is None:
        return (
            f"Before {raw_before!r} is not a position in the delivery log; it "
            "must be a whole number of 1 or more, as in the Older link."
        )
    return result, before


def _log_twin(
    integration_id: str | None, result: str, before: int | None
) -> str | None:
    if integration_id is None:
        return None
    query = {"result": "failed"} if result == "failed" else {}
    query |= {"before": str(before)} if before is not None else {}
    twin = f"/api/v1/integrations/{integration_id}/deliveries"
    return f"{twin}?{urlencode(query)}" if query else twin


def _pinterest_integrations(session: Session, viewer: Viewer) -> list[Integration]:
    return [
        integration
        for integration in integrations.list_integrations(session, viewer.workspace_id)
        if integration.type == "pinterest"
    ]


def _twin(overviews: list[DeliveryOverview], what: str) -> str | None:
    if not overviews:
        return None
    return f"/api/v1/integrations/{overviews[0].integration_id}/{what}"


def _cursor(raw: str) -> int | None:
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        return None
    return int(raw)


def _row(entry: DeliveryLogEntry) -> LogRow:
    ok = words.accepted(entry.status)
    return LogRow(
        at=words.when(entry.at),
        what=words.what_was_sent(entry.kind, entry.method, entry.path),
        ad_account_id=words.ad_account_of(entry.path),
        ok=ok,
        status=entry.status,
        items=entry.items,
        duration_ms=entry.duration_ms,
        pinterest_code=entry.pinterest_code,
        message=words.redact(entry.message),
        advice="" if ok else words.what_to_do(entry.status),
    )


def _bad_query(request: Request, viewer: Viewer, message: str) -> Response:
    return render(
        request,
        "problem.html",
        viewer,
        title="This page of the delivery log does not exist",
        section=SECTION,
        status_code=400,
        message=message,
        back=(LOG, "Show the newest deliveries"),
    )
