"""Benchmark: Conversions API events per second delivered to the sandbox.

Starts ``cohortcast sandbox``'s app under uvicorn in a separate process on a
free loopback port, builds N cohort events, and sends them through
``AdsClient.send_conversion_events`` (1,000 events per request, a few
requests in flight). The last line is
``conversions_events_per_second: <value> events/s``.

    .venv/bin/python bench/bench_conversions.py [--events 200000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from cohortcast.pinterest.ads import AdsClient, cohort_conversion_event
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN

ACCOUNT = "549755885175"
TIME_LIMIT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "cohortcast.pinterest.sandbox:create_sandbox_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_sandbox/events?limit=0", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("The sandbox did not start within 20 s.")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc (None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def deliver(
    url: str, count: int, concurrency: int
) -> tuple[float, float, int, float]:
    started = time.perf_counter()
    events = [
        cohort_conversion_event(
            "k7d2qa",
            f"v_{index:08x}",
            1764777600000 + index,
            emails=[f"reader{index}@example.com"],
        )
        for index in range(count)
    ]
    built = time.perf_counter() - started

    async with AdsClient(DEFAULT_TOKEN, base_url=f"{url}/v5") as client:
        started = time.perf_counter()
        client_cpu = time.process_time()
        summary = await client.send_conversion_events(
            ACCOUNT, events, concurrency=concurrency
        )
        sent = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
    return built, sent, summary.processed, client_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--concurrency", type=int, default=4)
    options = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox = start_sandbox(port)
    sandbox_cpu = cpu_seconds(sandbox.pid)
    try:
        built, sent, processed, client_cpu = asyncio.run(
            asyncio.wait_for(
                deliver(url, options.events, options.concurrency), TIME_LIMIT_SECONDS
            )
        )
        received = httpx.get(f"{url}/_sandbox/events?limit=0").json()["received"]
        after = cpu_seconds(sandbox.pid)
        if sandbox_cpu is not None and after is not None:
            sandbox_cpu = after - sandbox_cpu
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    rate = processed / sent
    print(
        f"events: {options.events}, requests: {-(-options.events // 1000)}, "
        f"concurrency: {options.concurrency}"
    )
    print(
        f"built events (hashing included): {built:.2f} s "
        f"({options.events / built:,.0f} events/s)"
    )
    print(
        f"delivered: {sent:.2f} s, processed: {processed}, sandbox received: {received}"
    )
    per_event = f"client {client_cpu / processed * 1e6:.1f} us"
    if sandbox_cpu is not None:
        per_event += f", sandbox {sandbox_cpu / processed * 1e6:.1f} us"
    print(f"CPU per event: {per_event} (load average {os.getloadavg()[0]:.1f})")
    if received != options.events:
        raise SystemExit("The sandbox did not receive every event.")
    print(f"conversions_events_per_second: {rate:.0f} events/s")


if __name__ == "__main__":
    main()
