"""Signing in and out of the dashboard, and the front door ``/``."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from cohortcast.settings import Settings
from cohortcast.store.database import Store
from cohortcast.store.models import User
from cohortcast.store.users import authenticate_user
from cohortcast.web.dashboard import csrf
from cohortcast.web.dashboard.forms import SubmissionDep
from cohortcast.web.dashboard.rendering import DashboardRoute, redirect, render
from cohortcast.web.dashboard.sessions import (
    COOKIE_NAME,
    dashboard_keys,
    find_viewer,
    issue_session,
    set_cookie,
)
from cohortcast.web.dashboard.throttle import SignInThrottle

logger = logging.getLogger(__name__)

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

WRONG_PASSWORD = "Email or password is incorrect."
HOME = "/cohorts"


@router.get("/")
def front_door(request: Request) -> Response:
    """Signed in: the cohorts; otherwise the sign-in page."""
    target = HOME if find_viewer(request) else "/sign-in"
    return RedirectResponse(target, status_code=303)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = HOME) -> Response:
    """The sign-in form, with a fresh pre-session CSRF nonce."""
    if find_viewer(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_form(request, email="", next_url=next)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """Check the password; on success set the session cookie and go on."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    csrf.check_sign_in_token(request, fields.get(csrf.FIELD_NAME))
    email = fields.get("email", "").strip()
    next_url = fields.get("next", HOME)

    throttle = _throttle(request)
    address = request.client.host if request.client else "unknown"
    # Waiting here, not after the check, also slows guesses sent in parallel.
    await asyncio.sleep(throttle.delay(email, address))
    user = await run_in_threadpool(_authenticate, request, email, fields)
    if user is None:
        throttle.failed(email, address)
        logger.info("Dashboard sign-in failed from %s", address)
        return _sign_in_form(
            request, email=email, next_url=next_url, error=WRONG_PASSWORD, status=401
        )

    throttle.succeeded(email, address)
    logger.info("Dashboard sign-in: user %s from %s", user.id, address)
    response = redirect(request, _safe_next(next_url))
    set_cookie(
        request,
        response,
        COOKIE_NAME,
        issue_session(dashboard_keys(request).session, user),
    )
    response.delete_cookie(csrf.SIGN_IN_COOKIE, path="/")
    return response


@router.post("/sign-out")
def sign_out(request: Request, submission: SubmissionDep) -> Response:
    """End the session (a POST with the CSRF token, so no link can sign you out)."""
    logger.info("Dashboard sign-out: user %s", submission.viewer.user_id)
    response = redirect(request, "/sign-in", "You are signed out.")
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


def _sign_in_form(
    request: Request,
    *,
    email: str,
    next_url: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    nonce = request.cookies.get(csrf.SIGN_IN_COOKIE) or csrf.new_sign_in_nonce()
    response = render(
        request,
        "sign_in.html",
        None,
        title="Sign in",
        status_code=status,
        email=email,
        next_url=_safe_next(next_url),
        error=error,
        sign_in_token=csrf.sign_in_token(request, nonce),
    )
    set_cookie(request, response, csrf.SIGN_IN_COOKIE, nonce)
    return response


def _authenticate(request: Request, email: str, fields: dict[str, str]) -> User | None:
    store: Store = request.app.state.store
    with store.read() as session:
        return authenticate_user(session, email, fields.get("password", ""))


def _throttle(request: Request) -> SignInThrottle:
    throttle: SignInThrottle | None = getattr(
        request.app.state, "sign_in_throttle", None
    )
    if throttle is None:
        settings: Settings = request.app.state.settings
        throttle = SignInThrottle(settings.sign_in_delay_seconds)
        request.app.state.sign_in_throttle = throttle
    return throttle


def _safe_next(target: str) -> str:
    # Only paths on this site: '//evil.example' or 'https://...' would send the
    # user elsewhere right after they signed in.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME
