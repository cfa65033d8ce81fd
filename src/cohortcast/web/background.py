"""The server's background loops (collection's scheduled work, delivery),
run as tasks for the application's lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any


@asynccontextmanager
async def running(loop: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run ``loop`` as a task for the duration of the ``async with`` block,
    then cancel it and wait until it has stopped."""
    task = asyncio.create_task(loop)
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
