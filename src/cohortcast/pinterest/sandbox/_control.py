"""The sandbox's control endpoints under ``/_sandbox`` (no token: loopback only).

- ``POST /_sandbox/reset``: forget everything received and created.
- ``POST /_sandbox/faults`` ``{path_prefix, status?, count?, delay_ms?,
  method?, retry_after?, message?}``; ``GET`` lists, ``DELETE`` clears.
- ``POST /_sandbox/settings`` ``{rate_limit_per_minute}``.
- ``GET /_sandbox/pixel_hits?limit=N`` and ``GET /_sandbox/events?limit=N``:
  what was received, newest last.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._faults import Fault
from ._state import SandboxState


class FaultSpec(BaseModel):
    """Body of ``POST /_sandbox/faults``."""

    model_config = ConfigDict(extra="forbid")

    path_prefix: str = Field(min_length=1)
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    count: Annotated[int, Field(ge=1)] = 1
    delay_ms: Annotated[int, Field(ge=0, le=120_000)] = 0
    method: str | None = None
    retry_after: Annotated[float, Field(ge=0)] | None = None
    message: str | None = None


class Settings(BaseModel):
    """Body of ``POST /_sandbox/settings``."""

    model_config = ConfigDict(extra="forbid")

    rate_limit_per_minute: Annotated[int, Field(ge=1)]


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "100")
    return int(raw) if raw.isdigit() else 100


def _invalid(exc: ValidationError) -> JSONResponse:
    return JSONResponse({"detail": exc.errors(include_url=False)}, status_code=400)


async def reset(request: Request, state: SandboxState) -> Response:
    """Forget everything received and created; accounts and tokens stay."""
    state.reset()
    return JSONResponse({"reset": True})


async def faults(request: Request, state: SandboxState) -> Response:
    """Add (POST), list (GET) or clear (DELETE) injected faults."""
    if request.method == "DELETE":
        state.faults.clear()
    elif request.method == "POST":
        try:
            spec = FaultSpec.model_validate_json(await request.body())
        except ValidationError as exc:
            return _invalid(exc)
        state.faults.add(Fault(**spec.model_dump()))
    return JSONResponse({"faults": state.faults.pending()})


async def settings(request: Request, state: SandboxState) -> Response:
    """Change the per-ad-account rate limit."""
    try:
        chosen = Settings.model_validate_json(await request.body())
    except ValidationError as exc:
        return _invalid(exc)
    state.set_rate_limit(chosen.rate_limit_per_minute)
    return JSONResponse(chosen.model_dump())


async def pixel_hits(request: Request, state: SandboxState) -> Response:
    """The latest pixel hits, newest last."""
    with state.lock:
        hits = list(state.pixel_hits)[-_limit(request) :]
        total = len(state.pixel_hits)
    items = [
        {
            "tid": hit.tag_id,
            "event": hit.event,
            "ed": hit.event_data,
            "visitor_id": hit.visitor_id,
            "received_at": hit.received_at,
            "problem": hit.problem,
        }
        for hit in hits
    ]
    return JSONResponse({"total": total, "items": items})


async def events(request: Request, state: SandboxState) -> Response:
    """Counts of Conversions API events and the latest ones, newest last."""
    latest = state.latest_events(_limit(request))
    with state.lock:
        received = state.events_received
        tested = state.test_events_received
    items = [
        {"ad_account_id": ad_account_id, **event} for ad_account_id, event in latest
    ]
    return JSONResponse({"received": received, "test_received": tested, "items": items})
