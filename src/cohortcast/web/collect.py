"""``POST /collect/v1/{sdk_key}/events``: the SDK's batches of events and receipts.

Public (no token, CORS for any origin). The body is read here, whatever its
content type, since the SDK sends ``text/plain`` to skip the CORS preflight;
everything else happens in :mod:`cohortcast.collection`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from cohortcast.collection.ingest import Collector, UnknownSdkKeyError
from cohortcast.collection.pipeline import BatchWriter
from cohortcast.collection.validation import BatchError
from cohortcast.collection.worker import run_background
from cohortcast.settings import Settings
from cohortcast.store.database import Store
from cohortcast.web import background
from cohortcast.web.body_limit import BodyLimitMiddleware, BodyTooLargeError

COLLECT_PREFIX = "/collect/"

router = APIRouter(prefix="/collect/v1", tags=["collect"])


_COLLECT_PATH = re.compile(r"/collect/v1/(?P<sdk_key>[^/]+)/events")


@router.post("/{sdk_key}/events")
async def collect_events(sdk_key: str, request: Request) -> JSONResponse:
    """Store and evaluate one batch; 200 ``{accepted, duplicates, rejected}``
    once it is committed. See docs/collection.md for the limits and errors.

    :class:`CollectMiddleware` serves this path; the route is what the
    OpenAPI document shows."""
    try:
        body = await request.body()
    except BodyTooLargeError as error:
        return JSONResponse({"detail": error.detail}, status_code=413)
    collector: Collector = request.app.state.collector
    writer: BatchWriter = request.app.state.batch_writer
    try:
        result = await writer.submit(sdk_key, collector.parse(body))
    except UnknownSdkKeyError as error:
        return JSONResponse({"detail": str(error)}, status_code=404)
    except BatchError as error:
        return JSONResponse({"detail": error.detail}, status_code=error.status)
    return JSONResponse(result.as_json())


class CollectMiddleware:
    """Answers ``POST /collect/v1/{sdk_key}/events`` ahead of the router.

    Every batch of every visitor comes here; skipping routing and the
    framework's per-route layers saves about 6% of the server's CPU per
    batch. Sits inside the CORS middleware and the body limit, so answers
    and their headers are those of the route.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            _COLLECT_PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        )
        if match is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        response = await collect_events(match["sdk_key"], Request(scope, receive))
        await response(scope, receive, send)


def install(app: FastAPI, store: Store, settings: Settings) -> None:
    """Give ``app`` its collector and batch writer (the router is separate)."""
    collector = Collector(store, retention_days=settings.event_retention_days)
    postgresql = store.engine.dialect.name == "postgresql"
    app.state.collector = collector
    app.state.batch_writer = BatchWriter(collector, writers=3 if postgresql else 1)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[None]:
    """For the app's lifespan: the background task runs, and queued batches
    are committed before the store closes."""
    settings: Settings = app.state.settings
    interval = settings.background_interval_seconds
    try:
        async with background.running(run_background(app.state.collector, interval)):
            yield
    finally:
        app.state.batch_writer.close()


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
