"""The store worker (store_worker.py): requests and background work take turns, so neither a
reconciler backlog holds a request up for long nor a stream of requests starves the reconciler."""

from __future__ import annotations

import asyncio
import threading

import pytest

from trunkline.store_worker import StoreWorker

# Uses no server and no store: the same code runs in every pass, so only the SQLite passes run it.
pytestmark = pytest.mark.one_store


def test_requests_and_background_work_take_turns() -> None:
    """With both queues full, the worker alternates: a request waits for one background item, and
    background work gets every other turn however many requests wait."""
    ran: list[str] = []
    gate = threading.Event()

    async def scenario() -> None:
        worker = StoreWorker()
        try:
            blocker = asyncio.ensure_future(worker(gate.wait))  # holds the worker while work queues up
            await asyncio.sleep(0.05)
            calls = [worker.background(ran.append, f"b{n}") for n in range(4)]
            calls += [worker(ran.append, f"r{n}") for n in range(4)]
            waiting = [asyncio.ensure_future(call) for call in calls]
            await asyncio.sleep(0.05)  # every item queued before the worker is let go
            gate.set()
            await asyncio.gather(blocker, *waiting)
        finally:
            worker.close()

    asyncio.run(scenario())
    assert ran == ["b0", "r0", "b1", "r1", "b2", "r2", "b3", "r3"]


def test_results_and_errors_reach_the_caller_and_submit_runs_in_the_background() -> None:
    async def scenario() -> tuple[int, int]:
        worker = StoreWorker()
        done = threading.Event()
        try:
            worker.submit(done.set)
            total = await worker(sum, [1, 2, 3])
            more = await worker.background(len, "four")
            with pytest.raises(ZeroDivisionError):
                await worker(lambda: 1 // 0)
            assert done.wait(1)
            return total, more
        finally:
            worker.close()

    assert asyncio.run(scenario()) == (6, 4)


def test_a_closed_worker_refuses_work() -> None:
    async def scenario() -> None:
        worker = StoreWorker()
        worker.close()
        with pytest.raises(RuntimeError, match="stopped"):
            await worker(int)

    asyncio.run(scenario())


def test_the_worker_goes_on_when_a_callers_loop_closed_while_its_work_ran() -> None:
    """Work whose caller's event loop closed before the work ended (a server stopping mid-call)
    has no one to hand its result to; the worker thread must not die of it."""
    gate, handed = threading.Event(), threading.Event()
    worker = StoreWorker()
    left: list[asyncio.Future[bool]] = []
    try:

        async def leave_early() -> None:
            left.append(asyncio.ensure_future(worker(gate.wait)))  # never awaited: the loop closes under it
            await asyncio.sleep(0.05)

        asyncio.run(leave_early())
        gate.set()  # the work ends now, its loop closed
        worker.submit(handed.set)
        assert handed.wait(5), "the worker thread died handing a result to a closed loop"

        async def later() -> int:
            return await worker(len, "four")

        assert asyncio.run(later()) == 4
    finally:
        worker.close()
