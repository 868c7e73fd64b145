"""The shared store: PostgreSQL through psycopg 3, for teams that point several trunkline
processes at one database. Transactions are SERIALIZABLE. A conflict is retried after a jittered,
growing pause, within a bound that ends in `StoreBusy` (an AWS throttling error, never a 500). A
lost connection is reopened. Work that must not race (placement in one cluster) takes a lock named
by `Transaction.lock`: in place when no one holds it, else held from before the transaction's
snapshot on a second run, so it waits instead of failing. Work that holds a cluster's lock from
before its snapshot and writes only what that lock guards runs under REPEATABLE READ instead
(`RepeatableRead`, `lock`'s `writes`), out of SSI's page-level read locks; any other write runs it
again SERIALIZABLE. Due jobs are claimed with `FOR UPDATE SKIP LOCKED` so two processes never run the same transition;
each job names the process that scheduled it, whose background pass runs it (`due_jobs`).
See docs/design.md, "Several processes on one PostgreSQL"."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from psycopg import errors

from trunkline.store import pg_queued_cursor
from trunkline.store.api import Document, Keyed, RepeatableRead, StoreBusy, StoreUnavailable, T, Transaction
from trunkline.store.pg_transaction import PgTransaction
from trunkline.store.schema import POSTGRES_MIGRATIONS
from trunkline.store.sql import DerivedCache, Dialect, SqlTransaction, migrate

log = logging.getLogger("trunkline.store")

DIALECT = Dialect(
    name="postgresql", placeholder="%s", skip_locked=" FOR UPDATE SKIP LOCKED", migrations=POSTGRES_MIGRATIONS
)
RETRIES = 12  # attempts after a conflict or a lost connection, then StoreBusy / StoreUnavailable
BUDGET = 8.0  # seconds one transaction may spend retrying (under the 60 s read timeout of botocore)
_FIRST_PAUSE = 0.005  # seconds; the pause cap doubles each attempt up to _MAX_PAUSE ("full jitter")
_MAX_PAUSE = 0.5
_LOCK_TIMEOUT = "5s"  # how long a named lock is waited for before the attempt counts as a conflict
_CONNECT_TIMEOUT = 5  # seconds
# After a conflict, for this long, work that declares what it writes under a lock (`lock`'s
# `writes`) takes the lock before its snapshot and runs under REPEATABLE READ.
_CONTENDED_FOR = 2.0  # seconds
_KEYS_KEPT = 4096  # `Keyed` work whose lock is remembered (the oldest forgotten first)
_MIGRATION_LOCK = 4590
_CODE_POINT_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8")
_CONFLICTS = (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable)


def lock_key(scope: str) -> int:
    """A lock name as PostgreSQL's 64-bit advisory lock key (stable across processes)."""
    return int.from_bytes(hashlib.blake2b(scope.encode(), digest_size=8).digest(), "big", signed=True)


class _NeedLock(BaseException):
    """Raised by `lock` for a scope not yet held: the store rolls back, takes the lock, and runs the
    work again. A BaseException so that no `except Exception` in the domain can swallow it."""

    def __init__(self, scope: str, writes: frozenset[str] = frozenset()) -> None:
        super().__init__(scope)
        self.scope = scope
        self.writes = writes  # what the work declared it writes holding `scope` (`Transaction.lock`)


class _NeedSerializable(BaseException):
    """Raised by a REPEATABLE READ transaction about to do what only SERIALIZABLE keeps sound (a
    write outside its `RepeatableRead.writes`): the store rolls back and runs the work again
    under SERIALIZABLE. A BaseException, as `_NeedLock`."""


class _Left(BaseException):
    """Raised at the first answer of work that runs only if no one holds its lock
    (`RepeatableRead(wait=False)`) when someone did: the store rolls back and answers `otherwise`.
    A BaseException, as `_NeedLock`."""


class _PgTransaction(PgTransaction):
    def __init__(
        self,
        conn: psycopg.Connection[Any],
        pipeline: psycopg.Pipeline,
        held: frozenset[str],
        code_points: bool,
        derived_cache: DerivedCache,
        namespace: str = "",
        writes: frozenset[str] | None = None,
        contended: bool = False,
        owner: str | None = None,
        waits: StoreWaits | None = None,
    ) -> None:
        super().__init__(conn, pipeline, DIALECT, keeps_answers=code_points, derived_cache=derived_cache, owner=owner)
        self._conn = conn
        self._held = held
        self._namespace = namespace
        self._writes = writes  # under REPEATABLE READ: the kinds it may write; None under SERIALIZABLE
        self._contended = contended  # conflicts lately: locked work starts again under REPEATABLE READ
        self._waits = waits  # counts the round trips
        self._declared: dict[str, frozenset[str]] = {}  # what work said it writes under a lock asked in place
        self._tries: list[tuple[str, psycopg.Cursor[Any]]] = []  # asked for, answer not yet read
        self.tried = False  # a lock was asked for in place: the session may hold it (release it)
        self.probe: psycopg.Cursor[Any] | None = None  # a lock tried before BEGIN, answer not yet read

    def _serializable(self, kind: str | None) -> None:
        if self._writes is not None and (kind is None or kind not in self._writes):
            raise _NeedSerializable

    def put(self, kind: str, key: str, doc: Document, index: Any = None) -> None:
        self._serializable(kind)
        super().put(kind, key, doc, index)

    def delete(self, kind: str, key: str) -> bool:
        self._serializable(kind)
        return super().delete(kind, key)

    def next_value(self, counter: str) -> int:
        self._serializable(None)
        return super().next_value(counter)

    def set_meta(self, key: str, value: str) -> None:
        self._serializable(None)
        super().set_meta(key, value)

    def lock(self, scope: str, writes: frozenset[str] = frozenset()) -> None:
        """Take a lock not held from the start in place, if no one holds it: most of the time no
        one does, and the work goes on without starting again. The answer is read with the next
        read's (no round trip of its own); if someone held the lock, that read raises `_NeedLock`
        and the work runs again with the lock held from before its snapshot. (If another holder
        committed between this snapshot and the lock, SERIALIZABLE fails the one that read stale
        state, and it is retried; a REPEATABLE READ holder's writes are not tracked, so what the
        stale reads decide rests on writing the same documents: first updater wins.)

        `writes`: the kinds the work writes holding `scope`, when nothing else it relies on could be
        changed by a transaction not holding it (cluster_lock.LOCKED_WRITES). Work run again with
        the lock from its start then runs under REPEATABLE READ (`RepeatableRead`), and while this
        process has met conflicts lately it starts again so at once instead of taking the lock in
        place under SERIALIZABLE, whose page-level read locks make those conflicts."""
        if scope in self._held or any(scope == tried for tried, _ in self._tries):
            return
        self._serializable(None)  # in place, the lock comes after the snapshot: SSI must check the reads
        if writes and self._contended:
            raise _NeedLock(scope, writes)
        self._declared[scope] = writes
        cursor = self._conn.cursor()
        cursor.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(self._namespace + scope),))
        self._tries.append((scope, cursor))
        self.tried = True

    def _sync(self) -> None:
        if self._waits is not None:
            self._waits.round_trips += 1
        super()._sync()
        self.check_probe()
        self.check_locks()

    def check_probe(self) -> None:
        """Raise `_Left` if the lock tried before BEGIN was held by someone else (answer read)."""
        probe, self.probe = self.probe, None
        if probe is not None:
            row = probe.fetchone()
            if not (row and row[0]):
                raise _Left

    def check_locks(self) -> None:
        """Raise `_NeedLock` if a lock asked for in place was held by someone else (answers read)."""
        tries, self._tries = self._tries, []
        missing = None
        for scope, cursor in tries:
            row = cursor.fetchone()
            if row and row[0]:
                self._held = self._held | {scope}
            elif missing is None:
                missing = scope
        if missing is not None:
            raise _NeedLock(missing, self._declared.get(missing, frozenset()))

    def pending_locks(self) -> bool:
        return bool(self._tries)

    def try_lead(self, role: str) -> bool:
        row = self._q("SELECT pg_try_advisory_xact_lock(?)", (lock_key(self._namespace + "lead:" + role),)).fetchone()
        return bool(row[0])


def _session_settings(conn: psycopg.Connection[Any]) -> None:
    """The writing session's settings (issue 16). No JIT compilation: a request's statements are
    short, and one whose estimate passes `jit_above_cost` (a batch of writes whose rows the planner
    guesses at 100 per JSON array) spent 25 ms compiling to save microseconds. Bodies over ~2 KB (a
    container instance's, its events') are compressed by PostgreSQL when stored: lz4 costs the
    server a third of what its default (pglz) does. A server without lz4 (or older than
    PostgreSQL 14) keeps pglz; reading either needs nothing."""
    for setting in ("jit = off", "default_toast_compression = 'lz4'"):
        try:
            conn.execute(f"SET {setting}")
        except psycopg.Error:
            log.debug("PostgreSQL refused SET %s; its default stays", setting)


def pause(attempt: int, rng: random.Random) -> float:
    """Full jitter: a random pause up to a cap that doubles with each attempt, so processes that
    collided do not collide again in step."""
    return rng.uniform(0, min(_MAX_PAUSE, _FIRST_PAUSE * 2**attempt))


class PostgresStore:
    def __init__(self, url: str) -> None:
        self.description = "postgresql " + url.split("@")[-1]
        self._url = url
        self._lock = threading.RLock()
        self._rng = random.Random()
        self._conn: psycopg.Connection[Any] | None = None
        self.retried = 0  # attempts that were retried, for the benchmark's report
        # This process's id among those sharing the database: it marks the jobs it schedules, so
        # that its background pass runs them and other processes leave them (`due_jobs`).
        self.owner = uuid.uuid4().hex[:16]
        self._conflicted_at = -_CONTENDED_FOR  # when a transaction last failed serialisation (monotonic)
        self._keyed: dict[Hashable, tuple[str, frozenset[str]]] = {}  # `Keyed` work -> its lock, writes
        self.waits = StoreWaits()  # where the writing connection's time went, for the benchmark's report
        self._code_points = False  # the database sorts text by code point, as Python does (collation C)
        # Advisory locks are per database: named locks are prefixed with the schema, so that
        # trunkline states in other schemas of the database never wait for this one's.
        self._namespace = ""
        # What `find_derived` gave, by stored bytes: shared by every transaction, as SQLite's is
        # (a changed document has other bytes, so an entry is never stale, whoever wrote it).
        self._derived_cache = DerivedCache()
        # `read` has its own connection, so it never waits behind a request's transaction.
        self._reader: psycopg.Connection[Any] | None = None
        self._reader_lock = threading.RLock()
        conn = self._connection()
        with conn.cursor() as cursor:
            # Several processes may start at once on a fresh database: migrate under a lock.
            cursor.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
            conn.commit()
        try:
            self.run(lambda tx: migrate(tx, DIALECT))  # type: ignore[arg-type]
        finally:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
            conn.commit()
        # A migration's DDL makes psycopg forget its prepared statements when it reads the answer,
        # which in a pipeline may come after it prepared the next statement: it would then believe
        # in a statement the session dropped. Requests start on a session that never ran DDL.
        self._conn = None
        conn.close()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        if self._conn is not None:
            log.warning("the PostgreSQL connection was lost; reconnecting")
            self._conn.close()
            self._conn = None
        try:
            # Autocommit: `_attempt` sends BEGIN and COMMIT itself, so that they travel in the
            # pipeline with the named locks' statements (no round trip of their own).
            # Every statement is prepared on its first use: psycopg checks that a PREPARE worked
            # only then, and the session is kept after a failed statement (`_end_failed`).
            # The cursors keep a round trip's statements until its wait: one write, one wake-up
            # of the backend (pg_queued_cursor).
            conn = psycopg.connect(
                self._url,
                autocommit=True,
                connect_timeout=_CONNECT_TIMEOUT,
                prepare_threshold=0,
                cursor_factory=pg_queued_cursor.cursor_factory(),
            )
            self.waits.sessions += 1
            conn.execute(f"SET lock_timeout = '{_LOCK_TIMEOUT}'")
            _session_settings(conn)
            if not self._namespace:  # the same URL, the same database and schema: asked once
                collation = conn.execute(
                    "SELECT datcollate FROM pg_database WHERE datname = current_database()"
                ).fetchone()
                self._code_points = collation is not None and collation[0] in _CODE_POINT_COLLATIONS
                schema = conn.execute("SELECT current_schema()").fetchone()
                self._namespace = f"{schema[0] if schema else ''}/"
        except psycopg.Error as error:
            raise StoreUnavailable(f"cannot connect to PostgreSQL: {error}") from None
        self._conn = conn
        return conn

    def run(self, work: Callable[[Transaction], T]) -> T:
        with self._lock:
            started = time.monotonic()
            try:
                return self._run(work, started)
            finally:
                self.waits.busy += time.monotonic() - started

    def _run(self, work: Callable[[Transaction], T], started: float) -> T:
        held: set[str] = set()
        writes: frozenset[str] | None = None
        if isinstance(work, RepeatableRead) and work.writes:
            held.add(work.lock)
            writes = work.writes
        key = work.key if isinstance(work, Keyed) else None
        known = self._keyed.get(key) if key is not None else None
        if known is not None and writes is None and self._contended():
            held.add(known[0])  # the lock this work took last time, before the snapshot at once
            writes = known[1] or None  # none: it wrote more than the lock guards, SERIALIZABLE
        fell_back = False  # once run again SERIALIZABLE, it stays so
        attempt = 0
        while True:
            try:
                return self._attempt(work, held, writes)
            except _NeedLock as need:
                held.add(need.scope)  # not a failure: run again with the lock held from the start
                if need.writes and not held - {need.scope} and not fell_back:
                    writes = need.writes  # that lock alone held from the start: REPEATABLE READ
                    if key is not None:
                        self._remember(key, need.scope, need.writes)
                continue
            except _Left:
                self.waits.left += 1
                return cast(T, work.otherwise) if isinstance(work, RepeatableRead) else cast(T, None)
            except _NeedSerializable:
                writes, fell_back = None, True  # not a failure: run again under SERIALIZABLE
                self.waits.serializable += 1
                if key is not None and len(held) == 1:
                    # Next time, its lock before the snapshot but SERIALIZABLE at once (an awsvpc
                    # placement writes ENIs): not a REPEATABLE READ attempt run up to that write.
                    self._remember(key, next(iter(held)), frozenset())
                continue
            except _CONFLICTS as error:
                failure: Exception = StoreBusy(f"transaction conflicted {attempt + 1} times: {error}")
                self._conflicted_at = time.monotonic()
            except _Retryable as lost:
                failure = StoreUnavailable(str(lost))
            attempt += 1
            self.retried += 1
            wait = pause(attempt, self._rng)
            if attempt > RETRIES or time.monotonic() - started + wait > BUDGET:
                raise failure
            time.sleep(wait)
            self.waits.paused += wait

    def _contended(self) -> bool:
        return time.monotonic() - self._conflicted_at < _CONTENDED_FOR

    def _remember(self, key: Hashable, scope: str, writes: frozenset[str]) -> None:
        self._keyed.pop(key, None)
        self._keyed[key] = (scope, writes)
        if len(self._keyed) > _KEYS_KEPT:
            del self._keyed[next(iter(self._keyed))]  # the oldest

    def _attempt(self, work: Callable[[Transaction], T], held: set[str], writes: frozenset[str] | None = None) -> T:
        """One try: take the named locks (session-level, before the snapshot), run the work in a
        SERIALIZABLE transaction, release the locks. BEGIN travels with the first read, and the
        last writes, COMMIT and the locks' release in one round trip. A lost
        connection is reported as `_Retryable` when the work did not reach COMMIT, so running it
        again cannot apply it twice."""
        try:
            conn = self._connection()
        except StoreUnavailable as error:
            raise _Retryable(str(error)) from None
        committing = False
        tx: _PgTransaction | None = None
        try:
            try:
                with conn.pipeline() as pipeline:
                    control = conn.cursor()
                    probe = None
                    locking: list[psycopg.Cursor[Any]] = []  # the locks' answers, read with the first read's
                    if isinstance(work, RepeatableRead) and not work.wait and held == {work.lock}:
                        probe = conn.cursor()  # the lock only if no one holds it
                        probe.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(self._namespace + work.lock),))
                        # Not waited for: BEGIN and the work's first read follow its Sync (their
                        # snapshot after the lock), and its answer, read with theirs, decides
                        # whether the work goes on (`_Left`: rolled back, `otherwise` answered).
                        _sync_unwaited(pipeline)
                    elif held:
                        for scope in sorted(held):  # in one order: no deadlock between processes
                            locking.append(conn.cursor())
                            locking[-1].execute(_LOCK_AHEAD, (lock_key(self._namespace + scope),))
                        # A Sync after the locks: statements before it share one implicit
                        # transaction, and the snapshot must be taken after the locks, not before.
                        # Not waited for: the server runs BEGIN and the work's first read only once
                        # it holds the locks, so their answers come back with that read's.
                        _sync_unwaited(pipeline)
                    isolation = "SERIALIZABLE" if writes is None else "REPEATABLE READ"
                    self.waits.begun += 1
                    control.execute(f"BEGIN ISOLATION LEVEL {isolation}")
                    contended = self._contended()
                    tx = _PgTransaction(
                        conn,
                        pipeline,
                        frozenset(held),
                        self._code_points,
                        self._derived_cache,
                        self._namespace,
                        writes,
                        contended,
                        self.owner,
                        self.waits,
                    )
                    tx.probe = probe
                    if writes is not None:
                        self.waits.repeatable += 1
                    result = work(tx)
                    if tx.pending_locks() or tx.probe is not None:  # no read since: the answers now
                        self._wait(pipeline)
                        tx.check_probe()
                        tx.check_locks()
                    tx.flush()  # the writes still pending travel with the COMMIT
                    self._confirm_locks(pipeline, locking)
                    committing = True
                    control.execute("COMMIT")
                    if held or tx.tried:
                        control.execute("SELECT pg_advisory_unlock_all()")
                    self._wait(pipeline)
                return result
            except BaseException as error:
                self._end_failed(conn, error, bool(held) or (tx is not None and tx.tried))
                raise
        except errors.InvalidSqlStatementName as error:
            # Should psycopg's prepared statements and the session's disagree after all: the
            # session is closed (its statements go with it), and the work sent no COMMIT.
            conn.close()
            raise _Retryable(f"a prepared statement was missing: {error}") from None
        except psycopg.OperationalError as error:
            if isinstance(error, _CONFLICTS) or not conn.broken:
                raise
            if committing:
                # COMMIT was sent and the connection died: it may or may not have been applied.
                raise StoreUnavailable("the PostgreSQL connection was lost while committing") from None
            raise _Retryable(f"the PostgreSQL connection was lost: {error}") from None

    def _wait(self, pipeline: psycopg.Pipeline) -> None:
        self.waits.round_trips += 1
        pg_queued_cursor.sync(pipeline)

    def _confirm_locks(self, pipeline: psycopg.Pipeline, locking: list[psycopg.Cursor[Any]]) -> None:
        """Before COMMIT: every lock taken ahead was granted (a lock that timed out would have
        let BEGIN and the work run without it, after the Sync; the work may have swallowed the
        error its first read raised). Counts the time the locks were waited for."""
        if any(cursor.pgresult is None for cursor in locking):
            self._wait(pipeline)  # the work read nothing yet: the answers come now
        for cursor in locking:
            answer = cursor.pgresult
            row = cursor.fetchone() if answer is not None and answer.status == psycopg.pq.ExecStatus.TUPLES_OK else None
            if row is None:
                raise errors.LockNotAvailable("a named lock taken before the transaction was not granted")
            self.waits.locked += float(row[1])

    def _end_failed(self, conn: psycopg.Connection[Any], error: BaseException, held: bool) -> None:
        """End a transaction whose work failed, and release its locks, unless the session is gone.

        When a statement failed (a conflict, in a read, a write or the COMMIT), the pipeline skipped
        what was queued after it, a statement's PREPARE included. psycopg checks a PREPARE's answer
        only for a statement it sees for the first time, so the store prepares every statement on
        its first use (`prepare_threshold=0`): one it believes prepared was prepared, and the
        session is kept (closing it cost a new backend, its catalog caches and every statement
        prepared again, per conflict). The ROLLBACK goes through libpq: psycopg drops its whole
        cache of prepared statements when it sees one, and the server keeps them."""
        if conn.broken or conn.closed:
            return  # a lost session's transaction and locks went with it
        try:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                _rollback(conn)
            if held:
                conn.execute("SELECT pg_advisory_unlock_all()")
        except psycopg.Error:
            log.warning("could not end a failed transaction; the connection is closed", exc_info=True)
            conn.close()
            if self._conn is conn:
                self._conn = None  # reopened by the next attempt, without a "lost" warning

    def ping(self) -> None:
        # On the reading connection: a request holding the writing one (a slow placement) must
        # not make the health check wait, or call the store unavailable.
        try:
            self.peek(lambda tx: tx.get_meta("schema_version"))
        except (StoreUnavailable, psycopg.Error) as error:
            raise StoreUnavailable(f"PostgreSQL does not answer: {error}") from None

    def read(self, work: Callable[[Transaction], T]) -> T:
        """Read-only work, run again once on a new connection when the reading connection turns
        out to have been lost (the reconciler's listing keeps it open: a database restart is
        found by the next read, which must not fail for it)."""
        return self._on_reader(work, in_block=True)

    def peek(self, work: Callable[[Transaction], T]) -> T:
        """`read` for one statement: outside a transaction block (the reading connection is in
        autocommit; `read` opens its blocks itself), so one round trip."""
        return self._on_reader(work, in_block=False)

    def _on_reader(self, work: Callable[[Transaction], T], in_block: bool) -> T:
        with self._reader_lock:
            for attempt in (1, 2):
                reader = self._reading_connection()
                try:
                    with reader.transaction() if in_block else contextlib.nullcontext(), reader.cursor() as cursor:
                        return work(
                            SqlTransaction(cursor, DIALECT, derived_cache=self._derived_cache, owner=self.owner)
                        )
                except psycopg.OperationalError as error:
                    if not reader.broken:
                        raise
                    if attempt == 2:
                        raise StoreUnavailable(f"the PostgreSQL connection was lost: {error}") from None
            raise AssertionError("unreachable")

    def _reading_connection(self) -> psycopg.Connection[Any]:
        if self._reader is None or self._reader.closed or self._reader.broken:
            if self._reader is not None:
                self._reader.close()
            try:
                # Autocommit: `read` opens a block for its work (BEGIN READ ONLY ... COMMIT), `peek`
                # sends its one statement alone.
                reader = psycopg.connect(self._url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT)
            except psycopg.Error as error:
                raise StoreUnavailable(f"cannot connect to PostgreSQL: {error}") from None
            reader.read_only = True
            self._reader = reader
        return self._reader

    def advisory_key(self, scope: str) -> int:
        """The advisory lock key this store takes for a named lock (its schema's namespace)."""
        return lock_key(self._namespace + scope)

    def close(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
        with self._lock:
            if self._conn is not None:
                self._conn.close()


# A named lock taken before the transaction, and how long the server waited for it (the statement
# answers late, with the work's first read: `_sync_unwaited`).
_LOCK_AHEAD = "SELECT pg_advisory_lock(%s), extract(epoch FROM clock_timestamp() - statement_timestamp())::float8"


def _sync_unwaited(pipeline: psycopg.Pipeline) -> None:
    """End the pipeline's implicit transaction (a Sync) without waiting for the answers: they are
    read with the next statement's. psycopg has no public call for it (`Pipeline.sync` waits), so
    an older or newer psycopg without `_enqueue_sync` waits as `sync` does."""
    enqueue = getattr(pipeline, "_enqueue_sync", None)
    if callable(enqueue):
        enqueue()
    else:
        pg_queued_cursor.sync(pipeline)


def _rollback(conn: psycopg.Connection[Any]) -> None:
    """ROLLBACK without psycopg's statement machinery, which would forget every prepared statement."""
    result = conn.pgconn.exec_(b"ROLLBACK")
    if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
        raise psycopg.OperationalError(f"ROLLBACK failed: {conn.pgconn.error_message.decode(errors='replace')}")


@dataclass
class StoreWaits:
    """Where the writing connection's time went, in seconds since the store opened: `busy` running
    transactions (waits included), `locked` waiting for named locks someone else held, `paused`
    between a conflict and the next attempt; `sessions` opened (the first, and one per lost or
    unusable session)."""

    busy: float = 0.0
    locked: float = 0.0
    paused: float = 0.0
    sessions: int = 0
    repeatable: int = 0  # attempts begun under REPEATABLE READ (`RepeatableRead` work)
    serializable: int = 0  # of which run again under SERIALIZABLE (a write outside its kinds)
    begun: int = 0  # attempts begun (transactions, whatever their isolation)
    round_trips: int = 0  # waits for the server's answers (reads, locks, COMMITs)
    left: int = 0  # `RepeatableRead` work with `wait=False` left because another held its lock

    def report(self) -> dict[str, float]:
        return {
            "busySeconds": round(self.busy, 3),
            "lockWaitSeconds": round(self.locked, 3),
            "retryPauseSeconds": round(self.paused, 3),
            "sessionsOpened": self.sessions,
            "repeatableRead": self.repeatable,
            "repeatableReadRunAgain": self.serializable,
            "transactionsBegun": self.begun,
            "leftLocked": self.left,
            "roundTrips": self.round_trips,
        }


class _Retryable(Exception):
    """The connection was lost before COMMIT: safe to run the work again on a new one."""
