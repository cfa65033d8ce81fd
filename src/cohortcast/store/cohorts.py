"""Cohorts: create, read, update, delete, each validated against the workspace's set.

Rules kept here so the API and the dashboard share them:

- ``code`` is random, unique in the workspace and never changes;
- every definition compiles together with the workspace's other cohorts
  (no unknown references, no cycles);
- an enabled cohort may only refer to enabled cohorts, since disabled ones
  are not sent to browsers;
- a cohort other cohorts refer to can be neither deleted nor disabled.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohortcast.store.access import get_owned
from cohortcast.store.definitions import (
    check_definitions,
    references_of,
    referencing_codes,
)
from cohortcast.store.errors import ConflictError, InvalidValueError
from cohortcast.store.ids import new_cohort_code, new_id
from cohortcast.store.models import Cohort
from cohortcast.store.unset import UNSET, Unset
from cohortcast.store.workspaces import bump_config_version

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000


def list_cohorts(session: Session, workspace_id: str) -> list[Cohort]:
    """The workspace's cohorts, oldest first."""
    return list(
        session.scalars(
            select(Cohort)
            .where(Cohort.workspace_id == workspace_id)
            .order_by(Cohort.created_at, Cohort.id)
        )
    )


def get_cohort(session: Session, workspace_id: str, cohort_id: str) -> Cohort:
    """The cohort, or :class:`NotFoundError` / :class:`ForbiddenError`."""
    return get_owned(session, Cohort, workspace_id, cohort_id, "Cohort")


def create_cohort(
    session: Session,
    workspace_id: str,
    *,
    name: str,
    definition: object,
    description: str = "",
    enabled: bool = True,
) -> Cohort:
    """Create a cohort with a new code; :class:`InvalidValueError` for a bad field."""
    existing = list_cohorts(session, workspace_id)
    cohort = Cohort(
        id=new_id("coh"),
        workspace_id=workspace_id,
        code=_unused_code({c.code for c in existing}),
        name=_valid_name(name),
        description=_valid_description(description),
        definition=definition,
        enabled=enabled,
    )
    _check_set([*existing, cohort], cohort)

    session.add(cohort)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info(
        "Created cohort %s (%s) in workspace %s", cohort.code, cohort.id, workspace_id
    )
    return cohort


def update_cohort(
    session: Session,
    workspace_id: str,
    cohort_id: str,
    *,
    name: str | None = None,
    description: str | None = None,
    definition: object | Unset = UNSET,
    enabled: bool | None = None,
) -> Cohort:
    """Change the given fields; None (or ``UNSET``) leaves a field as it is."""
    cohort = get_cohort(session, workspace_id, cohort_id)
    others = [c for c in list_cohorts(session, workspace_id) if c.id != cohort.id]
    if name is not None:
        cohort.name = _valid_name(name)
    if description is not None:
        cohort.description = _valid_description(description)
    if not isinstance(definition, Unset):
        cohort.definition = definition
    if enabled is False:
        # Disabled cohorts are not sent to browsers, so enabled ones that
        # refer to this one would break there.
        _refuse_if_referenced(cohort, [c for c in others if c.enabled], "disable")
    if enabled is not None:
        cohort.enabled = enabled
    _check_set([*others, cohort], cohort)

    session.flush()
    bump_config_version(session, workspace_id)
    logger.info("Updated cohort %s (%s)", cohort.code, cohort.id)
    return cohort


def delete_cohort(session: Session, workspace_id: str, cohort_id: str) -> None:
    """Delete the cohort and its place in every activation.

    Raises :class:`ConflictError` naming the cohorts that refer to it.
    """
    cohort = get_cohort(session, workspace_id, cohort_id)
    others = [c for c in list_cohorts(session, workspace_id) if c.id != cohort.id]
    _refuse_if_referenced(cohort, others, "delete")

    session.delete(cohort)
    session.flush()
    bump_config_version(session, workspace_id)
    logger.info("Deleted cohort %s (%s)", cohort.code, cohort_id)


def _check_set(cohorts: list[Cohort], edited: Cohort) -> None:
    check_definitions({c.code: c.definition for c in cohorts}, edited.code)
    if not edited.enabled:
        return

    disabled = {c.code: c for c in cohorts if not c.enabled}
    for code in sorted(references_of(edited.definition)):
        if code in disabled:
            raise InvalidValueError(
                f"definition: cohort '{code}' ({disabled[code].name}) is disabled, so "
                "browsers cannot evaluate it; enable it first or disable this cohort.",
                "definition",
            )


def _refuse_if_referenced(cohort: Cohort, candidates: list[Cohort], verb: str) -> None:
    codes = referencing_codes({c.code: c.definition for c in candidates}, cohort.code)
    if not codes:
        return
    names = ", ".join(f"'{c.code}' ({c.name})" for c in candidates if c.code in codes)
    raise ConflictError(
        f"Cannot {verb} cohort '{cohort.code}': cohorts {names} refer to it; "
        "change or delete them first."
    )


def _unused_code(taken: set[str]) -> str:
    # 26 * 36**5 codes: a clash is rare, and a few tries make it vanishingly so.
    for _ in range(20):
        code = new_cohort_code()
        if code not in taken:
            return code
    raise ConflictError("Could not find an unused cohort code; try again.")


def _valid_name(raw: str) -> str:
    name = raw.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidValueError(
            f"Name {raw!r} must have 1 to {MAX_NAME_LENGTH} characters.", "name"
        )
    return name


def _valid_description(raw: str) -> str:
    if len(raw) > MAX_DESCRIPTION_LENGTH:
        raise InvalidValueError(
            f"The description has {len(raw)} characters; the limit is "
            f"{MAX_DESCRIPTION_LENGTH}.",
            "description",
        )
    return raw.strip()
