"""How a PostgreSQL transaction ends (issue 16): BEGIN travels with the first read, and the last
writes, COMMIT and the release of the named locks with one another, in one round trip. Whatever
way the work ends (committed, rejected by the domain, or a statement failing in that last trip,
which makes the pipeline skip COMMIT and the release), the session is left idle, holding no lock,
with exactly the committed writes. Skipped without TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import fresh_state, postgres_url, release_state
from trunkline.store.pg_transaction import PgTransaction
from trunkline.store.postgres import PostgresStore, lock_key

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs TRUNKLINE_TEST_POSTGRES")


class Rejected(Exception):
    pass


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PostgresStore]:
    url = fresh_state(tmp_path)
    opened = PostgresStore(url)
    try:
        yield opened
    finally:
        opened.close()
        release_state(url)


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
        assert other.execute("SELECT pg_try_advisory_lock(%s)", (lock_key("placement:c"),)).fetchone() == (True,)
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
    store.run(lambda tx: _locked_put(tx, 1))
    flush = PgTransaction.flush

    def failing_flush(self: PgTransaction) -> None:
        flush(self)
        self._send("SELECT 1 / 0", ())  # queued, fails at the COMMIT's round trip

    monkeypatch.setattr(PgTransaction, "flush", failing_flush)
    with pytest.raises(psycopg.errors.DivisionByZero):
        store.run(lambda tx: _locked_put(tx, 2))
    monkeypatch.undo()
    assert _idle(store) and _advisory_locks(store) == 0
    assert store.run(lambda tx: tx.get("counter", "c")) == {"n": 1}
