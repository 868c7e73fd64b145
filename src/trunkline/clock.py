"""Time as trunkline sees it. Every asynchronous AWS step is scheduled against this clock.

`RealClock` follows the wall clock (timing `fast` and `realistic`); `ManualClock` stands still
until told to advance (timing `manual`), so tests can watch transitional states at leisure.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    manual: bool

    def now(self) -> float:
        """Seconds since the epoch."""


class RealClock:
    manual = False

    def now(self) -> float:
        return time.time()


class ManualClock:
    manual = True

    def __init__(self, start: float) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def set(self, moment: float) -> None:
        with self._lock:
            # A manual clock never runs backwards: due work may already have happened.
            self._now = max(self._now, moment)
