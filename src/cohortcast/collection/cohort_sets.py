"""The compiled cohorts of each workspace, cached by configuration version.

The foundation bumps ``workspaces.config_version`` in the transaction of
every cohort change, so a cache entry keyed by it is never stale, and every
server process notices an edit on its next batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cohortcast.engine import CohortSet
from cohortcast.store.models import Cohort

_ENABLED_DEFINITIONS = (
    select(Cohort.code, Cohort.definition)
    .where(Cohort.workspace_id == bindparam("workspace_id"), Cohort.enabled)
    .order_by(Cohort.code)
)


def enabled_definitions(session: Session, workspace_id: str) -> dict[str, object]:
    """The definitions of the workspace's enabled cohorts, by code: the
    cohorts browsers evaluate, and so the ones the server evaluates."""
    rows = session.execute(_ENABLED_DEFINITIONS, {"workspace_id": workspace_id})
    return dict(rows.all())


def compile_workspace(session: Session, workspace_id: str) -> CohortSet:
    """Compile the workspace's enabled cohorts."""
    return CohortSet.compile(enabled_definitions(session, workspace_id))


def leaf_keys(cohorts: CohortSet) -> frozenset[str]:
    """The keys under which the engine keeps per-leaf state for these cohorts
    (see ``CohortSet.leaf_keys``): what a rebuild must fill when they change."""
    return cohorts.leaf_keys()


OnCompile = Callable[[Session, str, CohortSet], None]


class CohortSetCache:
    """Thread-safe cache of one compiled :class:`CohortSet` per workspace.

    ``on_compile(session, workspace_id, cohorts)`` runs in the caller's
    transaction each time a workspace's cohorts are compiled, that is, at
    least once per process for every configuration version.
    """

    def __init__(self, on_compile: OnCompile | None = None) -> None:
        self._entries: dict[str, tuple[int, CohortSet]] = {}
        self._lock = threading.Lock()
        self._on_compile = on_compile

    def get(self, session: Session, workspace_id: str, version: int) -> CohortSet:
        """The workspace's cohorts at configuration ``version``, compiling them
        in ``session`` when this process has not yet seen that version."""
        cached = self._entries.get(workspace_id)
        if cached is not None and cached[0] == version:
            return cached[1]

        compiled = compile_workspace(session, workspace_id)
        if self._on_compile is not None:
            self._on_compile(session, workspace_id, compiled)
        with self._lock:
            current = self._entries.get(workspace_id)
            if current is None or current[0] < version:
                self._entries[workspace_id] = (version, compiled)
        return compiled
