"""Group "Audience smaller than the cohort": how many members Pinterest can
identify, and how many may not be sent at all.

The SDK reports per batch whether Pinterest's own cookies exist (never their
values) and whether activation is allowed; the shares here are over the
members whose browsers reported.
"""

from __future__ import annotations

from cohortcast.diagnostics._facts import CohortFacts, Snapshot
from cohortcast.diagnostics._model import Check, Status
from cohortcast.diagnostics._wording import plural, share

# Below this share of identifiable members the audience is much smaller than
# the cohort: worth a warning, since there are ways to raise it.
MIN_IDENTIFIABLE_SHARE = 0.5
# Above this share without consent, the consent banner costs most of the audience.
MAX_WITHOUT_CONSENT_SHARE = 0.2

SERVER_SIDE = (
    "enter an ad account and token under Settings > Integrations > Pinterest > Edit so "
    "identified members (hashed emails) also reach Pinterest as customer lists"
)


def audience_size_checks(snapshot: Snapshot) -> list[Check]:
    """Two checks per routed cohort with members."""
    checks = []
    for code in snapshot.routed_codes():
        cohort = snapshot.cohorts[code]
        if cohort.members:
            checks += [_identifiable(cohort), _consent(cohort)]
    return checks


def _check(
    id_: str, title: str, status: Status, evidence: str, fix: str | None
) -> Check:
    return Check(id_, "audience_size", title, status, evidence, fix)


def _no_signals(id_: str, title: str, cohort: CohortFacts) -> Check:
    return _check(
        id_,
        title,
        "warning",
        f"None of the {plural(cohort.members or 0, 'member')} of '{cohort.name}' "
        "has reported signals, so the share is unknown.",
        "Serve the current SDK (GET /sdk/v1/cohortcast.js); it reports signals "
        "with every batch.",
    )


def _identifiable(cohort: CohortFacts) -> Check:
    id_ = f"audience_size.identifiable.{cohort.code}"
    title = f"Members of '{cohort.name}' Pinterest can identify"
    reported = cohort.with_signals
    if not reported:
        return _no_signals(id_, title, cohort)

    members = cohort.members or 0
    # Only members with the cookie AND consent can end up in the audience.
    expected = round(members * cohort.reachable / reported)
    evidence = (
        f"{cohort.identifiable:,} of {plural(reported, 'reporting member')} "
        f"({share(cohort.identifiable, reported)}) have Pinterest's cookies; "
        f"{cohort.reachable:,} of them also allowed activation. Expect Pinterest's "
        f"audience to hold about {expected:,} of the cohort's "
        f"{plural(members, 'member')} ({share(cohort.reachable, reported)})."
    )
    if cohort.identifiable / reported >= MIN_IDENTIFIABLE_SHARE:
        return _check(id_, title, "ok", evidence, None)
    return _check(
        id_,
        title,
        "warning",
        evidence,
        "Add Pinterest's base tag to the site so Pinterest sets its first-party "
        f"cookie for more visitors, or {SERVER_SIDE}.",
    )


def _consent(cohort: CohortFacts) -> Check:
    id_ = f"audience_size.consent.{cohort.code}"
    title = f"Members of '{cohort.name}' with consent"
    reported = cohort.with_signals
    if not reported:
        return _no_signals(id_, title, cohort)

    refused = cohort.without_consent
    evidence = (
        f"{refused:,} of {plural(reported, 'reporting member')} "
        f"({share(refused, reported)}) did not allow activation; the SDK sends "
        "them to no Tag ID, by design."
    )
    if refused / reported <= MAX_WITHOUT_CONSENT_SHARE:
        return _check(id_, title, "ok", evidence, None)
    return _check(
        id_,
        title,
        "warning",
        evidence,
        "Check the consent banner: activation needs TCF purposes 1, 3 and 4 "
        "(docs/sdk.md), and a visitor with Global Privacy Control is never sent.",
    )
