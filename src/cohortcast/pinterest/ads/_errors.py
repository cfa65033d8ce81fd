"""Typed errors of the Ads API client, and the one place that builds them.

Every failed exchange with Pinterest becomes one :class:`AdsApiError` subclass
carrying Pinterest's ``code`` and ``message``, whether it may be retried, and
how long to wait first when Pinterest said so. An outbox worker needs nothing
else to decide between "retry later" and "record and give up".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx


class AdsApiError(Exception):
    """A request to the Pinterest Ads API failed.

    ``status`` is the HTTP status (0 when no answer arrived), ``code`` and
    ``message`` are Pinterest's, ``retryable`` tells whether sending the same
    request again may succeed, and ``retry_after`` is the delay in seconds
    Pinterest asked for, if any.
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: int | None = None,
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        status = f" answered {self.status}" if self.status else " failed"
        code = f" (code {self.code})" if self.code is not None else ""
        return f"Pinterest{status}{code} to {where}: {self.message}"


class AuthenticationError(AdsApiError):
    """401: the access token is missing, invalid or expired; renew it."""


class PermissionDenied(AdsApiError):  # noqa: N818 (named after the HTTP answer)
    """403: the token's user may not act on this ad account or object."""


class NotFound(AdsApiError):  # noqa: N818 (named after the HTTP answer)
    """404: the ad account, audience or customer list does not exist."""


class InvalidRequest(AdsApiError):  # noqa: N818 (named after the HTTP answer)
    """400, 422 or another 4xx: Pinterest rejected the request as built."""


class RateLimited(AdsApiError):  # noqa: N818 (named after the HTTP answer)
    """429: too many calls; retry after ``retry_after`` seconds or a backoff."""

    retryable = True


class ServerError(AdsApiError):
    """5xx: Pinterest failed; the same request may succeed later."""

    retryable = True


class NetworkError(AdsApiError):
    """No answer: the connection failed or the request timed out."""

    retryable = True


_BY_STATUS: dict[int, type[AdsApiError]] = {
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    429: RateLimited,
}


def error_from_response(response: httpx.Response) -> AdsApiError:
    """Translate a non-2xx answer into the matching :class:`AdsApiError`."""
    status = response.status_code
    code, message = _read_error_body(response)
    if status >= 500:
        kind: type[AdsApiError] = ServerError
    else:
        kind = _BY_STATUS.get(status, InvalidRequest)
    return kind(
        message,
        status=status,
        code=code,
        method=response.request.method,
        path=response.request.url.path,
        retry_after=_retry_after_seconds(response.headers.get("retry-after")),
    )


def error_from_transport(
    exc: httpx.TransportError, method: str, path: str
) -> NetworkError:
    """Translate an httpx transport failure (timeout, refused connection)."""
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return NetworkError(f"the request {kind} ({detail})", method=method, path=path)


def _read_error_body(response: httpx.Response) -> tuple[int | None, str]:
    # Pinterest answers {"code", "message"}; a proxy in between may not.
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = body.get("code")
        return (code if isinstance(code, int) else None), body["message"]
    text = response.text.strip()[:200]
    return None, text or response.reason_phrase or f"HTTP {response.status_code}"


def _retry_after_seconds(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
