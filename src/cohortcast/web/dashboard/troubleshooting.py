"""Troubleshooting: every automatic check, grouped, with the fix for each.

The page reads only the store (Pinterest's side comes from what server-side
delivery stored), so it is fast enough to reload after each fix. Its JSON
twin is ``GET /api/v1/diagnostics``.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from cohortcast.diagnostics import GROUPS, Check, Report, run_diagnostics
from cohortcast.web.dashboard.forms import ViewerDep
from cohortcast.web.dashboard.rendering import DashboardRoute, render, store_of

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

_ORDER = {"failing": 0, "warning": 1, "info": 2, "ok": 3}
# Shown next to the colour, so the status never depends on colour alone.
_LABELS = {
    "failing": "✗ Failing",
    "warning": "! Warning",
    "info": "i Info",
    "ok": "✓ OK",
}


@router.get("/troubleshooting")
def troubleshooting_page(request: Request, viewer: ViewerDep) -> Response:
    """The checks of the viewer's workspace, run now."""
    with store_of(request).read() as session:
        report = run_diagnostics(session, viewer.workspace_id, int(time.time() * 1000))
    return render(
        request,
        "troubleshooting.html",
        viewer,
        title="Troubleshooting",
        section="troubleshooting",
        api_twin="/api/v1/diagnostics",
        report=report,
        summary=_summary(report),
        groups=_groups(report),
        labels=_LABELS,
    )


def _groups(report: Report) -> list[tuple[str, list[Check]]]:
    # Within a group, what needs doing comes first.
    grouped = []
    for group, heading in GROUPS.items():
        checks = sorted(report.in_group(group), key=lambda c: _ORDER[c.status])
        if checks:
            grouped.append((heading, checks))
    return grouped


def _summary(report: Report) -> str:
    counts = [
        (sum(c.status == status for c in report.checks), word)
        for status, word in (
            ("failing", "failing"),
            ("warning", "warning"),
            ("info", "info"),
            ("ok", "ok"),
        )
    ]
    return ", ".join(f"{count} {word}" for count, word in counts)
