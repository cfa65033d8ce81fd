"""A server killed (SIGKILL) in the middle of ingestion loses nothing it
acknowledged, and once everything is resent nothing is stored twice and
membership equals the engine's recomputation from the stored history."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from cohortcast.engine import CohortSet, Event
from cohortcast.store import cohorts, workspaces
from cohortcast.store.collection_models import CollectedEvent, Membership, Profile
from cohortcast.store.database import Store, open_store
from cohortcast.store.models import Cohort

DEFINITIONS = [
    {"event": "Pageview", "count": {"op": "gte", "value": 3}, "within": {"days": 7}},
    {"event": "Pageview", "where": [{"property": "k", "op": "eq", "value": 1}]},
    {"not": {"event": "Purchase", "within": {"days": 3}}},
    {"event": "Purchase", "sum": {"property": "k", "op": "gte", "value": 2}},
]


@pytest.fixture
def seeded(database_url: str) -> Iterator[tuple[Store, str]]:
    store = open_store(database_url)
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        for number, definition in enumerate(DEFINITIONS):
            cohorts.create_cohort(
                session, workspace.id, name=f"c{number}", definition=definition
            )
        sdk_key = workspace.sdk_key
    yield store, sdk_key
    store.close()


@contextmanager
def server(database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "cohortcast.web.app:create_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "COHORTCAST_DATABASE_URL": database_url},
    )
    process.port = port  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def batches(now: int) -> list[dict[str, Any]]:
    found = []
    for visitor in range(24):
        for part in range(5):
            events = [
                {
                    "id": f"e{part}.{n}",
                    "name": "Purchase" if (visitor + n) % 4 == 0 else "Pageview",
                    "time": now - 3_600_000 + part * 60_000 + n,
                    "properties": {"k": (visitor * n + part) % 3},
                }
                for n in range(10)
            ]
            found.append({"visitor_id": f"v{visitor}", "events": events})
    return found


def send_all(
    port: int,
    path: str,
    bodies: list[dict[str, Any]],
    on_acknowledged: Callable[[int], None] | None = None,
) -> list[int]:
    """Send from 4 threads; the indexes of the batches answered 200.

    ``on_acknowledged`` is called with the number acknowledged so far.
    """
    acknowledged: list[int] = []
    lock = threading.Lock()

    def worker(indexes: range) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for index in indexes:
                try:
                    response = client.post(path, json=bodies[index])
                except httpx.TransportError:
                    return
                if response.status_code == 200:
                    with lock:
                        acknowledged.append(index)
                        count = len(acknowledged)
                    if on_acknowledged is not None:
                        on_acknowledged(count)

    threads = [
        threading.Thread(target=worker, args=(range(start, len(bodies), 4),))
        for start in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return acknowledged


def test_a_server_killed_mid_ingestion_loses_and_doubles_nothing(
    database_url: str, seeded: tuple[Store, str]
) -> None:
    store, sdk_key = seeded
    path = f"/collect/v1/{sdk_key}/events"
    bodies = batches(int(time.time() * 1000))

    # Killed once a third is acknowledged, however fast the machine is, so
    # that batches are in flight at the moment of the kill.
    def kill_at_a_third(count: int) -> None:
        if count == len(bodies) // 3:
            os.kill(first.pid, signal.SIGKILL)

    with server(database_url) as first:
        acknowledged = send_all(first.port, path, bodies, kill_at_a_third)  # type: ignore[attr-defined]
    assert len(acknowledged) < len(bodies), "the kill came after every batch"
    for index in acknowledged:
        assert _stored(store, bodies[index]) == len(bodies[index]["events"])

    with server(database_url) as second:
        assert len(send_all(second.port, path, bodies)) == len(bodies)  # type: ignore[attr-defined]

    total = sum(len(body["events"]) for body in bodies)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(CollectedEvent)) == total
    _assert_membership_is_recomputed(store)


def _stored(store: Store, body: dict[str, Any]) -> int:
    with store.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(CollectedEvent)
                .where(
                    CollectedEvent.profile_key == f"v:{body['visitor_id']}",
                    CollectedEvent.event_id.in_([e["id"] for e in body["events"]]),
                )
            )
            or 0
        )


def _assert_membership_is_recomputed(store: Store) -> None:
    with store.read() as session:
        definitions = dict(
            session.execute(select(Cohort.code, Cohort.definition)).all()
        )
        cohort_set = CohortSet.compile(definitions)
        for profile_id, key, state in session.execute(
            select(Profile.id, Profile.profile_key, Profile.state)
        ):
            history = [
                Event(name, at, properties)
                for name, at, properties in session.execute(
                    select(
                        CollectedEvent.name,
                        CollectedEvent.time,
                        CollectedEvent.properties,
                    ).where(CollectedEvent.profile_key == key)
                )
            ]
            expected = cohort_set.evaluate_history(history, state["now"])
            stored = set(
                session.scalars(
                    select(Membership.cohort_code).where(
                        Membership.profile_id == profile_id
                    )
                )
            )
            assert stored == set(expected), key
            assert set(state["members"]) == set(expected), key
