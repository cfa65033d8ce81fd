"""``cohortcast doctor``: grouped text or JSON, and an exit status scripts use."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from cohortcast.cli import main
from cohortcast.collection.ingest import Collector
from cohortcast.store import cohorts, integrations, workspaces
from cohortcast.store.activations import set_pinterest_toggle
from cohortcast.store.database import open_store
from cohortcast.store.sdk_sightings import record_config_fetch

TAG_ID = "2612345678901"
DAY_MS = 86_400_000


def doctor(database_url: str, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["doctor", "--database-url", database_url, *options]
    )
    return result.exit_code, result.stdout


def set_up_pinterest(database_url: str) -> None:
    store = open_store(database_url)
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        integrations.add_pinterest_integration(session, workspace.id, TAG_ID)
        cohort = cohorts.create_cohort(
            session, workspace.id, name="Travel", definition={"event": "Pageview"}
        )
        set_pinterest_toggle(session, workspace.id, cohort.id, True)
    store.close()


def visit_two_days_ago(database_url: str) -> None:
    """One visitor, two days ago: page view, pixel, signals, config fetch."""
    store = open_store(database_url)
    then = int(time.time() * 1000) - 2 * DAY_MS
    with store.read() as session:
        workspace = workspaces.get_default_workspace(session)
        code = cohorts.list_cohorts(session, workspace.id)[0].code
    batch = {
        "visitor_id": "v_1",
        "events": [{"id": "e_1", "name": "Pageview", "time": then}],
        "receipts": [
            {"tag_id": TAG_ID, "cohort_code": code, "event_id": "cc.1", "time": then}
        ],
        "signals": {"pinterest_cookie": True, "consent": True},
    }
    Collector(store).collect(workspace.sdk_key, json.dumps(batch).encode())
    with store.transaction() as session:
        record_config_fetch(session, workspace.id, then)
    store.close()


def test_a_failing_check_makes_doctor_exit_with_status_1(database_url: str) -> None:
    status, output = doctor(database_url)

    assert status == 1
    assert output.startswith("Integration not available\n")
    assert "  ✗ failing Pinterest integration saved" in output
    assert "      Fix: In the dashboard, open Settings > Integrations" in output
    assert output.rstrip().splitlines()[-1].startswith("FAILING: ")


def test_doctor_prints_no_colour_codes_when_not_on_a_terminal(
    database_url: str,
) -> None:
    _, output = doctor(database_url)

    assert "\x1b[" not in output


def test_warnings_alone_exit_with_status_0(database_url: str) -> None:
    set_up_pinterest(database_url)
    visit_two_days_ago(database_url)

    status, output = doctor(database_url)

    assert "✗" not in output
    assert "  ! warning SDK seen on the site" in output
    assert "2 days ago" in output
    assert status == 0


def test_json_prints_the_same_document_as_the_api(database_url: str) -> None:
    set_up_pinterest(database_url)

    status, output = doctor(database_url, "--json")

    answer = json.loads(output)
    assert status == 1
    assert set(answer) == {"status", "checked_at", "checks"}
    assert answer["status"] == "failing"
    assert {c["group"] for c in answer["checks"]} >= {"integration", "routing"}
    saved = next(c for c in answer["checks"] if c["id"] == "integration.saved")
    assert saved["status"] == "ok"
    assert saved["fix"] is None


def test_a_cohort_left_off_is_listed_as_info_and_counted(database_url: str) -> None:
    set_up_pinterest(database_url)
    store = open_store(database_url)
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        cohorts.create_cohort(
            session, workspace.id, name="Sports", definition={"event": "Pageview"}
        )
    store.close()

    _, output = doctor(database_url)

    assert "  i info    Cohort 'Sports' (" in output
    assert ", 1 info, " in output.rstrip().splitlines()[-1]
