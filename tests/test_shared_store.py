"""Several processes on one PostgreSQL (issue 13): a lost connection is reopened, /health says
what the store's state really is, conflicts are retried with a bound that ends in AWS's
throttling error, placements in one cluster take turns on a named lock instead of failing
serialisation, and one reconciler at a time leads. Skipped without TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from botocore.exceptions import ClientError
from psycopg import errors

from conftest import fresh_state, postgres_url, release_state, start_process, stop_process
from pg_proxy import PgProxy
from pg_syncs import counting_syncs, locked_elsewhere
from trunkline.runtime import throttled, unavailable
from trunkline.store.api import Keyed, RepeatableRead, StoreBusy
from trunkline.store.postgres import PostgresStore

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs TRUNKLINE_TEST_POSTGRES")


@pytest.fixture
def state(tmp_path: Path) -> Iterator[str]:
    url = fresh_state(tmp_path)
    yield url
    release_state(url)


@pytest.fixture
def proxied(state: str) -> Iterator[tuple[Any, PgProxy]]:
    proxy = PgProxy(state)
    server = start_process(proxy.url)
    try:
        yield server, proxy
    finally:
        proxy.accept()
        stop_process(server)
        proxy.close()


def test_a_lost_connection_is_reopened(proxied: tuple[Any, PgProxy]) -> None:
    server, proxy = proxied
    ecs = server.client("ecs")
    ecs.create_cluster(clusterName="before")
    proxy.drop()
    ecs.create_cluster(clusterName="after")  # not a 500: the store reconnects and runs it
    assert {c.rsplit("/", 1)[1] for c in ecs.list_clusters()["clusterArns"]} >= {"before", "after"}
    health = server.get("/_trunkline/health").json()
    assert health["status"] == "ok"
    assert health["storeRetries"] >= 1  # the transaction the lost connection interrupted ran again


def test_health_and_calls_while_the_database_is_away(proxied: tuple[Any, PgProxy]) -> None:
    server, proxy = proxied
    assert server.get("/_trunkline/health").status_code == 200
    proxy.refuse()
    health = httpx.get(server.url + "/_trunkline/health", timeout=60)
    assert health.status_code == 503, health.text
    assert health.json()["status"] == "unavailable" and health.json()["storeError"]
    with pytest.raises(ClientError) as caught:
        server.client("ecs").list_clusters()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert caught.value.response["Error"]["Code"] == "ServiceUnavailable"
    proxy.accept()
    assert server.get("/_trunkline/health").json()["status"] == "ok"
    server.client("ecs").create_cluster(clusterName="back")


def test_conflicts_past_the_budget_end_in_store_busy(state: str) -> None:
    store = PostgresStore(state)
    calls = []

    def always_conflicts(tx: Any) -> None:
        calls.append(1)
        raise errors.SerializationFailure("could not serialize access")

    try:
        started = time.monotonic()
        with pytest.raises(StoreBusy):
            store.run(always_conflicts)
        assert 2 < len(calls) <= 13 and time.monotonic() - started < 10
    finally:
        store.close()
    assert throttled("ecs").code == "ThrottlingException" and throttled("ec2").code == "RequestLimitExceeded"
    assert unavailable().status == 503


def _increment(store: PostgresStore, scope: str | None, started: threading.Event) -> None:
    def work(tx: Any) -> None:
        if scope is not None:
            tx.lock(scope)
        seen = tx.get("counter", "c") or {"n": 0}
        started.set()
        time.sleep(0.3)  # both transactions are open at once
        tx.put("counter", "c", {"n": seen["n"] + 1})

    store.run(work)


def test_a_named_lock_makes_conflicting_work_take_turns(state: str) -> None:
    first, second = PostgresStore(state), PostgresStore(state)
    try:
        began = threading.Event()
        other = threading.Thread(target=_increment, args=(first, "placement:c", began))
        other.start()
        began.wait(10)
        _increment(second, "placement:c", threading.Event())
        other.join()
        assert first.run(lambda tx: tx.get("counter", "c")) == {"n": 2}
        assert first.retried == 0 and second.retried == 0  # waited for the lock, never failed serialisation
    finally:
        first.close()
        second.close()


def test_one_reconciler_leads_at_a_time(state: str) -> None:
    first, second = PostgresStore(state), PostgresStore(state)
    try:
        inside = threading.Event()
        release = threading.Event()
        answers: list[bool] = []

        def lead(tx: Any) -> None:
            answers.append(tx.try_lead("reconciler"))
            inside.set()
            release.wait(10)

        holder = threading.Thread(target=first.run, args=(lead,))
        holder.start()
        inside.wait(10)
        assert second.run(lambda tx: tx.try_lead("reconciler")) is False
        release.set()
        holder.join()
        assert answers == [True]
        assert second.run(lambda tx: tx.try_lead("reconciler")) is True
    finally:
        first.close()
        second.close()


def _held_elsewhere(store: PostgresStore, scope: str) -> bool:
    """Whether another session holds the named lock (asked from a third session)."""
    return locked_elsewhere(store.advisory_key(scope))


def _isolation(tx: Any) -> str:
    return str(tx._q("SELECT current_setting('transaction_isolation')", ()).fetchone()[0])


def test_repeatable_read_work_holds_its_lock_and_falls_back_to_serializable(state: str) -> None:
    """`RepeatableRead` work runs under REPEATABLE READ with its lock taken before its snapshot;
    a write of a kind it did not name runs it again under SERIALIZABLE (still holding the lock)."""
    first, second = PostgresStore(state), PostgresStore(state)
    try:
        seen: list[tuple[str, bool]] = []

        def work(tx: Any, kind: str) -> None:
            isolation = _isolation(tx)  # (the lock leaves with the work's first statement)
            seen.append((isolation, _held_elsewhere(second, "placement:c")))
            tx.put(kind, "k", {"n": 1})

        first.run(RepeatableRead(lambda tx: work(tx, "ecs.task"), "placement:c", frozenset({"ecs.task"})))
        assert seen == [("repeatable read", True)]
        seen.clear()
        first.run(RepeatableRead(lambda tx: work(tx, "ec2.subnet"), "placement:c", frozenset({"ecs.task"})))
        assert seen == [("repeatable read", True), ("serializable", True)]
        assert first.run(lambda tx: tx.get("ec2.subnet", "k")) == {"n": 1}
        assert first.retried == 0 and first.waits.repeatable == 2 and first.waits.serializable == 1
        assert _isolation_of_plain_work(first) == "serializable"
    finally:
        first.close()
        second.close()


def _isolation_of_plain_work(store: PostgresStore) -> str:
    return store.run(_isolation)


def test_locked_work_runs_under_repeatable_read_once_conflicts_are_met(state: str) -> None:
    """Work that declares what it writes under a lock (`lock(scope, writes)`) takes the lock in
    place under SERIALIZABLE while the process meets no conflicts; once it has met one, it takes
    the lock before its snapshot and runs under REPEATABLE READ. A lock someone holds makes it run
    again so too."""
    store = PostgresStore(state)
    try:
        seen: list[str] = []

        def work(tx: Any) -> None:
            tx.lock("placement:c", frozenset({"ecs.task"}))
            seen.append(_isolation(tx))
            tx.put("ecs.task", "t", {"n": len(seen)})

        store.run(work)
        assert seen == ["serializable"]  # taken in place, no conflict met: nothing run again

        with psycopg.connect(postgres_url() or "", autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (store.advisory_key("placement:c"),))
            threading.Timer(0.3, lambda: holder.execute("SELECT pg_advisory_unlock_all()")).start()
            seen.clear()
            store.run(work)
        # Held elsewhere: the read after the lock learnt so, and the work ran again, the lock waited
        # for before its snapshot, under REPEATABLE READ.
        assert seen == ["repeatable read"] and store.retried == 0

        failures = [errors.SerializationFailure("could not serialize access")]

        def conflicts_once(tx: Any) -> None:
            if failures:
                raise failures.pop()

        store.run(conflicts_once)
        seen.clear()
        store.run(work)
        assert seen == ["repeatable read"]  # a conflict met lately: the lock first, at once
        assert store.run(lambda tx: tx.get("ecs.task", "t")) == {"n": 1}

        calls: list[str] = []

        def keyed(tx: Any) -> None:
            calls.append(_isolation(tx))
            work(tx)

        store.run(Keyed(keyed, "RunTask on c"))  # started again at its lock, which is remembered
        assert calls == ["serializable", "repeatable read"]
        calls.clear()
        store.run(Keyed(keyed, "RunTask on c"))
        assert calls == ["repeatable read"]  # the remembered lock taken before the snapshot: run once
    finally:
        store.close()


def test_a_lock_taken_before_the_snapshot_costs_no_round_trip_of_its_own(
    state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work holding a lock from before its snapshot (a cluster's placement while its process meets
    conflicts, a step run again after the lock was held) sends the lock, a Sync, BEGIN and its
    first read together: the server runs the read only once it holds the lock, so the work still
    sees what the lock's last holder committed, and waits one round trip less. The server's wait
    for the lock is still counted (`storeWaits.lockWaitSeconds`)."""
    first, second = PostgresStore(state), PostgresStore(state)
    try:
        began, release = threading.Event(), threading.Event()

        def holder(tx: Any) -> None:
            tx.lock("placement:c")
            seen = tx.get("counter", "c") or {"n": 0}
            began.set()
            release.wait(10)
            tx.put("counter", "c", {"n": seen["n"] + 10})

        holding = threading.Thread(target=second.run, args=(holder,))
        holding.start()
        began.wait(10)
        threading.Thread(target=_release_once_waited_for, args=(release, first.advisory_key("placement:c"))).start()

        def step(tx: Any) -> None:
            seen = tx.get("counter", "c") or {"n": 0}
            tx.put("counter", "c", {"n": seen["n"] + 1})

        syncs = counting_syncs(monkeypatch)
        counted = first.waits.round_trips
        first.run(RepeatableRead(step, "placement:c", frozenset({"counter"})))
        holding.join()
        # One wait for the first read (the lock's answer with it), one for the COMMIT.
        assert len(syncs) == 2 and first.waits.round_trips - counted == 2
        assert first.run(lambda tx: tx.get("counter", "c")) == {"n": 11}  # read after the holder's commit
        assert first.waits.locked >= 0.2 and first.retried == 0
    finally:
        first.close()
        second.close()


def _release_once_waited_for(release: threading.Event, key: int) -> None:
    """Set `release` 0.2 s after some session is seen waiting for the advisory lock `key`."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    with psycopg.connect(postgres_url() or "", autocommit=True) as conn:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND classid::bigint = %s AND objid::bigint = %s",
                (unsigned >> 32, unsigned & 0xFFFFFFFF),
            ).fetchone()
            if row and row[0]:
                break
            time.sleep(0.01)
    time.sleep(0.2)
    release.set()


def test_a_lock_not_granted_before_the_snapshot_never_commits_the_work(
    state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock's answer comes with the work's first read, after BEGIN: should the lock time out,
    the work ran without it. Its first read raises the timeout; work that swallowed that error
    still does not commit (the store checks every lock's answer before COMMIT) and runs again."""
    monkeypatch.setattr("trunkline.store.postgres._LOCK_TIMEOUT", "100ms")
    store = PostgresStore(state)
    try:
        seen: list[Any] = []

        def swallowing(tx: Any) -> None:
            try:
                value = tx.get("counter", "c")
            except psycopg.Error as error:
                value = type(error).__name__
            seen.append(value)
            tx.put("ecs.task", "t", {"seen": str(value)})

        with psycopg.connect(postgres_url() or "", autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (store.advisory_key("placement:c"),))
            threading.Timer(0.5, lambda: holder.execute("SELECT pg_advisory_unlock_all()")).start()
            store.run(RepeatableRead(swallowing, "placement:c", frozenset({"ecs.task"})))
        assert "LockNotAvailable" in seen and seen[-1] is None  # swallowed once at least, then ran with the lock
        assert store.run(lambda tx: tx.get("ecs.task", "t")) == {"seen": "None"}
        assert store.retried >= 1
    finally:
        store.close()


def test_keyed_work_that_wrote_past_its_lock_runs_serializable_with_the_lock_first(
    state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Keyed` work that ran under REPEATABLE READ and then wrote what its lock does not guard (an
    awsvpc placement's ENIs) ran again SERIALIZABLE. While its process meets conflicts, the next
    call of the same key takes the lock before its snapshot and runs SERIALIZABLE at once,
    instead of a REPEATABLE READ attempt run up to that write and thrown away."""
    monkeypatch.setattr("trunkline.store.postgres._CONTENDED_FOR", 600.0)  # however slow the machine
    store = PostgresStore(state)
    try:
        calls: list[str] = []

        def placement(tx: Any) -> None:
            tx.lock("placement:c", frozenset({"ecs.task"}))
            calls.append(_isolation(tx))
            tx.put("ecs.task", "t", {"n": len(calls)})
            tx.put("ec2.network-interface", "eni", {"n": len(calls)})  # not what the lock guards

        failures = [errors.SerializationFailure("could not serialize access")]

        def conflicts_once(tx: Any) -> None:
            if failures:
                raise failures.pop()

        store.run(conflicts_once)  # the process has met a conflict: locked work takes its lock first
        store.run(Keyed(placement, "RunTask on c"))
        assert calls == ["repeatable read", "serializable"]
        calls.clear()
        store.run(Keyed(placement, "RunTask on c"))
        assert calls == ["serializable"] and store.run(lambda tx: tx.get("ec2.network-interface", "eni")) == {"n": 1}
        assert _held_during(store, placement) and store.waits.serializable == 1
    finally:
        store.close()


def _held_during(store: PostgresStore, placement: Any) -> bool:
    """Whether `placement`, run as the same key again, holds its lock from its start (from its first
    statement, with which the lock leaves: before the work's own `tx.lock`)."""
    held: list[bool] = []

    def probe(tx: Any) -> None:
        _isolation(tx)
        held.append(_held_elsewhere(store, "placement:c"))
        placement(tx)

    store.run(Keyed(probe, "RunTask on c"))
    return held == [True]
