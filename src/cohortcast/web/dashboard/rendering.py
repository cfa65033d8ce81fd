"""Rendering dashboard pages, redirects with a flash message, and error pages.

Every view goes through :func:`render` so each page gets the same context:
the viewer, their CSRF token, the flash message of the last redirect, the
nav section and the page's JSON twin in the management API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from cohortcast.store.database import Store
from cohortcast.store.errors import ForbiddenError, NotFoundError
from cohortcast.web.dashboard import csrf
from cohortcast.web.dashboard.sessions import SignInRequiredError, Viewer, set_cookie

logger = logging.getLogger(__name__)

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
FLASH_COOKIE = "cohortcast_flash"


def render(
    request: Request,
    template: str,
    viewer: Viewer | None,
    *,
    title: str,
    section: str = "",
    api_twin: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The page ``template`` with the common context and ``context``."""
    flash = request.cookies.get(FLASH_COOKIE)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "csrf_token": csrf.token_for(request, viewer) if viewer else "",
            "flash": unquote(flash) if flash else None,
            "title": title,
            "section": section,
            "api_twin": api_twin,
            **context,
        },
        status_code=status_code,
    )
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(request: Request, url: str, flash: str | None = None) -> Response:
    """A 303 to ``url`` (so a reload never re-submits), showing ``flash`` there."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        set_cookie(request, response, FLASH_COOKIE, quote(flash))
    return response


def store_of(request: Request) -> Store:
    """The application's store."""
    store: Store = request.app.state.store
    return store


def wants_json(request: Request) -> bool:
    """Whether the caller is the dashboard's script, which asks for JSON."""
    return "application/json" in request.headers.get("accept", "")


def problem(request: Request, status_code: int, message: str) -> Response:
    """An error page (or ``{"detail"}`` for the script) with a way back."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return render(
        request,
        "problem.html",
        None,
        title="Something is wrong" if status_code != 404 else "Not found",
        status_code=status_code,
        message=message,
    )


def form_values(source: Mapping[str, str], *names: str) -> dict[str, str]:
    """The named fields of a submitted form, '' for the missing ones."""
    return {name: source.get(name, "") for name in names}


class DashboardRoute(APIRoute):
    """A route that answers the dashboard's expected refusals as pages.

    No session: a redirect to the sign-in page. A bad CSRF token: 403 and
    nothing changed (the view raised before calling the store). An object of
    another workspace or none: 404, so ids of others reveal nothing.
    """

    def get_route_handler(
        self,
    ) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn those refusals into responses."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequiredError:
                return _to_sign_in(request)
            except csrf.CsrfRejectedError:
                logger.info(
                    "Refused %s %s: bad CSRF token", request.method, request.url.path
                )
                return problem(
                    request,
                    403,
                    "This form has expired or did not come from the dashboard, so "
                    "nothing was changed. Go back, reload the page and try again.",
                )
            except (NotFoundError, ForbiddenError) as error:
                message = str(error).replace(
                    "belongs to another workspace", "does not exist"
                )
                return problem(request, 404, message)

        return guarded


def _to_sign_in(request: Request) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": "Sign in again."}, status_code=401)
    target = "/sign-in"
    if request.method == "GET" and request.url.path not in ("/", "/sign-in"):
        target += "?" + urlencode({"next": request.url.path})
    return RedirectResponse(target, status_code=303)
