"""The dashboard: server-rendered pages for the flows of DESIGN.md.

One view module per kind of page; each page's data is also in the
management API (its "JSON twin"), linked from the page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from cohortcast.web.dashboard import (
    activations,
    cohort_form,
    cohorts,
    delivery,
    integration_delivery,
    integrations,
    signin,
    snippet,
    troubleshooting,
)

STATIC = Path(__file__).parent / "static"
STATIC_PREFIX = "/dashboard/static"
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}


def build_dashboard_router() -> APIRouter:
    """Every dashboard page and its assets (served locally, no CDN)."""
    router = APIRouter(include_in_schema=False)
    # cohort_form before cohorts: '/cohorts/new' must win over '/cohorts/{id}'.
    for module in (signin, integrations, cohort_form, cohorts, activations, snippet):
        router.include_router(module.router)
    router.include_router(integration_delivery.router)
    router.include_router(delivery.router)
    router.include_router(troubleshooting.router)
    router.add_api_route(STATIC_PREFIX + "/{name}", _asset, include_in_schema=False)
    return router


def _asset(name: str) -> FileResponse:
    path = STATIC / name
    if "/" in name or path.suffix not in _STATIC_TYPES or not path.is_file():
        raise HTTPException(status_code=404, detail=f"There is no asset {name!r}.")
    return FileResponse(
        path,
        media_type=f"{_STATIC_TYPES[path.suffix]}; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )
