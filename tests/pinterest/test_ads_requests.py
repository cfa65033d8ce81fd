import json

import pytest

import cohortcast.pinterest.ads as ads
from cohortcast.pinterest.ads import (
    Audience,
    AudienceRule,
    CohortAudience,
    cohort_conversion_event,
    cohort_event_id,
    conversion_event_requests,
    customer_list_update_requests,
    parse_cohort_event_id,
    plan_audience_changes,
    send_conversion_events,
    visitor_audience_rule,
)
from cohortcast.pinterest.identifiers import hash_email, hash_maid

ACCOUNT = "549755885175"
TAG = "2612345678901"


def managed(audience_id: str, code: str, name: str, tag: str = TAG) -> Audience:
    return Audience(
        id=audience_id,
        name=name,
        audience_type="VISITOR",
        rule=visitor_audience_rule(tag, code),
    )


def events(count: int) -> list[ads.ConversionEvent]:
    return [
        cohort_conversion_event(
            "k7d2qa", f"v_{i}", 1764777599000 + i, emails=["a@b.co"]
        )
        for i in range(count)
    ]


def test_the_public_surface_is_pinned() -> None:
    assert set(ads.__all__) == {name for name in dir(ads) if not name.startswith("_")}
    assert {"AdsClient", "ApiRequest", "RetryPolicy", "RateLimiter"} <= set(ads.__all__)


def test_the_visitor_rule_matches_the_pixel_events_of_the_cohort() -> None:
    rule = visitor_audience_rule(TAG, "k7d2qa")
    assert rule.model_dump(exclude_none=True) == {
        "visitor_source_id": TAG,
        "event": "custom",
        "event_data": {"cohort_code": "k7d2qa"},
    }


def test_the_designs_list_spelling_of_the_tag_id_is_accepted() -> None:
    assert (
        AudienceRule.model_validate({"visitor_source_id": [TAG]}).visitor_source_id
        == TAG
    )


def test_a_missing_audience_is_created() -> None:
    plan = plan_audience_changes(ACCOUNT, [], [CohortAudience(TAG, "k7d2qa", "Travel")])
    assert [(request.method, request.path) for request in plan] == [
        ("POST", f"/ad_accounts/{ACCOUNT}/audiences")
    ]
    body = json.loads(plan[0].body or b"")
    assert body["audience_type"] == "VISITOR"
    assert body["name"] == "Travel (Cohortcast k7d2qa)"


def test_a_renamed_cohort_renames_its_audience() -> None:
    existing = [managed("11", "k7d2qa", "Travel (Cohortcast k7d2qa)")]
    plan = plan_audience_changes(
        ACCOUNT, existing, [CohortAudience(TAG, "k7d2qa", "Trips")]
    )
    assert [(request.method, request.path) for request in plan] == [
        ("PATCH", f"/ad_accounts/{ACCOUNT}/audiences/11")
    ]
    assert json.loads(plan[0].body or b"") == {
        "name": "Trips (Cohortcast k7d2qa)",
        "operation_type": "UPDATE",
    }


def test_a_deactivated_cohort_has_its_audience_archived() -> None:
    existing = [managed("11", "k7d2qa", "Travel (Cohortcast k7d2qa)")]
    plan = plan_audience_changes(ACCOUNT, existing, [])
    assert json.loads(plan[0].body or b"") == {"operation_type": "REMOVE"}


def test_a_cohort_moved_to_another_tag_gets_a_new_audience() -> None:
    existing = [managed("11", "k7d2qa", "Travel (Cohortcast k7d2qa)")]
    wanted = [CohortAudience("2612345678902", "k7d2qa", "Travel")]
    plan = plan_audience_changes(ACCOUNT, existing, wanted)
    assert [request.method for request in plan] == ["POST", "PATCH"]


def test_audiences_the_publisher_made_are_left_alone() -> None:
    own = Audience(
        id="12",
        name="Mine",
        audience_type="CUSTOMER_LIST",
        rule=AudienceRule(customer_list_id="5"),
    )
    assert plan_audience_changes(ACCOUNT, [own], []) == []


def test_an_audience_that_already_matches_needs_no_change() -> None:
    existing = [managed("11", "k7d2qa", "Travel (Cohortcast k7d2qa)")]
    wanted = [CohortAudience(TAG, "k7d2qa", "Travel")]
    assert plan_audience_changes(ACCOUNT, existing, wanted) == []


def test_a_duplicate_audience_is_archived_and_the_oldest_kept() -> None:
    existing = [
        managed("12", "k7d2qa", "Travel (Cohortcast k7d2qa)"),
        managed("11", "k7d2qa", "Travel (Cohortcast k7d2qa)"),
    ]
    plan = plan_audience_changes(
        ACCOUNT, existing, [CohortAudience(TAG, "k7d2qa", "Travel")]
    )
    assert [request.path.rsplit("/", 1)[1] for request in plan] == ["12"]


def test_the_event_id_follows_the_pixels_scheme() -> None:
    event_id = cohort_event_id("k7d2qa", "v_0c6b3f0e9d9a4a7e", 1764777599000)
    assert event_id == "cc.k7d2qa.v_0c6b3f0e9d9a4a7e.1764777599000"
    assert parse_cohort_event_id(event_id) == (
        "k7d2qa",
        "v_0c6b3f0e9d9a4a7e",
        1764777599000,
    )
    assert parse_cohort_event_id("e_5f1c") is None


def test_a_cohort_event_carries_hashed_identifiers_and_seconds() -> None:
    event = cohort_conversion_event(
        "k7d2qa", "v_1", 1764777599123, emails=[" Ada@Example.com"], maids=["ABC-1"]
    )
    assert event["event_name"] == "custom"
    assert event["event_time"] == 1764777599
    assert event["user_data"] == {
        "em": [hash_email("ada@example.com")],
        "hashed_maids": [hash_maid("abc-1")],
    }
    assert event.get("custom_data") == {"content_ids": ["k7d2qa"]}


def test_an_event_without_any_match_key_is_refused() -> None:
    with pytest.raises(ValueError, match="user_data needs em"):
        cohort_conversion_event("k7d2qa", "v_1", 1, client_ip_address="10.0.0.1")


def test_events_are_split_into_requests_of_at_most_1000() -> None:
    requests = conversion_event_requests(ACCOUNT, events(2500))
    sizes = [len(json.loads(request.body or b"")["data"]) for request in requests]
    assert sizes == [1000, 1000, 500]


def test_one_request_refuses_more_than_1000_events() -> None:
    with pytest.raises(ValueError, match="1 to 1000 events, not 1001"):
        send_conversion_events(ACCOUNT, events(1001))


def test_test_mode_is_a_query_parameter() -> None:
    request = send_conversion_events(ACCOUNT, events(1), test=True)
    assert request.params == {"test": "true"}
    assert send_conversion_events(ACCOUNT, events(1)).params == {}


def test_customer_list_records_are_split_into_batches_of_10000() -> None:
    records = [hash_email(f"user{i}@example.com") for i in range(25_000)]
    requests = customer_list_update_requests(ACCOUNT, "77", "ADD", records)
    bodies = [json.loads(request.body or b"") for request in requests]
    assert [len(body["records"].split(",")) for body in bodies] == [
        10_000,
        10_000,
        5_000,
    ]
    assert {body["operation_type"] for body in bodies} == {"ADD"}


def test_a_record_with_a_comma_is_refused() -> None:
    with pytest.raises(ValueError, match="no comma"):
        customer_list_update_requests(ACCOUNT, "77", "ADD", ["a,b"])


def test_the_ad_accounts_request_asks_for_a_page_of_any_account() -> None:
    request = ads.list_ad_accounts()
    assert (request.method, request.path) == ("GET", "/ad_accounts")
    assert request.response_type is ads.AdAccountPage
    assert request.rate_limit_key is None
    assert request.params == {"page_size": "250"}
    assert request.body is None


def test_the_ad_accounts_request_carries_the_bookmark_of_the_next_page() -> None:
    request = ads.list_ad_accounts(bookmark="b2", page_size=10)
    assert request.params == {"page_size": "10", "bookmark": "b2"}
    stored = json.loads(json.dumps(request.to_record()))
    assert ads.ApiRequest.from_record(stored) == request


@pytest.mark.parametrize("page_size", [0, 251])
def test_a_page_size_outside_1_to_250_is_refused(page_size: int) -> None:
    with pytest.raises(ValueError, match=f"1 to 250 items, not {page_size}"):
        ads.list_ad_accounts(page_size=page_size)
    with pytest.raises(ValueError, match=f"1 to 250 items, not {page_size}"):
        ads.list_audiences(ACCOUNT, page_size=page_size)


def test_an_ad_account_page_reads_pinterests_answer() -> None:
    page = ads.AdAccountPage.model_validate(
        {"items": [{"id": ACCOUNT, "name": "N", "owner": {}}], "bookmark": None}
    )
    assert [account.id for account in page.items] == [ACCOUNT]
    assert page.bookmark is None


def test_an_id_that_is_not_digits_cannot_reach_the_path() -> None:
    with pytest.raises(ValueError, match=r"'1/\.\./2' must be 1 to 20 digits"):
        ads.get_audience(ACCOUNT, "1/../2")


def test_an_event_read_back_from_storage_is_validated_again() -> None:
    event = cohort_conversion_event("k7d2qa", "v_1", 1, maids=["ABC"])
    assert ads.validate_conversion_event(json.loads(json.dumps(event))) == event
    with pytest.raises(ValueError, match="event_name"):
        ads.validate_conversion_event({**event, "event_name": "Custom"})


def test_a_stored_request_comes_back_the_same() -> None:
    request = send_conversion_events(ACCOUNT, events(2), test=True)
    stored = json.loads(json.dumps(request.to_record()))
    assert ads.ApiRequest.from_record(stored) == request


def test_a_stored_request_with_an_unknown_answer_type_is_refused() -> None:
    record = ads.get_user_account().to_record() | {"response_type": "Pin"}
    with pytest.raises(ValueError, match="'Pin' is not an Ads API answer"):
        ads.ApiRequest.from_record(record)
