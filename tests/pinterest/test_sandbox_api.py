"""The sandbox's own behaviour: validation, the pixel, the page, the controls."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
import pytest

from cohortcast.pinterest.sandbox import DEFAULT_TOKEN, OTHER_TOKEN

if TYPE_CHECKING:
    from conftest import RunningSandbox

ACCOUNT = "549755885175"
TAG = "2612345678901"
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def post(sandbox: RunningSandbox, path: str, body: object) -> httpx.Response:
    return httpx.post(f"{sandbox.url}{path}", json=body, headers=AUTH)


def audience_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "Travel",
        "audience_type": "VISITOR",
        "rule": {
            "visitor_source_id": TAG,
            "event": "custom",
            "event_data": {"cohort_code": "k7d2qa"},
        },
    }
    body.update(changes)
    return body


def test_a_request_without_a_token_gets_pinterests_401(sandbox: RunningSandbox) -> None:
    response = httpx.get(f"{sandbox.url}/v5/ad_accounts/{ACCOUNT}/audiences")
    assert response.status_code == 401
    assert response.json() == {"code": 2, "message": "Authentication failed."}


def list_ad_accounts(
    sandbox: RunningSandbox, token: str = DEFAULT_TOKEN, **params: str
) -> httpx.Response:
    return httpx.get(
        f"{sandbox.url}/v5/ad_accounts",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_ad_accounts_are_those_the_token_may_use(sandbox: RunningSandbox) -> None:
    response = list_ad_accounts(sandbox)
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": "549755885175",
                "name": "Sandbox Publisher",
                "country": "US",
                "currency": "USD",
            },
            {
                "id": "549755885176",
                "name": "Sandbox Second Account",
                "country": "US",
                "currency": "USD",
            },
        ],
        "bookmark": None,
    }
    other = list_ad_accounts(sandbox, OTHER_TOKEN).json()
    assert [account["id"] for account in other["items"]] == ["549755885199"]


def test_the_ad_accounts_come_a_page_at_a_time(sandbox: RunningSandbox) -> None:
    first = list_ad_accounts(sandbox, page_size="1").json()
    assert [account["id"] for account in first["items"]] == ["549755885175"]
    assert first["bookmark"] is not None
    second = list_ad_accounts(sandbox, page_size="1", bookmark=first["bookmark"]).json()
    assert [account["id"] for account in second["items"]] == ["549755885176"]
    assert second["bookmark"] is None
    assert list_ad_accounts(sandbox, page_size="251").status_code == 400


def test_the_ad_accounts_of_an_unknown_token_are_a_401(
    sandbox: RunningSandbox,
) -> None:
    response = list_ad_accounts(sandbox, "pina_unknown")
    assert response.status_code == 401
    assert response.json() == {"code": 2, "message": "Authentication failed."}
    assert httpx.get(f"{sandbox.url}/v5/ad_accounts").status_code == 401


def test_shared_ad_accounts_can_be_left_out_but_the_sandbox_shares_none(
    sandbox: RunningSandbox,
) -> None:
    everything = list_ad_accounts(sandbox).json()
    assert list_ad_accounts(sandbox, include_shared_accounts="false").json() == (
        everything
    )
    refused = list_ad_accounts(sandbox, include_shared_accounts="maybe")
    assert refused.status_code == 400
    assert "'include_shared_accounts'" in refused.json()["message"]


def test_an_unknown_field_is_a_400_naming_it(sandbox: RunningSandbox) -> None:
    response = post(
        sandbox, f"/v5/ad_accounts/{ACCOUNT}/audiences", audience_body(colour="red")
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": 1,
        "message": "Invalid request: unknown field 'colour'.",
    }


def test_a_missing_required_field_is_a_400_naming_it(sandbox: RunningSandbox) -> None:
    body = audience_body()
    del body["name"]
    response = post(sandbox, f"/v5/ad_accounts/{ACCOUNT}/audiences", body)
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid request: 'name' is a required field."


def test_a_wrong_enum_value_is_a_400_quoting_it(sandbox: RunningSandbox) -> None:
    response = post(
        sandbox,
        f"/v5/ad_accounts/{ACCOUNT}/audiences",
        audience_body(audience_type="visitors"),
    )
    assert response.status_code == 400
    assert "'audience_type' value 'visitors'" in response.json()["message"]


def test_the_designs_list_spelling_of_the_rule_is_accepted(
    sandbox: RunningSandbox,
) -> None:
    rule = {
        "visitor_source_id": [TAG],
        "event": "custom",
        "event_data": {"cohort_code": "k7d2qa"},
    }
    response = post(
        sandbox, f"/v5/ad_accounts/{ACCOUNT}/audiences", audience_body(rule=rule)
    )
    assert response.status_code == 200
    assert response.json()["rule"]["visitor_source_id"] == TAG


def test_a_path_id_that_is_not_digits_is_a_400(sandbox: RunningSandbox) -> None:
    response = httpx.get(f"{sandbox.url}/v5/ad_accounts/abc/audiences", headers=AUTH)
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid ad account id")


def test_an_unknown_ad_account_is_a_404(sandbox: RunningSandbox) -> None:
    response = httpx.get(f"{sandbox.url}/v5/ad_accounts/1/audiences", headers=AUTH)
    assert response.status_code == 404


def test_more_than_1000_events_in_one_request_is_a_400(sandbox: RunningSandbox) -> None:
    event = {
        "event_name": "custom",
        "action_source": "web",
        "event_time": 1,
        "event_id": "e",
        "user_data": {"em": ["x"]},
    }
    response = post(
        sandbox, f"/v5/ad_accounts/{ACCOUNT}/events", {"data": [event] * 1001}
    )
    assert response.status_code == 400
    assert response.json()["code"] == 4196
    assert "'data'" in response.json()["message"]


def test_an_event_without_a_match_key_is_a_400(sandbox: RunningSandbox) -> None:
    event = {
        "event_name": "custom",
        "action_source": "web",
        "event_time": 1,
        "event_id": "e",
        "user_data": {"client_ip_address": "10.0.0.1"},
    }
    response = post(sandbox, f"/v5/ad_accounts/{ACCOUNT}/events", {"data": [event]})
    assert response.status_code == 400
    assert "user_data needs em" in response.json()["message"]


def test_the_pixel_answers_a_gif_and_records_the_hit(sandbox: RunningSandbox) -> None:
    ed = json.dumps(
        {"cohort_code": "k7d2qa", "event_id": "cc.k7d2qa.v_9.1764777599000"}
    )
    response = httpx.get(
        f"{sandbox.url}/v3/",
        params={"tid": TAG, "event": "custom", "ed": ed, "cb": "1"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")

    hits = httpx.get(f"{sandbox.url}/_sandbox/pixel_hits").json()
    assert hits["total"] == 1
    assert hits["items"][0]["visitor_id"] == "v_9"
    assert hits["items"][0]["problem"] is None


def test_a_pixel_hit_for_an_unknown_tag_id_is_kept_with_its_problem(
    sandbox: RunningSandbox,
) -> None:
    response = httpx.get(f"{sandbox.url}/v3", params={"tid": "123", "event": "custom"})
    assert response.status_code == 200
    [hit] = httpx.get(f"{sandbox.url}/_sandbox/pixel_hits").json()["items"]
    assert hit["problem"] == "Tag ID '123' belongs to no ad account"


def test_a_visitor_can_be_known_by_a_uid_or_pinterests_cookie(
    sandbox: RunningSandbox,
) -> None:
    base = {"tid": TAG, "event": "custom", "ed": '{"cohort_code":"k"}'}
    httpx.get(f"{sandbox.url}/v3/", params={**base, "uid": "u1"})
    httpx.get(f"{sandbox.url}/v3/", params=base, cookies={"_pin_unauth": "c1"})
    assert (
        sandbox.state.visitors_matching(
            {
                "visitor_source_id": TAG,
                "event": "custom",
                "event_data": {"cohort_code": "k"},
            }
        )
        == 2
    )


def test_the_audiences_page_lists_each_accounts_audiences(
    sandbox: RunningSandbox,
) -> None:
    post(sandbox, f"/v5/ad_accounts/{ACCOUNT}/audiences", audience_body())
    page = httpx.get(f"{sandbox.url}/ads/audiences")
    assert page.status_code == 200
    assert "Ads &gt; <strong>Audiences</strong>" in page.text
    assert "Travel" in page.text
    assert "TOO_SMALL" in page.text
    assert 'http-equiv="refresh"' in page.text

    twin = httpx.get(f"{sandbox.url}/ads/audiences.json").json()
    [account] = [row for row in twin["ad_accounts"] if row["id"] == ACCOUNT]
    assert account["audiences"][0]["cohort_code"] == "k7d2qa"
    assert account["audiences"][0]["status"] == "TOO_SMALL"


def test_the_root_leads_to_the_audiences_page(sandbox: RunningSandbox) -> None:
    response = httpx.get(f"{sandbox.url}/")
    assert response.status_code == 307
    assert response.headers["location"] == "/ads/audiences"


def test_faults_are_added_used_up_and_cleared_over_http(
    sandbox: RunningSandbox,
) -> None:
    added = httpx.post(
        f"{sandbox.url}/_sandbox/faults",
        json={"path_prefix": "/v5/user_account", "status": 503, "count": 2},
    )
    assert added.json()["faults"][0]["count"] == 2

    first = httpx.get(f"{sandbox.url}/v5/user_account", headers=AUTH)
    assert first.status_code == 503
    assert first.json()["code"] == 4197
    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["faults"][0]["count"] == 1

    httpx.delete(f"{sandbox.url}/_sandbox/faults")
    assert httpx.get(f"{sandbox.url}/v5/user_account", headers=AUTH).status_code == 200


def test_a_fault_with_a_bad_status_is_refused(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        f"{sandbox.url}/_sandbox/faults", json={"path_prefix": "/v5", "status": 200}
    )
    assert response.status_code == 400


def test_reset_forgets_what_was_received(sandbox: RunningSandbox) -> None:
    post(sandbox, f"/v5/ad_accounts/{ACCOUNT}/audiences", audience_body())
    httpx.post(f"{sandbox.url}/_sandbox/settings", json={"rate_limit_per_minute": 1})
    assert httpx.post(f"{sandbox.url}/_sandbox/reset").json() == {"reset": True}
    assert sandbox.state.audiences == {}
    assert sandbox.state.rate_limit_per_minute == 5000


def test_received_events_can_be_read_back(sandbox: RunningSandbox) -> None:
    event = {
        "event_name": "custom",
        "action_source": "web",
        "event_time": 1,
        "event_id": "cc.k.v.1",
        "user_data": {"em": ["x"]},
    }
    post(sandbox, f"/v5/ad_accounts/{ACCOUNT}/events", {"data": [event]})
    answer = httpx.get(f"{sandbox.url}/_sandbox/events").json()
    assert answer["received"] == 1
    assert answer["items"][0]["event_id"] == "cc.k.v.1"


@pytest.mark.parametrize("value", ["yes", "1"])
def test_test_mode_must_be_a_boolean(sandbox: RunningSandbox, value: str) -> None:
    event = {
        "event_name": "custom",
        "action_source": "web",
        "event_time": 1,
        "event_id": "e",
        "user_data": {"em": ["x"]},
    }
    response = httpx.post(
        f"{sandbox.url}/v5/ad_accounts/{ACCOUNT}/events",
        params={"test": value},
        json={"data": [event]},
        headers=AUTH,
    )
    assert response.status_code == 400
