"""One clock per store: its reading is kept in the store's metadata, so every process on a store
agrees on the time, and time never goes backwards across a restart or a change of `--timing`.

The store keeps the mode that last started (`clock.mode`), the manual clock's reading
(`clock.manual_now`) and the real clocks' offset from the wall clock (`clock.offset`). The store's
time is the manual reading under `manual`, the wall clock plus the offset otherwise. A process
that starts takes the store's time as it stands (never less than what any mode reached) and goes
on from there in its own mode: a manual clock stands at it; a real clock runs on from it, with the
offset it needs. See docs/design.md ("One clock per store")."""

from __future__ import annotations

import time

from trunkline.clock import Clock, ManualClock, RealClock
from trunkline.store.api import Store, Transaction

MODE = "clock.mode"
MANUAL_NOW = "clock.manual_now"
OFFSET = "clock.offset"


def _float(tx: Transaction, key: str) -> float | None:
    raw = tx.get_meta(key)
    return None if raw is None else float(raw)


def store_time(tx: Transaction, wall: float) -> float:
    """The store's time now: what the last mode to start shows, and never less than either reading."""
    manual, offset = _float(tx, MANUAL_NOW), _float(tx, OFFSET)
    real = wall + (offset or 0.0)
    if tx.get_meta(MODE) == "manual" and manual is not None:
        return manual  # a manual clock stands still, even while the wall clock moves on
    return max(real, manual) if manual is not None else real


class _KeptReading:
    """A manual clock's reading in the store's metadata."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def read(self) -> float | None:
        # The reading connection: a clock read never waits for a request holding the writer.
        return self._store.peek(lambda tx: _float(tx, MANUAL_NOW))

    def write(self, moment: float) -> None:
        def keep(tx: Transaction) -> None:
            kept = _float(tx, MANUAL_NOW)
            if kept is None or moment > kept:
                tx.set_meta(MANUAL_NOW, repr(moment))

        self._store.run(keep)


def start_clock(store: Store, manual: bool) -> Clock:
    """The clock of a process starting on `store`, recorded there as the mode that started last."""

    def start(tx: Transaction) -> float:
        wall = time.time()
        now = store_time(tx, wall)
        tx.set_meta(MODE, "manual" if manual else "real")
        if manual:
            tx.set_meta(MANUAL_NOW, repr(now))
            return now
        offset = max(_float(tx, OFFSET) or 0.0, now - wall)
        tx.set_meta(OFFSET, repr(offset))
        return offset

    value = store.run(start)
    if manual:
        return ManualClock(value, _KeptReading(store))
    return RealClock(value)
