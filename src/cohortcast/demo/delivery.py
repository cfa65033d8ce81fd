"""Server-side delivery for the demo: the integration's sandbox credentials.

A server that takes an ad account and access token on its Pinterest
integration keeps the audiences itself (and fills customer lists and sends
Conversions API events). The demo gives it the sandbox's main account when
the running version accepts them, and says so; an older server answers 422
for the unknown fields and the demo goes on without.
"""

from __future__ import annotations

import logging

import httpx

from cohortcast.demo.seed import MAIN_ACCOUNT

logger = logging.getLogger(__name__)


async def connect_server_side_delivery(
    server_url: str, api_token: str, sandbox_token: str
) -> bool:
    """Give the integration the sandbox account and token; False if unsupported."""
    headers = {"Authorization": f"Bearer {api_token}"}
    try:
        async with httpx.AsyncClient(
            base_url=f"{server_url}/api/v1", headers=headers, timeout=10
        ) as api:
            return await _patch_credentials(api, sandbox_token)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        # The demo shows the browser path either way; a server that fails
        # here only costs the server-side part.
        logger.warning("Could not set the delivery credentials: %s", error)
        return False


async def _patch_credentials(api: httpx.AsyncClient, sandbox_token: str) -> bool:
    listed = (await api.get("/integrations")).raise_for_status().json()
    pinterest = next((row for row in listed if row["type"] == "pinterest"), None)
    if pinterest is None:
        return False
    body = {"ad_account_id": MAIN_ACCOUNT.id, "access_token": sandbox_token}
    answer = await api.patch(f"/integrations/{pinterest['id']}", json=body)
    if not answer.is_success:
        logger.info("This server does not take delivery credentials: %s", answer.text)
        return False
    return bool(answer.json().get("ad_account_id") == MAIN_ACCOUNT.id)
