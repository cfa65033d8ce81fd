import httpx
import pytest

from cohortcast.pinterest.ads import (
    AdsApiError,
    AuthenticationError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    error_from_response,
)

REQUEST = httpx.Request("POST", "https://api.pinterest.com/v5/ad_accounts/1/events")


def answer(status: int, body: object = None, **headers: str) -> AdsApiError:
    if body is None:
        body = {"code": 7, "message": "Pinterest says no."}
    response = httpx.Response(status, json=body, headers=headers, request=REQUEST)
    return error_from_response(response)


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (400, InvalidRequest, False),
        (401, AuthenticationError, False),
        (403, PermissionDenied, False),
        (404, NotFound, False),
        (409, InvalidRequest, False),
        (422, InvalidRequest, False),
        (429, RateLimited, True),
        (500, ServerError, True),
        (503, ServerError, True),
    ],
)
def test_each_status_becomes_its_typed_error(
    status: int, kind: type[AdsApiError], retryable: bool
) -> None:
    error = answer(status)
    assert type(error) is kind
    assert error.retryable is retryable
    assert (error.status, error.code, error.message) == (
        status,
        7,
        "Pinterest says no.",
    )


def test_the_error_sentence_names_the_call_and_quotes_pinterest() -> None:
    error = answer(400)
    assert str(error) == (
        "Pinterest answered 400 (code 7) to POST /v5/ad_accounts/1/events: "
        "Pinterest says no."
    )


def test_retry_after_seconds_are_read_from_the_header() -> None:
    assert answer(429, **{"Retry-After": "3"}).retry_after == 3.0
    assert answer(429).retry_after is None


def test_a_body_that_is_not_pinterests_still_gives_a_message() -> None:
    response = httpx.Response(502, text="<html>Bad Gateway</html>", request=REQUEST)
    error = error_from_response(response)
    assert isinstance(error, ServerError)
    assert error.code is None
    assert "Bad Gateway" in error.message
