"""Activations: which cohorts go to which Tag ID of the Pinterest integration.

Every activation belongs to the integration (deleted with it). The default
activation, made with the integration, sends to the integration's Tag ID and
is what the cohort page's Pinterest toggle switches a cohort in and out of.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohortcast.pinterest.tag_id import InvalidTagIdError, normalize_optional_tag_id
from cohortcast.store.access import get_owned
from cohortcast.store.cohorts import get_cohort
from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.ids import new_id
from cohortcast.store.integrations import find_pinterest_integration
from cohortcast.store.models import Activation, Cohort, Integration
from cohortcast.store.unset import UNSET, Unset
from cohortcast.store.workspaces import bump_config_version

logger = logging.getLogger(__name__)


def effective_tag_id(activation: Activation) -> str:
    """The Tag ID the activation sends to: its own, or the integration's."""
    return activation.tag_id or activation.integration.tag_id


def list_activations(session: Session, workspace_id: str) -> list[Activation]:
    """The workspace's activations, the default one first, then oldest first."""
    return list(
        session.scalars(
            select(Activation)
            .where(Activation.workspace_id == workspace_id)
            .order_by(
                Activation.is_default.desc(), Activation.created_at, Activation.id
            )
        )
    )


def get_activation(
    session: Session, workspace_id: str, activation_id: str
) -> Activation:
    """The activation, or :class:`NotFoundError` / :class:`ForbiddenError`."""
    return get_owned(session, Activation, workspace_id, activation_id, "Activation")


def create_activation(
    session: Session, workspace_id: str, tag_id: str | None, cohort_ids: Sequence[str]
) -> Activation:
    """Send ``cohort_ids`` to ``tag_id`` (blank or None: the integration's Tag ID).

    Raises :class:`ConflictError` without a Pinterest integration and
    :class:`InvalidValueError` for a bad Tag ID or unknown cohort ids.
    """
    integration = _require_integration(session, workspace_id, "add an activation")
    activation = Activation(
        id=new_id("act"),
        workspace_id=workspace_id,
        integration=integration,
        tag_id=_valid_tag_id(tag_id),
        is_default=False,
    )
    session.add(activation)
    activation.cohorts = _cohorts_by_ids(session, workspace_id, cohort_ids)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info(
        "Added activation %s: %d cohorts to Tag ID %s",
        activation.id,
        len(activation.cohorts),
        effective_tag_id(activation),
    )
    return activation


def update_activation(
    session: Session,
    workspace_id: str,
    activation_id: str,
    *,
    tag_id: str | Unset | None = UNSET,
    cohort_ids: Sequence[str] | None = None,
) -> Activation:
    """Change the Tag ID (None: the default) and/or replace the cohorts.

    ``UNSET`` leaves the Tag ID as it is; the default activation's Tag ID is fixed.
    """
    activation = get_activation(session, workspace_id, activation_id)
    if not isinstance(tag_id, Unset):
        new_tag_id = _valid_tag_id(tag_id)
        if activation.is_default and new_tag_id is not None:
            raise ConflictError(
                "The default activation always sends to the integration's Tag ID; "
                "change the integration's tag_id or add another activation."
            )
        activation.tag_id = new_tag_id
    if cohort_ids is not None:
        activation.cohorts = _cohorts_by_ids(session, workspace_id, cohort_ids)

    session.flush()
    bump_config_version(session, workspace_id)
    logger.info(
        "Updated activation %s: %d cohorts to Tag ID %s",
        activation.id,
        len(activation.cohorts),
        effective_tag_id(activation),
    )
    return activation


def delete_activation(session: Session, workspace_id: str, activation_id: str) -> None:
    """Delete an activation; the default one stays (turn its cohorts off instead)."""
    activation = get_activation(session, workspace_id, activation_id)
    if activation.is_default:
        raise ConflictError(
            f"Activation '{activation_id}' is the Pinterest toggle of the cohort pages "
            "and cannot be deleted; turn Pinterest off on those cohorts instead."
        )
    session.delete(activation)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info("Deleted activation %s", activation_id)


def set_pinterest_toggle(
    session: Session, workspace_id: str, cohort_id: str, enabled: bool
) -> Cohort:
    """The cohort page's toggle: put the cohort in or out of the default activation."""
    cohort = get_cohort(session, workspace_id, cohort_id)
    integration = _require_integration(session, workspace_id, "turn Pinterest on")
    default = next(a for a in integration.activations if a.is_default)

    if enabled and cohort not in default.cohorts:
        default.cohorts.append(cohort)
    if not enabled and cohort in default.cohorts:
        default.cohorts.remove(cohort)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info("Pinterest %s for cohort %s", "on" if enabled else "off", cohort.code)
    return cohort


def pinterest_toggle_is_on(cohort: Cohort) -> bool:
    """Whether the cohort is in its integration's default activation."""
    return any(activation.is_default for activation in cohort.activations)


def _require_integration(
    session: Session, workspace_id: str, action: str
) -> Integration:
    integration = find_pinterest_integration(session, workspace_id)
    if integration is None:
        raise ConflictError(
            f"This workspace has no Pinterest integration; add it first "
            f"(Settings > Integrations > Add Integration > Pinterest) to {action}."
        )
    return integration


def _cohorts_by_ids(
    session: Session, workspace_id: str, cohort_ids: Sequence[str]
) -> list[Cohort]:
    wanted = list(dict.fromkeys(cohort_ids))
    found = {
        cohort.id: cohort
        for cohort in session.scalars(
            select(Cohort).where(
                Cohort.workspace_id == workspace_id, Cohort.id.in_(wanted)
            )
        )
    }
    unknown = [cohort_id for cohort_id in wanted if cohort_id not in found]
    if unknown:
        quoted = ", ".join(f"'{cohort_id}'" for cohort_id in unknown)
        verb = "is not a cohort" if len(unknown) == 1 else "are not cohorts"
        raise InvalidValueError(
            f"cohort_ids: {quoted} {verb} of this workspace; use the ids from "
            "GET /api/v1/cohorts.",
            "cohort_ids",
        )
    return [found[cohort_id] for cohort_id in wanted]


def _valid_tag_id(raw: str | None) -> str | None:
    try:
        return normalize_optional_tag_id(raw)
    except InvalidTagIdError as error:
        raise InvalidValueError(str(error), "tag_id") from error
