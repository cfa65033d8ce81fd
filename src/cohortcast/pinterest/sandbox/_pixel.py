"""The sandbox's pixel endpoint, ``GET /v3/`` as the SDK calls it.

Query: ``tid`` (Tag ID), ``event``, ``ed`` (URL-encoded JSON event data) and
``cb`` (cache-buster). Like the real endpoint it always answers a 1x1 GIF, so
a page never sees an error; what was wrong with a hit is kept on the hit
(``problem``) for the tests and the troubleshooting checks.

The visitor behind a hit is read from the Cohortcast event id in ``ed``
(``cc.{code}.{visitor_id}.{ms}``), else from a ``uid`` parameter, else from
Pinterest's first-party cookie.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from ..ads import parse_cohort_event_id
from ._state import PixelHit, SandboxState

logger = logging.getLogger(__name__)

TRANSPARENT_GIF = base64.b64decode(
    "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
)
_VISITOR_COOKIES = ("_pin_unauth", "_pinterest_ct_ua")


def _event_data(raw: str | None) -> tuple[dict[str, object], str | None]:
    if not raw:
        return {}, None
    try:
        value = json.loads(raw)
    except ValueError:
        return {}, f"ed {raw[:60]!r} is not JSON"
    if not isinstance(value, dict):
        return {}, f"ed {raw[:60]!r} is not a JSON object"
    return value, None


def _visitor_id(request: Request, event_data: dict[str, object]) -> str | None:
    event_id = event_data.get("event_id")
    parsed = parse_cohort_event_id(event_id) if isinstance(event_id, str) else None
    if parsed is not None:
        return parsed[1]
    uid = request.query_params.get("uid")
    if uid:
        return uid
    for cookie in _VISITOR_COOKIES:
        if request.cookies.get(cookie):
            return request.cookies[cookie]
    return None


def read_hit(request: Request, state: SandboxState) -> PixelHit:
    """Turn one pixel request into a :class:`PixelHit`, noting what is wrong."""
    params = request.query_params
    tag_id = params.get("tid", "")
    event = params.get("event", "")
    event_data, problem = _event_data(params.get("ed"))
    if not tag_id:
        problem = "tid is missing"
    elif state.tag_owner(tag_id) is None:
        problem = f"Tag ID {tag_id!r} belongs to no ad account"
    elif not event:
        problem = "event is missing"
    return PixelHit(
        tag_id=tag_id,
        event=event,
        event_data=event_data,
        visitor_id=_visitor_id(request, event_data),
        received_at=time.time(),
        problem=problem,
    )


def pixel_endpoint(state: SandboxState) -> Callable[[Request], Awaitable[Response]]:
    """The ASGI endpoint for ``/v3/`` bound to ``state``."""

    async def pixel(request: Request) -> Response:
        hit = read_hit(request, state)
        state.record_pixel_hit(hit)
        if hit.problem:
            logger.debug("Pixel hit with a problem: %s", hit.problem)
        return Response(
            TRANSPARENT_GIF,
            media_type="image/gif",
            headers={"Cache-Control": "no-cache, no-store, must-revalidate"},
        )

    return pixel
