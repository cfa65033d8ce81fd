"""A healthy setup is all ok; the report's shape is what every surface shows."""

from __future__ import annotations

from diagnostics_helpers import TAG_ID, Site


def test_a_healthy_setup_passes_every_check(site: Site) -> None:
    code = site.healthy()

    report = site.report()

    not_ok = [(c.id, c.status, c.evidence) for c in report.checks if c.status != "ok"]
    assert not_ok == []
    assert report.status == "ok"
    assert {c.group for c in report.checks} == {
        "integration",
        "cohorts",
        "routing",
        "audience_size",
    }
    assert report.find(f"integration.first_pixel.{TAG_ID}") is not None
    assert report.find(f"cohorts.members.{code}") is not None


def test_ok_checks_have_no_fix_and_every_other_check_has_one(site: Site) -> None:
    site.add_pinterest()
    site.add_cohort("travel")
    site.add_cohort("sports", pinterest=False)

    report = site.report()

    assert {c.status for c in report.checks} >= {"info", "warning", "failing"}
    assert all((c.fix is None) == (c.status == "ok") for c in report.checks)


def test_informational_checks_leave_a_healthy_report_ok(site: Site) -> None:
    site.healthy()
    site.add_cohort("sports", pinterest=False)

    report = site.report()

    assert [c.status for c in report.checks if c.status != "ok"] == ["info"]
    assert report.status == "ok"
    assert report.as_json()["status"] == "ok"


def test_the_report_as_json_has_the_status_the_time_and_every_check(
    site: Site,
) -> None:
    site.healthy()

    document = site.report().as_json()

    assert document["status"] == "ok"
    assert document["checked_at"] == "2026-11-30T00:53:20Z"
    checks = document["checks"]
    assert isinstance(checks, list)
    assert set(checks[0]) == {"id", "group", "title", "status", "evidence", "fix"}
