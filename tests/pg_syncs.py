"""PostgreSQL helpers for tests: counting round trips (each wait for the server's answers through a
psycopg pipeline is one `pg_queued_cursor.sync`), and asking who holds an advisory lock."""

from __future__ import annotations

import threading

import psycopg
import pytest

from conftest import postgres_url
from trunkline.store import pg_queued_cursor


def counting_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each `pg_queued_cursor.sync` on the calling thread (a wait for the server's answers: a round trip)
    appends to the list, from now until the test ends."""
    syncs: list[int] = []
    real = pg_queued_cursor.sync
    mine = threading.get_ident()

    def sync(pipeline: psycopg.Pipeline) -> None:
        if threading.get_ident() == mine:
            syncs.append(1)
        real(pipeline)

    monkeypatch.setattr(pg_queued_cursor, "sync", sync)
    return syncs


def locked_elsewhere(key: int) -> bool:
    """Whether some session holds the advisory lock `key` (asked from a session of its own)."""
    with psycopg.connect(postgres_url() or "", autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        if row and row[0]:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
    return not (row and row[0])
