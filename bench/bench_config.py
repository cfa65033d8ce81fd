"""Requests per second for the SDK configuration, with and without If-None-Match.

Starts one real server process (``cohortcast serve``: uvicorn on a loopback
socket, SQLite in a temporary directory, a workspace with 20 cohorts routed
to two Tag IDs), then drives it from this process with a small HTTP/1.1
keep-alive load generator on raw asyncio sockets. Each phase is bounded in
time and in requests. The last line is the 304 figure:

    config_304_requests_per_second: 2345.6 requests/s

Usage: python bench/bench_config.py [--seconds 5] [--connections 16]
       [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cohortcast.store import activations, cohorts, integrations, workspaces
from cohortcast.store.database import open_store

HOST = "127.0.0.1"
MAX_REQUESTS_PER_PHASE = 200_000
WARM_UP_SECONDS = 1.0


@dataclass
class Tally:
    """Responses seen in one phase, by status."""

    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


def main() -> None:
    options = _arguments()
    with (
        tempfile.TemporaryDirectory() as directory,
        _database(options, directory) as url,
    ):
        database_url = url
        sdk_key = _seed(database_url)
        port = _free_port()
        server = _start_server(database_url, port, Path(directory))
        try:
            _run_phases(port, sdk_key, options)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="length of each phase"
    )
    parser.add_argument(
        "--connections", type=int, default=16, help="concurrent clients"
    )
    parser.add_argument(
        "--postgres-url",
        help="measure on this PostgreSQL database (in a schema of its own, "
        "dropped afterwards) instead of a SQLite file",
    )
    return parser.parse_args()


@contextmanager
def _database(options: argparse.Namespace, directory: str) -> Iterator[str]:
    if not options.postgres_url:
        yield f"sqlite:///{Path(directory) / 'bench.db'}"
        return
    admin = create_engine(options.postgres_url, isolation_level="AUTOCOMMIT")
    schema = f"bench_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(options.postgres_url).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _seed(database_url: str) -> str:
    store = open_store(database_url)
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        integrations.add_pinterest_integration(session, workspace.id, "2612345678901")
        created = [
            cohorts.create_cohort(
                session,
                workspace.id,
                name=f"Section {number}",
                definition={
                    "event": "Pageview",
                    "where": [
                        {"property": "section", "op": "eq", "value": f"s{number}"}
                    ],
                    "count": {"op": "gte", "value": 3},
                    "within": {"days": 30},
                },
            )
            for number in range(20)
        ]
        for cohort in created:
            activations.set_pinterest_toggle(session, workspace.id, cohort.id, True)
        activations.create_activation(
            session, workspace.id, "5550000000001", [c.id for c in created[:10]]
        )
        sdk_key = workspace.sdk_key
    store.close()
    return sdk_key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _start_server(
    database_url: str, port: int, directory: Path
) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("cohortcast")),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--database-url",
        database_url,
    ]
    # WARNING: per-request access log lines would measure the terminal instead.
    environment = {**os.environ, "COHORTCAST_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(command, cwd=directory, env=environment)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://{HOST}:{port}/healthz", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("The server did not start within 30 seconds.")


def _run_phases(port: int, sdk_key: str, options: argparse.Namespace) -> None:
    path = f"/sdk/v1/{sdk_key}/config.json"
    first = httpx.get(f"http://{HOST}:{port}{path}")
    etag = first.headers["etag"]
    print(f"config.json: {len(first.content)} bytes, ETag {etag}")

    phases = [("200", path, None, 200), ("304", path, etag, 304)]
    results: dict[str, float] = {}
    for label, target, if_none_match, expected in phases:
        request = _request(target, port, if_none_match)
        _run(_load(port, request, WARM_UP_SECONDS, options.connections))
        started = time.perf_counter()
        tally = _run(_load(port, request, options.seconds, options.connections))
        elapsed = time.perf_counter() - started
        if set(tally.statuses) != {expected}:
            raise SystemExit(
                f"Phase {label}: expected only {expected}, got {tally.statuses}"
            )
        results[label] = tally.total / elapsed
        print(f"  {label}: {tally.total} requests in {elapsed:.2f} s")

    print(f"config_200_requests_per_second: {results['200']:.1f} requests/s")
    print(f"config_304_requests_per_second: {results['304']:.1f} requests/s")


def _run(load: Coroutine[None, None, Tally]) -> Tally:
    # uvloop (installed with uvicorn) leaves more of the CPU to the server.
    try:
        import uvloop
    except ImportError:
        return asyncio.run(load)
    return uvloop.run(load)


def _request(path: str, port: int, if_none_match: str | None) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Origin: https://news.example",
    ]
    if if_none_match:
        lines.append(f"If-None-Match: {if_none_match}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _load(port: int, request: bytes, seconds: float, connections: int) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(_client(port, request, deadline, tally) for _ in range(connections))
    )
    return tally


async def _client(port: int, request: bytes, deadline: float, tally: Tally) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while time.perf_counter() < deadline and tally.total < MAX_REQUESTS_PER_PHASE:
            writer.write(request)
            status = await _read_response(reader)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
    finally:
        writer.close()
        await writer.wait_closed()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split(" ", 2)[1])


if __name__ == "__main__":
    main()
