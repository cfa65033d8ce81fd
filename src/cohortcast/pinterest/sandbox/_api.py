"""What every sandbox Ads API v5 endpoint does first, in Pinterest's order.

Bearer token (401), path ids (400), the ad account exists (404) and the
token may use it (403), the per-account rate limit (429), then the body
against the project's models of the OpenAPI schemas (400 with
``{code, message}`` naming the bad field). Handlers raise :class:`ApiFailure`
and :func:`pinterest_endpoint` turns it into Pinterest's error body.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..ads import ConversionEvents
from ._faults import ERROR_BODIES
from ._state import SandboxState

M = TypeVar("M", bound=BaseModel)
Endpoint = Callable[[Request, SandboxState], Awaitable[Response]]

_DIGITS = re.compile(r"[0-9]{1,18}")
EVENTS_ADAPTER = TypeAdapter(ConversionEvents)


class ApiFailure(Exception):  # noqa: N818 (it is an answer, not a bug)
    """Raised by a handler to answer Pinterest's error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        """The error as Pinterest sends it."""
        body = {"code": self.code, "message": self.message}
        return JSONResponse(body, status_code=self.status)


def authenticated(request: Request, state: SandboxState) -> set[str]:
    """The ad accounts the request's bearer token may use; 401 without one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    accounts = state.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if accounts is None:
        raise ApiFailure(401, 2, "Authentication failed.")
    return accounts


def authorized_ad_account(request: Request, state: SandboxState) -> str:
    """The path's ad account id, once token, account and rate limit allow the call."""
    allowed = authenticated(request, state)
    ad_account_id = path_id(request, "ad_account_id", "Invalid ad account id")
    if ad_account_id not in state.accounts:
        raise ApiFailure(404, 404, f"Ad account {ad_account_id} not found.")
    if ad_account_id not in allowed:
        raise ApiFailure(403, 29, "You are not permitted to access that resource.")

    if state.rate_limiter.try_take(ad_account_id) > 0:
        raise ApiFailure(429, *ERROR_BODIES[429])
    return ad_account_id


def path_id(request: Request, name: str, message: str) -> str:
    """The digits-only path parameter ``name``; 400 with ``message`` otherwise."""
    value = str(request.path_params[name])
    if _DIGITS.fullmatch(value) is None:
        raise ApiFailure(
            400, 400, f"{message}: '{name}' value {value!r} must match ^\\d+$"
        )
    return value


async def parsed_body(request: Request, model: type[M]) -> M:
    """The JSON body validated as ``model``; 400 naming the first bad field."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise ApiFailure(400, 1, invalid_message(exc)) from exc


def invalid_message(exc: ValidationError) -> str:
    """Pinterest-style sentence for the first validation error."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    if first["type"] == "extra_forbidden":
        return f"Invalid request: unknown field '{where}'."
    if first["type"] == "missing":
        return f"Invalid request: '{where}' is a required field."
    value = repr(first.get("input"))[:80]
    return f"Invalid request: '{where}' value {value} {first['msg'].lower()}."


def pinterest_endpoint(
    handler: Endpoint, state: SandboxState
) -> Callable[[Request], Awaitable[Response]]:
    """Bind ``handler`` to ``state`` and turn :class:`ApiFailure` into its answer."""

    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, state)
        except ApiFailure as failure:
            return failure.response()

    return endpoint


def page_of(request: Request, items: list[dict[str, object]]) -> dict[str, object]:
    """One page of ``items`` as Pinterest pages them: ``page_size`` and ``bookmark``."""
    raw_size = request.query_params.get("page_size", "25")
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= 250:
        raise ApiFailure(
            400, 1, f"Parameter 'page_size' must be 1 to 250 (was {raw_size})"
        )
    size = int(raw_size)
    bookmark = request.query_params.get("bookmark", "0")
    start = int(bookmark) if bookmark.isdigit() else 0
    following = start + size
    return {
        "items": items[start:following],
        "bookmark": str(following) if following < len(items) else None,
    }
