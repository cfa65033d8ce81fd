"""Group "Audience smaller than the cohort", from the SDK's signals."""

from __future__ import annotations

from diagnostics_helpers import Site, only


def test_a_low_share_of_pinterest_cookies_predicts_a_smaller_audience(
    site: Site,
) -> None:
    site.add_pinterest()
    code = site.add_cohort("travel")
    site.visit("travel", 200, cookies=60)

    check = only(site.report(), f"audience_size.identifiable.{code}")

    assert check.status == "warning"
    assert "60 of 200 reporting members (30%) have Pinterest's cookies" in (
        check.evidence
    )
    assert "about 60 of the cohort's 200 members" in check.evidence
    assert check.fix is not None
    assert "Pinterest's base tag" in check.fix


def test_a_high_share_without_consent_is_a_warning(site: Site) -> None:
    site.add_pinterest()
    code = site.add_cohort("travel")
    site.visit("travel", 150, refusals=60)

    report = site.report()

    check = only(report, f"audience_size.consent.{code}")
    assert check.status == "warning"
    assert "60 of 150 reporting members (40%) did not allow activation" in (
        check.evidence
    )
    assert check.fix is not None
    assert "consent banner" in check.fix
    identifiable = only(report, f"audience_size.identifiable.{code}")
    assert "about 90 of the cohort's 150 members" in identifiable.evidence


def test_members_without_signals_leave_the_shares_unknown(site: Site) -> None:
    site.add_pinterest()
    code = site.add_cohort("travel")
    site.visit("travel", 3, signals=False)

    check = only(site.report(), f"audience_size.identifiable.{code}")

    assert check.status == "warning"
    assert "unknown" in check.evidence


def test_the_latest_signals_of_a_visitor_replace_the_earlier_ones(
    site: Site,
) -> None:
    site.add_pinterest()
    code = site.add_cohort("travel")
    site.visit("travel", 1, cookies=0)
    site.visit("travel", 1, cookies=1, visitor="v_1")

    check = only(site.report(), f"audience_size.identifiable.{code}")

    assert "1 of 1 reporting member (100%)" in check.evidence
