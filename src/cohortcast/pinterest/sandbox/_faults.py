"""Fault injection: make the next answers on a path fail or come late.

A fault matches requests whose path starts with ``path_prefix`` (and whose
method matches, when given). Each matching request uses up one of its
``count`` answers: it waits ``delay_ms`` first, then, when ``status`` is set,
answers that status with Pinterest's error body instead of the real answer.
A fault with only a delay makes slow but correct answers.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
from dataclasses import asdict, dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

# Pinterest's codes and messages, as its OpenAPI description shows them.
ERROR_BODIES: dict[int, tuple[int, str]] = {
    429: (
        8,
        "This request exceeded a rate limit. This can happen if the client "
        "exceeds one\nof the published rate limits within a short time window.",
    ),
    500: (500, "Internal server error. Please retry later."),
    502: (502, "Bad gateway. Please retry later."),
    503: (
        4197,
        "The endpoint has been ramped down and is currently not accepting any traffic.",
    ),
}


@dataclass
class Fault:
    """One injected fault; ``count`` is how many answers it still spoils."""

    path_prefix: str
    status: int | None = None
    count: int = 1
    delay_ms: int = 0
    method: str | None = None
    retry_after: float | None = None
    message: str | None = None

    def error_body(self) -> dict[str, object]:
        """Pinterest's ``{code, message}`` for this fault's status."""
        status = self.status or 500
        code, message = ERROR_BODIES.get(status, (status, f"Injected error {status}."))
        return {"code": code, "message": self.message or message}


class FaultInjector:
    """The faults waiting to happen; safe to use from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault; faults are matched in the order they were added."""
        if fault.count < 1:
            raise ValueError(f"Fault count {fault.count} must be at least 1.")
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Remove every pending fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, object]]:
        """The pending faults, as JSON-able dictionaries."""
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def take(self, method: str, path: str) -> Fault | None:
        """Use up one answer of the first fault matching the request, if any."""
        with self._lock:
            for fault in self._faults:
                if not path.startswith(fault.path_prefix):
                    continue
                if fault.method and fault.method.upper() != method:
                    continue
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        return None


class FaultMiddleware:
    """ASGI middleware applying :class:`FaultInjector` faults before routing."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        # The control endpoints stay reachable whatever faults are queued.
        if scope["type"] != "http" or path.startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return

        fault = self.injector.take(scope["method"], path)
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.delay_ms:
            await asyncio.sleep(fault.delay_ms / 1000)
        if fault.status is None:
            await self.app(scope, receive, send)
            return
        await _send_error(send, fault)


async def _send_error(send: Send, fault: Fault) -> None:
    body = json.dumps(fault.error_body()).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if fault.retry_after is not None:
        seconds = str(math.ceil(fault.retry_after)).encode()
        headers.append((b"retry-after", seconds))
    await send(
        {"type": "http.response.start", "status": fault.status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})
