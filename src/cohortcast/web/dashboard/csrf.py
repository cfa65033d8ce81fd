"""CSRF protection: every form and the toggle's fetch carry a token.

A signed-in form's token is an HMAC of the session cookie, so it needs no
storage and changes with every session. The sign-in form has no session yet:
it gets a random nonce in its own cookie and the HMAC of that nonce in the
form, so a page on another site can read neither.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from cohortcast.web.dashboard.sessions import Viewer, dashboard_keys

FIELD_NAME = "csrf_token"
HEADER_NAME = "X-CSRF-Token"
SIGN_IN_COOKIE = "cohortcast_sign_in"


class CsrfRejectedError(Exception):
    """The request's CSRF token is missing or wrong; nothing may change."""


def token_for(request: Request, viewer: Viewer) -> str:
    """The CSRF token of the viewer's session."""
    key = dashboard_keys(request).csrf
    return _mac(key, viewer.session_token)


def check_token(request: Request, viewer: Viewer, submitted: str | None) -> None:
    """Raise :class:`CsrfRejectedError` unless the field or header token is right."""
    candidate = submitted or request.headers.get(HEADER_NAME) or ""
    if not hmac.compare_digest(candidate, token_for(request, viewer)):
        raise CsrfRejectedError


def new_sign_in_nonce() -> str:
    """A fresh nonce for the sign-in cookie."""
    return secrets.token_urlsafe(24)


def sign_in_token(request: Request, nonce: str) -> str:
    """The sign-in form's token for the nonce in its cookie."""
    return _mac(dashboard_keys(request).sign_in, nonce)


def check_sign_in_token(request: Request, submitted: str | None) -> None:
    """Raise :class:`CsrfRejectedError` unless the form's token matches the cookie."""
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    if not nonce or not submitted:
        raise CsrfRejectedError
    if not hmac.compare_digest(submitted, sign_in_token(request, nonce)):
        raise CsrfRejectedError


def _mac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
