"""Server-side delivery in plain words: statuses, exchanges, errors, times.

What an ad-ops person reads on the Audiences and Delivery log pages. Text
that came from Pinterest passes through :func:`redact` first, so an email,
an access token or a hashed identifier echoed in an error never reaches a
page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cohortcast.delivery.connection import KIND as CONNECTION_TEST
from cohortcast.delivery.connection import step_of

# Pinterest's minimum, also the threshold of the cohort size checks.
MIN_AUDIENCE_SIZE = 100

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_TOKEN = re.compile(r"\bpina_[\w-]+")
_DIGEST = re.compile(r"\b[0-9a-fA-F]{32,}\b")
_AD_ACCOUNT = re.compile(r"/ad_accounts/([0-9]+)")
_ANSWERED = re.compile(r"Pinterest answered ([0-9]{3})")


_CONNECTION_TEST_STEPS = {
    "token": "Connection test: access token",
    "ad_account": "Connection test: ad account",
    "tag": "Connection test: Tag ID",
}


@dataclass(frozen=True)
class Status:
    """A status as a short label, a CSS class, and what it means for the user."""

    label: str
    tone: str
    meaning: str


_AUDIENCE_STATUSES = {
    "READY": Status("Ready", "ok", "Advertisers can target it in Pinterest Ads."),
    "TOO_SMALL": Status(
        "Too small",
        "warning",
        f"Pinterest targets audiences of {MIN_AUDIENCE_SIZE} people or more; "
        "it becomes Ready by itself as more visitors enter the cohort. To grow "
        "it faster, widen the cohort (a longer window, fewer conditions).",
    ),
    "INITIALIZING": Status(
        "Filling",
        "pending",
        "Pinterest is still matching visitors to it; this takes up to a day.",
    ),
}


def audience_status(status: str | None) -> Status:
    """The status Pinterest reported for an audience, in words."""
    if status is None:
        return Status("Unknown", "pending", "Pinterest has not reported a status yet.")
    known = _AUDIENCE_STATUSES.get(status)
    if known is not None:
        return known
    return Status(
        status.replace("_", " ").capitalize(), "pending", "As Pinterest reports it."
    )


def outlook_words(outlook: str) -> Status:
    """A (Tag ID, cohort) Pinterest holds no audience for, in words."""
    if outlook == "awaiting_sync":
        return Status(
            "Not created yet",
            "pending",
            "The next delivery pass creates it, within seconds of the change.",
        )
    if outlook == "not_in_ad_account":
        return Status(
            "Other account",
            "info",
            "No ad account this token may use owns this Tag ID: browsers still "
            "send the cohort to it, and its own account makes the audience. To "
            "deliver server-side too, give the token's user access to that ad "
            "account in Pinterest Business Manager.",
        )
    return Status(
        "No longer routed",
        "pending",
        "The cohort is no longer sent to this Tag ID; the next sync archives "
        "the audience.",
    )


def what_was_sent(kind: str, method: str, path: str) -> str:
    """The exchange's purpose, from its kind, method and path."""
    tail = path.split("?", 1)[0].rstrip("/")
    if kind == "conversions":
        return "Conversions API batch"
    if kind == CONNECTION_TEST:
        return _CONNECTION_TEST_STEPS[step_of(path)]
    if kind == "customer_list":
        return {
            "GET": "Customer list lookup",
            "POST": "Customer list create",
        }.get(method, "Customer list update")
    if kind == "audience_sync":
        if tail.endswith("/conversion_tags"):
            return "Audience sync: read Tag IDs"
        return {
            "GET": "Audience sync: list audiences",
            "POST": "Audience create",
        }.get(method, "Audience update")
    return kind.replace("_", " ").capitalize()


def ad_account_of(path: str) -> str | None:
    """The ad account a request path names, if it names one."""
    match = _AD_ACCOUNT.search(path)
    return match.group(1) if match else None


def accepted(status: int) -> bool:
    """Whether Pinterest accepted an exchange with this HTTP status."""
    return 0 < status < 400


def what_to_do(status: int) -> str:
    """What a failed exchange means for delivery, and what the user should do."""
    if status == 0:
        return (
            "Pinterest could not be reached (network error or timeout). "
            "Cohortcast retries by itself; nothing is lost."
        )
    if status == 401:
        return (
            "Pinterest refused the access token. Create a new token in "
            "Pinterest's developer apps and enter it again; delivery waits "
            "until then."
        )
    if status == 403:
        return (
            "The token's user may not use this ad account. Ask the account's "
            "owner for access, or enter a token of a user who has it."
        )
    if status == 404:
        return (
            "Pinterest does not know this ad account or object. Check the ad "
            "account ID (Pinterest Business Manager > Ad accounts)."
        )
    if status == 429:
        return (
            "Pinterest's rate limit was reached. Cohortcast waits as Pinterest "
            "asks and retries by itself."
        )
    if status >= 500:
        return "Pinterest failed for a moment. Cohortcast retries by itself."
    return (
        "Pinterest refused the request and it is not retried. Its message "
        "says why; if it names a field Cohortcast sent, report it as a bug."
    )


def error_advice(error: str) -> str:
    """:func:`what_to_do` for an error stored as text (an outbox row's)."""
    match = _ANSWERED.search(error)
    return what_to_do(int(match.group(1)) if match else 0)


def redact(text: str | None) -> str:
    """``text`` without emails, access tokens or hashed identifiers."""
    if not text:
        return ""
    text = _EMAIL.sub("[email]", text)
    text = _TOKEN.sub("[token]", text)
    return _DIGEST.sub("[hashed id]", text)


def when(ms: int | None) -> str:
    """A stored time as ``2026-12-03 18:40:05 UTC``; '' when unknown."""
    if ms is None:
        return ""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
