"""Running every check for a workspace."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from cohortcast.diagnostics._audience_checks import audience_size_checks
from cohortcast.diagnostics._cohort_checks import cohort_checks
from cohortcast.diagnostics._facts import PinterestFacts, Snapshot, gather_facts
from cohortcast.diagnostics._integration_checks import integration_checks
from cohortcast.diagnostics._model import Report
from cohortcast.diagnostics._pinterest_facts import stored_pinterest_facts
from cohortcast.diagnostics._routing_checks import routing_checks


def run_diagnostics(
    session: Session,
    workspace_id: str,
    now: int,
    *,
    pinterest: PinterestFacts | None = None,
) -> Report:
    """Every check of the workspace at ``now`` (ms since the epoch).

    Reads the store only; Pinterest's side comes from ``pinterest`` when
    given, otherwise from what server-side delivery stored (nothing when the
    integration has no API credentials). Raises ``NotFoundError`` for an
    unknown workspace.
    """
    snapshot = gather_facts(session, workspace_id, now, pinterest)
    if pinterest is None and snapshot.integration is not None:
        stored = stored_pinterest_facts(session, snapshot.integration.id)
        snapshot = replace(snapshot, pinterest=stored)
    return check_snapshot(snapshot)


def check_snapshot(snapshot: Snapshot) -> Report:
    """The checks over an already gathered snapshot (pure; used by tests too)."""
    checks = (
        integration_checks(snapshot)
        + cohort_checks(snapshot)
        + routing_checks(snapshot)
        + audience_size_checks(snapshot)
    )
    return Report(checked_at=snapshot.now, checks=tuple(checks))
