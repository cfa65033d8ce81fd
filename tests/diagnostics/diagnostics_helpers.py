"""A small publisher site for the diagnostics tests, built through the store
and the collector as the real thing would be."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cohortcast.collection.ingest import Collector
from cohortcast.diagnostics import Check, PinterestFacts, Report, run_diagnostics
from cohortcast.store import activations, cohorts, integrations, workspaces
from cohortcast.store.database import Store
from cohortcast.store.sdk_sightings import record_config_fetch

NOW = 1_796_000_000_000
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY_MS = 24 * HOUR
TAG_ID = "2612345678901"
OTHER_TAG_ID = "2698765432109"


@dataclass
class Site:
    """One workspace and the visits its pages send, at :data:`NOW`."""

    store: Store
    now: int = NOW
    visits: int = field(default=0)

    def __post_init__(self) -> None:
        with self.store.read() as session:
            workspace = workspaces.get_default_workspace(session)
            self.workspace_id, self.sdk_key = workspace.id, workspace.sdk_key
        self.collector = Collector(self.store, clock=lambda: self.now)

    def add_pinterest(self, tag_id: str = TAG_ID) -> str:
        """The Pinterest integration with ``tag_id`` as its default; its id."""
        with self.store.transaction() as session:
            return integrations.add_pinterest_integration(
                session, self.workspace_id, tag_id
            ).id

    def add_cohort(self, section: str, *, pinterest: bool = True) -> str:
        """A cohort of the visitors of ``section``, toggled on; its code."""
        with self.store.transaction() as session:
            cohort = cohorts.create_cohort(
                session,
                self.workspace_id,
                name=section.title(),
                definition={
                    "event": "Pageview",
                    "where": [{"property": "section", "op": "eq", "value": section}],
                },
            )
            if pinterest:
                activations.set_pinterest_toggle(
                    session, self.workspace_id, cohort.id, True
                )
            return cohort.code

    def activate(self, tag_id: str | None, codes: list[str]) -> str:
        """An activation of ``codes`` to ``tag_id``; its id."""
        with self.store.transaction() as session:
            ids = [
                c.id
                for c in cohorts.list_cohorts(session, self.workspace_id)
                if c.code in codes
            ]
            return activations.create_activation(
                session, self.workspace_id, tag_id, ids
            ).id

    def disable(self, code: str) -> None:
        """Disable the cohort ``code`` (its activations keep it)."""
        with self.store.transaction() as session:
            (cohort,) = [
                c
                for c in cohorts.list_cohorts(session, self.workspace_id)
                if c.code == code
            ]
            cohorts.update_cohort(session, self.workspace_id, cohort.id, enabled=False)

    def visit(
        self,
        section: str,
        visitors: int,
        *,
        cookies: int | None = None,
        refusals: int = 0,
        pixels: dict[str, str] | None = None,
        signals: bool = True,
        visitor: str | None = None,
    ) -> None:
        """``visitors`` new visitors read ``section``; the first ``cookies``
        (default: all) have Pinterest's cookies, the last ``refusals`` refuse
        activation, and each fires the pixels ``{tag_id: cohort_code}``.
        ``visitor`` names a returning visitor instead of a new one."""
        cookies = visitors if cookies is None else cookies
        batches = []
        for number in range(visitors):
            self.visits += 1
            visitor_id = visitor or f"v_{self.visits}"
            body: dict[str, object] = {
                "visitor_id": visitor_id,
                "events": [
                    {
                        "id": f"e_{self.visits}",
                        "name": "Pageview",
                        "time": self.now - MINUTE,
                        "properties": {"section": section},
                    }
                ],
                "receipts": [
                    {
                        "tag_id": tag_id,
                        "cohort_code": code,
                        "event_id": f"cc.{code}.{visitor_id}.{self.now}",
                        "time": self.now - MINUTE,
                    }
                    for tag_id, code in (pixels or {}).items()
                ],
            }
            if signals:
                body["signals"] = {
                    "pinterest_cookie": number < cookies,
                    "consent": number < visitors - refusals,
                }
            batches.append(
                (self.sdk_key, self.collector.parse(json.dumps(body).encode()))
            )
        self.collector.commit_batches(batches)

    def sdk_seen(self, ago: int = MINUTE) -> None:
        """A browser fetched the configuration ``ago`` ms before now."""
        with self.store.transaction() as session:
            record_config_fetch(session, self.workspace_id, self.now - ago)

    def healthy(self, section: str = "travel", members: int = 120) -> str:
        """Integration, an activated cohort of ``members``, pixels this hour,
        the SDK seen a minute ago; the cohort's code."""
        self.add_pinterest()
        code = self.add_cohort(section)
        self.visit(section, members, pixels={TAG_ID: code})
        self.sdk_seen()
        return code

    def report(self, pinterest: PinterestFacts | None = None) -> Report:
        """Every check, now."""
        with self.store.read() as session:
            return run_diagnostics(
                session, self.workspace_id, self.now, pinterest=pinterest
            )


def only(report: Report, check_id: str) -> Check:
    """The check with ``check_id``; fails the test, listing the ids, if absent."""
    check = report.find(check_id)
    assert check is not None, f"no check {check_id}: {[c.id for c in report.checks]}"
    return check
