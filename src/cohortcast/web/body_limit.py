"""Request body size limit, enforced before anything parses the body.

A declared ``Content-Length`` over the limit is refused before the body is
read; a chunked body is counted as it arrives and refused once it passes the
limit, so a client cannot make the server buffer more than the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` when the body passes the limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"The request body is larger than {limit} bytes; send at most "
            f"{limit} bytes.",
        )


class BodyLimitMiddleware:
    """Pure ASGI middleware answering 413 for bodies over ``max_body_bytes``."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        limit = self.max_body_bytes
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(BodyTooLargeError(limit), scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLargeError(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLargeError as error:
            # Usually the app's exception handler has already answered 413;
            # this covers code that read the body outside of a route.
            if started:
                raise
            await _refuse(error, scope, receive, send)


async def _refuse(
    error: BodyTooLargeError, scope: Scope, receive: Receive, send: Send
) -> None:
    response = JSONResponse({"detail": error.detail}, status_code=413)
    await response(scope, receive, send)
