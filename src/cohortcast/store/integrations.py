"""The Pinterest integration: one per workspace, with the default Tag ID.

Adding it also creates its default activation (the cohort page's toggle);
deleting it deletes every activation it has, so no routing is left behind.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohortcast.pinterest.tag_id import InvalidTagIdError, normalize_tag_id
from cohortcast.store.access import get_owned
from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.ids import new_id
from cohortcast.store.models import Activation, Integration
from cohortcast.store.workspaces import bump_config_version

logger = logging.getLogger(__name__)

PINTEREST = "pinterest"
DEFAULT_NAME = "Pinterest"


def add_pinterest_integration(
    session: Session, workspace_id: str, tag_id: str, name: str | None = None
) -> Integration:
    """Add the workspace's Pinterest integration; live in the next SDK config.

    Raises :class:`InvalidValueError` for a bad Tag ID or name and
    :class:`ConflictError` when the workspace already has one.
    """
    existing = find_pinterest_integration(session, workspace_id)
    if existing is not None:
        raise ConflictError(
            f"This workspace already has a Pinterest integration ('{existing.id}', "
            f"Tag ID {existing.tag_id}); change its Tag ID or delete it first."
        )

    integration = Integration(
        id=new_id("int"),
        workspace_id=workspace_id,
        type=PINTEREST,
        name=_valid_name(name),
        tag_id=_valid_tag_id(tag_id),
    )
    integration.activations.append(
        Activation(
            id=new_id("act"), workspace_id=workspace_id, tag_id=None, is_default=True
        )
    )
    session.add(integration)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info(
        "Added Pinterest integration %s with Tag ID %s to workspace %s",
        integration.id,
        integration.tag_id,
        workspace_id,
    )
    return integration


def find_pinterest_integration(
    session: Session, workspace_id: str
) -> Integration | None:
    """The workspace's Pinterest integration, or None."""
    return session.scalar(
        select(Integration).where(
            Integration.workspace_id == workspace_id, Integration.type == PINTEREST
        )
    )


def list_integrations(session: Session, workspace_id: str) -> list[Integration]:
    """The workspace's integrations, oldest first."""
    return list(
        session.scalars(
            select(Integration)
            .where(Integration.workspace_id == workspace_id)
            .order_by(Integration.created_at, Integration.id)
        )
    )


def get_integration(
    session: Session, workspace_id: str, integration_id: str
) -> Integration:
    """The integration, or :class:`NotFoundError` / :class:`ForbiddenError`."""
    return get_owned(session, Integration, workspace_id, integration_id, "Integration")


def update_integration(
    session: Session,
    workspace_id: str,
    integration_id: str,
    *,
    tag_id: str | None = None,
    name: str | None = None,
) -> Integration:
    """Change the default Tag ID and/or the name; None leaves a field as it is."""
    integration = get_integration(session, workspace_id, integration_id)
    if tag_id is not None:
        integration.tag_id = _valid_tag_id(tag_id)
    if name is not None:
        integration.name = _valid_name(name)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info(
        "Updated Pinterest integration %s: Tag ID %s",
        integration.id,
        integration.tag_id,
    )
    return integration


def delete_integration(
    session: Session, workspace_id: str, integration_id: str
) -> None:
    """Delete the integration and all its activations."""
    integration = get_integration(session, workspace_id, integration_id)
    session.delete(integration)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info("Deleted Pinterest integration %s and its activations", integration_id)


def _valid_tag_id(raw: str) -> str:
    try:
        return normalize_tag_id(raw)
    except InvalidTagIdError as error:
        raise InvalidValueError(str(error), "tag_id") from error


def _valid_name(raw: str | None) -> str:
    if raw is None:
        return DEFAULT_NAME
    name = raw.strip()
    if not name or len(name) > 200:
        raise InvalidValueError(f"Name {raw!r} must have 1 to 200 characters.", "name")
    return name
