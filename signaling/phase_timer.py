"""The countdown of the current interview phase (think time or answer limit).

It fires one event when it runs out, and it can pause while the candidate is away and resume
with the time that was left — answer time does not run while nobody is connected.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from .flow import Event


class PhaseTimer:
    def __init__(self, seconds: float, event: Event, fire: Callable[[Event], Awaitable[None]], *, name: str) -> None:
        self.total = seconds
        self.event = event
        self._fire = fire
        self._name = name
        self._left = seconds  # what remained when last paused (or the whole time before starting)
        self._started: float | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._started is not None

    @property
    def remaining(self) -> float:
        if self._started is None:
            return self._left
        return max(0.0, self._left - (time.monotonic() - self._started))

    @property
    def elapsed(self) -> float:
        return self.total - self.remaining

    def start(self) -> None:
        if self._started is None:
            self._started = time.monotonic()
            self._task = asyncio.create_task(self._run(self._left), name=self._name)

    async def _run(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._task = None  # from here on the event is being applied; it must not cancel itself
        await self._fire(self.event)

    async def pause(self) -> None:
        """Stop the countdown, keeping what is left."""
        if self._started is None:
            return
        self._left = self.remaining
        self._started = None
        await self._stop_task()

    def cancel(self) -> None:
        """Stop for good (the phase ended); safe to call from the task that fired."""
        self._started = None
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _stop_task(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def aclose(self) -> None:
        self._started = None
        await self._stop_task()
