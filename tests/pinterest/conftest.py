"""Fixtures for the Ads API client and sandbox tests.

``sandbox`` serves a fresh :class:`SandboxState` under uvicorn on a free
loopback port, so the client is tested over real HTTP.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from cohortcast.pinterest.sandbox import SandboxState, create_sandbox_app


@dataclass
class RunningSandbox:
    """A sandbox serving on loopback: its root URL and its live state."""

    url: str
    state: SandboxState

    @property
    def api_url(self) -> str:
        """The Ads API base URL to give the client."""
        return f"{self.url}/v5"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[RunningSandbox]:
    state = SandboxState()
    config = uvicorn.Config(
        create_sandbox_app(state), log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("The sandbox did not start within 10 s.")
        time.sleep(0.01)
    yield RunningSandbox(f"http://127.0.0.1:{port}", state)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def sandbox(_sandbox_server: RunningSandbox) -> RunningSandbox:
    """The running sandbox, emptied: no audiences, lists, hits, events or faults."""
    _sandbox_server.state.reset()
    return _sandbox_server
