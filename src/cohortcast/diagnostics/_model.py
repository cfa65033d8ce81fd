"""What a troubleshooting check reports, and the report of all of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

Status = Literal["ok", "info", "warning", "failing"]
# What the whole report can be: a check that only informs never makes it
# unhealthy, so the report is ok, warning or failing.
ReportStatus = Literal["ok", "warning", "failing"]
Group = Literal["integration", "cohorts", "routing", "audience_size"]

GROUPS: dict[Group, str] = {
    "integration": "Integration not available",
    "cohorts": "Cohorts not appearing in Pinterest",
    "routing": "Wrong Tag ID",
    "audience_size": "Audience smaller than the cohort",
}

_SEVERITY: dict[Status, int] = {"ok": 0, "info": 0, "warning": 1, "failing": 2}
_BY_SEVERITY: tuple[ReportStatus, ...] = ("ok", "warning", "failing")


@dataclass(frozen=True)
class Check:
    """One check: its outcome, the figures it is based on, and what to do.

    ``id`` is stable (``cohorts.members.k7d2qa``) so scripts can follow a
    check over time; ``fix`` is None when there is nothing to do. ``info``
    is for a state that is normal but worth knowing (a cohort deliberately
    not activated): its ``fix`` says what to do if it was not meant.
    """

    id: str
    group: Group
    title: str
    status: Status
    evidence: str
    fix: str | None = None

    def as_json(self) -> dict[str, str | None]:
        """The check as the API and ``cohortcast doctor --json`` give it."""
        return {
            "id": self.id,
            "group": self.group,
            "title": self.title,
            "status": self.status,
            "evidence": self.evidence,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Report:
    """Every check of one workspace at ``checked_at`` (ms since the epoch)."""

    checked_at: int
    checks: tuple[Check, ...]

    @property
    def status(self) -> ReportStatus:
        """The worst status of any check, ``info`` counting as ``ok``; ``ok``
        when there is none."""
        worst = max((_SEVERITY[check.status] for check in self.checks), default=0)
        return _BY_SEVERITY[worst]

    def in_group(self, group: Group) -> list[Check]:
        """The checks of ``group``, in the order they ran."""
        return [check for check in self.checks if check.group == group]

    def find(self, check_id: str) -> Check | None:
        """The check with ``check_id``, or None when it did not run."""
        return next((c for c in self.checks if c.id == check_id), None)

    def as_json(self) -> dict[str, object]:
        """``{status, checked_at, checks}``, ``checked_at`` in ISO 8601 (UTC)."""
        checked_at = datetime.fromtimestamp(self.checked_at / 1000, UTC)
        return {
            "status": self.status,
            "checked_at": checked_at.isoformat().replace("+00:00", "Z"),
            "checks": [check.as_json() for check in self.checks],
        }
