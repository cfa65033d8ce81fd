"""Delivery in words: what each exchange was, what an error means, and no
personal data or token from Pinterest's messages on a page."""

from __future__ import annotations

import pytest

from cohortcast.web.dashboard import delivery_words as words

ACCOUNT = "/ad_accounts/549755885175"


@pytest.mark.parametrize(
    ("kind", "method", "path", "expected"),
    [
        ("conversions", "POST", f"{ACCOUNT}/events?test=true", "Conversions API batch"),
        ("audience_sync", "POST", f"{ACCOUNT}/audiences", "Audience create"),
        ("audience_sync", "PATCH", f"{ACCOUNT}/audiences/1", "Audience update"),
        (
            "audience_sync",
            "GET",
            f"{ACCOUNT}/audiences",
            "Audience sync: list audiences",
        ),
        (
            "audience_sync",
            "GET",
            f"{ACCOUNT}/conversion_tags",
            "Audience sync: read Tag IDs",
        ),
        ("customer_list", "GET", f"{ACCOUNT}/customer_lists", "Customer list lookup"),
        ("customer_list", "POST", f"{ACCOUNT}/customer_lists", "Customer list create"),
        (
            "customer_list",
            "PATCH",
            f"{ACCOUNT}/customer_lists/9",
            "Customer list update",
        ),
        ("connection_test", "GET", "/user_account", "Connection test: access token"),
        ("connection_test", "GET", ACCOUNT, "Connection test: ad account"),
        (
            "connection_test",
            "GET",
            f"{ACCOUNT}/conversion_tags",
            "Connection test: Tag ID",
        ),
        ("something_new", "GET", "/x", "Something new"),
    ],
)
def test_each_exchange_is_named_by_what_it_did(
    kind: str, method: str, path: str, expected: str
) -> None:
    assert words.what_was_sent(kind, method, path) == expected


def test_the_ad_account_comes_from_the_path_when_it_names_one() -> None:
    assert words.ad_account_of(f"{ACCOUNT}/events") == "549755885175"
    assert words.ad_account_of("/user_account") is None


@pytest.mark.parametrize(
    ("status", "start"),
    [
        (0, "Pinterest could not be reached"),
        (401, "Pinterest refused the access token."),
        (403, "The token's user may not use this ad account."),
        (404, "Pinterest does not know this ad account"),
        (429, "Pinterest's rate limit was reached."),
        (503, "Pinterest failed for a moment."),
        (400, "Pinterest refused the request and it is not retried."),
    ],
)
def test_every_failure_says_what_it_means_and_what_to_do(
    status: int, start: str
) -> None:
    assert words.what_to_do(status).startswith(start)
    assert words.accepted(status) is False


def test_a_stored_error_is_explained_by_the_status_it_quotes() -> None:
    stored = "Pinterest answered 401 (code 2) to GET /x: Authentication failed."

    assert words.error_advice(stored) == words.what_to_do(401)
    assert words.error_advice("Pinterest failed to GET /x: timed out") == (
        words.what_to_do(0)
    )


def test_emails_tokens_and_hashes_never_reach_a_page() -> None:
    message = (
        "Record someone.else+ads@example.co.uk with token pina_AbC-123 and "
        f"hash {'ab' * 32} was refused"
    )

    assert words.redact(message) == (
        "Record [email] with token [token] and hash [hashed id] was refused"
    )
    assert words.redact(None) == ""


def test_statuses_pinterest_may_add_later_still_read_well() -> None:
    assert words.audience_status("READY").label == "Ready"
    assert words.audience_status("UPDATING").label == "Updating"
    assert words.audience_status(None).label == "Unknown"


def test_times_are_shown_in_utc_to_the_second() -> None:
    assert words.when(1_796_000_000_000) == "2026-11-30 00:53:20 UTC"
    assert words.when(None) == ""
