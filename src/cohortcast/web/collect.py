"""``POST /collect/v1/{sdk_key}/events``: the SDK's batches of events and receipts.

Public (no token, CORS for any origin). The body is read here, whatever its
content type, since the SDK sends ``text/plain`` to skip the CORS preflight;
everything else happens in :mod:`cohortcast.collection`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from cohortcast.collection.ingest import Collector, UnknownSdkKeyError
from cohortcast.collection.validation import BatchError
from cohortcast.web.body_limit import BodyLimitMiddleware

COLLECT_PREFIX = "/collect/"

router = APIRouter(prefix="/collect/v1", tags=["collect"])


@router.post("/{sdk_key}/events")
async def collect_events(sdk_key: str, request: Request) -> JSONResponse:
    """Store and evaluate one batch; 200 ``{accepted, duplicates, rejected}``
    once it is committed. See docs/collection.md for the limits and errors."""
    body = await request.body()
    collector: Collector = request.app.state.collector
    try:
        result = await run_in_threadpool(collector.collect, sdk_key, body)
    except UnknownSdkKeyError as error:
        return JSONResponse({"detail": str(error)}, status_code=404)
    except BatchError as error:
        return JSONResponse({"detail": error.detail}, status_code=error.status)
    return JSONResponse(result.as_json())


class BodyLimitByPath:
    """The foundation's body limit, with a limit of its own for collect batches
    (larger than the management API's, since a batch may hold 500 events)."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, collect_max_body_bytes: int
    ) -> None:
        self.default = BodyLimitMiddleware(app, max_body_bytes)
        self.collect = BodyLimitMiddleware(app, collect_max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        limit = self.collect if path.startswith(COLLECT_PREFIX) else self.default
        await limit(scope, receive, send)
