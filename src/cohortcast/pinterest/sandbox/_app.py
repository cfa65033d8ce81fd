"""The sandbox application: routes, fault injection, the shared state."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import _audiences_api as audiences
from . import _control as control
from . import _delivery_api as delivery
from . import _pages as pages
from ._api import Endpoint, pinterest_endpoint
from ._faults import FaultMiddleware
from ._pixel import pixel_endpoint
from ._state import SandboxState

_ACCOUNT = "/v5/ad_accounts/{ad_account_id}"

_ROUTES: list[tuple[str, Endpoint, list[str]]] = [
    ("/v5/user_account", audiences.user_account, ["GET"]),
    ("/v5/ad_accounts", audiences.list_ad_accounts, ["GET"]),
    (_ACCOUNT, audiences.ad_account, ["GET"]),
    (f"{_ACCOUNT}/conversion_tags", audiences.conversion_tags, ["GET"]),
    (f"{_ACCOUNT}/audiences", audiences.list_audiences, ["GET"]),
    (f"{_ACCOUNT}/audiences", audiences.create_audience, ["POST"]),
    (f"{_ACCOUNT}/audiences/{{audience_id}}", audiences.get_audience, ["GET"]),
    (f"{_ACCOUNT}/audiences/{{audience_id}}", audiences.update_audience, ["PATCH"]),
    (f"{_ACCOUNT}/customer_lists", delivery.list_customer_lists, ["GET"]),
    (f"{_ACCOUNT}/customer_lists", delivery.create_customer_list, ["POST"]),
    (
        f"{_ACCOUNT}/customer_lists/{{customer_list_id}}",
        delivery.get_customer_list,
        ["GET"],
    ),
    (
        f"{_ACCOUNT}/customer_lists/{{customer_list_id}}",
        delivery.update_customer_list,
        ["PATCH"],
    ),
    (f"{_ACCOUNT}/events", delivery.send_events, ["POST"]),
    ("/_sandbox/reset", control.reset, ["POST"]),
    ("/_sandbox/faults", control.faults, ["GET", "POST", "DELETE"]),
    ("/_sandbox/settings", control.settings, ["POST"]),
    ("/_sandbox/pixel_hits", control.pixel_hits, ["GET"]),
    ("/_sandbox/events", control.events, ["GET"]),
    ("/ads/audiences", pages.audiences_page, ["GET"]),
    ("/ads/audiences.json", pages.audiences_json, ["GET"]),
]


async def _home(_request: object) -> Response:
    return RedirectResponse("/ads/audiences")


def create_sandbox_app(state: SandboxState | None = None) -> Starlette:
    """Build the sandbox ASGI app around ``state`` (a fresh, seeded one if None).

    Pass your own :class:`SandboxState` to read or change it from a test
    while the app serves.
    """
    state = state or SandboxState()
    pixel = pixel_endpoint(state)
    routes = [Route("/", _home), Route("/v3/", pixel), Route("/v3", pixel)]
    routes += [
        Route(path, pinterest_endpoint(handler, state), methods=methods)
        for path, handler, methods in _ROUTES
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, injector=state.faults)],
    )
    app.state.sandbox = state
    return app
