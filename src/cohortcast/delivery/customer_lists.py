"""Finding or creating the customer list of one cohort and identifier type.

Creating a list is not idempotent, so the list is first looked up in the
store, then by its deterministic name in the ad account (a crash after
Pinterest created it but before the store recorded it finds it there), and
only then created, with the first batch of records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cohortcast.delivery.credentials import DeliveryTarget
from cohortcast.delivery.exchange import attempt
from cohortcast.delivery.log import Exchange
from cohortcast.pinterest.ads import (
    AdsApiError,
    AdsClient,
    CustomerListRequest,
    create_customer_list,
    list_customer_lists,
    records_string,
)
from cohortcast.store.delivery_models import PinterestCustomerList

if TYPE_CHECKING:
    from cohortcast.delivery.sender import SendContext

KIND = "customer_list"


def list_name(cohort_code: str, list_type: str) -> str:
    """The list's name in Pinterest; the cohort code and type make it unique."""
    return f"Cohortcast cohort {cohort_code} ({list_type})"


@dataclass
class ResolvedList:
    """The list id (None: no list and nothing to add), or the error met."""

    list_id: str | None = None
    created_with_first_chunk: bool = False
    error: AdsApiError | None = None
    exchanges: list[Exchange] = field(default_factory=list)


async def resolve_list(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    payload: Mapping[str, Any],
    first_records: Sequence[str],
) -> ResolvedList:
    """The list for ``payload``'s cohort and type; created (with
    ``first_records``) only for an ADD and only when Pinterest has none."""
    code, list_type = payload["cohort_code"], payload["list_type"]
    with context.store.read() as session:
        key = (target.integration_id, target.ad_account_id, code, list_type)
        known = session.get(PinterestCustomerList, key)
        if known is not None:
            return ResolvedList(known.customer_list_id)

    resolved = ResolvedList()
    name = list_name(code, list_type)
    resolved.list_id = await _find_by_name(context, target, client, name, resolved)
    if resolved.error is not None:
        return resolved
    if resolved.list_id is None and payload["operation"] == "ADD":
        body = CustomerListRequest(
            name=name, records=records_string(first_records), list_type=list_type
        )
        request = create_customer_list(target.ad_account_id, body)
        created, exchange = await attempt(
            client,
            request,
            integration_id=target.integration_id,
            kind=KIND,
            items=len(first_records),
            clock=context.clock,
        )
        resolved.exchanges.append(exchange)
        resolved.error = exchange.error
        if created is None:
            return resolved
        resolved.list_id = created.id
        resolved.created_with_first_chunk = True
    if resolved.list_id is not None:
        _remember(context, target, code, list_type, resolved.list_id, name)
    return resolved


async def _find_by_name(
    context: SendContext,
    target: DeliveryTarget,
    client: AdsClient,
    name: str,
    resolved: ResolvedList,
) -> str | None:
    bookmark: str | None = None
    while True:
        request = list_customer_lists(target.ad_account_id, bookmark)
        page, exchange = await attempt(
            client,
            request,
            integration_id=target.integration_id,
            kind=KIND,
            items=0,
            clock=context.clock,
        )
        resolved.exchanges.append(exchange)
        if page is None:
            resolved.error = exchange.error
            return None
        for item in page.items:
            if item.name == name:
                return item.id
        bookmark = page.bookmark
        if not bookmark:
            return None


def _remember(
    context: SendContext,
    target: DeliveryTarget,
    code: str,
    list_type: str,
    list_id: str,
    name: str,
) -> None:
    with context.store.transaction() as session:
        session.merge(
            PinterestCustomerList(
                integration_id=target.integration_id,
                ad_account_id=target.ad_account_id,
                cohort_code=code,
                list_type=list_type,
                customer_list_id=list_id,
                name=name,
            )
        )
