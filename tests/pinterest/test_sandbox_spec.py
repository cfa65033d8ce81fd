"""The sandbox's answers checked against Pinterest's own OpenAPI description."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from cohortcast.pinterest.sandbox import DEFAULT_TOKEN, OTHER_TOKEN

if TYPE_CHECKING:
    from conftest import OpenApi, RunningSandbox

ACCOUNT = "549755885175"
TAG = "2612345678901"
AUDIENCES = "/ad_accounts/{ad_account_id}/audiences"
LISTS = "/ad_accounts/{ad_account_id}/customer_lists"


def call(
    sandbox: RunningSandbox,
    method: str,
    path: str,
    body: object = None,
    token: str = DEFAULT_TOKEN,
) -> httpx.Response:
    return httpx.request(
        method,
        f"{sandbox.api_url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def check(openapi: OpenApi, response: httpx.Response, path: str, method: str) -> None:
    schema = openapi.response_schema(path, method, str(response.status_code))
    openapi.validate(response.json(), schema)


def test_audience_answers_have_the_documented_shapes(
    sandbox: RunningSandbox, openapi: OpenApi
) -> None:
    body = {
        "name": "Travel",
        "audience_type": "VISITOR",
        "rule": {
            "visitor_source_id": TAG,
            "event": "custom",
            "event_data": {"cohort_code": "k7d2qa"},
        },
    }
    created = call(sandbox, "POST", f"/ad_accounts/{ACCOUNT}/audiences", body)
    check(openapi, created, AUDIENCES, "POST")
    audience_id = created.json()["id"]

    listed = call(sandbox, "GET", f"/ad_accounts/{ACCOUNT}/audiences")
    check(openapi, listed, AUDIENCES, "GET")

    one = f"/ad_accounts/{ACCOUNT}/audiences/{audience_id}"
    check(openapi, call(sandbox, "GET", one), AUDIENCES + "/{audience_id}", "GET")
    renamed = call(sandbox, "PATCH", one, {"name": "Trips"})
    check(openapi, renamed, AUDIENCES + "/{audience_id}", "PATCH")


def test_customer_list_answers_have_the_documented_shapes(
    sandbox: RunningSandbox, openapi: OpenApi
) -> None:
    created = call(
        sandbox,
        "POST",
        f"/ad_accounts/{ACCOUNT}/customer_lists",
        {"name": "L", "records": "a@example.com,b@example.com"},
    )
    check(openapi, created, LISTS, "POST")
    one = f"/ad_accounts/{ACCOUNT}/customer_lists/{created.json()['id']}"
    updated = call(
        sandbox, "PATCH", one, {"operation_type": "REMOVE", "records": "a@example.com"}
    )
    check(openapi, updated, LISTS + "/{customer_list_id}", "PATCH")
    check(
        openapi,
        call(sandbox, "GET", f"/ad_accounts/{ACCOUNT}/customer_lists"),
        LISTS,
        "GET",
    )


def test_event_and_tag_answers_have_the_documented_shapes(
    sandbox: RunningSandbox, openapi: OpenApi
) -> None:
    event = {
        "event_name": "custom",
        "action_source": "web",
        "event_time": 1,
        "event_id": "cc.k.v.1",
        "user_data": {"em": ["x"]},
    }
    sent = call(sandbox, "POST", f"/ad_accounts/{ACCOUNT}/events", {"data": [event]})
    check(openapi, sent, "/ad_accounts/{ad_account_id}/events", "POST")
    tags = call(sandbox, "GET", f"/ad_accounts/{ACCOUNT}/conversion_tags")
    check(openapi, tags, "/ad_accounts/{ad_account_id}/conversion_tags", "GET")
    account = call(sandbox, "GET", f"/ad_accounts/{ACCOUNT}")
    check(openapi, account, "/ad_accounts/{ad_account_id}", "GET")
    check(openapi, call(sandbox, "GET", "/user_account"), "/user_account", "GET")


def test_ad_account_list_answers_have_the_documented_shapes(
    sandbox: RunningSandbox, openapi: OpenApi
) -> None:
    answers = [
        call(sandbox, "GET", "/ad_accounts"),
        call(sandbox, "GET", "/ad_accounts?page_size=1"),
        call(sandbox, "GET", "/ad_accounts?page_size=0"),
        call(sandbox, "GET", "/ad_accounts", token="bad"),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 400, 401]
    for answer in answers:
        check(openapi, answer, "/ad_accounts", "GET")


def test_error_answers_have_pinterests_error_shape(
    sandbox: RunningSandbox, openapi: OpenApi
) -> None:
    path = "/ad_accounts/{ad_account_id}/events"
    answers = [
        call(sandbox, "POST", f"/ad_accounts/{ACCOUNT}/events", {"data": []}),
        call(sandbox, "POST", f"/ad_accounts/{ACCOUNT}/events", {}, token="bad"),
        call(sandbox, "POST", f"/ad_accounts/{ACCOUNT}/events", {}, token=OTHER_TOKEN),
    ]
    assert [answer.status_code for answer in answers] == [400, 401, 403]
    for answer in answers:
        check(openapi, answer, path, "POST")
