"""kill -9 the server in the middle of delivery, twice, restart it, and find
every delivery at the sandbox: no conversion counted twice, no audience
made twice, every customer-list record in place."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from delivery_helpers import AD_ACCOUNT, SECRET, START
from sqlalchemy import func, select

from cohortcast.pinterest.sandbox import Fault
from cohortcast.store.database import Store
from cohortcast.store.delivery_models import OutboxRow
from conftest import Visit
from sandbox_server import Sandbox

COHORTCAST = Path(sys.executable).with_name("cohortcast")
VISITORS = 300
SLOW_MS = 2000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(database_url: str, sandbox: Sandbox, tmp_path: Path) -> Iterator[Any]:
    """``cohortcast serve`` in its own process, delivering to the sandbox."""
    port = _free_port()
    environment = {
        **os.environ,
        "COHORTCAST_SECRET_KEY": SECRET,
        "COHORTCAST_PINTEREST_API_URL": sandbox.api_url,
        "COHORTCAST_DELIVERY_LEASE_SECONDS": "3",
    }
    process = subprocess.Popen(
        [str(COHORTCAST), "serve", "--port", str(port), "--database-url", database_url],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), "the server")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what} after {seconds} s.")
        time.sleep(0.05)


def kill_while_pinterest_is_answering(
    database_url: str, sandbox: Sandbox, tmp_path: Path, path: str
) -> None:
    """Start the server, slow Pinterest's answer on ``path``, and kill -9 the
    server while that request is in flight."""
    sandbox.state.faults.add(Fault(path, method="POST", delay_ms=SLOW_MS))
    with server(database_url, sandbox, tmp_path) as process:
        wait_for(lambda: not sandbox.state.faults.pending(), f"a POST to {path}")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    time.sleep(SLOW_MS / 1000 + 0.5)  # Pinterest finishes what it started


def test_killing_the_server_mid_delivery_loses_nothing_and_doubles_nothing(
    connected: dict[str, Any],
    activate: Callable[..., str],
    visit: Visit,
    store: Store,
    sandbox: Sandbox,
    database_url: str,
    tmp_path: Path,
) -> None:
    code = activate("Travel")
    emails = [f"{n:064x}" for n in range(VISITORS)]
    for n, email in enumerate(emails):
        visit(f"v_{n}", email_sha256=email)
    account = f"/v5/ad_accounts/{AD_ACCOUNT}"

    kill_while_pinterest_is_answering(
        database_url, sandbox, tmp_path, f"{account}/audiences"
    )
    kill_while_pinterest_is_answering(
        database_url, sandbox, tmp_path, f"{account}/events"
    )
    with server(database_url, sandbox, tmp_path):
        wait_for(lambda: _outbox_empty(store), "the outbox to empty")

    received = Counter(e["event_id"] for _, e in sandbox.state.latest_events(10_000))
    expected = {f"cc.{code}.v_{n}.{START}" for n in range(VISITORS)}
    assert set(received) == expected
    audiences = [
        a for a in sandbox.state.audiences.values() if a.ad_account_id == AD_ACCOUNT
    ]
    assert len(audiences) == 1
    assert not audiences[0].archived
    (customer_list,) = sandbox.state.customer_lists.values()
    assert customer_list.records == set(emails)


def _outbox_empty(store: Store) -> bool:
    with store.read() as session:
        waiting = session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.state != "sent")
        )
    return waiting == 0
