"""A round trip's statements leave together (store/pg_queued_cursor.py): executed in a pipeline
they wait in its queue until the store waits for an answer, a fetch, or `send_queued`; what the
database runs and answers is unchanged. Skipped without TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import opened_store, postgres_url
from pg_syncs import locked_elsewhere
from trunkline.store import pg_queued_cursor
from trunkline.store.api import RepeatableRead
from trunkline.store.postgres import PostgresStore

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs TRUNKLINE_TEST_POSTGRES")


@pytest.fixture
def conn() -> Iterator[psycopg.Connection[Any]]:
    factory = pg_queued_cursor.cursor_factory()
    assert factory is pg_queued_cursor.QueuedCursor  # this psycopg has what the cursor relies on
    with psycopg.connect(postgres_url() or "", autocommit=True, cursor_factory=factory) as opened:
        yield opened


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PostgresStore]:
    with opened_store(tmp_path) as opened:
        assert isinstance(opened, PostgresStore)
        yield opened


def test_statements_wait_in_the_queue_until_the_sync(conn: psycopg.Connection[Any]) -> None:
    with conn.pipeline() as pipeline:
        cursors = [conn.cursor() for _ in range(3)]
        for n, cursor in enumerate(cursors):
            cursor.execute("SELECT %s::int * 10", (n,))
        assert len(pipeline.command_queue) == 3  # psycopg's own cursor would have sent each at once
        pg_queued_cursor.sync(pipeline)
        assert not pipeline.command_queue
        assert [cursor.fetchone() for cursor in cursors] == [(0,), (10,), (20,)]


def test_a_fetch_sends_what_is_queued_first(conn: psycopg.Connection[Any]) -> None:
    """A fetch before any sync: the statement leaves first, or its answer would never come (the
    fetch runs in a thread so that a regression fails instead of hanging)."""
    answers: list[Any] = []

    def fetch() -> None:
        with conn.pipeline():
            answers.append(conn.execute("SELECT 'asked'").fetchone())

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert answers == [("asked",)]


def test_send_queued_sends_without_waiting(conn: psycopg.Connection[Any]) -> None:
    """`send_queued` empties the queue and the database runs the statement (its lock is then held,
    seen from another session) before this session waits for any answer."""
    with conn.pipeline() as pipeline:
        conn.cursor().execute("SELECT pg_advisory_lock(424242)")
        assert not locked_elsewhere(424242)
        pg_queued_cursor.send_queued(conn)
        assert not pipeline.command_queue
        assert _eventually_locked_elsewhere(424242)
        conn.execute("SELECT pg_advisory_unlock(424242)")
        pg_queued_cursor.sync(pipeline)


def test_a_lock_taken_ahead_leaves_with_the_works_first_read(store: PostgresStore) -> None:
    """The lock taken before the snapshot travels with BEGIN and the work's first read: not sent
    while the work computes, held from that read on."""
    key = store.advisory_key("placement:q")
    seen: list[bool] = []

    def work(tx: Any) -> None:
        seen.append(locked_elsewhere(key))
        tx.get("ecs.task", "absent")
        seen.append(locked_elsewhere(key))
        tx.put("ecs.task", "t", {"n": 1})

    store.run(RepeatableRead(work, "placement:q", frozenset({"ecs.task"})))
    assert seen == [False, True]
    assert store.run(lambda tx: tx.get("ecs.task", "t")) == {"n": 1}


def _eventually_locked_elsewhere(key: int) -> bool:
    """The database runs what was sent as soon as it reads it: asked until it shows (a few ms)."""
    return any(locked_elsewhere(key) for _ in range(100))
