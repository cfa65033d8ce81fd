"""VISITOR audiences for activated cohorts, and the plan that keeps them right.

The SDK fires the Pinterest pixel with ``event=custom`` and
``ed={"cohort_code": ..., "event_id": ...}`` for every cohort routed to a
Tag ID. The audience that matches exactly those visitors is a VISITOR audience
whose rule names the Tag ID, the event and the cohort code in ``event_data``.

Cohortcast's design writes the rule as ``{visitor_source_id: [tag], ...}``;
Pinterest's OpenAPI description types ``visitor_source_id`` as one string,
so the schema's spelling is sent (the sandbox accepts both).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ._models import (
    Audience,
    AudienceCreateRequest,
    AudienceRule,
    AudienceUpdateRequest,
)
from ._requests import ApiRequest, create_audience, update_audience

PIXEL_EVENT = "custom"


@dataclass(frozen=True)
class CohortAudience:
    """The VISITOR audience one activated cohort should have for one Tag ID."""

    tag_id: str
    cohort_code: str
    cohort_name: str

    @property
    def name(self) -> str:
        """The audience name shown in Ads > Audiences."""
        return audience_name(self.cohort_name, self.cohort_code)


def audience_name(cohort_name: str, cohort_code: str) -> str:
    """Name an audience after its cohort; the code keeps names unique."""
    return f"{cohort_name} (Cohortcast {cohort_code})"


def visitor_audience_rule(
    tag_id: str, cohort_code: str, event: str = PIXEL_EVENT
) -> AudienceRule:
    """The rule matching the pixel events the SDK sends for one cohort and Tag ID."""
    return AudienceRule(
        visitor_source_id=tag_id,
        event=event,
        event_data={"cohort_code": cohort_code},
    )


def visitor_audience(
    cohort: CohortAudience, event: str = PIXEL_EVENT
) -> AudienceCreateRequest:
    """The body that creates the VISITOR audience of ``cohort``."""
    return AudienceCreateRequest(
        name=cohort.name,
        audience_type="VISITOR",
        rule=visitor_audience_rule(cohort.tag_id, cohort.cohort_code, event),
        description=f"Visitors in Cohortcast cohort {cohort.cohort_code}.",
    )


def cohort_of(audience: Audience, event: str = PIXEL_EVENT) -> tuple[str, str] | None:
    """``(tag_id, cohort_code)`` when Cohortcast manages ``audience``, else None.

    Only audiences whose rule is a Cohortcast cohort rule are managed, so a
    publisher's own audiences in the same ad account are never touched.
    """
    rule = audience.rule
    if audience.audience_type != "VISITOR" or rule is None or rule.event != event:
        return None
    code = (rule.event_data or {}).get("cohort_code")
    if not isinstance(code, str) or not rule.visitor_source_id:
        return None
    return rule.visitor_source_id, code


def plan_audience_changes(
    ad_account_id: str,
    existing: Iterable[Audience],
    wanted: Iterable[CohortAudience],
    event: str = PIXEL_EVENT,
    *,
    tag_ids: Collection[str] | None = None,
) -> list[ApiRequest[Audience]]:
    """The requests that make the ad account's cohort audiences match ``wanted``.

    A wanted cohort without an audience gets one created; one whose cohort was
    renamed gets renamed; a managed audience no longer wanted (cohort
    deactivated, or routed to another Tag ID) is archived with REMOVE, and so
    is any duplicate. Running the plan twice changes nothing the second time.
    Given ``tag_ids``, only cohort audiences of those Tag IDs are managed:
    in an ad account shared with others, theirs are left alone.
    """
    managed: dict[tuple[str, str], Audience] = {}
    plan: list[ApiRequest[Audience]] = []
    for audience in sorted(existing, key=lambda item: int(item.id)):
        key = cohort_of(audience, event)
        if key is None or (tag_ids is not None and key[0] not in tag_ids):
            continue
        if key in managed:
            plan.append(_archive(ad_account_id, audience))
        else:
            managed[key] = audience

    wanted_keys = set()
    for cohort in wanted:
        key = (cohort.tag_id, cohort.cohort_code)
        wanted_keys.add(key)
        current = managed.get(key)
        if current is None:
            plan.append(create_audience(ad_account_id, visitor_audience(cohort, event)))
        elif current.name != cohort.name:
            rename = AudienceUpdateRequest(name=cohort.name, operation_type="UPDATE")
            plan.append(update_audience(ad_account_id, current.id, rename))

    plan.extend(
        _archive(ad_account_id, audience)
        for key, audience in managed.items()
        if key not in wanted_keys
    )
    return plan


def _archive(ad_account_id: str, audience: Audience) -> ApiRequest[Audience]:
    change = AudienceUpdateRequest(operation_type="REMOVE")
    return update_audience(ad_account_id, audience.id, change)
