"""Running the traffic and reporting progress until the demo is told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping

import httpx

from cohortcast.demo.options import DemoOptions
from cohortcast.demo.progress import progress_line, read_progress
from cohortcast.demo.traffic import TrafficPlan, TrafficStats
from cohortcast.demo.traffic_process import TrafficProcess

logger = logging.getLogger(__name__)


class TrafficDrive:
    """Runs ``plan`` in its process and reports progress every interval."""

    def __init__(
        self,
        options: DemoOptions,
        plan: TrafficPlan,
        report: Callable[[str], None],
        cohort_names: Mapping[str, str],
    ) -> None:
        self._options = options
        self._report = report
        self._cohort_names = cohort_names
        self._log_path = options.data_dir / "traffic.log"
        self._process = TrafficProcess(plan, self._log_path)
        self._source = "browsers" if plan.mode == "browser" else "collect API"
        self.stats = TrafficStats()

    async def run(self, stop: asyncio.Event) -> TrafficStats:
        """Until ``stop`` is set or the duration is over; stops the traffic."""
        traffic_stop = asyncio.Event()
        traffic = asyncio.create_task(self._process.run(self.stats, traffic_stop))
        try:
            await self._report_until_stopped(traffic, stop)
        finally:
            traffic_stop.set()
            try:
                await traffic
            except Exception as error:
                logger.warning("Demo traffic ended with an error: %s", error)
        return self.stats

    async def _report_until_stopped(
        self, traffic: asyncio.Task[None], stop: asyncio.Event
    ) -> None:
        started = time.monotonic()
        duration = self._options.duration
        announced_done = False
        async with httpx.AsyncClient(timeout=5) as http:
            while not stop.is_set():
                elapsed = time.monotonic() - started
                if duration is not None and elapsed >= duration:
                    return
                wait = self._options.progress_interval
                if duration is not None:
                    wait = min(wait, duration - elapsed)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.05))
                self._report(await self._progress(http, time.monotonic() - started))
                if traffic.done() and not announced_done:
                    announced_done = True
                    self._report(self._done_note(traffic))

    async def _progress(self, http: httpx.AsyncClient, elapsed: float) -> str:
        try:
            progress = await read_progress(http, self._options.urls.sandbox)
        except (httpx.HTTPError, ValueError, KeyError) as error:
            return f"The sandbox did not answer ({error!r}); see its log."
        return progress_line(
            elapsed, self.stats, progress, self._cohort_names, self._source
        )

    def _done_note(self, traffic: asyncio.Task[None]) -> str:
        error = None if traffic.cancelled() else traffic.exception()
        status = self._process.returncode
        if error is not None or status != 0:
            problem = error or f"exit status {status}"
            return f"The traffic stopped early ({problem}); see {self._log_path}."
        return "The traffic is done; everything keeps running until Ctrl-C."
