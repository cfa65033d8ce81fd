"""The traffic generator as a child process (``cohortcast demo-traffic``).

Playwright's driver and Chromium would otherwise share the terminal's process
group, and Ctrl-C would kill them mid-page before the demo could close them.
In a session of its own the traffic process hears only the demo, which asks
it to stop with SIGTERM; it then finishes the current pages and closes
Chromium. It reports its counters as one JSON line a second on stdout. It
also keeps Playwright's work off the demo process, which serves the site.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

from cohortcast.demo.processes import CLI_SNIPPET, die_with_parent
from cohortcast.demo.traffic import TrafficPlan, TrafficStats

logger = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 10.0
EXIT_GRACE_SECONDS = 5.0


class TrafficProcess:
    """Runs ``plan`` in a child process and mirrors its counters in ``stats``."""

    def __init__(self, plan: TrafficPlan, log_path: Path) -> None:
        self._plan = plan
        self._log_path = log_path
        self.returncode: int | None = None

    async def run(self, stats: TrafficStats, stop: asyncio.Event) -> None:
        """Start the child, read its counters until it ends or ``stop`` is set."""
        with self._log_path.open("ab") as log:
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                CLI_SNIPPET,
                "demo-traffic",
                "--plan",
                self._plan.to_json(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                start_new_session=True,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )
        reading = asyncio.create_task(_read_counters(child, stats))
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if reading.done():
                # Its output ended: the traffic is over and the child exiting.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(child.wait(), timeout=EXIT_GRACE_SECONDS)
        finally:
            stopping.cancel()
            await _stop_child(child)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reading, timeout=1)
        self.returncode = child.returncode


async def _read_counters(
    child: asyncio.subprocess.Process, stats: TrafficStats
) -> None:
    assert child.stdout is not None
    async for line in child.stdout:
        try:
            stats.update_from_json(line.decode())
        except (ValueError, KeyError):
            logger.debug("Ignored a line from the traffic process: %r", line)


async def _stop_child(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        # os.kill, not child.send_signal: that polls the child first, and a
        # poll that reaps a child just exiting leaves asyncio's watcher
        # nothing to wait for, so it reports exit status 255.
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(child.wait(), timeout=STOP_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.warning("The traffic process did not stop in time; killing it")
        with contextlib.suppress(ProcessLookupError):
            # Its own session: the group holds Playwright's driver and Chromium.
            os.killpg(child.pid, signal.SIGKILL)
        await child.wait()
