"""The client's requests checked against Pinterest's own OpenAPI description."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from cohortcast.pinterest.ads import (
    MAX_EVENTS_PER_REQUEST,
    ApiRequest,
    Audience,
    AudienceCreateRequest,
    AudienceRule,
    AudienceUpdateRequest,
    CohortAudience,
    CustomerListRequest,
    cohort_conversion_event,
    create_audience,
    create_customer_list,
    customer_list_update_requests,
    list_ad_accounts,
    plan_audience_changes,
    send_conversion_events,
    update_audience,
    visitor_audience,
    visitor_audience_rule,
)
from cohortcast.pinterest.identifiers import hash_email

if TYPE_CHECKING:
    from pydantic import BaseModel

    from conftest import OpenApi

ACCOUNT = "549755885175"
TAG = "2612345678901"


def check(openapi: OpenApi, request: ApiRequest[BaseModel], path: str) -> None:
    schema = openapi.request_schema(path, request.method)
    openapi.validate(json.loads(request.body or b""), schema)


def test_the_visitor_audience_body_matches_audience_create_request(
    openapi: OpenApi,
) -> None:
    request = create_audience(
        ACCOUNT, visitor_audience(CohortAudience(TAG, "k7d2qa", "T"))
    )
    check(openapi, request, "/ad_accounts/{ad_account_id}/audiences")


def test_the_rename_and_archive_bodies_match_audience_update_request(
    openapi: OpenApi,
) -> None:
    for change in (
        AudienceUpdateRequest(
            name="Trips (Cohortcast k7d2qa)", operation_type="UPDATE"
        ),
        AudienceUpdateRequest(operation_type="REMOVE"),
    ):
        request = update_audience(ACCOUNT, "11", change)
        check(openapi, request, "/ad_accounts/{ad_account_id}/audiences/{audience_id}")


def test_a_customer_list_audience_body_matches_the_schema(openapi: OpenApi) -> None:
    body = AudienceCreateRequest(
        name="Loyal",
        audience_type="CUSTOMER_LIST",
        rule=AudienceRule(customer_list_id="7"),
    )
    check(
        openapi,
        create_audience(ACCOUNT, body),
        "/ad_accounts/{ad_account_id}/audiences",
    )


def test_customer_list_bodies_match_their_schemas(openapi: OpenApi) -> None:
    records = [hash_email(f"r{i}@example.com") for i in range(3)]
    create = create_customer_list(
        ACCOUNT, CustomerListRequest(name="Travel", records=",".join(records))
    )
    check(openapi, create, "/ad_accounts/{ad_account_id}/customer_lists")
    for operation in ("ADD", "REMOVE"):
        [update] = customer_list_update_requests(ACCOUNT, "77", operation, records)
        check(
            openapi,
            update,
            "/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}",
        )


def test_conversion_event_bodies_match_conversion_events(openapi: OpenApi) -> None:
    events = [
        cohort_conversion_event("k7d2qa", "v_1", 1764777599000, emails=["a@b.co"]),
        cohort_conversion_event("k7d2qa", "v_2", 1764777599000, maids=["ABC-DEF"]),
        cohort_conversion_event(
            "k7d2qa",
            "v_3",
            1764777599000,
            client_ip_address="203.0.113.9",
            client_user_agent="Mozilla/5.0",
            event_source_url="https://news.example.com/travel",
        ),
    ]
    request = send_conversion_events(ACCOUNT, events)
    check(openapi, request, "/ad_accounts/{ad_account_id}/events")


def test_the_events_per_request_limit_is_the_schemas_max_items(
    openapi: OpenApi,
) -> None:
    schema = openapi.request_schema("/ad_accounts/{ad_account_id}/events", "POST")
    assert schema["properties"]["data"]["maxItems"] == MAX_EVENTS_PER_REQUEST


def test_every_planned_request_matches_its_schema(openapi: OpenApi) -> None:
    existing = [
        Audience(
            id="11",
            name="Old",
            audience_type="VISITOR",
            rule=visitor_audience_rule(TAG, "k7d2qa"),
        ),
        Audience(
            id="12",
            name="Gone",
            audience_type="VISITOR",
            rule=visitor_audience_rule(TAG, "zz9"),
        ),
    ]
    wanted = [CohortAudience(TAG, "k7d2qa", "New"), CohortAudience(TAG, "b2", "Fresh")]
    for request in plan_audience_changes(ACCOUNT, existing, wanted):
        path = "/ad_accounts/{ad_account_id}/audiences"
        if request.method == "PATCH":
            path += "/{audience_id}"
        check(openapi, request, path)


def test_the_ad_accounts_query_matches_the_documented_parameters(
    openapi: OpenApi,
) -> None:
    operation = openapi.document["paths"]["/ad_accounts"]["get"]
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in openapi.resolve(operation["parameters"])
    }
    request = list_ad_accounts(bookmark="b2")
    assert set(request.params) <= set(parameters)
    openapi.validate(int(request.params["page_size"]), parameters["page_size"])
    openapi.validate(request.params["bookmark"], parameters["bookmark"])
    maximum = parameters["page_size"]["maximum"]
    assert list_ad_accounts(page_size=maximum).params["page_size"] == str(maximum)
    with pytest.raises(ValueError, match="items, not"):
        list_ad_accounts(page_size=maximum + 1)
