"""Conversions API events for cohort entries, deduplicated against the pixel.

The pixel and the Conversions API share one event id scheme,
``cc.{cohort_code}.{visitor_id}.{fired_at_ms}``, and one event name
(``custom``), so Pinterest counts a cohort entry once when both paths
deliver it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..identifiers import hash_email, hash_maid
from ._models import (
    ConversionEvent,
    ConversionUserData,
    EventName,
    validate_conversion_event,
)

EVENT_ID_PREFIX = "cc"


def cohort_event_id(cohort_code: str, visitor_id: str, fired_at_ms: int) -> str:
    """The event id of a cohort entry (or refresh) fired at ``fired_at_ms``."""
    return f"{EVENT_ID_PREFIX}.{cohort_code}.{visitor_id}.{fired_at_ms}"


def parse_cohort_event_id(event_id: str) -> tuple[str, str, int] | None:
    """``(cohort_code, visitor_id, fired_at_ms)`` of a cohort event id, else None."""
    prefix, _, rest = event_id.partition(".")
    code, _, rest = rest.partition(".")
    visitor_id, _, fired_at = rest.rpartition(".")
    if prefix != EVENT_ID_PREFIX or not code or not visitor_id:
        return None
    if not fired_at.isdigit():
        return None
    return code, visitor_id, int(fired_at)


def cohort_conversion_event(
    cohort_code: str,
    visitor_id: str,
    fired_at_ms: int,
    *,
    emails: Sequence[str] = (),
    maids: Sequence[str] = (),
    client_ip_address: str | None = None,
    client_user_agent: str | None = None,
    event_source_url: str | None = None,
    event_name: EventName = "custom",
) -> ConversionEvent:
    """A server-side ``custom`` event for a visitor entering a cohort.

    Emails and MAIDs may be raw or already SHA-256 digests; they are
    normalised and hashed here. Pinterest needs at least one email, one MAID,
    or the IP address with the user agent; otherwise ``ValidationError``.
    The cohort code travels in ``custom_data.content_ids``, the only free
    list the schema allows there.
    """
    user_data: ConversionUserData = {}
    if emails:
        user_data["em"] = [hash_email(email) for email in emails]
    if maids:
        user_data["hashed_maids"] = [hash_maid(maid) for maid in maids]
    if client_ip_address is not None:
        user_data["client_ip_address"] = client_ip_address
    if client_user_agent is not None:
        user_data["client_user_agent"] = client_user_agent

    event: ConversionEvent = {
        "event_name": event_name,
        "action_source": "web",
        "event_time": fired_at_ms // 1000,
        "event_id": cohort_event_id(cohort_code, visitor_id, fired_at_ms),
        "user_data": user_data,
        "custom_data": {"content_ids": [cohort_code]},
    }
    if event_source_url is not None:
        event["event_source_url"] = event_source_url
    return validate_conversion_event(event)
