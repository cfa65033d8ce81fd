"""Gathering what the checks need from the store into one :class:`Snapshot`.

Everything is read here, in a few grouped queries, so the checks themselves
are pure functions of the snapshot and each broken situation is easy to
build in a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cohortcast.collection.sizes import live_sizes
from cohortcast.pinterest.routing import Route
from cohortcast.store.activations import effective_tag_id, list_activations
from cohortcast.store.collection_models import (
    CollectedEvent,
    Membership,
    ReceiptCounter,
)
from cohortcast.store.diagnostics_models import ProfileSignals
from cohortcast.store.integrations import find_pinterest_integration
from cohortcast.store.models import Cohort
from cohortcast.store.routing import load_routing
from cohortcast.store.sdk_sightings import last_config_fetch
from cohortcast.store.workspaces import get_workspace

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class IntegrationFacts:
    """The Pinterest integration as saved."""

    id: str
    name: str
    tag_id: str
    created_at: int


@dataclass(frozen=True)
class ActivationFacts:
    """One activation: its stored Tag ID (None: the default) and cohorts."""

    id: str
    is_default: bool
    tag_id: str | None
    effective_tag_id: str
    cohort_codes: tuple[str, ...]


@dataclass(frozen=True)
class CohortFacts:
    """A cohort, its live size and what its members' browsers reported.

    ``members`` is None before anything was collected (unknown, not zero);
    ``with_signals`` counts the members whose SDK sent signals, and the
    other counts are among those: with Pinterest's cookies, without consent,
    and both with the cookies and with consent (``reachable``).
    """

    code: str
    name: str
    enabled: bool
    members: int | None
    with_signals: int = 0
    identifiable: int = 0
    without_consent: int = 0
    reachable: int = 0


@dataclass(frozen=True)
class PixelFacts:
    """Delivery receipts of one (Tag ID, cohort), counted per hour.

    Counters are hourly, so "last hour" covers the current and previous
    clock hour and "last day" the last 24 to 25 hours.
    """

    last_hour: int
    last_day: int
    last_fired_at: int


@dataclass(frozen=True)
class AudienceFacts:
    """The VISITOR audience Pinterest holds for one (Tag ID, cohort), and the
    ad account holding it."""

    audience_id: str
    status: str | None
    size: int | None
    ad_account_id: str | None = None


@dataclass(frozen=True)
class PinterestFacts:
    """What server-side delivery last learnt from the Ads API.

    ``connection_result`` is the last "Test connection" outcome (None: never
    tested); ``conversion_tag_ids`` the ad account's tags when known;
    ``audiences_synced_version`` the configuration version the last
    successful audience sync worked from (None: none yet).
    """

    ad_account_id: str
    connection_result: str | None = None
    connection_detail: str | None = None
    audiences_error: str | None = None
    audiences_synced_version: int | None = None
    audiences: dict[tuple[str, str], AudienceFacts] = field(default_factory=dict)
    conversion_tag_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """Everything the checks look at, for one workspace at ``now`` (ms)."""

    now: int
    integration: IntegrationFacts | None
    activations: tuple[ActivationFacts, ...] = ()
    routing: tuple[Route, ...] = ()
    cohorts: dict[str, CohortFacts] = field(default_factory=dict)
    pixels: dict[tuple[str, str], PixelFacts] = field(default_factory=dict)
    config_version: int = 1
    config_changed_at: int | None = None
    config_fetched_at: int | None = None
    last_event_at: int | None = None
    pinterest: PinterestFacts | None = None

    def routed_tag_ids(self, code: str) -> list[str]:
        """The Tag IDs the routing sends cohort ``code`` to, sorted."""
        return [r["tag_id"] for r in self.routing if code in r["cohort_codes"]]

    def cohort_label(self, code: str) -> str:
        """``'Travel' (k7d2qa)``: a cohort's name with its code, for sentences."""
        cohort = self.cohorts.get(code)
        return f"'{cohort.name}' ({code})" if cohort else f"'{code}'"

    def routed_codes(self) -> list[str]:
        """Every cohort code some Tag ID receives, sorted."""
        return sorted({code for r in self.routing for code in r["cohort_codes"]})


def gather_facts(
    session: Session,
    workspace_id: str,
    now: int,
    pinterest: PinterestFacts | None = None,
) -> Snapshot:
    """Read the workspace's snapshot; ``pinterest`` replaces stored Ads API facts."""
    workspace = get_workspace(session, workspace_id)
    changed = workspace.config_changed_at
    return Snapshot(
        now=now,
        integration=_integration(session, workspace_id),
        activations=_activations(session, workspace_id),
        routing=tuple(load_routing(session, workspace_id)),
        cohorts=_cohorts(session, workspace_id),
        pixels=_pixels(session, workspace_id, now),
        config_version=workspace.config_version,
        config_changed_at=int(changed.timestamp() * 1000) if changed else None,
        config_fetched_at=last_config_fetch(session, workspace_id),
        last_event_at=session.scalar(
            select(func.max(CollectedEvent.time)).where(
                CollectedEvent.workspace_id == workspace_id
            )
        ),
        pinterest=pinterest,
    )


def _integration(session: Session, workspace_id: str) -> IntegrationFacts | None:
    integration = find_pinterest_integration(session, workspace_id)
    if integration is None:
        return None
    created = int(integration.created_at.timestamp() * 1000)
    return IntegrationFacts(
        integration.id, integration.name, integration.tag_id, created
    )


def _activations(session: Session, workspace_id: str) -> tuple[ActivationFacts, ...]:
    return tuple(
        ActivationFacts(
            id=activation.id,
            is_default=activation.is_default,
            tag_id=activation.tag_id,
            effective_tag_id=effective_tag_id(activation),
            cohort_codes=tuple(cohort.code for cohort in activation.cohorts),
        )
        for activation in list_activations(session, workspace_id)
    )


def _cohorts(session: Session, workspace_id: str) -> dict[str, CohortFacts]:
    sizes = live_sizes(session, workspace_id)
    signals = {
        code: (int(reported), int(cookie or 0), int(refused or 0), int(both or 0))
        for code, reported, cookie, refused, both in session.execute(
            select(
                Membership.cohort_code,
                func.count(),
                _count_where(ProfileSignals.pinterest_cookie),
                _count_where(~ProfileSignals.consent),
                _count_where(ProfileSignals.pinterest_cookie & ProfileSignals.consent),
            )
            .join(ProfileSignals, ProfileSignals.profile_id == Membership.profile_id)
            .where(Membership.workspace_id == workspace_id)
            .group_by(Membership.cohort_code)
        )
    }
    cohorts = {}
    for code, name, enabled in session.execute(
        select(Cohort.code, Cohort.name, Cohort.enabled)
        .where(Cohort.workspace_id == workspace_id)
        .order_by(Cohort.code)
    ):
        reported, cookie, refused, reachable = signals.get(code, (0, 0, 0, 0))
        cohorts[code] = CohortFacts(
            code,
            name,
            enabled,
            members=sizes.members.get(code, 0) if sizes.collected else None,
            with_signals=reported,
            identifiable=cookie,
            without_consent=refused,
            reachable=reachable,
        )
    return cohorts


def _count_where(
    condition: ColumnElement[bool] | InstrumentedAttribute[bool],
) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _pixels(
    session: Session, workspace_id: str, now: int
) -> dict[tuple[str, str], PixelFacts]:
    hour_start = (now - HOUR_MS) // HOUR_MS * HOUR_MS
    day_start = (now - DAY_MS) // HOUR_MS * HOUR_MS
    counter = ReceiptCounter
    rows = session.execute(
        select(
            counter.tag_id,
            counter.cohort_code,
            func.sum(case((counter.hour >= hour_start, counter.count), else_=0)),
            func.sum(case((counter.hour >= day_start, counter.count), else_=0)),
            func.max(counter.last_fired_at),
        )
        .where(counter.workspace_id == workspace_id)
        .group_by(counter.tag_id, counter.cohort_code)
    )
    return {
        (tag_id, code): PixelFacts(int(hour or 0), int(day or 0), int(last))
        for tag_id, code, hour, day, last in rows
    }
