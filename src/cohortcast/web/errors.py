"""Turning every error into ``{"detail": "<one sentence>"}`` with the right status.

Store errors map to statuses here, in one place, so service functions stay
free of HTTP. Request validation errors become a sentence naming the field,
what was expected and what was sent, instead of pydantic's list.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from cohortcast.store.errors import (
    ConflictError,
    ForbiddenError,
    InvalidValueError,
    NotFoundError,
    StoreError,
)

_STATUS_BY_ERROR: dict[type[StoreError], int] = {
    NotFoundError: 404,
    ForbiddenError: 403,
    ConflictError: 409,
    InvalidValueError: 422,
}

_EXPECTED_BY_TYPE = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a JSON object",
    "model_type": "a JSON object",
    "model_attributes_type": "a JSON object",
}

_QUOTE_LIMIT = 60


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


def describe_validation_error(error: dict[str, Any]) -> str:
    """One pydantic error as a sentence: ``body.tag_id: expected a string, got 123``."""
    location = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "json_invalid":
        return f"body: not valid JSON ({context.get('error', 'decode error')})."
    if kind == "missing" and location == "body":
        return "body: send a JSON object."
    if location == "body" and isinstance(error.get("input"), bytes):
        # FastAPI leaves a body unparsed unless it is declared as JSON, which
        # is what `curl -d` without a Content-Type header runs into.
        return "body: expected JSON; send it with 'Content-Type: application/json'."
    if kind == "missing":
        return f"{location}: this field is required."
    if kind == "extra_forbidden":
        return f"{location}: there is no such field; remove it."
    expected = context.get("expected") if kind == "literal_error" else None
    expected = expected or _EXPECTED_BY_TYPE.get(kind)
    if expected:
        return f"{location}: expected {expected}, got {_quote(error.get('input'))}."
    return f"{location}: {error['msg']} (got {_quote(error.get('input'))})."


async def _store_error(_request: Request, error: Exception) -> Response:
    status = next(
        (code for kind, code in _STATUS_BY_ERROR.items() if isinstance(error, kind)),
        400,
    )
    return JSONResponse({"detail": str(error)}, status_code=status)


async def _validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    detail = describe_validation_error(problems[0])
    more = len(problems) - 1
    if more:
        detail = f"{detail[:-1]} (and {more} more problem{'s' if more > 1 else ''})."
    return JSONResponse({"detail": detail}, status_code=422)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail: object = error.detail
    if error.status_code == 404 and detail == "Not Found":
        detail = f"There is no {request.method} {request.url.path}; see /api/v1/docs."
    if error.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    return JSONResponse(
        {"detail": detail}, status_code=error.status_code, headers=error.headers
    )


def _quote(value: object) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"
