"""Reading dashboard pages in tests: form tokens, errors and flash messages."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response

EMAIL = "ana@example.com"
PASSWORD = "correct horse battery"
TAG_ID = "2612345678901"
OTHER_TAG_ID = "2698765432109"

PostForm = Callable[..., Response]

_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')
_ERROR = re.compile(r'<p class="error[^"]*"[^>]*>(.*?)</p>', re.S)
_FLASH = re.compile(r'<p class="flash"[^>]*>(.*?)</p>', re.S)


def csrf_token(page: Response) -> str:
    """The CSRF token of the first form on ``page``."""
    match = _TOKEN.search(page.text)
    assert match is not None, f"no CSRF token on {page.url}"
    return match.group(1)


def errors_on(page: Response) -> list[str]:
    """The error messages shown on ``page`` (HTML entities left as they are)."""
    return [" ".join(text.split()) for text in _ERROR.findall(page.text)]


def flash_on(page: Response) -> str | None:
    """The flash message shown on ``page``, if any."""
    match = _FLASH.search(page.text)
    return match.group(1) if match else None


def sign_in(
    client: TestClient, email: str = EMAIL, password: str = PASSWORD
) -> Response:
    """Fill in and send the sign-in form as a browser would."""
    form = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"csrf_token": csrf_token(form), "email": email, "password": password},
        follow_redirects=False,
    )
