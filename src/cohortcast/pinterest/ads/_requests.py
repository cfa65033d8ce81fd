"""Pure builders of Ads API requests: no I/O, no clock, no token.

Each builder returns an :class:`ApiRequest` that says everything about one
call (method, path, query, JSON body, which ad account's rate limit it uses,
and how to read the answer). An outbox worker can build requests when a
change happens and send them later with :meth:`AdsClient.send`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter

from ._batching import (
    MAX_EVENTS_PER_REQUEST,
    MAX_RECORDS_PER_REQUEST,
    batched,
    records_string,
)
from ._models import (
    AdAccount,
    AdAccountPage,
    Audience,
    AudienceCreateRequest,
    AudiencePage,
    AudienceUpdateRequest,
    ConversionEvent,
    ConversionResponse,
    ConversionTagList,
    CustomerList,
    CustomerListPage,
    CustomerListRequest,
    CustomerListUpdateRequest,
    ListOperation,
    UserAccount,
)

R = TypeVar("R", bound=BaseModel)

_ID = re.compile(r"[0-9]{1,20}")
# The ``page_size`` maximum of every paged endpoint in the OpenAPI description.
_MAX_PAGE_SIZE = 250
_EVENT_LIST = TypeAdapter(list[ConversionEvent])


@dataclass(frozen=True)
class ApiRequest(Generic[R]):
    """One Ads API call, ready to send.

    ``path`` is relative to the API base URL (``/ad_accounts/1/audiences``);
    ``body`` is the JSON body already encoded; ``rate_limit_key`` is the ad
    account whose 5,000 calls per minute the call uses (None: not limited).
    """

    method: str
    path: str
    response_type: type[R]
    rate_limit_key: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def to_record(self) -> dict[str, object]:
        """A JSON-able form an outbox can store and :meth:`from_record` restores."""
        return {
            "method": self.method,
            "path": self.path,
            "response_type": self.response_type.__name__,
            "rate_limit_key": self.rate_limit_key,
            "params": dict(self.params),
            "body": self.body.decode() if self.body is not None else None,
        }

    @staticmethod
    def from_record(record: Mapping[str, Any]) -> ApiRequest[BaseModel]:
        """Restore a request stored with :meth:`to_record`."""
        name = record["response_type"]
        if name not in _RESPONSE_TYPES:
            raise ValueError(
                f"Response type {name!r} is not an Ads API answer; expected one "
                f"of {', '.join(sorted(_RESPONSE_TYPES))}."
            )
        body = record.get("body")
        return ApiRequest(
            method=record["method"],
            path=record["path"],
            response_type=_RESPONSE_TYPES[name],
            rate_limit_key=record.get("rate_limit_key"),
            params=dict(record.get("params") or {}),
            body=body.encode() if body is not None else None,
        )


_RESPONSE_TYPES: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        AdAccount,
        AdAccountPage,
        Audience,
        AudiencePage,
        ConversionResponse,
        ConversionTagList,
        CustomerList,
        CustomerListPage,
        UserAccount,
    )
}


def _checked_id(value: str, what: str) -> str:
    # Ids become path segments: anything but digits could change the path.
    if _ID.fullmatch(value) is None:
        raise ValueError(f"{what} {value!r} must be 1 to 20 digits.")
    return value


def _account_path(ad_account_id: str, tail: str = "") -> str:
    return f"/ad_accounts/{_checked_id(ad_account_id, 'Ad account id')}{tail}"


def _json(model: BaseModel) -> bytes:
    return model.model_dump_json(exclude_none=True).encode()


def _page_params(bookmark: str | None, page_size: int) -> dict[str, str]:
    if not 1 <= page_size <= _MAX_PAGE_SIZE:
        raise ValueError(f"A page holds 1 to {_MAX_PAGE_SIZE} items, not {page_size}.")
    params = {"page_size": str(page_size)}
    if bookmark:
        params["bookmark"] = bookmark
    return params


def get_user_account() -> ApiRequest[UserAccount]:
    """``GET /user_account``: whose token this is (a cheap token check)."""
    return ApiRequest("GET", "/user_account", UserAccount)


def get_ad_account(ad_account_id: str) -> ApiRequest[AdAccount]:
    """``GET /ad_accounts/{id}``: the account exists and the token may use it."""
    return ApiRequest("GET", _account_path(ad_account_id), AdAccount, ad_account_id)


def list_ad_accounts(
    bookmark: str | None = None, page_size: int = 250
) -> ApiRequest[AdAccountPage]:
    """``GET /ad_accounts``: one page of the ad accounts the token may use.

    Shared accounts are included (Pinterest's default). The call belongs to no
    ad account, so it uses no account's rate limit.
    """
    params = _page_params(bookmark, page_size)
    return ApiRequest("GET", "/ad_accounts", AdAccountPage, None, params)


def list_conversion_tags(ad_account_id: str) -> ApiRequest[ConversionTagList]:
    """``GET .../conversion_tags``: the Tag IDs that belong to the ad account."""
    path = _account_path(ad_account_id, "/conversion_tags")
    return ApiRequest("GET", path, ConversionTagList, ad_account_id)


def list_audiences(
    ad_account_id: str, bookmark: str | None = None, page_size: int = 250
) -> ApiRequest[AudiencePage]:
    """``GET .../audiences``: one page (at most 250, the schema's maximum)."""
    params = _page_params(bookmark, page_size)
    path = _account_path(ad_account_id, "/audiences")
    return ApiRequest("GET", path, AudiencePage, ad_account_id, params)


def get_audience(ad_account_id: str, audience_id: str) -> ApiRequest[Audience]:
    """``GET .../audiences/{audience_id}``."""
    tail = f"/audiences/{_checked_id(audience_id, 'Audience id')}"
    return ApiRequest(
        "GET", _account_path(ad_account_id, tail), Audience, ad_account_id
    )


def create_audience(
    ad_account_id: str, audience: AudienceCreateRequest
) -> ApiRequest[Audience]:
    """``POST .../audiences``."""
    path = _account_path(ad_account_id, "/audiences")
    return ApiRequest("POST", path, Audience, ad_account_id, body=_json(audience))


def update_audience(
    ad_account_id: str, audience_id: str, change: AudienceUpdateRequest
) -> ApiRequest[Audience]:
    """``PATCH .../audiences/{audience_id}``: rename, or archive with REMOVE."""
    tail = f"/audiences/{_checked_id(audience_id, 'Audience id')}"
    path = _account_path(ad_account_id, tail)
    return ApiRequest("PATCH", path, Audience, ad_account_id, body=_json(change))


def list_customer_lists(
    ad_account_id: str, bookmark: str | None = None, page_size: int = 250
) -> ApiRequest[CustomerListPage]:
    """``GET .../customer_lists``: one page."""
    params = _page_params(bookmark, page_size)
    path = _account_path(ad_account_id, "/customer_lists")
    return ApiRequest("GET", path, CustomerListPage, ad_account_id, params)


def create_customer_list(
    ad_account_id: str, customer_list: CustomerListRequest
) -> ApiRequest[CustomerList]:
    """``POST .../customer_lists`` with the first batch of records."""
    path = _account_path(ad_account_id, "/customer_lists")
    body = _json(customer_list)
    return ApiRequest("POST", path, CustomerList, ad_account_id, body=body)


def update_customer_list(
    ad_account_id: str, customer_list_id: str, change: CustomerListUpdateRequest
) -> ApiRequest[CustomerList]:
    """``PATCH .../customer_lists/{id}``: ADD or REMOVE one batch of records."""
    tail = f"/customer_lists/{_checked_id(customer_list_id, 'Customer list id')}"
    path = _account_path(ad_account_id, tail)
    return ApiRequest("PATCH", path, CustomerList, ad_account_id, body=_json(change))


def send_conversion_events(
    ad_account_id: str, events: Sequence[ConversionEvent], *, test: bool = False
) -> ApiRequest[ConversionResponse]:
    """``POST .../events`` with 1 to 1,000 events; ``test=True`` adds ``?test=true``.

    In test mode Pinterest validates and answers as usual but records nothing.
    """
    if not 1 <= len(events) <= MAX_EVENTS_PER_REQUEST:
        raise ValueError(
            f"A Conversions API request carries 1 to {MAX_EVENTS_PER_REQUEST} "
            f"events, not {len(events)}; split them with batched()."
        )
    # Encoding the list in one call keeps the per-event cost in pydantic-core.
    body = b'{"data":' + _EVENT_LIST.dump_json(list(events), exclude_none=True) + b"}"
    params = {"test": "true"} if test else {}
    path = _account_path(ad_account_id, "/events")
    return ApiRequest("POST", path, ConversionResponse, ad_account_id, params, body)


def conversion_event_requests(
    ad_account_id: str, events: Sequence[ConversionEvent], *, test: bool = False
) -> list[ApiRequest[ConversionResponse]]:
    """Split any number of events into requests of at most 1,000 events each."""
    return [
        send_conversion_events(ad_account_id, batch, test=test)
        for batch in batched(events, MAX_EVENTS_PER_REQUEST)
    ]


def customer_list_update_requests(
    ad_account_id: str,
    customer_list_id: str,
    operation: ListOperation,
    records: Sequence[str],
) -> list[ApiRequest[CustomerList]]:
    """ADD or REMOVE any number of records, at most 10,000 per request.

    Records go out as given; hash them first with
    :mod:`cohortcast.pinterest.identifiers`.
    """
    return [
        update_customer_list(
            ad_account_id,
            customer_list_id,
            CustomerListUpdateRequest(
                operation_type=operation, records=records_string(batch)
            ),
        )
        for batch in batched(records, MAX_RECORDS_PER_REQUEST)
    ]
