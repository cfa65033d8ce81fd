"""Public SDK endpoints: the browser bundle and each workspace's configuration.

No token: the SDK key in the URL only selects a workspace's public
configuration. CORS headers come from :mod:`cohortcast.web.cors`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from cohortcast.settings import Settings
from cohortcast.store.database import Store
from cohortcast.store.sdk_config import find_config_stamp
from cohortcast.web.sdk_config import ConfigRenderer

router = APIRouter(prefix="/sdk/v1", tags=["sdk"])

SDK_BUNDLE = Path(__file__).parent / "static" / "sdk" / "cohortcast.js"

# Browsers may keep the configuration for a minute at most: changes made in
# the dashboard must reach visitors within seconds, and the ETag makes the
# revalidation after that minute cheap.
CONFIG_CACHE_CONTROL = "public, max-age=60"
SDK_CACHE_CONTROL = "public, max-age=300"


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


@router.get("/{sdk_key}/config.json")
def sdk_config(sdk_key: str, request: Request) -> Response:
    """The workspace's cohorts and routing table; 304 when the ETag still matches."""
    store: Store = request.app.state.store
    with store.engine.connect() as connection:
        stamp = find_config_stamp(connection, sdk_key)
    if stamp is None:
        return JSONResponse(
            {
                "detail": f"SDK key {sdk_key!r} is not known; copy the snippet again "
                "from the dashboard."
            },
            status_code=404,
        )

    renderer: ConfigRenderer = request.app.state.config_renderer
    collect_url = _collect_url(request, sdk_key)
    etag = f'"{renderer.version(stamp, collect_url)}"'
    headers = {"ETag": etag, "Cache-Control": CONFIG_CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)

    rendered = renderer.render(stamp, collect_url)
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
