"""The sandbox's audience endpoints, plus the account and Tag ID look-ups.

Audience sizes are computed when read: a VISITOR audience counts the distinct
visitors whose pixel hits match its rule, a CUSTOMER_LIST audience the people
in its list; below 100 the status is TOO_SMALL, as on Pinterest.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..ads import (
    AdAccount,
    Audience,
    AudienceCreateRequest,
    AudienceUpdateRequest,
    ConversionTag,
    UserAccount,
)
from ._api import (
    ApiFailure,
    authenticated,
    authorized_ad_account,
    page_of,
    parsed_body,
    path_id,
)
from ._state import AdAccountRecord, AudienceRecord, SandboxState, size_status


def _audience_json(state: SandboxState, audience: AudienceRecord) -> dict[str, object]:
    size = state.audience_size(audience)
    answer = Audience(
        id=audience.id,
        ad_account_id=audience.ad_account_id,
        name=audience.name,
        audience_type=audience.audience_type,
        description=audience.description,
        size=size,
        status=size_status(size),
        created_timestamp=audience.created,
        updated_timestamp=audience.updated,
    ).model_dump(mode="json")
    # The rule goes back as stored: the schema allows no null rule keys.
    answer["rule"] = audience.rule
    return answer


async def user_account(request: Request, state: SandboxState) -> Response:
    """``GET /v5/user_account``."""
    authenticated(request, state)
    body = UserAccount(username="sandbox_publisher", id="1", account_type="BUSINESS")
    return JSONResponse(body.model_dump(mode="json"))


def _ad_account_json(account: AdAccountRecord) -> dict[str, object]:
    return AdAccount(
        id=account.id,
        name=account.name,
        country=account.country,
        currency=account.currency,
    ).model_dump(mode="json")


async def list_ad_accounts(request: Request, state: SandboxState) -> Response:
    """``GET /v5/ad_accounts``: the accounts the token may use, by id, paged.

    The sandbox does not tell owned accounts from shared ones, so
    ``include_shared_accounts=false`` lists the same accounts as ``true``.
    """
    allowed = authenticated(request, state)
    shared = request.query_params.get("include_shared_accounts", "true").lower()
    if shared not in ("true", "false"):
        raise ApiFailure(
            400,
            1,
            f"Invalid request: 'include_shared_accounts' value {shared!r} is not "
            "a boolean.",
        )
    with state.lock:
        usable = [state.accounts[key] for key in allowed if key in state.accounts]
    items = [
        _ad_account_json(account)
        for account in sorted(usable, key=lambda account: int(account.id))
    ]
    return JSONResponse(page_of(request, items))


async def ad_account(request: Request, state: SandboxState) -> Response:
    """``GET /v5/ad_accounts/{ad_account_id}``."""
    account = state.accounts[authorized_ad_account(request, state)]
    return JSONResponse(_ad_account_json(account))


async def conversion_tags(request: Request, state: SandboxState) -> Response:
    """``GET /v5/ad_accounts/{ad_account_id}/conversion_tags``."""
    account = state.accounts[authorized_ad_account(request, state)]
    items = [
        ConversionTag(
            id=tag_id, ad_account_id=account.id, name=f"Tag {tag_id}", status="ACTIVE"
        ).model_dump(mode="json")
        for tag_id in account.tag_ids
    ]
    return JSONResponse({"items": items})


async def list_audiences(request: Request, state: SandboxState) -> Response:
    """``GET /v5/ad_accounts/{ad_account_id}/audiences`` (archived ones left out)."""
    ad_account_id = authorized_ad_account(request, state)
    with state.lock:
        owned = [
            audience
            for audience in state.audiences.values()
            if audience.ad_account_id == ad_account_id and not audience.archived
        ]
    return JSONResponse(
        page_of(request, [_audience_json(state, item) for item in owned])
    )


async def create_audience(request: Request, state: SandboxState) -> Response:
    """``POST /v5/ad_accounts/{ad_account_id}/audiences``."""
    ad_account_id = authorized_ad_account(request, state)
    body = await parsed_body(request, AudienceCreateRequest)
    rule = body.rule.model_dump(mode="json", exclude_none=True)
    _check_rule(state, ad_account_id, body.audience_type, rule)

    now = int(time.time())
    audience = AudienceRecord(
        id=state.new_id(),
        ad_account_id=ad_account_id,
        name=body.name,
        audience_type=body.audience_type,
        rule=rule,
        description=body.description,
        created=now,
        updated=now,
    )
    with state.lock:
        state.audiences[audience.id] = audience
    return JSONResponse(_audience_json(state, audience))


def _check_rule(
    state: SandboxState, ad_account_id: str, audience_type: str, rule: dict[str, object]
) -> None:
    if audience_type == "VISITOR":
        tag_id = rule.get("visitor_source_id")
        if tag_id is None:
            raise ApiFailure(
                400,
                1,
                "Invalid request: 'rule.visitor_source_id' is required for "
                "VISITOR audiences.",
            )
        if tag_id not in state.accounts[ad_account_id].tag_ids:
            raise ApiFailure(
                400,
                1,
                f"Invalid request: conversion tag {tag_id} does not belong to ad "
                f"account {ad_account_id}.",
            )
    elif audience_type == "CUSTOMER_LIST":
        found = state.customer_lists.get(str(rule.get("customer_list_id")))
        if found is None or found.ad_account_id != ad_account_id:
            raise ApiFailure(
                400,
                1,
                "Invalid request: 'rule.customer_list_id' is not a customer list "
                "of this ad account.",
            )
    else:
        raise ApiFailure(
            400,
            1,
            f"Invalid request: the sandbox does not build {audience_type} audiences.",
        )


def _owned_audience(
    request: Request, state: SandboxState, ad_account_id: str
) -> AudienceRecord:
    audience_id = path_id(request, "audience_id", "Invalid audience id")
    audience = state.audiences.get(audience_id)
    if audience is None or audience.ad_account_id != ad_account_id or audience.archived:
        raise ApiFailure(404, 404, f"Audience {audience_id} not found.")
    return audience


async def get_audience(request: Request, state: SandboxState) -> Response:
    """``GET /v5/ad_accounts/{ad_account_id}/audiences/{audience_id}``."""
    ad_account_id = authorized_ad_account(request, state)
    return JSONResponse(
        _audience_json(state, _owned_audience(request, state, ad_account_id))
    )


async def update_audience(request: Request, state: SandboxState) -> Response:
    """``PATCH .../audiences/{audience_id}``: rename, re-rule, or REMOVE (archive)."""
    ad_account_id = authorized_ad_account(request, state)
    audience = _owned_audience(request, state, ad_account_id)
    change = await parsed_body(request, AudienceUpdateRequest)
    with state.lock:
        if change.name is not None:
            audience.name = change.name
        if change.description is not None:
            audience.description = change.description
        if change.rule is not None:
            rule = change.rule.model_dump(mode="json", exclude_none=True)
            _check_rule(state, ad_account_id, audience.audience_type, rule)
            audience.rule = rule
        audience.archived = change.operation_type == "REMOVE"
        audience.updated = int(time.time())
    return JSONResponse(_audience_json(state, audience))
