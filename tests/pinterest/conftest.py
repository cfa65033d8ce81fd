"""Fixtures for the Ads API client and sandbox tests.

``sandbox`` serves a fresh :class:`SandboxState` under uvicorn on a free
loopback port, so the client is tested over real HTTP.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
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


SPEC_PATH = (
    Path(__file__).resolve().parents[3] / "shared" / "pinterest" / "openapi-v5.json"
)


class OpenApi:
    """Pinterest's OpenAPI description with ``$ref`` resolved by hand.

    OpenAPI 3.0's ``nullable`` becomes a JSON Schema ``null`` type, and a
    ``$ref`` met again inside itself stops resolving (accepts anything).
    """

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def _follow(self, ref: str) -> Any:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node

    def resolve(self, node: Any, seen: frozenset[str] = frozenset()) -> Any:
        if isinstance(node, list):
            return [self.resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            return {} if ref in seen else self.resolve(self._follow(ref), seen | {ref})
        resolved = {key: self.resolve(value, seen) for key, value in node.items()}
        if resolved.pop("nullable", False) and isinstance(resolved.get("type"), str):
            resolved["type"] = [resolved["type"], "null"]
        return resolved

    def request_schema(self, path: str, method: str) -> Any:
        operation = self.document["paths"][path][method.lower()]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        return self.resolve(body)

    def response_schema(self, path: str, method: str, status: str) -> Any:
        responses = self.document["paths"][path][method.lower()]["responses"]
        answer = responses.get(status) or responses["default"]
        return self.resolve(answer["content"]["application/json"]["schema"])

    def validate(self, instance: object, schema: Any) -> None:
        jsonschema.Draft7Validator(schema).validate(instance)


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    """Pinterest's OpenAPI description; skips the test when the file is absent."""
    if not SPEC_PATH.exists():
        pytest.skip(f"Pinterest's OpenAPI description is not at {SPEC_PATH}")
    return OpenApi(json.loads(SPEC_PATH.read_text()))
