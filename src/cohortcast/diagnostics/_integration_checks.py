"""Group "Integration not available": is Pinterest set up, published, and is
the SDK on the site and firing pixels?"""

from __future__ import annotations

from cohortcast.diagnostics._facts import DAY_MS, Snapshot
from cohortcast.diagnostics._model import Check, Status
from cohortcast.diagnostics._wording import ago, at, plural, quoted_list
from cohortcast.pinterest.routing import Route
from cohortcast.pinterest.tag_id import InvalidTagIdError, normalize_tag_id

ADD_INTEGRATION = (
    "In the dashboard, open Settings > Integrations > Add Integration > Pinterest, "
    "enter the Tag ID from Pinterest (Ads > Conversions) and click Add Pinterest."
)
PASTE_SNIPPET = (
    "Copy the snippet from Settings > Snippet into the <head> of every page of "
    "the site, then load one page in a browser."
)


def integration_checks(snapshot: Snapshot) -> list[Check]:
    """Every check of the group, in the order a person would go through them."""
    checks = [_saved(snapshot)]
    if snapshot.integration is not None:
        checks += [_tag_ids_well_formed(snapshot), _routed(snapshot)]
        checks.append(_published(snapshot))
    checks += [_config_fetched(snapshot), _events_collected(snapshot)]
    checks += [_first_pixel(snapshot, route) for route in snapshot.routing]
    return checks


def _check(
    id_: str, title: str, status: Status, evidence: str, fix: str | None
) -> Check:
    return Check(id_, "integration", title, status, evidence, fix)


def _saved(snapshot: Snapshot) -> Check:
    title = "Pinterest integration saved"
    integration = snapshot.integration
    if integration is None:
        return _check(
            "integration.saved",
            title,
            "failing",
            "This workspace has no Pinterest integration, so no Tag ID receives "
            "any cohort.",
            ADD_INTEGRATION,
        )
    return _check(
        "integration.saved",
        title,
        "ok",
        f"Integration '{integration.name}' was saved "
        f"{ago(snapshot.now, integration.created_at)} with default Tag ID "
        f"{integration.tag_id}; it is live at once.",
        None,
    )


def _tag_ids_well_formed(snapshot: Snapshot) -> Check:
    assert snapshot.integration is not None
    stored = [("the integration's default Tag ID", snapshot.integration.tag_id)]
    stored += [
        (f"the Tag ID of activation '{a.id}'", a.tag_id)
        for a in snapshot.activations
        if a.tag_id is not None
    ]
    for where, tag_id in stored:
        try:
            normalize_tag_id(tag_id)
        except InvalidTagIdError as error:
            fix = (
                "Open Settings > Integrations > Pinterest > Edit and enter the Tag ID "
                "from Pinterest (Ads > Conversions)."
                if where.startswith("the integration")
                else "Open Cohort Activation, edit that activation and enter the "
                "Tag ID from Pinterest (Ads > Conversions), or leave it blank for "
                "the default."
            )
            return _check(
                "integration.tag_id",
                "Tag IDs well-formed",
                "failing",
                f"{where[0].upper()}{where[1:]} is not valid: {error}",
                fix,
            )
    return _check(
        "integration.tag_id",
        "Tag IDs well-formed",
        "ok",
        f"{plural(len(stored), 'stored Tag ID')}, each 10 to 20 digits.",
        None,
    )


def _routed(snapshot: Snapshot) -> Check:
    title = "Pinterest turned on for cohorts"
    codes = snapshot.routed_codes()
    if not codes:
        return _check(
            "integration.routing",
            title,
            "failing",
            "No enabled cohort is activated to any Tag ID, so the SDK fires no pixel.",
            "Open a cohort under Cohorts and turn the Pinterest toggle on, or add an "
            "activation under Cohort Activation > + Add Activation > Pinterest.",
        )
    tags = plural(len(snapshot.routing), "Tag ID")
    return _check(
        "integration.routing",
        title,
        "ok",
        f"{plural(len(codes), 'cohort')} routed to {tags}: "
        f"{', '.join(snapshot.cohort_label(code) for code in codes)}.",
        None,
    )


def _published(snapshot: Snapshot) -> Check:
    changed = snapshot.config_changed_at
    when = (
        f"last changed {ago(snapshot.now, changed)} ({at(changed)})"
        if changed
        else ("unchanged since the workspace was created")
    )
    return _check(
        "integration.published",
        "Configuration published",
        "ok",
        f"The SDK configuration is at version {snapshot.config_version}, {when}. "
        "Every change is served at once; browsers pick it up within a minute.",
        None,
    )


def _config_fetched(snapshot: Snapshot) -> Check:
    return _recency_check(
        "integration.sdk_seen",
        "SDK seen on the site",
        snapshot,
        snapshot.config_fetched_at,
        "No browser has ever fetched the SDK configuration.",
        "A browser last fetched the SDK configuration",
    )


def _events_collected(snapshot: Snapshot) -> Check:
    return _recency_check(
        "integration.events_collected",
        "Events collected",
        snapshot,
        snapshot.last_event_at,
        "The server has never collected an event from this workspace's site.",
        "The latest collected event happened",
    )


def _recency_check(
    id_: str, title: str, snapshot: Snapshot, last: int | None, never: str, seen: str
) -> Check:
    # A day without any page view means the snippet is gone or broken on a
    # site with traffic; anything under a day is normal for a quiet site.
    if last is None:
        return _check(id_, title, "failing", never, PASTE_SNIPPET)
    evidence = f"{seen} {ago(snapshot.now, last)} ({at(last)})."
    if snapshot.now - last > DAY_MS:
        fix = (
            "Check that the snippet from Settings > Snippet is still in the pages' "
            "<head> and that the site's Content-Security-Policy allows this server."
        )
        return _check(id_, title, "warning", evidence, fix)
    return _check(id_, title, "ok", evidence, None)


def _first_pixel(snapshot: Snapshot, route: Route) -> Check:
    tag_id, codes = route["tag_id"], route["cohort_codes"]
    id_ = f"integration.first_pixel.{tag_id}"
    title = f"Pixel fired for Tag ID {tag_id}"
    fired = [
        snapshot.pixels[key] for c in codes if (key := (tag_id, c)) in snapshot.pixels
    ]
    if fired:
        last = max(pixel.last_fired_at for pixel in fired)
        day = sum(pixel.last_day for pixel in fired)
        return _check(
            id_,
            title,
            "ok",
            f"Browsers reported {plural(day, 'pixel')} for Tag ID {tag_id} in the "
            f"last day; the latest {ago(snapshot.now, last)}.",
            None,
        )

    members = sum(
        snapshot.cohorts[c].members or 0 for c in codes if c in snapshot.cohorts
    )
    if not members:
        return _check(
            id_,
            title,
            "warning",
            f"No browser has reported a pixel for Tag ID {tag_id}, and none of its "
            f"cohorts ({quoted_list(codes)}) has members yet.",
            "Pixels fire when a visitor enters a routed cohort; see the cohort "
            "checks below for why the cohorts are empty.",
        )
    return _check(
        id_,
        title,
        "failing",
        f"No browser has reported a pixel for Tag ID {tag_id}, although its cohorts "
        f"have {plural(members, 'member')}.",
        "Load a page of the site as a visitor of one of these cohorts, with consent "
        "given, and check that the site's Content-Security-Policy allows "
        "ct.pinterest.com; the pixel fires within seconds of entering the cohort.",
    )
