"""``GET /api/v1/diagnostics``: every troubleshooting check of the workspace.

The JSON twin of the dashboard's Troubleshooting page and the same document
``cohortcast doctor --json`` prints.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from cohortcast.diagnostics import run_diagnostics
from cohortcast.web.api.auth import CallerDep

router = APIRouter(tags=["diagnostics"])


class CheckOut(BaseModel):
    """One check; ``fix`` is null when there is nothing to do.

    ``info`` marks a normal state worth knowing, such as a cohort that is
    not activated; it never makes the report unhealthy.
    """

    id: str
    group: Literal["integration", "cohorts", "routing", "audience_size"]
    title: str
    status: Literal["ok", "info", "warning", "failing"]
    evidence: str
    fix: str | None


class DiagnosticsOut(BaseModel):
    """``status`` is the worst status of any check; ``info`` counts as ok."""

    status: Literal["ok", "warning", "failing"]
    checked_at: datetime
    checks: list[CheckOut]


@router.get("/diagnostics")
def get_diagnostics(caller: CallerDep) -> DiagnosticsOut:
    """Run every check now; reads the store only, never calls Pinterest."""
    with caller.store.read() as session:
        report = run_diagnostics(session, caller.workspace_id, int(time.time() * 1000))
    return DiagnosticsOut.model_validate(report.as_json())
