"""What server-side delivery stored about Pinterest, read for the checks.

The page and ``cohortcast doctor`` never call Pinterest themselves: the
delivery worker keeps the audiences' states (read with the Audiences page's
own :func:`~cohortcast.delivery.overview.stored_audiences`) and the ad
account's Tag IDs, and "Test connection" keeps whether the Tag ID belongs
to the ad account.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cohortcast.delivery.overview import stored_audiences
from cohortcast.diagnostics._facts import AudienceFacts, PinterestFacts
from cohortcast.store.delivery_models import PinterestCredentials


def stored_pinterest_facts(
    session: Session, integration_id: str
) -> PinterestFacts | None:
    """The stored facts, or None when the integration has no API credentials."""
    credentials = session.get(PinterestCredentials, integration_id)
    if (
        credentials is None
        or credentials.ad_account_id is None
        or credentials.token_ciphertext is None
    ):
        return None

    audiences = {
        (row.tag_id, row.cohort_code): AudienceFacts(
            row.audience_id, row.status, row.size, row.ad_account_id
        )
        for row in stored_audiences(session, integration_id)
    }
    return PinterestFacts(
        ad_account_id=credentials.ad_account_id,
        connection_result=credentials.connection_result,
        connection_detail=credentials.connection_detail,
        audiences_error=credentials.audiences_error,
        audiences_synced_version=credentials.audiences_synced_version,
        audiences=audiences,
        conversion_tag_ids=tuple(credentials.conversion_tag_ids or ()),
    )
