"""The shared store: PostgreSQL through psycopg 3, for teams that point several trunkline
processes at one database. Transactions are SERIALIZABLE and retried on conflict, and due jobs are
claimed with `FOR UPDATE SKIP LOCKED` so two processes never run the same transition."""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg
from psycopg import errors

from trunkline.store.api import T, Transaction
from trunkline.store.schema import POSTGRES_MIGRATIONS
from trunkline.store.sql import Dialect, SqlTransaction, migrate

DIALECT = Dialect(
    name="postgresql", placeholder="%s", skip_locked=" FOR UPDATE SKIP LOCKED", migrations=POSTGRES_MIGRATIONS
)
_RETRIES = 20


class PostgresStore:
    def __init__(self, url: str) -> None:
        self.description = "postgresql " + url.split("@")[-1]
        self._conn = psycopg.connect(url, autocommit=False)
        self._conn.isolation_level = psycopg.IsolationLevel.SERIALIZABLE
        self._lock = threading.RLock()
        # `read` has its own connection, so it never waits behind a request's transaction.
        self._reader = psycopg.connect(url, autocommit=False)
        self._reader.read_only = True
        self._reader_lock = threading.RLock()
        with self._conn.cursor() as cursor:
            # Several processes may start at once on a fresh database: migrate under a lock.
            cursor.execute("SELECT pg_advisory_lock(4590)")
            self._conn.commit()
        try:
            self.run(lambda tx: migrate(tx, DIALECT))  # type: ignore[arg-type]
        finally:
            with self._conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(4590)")
            self._conn.commit()

    def run(self, work: Callable[[Transaction], T]) -> T:
        with self._lock:
            for attempt in range(_RETRIES):
                try:
                    with self._conn.transaction(), self._conn.cursor() as cursor:
                        return work(SqlTransaction(cursor, DIALECT))
                except (errors.SerializationFailure, errors.DeadlockDetected):
                    if attempt == _RETRIES - 1:
                        raise
            raise AssertionError("unreachable")

    def read(self, work: Callable[[Transaction], T]) -> T:
        with self._reader_lock, self._reader.transaction(), self._reader.cursor() as cursor:
            return work(SqlTransaction(cursor, DIALECT))

    def close(self) -> None:
        with self._reader_lock:
            self._reader.close()
        with self._lock:
            self._conn.close()
