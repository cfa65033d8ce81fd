"""Group "Cohorts not appearing in Pinterest": activated, big enough, pixels
fired for it, and (with API credentials) what Pinterest holds."""

from __future__ import annotations

from cohortcast.diagnostics._facts import CohortFacts, PinterestFacts, Snapshot
from cohortcast.diagnostics._model import Check, Status
from cohortcast.diagnostics._wording import ago, plural

# Pinterest does not target an audience of fewer people.
PINTEREST_MINIMUM = 100


def cohort_checks(snapshot: Snapshot) -> list[Check]:
    """Per cohort: activated, members, pixels, and Pinterest's audience."""
    if snapshot.integration is None:
        return []
    routed = set(snapshot.routed_codes())
    checks = [
        _activated(snapshot, cohort)
        for cohort in snapshot.cohorts.values()
        if cohort.code not in routed
    ]
    facts = snapshot.pinterest
    if facts is not None:
        checks.append(_tag_in_ad_account(facts))
    for code in sorted(routed):
        cohort = snapshot.cohorts[code]
        checks += [_members(cohort), _pixels(snapshot, cohort)]
        if facts is not None:
            checks.append(_audience(snapshot, facts, cohort))
    return checks


def _check(
    id_: str, title: str, status: Status, evidence: str, fix: str | None
) -> Check:
    return Check(id_, "cohorts", title, status, evidence, fix)


def _label(cohort: CohortFacts) -> str:
    return f"'{cohort.name}' ({cohort.code})"


def _activated(snapshot: Snapshot, cohort: CohortFacts) -> Check:
    id_ = f"cohorts.activated.{cohort.code}"
    title = f"Cohort {_label(cohort)} activated"
    in_activation = any(cohort.code in a.cohort_codes for a in snapshot.activations)
    if in_activation and not cohort.enabled:
        return _check(
            id_,
            title,
            "warning",
            f"Cohort {_label(cohort)} is in an activation but disabled, so no Tag "
            "ID receives it.",
            "Enable the cohort on its page under Cohorts, or take it out of the "
            "activation under Cohort Activation.",
        )
    # Most workspaces keep cohorts they do not send anywhere (for analysis,
    # or as building blocks of other cohorts): worth knowing, not a problem.
    return _check(
        id_,
        title,
        "info",
        f"Cohort {_label(cohort)} is not activated, so it does not appear in "
        "Pinterest.",
        "If it should, open it under Cohorts and turn the Pinterest toggle on, or "
        "add it to an activation under Cohort Activation.",
    )


def _members(cohort: CohortFacts) -> Check:
    id_ = f"cohorts.members.{cohort.code}"
    title = f"Cohort {_label(cohort)} has at least {PINTEREST_MINIMUM} members"
    if cohort.members is None:
        return _check(
            id_,
            title,
            "warning",
            "No event has been collected yet, so the cohort's size is unknown.",
            "Put the snippet from Settings > Snippet on the site; sizes appear "
            "with the first events.",
        )
    members = plural(cohort.members, "member")
    if cohort.members == 0:
        return _check(
            id_,
            title,
            "failing",
            f"Cohort {_label(cohort)} has no members, so no browser fires a pixel "
            "for it.",
            "Open the cohort under Cohorts and compare its definition with the "
            "events the site sends (event names and properties must match exactly); "
            "the predicted size shows the effect of a change before you save it.",
        )
    if cohort.members < PINTEREST_MINIMUM:
        return _check(
            id_,
            title,
            "warning",
            f"Cohort {_label(cohort)} has {members}; Pinterest does not target "
            f"audiences of fewer than {PINTEREST_MINIMUM}.",
            "Wait for more visitors, or widen the definition (a longer window or a "
            "lower count) under Cohorts until the size reaches "
            f"{PINTEREST_MINIMUM}.",
        )
    return _check(id_, title, "ok", f"Cohort {_label(cohort)} has {members}.", None)


def _pixels(snapshot: Snapshot, cohort: CohortFacts) -> Check:
    id_ = f"cohorts.pixels.{cohort.code}"
    title = f"Pixels fired for cohort {_label(cohort)}"
    tag_ids = snapshot.routed_tag_ids(cohort.code)
    parts, never, quiet = [], [], []
    for tag_id in tag_ids:
        pixel = snapshot.pixels.get((tag_id, cohort.code))
        if pixel is None:
            never.append(tag_id)
            parts.append(f"Tag ID {tag_id}: none reported")
            continue
        if pixel.last_day == 0:
            quiet.append(tag_id)
        parts.append(
            f"Tag ID {tag_id}: {plural(pixel.last_hour, 'pixel')} in the last hour, "
            f"{pixel.last_day:,} in the last day, the latest "
            f"{ago(snapshot.now, pixel.last_fired_at)}"
        )
    evidence = "; ".join(parts) + "."

    if not (never or quiet):
        return _check(id_, title, "ok", evidence, None)
    if not cohort.members:
        return _check(
            id_,
            title,
            "warning",
            evidence + " No pixel is expected while the cohort has no members.",
            "See the members check of this cohort.",
        )
    if never:
        return _check(
            id_,
            title,
            "failing",
            evidence,
            f"Load a page as a member of the cohort with consent given and check "
            f"that a request to ct.pinterest.com with tid={never[0]} leaves the "
            "browser (the site's Content-Security-Policy must allow it).",
        )
    return _check(
        id_,
        title,
        "warning",
        evidence,
        "Members re-fire once a day while they visit; if the site had visitors "
        "today, check that its pages still load the snippet (Settings > Snippet).",
    )


def _tag_in_ad_account(facts: PinterestFacts) -> Check:
    id_ = "cohorts.tag_in_ad_account"
    title = "Tag ID belongs to the ad account"
    if facts.connection_result is None:
        return _check(
            id_,
            title,
            "warning",
            f"Server-side delivery uses ad account {facts.ad_account_id}, and the "
            "connection has not been tested since the credentials were saved.",
            "Open Settings > Integrations > Pinterest > Edit and click Test"
            " connection.",
        )
    detail = facts.connection_detail or facts.connection_result
    if facts.connection_result != "ok":
        return _check(
            id_,
            title,
            "failing",
            detail,
            "Fix what the sentence says in Settings > Integrations > Pinterest > Edit, "
            "then click Test connection again.",
        )
    return _check(id_, title, "ok", detail, None)


def _audience(snapshot: Snapshot, facts: PinterestFacts, cohort: CohortFacts) -> Check:
    id_ = f"cohorts.audience.{cohort.code}"
    title = f"Audience in Pinterest for cohort {_label(cohort)}"
    tag_ids = snapshot.routed_tag_ids(cohort.code)
    held = {t: facts.audiences.get((t, cohort.code)) for t in tag_ids}
    elsewhere = _tags_of_other_accounts(snapshot, facts, tag_ids)
    missing = [t for t, a in held.items() if a is None and t not in elsewhere]
    parts = [
        f"Tag ID {t} in ad account {a.ad_account_id or facts.ad_account_id}: "
        f"audience {a.audience_id} is {a.status or 'of unknown state'}"
        + (f" with about {a.size:,} people" if a.size is not None else "")
        for t, a in held.items()
        if a is not None
    ]
    parts += [f"Tag ID {t}: no audience yet" for t in missing]
    parts += [
        f"Tag ID {t}: no ad account this token may use owns it, so its audience "
        "is kept in the Pinterest account that owns the tag"
        for t in elsewhere
    ]
    evidence = "; ".join(parts) + "."

    if missing and facts.audiences_error:
        return _check(
            id_,
            title,
            "failing",
            f"{evidence} The last sync failed: {facts.audiences_error}",
            "Fix the cause in Settings > Integrations > Pinterest > Edit (Test"
            " connection names it); the next sync creates the missing audiences.",
        )
    not_ready = [a for a in held.values() if a is not None and a.status != "READY"]
    if missing or not_ready:
        return _check(
            id_,
            title,
            "warning",
            evidence,
            "Wait: Cohortcast reads audiences back from Pinterest every "
            "COHORTCAST_AUDIENCE_REFRESH_SECONDS (5 minutes unless set), and "
            "Pinterest needs a few hours and at least 100 matched people before "
            "an audience is READY. If an audience is still missing after a sync, "
            "give the token the ads:write scope in Settings > Integrations > "
            "Pinterest.",
        )
    if len(elsewhere) == len(tag_ids):
        # These credentials cannot see that account: nothing to check here,
        # and nothing wrong either (an activation for a second account).
        return _check(
            id_,
            title,
            "info",
            evidence,
            "Check the audience in Ads > Audiences of the account that owns "
            f"{_tag_list(elsewhere)}, or give the token's user access to that "
            "ad account so Cohortcast keeps it too; if the tag should be in ad "
            f"account {facts.ad_account_id}, correct it under Cohort Activation.",
        )
    return _check(id_, title, "ok", evidence, None)


def _tags_of_other_accounts(
    snapshot: Snapshot, facts: PinterestFacts, tag_ids: list[str]
) -> list[str]:
    """Routed Tag IDs no ad account the token reaches owns, as far as the
    facts tell.

    After a successful sync of the current routing, the Tag IDs it made no
    audience for, since a sync makes one for every routed cohort of each Tag
    ID it could place in an account; else, the Tag IDs that are not the ad
    account's conversion tags and hold no audience, when those are known.
    """
    reached = {tag_id for tag_id, _ in facts.audiences}
    synced = facts.audiences_synced_version == snapshot.config_version
    if synced and not facts.audiences_error:
        return [t for t in tag_ids if t not in reached]
    if facts.conversion_tag_ids:
        own = set(facts.conversion_tag_ids) | reached
        return [t for t in tag_ids if t not in own]
    return []


def _tag_list(tag_ids: list[str]) -> str:
    return ("Tag ID " if len(tag_ids) == 1 else "Tag IDs ") + ", ".join(tag_ids)
