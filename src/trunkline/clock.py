"""Time as trunkline sees it. Every asynchronous AWS step is scheduled against this clock.

`RealClock` follows the wall clock plus the store's offset (timing `fast` and `realistic`);
`ManualClock` stands still until told to advance (timing `manual`), so tests can watch
transitional states at leisure. Neither ever runs backwards. How the store keeps one clock for
every process on it is `store_clock.py`.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    manual: bool

    def now(self) -> float:
        """Seconds since the epoch."""


class SharedReading(Protocol):
    """Where a manual clock's reading is kept so that every process on a store shares it."""

    def read(self) -> float | None: ...

    def write(self, moment: float) -> None:
        """Keep `moment` unless a later one is kept already."""


class RealClock:
    manual = False

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset  # seconds ahead of the wall clock (a manual clock advanced before)
        self._last = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            # A wall clock stepped back (NTP) must not make later events older than earlier ones.
            self._last = max(self._last, time.time() + self.offset)
            return self._last


class ManualClock:
    manual = True

    def __init__(self, start: float, shared: SharedReading | None = None) -> None:
        self._now = start
        self._shared = shared
        self._lock = threading.Lock()

    def now(self) -> float:
        if self._shared is not None:
            kept = self._shared.read()  # another process on the store may have advanced it
            if kept is not None:
                with self._lock:
                    self._now = max(self._now, kept)
        return self._now

    def set(self, moment: float) -> None:
        with self._lock:
            # A manual clock never runs backwards: due work may already have happened.
            self._now = max(self._now, moment)
            now = self._now
        if self._shared is not None:
            self._shared.write(now)
