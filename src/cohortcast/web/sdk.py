"""Public SDK endpoints: the browser bundle and each workspace's configuration.

No token: the SDK key in the URL only selects a workspace's public
configuration. CORS headers come from :mod:`cohortcast.web.cors`.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from cohortcast.settings import Settings
from cohortcast.web.sdk_config import ConfigRenderer
from cohortcast.web.sdk_sightings import note_config_fetch

router = APIRouter(prefix="/sdk/v1", tags=["sdk"])

SDK_BUNDLE = Path(__file__).parent / "static" / "sdk" / "cohortcast.js"

# Browsers may keep the configuration for a minute at most: changes made in
# the dashboard must reach visitors within seconds, and the ETag makes the
# revalidation after that minute cheap.
CONFIG_CACHE_CONTROL = "public, max-age=60"
SDK_CACHE_CONTROL = "public, max-age=300"

_CONFIG_PATH = re.compile(r"/sdk/v1/(?P<sdk_key>[^/]+)/config\.json")


@router.get("/cohortcast.js", response_class=FileResponse)
def sdk_bundle() -> Response:
    """The browser SDK; 503 until ``make sdk`` has built it."""
    if not SDK_BUNDLE.is_file():
        return JSONResponse(
            {"detail": "The SDK bundle has not been built; run 'make sdk'."},
            status_code=503,
        )
    return FileResponse(
        SDK_BUNDLE,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": SDK_CACHE_CONTROL},
    )


class SdkConfigMiddleware:
    """Answers ``GET`` (and ``HEAD``) ``/sdk/v1/{sdk_key}/config.json`` ahead
    of the router.

    This is by far the busiest route, and routing plus the framework's
    per-route layers cost more than the answer itself (one indexed lookup,
    then a cached body or a bare 304), so it is served here, inside the CORS
    middleware, and everything else passes through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            _CONFIG_PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        )
        if match is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        response = await sdk_config(Request(scope, receive), match["sdk_key"])
        await response(scope, receive, send)


async def sdk_config(request: Request, sdk_key: str) -> Response:
    """The workspace's cohorts and routing table; 304 when the ETag still matches.

    Runs on the event loop: the stamp lookup (tens of microseconds) costs
    less than a hop to a worker thread. Only a cache miss, which reads the
    cohorts, goes to one.
    """
    renderer: ConfigRenderer = request.app.state.config_renderer
    stamp = renderer.stamp(sdk_key)
    if stamp is None:
        return JSONResponse(
            {
                "detail": f"SDK key {sdk_key!r} is not known; copy the snippet again "
                "from the dashboard."
            },
            status_code=404,
        )

    # A HEAD comes from a monitor or a person checking, not from the SDK on a
    # page, so it is not a sighting for the Troubleshooting checks.
    if request.method == "GET":
        await note_config_fetch(request.app, stamp.workspace_id)
    collect_url = _collect_url(request, sdk_key)
    rendered = renderer.cached(stamp, collect_url)
    etag = rendered.etag if rendered else f'"{renderer.version(stamp, collect_url)}"'
    headers = {"ETag": etag, "Cache-Control": CONFIG_CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)

    if rendered is None:
        rendered = await run_in_threadpool(renderer.render, stamp, collect_url)
    return Response(rendered.body, media_type="application/json", headers=headers)


def _collect_url(request: Request, sdk_key: str) -> str:
    settings: Settings = request.app.state.settings
    base = settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/collect/v1/{sdk_key}/events"


def _matches(if_none_match: str | None, etag: str) -> bool:
    # If-None-Match compares weakly (RFC 9110 13.1.2), so W/"x" matches "x".
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
