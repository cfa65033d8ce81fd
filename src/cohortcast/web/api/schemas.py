"""What every request body model shares: unknown fields and loose types are errors."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict


class RequestBody(BaseModel):
    """Base for request bodies: ``{"tag_id": 123}`` is an error, not a coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
