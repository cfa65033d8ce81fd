"""Group commit: concurrent collect requests share transactions.

A commit costs a disk flush (and on PostgreSQL a round trip) whatever it
holds, so committing each batch alone caps ingestion at the disk's flush
rate. Requests hand their validated batch to a writer thread; the writer
takes every batch waiting, stores and evaluates them in one transaction,
commits, and only then wakes the requests, so each still answers 2xx only
once its events are durable.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future

from cohortcast.collection.batches import CollectBatch
from cohortcast.collection.ingest import Collector, IngestResult, UnknownSdkKeyError

logger = logging.getLogger(__name__)

# Enough to amortise a commit, few enough that one transaction stays short.
MAX_BATCHES_PER_COMMIT = 64

Outcome = IngestResult | UnknownSdkKeyError
_Job = tuple[str, CollectBatch, "Future[Outcome]"]


class BatchWriter:
    """Writer threads committing queued batches together.

    ``writers`` is 1 on SQLite (one writer at a time anyway) and a few on
    PostgreSQL, where one group's round trips overlap another's work.
    Threads start with the first batch, so an app that never runs its
    lifespan (a test client) works too; :meth:`close` stops them.
    """

    def __init__(self, collector: Collector, writers: int = 1) -> None:
        self.collector = collector
        self.writers = writers
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    async def submit(self, sdk_key: str, batch: CollectBatch) -> IngestResult:
        """Queue a validated batch; return its outcome once committed.

        Raises :class:`UnknownSdkKeyError`, or the database's error.
        """
        self._start()
        done: Future[Outcome] = Future()
        self._jobs.put((sdk_key, batch, done))
        outcome = await asyncio.wrap_future(done)
        if isinstance(outcome, UnknownSdkKeyError):
            raise outcome
        return outcome

    def close(self) -> None:
        """Stop the writers after the batches already queued."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._jobs.put(None)
        for thread in threads:
            thread.join(timeout=30)

    def _start(self) -> None:
        if self._threads:
            return
        with self._lock:
            while len(self._threads) < self.writers:
                thread = threading.Thread(
                    target=self._run, name="cohortcast-collect-writer", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            jobs = [job]
            while len(jobs) < MAX_BATCHES_PER_COMMIT:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._jobs.put(None)
                    break
                jobs.append(more)
            self._commit(jobs)

    def _commit(self, jobs: list[_Job]) -> None:
        try:
            outcomes = self.collector.commit_batches([(k, b) for k, b, _ in jobs])
        except Exception as error:
            if len(jobs) == 1:
                # Not the traceback: a database error quotes the statement's
                # parameters, and those are the visitor's event properties.
                logger.error(
                    "Storing a collected batch failed: %s", type(error).__name__
                )
                jobs[0][2].set_exception(RuntimeError("storing the batch failed"))
                return
            # One bad batch must not fail the others: retry each on its own.
            for job in jobs:
                self._commit([job])
            return
        for (_, _, done), outcome in zip(jobs, outcomes, strict=True):
            done.set_result(outcome)
