"""What one RunTask of ten asks of an in-memory SQLite store (issue 16: RunTask's server cost), on
bench_vs_moto.py's world (10 trunked c5.xlarge here, in process through the runtime): a guard
on the statements it sends, and that what it writes is all there, read back as written.

Statements are counted as the store sends them (`SqlTransaction._q` and `_many`: an executemany
is one statement). Before session 5 (main at 01f7f2c) a bridge RunTask of ten sent ~260 and an
awsvpc one ~550 on bench_vs_moto's 100 instances; the bounds below fail on that tree."""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from trunkline.plan.sandbox import Client
from trunkline.runtime import Config, Runtime
from trunkline.store.sql import SqlTransaction

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_vs_moto.py"
INSTANCES = 10
# Measured on this world (10 hosts, so each RunTask writes to about 7-10 of them): main at 01f7f2c
# sent 216-255 (bridge) and 497-506 (awsvpc); session 5's tree 139-190 and 371-375.
BRIDGE_BOUND = 200
AWSVPC_BOUND = 420


@functools.cache
def _bench() -> Any:
    """bench_vs_moto.py (its setup: the benchmark's own world), with the benchmarks' `common`."""
    spec = importlib.util.spec_from_file_location("bench_vs_moto_for_tests", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH.parent))
    return module


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Runtime, dict[str, Any], dict[str, Any]]]:
    runtime = Runtime(Config(state=":memory:", timing="manual"))
    clients = {s: Client(runtime, s) for s in ("ec2", "ecs", "ssm", "iam")}

    def timer(label: str, call: Callable[..., Any], /, **params: Any) -> Any:
        answer = call(**params)
        runtime.settle()
        return answer

    try:
        yield runtime, clients, _bench().setup(clients, timer, INSTANCES, runtime.settle)
    finally:
        runtime.close()


def _counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    said: Counter[str] = Counter()
    asked, many = SqlTransaction._q, SqlTransaction._many

    def q(self: SqlTransaction, sql: str, params: Any = ()) -> Any:
        said[sql.split(" (", 1)[0][:40]] += 1
        return asked(self, sql, params)

    def executemany(self: SqlTransaction, sql: str, rows: Any) -> None:
        said["MANY " + sql[:35]] += 1
        many(self, sql, rows)

    monkeypatch.setattr(SqlTransaction, "_q", q)
    monkeypatch.setattr(SqlTransaction, "_many", executemany)
    return said


def _run(clients: dict[str, Any], world: dict[str, Any], mode: str) -> dict[str, Any]:
    bench = _bench()
    extra: dict[str, Any] = {}
    family = bench.FAMILY
    if mode == "awsvpc":
        family = bench.FAMILY_VPC
        extra["networkConfiguration"] = {
            "awsvpcConfiguration": {"subnets": [world["subnet"]], "securityGroups": [world["group"]]}
        }
    answer: dict[str, Any] = clients["ecs"].run_task(cluster=bench.CLUSTER, taskDefinition=family, count=10, **extra)
    return answer


@pytest.mark.parametrize(("mode", "bound"), [("bridge", BRIDGE_BOUND), ("awsvpc", AWSVPC_BOUND)])
def test_a_runtask_of_ten_sends_no_more_statements_than_its_bound(
    world: tuple[Runtime, dict[str, Any], dict[str, Any]], monkeypatch: pytest.MonkeyPatch, mode: str, bound: int
) -> None:
    runtime, clients, placed_on = world
    counts = []
    for _ in range(3):
        said = _counted(monkeypatch)
        answer = _run(clients, placed_on, mode)
        counts.append(sum(said.values()))
        monkeypatch.undo()
        runtime.settle()  # their lifecycle (not counted), and room for the next
        assert len(answer["tasks"]) == 10 and answer["failures"] == []
        # A new task's first save is a plain insert: nothing asked about its key first.
        assert said["SELECT body, entries FROM documents WHERE kind = ? AND key = ?"] <= 3 * INSTANCES
    assert max(counts) <= bound, f"statements per RunTask of ten ({mode}): {counts}, bound {bound}"


def test_what_a_runtask_writes_is_read_back_as_written(world: tuple[Runtime, dict[str, Any], dict[str, Any]]) -> None:
    """One task event per task and one container-instance event per host it used, in the outbox
    as emitted (an in-memory state keeps them as JSON text); the hosts' counts match their tasks."""
    runtime, clients, placed_on = world
    seen = runtime.store.read(lambda tx: tx.last_event_seq())
    answer = _run(clients, placed_on, "awsvpc")
    events = runtime.store.read(lambda tx: tx.events_after(seen, 1000))
    kinds = Counter(e.body["detail-type"] for e in events)
    hosts = {t["containerInstanceArn"] for t in answer["tasks"]}
    assert kinds == {"ECS Task State Change": 10, "ECS Container Instance State Change": len(hosts)}
    by_task = {e.body["detail"]["taskArn"]: e.body["detail"] for e in events if "taskArn" in e.body["detail"]}
    for task in answer["tasks"]:
        assert by_task[task["taskArn"]]["lastStatus"] == task["lastStatus"] == "PROVISIONING"
        assert by_task[task["taskArn"]]["version"] == task["version"]
    described = clients["ecs"].describe_container_instances(cluster=_bench().CLUSTER, containerInstances=sorted(hosts))
    for instance in described["containerInstances"]:
        listed = clients["ecs"].list_tasks(cluster=_bench().CLUSTER, containerInstance=instance["containerInstanceArn"])
        live = clients["ecs"].describe_tasks(cluster=_bench().CLUSTER, tasks=listed["taskArns"])["tasks"]
        pending = sum(1 for t in live if t["lastStatus"] in ("PROVISIONING", "PENDING", "ACTIVATING"))
        running = sum(1 for t in live if t["lastStatus"] == "RUNNING")
        assert (instance["pendingTasksCount"], instance["runningTasksCount"]) == (pending, running)
        host_events = [
            e.body["detail"]
            for e in events
            if e.body["detail"].get("containerInstanceArn") == instance["containerInstanceArn"]
            and "taskArn" not in e.body["detail"]
        ]
        assert host_events[-1]["version"] == instance["version"]
        assert host_events[-1]["remainingResources"] == instance["remainingResources"]
    runtime.settle()


def test_an_awsvpc_runtask_asks_for_no_key_that_holds_nothing_before_saving_it(
    world: tuple[Runtime, dict[str, Any], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each awsvpc task's branch ENI, its security-group link, its trunk association and its
    address claim are new documents: saved as new rows without a read of their keys first
    (session 8: the store tries the insert; before, each save asked for the absent row, 40 reads
    per RunTask of ten), and a task's PRECREATED attachment, which shows no ENI, reads none (one
    whose ENI could not be made asked for the key ""). What the call writes is checked by the test
    above."""
    runtime, clients, placed_on = world
    absent: Counter[str] = Counter()
    row = SqlTransaction._row

    def counted_row(self: SqlTransaction, kind: str, key: str) -> Any:
        asked = (kind, key) not in self._rows  # else the transaction's own copy answers
        found = row(self, kind, key)
        if found is None and asked:
            absent[kind] += 1
        return found

    monkeypatch.setattr(SqlTransaction, "_row", counted_row)
    answer = _run(clients, placed_on, "awsvpc")
    monkeypatch.undo()
    runtime.settle()
    assert len(answer["tasks"]) == 10 and answer["failures"] == []
    assert sum(absent.values()) == 0, dict(absent)
