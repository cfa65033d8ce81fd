"""The demo workspace: a user, a token, the Pinterest integration and cohorts.

:func:`seed_demo` fills an empty database once and, on later runs, reads back
what it made, so a second ``cohortcast demo`` shows the same cohorts with the
same codes. The user's password is generated on the first run and kept in the
data directory (owner-only), because the database holds only its hash.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from cohortcast.pinterest.routing import Route
from cohortcast.store import activations, cohorts, integrations, tokens, users
from cohortcast.store.database import Store
from cohortcast.store.models import Cohort
from cohortcast.store.routing import load_routing
from cohortcast.store.workspaces import ensure_default_workspace

logger = logging.getLogger(__name__)

DEMO_EMAIL = "demo@cohortcast.example"
CREDENTIALS_FILE = "demo-credentials.json"


@dataclass(frozen=True)
class AdAccount:
    """A sandbox ad account and the conversion tag (Tag ID) the demo uses."""

    id: str
    name: str
    tag_id: str


# The sandbox's two ad accounts the default token reaches (docs/pinterest.md);
# a test checks they match the sandbox's seed.
MAIN_ACCOUNT = AdAccount("549755885175", "Sandbox Publisher", "2612345678901")
SECOND_ACCOUNT = AdAccount("549755885176", "Sandbox Second Account", "2619573804216")
DEMO_ACCOUNTS = (MAIN_ACCOUNT, SECOND_ACCOUNT)


@dataclass(frozen=True)
class Credentials:
    """What the demo prints so the user can sign in and call the API."""

    email: str
    password: str
    api_token: str


@dataclass(frozen=True)
class SeededCohort:
    """A demo cohort as stored."""

    name: str
    code: str


@dataclass(frozen=True)
class DemoSeed:
    """The seeded workspace; ``created`` is False when a run reused it."""

    created: bool
    credentials: Credentials
    sdk_key: str
    cohorts: list[SeededCohort]
    routing: list[Route]


class SeedError(RuntimeError):
    """The data directory holds a demo that cannot be reused; use --reset."""


def seed_demo(store: Store, data_dir: Path) -> DemoSeed:
    """Seed the default workspace of ``store`` once; reuse it afterwards."""
    path = data_dir / CREDENTIALS_FILE
    with store.transaction() as session:
        workspace = ensure_default_workspace(session)
        seeded = integrations.find_pinterest_integration(session, workspace.id)
        if seeded is None:
            credentials = _new_credentials(session, workspace.id)
            # Written before the commit: a run that stops in between leaves a
            # file and no demo, which the next run simply overwrites.
            _write_credentials(path, credentials)
            _seed_pinterest(session, workspace.id)
        else:
            credentials = _read_credentials(path)
        cohort_rows = cohorts.list_cohorts(session, workspace.id)
        return DemoSeed(
            created=seeded is None,
            credentials=credentials,
            sdk_key=workspace.sdk_key,
            cohorts=[SeededCohort(row.name, row.code) for row in cohort_rows],
            routing=load_routing(session, workspace.id),
        )


def _new_credentials(session: Session, workspace_id: str) -> Credentials:
    password = secrets.token_urlsafe(12)
    users.create_user(session, workspace_id, DEMO_EMAIL, password)
    token = tokens.create_token(session, workspace_id, "cohortcast demo")
    return Credentials(DEMO_EMAIL, password, token.secret)


def _seed_pinterest(session: Session, workspace_id: str) -> None:
    integrations.add_pinterest_integration(
        session, workspace_id, MAIN_ACCOUNT.tag_id, name="Pinterest (demo)"
    )
    made = _create_cohorts(session, workspace_id)
    # Each account gets one cohort nearly every visitor enters, so an audience
    # turns READY early in the demo, and one that fills more slowly.
    for name in ("Recent visitors", "Travel readers"):
        activations.set_pinterest_toggle(session, workspace_id, made[name].id, True)
    second = [made["Not tech readers"].id, made["Food lovers"].id]
    activations.create_activation(session, workspace_id, SECOND_ACCOUNT.tag_id, second)


def _create_cohorts(session: Session, workspace_id: str) -> dict[str, Cohort]:
    made: dict[str, Cohort] = {}
    for name, description, definition in _cohort_specs():
        if name == "Not tech readers":
            definition = _not_tech(made["Recent visitors"].code)
        made[name] = cohorts.create_cohort(
            session,
            workspace_id,
            name=name,
            description=description,
            definition=definition,
        )
    return made


def _cohort_specs() -> list[tuple[str, str, object]]:
    def pageviews(category: str) -> list[dict[str, str]]:
        return [{"property": "category", "op": "eq", "value": category}]

    return [
        (
            "Travel readers",
            "Read three or more travel articles in the last 30 days.",
            {
                "event": "Pageview",
                "where": pageviews("travel"),
                "count": {"op": "gte", "value": 3},
                "within": {"days": 30},
            },
        ),
        (
            "Food lovers",
            "Read a food article in the last 7 days.",
            {"event": "Pageview", "where": pageviews("food"), "within": {"days": 7}},
        ),
        (
            "Recent visitors",
            "Viewed any page in the last hour.",
            {"event": "Pageview", "within": {"hours": 1}},
        ),
        (
            "Engaged readers",
            "Spent 20 seconds or more reading today.",
            {
                "event": "PageviewEngagement",
                "sum": {"property": "engaged_seconds", "op": "gte", "value": 20},
                "within": {"days": 1},
            },
        ),
        ("Not tech readers", "Recent visitors who read no tech article.", None),
    ]


def _not_tech(recent_code: str) -> object:
    tech = {"property": "category", "op": "eq", "value": "tech"}
    return {
        "all": [
            {"cohort": recent_code},
            {"not": {"event": "Pageview", "where": [tech], "within": {"days": 30}}},
        ]
    }


def _write_credentials(path: Path, credentials: Credentials) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(asdict(credentials), file, indent=2)


def _read_credentials(path: Path) -> Credentials:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(raw["email"], raw["password"], raw["api_token"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SeedError(
            f"The demo database exists but its sign-in file {str(path)!r} cannot "
            "be read; start again with --reset."
        ) from error
