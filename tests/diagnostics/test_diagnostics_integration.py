"""Group "Integration not available": each broken situation fails the right
check with the right fix."""

from __future__ import annotations

from diagnostics_helpers import DAY_MS, TAG_ID, Site, only
from sqlalchemy import update

from cohortcast.store.models import Integration


def test_no_integration_fails_and_says_where_to_add_it(site: Site) -> None:
    report = site.report()

    check = only(report, "integration.saved")
    assert check.status == "failing"
    assert check.fix is not None
    assert "Settings > Integrations > Add Integration > Pinterest" in check.fix
    assert report.status == "failing"


def test_a_malformed_tag_id_in_the_database_fails_and_quotes_it(site: Site) -> None:
    site.healthy()
    with site.store.transaction() as session:
        session.execute(update(Integration).values(tag_id="26123abc"))

    check = only(site.report(), "integration.tag_id")

    assert check.status == "failing"
    assert "'26123abc' must contain only digits" in check.evidence
    assert check.fix is not None
    assert "Settings > Integrations > Pinterest > Edit" in check.fix


def test_the_toggle_off_everywhere_fails_and_points_at_the_toggle(site: Site) -> None:
    site.add_pinterest()
    code = site.add_cohort("travel", pinterest=False)

    report = site.report()

    check = only(report, "integration.routing")
    assert check.status == "failing"
    assert check.fix is not None
    assert "Pinterest toggle on" in check.fix
    assert only(report, f"cohorts.activated.{code}").status == "info"


def test_an_sdk_never_seen_fails_with_the_snippet_as_the_fix(site: Site) -> None:
    site.add_pinterest()
    site.add_cohort("travel")

    report = site.report()

    for check_id in ("integration.sdk_seen", "integration.events_collected"):
        check = only(report, check_id)
        assert check.status == "failing"
        assert check.fix is not None
        assert "Settings > Snippet" in check.fix


def test_an_sdk_last_seen_two_days_ago_is_a_warning(site: Site) -> None:
    site.healthy()
    site.sdk_seen(ago=2 * DAY_MS)
    site.now += 2 * DAY_MS

    check = only(site.report(), "integration.sdk_seen")

    assert check.status == "warning"
    assert "2 days ago" in check.evidence


def test_a_routed_tag_id_without_any_pixel_fails(site: Site) -> None:
    site.add_pinterest()
    code = site.add_cohort("travel")
    site.visit("travel", 120)
    site.sdk_seen()

    report = site.report()

    check = only(report, f"integration.first_pixel.{TAG_ID}")
    assert check.status == "failing"
    assert "120 members" in check.evidence
    pixels = only(report, f"cohorts.pixels.{code}")
    assert pixels.status == "failing"
    assert pixels.fix is not None
    assert f"tid={TAG_ID}" in pixels.fix


def test_the_configuration_version_and_its_change_time_are_shown(site: Site) -> None:
    site.healthy()

    check = only(site.report(), "integration.published")

    assert check.status == "ok"
    assert "version 4" in check.evidence
    assert "last changed" in check.evidence
