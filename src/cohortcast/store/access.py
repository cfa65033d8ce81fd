"""Fetching an object for a workspace: 404 when absent, 403 when not its own."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from cohortcast.store.errors import ForbiddenError, NotFoundError


class _Owned(Protocol):
    workspace_id: str


OwnedT = TypeVar("OwnedT", bound=_Owned)


def get_owned(
    session: Session, model: type[OwnedT], workspace_id: str, object_id: str, noun: str
) -> OwnedT:
    """The ``model`` row ``object_id`` if it belongs to ``workspace_id``.

    Raises :class:`NotFoundError` for an unknown id and :class:`ForbiddenError` for an
    object of another workspace; ``noun`` ("Cohort") starts the message.
    """
    found = session.get(model, object_id)
    if found is None:
        raise NotFoundError(f"{noun} '{object_id}' does not exist.")
    if found.workspace_id != workspace_id:
        raise ForbiddenError(f"{noun} '{object_id}' belongs to another workspace.")
    return found
