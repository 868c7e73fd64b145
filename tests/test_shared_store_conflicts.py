"""Contention removed at its source (issue 13 item 4), two stores on one PostgreSQL schema as two
processes would have them:

- a placement in one cluster reads its own instances' placement entries and documents only (the
  index names the cluster first, so the clusters' entries do not share the index pages
  SERIALIZABLE locks; documents are looked up by key, never scanned by kind);
- a reconciler step of a task waits for a placement in the task's cluster instead of overlapping
  it (its job names the cluster's lock), and its pass never reads the job queue's index inside
  the transaction.

Each checks the conflicts the stores counted (`PostgresStore.retried`). Skipped without
TRUNKLINE_TEST_POSTGRES.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import opened_stores, postgres_url
from ecs_records import ACCOUNT, REGION, ctx_of, make_record
from trunkline.clock import ManualClock
from trunkline.domain.ecs import container_instances
from trunkline.reconciler import _OTHERS_AFTER, Reconciler
from trunkline.store.api import JOB_LOCK, Transaction
from trunkline.store.postgres import PostgresStore
from trunkline.timing import PROFILES

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs TRUNKLINE_TEST_POSTGRES")

CLUSTERS = [f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/c{n}" for n in range(4)]
INSTANCES = 3  # per cluster
KIND = container_instances.KIND


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    with opened_stores(tmp_path, 2) as (first, second):
        assert isinstance(first, PostgresStore) and isinstance(second, PostgresStore)
        yield first, second


def _resources(cpu: int, memory: int) -> list[dict[str, Any]]:
    return [
        {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
        {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
    ]


def _host(cluster: int, n: int, memory: int = 7680) -> dict[str, Any]:
    return make_record(
        cluster * 100 + n,
        cluster=CLUSTERS[cluster],
        registeredResources=_resources(4096, 7680),
        remainingResources=_resources(4096, memory),
    )


def _seed(store: PostgresStore) -> None:
    """Four clusters of three instances, as the benchmark has them."""

    def work(tx: Transaction) -> None:
        for cluster in range(len(CLUSTERS)):
            for n in range(INSTANCES):
                container_instances.save(ctx_of(tx), _host(cluster, n))

    store.run(work)


def test_each_clusters_placement_entries_sit_together_in_the_index_order() -> None:
    """The index sorts entries by field: with the cluster first in the field's name, one
    cluster's entries (every resource, floor, VPC) form one run, so a placement's reads and the
    rewrites of another cluster's instances meet on no index page but the run's ends."""
    fields = sorted(
        (container_instances.placement_field(cluster, vpc, resource, floor), cluster)
        for cluster in CLUSTERS
        for vpc in (None, "vpc-1")
        for resource in ("cpu", "memory")
        for floor in (0, 128, 1024, 2**20)
    )
    order = [cluster for _, cluster in fields]
    runs = [cluster for n, cluster in enumerate(order) if n == 0 or order[n - 1] != cluster]
    assert runs == CLUSTERS


def test_a_placement_read_locks_only_the_instances_it_reads(stores: tuple[PostgresStore, PostgresStore]) -> None:
    """SERIALIZABLE locks what a query reads. The index's documents are looked up by key, one by
    one, never through a scan of the kind's documents: reading one cluster's tightest instance
    locks that instance's row alone, not every cluster's instances."""
    first, _ = stores
    _seed(first)
    field = container_instances.placement_field(CLUSTERS[0], None, "memory", 4096)  # 4096 CPU units left: that rung

    def read_then_locks(tx: Any) -> list[tuple[str, Any, Any]]:
        assert len(tx.find_from(KIND, field, container_instances.placement_value(0), limit=1)) == 1
        rows = tx.execute(
            "SELECT l.locktype, l.page, l.tuple FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE l.mode = 'SIReadLock' AND l.pid = pg_backend_pid() AND c.relname = 'documents'"
        ).fetchall()
        return [tuple(row) for row in rows]

    locks = first.run(read_then_locks)
    assert [kind for kind, _, _ in locks] == ["tuple"], locks  # the one instance read


def _reconciler(store: PostgresStore, ran: list[dict[str, Any]]) -> Reconciler:
    def step(ctx: Any, payload: dict[str, Any]) -> None:
        ran.append({**payload, "seen": ctx.tx.get("counter", "c")})
        ctx.tx.put("counter", "c", {"n": (ctx.tx.get("counter", "c") or {"n": 0})["n"] + 1})

    return Reconciler(store, ManualClock(1000.0), PROFILES["fast"], ACCOUNT, REGION, {"step": step})


def _step_queued_and_cluster_held(store: PostgresStore, scope: str) -> tuple[threading.Thread, threading.Event]:
    """A step of the cluster queued (due at 10), then a placement's transaction on another thread
    that holds the cluster's lock, having read the counter, until the returned event is set; it
    adds 10 to what it read."""
    store.run(lambda tx: tx.schedule(10.0, "step", {"key": "t1", JOB_LOCK: scope}))
    inside, release = threading.Event(), threading.Event()

    def placement(tx: Transaction) -> None:
        tx.lock(scope)
        seen = tx.get("counter", "c") or {"n": 0}
        inside.set()
        release.wait(10)
        tx.put("counter", "c", {"n": seen["n"] + 10})

    holder = threading.Thread(target=store.run, args=(placement,))
    holder.start()
    inside.wait(10)
    return holder, release


def test_a_reconciler_step_takes_turns_with_a_placement_in_its_cluster(
    stores: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = stores
    scope = "placement:" + CLUSTERS[0]
    ran: list[dict[str, Any]] = []
    holder, release = _step_queued_and_cluster_held(first, scope)
    # The step's pass lists the job, then waits for the cluster's lock while the placement holds it.
    passing = threading.Thread(target=lambda: ran.append({"count": _reconciler(second, ran).run_due(lead=True)}))
    passing.start()
    passing.join(0.5)
    assert passing.is_alive() and ran == []
    release.set()
    holder.join()
    passing.join(10)
    assert ran[0]["key"] == "t1" and ran[0]["seen"] == {"n": 10}  # ran after the placement committed
    assert ran[1] == {"count": 1}
    assert first.run(lambda tx: (tx.get("counter", "c"), tx.next_due_at())) == ({"n": 11}, None)
    assert (first.retried, second.retried) == (0, 0)


def test_a_pass_claims_by_id_what_is_still_queued(stores: tuple[PostgresStore, PostgresStore]) -> None:
    first, second = stores

    def queue(tx: Transaction) -> None:
        for n, scope in enumerate(("a", "b", "a", None)):
            tx.schedule(float(n), "step", {"n": n, **({JOB_LOCK: scope} if scope else {})})
        tx.schedule(99.0, "step", {"n": 99})  # not due yet

    first.run(queue)
    due = second.read(lambda tx: tx.due_jobs(50.0, 10))
    assert [job.payload["n"] for job in due] == [0, 1, 2, 3]
    assert second.read(lambda tx: tx.due_jobs(50.0, 10)) == due  # listing claims nothing
    first.run(lambda tx: tx.finish(due[1]))  # another process ran one meanwhile
    claimed = second.run(lambda tx: tx.claim([job.id for job in reversed(due)]))
    assert [job.payload["n"] for job in claimed] == [0, 2, 3]  # still queued, oldest first
    ran: list[dict[str, Any]] = []
    assert _reconciler(second, ran).run_due(50.0, lead=True) == 3
    # Scope a's jobs ran together in due order, then b's (gone), then the unscoped one.
    assert [item["n"] for item in ran if "n" in item] == [0, 2, 3]


def test_a_step_run_under_repeatable_read_leaves_a_held_cluster_to_a_later_pass(
    stores: tuple[PostgresStore, PostgresStore],
) -> None:
    """Steps whose writes the domain names (`repeatable_writes`) run under REPEATABLE READ with
    their cluster's lock from before their snapshot; while another process holds that lock, the
    pass does not wait with its queue behind it: it leaves the jobs for a later pass."""
    first, second = stores
    scope = "placement:" + CLUSTERS[0]
    ran: list[dict[str, Any]] = []
    reconciler = _reconciler(second, ran)
    reconciler.repeatable_writes = lambda scope: frozenset({"counter"})
    holder, release = _step_queued_and_cluster_held(first, scope)
    assert reconciler.run_due(lead=True) == 0 and ran == []  # at once: the placement holds the cluster
    release.set()
    holder.join()
    assert reconciler.run_due(lead=True) == 1
    assert ran[0]["key"] == "t1" and ran[0]["seen"] == {"n": 10}  # after the placement committed
    assert first.run(lambda tx: (tx.get("counter", "c"), tx.next_due_at())) == ({"n": 11}, None)
    # The chunk left began its transaction too (BEGIN travels with the lock's try), then rolled back.
    assert (first.retried, second.retried) == (0, 0) and (second.waits.repeatable, second.waits.left) == (2, 1)


def test_a_pass_runs_its_clusters_steps_while_another_process_leads_the_unscoped_jobs(
    stores: tuple[PostgresStore, PostgresStore],
) -> None:
    """Processes take turns per cluster, not over the whole reconciler: while another process's
    reconciler runs unscoped jobs (it holds the reconciler's lead), this one still runs a
    cluster's steps; the unscoped job is left to a later pass."""
    first, second = stores
    scope = "placement:" + CLUSTERS[0]
    first.run(lambda tx: (tx.schedule(10.0, "step", {"key": "t1", JOB_LOCK: scope}), tx.schedule(11.0, "step", {})))
    ran: list[dict[str, Any]] = []
    inside, release = threading.Event(), threading.Event()

    def leading(tx: Transaction) -> None:
        assert tx.try_lead("reconciler")
        inside.set()
        release.wait(10)

    holder = threading.Thread(target=first.run, args=(leading,))
    holder.start()
    inside.wait(10)
    try:
        assert _reconciler(second, ran).run_due(50.0, lead=True) == 1
        assert [item.get("key") for item in ran] == ["t1"]
    finally:
        release.set()
        holder.join()
    assert _reconciler(second, ran).run_due(50.0, lead=True) == 1  # the unscoped job, once the lead is free
    assert first.run(lambda tx: tx.next_due_at()) is None


def test_a_pass_runs_its_own_processs_steps_and_others_only_once_overdue(
    stores: tuple[PostgresStore, PostgresStore],
) -> None:
    """Each process's background pass runs the steps its own requests scheduled: another process's
    steps of the same cluster are left to that process (no turn taken on the cluster's lock, which
    that process's requests want next, no chunk tried and left) until they have been due for
    `_OTHERS_AFTER` seconds, when the owner has stopped or fallen behind and any process adopts
    them. Jobs without an owner (written before owners were kept) are anyone's."""
    first, second = stores
    scope = "placement:" + CLUSTERS[0]
    first.run(lambda tx: tx.schedule(10.0, "step", {"key": "first's", JOB_LOCK: scope}))
    second.run(lambda tx: tx.schedule(10.0, "step", {"key": "second's", JOB_LOCK: scope}))
    second.run(lambda tx: tx.schedule(10.5, "step", {"key": "second's later", JOB_LOCK: scope}))
    ran: list[dict[str, Any]] = []
    seconds = _reconciler(second, ran)
    assert seconds.run_due(10.9, lead=True) == 2
    assert [item["key"] for item in ran] == ["second's", "second's later"]
    assert second.waits.left == 0  # nothing of the first process's tried and left
    # The first process ran nothing for 1.2 s after its step was due: the second adopts it.
    assert seconds.run_due(10.0 + _OTHERS_AFTER + 0.2, lead=True) == 1
    assert [item["key"] for item in ran][-1] == "first's"
    first.run(lambda tx: tx.schedule(20.0, "step", {"key": "first's own"}))
    ran.clear()
    assert _reconciler(first, ran).run_due(20.1, lead=True) == 1 and ran[0]["key"] == "first's own"
    with psycopg.connect(first._url, autocommit=True) as conn:  # as a trunkline before v14 wrote it
        conn.execute("INSERT INTO jobs (due_at, name, payload) VALUES (30.0, 'step', '{\"key\": \"nobody''s\"}')")
    ran.clear()
    assert seconds.run_due(30.1, lead=True) == 1 and ran[0]["key"] == "nobody's"
    assert (first.retried, second.retried) == (0, 0)
