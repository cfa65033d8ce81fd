"""Dashboard sessions: a signed, expiring cookie instead of a sessions table.

The cookie holds ``user_id.issued_at.nonce.fingerprint.signature``; the
random nonce makes every session (and so its CSRF token) distinct. The fingerprint
is an HMAC of the user's password hash, so changing the password ends every
session made with the old one; the signature is an HMAC-SHA256 of the rest
under the key derived for sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

from cohortcast.secrets import key_for, load_secret_key
from cohortcast.settings import Settings
from cohortcast.store.database import Store
from cohortcast.store.models import User

COOKIE_NAME = "cohortcast_session"
LIFETIME_SECONDS = 12 * 60 * 60


@dataclass(frozen=True)
class DashboardKeys:
    """The keys the dashboard signs with, each derived for one purpose."""

    session: bytes
    csrf: bytes
    sign_in: bytes


@dataclass(frozen=True)
class Viewer:
    """The signed-in user, their workspace and the raw session cookie."""

    user_id: str
    email: str
    workspace_id: str
    session_token: str


class SignInRequiredError(Exception):
    """Raised by views when the request has no valid session."""


def dashboard_keys(request: Request) -> DashboardKeys:
    """The app's dashboard keys, loaded on first use.

    Loaded lazily so that an app which never serves the dashboard (API tests,
    the CLI) never reads or creates a key file.
    """
    keys: DashboardKeys | None = getattr(request.app.state, "dashboard_keys", None)
    if keys is None:
        secret = load_secret_key(request.app.state.settings)
        keys = DashboardKeys(
            session=key_for(secret, "session"),
            csrf=key_for(secret, "csrf"),
            sign_in=key_for(secret, "sign-in"),
        )
        request.app.state.dashboard_keys = keys
    return keys


def issue_session(key: bytes, user: User, now: float | None = None) -> str:
    """A new session cookie value for ``user``."""
    issued_at = int(time.time() if now is None else now)
    nonce = secrets.token_hex(8)
    fingerprint = _fingerprint(key, user.password_hash)
    payload = f"{user.id}.{issued_at}.{nonce}.{fingerprint}"
    return f"{payload}.{_sign(key, payload)}"


def find_viewer(request: Request) -> Viewer | None:
    """The viewer of a request with a valid, unexpired session, or None."""
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    key = dashboard_keys(request).session
    parts = token.split(".")
    if len(parts) != 5:
        return None
    user_id, issued_at, _nonce, fingerprint, signature = parts
    if not issued_at.isdigit():
        return None
    if not hmac.compare_digest(signature, _sign(key, ".".join(parts[:4]))):
        return None
    age = time.time() - int(issued_at)
    if not 0 <= age <= LIFETIME_SECONDS:
        return None

    store: Store = request.app.state.store
    with store.read() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        if not hmac.compare_digest(fingerprint, _fingerprint(key, user.password_hash)):
            return None
        return Viewer(user.id, user.email, user.workspace_id, token)


def require_viewer(request: Request) -> Viewer:
    """The viewer, or :class:`SignInRequiredError` (the route redirects to sign in)."""
    viewer = find_viewer(request)
    if viewer is None:
        raise SignInRequiredError
    return viewer


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """Set a dashboard cookie: HTTP-only, SameSite=Lax, Secure over HTTPS."""
    settings: Settings = request.app.state.settings
    response.set_cookie(
        name,
        value,
        max_age=LIFETIME_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies or request.url.scheme == "https",
    )


def _fingerprint(key: bytes, password_hash: str) -> str:
    digest = hmac.new(key, b"password:" + password_hash.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _sign(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
