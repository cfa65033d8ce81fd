"""Feeding the one routing function from the database.

The rows are read here; the rules live in :mod:`cohortcast.pinterest.routing`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohortcast.pinterest.routing import ActivationRow, Route, compute_routing
from cohortcast.store.integrations import find_pinterest_integration
from cohortcast.store.models import Activation, Cohort, activation_cohorts


def load_routing(session: Session, workspace_id: str) -> list[Route]:
    """The workspace's routing table: ``[{tag_id, cohort_codes}]``, sorted."""
    integration = find_pinterest_integration(session, workspace_id)
    if integration is None:
        return []

    codes_by_activation: dict[str, list[str]] = {}
    rows = session.execute(
        select(Activation.id, Activation.tag_id, Cohort.code)
        .outerjoin(
            activation_cohorts, activation_cohorts.c.activation_id == Activation.id
        )
        .outerjoin(Cohort, Cohort.id == activation_cohorts.c.cohort_id)
        .where(Activation.integration_id == integration.id)
    )
    tag_ids: dict[str, str | None] = {}
    for activation_id, tag_id, code in rows:
        tag_ids[activation_id] = tag_id
        codes = codes_by_activation.setdefault(activation_id, [])
        if code is not None:
            codes.append(code)

    enabled = set(
        session.scalars(
            select(Cohort.code).where(
                Cohort.workspace_id == workspace_id, Cohort.enabled
            )
        )
    )
    activations = [
        ActivationRow(tag_ids[activation_id], codes)
        for activation_id, codes in codes_by_activation.items()
    ]
    return compute_routing(integration.tag_id, activations, enabled)
