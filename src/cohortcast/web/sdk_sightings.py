"""Recording config.json fetches cheaply: once a minute per workspace.

Every page view fetches the configuration, so writing each fetch would put
a database write on the busiest route. A fetch is written only when this
process has not written one for the workspace in the last minute, which is
precise enough for "the SDK was seen on the site recently".
"""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from cohortcast.store.database import Store
from cohortcast.store.sdk_sightings import record_config_fetch

logger = logging.getLogger(__name__)

WRITE_EVERY_MS = 60_000


class ConfigFetchRecorder:
    """Remembers, per workspace, when this process last wrote a fetch.

    Used from the event loop only, so the dictionary needs no lock.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._written: dict[str, int] = {}

    def due(self, workspace_id: str, now: int) -> bool:
        """Whether a fetch at ``now`` should be written; claims the write if so."""
        last = self._written.get(workspace_id)
        if last is not None and now - last < WRITE_EVERY_MS:
            return False
        self._written[workspace_id] = now
        return True

    def write(self, workspace_id: str, now: int) -> None:
        """Write the fetch; a failure is logged, never raised to the browser."""
        try:
            with self._store.transaction() as session:
                record_config_fetch(session, workspace_id, now)
        except SQLAlchemyError:
            logger.warning("Could not record a config fetch of %s", workspace_id)


async def note_config_fetch(app: FastAPI, workspace_id: str) -> None:
    """Called for every config.json request of a known workspace."""
    recorder: ConfigFetchRecorder | None = getattr(app.state, "config_fetches", None)
    if recorder is None:
        recorder = app.state.config_fetches = ConfigFetchRecorder(app.state.store)
    now = int(time.time() * 1000)
    if recorder.due(workspace_id, now):
        await run_in_threadpool(recorder.write, workspace_id, now)
