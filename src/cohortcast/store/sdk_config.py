"""What the SDK configuration is made of: the workspace's cohorts and routing.

The web layer adds the process settings (pixel URL, collect URL) and caches
the rendered JSON by :class:`ConfigStamp`, which changes with every mutation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.orm import Session

from cohortcast.pinterest.routing import Route
from cohortcast.store.models import Cohort, Workspace
from cohortcast.store.routing import load_routing

# Built once: this lookup runs on every config request, every 304 included.
_STAMP_QUERY = select(Workspace.id, Workspace.config_version).where(
    Workspace.sdk_key == bindparam("sdk_key")
)


@dataclass(frozen=True)
class ConfigStamp:
    """Identifies one state of a workspace's SDK configuration."""

    workspace_id: str
    config_version: int


class SdkCohort(TypedDict):
    """A cohort as the browser needs it."""

    code: str
    definition: Any


@dataclass(frozen=True)
class SdkContent:
    """The workspace-specific part of the SDK configuration."""

    cohorts: list[SdkCohort]
    routing: list[Route]


def find_config_stamp(
    connection: Connection | Session, sdk_key: str
) -> ConfigStamp | None:
    """The current stamp of the workspace with ``sdk_key``, or None if unknown."""
    row = connection.execute(_STAMP_QUERY, {"sdk_key": sdk_key}).one_or_none()
    if row is None:
        return None
    return ConfigStamp(row.id, row.config_version)


class ConfigStampReader:
    """:func:`find_config_stamp` at driver speed, for the SDK's hot path.

    Every config request, every 304 included, reads the stamp from the
    database, which is what lets every server process answer with the latest
    configuration. Going straight to a pooled driver connection of the
    store's lookup engine makes that read one cheap round trip.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        compiled = _STAMP_QUERY.compile(dialect=engine.dialect)
        self._sql = str(compiled)
        self._positional = engine.dialect.positional
        self._names = list(compiled.positiontup or [])
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error

    def read(self, sdk_key: str) -> ConfigStamp | None:
        """The current stamp of the workspace with ``sdk_key``, or None if unknown."""
        try:
            return self._read(sdk_key)
        except self._driver_error:
            # Most likely a connection the database closed (a restart): the
            # failed one was invalidated, so the retry gets a fresh one.
            return self._read(sdk_key)

    def _read(self, sdk_key: str) -> ConfigStamp | None:
        parameters: Any = (
            tuple(sdk_key for _ in self._names)
            if self._positional
            else {"sdk_key": sdk_key}
        )
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self._sql, parameters)
            row = cursor.fetchone()
            cursor.close()
        except self._driver_error:
            connection.invalidate()
            raise
        finally:
            connection.close()
        return None if row is None else ConfigStamp(row[0], row[1])


def load_sdk_content(session: Session, workspace_id: str) -> SdkContent:
    """Every enabled cohort (code and definition, by code) and the routing table."""
    cohorts = session.execute(
        select(Cohort.code, Cohort.definition)
        .where(Cohort.workspace_id == workspace_id, Cohort.enabled)
        .order_by(Cohort.code)
    )
    return SdkContent(
        cohorts=[
            SdkCohort(code=code, definition=definition) for code, definition in cohorts
        ],
        routing=load_routing(session, workspace_id),
    )
