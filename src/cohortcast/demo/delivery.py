"""Server-side delivery for the demo: the integration's sandbox credentials.

A server that takes an ad account and access token on its Pinterest
integration keeps the audiences itself (and fills customer lists and sends
Conversions API events). The demo gives it the sandbox's main account, then
clicks **Test connection** as a user would after entering them, so the
Troubleshooting page knows the Tag ID belongs to that account. A server that
does not take the credentials answers 422 and the demo goes on without.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from cohortcast.demo.seed import MAIN_ACCOUNT

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerSideDelivery:
    """Whether the server delivers to the sandbox, and what Test connection said.

    ``connection`` is Test connection's sentence, None when it was not run.
    """

    enabled: bool
    connection_ok: bool = False
    connection: str | None = None


async def connect_server_side_delivery(
    server_url: str, api_token: str, sandbox_token: str
) -> ServerSideDelivery:
    """Give the integration the sandbox account and token, then test them."""
    headers = {"Authorization": f"Bearer {api_token}"}
    try:
        async with httpx.AsyncClient(
            base_url=f"{server_url}/api/v1", headers=headers, timeout=30
        ) as api:
            integration_id = await _patch_credentials(api, sandbox_token)
            if integration_id is None:
                return ServerSideDelivery(enabled=False)
            return await _test_connection(api, integration_id)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        # The demo shows the browser path either way; a server that fails
        # here only costs the server-side part.
        logger.warning("Could not set the delivery credentials: %s", error)
        return ServerSideDelivery(enabled=False)


async def _patch_credentials(api: httpx.AsyncClient, sandbox_token: str) -> str | None:
    listed = (await api.get("/integrations")).raise_for_status().json()
    pinterest = next((row for row in listed if row["type"] == "pinterest"), None)
    if pinterest is None:
        return None
    body = {"ad_account_id": MAIN_ACCOUNT.id, "access_token": sandbox_token}
    answer = await api.patch(f"/integrations/{pinterest['id']}", json=body)
    if not answer.is_success:
        logger.info("This server does not take delivery credentials: %s", answer.text)
        return None
    if answer.json().get("ad_account_id") != MAIN_ACCOUNT.id:
        return None
    return str(pinterest["id"])


async def _test_connection(
    api: httpx.AsyncClient, integration_id: str
) -> ServerSideDelivery:
    # The same request as the button in Settings > Integrations > Pinterest > Edit;
    # the server stores the outcome for the Troubleshooting page.
    answer = await api.post(f"/integrations/{integration_id}/test-connection")
    if not answer.is_success:
        logger.warning(
            "Test connection answered %s: %s", answer.status_code, answer.text
        )
        return ServerSideDelivery(enabled=True)
    outcome = answer.json()
    return ServerSideDelivery(
        enabled=True, connection_ok=bool(outcome["ok"]), connection=outcome["detail"]
    )
