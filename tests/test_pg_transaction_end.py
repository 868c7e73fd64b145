"""How a PostgreSQL transaction ends (issue 16): BEGIN travels with the first read, and the last
writes, COMMIT and the release of the named locks with one another, in one round trip. Whatever
way the work ends (committed, rejected by the domain, or a statement failing in that last trip,
which makes the pipeline skip COMMIT and the release), the session is left idle, holding no lock,
with exactly the committed writes. Skipped without TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import opened_store, postgres_url
from trunkline.store.pg_transaction import PgTransaction
from trunkline.store.postgres import PostgresStore

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs TRUNKLINE_TEST_POSTGRES")


class Rejected(Exception):
    pass


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PostgresStore]:
    with opened_store(tmp_path) as opened:
        assert isinstance(opened, PostgresStore)
        yield opened


def _advisory_locks(store: PostgresStore) -> int:
    """Advisory locks the store's writing session holds, seen from another session."""
    conn = store._connection()
    with psycopg.connect(postgres_url() or "", autocommit=True) as other:
        row = other.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s AND granted",
            (conn.info.backend_pid,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def _idle(store: PostgresStore) -> bool:
    return store._connection().info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def _locked_put(tx: Any, n: int) -> None:
    tx.lock("placement:c")
    tx.put("counter", "c", {"n": n})


def test_a_committed_locked_transaction_releases_its_lock(store: PostgresStore) -> None:
    store.run(lambda tx: _locked_put(tx, 1))
    assert _idle(store) and _advisory_locks(store) == 0
    with psycopg.connect(postgres_url() or "", autocommit=True) as other:  # not waiting for us
        assert other.execute("SELECT pg_try_advisory_lock(%s)", (store.advisory_key("placement:c"),)).fetchone() == (
            True,
        )
    assert store.run(lambda tx: tx.get("counter", "c")) == {"n": 1}


def test_work_that_raises_rolls_back_and_releases_its_lock(store: PostgresStore) -> None:
    store.run(lambda tx: _locked_put(tx, 1))

    def rejected(tx: Any) -> None:
        _locked_put(tx, 2)
        raise Rejected

    with pytest.raises(Rejected):
        store.run(rejected)
    assert _idle(store) and _advisory_locks(store) == 0
    assert store.run(lambda tx: tx.get("counter", "c")) == {"n": 1}


def test_a_statement_failing_in_the_last_round_trip_still_releases_the_lock(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure makes the pipeline skip COMMIT and the release queued after it: the store
    ends the transaction and releases the lock itself."""
    for n in range(1, 5):  # statements prepared before the failing round trip, and others in it
        store.run(lambda tx, n=n: _locked_put(tx, n) or tx.get("counter", "d"))
    flush = PgTransaction.flush

    def failing_flush(self: PgTransaction) -> None:
        self._send("SELECT 1 / 0", ())  # queued first: what follows in that round trip is skipped
        flush(self)

    monkeypatch.setattr(PgTransaction, "flush", failing_flush)
    session = store._connection().info.backend_pid
    with pytest.raises(psycopg.errors.DivisionByZero):
        store.run(lambda tx: _locked_put(tx, 8))
    monkeypatch.undo()
    assert _idle(store) and _advisory_locks(store) == 0
    assert store._connection().info.backend_pid == session  # kept: no new backend per conflict
    with psycopg.connect(postgres_url() or "", autocommit=True) as other:  # not held by a lost session either
        assert other.execute("SELECT pg_try_advisory_lock(%s)", (store.advisory_key("placement:c"),)).fetchone() == (
            True,
        )
    for n in range(9, 20):  # the statements skipped were not left half-prepared on the connection
        store.run(lambda tx, n=n: _locked_put(tx, n) or tx.get("counter", "d"))
    assert store.run(lambda tx: tx.get("counter", "c")) == {"n": 19}


def test_a_conflict_in_a_read_leaves_the_connection_usable(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed statement inside the work (as a serialization failure carried by a read) aborts
    what was queued with it, a statement's PREPARE included; later transactions must not meet
    statements psycopg believes prepared ("prepared statement ... does not exist", seen under
    load in bench_shared_store.py before the fix)."""

    def rejected(tx: Any) -> None:
        tx.get("thing", "k0")
        raise Rejected

    for _ in range(2):  # a ROLLBACK psycopg has seen before: it no longer clears its cache on one
        with pytest.raises(Rejected):
            store.run(rejected)
    for n in range(1, 5):  # the fifth use, which prepares the statements, is in the failing round trip
        store.run(lambda tx, n=n: [tx.put("thing", f"k{n}", {"n": n}, {"g": "a"}), tx.find("thing", "g", "a")])

    def failing(tx: Any) -> None:
        tx.put("thing", "k0", {"n": 0}, {"g": "a"})
        tx._send("SELECT 1 / 0", ())  # fails ahead of the writes and the read that carry it
        tx.put("thing", "k9", {"n": 9}, {"g": "b"})
        tx.find("thing", "g", "b")

    session = store._connection().info.backend_pid
    with pytest.raises(psycopg.errors.DivisionByZero):
        store.run(failing)
    assert _idle(store)
    assert store._connection().info.backend_pid == session  # kept: no new backend per conflict
    for n in range(10, 20):
        store.run(lambda tx, n=n: [tx.put("thing", f"k{n}", {"n": n}, {"g": "a"}), tx.find("thing", "g", "a")])
    assert len(store.run(lambda tx: tx.find("thing", "g", "a"))) == 14


def test_an_uncontended_lock_is_taken_in_place_without_running_the_work_again(store: PostgresStore) -> None:
    runs: list[int] = []

    def work(tx: Any) -> None:
        runs.append(1)
        tx.get("counter", "c")  # a read before the lock: the snapshot is taken
        _locked_put(tx, 1)
        tx.get("counter", "d")  # reads the lock's answer with its own

    store.run(work)
    assert len(runs) == 1 and store.retried == 0
    assert _idle(store) and _advisory_locks(store) == 0


def test_a_lock_someone_holds_makes_the_work_run_again_after_it(store: PostgresStore) -> None:
    runs: list[int] = []
    with psycopg.connect(postgres_url() or "", autocommit=True) as other:
        key = store.advisory_key("placement:c")
        other.execute("SELECT pg_advisory_lock(%s)", (key,))
        # Let go a little later: the second run waits for it (from before its snapshot).
        release = threading.Timer(0.5, lambda: other.execute("SELECT pg_advisory_unlock(%s)", (key,)))

        def work(tx: Any) -> None:
            runs.append(1)
            if len(runs) == 1:
                tx.get("counter", "c")
                tx.lock("placement:c")
                tx.get("counter", "d")  # reads the lock's answer: held elsewhere, so the work restarts
                raise AssertionError("the read after a lock someone held should have restarted the work")
            _locked_put(tx, 7)

        release.start()
        try:
            store.run(work)
        finally:
            release.join()
    assert len(runs) == 2 and store.retried == 0
    assert store.run(lambda tx: tx.get("counter", "c")) == {"n": 7}
    assert _idle(store) and _advisory_locks(store) == 0
