"""Workspaces: the default one, lookups, and the SDK configuration version."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cohortcast.store.errors import NotFoundError
from cohortcast.store.ids import new_id, random_text
from cohortcast.store.models import Workspace, utc_now

logger = logging.getLogger(__name__)

DEFAULT_SLUG = "default"


def ensure_default_workspace(session: Session) -> Workspace:
    """Return the default workspace, creating it (with an SDK key) when missing."""
    workspace = find_workspace_by_slug(session, DEFAULT_SLUG)
    if workspace is not None:
        return workspace

    return create_workspace(session, "Default workspace", DEFAULT_SLUG)


def find_workspace_by_slug(session: Session, slug: str) -> Workspace | None:
    """The workspace with ``slug``, or None."""
    return session.scalar(select(Workspace).where(Workspace.slug == slug))


def get_default_workspace(session: Session) -> Workspace:
    """The workspace the CLI acts on; :class:`NotFoundError` before migrations."""
    workspace = find_workspace_by_slug(session, DEFAULT_SLUG)
    if workspace is None:
        raise NotFoundError(
            "There is no default workspace; start the server once to create it."
        )
    return workspace


def get_workspace(session: Session, workspace_id: str) -> Workspace:
    """The workspace with ``workspace_id``; raises :class:`NotFoundError`."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFoundError(f"Workspace '{workspace_id}' does not exist.")
    return workspace


def bump_config_version(session: Session, workspace_id: str) -> None:
    """Mark the workspace's SDK configuration as changed.

    Every service function that changes cohorts, the integration or
    activations calls this in its own transaction, so the change and the new
    version commit together and every server process sees both at once.
    """
    session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(
            config_version=Workspace.config_version + 1, config_changed_at=utc_now()
        )
        .execution_options(synchronize_session=False)
    )
    # The increment happened in the database; a loaded copy must re-read it.
    loaded = session.identity_map.get(session.identity_key(Workspace, workspace_id))
    if loaded is not None:
        session.expire(loaded, ["config_version", "config_changed_at"])


def create_workspace(session: Session, name: str, slug: str) -> Workspace:
    """A new, empty workspace with its own SDK key (the default one is automatic)."""
    workspace = Workspace(
        id=new_id("ws"),
        name=name,
        slug=slug,
        sdk_key=f"sdk_{random_text(20)}",
        config_version=1,
    )
    session.add(workspace)
    session.flush()
    logger.info("Created workspace %s (%s)", workspace.id, slug)
    return workspace
