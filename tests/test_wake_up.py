"""The background pass's alarm (wake_up.py): a request that schedules a job brings the next pass
forward to that job's due time, not to now; a job due already, or known due, runs at once. On an
asyncio loop with a clock that stands still, so only the alarm's own logic decides."""

from __future__ import annotations

import asyncio
import threading

import pytest

from trunkline.wake_up import Alarm

# Uses no server and no store: the same code runs in every pass, so only the SQLite passes run it.
pytestmark = pytest.mark.one_store


class _StillClock:
    manual = False

    def __init__(self) -> None:
        self.at = 1_000_000.0

    def now(self) -> float:
        return self.at


async def _started(alarm: Alarm, seconds: float, known_due: float | None) -> asyncio.Task[None]:
    sleeper = asyncio.create_task(alarm.sleep(seconds, known_due))
    await asyncio.sleep(0)
    return sleeper


def test_a_job_due_later_moves_the_pass_to_its_due_time_not_to_now() -> None:
    async def scenario() -> None:
        clock = _StillClock()
        alarm = Alarm(clock, asyncio.get_running_loop())
        sleeper = await _started(alarm, 60, None)
        alarm.ring_from_any_thread(clock.at + 0.05)  # a RunTask's first steps, due 50 ms on
        await asyncio.sleep(0.01)
        assert not sleeper.done()  # woken, but nothing is due: the pass waits
        await asyncio.wait_for(sleeper, 5)  # and runs when the job is due, long before 60 s

    asyncio.run(scenario())


def test_a_job_due_now_or_a_known_due_job_runs_the_pass_at_once() -> None:
    async def scenario() -> None:
        clock = _StillClock()
        loop = asyncio.get_running_loop()
        alarm = Alarm(clock, loop)
        sleeper = await _started(alarm, 60, None)
        await loop.run_in_executor(None, alarm.ring_from_any_thread, clock.at)  # from another thread
        await asyncio.wait_for(sleeper, 5)

        sleeper = await _started(alarm, 60, clock.at - 1)  # a job already due (the pass was held)
        alarm.ring_from_any_thread(clock.at + 30)
        await asyncio.wait_for(sleeper, 5)

    asyncio.run(scenario())


def test_a_ring_during_the_pass_is_not_lost_and_no_ring_sleeps_the_time_out() -> None:
    async def scenario() -> None:
        clock = _StillClock()
        alarm = Alarm(clock, asyncio.get_running_loop())
        thread = threading.Thread(target=alarm.ring_from_any_thread, args=(clock.at - 0.5,))
        thread.start()
        thread.join()
        await asyncio.sleep(0)  # rung while no one sleeps (a pass running): the next sleep ends at once
        await asyncio.wait_for(alarm.sleep(60, None), 5)
        await asyncio.wait_for(alarm.sleep(0.01, None), 5)  # nothing rung: the planned time

    asyncio.run(scenario())
