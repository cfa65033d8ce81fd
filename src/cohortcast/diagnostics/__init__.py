"""Troubleshooting, automatic: every check a user would otherwise do by hand.

``run_diagnostics(session, workspace_id, now)`` gathers the facts from the
store into a snapshot and runs pure checks over it; each :class:`Check` has
a status (ok, info, warning, failing), the evidence with figures, and one concrete
fix. The dashboard's Troubleshooting page, ``GET /api/v1/diagnostics`` and
``cohortcast doctor`` all show the same :class:`Report`.
"""

from cohortcast.diagnostics._facts import PinterestFacts, Snapshot, gather_facts
from cohortcast.diagnostics._model import (
    GROUPS,
    Check,
    Group,
    Report,
    ReportStatus,
    Status,
)
from cohortcast.diagnostics._run import check_snapshot, run_diagnostics

__all__ = [
    "GROUPS",
    "Check",
    "Group",
    "PinterestFacts",
    "Report",
    "ReportStatus",
    "Snapshot",
    "Status",
    "check_snapshot",
    "gather_facts",
    "run_diagnostics",
]
