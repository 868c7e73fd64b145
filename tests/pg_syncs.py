"""Counting PostgreSQL round trips in tests: each wait for the server's answers through a psycopg
pipeline is one `pg_queued_cursor.sync`."""

from __future__ import annotations

import threading

import psycopg
import pytest

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
