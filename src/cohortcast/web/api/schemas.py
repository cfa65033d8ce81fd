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


class ErrorOut(BaseModel):
    """Every 4xx answer: one sentence quoting the bad value and what is expected."""

    detail: str


# Documents the error shape in the OpenAPI document; without the 422 entry,
# FastAPI would describe pydantic's error list, which the API never sends.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in [
        (401, "No token, or not a valid one"),
        (403, "The object belongs to another workspace"),
        (404, "No such object"),
        (409, "The change conflicts with the current state"),
        (413, "The request body is over the size limit"),
        (422, "A value is not acceptable"),
    ]
}
