"""Group "Wrong Tag ID": the effective routing and the likely mistakes."""

from __future__ import annotations

from diagnostics_helpers import OTHER_TAG_ID, TAG_ID, Site, only

from cohortcast.diagnostics._facts import PinterestFacts
from cohortcast.diagnostics._typos import edit_distance, likely_typos


def test_the_effective_routing_shows_a_blank_tag_id_as_the_default(
    site: Site,
) -> None:
    code = site.healthy()
    blank = site.activate(None, [code])
    other = site.activate(OTHER_TAG_ID, [code])

    check = only(site.report(), "routing.effective")

    assert check.status == "ok"
    travel = f"'Travel' ({code})"
    assert (
        f"Activation '{blank}' sends {travel} to a blank Tag ID, so the default "
        f"{TAG_ID}." in check.evidence
    )
    assert f"Activation '{other}' sends {travel} to Tag ID {OTHER_TAG_ID}." in (
        check.evidence
    )
    assert f"{OTHER_TAG_ID} receives {code}" in check.evidence


def test_an_alternative_tag_id_equal_to_the_default_is_a_warning(site: Site) -> None:
    code = site.healthy()
    same = site.activate(TAG_ID, [code])

    check = only(site.report(), "routing.alternative_equals_default")

    assert check.status == "warning"
    assert same in check.evidence
    assert check.fix is not None
    assert f"edit activation '{same}'" in check.fix
    assert "leave it blank" in check.fix


def test_a_cohort_routed_twice_to_one_tag_id_is_a_warning(site: Site) -> None:
    code = site.healthy()
    second = site.activate(None, [code])

    check = only(site.report(), "routing.routed_twice")

    assert check.status == "warning"
    assert f"goes to Tag ID {TAG_ID} through activations" in check.evidence
    assert check.fix is not None
    assert f"edit activation '{second}' and untick 'Travel' ({code})" in check.fix


def test_a_tag_id_one_character_off_the_default_is_a_likely_typo(
    site: Site,
) -> None:
    code = site.healthy()
    typo = TAG_ID[:-2] + TAG_ID[-1] + TAG_ID[-2]
    site.activate(typo, [code])

    check = only(site.report(), "routing.typos")

    assert check.status == "warning"
    assert f"{TAG_ID} (the default" in check.evidence
    assert f"and {typo} (activation" in check.evidence
    assert "differ by 1 character." in check.evidence
    assert check.fix is not None
    assert "Ads > Conversions" in check.fix


def test_two_unrelated_tag_ids_are_no_typo(site: Site) -> None:
    code = site.healthy()
    site.activate(OTHER_TAG_ID, [code])

    assert only(site.report(), "routing.typos").status == "ok"


def test_a_swap_of_neighbours_counts_as_one_edit() -> None:
    assert edit_distance("2612345678901", "2612345678910") == 1
    assert edit_distance("2612345678901", "2612345678902") == 1
    assert edit_distance("2612345678901", "261234567890") == 1
    assert edit_distance("2612345678901", "2612345678901") == 0
    assert edit_distance("2612345678901", "2698765432109") > 2


def test_likely_typos_pairs_tag_ids_one_or_two_edits_apart() -> None:
    found = likely_typos(["2612345678901", "2612345678910", "2612345679810", "x"])

    assert found == [
        ("2612345678901", "2612345678910", 1),
        ("2612345678901", "2612345679810", 2),
        ("2612345678910", "2612345679810", 1),
    ]


def test_a_tag_id_one_character_off_an_ad_account_tag_is_a_likely_typo(
    site: Site,
) -> None:
    site.healthy()
    real = TAG_ID[:-1] + ("2" if TAG_ID[-1] != "2" else "3")
    facts = PinterestFacts(ad_account_id="549755885175", conversion_tag_ids=(real,))

    check = only(site.report(pinterest=facts), "routing.typos")

    assert check.status == "warning"
    assert f"{real} (a conversion tag of the ad account)" in check.evidence
    assert f"{TAG_ID} (the default" in check.evidence
