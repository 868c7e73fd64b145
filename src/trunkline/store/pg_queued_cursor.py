"""A psycopg cursor whose statements, in pipeline mode, leave together when the store waits.

psycopg writes each statement of a pipeline to the socket as soon as it is executed (a poll and
a send each), and each write wakes the connection's PostgreSQL backend. A round trip of the
store carries several statements (questions asked ahead, the pending writes in one statement,
BEGIN, the read that is waited for): several writes and wake-ups for one answer. When every core
is busy (several trunkline processes, their backends and the clients on a small machine), each
wake-up can take the core from the writing thread until the backend sleeps again, so a round
trip becomes a ping-pong of context switches.

With `QueuedCursor`, a statement executed in pipeline mode stays in the pipeline's
`command_queue`. `sync` queues the Sync and hands everything to libpq, which buffers it and
flushes at the Sync: one write for the whole round trip. `send_queued` sends what is queued
without waiting for answers (the store's `send_writes` hint), and a fetch sends it first. What
the database runs, in which order and in which transaction, does not change: only when the
bytes leave.

This overrides two of psycopg's private methods (`Cursor._execute_gen`, `Cursor._fetch_pipeline`),
shadows a third (`Pipeline._communicate_gen`) and `sync` calls three (`Pipeline._enqueue_sync`,
`_communicate_gen`, `_fetch_gen`: what `Pipeline.sync` does, with the hand-over to libpq between
queueing the Sync and sending), as in psycopg 3.2 and 3.3. Where they are missing,
`cursor_factory()` is psycopg's own cursor and `sync` is `Pipeline.sync`: each statement leaves
at once, as before (correct, with more writes).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import Cursor
from psycopg.abc import PQGen
from psycopg.rows import Row

_PRIVATE = all(
    hasattr(owner, name)
    for owner, name in ((Cursor, "_execute_gen"), (Cursor, "_fetch_pipeline"), (psycopg.Pipeline, "_communicate_gen"))
)
_PRIVATE_SYNC = all(hasattr(psycopg.Pipeline, name) for name in ("_enqueue_sync", "_communicate_gen", "_fetch_gen"))


def _not_yet() -> PQGen[None]:
    """Stands in for the pipeline's send while a statement is queued: nothing leaves."""
    return
    yield  # (a generator, as the send it stands in for)


class QueuedCursor(Cursor[Row]):
    def _execute_gen(self, *args: Any, **kwargs: Any) -> PQGen[None]:  # psycopg's generator for `execute`
        pipeline = self._conn._pipeline
        if pipeline is None:
            return (yield from super()._execute_gen(*args, **kwargs))
        # psycopg sends the pipeline's queue at the end of each execute: not this time.
        pipeline._communicate_gen = _not_yet  # type: ignore[method-assign]
        try:
            return (yield from super()._execute_gen(*args, **kwargs))
        finally:
            del pipeline._communicate_gen

    def _fetch_pipeline(self) -> None:
        # A fetch of an answer not yet read asks the server for what it has so far (a flush
        # request, written straight to the socket): what is still queued must leave first, or
        # its answers would never come.
        if self.pgresult is None:
            send_queued(self._conn)
        super()._fetch_pipeline()


def _to_libpq(pipeline: psycopg.Pipeline) -> None:
    """Hand the queued statements to libpq, which buffers them in pipeline mode until a flush."""
    queue = pipeline.command_queue
    while queue:
        queue.popleft()()


def sync(pipeline: psycopg.Pipeline) -> None:
    """`pipeline.sync()`, with the queued statements and the Sync leaving in one write (libpq
    flushes its buffer at the Sync)."""
    if not _PRIVATE_SYNC:
        _to_libpq(pipeline)
        pipeline.sync()
        return
    conn = pipeline._conn
    with conn.lock:
        pipeline._enqueue_sync()
        _to_libpq(pipeline)
        # What `Pipeline.sync` does once its Sync is queued: the answers, each to its cursor.
        conn.wait(pipeline._communicate_gen())
        conn.wait(pipeline._fetch_gen(flush=False))


def send_queued(conn: psycopg.Connection[Any]) -> None:
    """Send the pipeline's queued statements now, without waiting for their answers. (Should the
    socket take only part of them, libpq sends the rest as it reads the first answers.)"""
    pipeline = conn._pipeline
    if pipeline is not None and pipeline.command_queue:
        with conn.lock:
            _to_libpq(pipeline)
            conn.pgconn.flush()


def cursor_factory() -> type[Cursor[Any]]:
    """The cursor class for the store's connections."""
    return QueuedCursor if _PRIVATE else Cursor
