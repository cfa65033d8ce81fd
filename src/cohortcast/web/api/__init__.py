"""The management API under ``/api/v1``: one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from cohortcast.web.api import (
    activations,
    cohorts,
    diagnostics,
    events,
    integrations,
    workspace,
)
from cohortcast.web.api.schemas import ERROR_RESPONSES

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    """Every management route, mounted under :data:`API_PREFIX`."""
    router = APIRouter(prefix=API_PREFIX)
    for module in (workspace, integrations, cohorts, activations, events, diagnostics):
        router.include_router(module.router, responses=ERROR_RESPONSES)
    return router
