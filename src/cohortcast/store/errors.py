"""Errors the store's service functions raise; the web layer maps each to a status.

Every message is one sentence that quotes the bad value and says what to do,
so the API, the dashboard and the CLI can show it as it is.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class; ``str(error)`` is the sentence to show the user."""


class NotFoundError(StoreError):
    """The object does not exist (HTTP 404)."""


class ForbiddenError(StoreError):
    """The object belongs to another workspace (HTTP 403)."""


class ConflictError(StoreError):
    """The change contradicts the current state (HTTP 409)."""


class InvalidValueError(StoreError):
    """A value is not acceptable (HTTP 422).

    ``path`` names the JSON field, e.g. ``definition.all[1].within``.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path
