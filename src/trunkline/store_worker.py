"""The one thread that runs everything using the store's writing connection: AWS calls, the clock
endpoints, inspections, and the reconciler's background work. The event loop never waits for the
store.

Two queues, taken in turn when both hold work: requests (`__call__`) and background work
(`background`, `submit`). A request that arrives while the reconciler has a backlog waits for one
chunk of it, not for the backlog (the reconciler hands over its pass a chunk at a time); and
however many requests are queued, the reconciler gets every other turn, so task steps (a stopping
task freeing its instance's resources) never starve behind a busy client.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Item = tuple[Callable[[], Any], "asyncio.AbstractEventLoop | None", "asyncio.Future[Any] | None"]


class StoreWorker:
    def __init__(self) -> None:
        self._requests: collections.deque[_Item] = collections.deque()
        self._background: collections.deque[_Item] = collections.deque()
        self._ready = threading.Condition()
        self._closed = False
        self._background_next = False  # whose turn it is when both queues hold work
        self._thread = threading.Thread(target=self._serve, name="trunkline-store", daemon=True)
        self._thread.start()

    async def __call__(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(*args)` on the worker as a request; its result or exception."""
        return await self._queued(self._requests, work, args)

    async def background(self, work: Callable[..., T], *args: Any) -> T:
        """The same for background work, which takes turns with requests."""
        return await self._queued(self._background, work, args)

    def submit(self, work: Callable[[], object]) -> None:
        """Queue background `work` without waiting for it (nothing, once the worker is closed)."""
        with self._ready:
            if not self._closed:
                self._background.append((work, None, None))
                self._ready.notify()

    def close(self) -> None:
        """Stop taking work; what is queued is dropped (the server is stopping)."""
        with self._ready:
            self._closed = True
            dropped = [*self._requests, *self._background]
            self._requests.clear()
            self._background.clear()
            self._ready.notify()
        for _, loop, future in dropped:
            _hand_back(loop, future, _fail, RuntimeError("the store worker has stopped"))

    async def _queued(self, queue: collections.deque[_Item], work: Callable[..., T], args: tuple[Any, ...]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the store worker has stopped")
            queue.append((functools.partial(work, *args), loop, future))
            self._ready.notify()
        return await future

    def _next(self) -> _Item | None:
        with self._ready:
            while not (self._requests or self._background or self._closed):
                self._ready.wait()
            if self._closed:
                return None
            take_background = not self._requests or (self._background and self._background_next)
            self._background_next = not take_background
            return (self._background if take_background else self._requests).popleft()

    def _serve(self) -> None:
        while (item := self._next()) is not None:
            work, loop, future = item
            try:
                result = work()
            except BaseException as error:  # handed to the awaiting request, whatever it is
                _hand_back(loop, future, _fail, error)
                continue
            _hand_back(loop, future, _succeed, result)


def _hand_back(
    loop: asyncio.AbstractEventLoop | None,
    future: asyncio.Future[Any] | None,
    settle: Callable[[asyncio.Future[Any], Any], None],
    outcome: Any,
) -> None:
    """Settle the awaiting request's future on its loop (nothing for `submit`ted work). A loop that
    has closed (the server stopping while work ran) has no one waiting: the worker goes on."""
    if loop is None or future is None:
        return
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(settle, future, outcome)


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():  # the request may have been cancelled (its client went away)
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
