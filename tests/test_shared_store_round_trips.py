"""Round trips on PostgreSQL's writing connection (issue 13 item 4, second pass): with two
processes on two cores each wait for an answer also waits for a core, so what a StopTask and a
task's steps are certain to read is asked together. Skipped without TRUNKLINE_TEST_POSTGRES."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Server, fresh_state, postgres_url, release_state, start_process, stop_process
from ecs_records import ACCOUNT, REGION, ctx_of
from ecs_world import World, config_script
from pg_syncs import counting_syncs
from trunkline.clock import ManualClock
from trunkline.domain.ecs import services
from trunkline.reconciler import Reconciler
from trunkline.store.api import JOB_LOCK, JOB_READS
from trunkline.store.postgres import PostgresStore
from trunkline.timing import PROFILES

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs TRUNKLINE_TEST_POSTGRES")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PostgresStore]:
    url = fresh_state(tmp_path)
    opened = PostgresStore(url)
    yield opened
    opened.close()
    release_state(url)


def test_a_clusters_live_services_are_asked_in_one_round_trip(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`services.of_cluster` reads ACTIVE and DRAINING services: both questions travel together."""
    store.run(lambda tx: tx.get("nothing", "x"))  # the session's setup done
    syncs = counting_syncs(monkeypatch)

    def work(tx: Any) -> list[Any]:
        before = len(syncs)
        found = services.of_cluster(ctx_of(tx), f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod")
        assert len(syncs) - before == 1
        return found

    assert store.run(work) == []


@pytest.mark.parametrize("repeatable", [False, True], ids=["serializable", "repeatable-read"])
def test_a_chunk_asks_for_its_jobs_first_reads_with_its_claim(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch, repeatable: bool
) -> None:
    """A job that names the document it reads first (`JOB_READS`, the payload's `key`) has it
    asked with its chunk's claim: the chunk waits for the claim and the COMMIT, nothing else.
    Under REPEATABLE READ the cluster's lock is tried before BEGIN, and its answer comes with the
    claim's too (whether the chunk goes on is decided then: `_Left`)."""
    seen: list[Any] = []

    def step(ctx: Any, payload: dict[str, Any]) -> None:
        seen.append(ctx.tx.get("thing", payload["key"]))

    reconciler = Reconciler(store, ManualClock(1000.0), PROFILES["fast"], ACCOUNT, REGION, {"step": step})
    if repeatable:
        reconciler.repeatable_writes = lambda scope: frozenset({"thing"})

    def setup(tx: Any) -> None:
        tx.put("thing", "t1", {"n": 1})
        tx.put("thing", "t2", {"n": 2})
        for key in ("t1", "t2"):
            tx.schedule(10.0, "step", {"key": key, JOB_READS: "thing", JOB_LOCK: "placement:c"})

    store.run(setup)
    listing = reconciler.list_due(20.0)
    syncs = counting_syncs(monkeypatch)
    assert [reconciler.run_chunk(scope, ids) for scope, ids in listing.chunks] == [2]
    assert seen == [{"n": 1}, {"n": 2}]
    assert len(syncs) == 2  # the claim (the lock's answer, both documents with it), the COMMIT
    assert store.waits.repeatable == (1 if repeatable else 0) and store.waits.left == 0


def _round_trips(server: Server) -> int:
    count: int = server.get("/_trunkline/health").json()["storeWaits"]["roundTrips"]
    return count


def test_stop_task_asks_its_cluster_and_services_with_the_credential(tmp_path: Path) -> None:
    """StopTask of a RUNNING task on its own process: the credential's read carries the cluster's
    record and its live services; the task's read carries the cluster lock's answer; then the
    COMMIT. Three round trips (six before: the cluster, and each of two service queries alone)."""
    state = fresh_state(tmp_path)
    server = start_process(state, "--timing", "manual")
    try:
        world = World(server)
        world.instance_role("ecsRole")
        subnet = world.network("10.0.0.0/24")["subnet"]
        world.ecs.create_cluster(clusterName="rt")
        world.launch(subnet, "ecsRole", config_script("rt"))
        world.settle()
        container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 128}
        world.ecs.register_task_definition(family="rt", networkMode="bridge", containerDefinitions=[container])
        task = world.ecs.run_task(cluster="rt", taskDefinition="rt")["tasks"][0]["taskArn"]
        world.settle()
        health = _round_trips(server)
        health = _round_trips(server) - health  # what a health check itself counts
        before = _round_trips(server)
        stopped = world.ecs.stop_task(cluster="rt", task=task)["task"]
        assert stopped["desiredStatus"] == "STOPPED"
        assert _round_trips(server) - before - health == 3
    finally:
        stop_process(server)
        release_state(state)
