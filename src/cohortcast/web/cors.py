"""CORS for the public endpoints, which publishers' pages call from any origin.

The management API gets no CORS headers: it is called with a token from
servers and the dashboard, never from publishers' pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_PREFIXES = ("/sdk/", "/collect/")

_PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


class PublicCorsMiddleware:
    """Adds ``Access-Control-Allow-Origin: *`` under ``prefixes``; answers preflight."""

    def __init__(self, app: ASGIApp, prefixes: Sequence[str] = PUBLIC_PREFIXES) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return

        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await _preflight(headers, scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Access-Control-Allow-Origin"] = "*"
                # Lets the SDK read the ETag it sends back as If-None-Match.
                response_headers["Access-Control-Expose-Headers"] = "ETag"
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def _preflight(
    headers: Headers, scope: Scope, receive: Receive, send: Send
) -> None:
    allowed = dict(_PREFLIGHT_HEADERS)
    requested = headers.get("access-control-request-headers")
    if requested:
        allowed["Access-Control-Allow-Headers"] = requested
    await Response(status_code=204, headers=allowed)(scope, receive, send)
