"""The SDK's ``signals`` of a batch, kept per profile for the troubleshooting
checks (the share of a cohort Pinterest can identify, and without consent).

``pinterest_cookie`` says whether Pinterest's own cookies exist in the
browser, never their values; ``consent`` whether activation was allowed.
One row per profile, overwritten by the latest batch, deleted with the
profile, so nothing accumulates per visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from cohortcast.collection.evaluation import dialect_insert
from cohortcast.store.collection_models import Profile
from cohortcast.store.diagnostics_models import ProfileSignals

_SIGNALS: Table = ProfileSignals.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Signals:
    """What the SDK reported about the browser that sent a batch."""

    pinterest_cookie: bool
    consent: bool


def parse_signals(raw: object) -> Signals | None:
    """The batch's signals, or None when absent or not two booleans.

    Signals only inform troubleshooting, so a malformed value is ignored
    rather than costing the visitor the batch's events.
    """
    if not isinstance(raw, dict):
        return None
    cookie, consent = raw.get("pinterest_cookie"), raw.get("consent")
    if not isinstance(cookie, bool) or not isinstance(consent, bool):
        return None
    return Signals(cookie, consent)


def record_signals(
    session: Session,
    workspace_id: str,
    reported: Sequence[tuple[str, Signals | None]],
    now: int,
) -> None:
    """Store the latest signals of each profile key (the last report wins).

    Runs after the batch's profiles exist, in the batch's transaction.
    """
    latest = {key: signals for key, signals in reported if signals is not None}
    if not latest:
        return
    ids: dict[str, int] = dict(
        session.execute(
            select(Profile.profile_key, Profile.id).where(
                Profile.workspace_id == workspace_id,
                Profile.profile_key.in_(sorted(latest)),
            )
        ).all()
    )
    rows = [
        {
            "profile_id": ids[key],
            "workspace_id": workspace_id,
            "pinterest_cookie": signals.pinterest_cookie,
            "consent": signals.consent,
            "updated_at": now,
        }
        for key, signals in sorted(latest.items())
        if key in ids
    ]
    if not rows:
        return
    insert = dialect_insert(session, _SIGNALS)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["profile_id"],
            set_={
                "pinterest_cookie": insert.excluded.pinterest_cookie,
                "consent": insert.excluded.consent,
                "updated_at": insert.excluded.updated_at,
            },
        ),
        rows,
    )
