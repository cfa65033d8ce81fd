"""A Cohortcast application served by uvicorn in a thread on 127.0.0.1, for
the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free port for the duration of the block; yields its
    URL once ``/healthz`` answers."""
    # Bound here and handed to uvicorn, so no other process can take the port
    # between choosing it and listening on it.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none"))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        thread.start()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        try:
            _wait_until_up(url + "/healthz")
            yield url
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"The server did not answer at {url} within 15 s.")
