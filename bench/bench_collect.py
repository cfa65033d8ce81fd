"""Benchmark: collected events per second, stored and evaluated, over loopback.

For each database (a temporary SQLite file; PostgreSQL when
``COHORTCAST_TEST_POSTGRES_URL`` is set or 127.0.0.1:5432 answers, in a
schema of its own that is dropped afterwards) it seeds 50 cohorts of mixed
shapes, starts ``cohortcast.web.app:create_app`` under uvicorn in its own
process, and runs a load generator in another process: raw HTTP/1.1 over
keep-alive sockets, batches of 50 events as the SDK sends them, many
visitors. The server answers after the commit that holds a batch's events
and the states, memberships and changes its evaluation made, so every
acknowledged event is durable and evaluated: nothing is left in a queue when
the clock stops.

It reports events/s, request latency p50/p99, the CPU time per batch of the
server process and of the PostgreSQL backends serving it (read from /proc, so
PostgreSQL must run on this machine), and where the time goes inside
ingestion (measured in-process on the same store, with timers around each
step). The last line is ``collect_events_per_second_sqlite: <value> events/s``
(``..._postgresql`` with ``--database postgresql``).

    .venv/bin/python bench/bench_collect.py [--seconds 15] [--connections 16]
        [--workers 2] [--database both|sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cohortcast.collection import ingest
from cohortcast.collection.ingest import Collector, now_ms
from cohortcast.engine import CohortSet
from cohortcast.store import cohorts, workspaces
from cohortcast.store.database import open_store

BATCH = 50
VISITORS = 20_000
CATEGORIES = ["travel", "food", "sport", "tech", "news", "style", "home", "auto"]
GROUP = 16
POSTGRES_ENV = "COHORTCAST_TEST_POSTGRES_URL"
# The PostgreSQL backends serving the benchmark carry this name, so their CPU
# time can be told apart from other clients of the same server.
APPLICATION_NAME = "cohortcast-bench"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def cohort_definitions() -> list[dict[str, Any]]:
    """50 cohorts: counts, windows, predicates, sums, combinators."""
    found: list[dict[str, Any]] = []
    for index, category in enumerate(CATEGORIES):
        where = [{"property": "category", "op": "eq", "value": category}]
        found.append({"event": "Pageview", "where": where})
        found.append(
            {
                "event": "Pageview",
                "where": where,
                "count": {"op": "gte", "value": 3 + index % 3},
                "within": {"days": 30},
            }
        )
        found.append(
            {
                "event": "ArticleRead",
                "where": where,
                "sum": {"property": "engaged_seconds", "op": "gte", "value": 120},
                "within": {"days": 7},
            }
        )
        found.append(
            {
                "all": [
                    {"event": "Pageview", "where": where, "within": {"hours": 1}},
                    {"not": {"event": "Purchase", "within": {"days": 14}}},
                ]
            }
        )
        found.append(
            {
                "any": [
                    {"event": "AddToCart", "within": {"minutes": 30}},
                    {
                        "event": "Pageview",
                        "where": [
                            *where,
                            {
                                "property": "path",
                                "op": "starts_with",
                                "value": "/deals",
                            },
                        ],
                    },
                ]
            }
        )
        found.append(
            {
                "event": "Pageview",
                "where": [
                    {"property": "category", "op": "in", "value": CATEGORIES[:3]}
                ],
                "count": {"op": "lte", "value": index},
                "within": {"days": 1},
            }
        )
    found.append({"event": "Purchase", "count": {"op": "gte", "value": 2}})
    found.append({"event": "AddToCart", "within": {"days": 30}})
    return found[:50]


def seed(database_url: str) -> str:
    """Create the 50 cohorts through the store; return the SDK key."""
    store = open_store(database_url)
    with store.transaction() as session:
        workspace = workspaces.get_default_workspace(session)
        for number, definition in enumerate(cohort_definitions()):
            cohorts.create_cohort(
                session, workspace.id, name=f"Cohort {number}", definition=definition
            )
        sdk_key = workspace.sdk_key
    store.close()
    return sdk_key


def make_batch(visitor: int, sequence: str, now: int) -> bytes:
    """One SDK batch of BATCH events for visitor ``visitor``."""
    rng = random.Random(sequence)
    events = []
    for index in range(BATCH):
        name = rng.choice(
            ["Pageview", "Pageview", "Pageview", "ArticleRead", "AddToCart"]
        )
        properties: dict[str, Any] = {
            "category": rng.choice(CATEGORIES),
            "path": rng.choice(["/deals/today", "/article/lisbon", "/"]),
            "title": "A page title of ordinary length for a news site",
        }
        if name == "ArticleRead":
            properties["engaged_seconds"] = rng.randint(5, 90)
        events.append(
            {
                "id": f"e_{sequence}_{index}",
                "name": name,
                "time": now - rng.randint(0, 3_600_000),
                "properties": properties,
            }
        )
    body = {"visitor_id": f"v_{visitor}", "sent_at": now, "events": events}
    return json.dumps(body).encode()


async def connection_loop(
    port: int, path: str, deadline: float, seed_text: str, latencies: list[float]
) -> int:
    """Send batches on one keep-alive connection until ``deadline``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random(seed_text)
    sent = 0
    while time.monotonic() < deadline:
        body = make_batch(rng.randrange(VISITORS), f"{seed_text}_{sent}", now_ms())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        started = time.perf_counter()
        writer.write(head + body)
        status = await read_response(reader)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"collect answered HTTP {status}")
        sent += 1
    writer.close()
    return sent


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(lines[0].split()[1])


def load_process(
    port: int, path: str, seconds: float, connections: int, name: str, out: Any
) -> None:
    """Entry point of a load generator process; puts (requests, latencies)."""

    async def run() -> tuple[int, list[float]]:
        latencies: list[float] = []
        deadline = time.monotonic() + seconds
        counts = await asyncio.gather(
            *(
                connection_loop(port, path, deadline, f"{name}{n}", latencies)
                for n in range(connections)
            )
        )
        return sum(counts), latencies

    out.put(asyncio.run(run()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(database_url: str, workers: int) -> Iterator[tuple[int, int]]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "cohortcast.web.app:create_app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--workers",
        str(workers),
    ]
    environment = {**os.environ, "COHORTCAST_DATABASE_URL": database_url}
    process = subprocess.Popen(command, env=environment)
    try:
        wait_for(port)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far, from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if entry.name == str(pid) or fields[1] == str(pid):
            total += _cpu(fields)
    return total


def database_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the benchmark,
    by process id (the server runs on this machine); empty for SQLite."""
    if not database_url.startswith("postgresql"):
        return {}
    admin = create_engine(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES))
    with admin.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": APPLICATION_NAME},
        ).scalars()
        found = {}
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            found[pid] = _cpu(stat.rsplit(")", 1)[1].split())
    admin.dispose()
    return found


def _cpu(stat_fields: list[str]) -> float:
    # utime and stime, the 14th and 15th fields of /proc/<pid>/stat.
    return (int(stat_fields[11]) + int(stat_fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def run_load(
    database_url: str, sdk_key: str, seconds: float, connections: int, workers: int
) -> dict[str, float]:
    """Drive the server for ``seconds``; events/s and latency percentiles."""
    path = f"/collect/v1/{sdk_key}/events"
    with server(database_url, workers) as (port, pid):
        cpu_before = cpu_seconds(pid)
        database_before = database_cpu(database_url)
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        loader = context.Process(
            target=load_process,
            args=(port, path, seconds, connections, secrets.token_hex(3), results),
        )
        started = time.perf_counter()
        loader.start()
        requests, latencies = results.get(timeout=seconds + 120)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu_before
        database = sum(
            spent - database_before.get(backend, 0.0)
            for backend, spent in database_cpu(database_url).items()
        )
        loader.join()
    latencies.sort()
    return {
        "events_per_second": requests * BATCH / elapsed,
        "events_per_cpu_second": requests * BATCH / cpu if cpu else 0.0,
        "server_cpu_ms_per_batch": cpu * 1000 / requests,
        "database_cpu_ms_per_batch": database * 1000 / requests,
        "requests": requests,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def breakdown(
    database_url: str, sdk_key: str, batches: int = 320
) -> dict[str, tuple[float, float]]:
    """Per batch, in each ingestion step measured in-process: milliseconds of
    wall time and of this process's CPU (the rest of the wall time is spent
    waiting, on the database or on other processes of a busy machine)."""
    store = open_store(database_url)
    collector = Collector(store)
    spent: dict[str, tuple[float, float]] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                before = spent.get(name, (0.0, 0.0))
                spent[name] = (
                    before[0] + time.perf_counter() - wall,
                    before[1] + time.thread_time() - cpu,
                )

        return wrapper

    originals = {
        name: getattr(ingest, name)
        for name in (
            "parse_collect_batch",
            "lock_profiles",
            "insert_events",
            "save_profiles",
        )
    }
    for name, function in originals.items():
        setattr(ingest, name, timed(name, function))
    process = CohortSet.process
    CohortSet.process = timed("evaluate (engine)", process)  # type: ignore[method-assign]
    try:
        rng = random.Random(7)
        bodies = [
            make_batch(rng.randrange(VISITORS), f"profile{n}", now_ms())
            for n in range(batches)
        ]
        total_started, cpu_started = time.perf_counter(), time.thread_time()
        # As the server's writer does under load: several batches per commit.
        for start in range(0, batches, GROUP):
            parsed = [collector.parse(body) for body in bodies[start : start + GROUP]]
            collector.commit_batches([(sdk_key, batch) for batch in parsed])
        total = time.perf_counter() - total_started
        total_cpu = time.thread_time() - cpu_started
    finally:
        for name, function in originals.items():
            setattr(ingest, name, function)
        CohortSet.process = process  # type: ignore[method-assign]
        store.close()
    rest_wall = total - sum(wall for wall, _ in spent.values())
    rest_cpu = total_cpu - sum(cpu for _, cpu in spent.values())
    spent["begin, commit and the rest"] = (rest_wall, rest_cpu)
    spent["total"] = (total, total_cpu)
    return {
        name: (wall * 1000 / batches, cpu * 1000 / batches)
        for name, (wall, cpu) in spent.items()
    }


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    admin_url = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    schema = f"bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": APPLICATION_NAME}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_available() -> bool:
    if os.environ.get(POSTGRES_ENV):
        return True
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def bench(kind: str, arguments: argparse.Namespace) -> float:
    with database(kind) as url:
        sdk_key = seed(url)
        steps = breakdown(url, sdk_key)
        figures = run_load(url, sdk_key, arguments.seconds, arguments.connections, 1)
        print(
            f"{kind}: {figures['events_per_second']:.0f} events/s over"
            f" {figures['requests']:.0f} batches of {BATCH}, one server process;"
            f" latency p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms;"
            f" {figures['events_per_cpu_second']:.0f} events per server CPU-second"
        )
        print(
            f"{kind}: CPU per batch of {BATCH}: server"
            f" {figures['server_cpu_ms_per_batch']:.2f} ms, database server"
            f" {figures['database_cpu_ms_per_batch']:.2f} ms"
        )
        print(f"{kind}: in-process per batch of {BATCH}, ms wall / ms CPU:")
        for name, (wall, cpu) in sorted(steps.items(), key=lambda item: -item[1][0]):
            print(f"  {name:32} {wall:7.2f} {cpu:7.2f}")
        if arguments.workers > 1:
            more = run_load(
                url,
                sdk_key,
                arguments.seconds,
                arguments.connections,
                arguments.workers,
            )
            print(
                f"{kind}: {more['events_per_second']:.0f} events/s with"
                f" {arguments.workers} server processes; p50 {more['p50_ms']:.1f} ms,"
                f" p99 {more['p99_ms']:.1f} ms"
            )
        return figures["events_per_second"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database", choices=["both", "sqlite", "postgresql"], default="both"
    )
    arguments = parser.parse_args()

    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f};"
        f" {len(cohort_definitions())} cohorts"
    )
    if arguments.database != "sqlite" and postgres_available():
        rate = bench("postgresql", arguments)
        print(f"collect_events_per_second_postgresql: {rate:.0f} events/s")
    if arguments.database != "postgresql":
        rate = bench("sqlite", arguments)
        print(f"collect_events_per_second_sqlite: {rate:.0f} events/s")


if __name__ == "__main__":
    main()
