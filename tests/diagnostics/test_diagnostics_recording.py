"""What the checks need that collection and the store record for them:
signals per profile, and when the configuration changed."""

from __future__ import annotations

import json

from diagnostics_helpers import MINUTE, Site, only
from sqlalchemy import select

from cohortcast.store import workspaces
from cohortcast.store.diagnostics_models import ProfileSignals


def collect(site: Site, body: dict[str, object]) -> None:
    site.collector.collect(site.sdk_key, json.dumps(body).encode())


def stored_signals(site: Site) -> list[tuple[bool, bool]]:
    with site.store.read() as session:
        rows = session.execute(
            select(ProfileSignals.pinterest_cookie, ProfileSignals.consent)
        )
        return [(cookie, consent) for cookie, consent in rows]


def test_signals_are_kept_once_per_visitor_whatever_the_number_of_batches(
    site: Site,
) -> None:
    for number, cookie in enumerate((False, True, True)):
        collect(
            site,
            {
                "visitor_id": "v_1",
                "events": [
                    {"id": f"e_{number}", "name": "Pageview", "time": site.now - MINUTE}
                ],
                "signals": {"pinterest_cookie": cookie, "consent": True},
            },
        )

    assert stored_signals(site) == [(True, True)]


def test_malformed_signals_are_ignored_and_the_events_still_count(
    site: Site,
) -> None:
    event = {"id": "e_1", "name": "Pageview", "time": site.now - MINUTE}

    collect(
        site,
        {"visitor_id": "v_1", "events": [event], "signals": {"consent": "yes"}},
    )

    assert stored_signals(site) == []
    assert only(site.report(), "integration.events_collected").status == "ok"


def test_every_configuration_change_records_when_it_happened(site: Site) -> None:
    with site.store.read() as session:
        before = workspaces.get_default_workspace(session).config_changed_at

    site.add_pinterest()

    with site.store.read() as session:
        workspace = workspaces.get_default_workspace(session)
    assert workspace.config_changed_at is not None
    assert before is None or workspace.config_changed_at > before
    assert workspace.config_version == 2
