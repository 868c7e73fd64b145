"""SQLite's interned index values (schema v11, store/interned_index.py): a state written before
them migrates on start and reads exactly as it did; values are shared, never crossed, and go
with their last entry.

`fixtures/state-schema10.sqlite` was written by main at schema 10 (a cluster, one trunked
container instance, four awsvpc tasks RUNNING, their ENIs and trunk associations):

    PYTHONPATH=<tree at schema 10>/src .venv/bin/python benchmarks/bench_state_size.py \\
        --instances 1 --tasks 4 --keep OUT.sqlite
    sqlite3 OUT.sqlite "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM"

`DIGEST` is what that tree's `Transaction.digest()` gave for the file: every document, index
entry (as whole rows), counter, job and event.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from conftest import Server, fresh_state, postgres_url, release_state
from trunkline.store import open_store
from trunkline.store.schema import SQLITE_MIGRATIONS

FIXTURE = Path(__file__).parent / "fixtures" / "state-schema10.sqlite"
DIGEST = "3ea410498b61a94c6d267bd40df04f0a4df96bc29d3d7940b7a81d1d4aee6d48"
CLUSTER = "bench"
TASK_KEYS = "123456789012/us-east-1/bench/"

sqlite_only = pytest.mark.skipif(postgres_url() is not None, reason="SQLite's layout (PostgreSQL keeps doc_index)")


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@sqlite_only
def test_a_schema_10_state_migrates_and_reads_exactly_as_before(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    shutil.copy(FIXTURE, state)
    assert "doc_index" in _tables(state)
    store = open_store(str(state))
    try:
        assert store.read(lambda tx: tx.get_meta("schema_version")) == str(len(SQLITE_MIGRATIONS))
        assert store.read(lambda tx: tx.digest()) == DIGEST  # the same entries, documents and events
        tasks = store.read(lambda tx: tx.find_keys("ecs.task", "cluster_status", _cluster_value("RUNNING")))
        assert len(tasks) == 4 and all(key.startswith(TASK_KEYS) for key in tasks)
        assert store.read(lambda tx: tx.count("ecs.task", "cluster_status", _cluster_value("RUNNING"))) == 4
        # a value the state never held, and one scoped to another region, find nothing
        assert store.read(lambda tx: tx.find_keys("ecs.task", "cluster_status", _cluster_value("PENDING"))) == []
        west = _cluster_value("RUNNING").replace("us-east-1", "us-west-2")
        assert store.read(lambda tx: tx.find_keys("ecs.task", "cluster_status", west)) == []
    finally:
        store.close()
    tables = _tables(state)
    assert {"index_fields", "index_values", "index_entries"} <= tables and "doc_index" not in tables


def _cluster_value(status: str) -> str:
    return f"arn:aws:ecs:us-east-1:123456789012:cluster/{CLUSTER}|{status}"


@sqlite_only
def test_a_migrated_state_serves_and_takes_writes(spawn: Callable[..., Server], tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    shutil.copy(FIXTURE, state)
    server = spawn("--timing", "manual", state=str(state))
    ecs = _client(server, "ecs")
    running = ecs.list_tasks(cluster=CLUSTER)["taskArns"]
    assert len(running) == 4
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=running)["tasks"]
    assert {t["lastStatus"] for t in described} == {"RUNNING"}
    instances = ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]
    assert len(instances) == 1
    assert set(ecs.list_tasks(cluster=CLUSTER, containerInstance=instances[0])["taskArns"]) == set(running)
    subnet = described[0]["attachments"][0]["details"]
    subnet_id = next(d["value"] for d in subnet if d["name"] == "subnetId")
    enis = _client(server, "ec2").describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])
    assert len(enis["NetworkInterfaces"]) >= 1

    ecs.stop_task(cluster=CLUSTER, task=running[0], reason="migrated")
    assert ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"] == [running[0]]
    assert set(ecs.list_tasks(cluster=CLUSTER)["taskArns"]) == set(running[1:])


def _client(server: Server, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="AKIAFIXTURE",
        aws_secret_access_key="x",
    )


def test_values_are_shared_scoped_and_go_with_their_last_entry(tmp_path: Path) -> None:
    """On either store: exact lookups, order by key, ranges by value then key; on SQLite a value
    is kept once however many entries share it, and deleted with the last of them."""

    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        east, west = "arn:aws:ecs:us-east-1:1:cluster/c|RUNNING", "arn:aws:ecs:us-west-2:1:cluster/c|RUNNING"

        def write(tx: Any) -> None:
            for n in (3, 1, 2):
                tx.put("ecs.task", f"1/us-east-1/c/t{n}", {"n": n}, {"cluster_status": east, "at": f"{n:02}"})
            tx.put("ecs.task", "1/us-west-2/c/t9", {"n": 9}, {"cluster_status": west, "at": "09"})

        store.run(write)
        assert store.read(lambda tx: tx.find_keys("ecs.task", "cluster_status", east)) == [
            "1/us-east-1/c/t1",
            "1/us-east-1/c/t2",
            "1/us-east-1/c/t3",
        ]
        assert store.read(
            lambda tx: [d["n"] for d in tx.find("ecs.task", "cluster_status", east, after="1/us-east-1/c/t1")]
        ) == [2, 3]
        assert store.read(lambda tx: tx.find_keys("ecs.task", "cluster_status", west)) == ["1/us-west-2/c/t9"]
        ranged = store.read(lambda tx: tx.find_from("ecs.task", "at", "02", limit=2))
        assert [(v, k) for v, k, _ in ranged] == [("02", "1/us-east-1/c/t2"), ("03", "1/us-east-1/c/t3")]
        if not state.startswith("postgresql"):
            assert _values(state, "cluster_status") == 2  # three entries share one value
        store.run(lambda tx: tx.put("ecs.task", "1/us-west-2/c/t9", {"n": 9}, {"cluster_status": west + "x"}))
        store.run(lambda tx: [tx.delete("ecs.task", f"1/us-east-1/c/t{n}") for n in (1, 2)])
        assert store.read(lambda tx: tx.count("ecs.task", "cluster_status", east)) == 1
        if not state.startswith("postgresql"):
            assert _values(state, "cluster_status") == 2  # east (t3 still has it), west + "x"
        store.run(lambda tx: tx.delete("ecs.task", "1/us-east-1/c/t3"))
        assert store.read(lambda tx: tx.find_keys("ecs.task", "cluster_status", east)) == []
        if not state.startswith("postgresql"):
            assert _values(state, "cluster_status") == 1
            assert _values(state, "at") == 0  # t9 lost its `at` entry, the others went
    finally:
        store.close()
        release_state(state)


def _values(state: str, field: str) -> int:
    with sqlite3.connect(state) as db:
        return int(
            db.execute(
                "SELECT COUNT(*) FROM index_values v JOIN index_fields f ON f.id = v.fid WHERE f.field = ?", (field,)
            ).fetchone()[0]
        )
