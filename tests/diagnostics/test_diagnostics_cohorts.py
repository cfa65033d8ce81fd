"""Group "Cohorts not appearing in Pinterest", including Pinterest's side
when server-side delivery has credentials."""

from __future__ import annotations

from diagnostics_helpers import OTHER_TAG_ID, TAG_ID, Site, only

from cohortcast.diagnostics import PinterestFacts
from cohortcast.diagnostics._facts import AudienceFacts
from cohortcast.store import workspaces


def test_an_activated_cohort_without_members_fails(site: Site) -> None:
    code = site.healthy()
    empty = site.add_cohort("sports")

    report = site.report()

    check = only(report, f"cohorts.members.{empty}")
    assert check.status == "failing"
    assert "no members" in check.evidence
    assert check.fix is not None
    assert "definition" in check.fix
    assert only(report, f"cohorts.members.{code}").status == "ok"
    assert only(report, f"cohorts.pixels.{empty}").status == "warning"


def test_a_cohort_of_42_members_is_below_pinterests_minimum(site: Site) -> None:
    site.healthy()
    small = site.add_cohort("sports")
    site.visit("sports", 42, pixels={TAG_ID: small})

    check = only(site.report(), f"cohorts.members.{small}")

    assert check.status == "warning"
    assert "42 members" in check.evidence
    assert "fewer than 100" in check.evidence
    assert check.fix is not None
    assert "widen the definition" in check.fix


def test_a_cohort_that_is_not_activated_informs_and_says_how_to_activate_it(
    site: Site,
) -> None:
    site.healthy()
    idle = site.add_cohort("sports", pinterest=False)

    report = site.report()

    check = only(report, f"cohorts.activated.{idle}")
    assert check.status == "info"
    assert "not activated" in check.evidence
    assert check.fix is not None
    assert "Pinterest toggle on" in check.fix
    assert report.status == "ok"


def test_a_disabled_cohort_left_in_an_activation_is_a_warning(site: Site) -> None:
    site.healthy()
    idle = site.add_cohort("sports", pinterest=False)
    site.activate(OTHER_TAG_ID, [idle])
    site.disable(idle)

    report = site.report()

    check = only(report, f"cohorts.activated.{idle}")
    assert check.status == "warning"
    assert "disabled" in check.evidence
    assert report.status == "warning"


def test_a_tag_id_outside_the_ad_account_fails_when_credentials_exist(
    site: Site,
) -> None:
    code = site.healthy()
    detail = f"Tag ID '{TAG_ID}' is not a conversion tag of ad account '549755885175'."
    facts = PinterestFacts(
        ad_account_id="549755885175",
        connection_result="tag_not_in_ad_account",
        connection_detail=detail,
        audiences={(TAG_ID, code): AudienceFacts("2542620813", "READY", 900)},
    )

    report = site.report(pinterest=facts)

    check = only(report, "cohorts.tag_in_ad_account")
    assert check.status == "failing"
    assert check.evidence == detail
    assert only(report, f"cohorts.audience.{code}").status == "ok"


def test_a_missing_audience_after_a_failed_sync_fails_with_the_error(
    site: Site,
) -> None:
    code = site.healthy()
    facts = PinterestFacts(
        ad_account_id="549755885175",
        connection_result="ok",
        connection_detail="Connected.",
        audiences_error="Pinterest refused the token (401).",
    )

    check = only(site.report(pinterest=facts), f"cohorts.audience.{code}")

    assert check.status == "failing"
    assert f"Tag ID {TAG_ID}: no audience yet" in check.evidence
    assert "refused the token" in check.evidence


def test_an_audience_still_processing_is_a_warning_with_its_state(site: Site) -> None:
    code = site.healthy()
    facts = PinterestFacts(
        ad_account_id="549755885175",
        connection_result="ok",
        connection_detail="Connected.",
        audiences={(TAG_ID, code): AudienceFacts("2542620813", "PROCESSING", None)},
    )

    check = only(site.report(pinterest=facts), f"cohorts.audience.{code}")

    assert check.status == "warning"
    assert "PROCESSING" in check.evidence


def test_without_credentials_no_pinterest_check_runs(site: Site) -> None:
    site.healthy()

    report = site.report()

    assert report.find("cohorts.tag_in_ad_account") is None
    assert not [c for c in report.checks if c.id.startswith("cohorts.audience.")]


def _config_version(site: Site) -> int:
    with site.store.read() as session:
        return workspaces.get_default_workspace(session).config_version


def test_a_tag_id_of_another_ad_account_is_info_once_a_sync_left_it_out(
    site: Site,
) -> None:
    code = site.healthy()
    site.activate(OTHER_TAG_ID, [code])
    elsewhere_only = site.add_cohort("food", pinterest=False)
    site.visit("food", 120, pixels={OTHER_TAG_ID: elsewhere_only})
    site.activate(OTHER_TAG_ID, [elsewhere_only])
    facts = PinterestFacts(
        ad_account_id="549755885175",
        connection_result="ok",
        connection_detail="Connected.",
        audiences={(TAG_ID, code): AudienceFacts("2542620813", "READY", 900)},
        audiences_synced_version=_config_version(site),
    )

    report = site.report(pinterest=facts)

    mixed = only(report, f"cohorts.audience.{code}")
    assert mixed.status == "ok"
    assert (
        f"Tag ID {OTHER_TAG_ID}: no ad account this token may use owns it"
        in mixed.evidence
    )
    elsewhere = only(report, f"cohorts.audience.{elsewhere_only}")
    assert elsewhere.status == "info"
    assert elsewhere.fix is not None
    assert OTHER_TAG_ID in elsewhere.fix


def test_an_audience_kept_in_another_reachable_account_is_checked_like_any(
    site: Site,
) -> None:
    code = site.healthy()
    site.activate(OTHER_TAG_ID, [code])
    facts = PinterestFacts(
        ad_account_id="549755885175",
        connection_result="ok",
        connection_detail="Connected.",
        audiences={
            (TAG_ID, code): AudienceFacts("2542620813", "READY", 900),
            (OTHER_TAG_ID, code): AudienceFacts(
                "2542620814", "TOO_SMALL", 40, "549755885176"
            ),
        },
        audiences_synced_version=_config_version(site),
    )

    check = only(site.report(pinterest=facts), f"cohorts.audience.{code}")

    assert check.status == "warning"
    assert (
        f"Tag ID {OTHER_TAG_ID} in ad account 549755885176: audience 2542620814 "
        "is TOO_SMALL with about 40 people"
    ) in check.evidence
    assert (
        f"Tag ID {TAG_ID} in ad account 549755885175: audience 2542620813 is READY"
    ) in check.evidence


def test_before_the_first_sync_a_missing_audience_is_waited_for(site: Site) -> None:
    code = site.healthy()
    site.activate(OTHER_TAG_ID, [code])
    facts = PinterestFacts(
        ad_account_id="549755885175",
        connection_result="ok",
        connection_detail="Connected.",
    )

    check = only(site.report(pinterest=facts), f"cohorts.audience.{code}")

    assert check.status == "warning"
    assert f"Tag ID {OTHER_TAG_ID}: no audience yet" in check.evidence
