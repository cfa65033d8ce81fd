"""Server-side events and cohort size predictions (docs/collection.md).

``POST /api/v1/events`` takes events with identities from apps, CTV and
servers; ``POST /api/v1/cohorts/preview`` predicts the size of a definition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cohortcast.collection.ingest import Collector
from cohortcast.collection.server_events import ingest_server_events
from cohortcast.collection.sizes import predict_size
from cohortcast.collection.validation import BatchError
from cohortcast.web.api.auth import CallerDep
from cohortcast.web.api.schemas import RequestBody

router = APIRouter(tags=["collection"])


class ServerEvent(BaseModel):
    """One event and the person it is about (at least one identity)."""

    id: str = Field(
        max_length=100, description="Unique per person; makes retries safe."
    )
    name: str = Field(max_length=200)
    time: int = Field(description="Milliseconds since the Unix epoch.")
    properties: dict[str, Any] = {}
    user_id: str | None = None
    email: str | None = Field(None, description="Hashed on arrival, never stored.")
    email_sha256: str | None = None
    maid: str | list[str] | None = Field(
        None, description="GAID or IDFA, one or a list; hashed on arrival."
    )
    visitor_id: str | None = Field(None, description="The browser SDK's visitor id.")


class ServerEvents(BaseModel):
    """Up to 500 events per request."""

    events: list[ServerEvent]


class Rejected(BaseModel):
    """An event refused, by its index in the request."""

    index: int
    detail: str


class IngestAnswer(BaseModel):
    """What became of the events; duplicates were already stored."""

    accepted: int
    duplicates: int
    rejected: list[Rejected]


class CohortSize(BaseModel):
    """Members of a cohort now, counted by the server from collected events."""

    members: int
    as_of: datetime


class PreviewRequest(RequestBody):
    """A definition to size (docs/cohorts.md); it may refer to saved cohorts."""

    definition: Any


class PreviewAnswer(BaseModel):
    """Profiles the definition would hold now, over recent events."""

    predicted_size: int
    profiles_scanned: int
    window_days: int
    complete: bool


@router.post(
    "/events",
    response_model=IngestAnswer,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ServerEvents.model_json_schema()}
            },
        }
    },
)
async def post_events(request: Request, caller: CallerDep) -> JSONResponse:
    """Store and evaluate server-side events; 200 once committed, with the
    bad events listed by index; 422 when none is usable."""
    collector: Collector = request.app.state.collector
    body = await request.body()
    try:
        result = await run_in_threadpool(
            ingest_server_events, collector, caller.workspace_id, body
        )
    except BatchError as error:
        return JSONResponse({"detail": error.detail}, status_code=error.status)
    return JSONResponse(result.as_json())


@router.post("/cohorts/preview")
def preview_cohort(
    body: PreviewRequest, request: Request, caller: CallerDep
) -> PreviewAnswer:
    """Predict how many profiles a new or edited definition would hold now,
    evaluated over the last 30 days of collected events."""
    collector: Collector = request.app.state.collector
    with caller.store.read() as session:
        found = predict_size(
            session, caller.workspace_id, body.definition, collector.clock()
        )
    return PreviewAnswer(
        predicted_size=found.predicted_size,
        profiles_scanned=found.profiles_scanned,
        window_days=found.window_days,
        complete=found.complete,
    )
