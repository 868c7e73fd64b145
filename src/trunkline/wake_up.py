"""When the server's background pass runs next: at the next job's due time, or sooner when a
request schedules a job due sooner.

A request that schedules work (RunTask: its tasks' first steps, due a step's duration on;
RegisterContainerInstance: the trunk's provisioning) used to wake the background pass at once.
That pass found nothing due, but its two turns on the store worker (listing the due jobs, reading
the next due time) ran just as the client sent its next call, which waited behind them. Now a
wake-up only brings the pass forward to the new job's due time, and runs it at once if that time,
or that of a job already known, has come.
"""

from __future__ import annotations

import asyncio
import contextlib

from trunkline.clock import Clock


class Alarm:
    def __init__(self, clock: Clock, loop: asyncio.AbstractEventLoop) -> None:
        self._clock = clock
        self._loop = loop
        self._rung = asyncio.Event()
        self._requested: float | None = None  # the soonest due time requests reported since the last look

    def ring_from_any_thread(self, due: float) -> None:
        """A request scheduled a job due at `due` (the store's clock); called on the store worker."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
            self._loop.call_soon_threadsafe(self._ring, due)

    def _ring(self, due: float) -> None:
        self._requested = due if self._requested is None else min(self._requested, due)
        self._rung.set()

    async def sleep(self, seconds: float, known_due: float | None) -> None:
        """Sleep `seconds`, or until a job a request scheduled is due, or at once when a request
        schedules one while a job (`known_due`, or its own) is due already."""
        deadline = self._loop.time() + seconds
        while True:
            requested, self._requested = self._requested, None
            self._rung.clear()
            if requested is not None:
                now = self._clock.now()
                if requested <= now or (known_due is not None and known_due <= now):
                    return
                deadline = min(deadline, self._loop.time() + (requested - now))
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._rung.wait(), remaining)
            if not self._rung.is_set():  # the time came
                return
