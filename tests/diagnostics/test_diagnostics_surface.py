"""The diagnostics package's public surface, pinned so callers can rely on it."""

from __future__ import annotations

import cohortcast.diagnostics


def test_the_package_exports_exactly_its_public_surface() -> None:
    assert sorted(cohortcast.diagnostics.__all__) == [
        "Check",
        "GROUPS",
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
