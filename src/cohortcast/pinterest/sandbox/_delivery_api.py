"""The sandbox's customer-list and Conversions API endpoints.

Customer-list records are kept as sent (emails lowercase or hashed, MAIDs
hashed), so a list's size is the number of distinct records in it. The
events endpoint validates a whole batch in one pydantic-core call, which keeps
its cost per event to microseconds, and answers one ``processed`` status per
event in request order, as Pinterest does.
"""

from __future__ import annotations

import time

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..ads import (
    CustomerList,
    CustomerListRequest,
    CustomerListUpdateRequest,
    parse_records,
)
from ._api import (
    EVENTS_ADAPTER,
    ApiFailure,
    authorized_ad_account,
    invalid_message,
    page_of,
    parsed_body,
    path_id,
)
from ._state import CustomerListRecord, SandboxState, size_status

_PROCESSED = b'{"status":"processed","error_message":null,"warning_message":null}'


def _list_json(customer_list: CustomerListRecord) -> dict[str, object]:
    return CustomerList(
        id=customer_list.id,
        ad_account_id=customer_list.ad_account_id,
        name=customer_list.name,
        status="READY"
        if size_status(len(customer_list.records)) == "READY"
        else "TOO_SMALL",
        num_batches=customer_list.num_batches,
        num_uploaded_user_records=customer_list.uploaded,
        num_removed_user_records=customer_list.removed,
        created_time=customer_list.created,
        updated_time=customer_list.updated,
    ).model_dump(mode="json")


async def list_customer_lists(request: Request, state: SandboxState) -> Response:
    """``GET /v5/ad_accounts/{ad_account_id}/customer_lists``."""
    ad_account_id = authorized_ad_account(request, state)
    with state.lock:
        owned = [
            _list_json(item)
            for item in state.customer_lists.values()
            if item.ad_account_id == ad_account_id
        ]
    return JSONResponse(page_of(request, owned))


async def create_customer_list(request: Request, state: SandboxState) -> Response:
    """``POST /v5/ad_accounts/{ad_account_id}/customer_lists``."""
    ad_account_id = authorized_ad_account(request, state)
    body = await parsed_body(request, CustomerListRequest)
    records = parse_records(body.records)
    if not records:
        raise ApiFailure(400, 1, "Invalid request: 'records' holds no record.")

    now = int(time.time())
    customer_list = CustomerListRecord(
        id=state.new_id(),
        ad_account_id=ad_account_id,
        name=body.name,
        list_type=body.list_type,
        records=set(records),
        created=now,
        updated=now,
        uploaded=len(records),
    )
    with state.lock:
        state.customer_lists[customer_list.id] = customer_list
    return JSONResponse(_list_json(customer_list))


def _owned_list(
    request: Request, state: SandboxState, ad_account_id: str
) -> CustomerListRecord:
    list_id = path_id(request, "customer_list_id", "Invalid customer list id")
    found = state.customer_lists.get(list_id)
    if found is None or found.ad_account_id != ad_account_id:
        raise ApiFailure(404, 404, f"Customer list {list_id} not found.")
    return found


async def get_customer_list(request: Request, state: SandboxState) -> Response:
    """``GET .../customer_lists/{customer_list_id}``."""
    ad_account_id = authorized_ad_account(request, state)
    return JSONResponse(_list_json(_owned_list(request, state, ad_account_id)))


async def update_customer_list(request: Request, state: SandboxState) -> Response:
    """``PATCH .../customer_lists/{customer_list_id}``: ADD or REMOVE records."""
    ad_account_id = authorized_ad_account(request, state)
    customer_list = _owned_list(request, state, ad_account_id)
    change = await parsed_body(request, CustomerListUpdateRequest)
    records = parse_records(change.records)
    if not records:
        raise ApiFailure(400, 1, "Invalid request: 'records' holds no record.")

    with state.lock:
        if change.operation_type == "ADD":
            customer_list.records.update(records)
            customer_list.uploaded += len(records)
        else:
            customer_list.records.difference_update(records)
            # Pinterest counts removals even for records not in the list.
            customer_list.removed += len(records)
        customer_list.num_batches += 1
        customer_list.updated = int(time.time())
    return JSONResponse(_list_json(customer_list))


async def send_events(request: Request, state: SandboxState) -> Response:
    """``POST /v5/ad_accounts/{ad_account_id}/events``; ``?test=true`` records none."""
    ad_account_id = authorized_ad_account(request, state)
    test = request.query_params.get("test", "false").lower()
    if test not in ("true", "false"):
        raise ApiFailure(
            400, 1, f"Invalid request: 'test' value {test!r} is not a boolean."
        )
    try:
        batch = EVENTS_ADAPTER.validate_json(await request.body())
    except ValidationError as exc:
        raise ApiFailure(400, 4196, invalid_message(exc)) from exc

    count = len(batch["data"])
    state.record_events(ad_account_id, batch["data"], test=test == "true")
    body = b'{"num_events_received":%d,"num_events_processed":%d,"events":[%b]}' % (
        count,
        count,
        b",".join([_PROCESSED] * count),
    )
    return Response(body, media_type="application/json")
