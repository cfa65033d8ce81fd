"""``cohortcast serve``: a real server process on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cohortcast.store import workspaces
from cohortcast.store.database import open_store

COHORTCAST = Path(sys.executable).with_name("cohortcast")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[str]) -> bool:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(url, timeout=1)
            return True
        except httpx.TransportError:
            time.sleep(0.1)
    return False


def _sdk_key(database_url: str) -> str:
    store = open_store(database_url)
    with store.read() as session:
        sdk_key = workspaces.get_default_workspace(session).sdk_key
    store.close()
    return sdk_key


def test_serve_answers_on_its_port_and_logs_the_url_and_database(
    database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(COHORTCAST), "serve", "--port", str(port), "--database-url", database_url],
        cwd=tmp_path,
        env={**os.environ, "COHORTCAST_DATABASE_URL": "sqlite:///./not-this-one.db"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        up = _wait_until_up(f"{base_url}/healthz", process)
        sdk_key = _sdk_key(database_url)
        response = httpx.get(f"{base_url}/sdk/v1/{sdk_key}/config.json") if up else None
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)

    if response is None:
        pytest.fail(f"cohortcast serve did not answer:\n{output}")
    assert response.status_code == 200
    assert response.json()["collect_url"] == f"{base_url}/collect/v1/{sdk_key}/events"
    assert f"Cohortcast serving on {base_url} with database" in output
    assert not (tmp_path / "not-this-one.db").exists()
