"""The embedded store: one SQLite file in WAL mode, one transaction per request.

`synchronous=NORMAL` with WAL means a committed transaction is in the WAL file before the response
is sent, so it survives the process being killed (not a power cut; see docs/design.md).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from trunkline.store.api import Document, T, Transaction
from trunkline.store.interned_index import InternedIndexTransaction
from trunkline.store.schema import SQLITE_MIGRATIONS
from trunkline.store.sql import BodyCache, DerivedCache, Dialect, EntriesCache, migrate
from trunkline.store.sqlite_outbox import trim_through

DIALECT = Dialect(
    name="sqlite",
    placeholder="?",
    skip_locked="",
    migrations=SQLITE_MIGRATIONS,
    compress=True,
    entries_in_document=True,
)

# An in-memory state lives as long as its process and is read back by no one else: its documents
# are kept as JSON text. Compressing them was about a quarter of RunTask's CPU (the workload of
# bench_vs_moto.py); the state holds ~8 KB per live task instead of ~4 KB (benchmarks/README.md,
# "Fourth pass"). Its events too since session 5 (compressing them was ~9 % of RunTask's CPU and
# ~15 % of its lifecycle's): ~2 KB of RAM an event instead of ~0.3 KB, bounded by the outbox's
# retention (`--event-retention-count`, 100,000 by default; benchmarks/README.md, "Session 5").
# Its job payloads too since session 8 (compressing and inflating them was ~2.5 % of a RunTask with
# its lifecycle; a job lives until its step runs, so a few hundred bytes each, a few at a time).
IN_MEMORY = replace(DIALECT, plain_documents=True, plain_events=True, plain_jobs=True)


class _Answer:
    """A query's rows as a cursor gives them (`fetchall`, `fetchone`), from a transaction's memo."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None


class SqliteTransaction(InternedIndexTransaction):
    """SQLite's layout: interned index values; the outbox trimmed by age in its own order; and a
    memo of this transaction's index and document reads.

    The same question is asked many times in one transaction: the service scheduler asks for the
    cluster's services (ACTIVE, then DRAINING) on every host and task change, ten times a RunTask
    and twice a lifecycle step, of a cluster that has none. Only this transaction writes while it
    is open (BEGIN IMMEDIATE; a read transaction is a snapshot), and a kind's documents and index
    entries change only through its `put` and `delete` of that kind, which forget the kind's
    answers (`execute` and `clear` forget them all); a query reads one kind's tables only
    (`_read`'s contract). Small answers only, and a bounded number: a scan of a whole kind in
    pages is not held."""

    _MEMO_ROWS = 64  # rows of an answer kept: more is a listing or a scan, read once
    _MEMO_ANSWERS = 512  # answers kept in one transaction

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answers: dict[str, dict[tuple[str, tuple[Any, ...]], list[Any]]] = {}
        self._held_answers = 0

    def _read(self, kind: str, sql: str, params: Sequence[Any]) -> Any:
        asked = (sql, tuple(params))
        held = self._answers.get(kind)
        if held is not None:
            rows = held.get(asked)
            if rows is not None:
                return _Answer(rows)
        rows = self._q(sql, params).fetchall()
        if len(rows) <= self._MEMO_ROWS and self._held_answers < self._MEMO_ANSWERS:
            self._answers.setdefault(kind, {})[asked] = rows
            self._held_answers += 1
        return _Answer(rows)

    def put(self, kind: str, key: str, doc: Document, index: Mapping[str, str | None] | None = None) -> None:
        self._answers.pop(kind, None)
        super().put(kind, key, doc, index)

    def delete(self, kind: str, key: str) -> bool:
        self._answers.pop(kind, None)
        return super().delete(kind, key)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self._answers.clear()
        return super().execute(sql, params)

    def clear(self) -> None:
        self._answers.clear()
        super().clear()

    def _trim_through(self, keep: int, span: float) -> int:
        return trim_through(self._q, keep, span)


class SqliteStore:
    def __init__(self, path: str) -> None:
        if path != ":memory:":
            _owner_only(Path(path))
        self.description = "sqlite (in memory)" if path == ":memory:" else f"sqlite {path}"
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._entries_cache = EntriesCache()
        self._derived_cache = DerivedCache()
        self._body_cache = BodyCache()
        self._dialect = IN_MEMORY if path == ":memory:" else DIALECT
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=10000")
        self.run(lambda tx: migrate(tx, DIALECT))  # type: ignore[arg-type]
        # A second connection for `read`: in WAL mode a reader sees the last commit while the
        # writer's transaction is open. An in-memory database cannot be shared that way.
        self._reader = self._conn
        self._reader_lock = self._lock
        if path != ":memory:":
            self._reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._reader.execute("PRAGMA busy_timeout=10000")
            self._reader_lock = threading.RLock()

    def _transaction(self, cursor: sqlite3.Cursor) -> Transaction:
        """The transaction object over `cursor` (a subclass may store differently: plan's sandbox)."""
        return SqliteTransaction(cursor, self._dialect, self._entries_cache, self._derived_cache, self._body_cache)

    def run(self, work: Callable[[Transaction], T]) -> T:
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._transaction(cursor))
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
            return result

    def read(self, work: Callable[[Transaction], T]) -> T:
        with self._reader_lock:
            cursor = self._reader.cursor()
            cursor.execute("BEGIN")  # deferred: a read snapshot, no write lock
            try:
                return work(self._transaction(cursor))
            finally:
                cursor.execute("ROLLBACK")

    def peek(self, work: Callable[[Transaction], T]) -> T:
        return self.read(work)

    def ping(self) -> None:
        # The reading connection, so a request holding the writer does not hold up health checks
        # (in memory there is one connection: then a running request is waited for).
        with self._reader_lock:
            self._reader.execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._reader_lock:
            if self._reader is not self._conn:
                self._reader.close()
        with self._lock:
            self._conn.close()


def _owner_only(path: Path) -> None:
    """Create the state file readable by its owner only (it holds every resource and the issued
    keys), and tighten one an older trunkline left 0644. SQLite gives the -wal and -shm files the
    database file's permissions when it creates them; ones left from before are tightened too."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)
