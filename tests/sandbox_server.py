"""The Pinterest sandbox over real HTTP, in a thread of the test process.

For tests whose server calls the Ads API itself (delivery, Test connection
from the dashboard): ``with running_sandbox() as sandbox:`` gives its
``/v5`` URL and its live state.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from cohortcast.pinterest.sandbox import SandboxState, create_sandbox_app


@dataclass
class Sandbox:
    """The sandbox's Ads API URL and its live state."""

    api_url: str
    state: SandboxState


@contextmanager
def running_sandbox() -> Iterator[Sandbox]:
    """The sandbox on a free port of 127.0.0.1, stopped on exit."""
    state = SandboxState()
    app = create_sandbox_app(state)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    runner = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    runner.start()
    give_up = time.monotonic() + 10
    while not server.started and time.monotonic() < give_up:
        time.sleep(0.01)
    try:
        yield Sandbox(f"http://127.0.0.1:{port}/v5", state)
    finally:
        server.should_exit = True
        runner.join(timeout=10)
        listener.close()
