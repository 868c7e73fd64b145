"""Records saved before a kind's indexes changed are re-indexed when a server starts on them.

Managed scaling counts live group members through the `live` index entry, which an earlier
release did not write: without the refresh a group's N would read 0 until each member happened
to be saved again. Runs on whichever store the suite uses (SQLite file or PostgreSQL schema).
"""

from __future__ import annotations

from pathlib import Path

from conftest import fresh_state, release_state
from ecs_records import CLUSTER, make_record
from trunkline.domain import index_versions
from trunkline.domain.autoscaling.kinds import MEMBER
from trunkline.domain.ecs import container_instances
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE
from trunkline.store import open_store
from trunkline.store.api import Transaction

SCOPE = "123456789012/us-east-1/"
MEMBER_RECORD = {
    "InstanceId": "i-0123456789abcdef0",
    "AutoScalingGroupName": "asg",
    "LifecycleState": "InService",
    "_launchedAt": 100.0,
}


def _written_by_an_earlier_release(tx: Transaction) -> None:
    # What the previous release stored: the member with its one index entry, no index version.
    tx.put(MEMBER.name, SCOPE + MEMBER_RECORD["InstanceId"], dict(MEMBER_RECORD), {"group": SCOPE + "asg"})


def test_an_earlier_state_is_reindexed_once(tmp_path: Path) -> None:
    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        store.run(_written_by_an_earlier_release)
        assert store.run(lambda tx: tx.count(MEMBER.name, "live", SCOPE + "asg")) == 0

        assert store.run(lambda tx: index_versions.refresh(tx, [MEMBER])) == {MEMBER.name: 1}
        assert store.run(lambda tx: tx.count(MEMBER.name, "live", SCOPE + "asg")) == 1
        assert store.run(lambda tx: tx.count(MEMBER.name, "state", SCOPE + "asg|InService")) == 1
        assert store.run(lambda tx: tx.count(MEMBER.name, "group", SCOPE + "asg")) == 1
        # the record itself is untouched, and a second start has nothing to do
        assert store.run(lambda tx: tx.get(MEMBER.name, SCOPE + MEMBER_RECORD["InstanceId"])) == MEMBER_RECORD
        assert store.run(lambda tx: index_versions.refresh(tx, [MEMBER])) == {}
    finally:
        store.close()
        release_state(state)


def test_a_new_store_records_the_versions_without_work(tmp_path: Path) -> None:
    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        first = store.run(index_versions.refresh)
        assert first == {kind.name: 0 for kind in index_versions.VERSIONED}
        assert store.run(index_versions.refresh) == {}
    finally:
        store.close()
        release_state(state)


def _ladder_entries(record: dict[str, object], cluster: str) -> dict[str, str]:
    """What container-instance index version 3 wrote for placement: an entry per rung at or below
    what the instance had left of the other resource (version 4 keeps only its own rung's)."""
    rungs = (0, *(2**k for k in range(7, 21)))
    left = {r["name"]: int(r["integerValue"]) for r in record["remainingResources"]}  # type: ignore[attr-defined]
    return {
        container_instances.placement_field(cluster, None, field, rung): container_instances.placement_value(left[own])
        for field, (own, other) in container_instances.PLACEMENT_RESOURCES.items()
        for rung in rungs
        if rung <= left[other] or rung == 0
    }


def test_container_instances_move_from_the_placement_ladder_to_one_entry_per_resource(tmp_path: Path) -> None:
    """A state written before index version 4: each instance sat in every rung's field at or below
    what it had left (~14 per resource). Re-indexed on start, it is in its own rung's field only, and
    a binpack window over the merged fields still finds it."""
    record = make_record(
        1,
        remainingResources=[
            {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 7000},
        ],
    )
    key = container_instances.record_key(record)
    old = _ladder_entries(record, CLUSTER)
    assert len(old) == 14
    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        store.run(lambda tx: tx.put(CONTAINER_INSTANCE.name, key, dict(record), old))
        store.run(lambda tx: tx.set_meta("index-version/" + CONTAINER_INSTANCE.name, "3"))
        low_rung = container_instances.placement_field(CLUSTER, None, "memory", 128)
        assert store.run(lambda tx: tx.find_keys(CONTAINER_INSTANCE.name, low_rung, old[low_rung])) == [key]

        assert store.run(lambda tx: index_versions.refresh(tx, [CONTAINER_INSTANCE])) == {CONTAINER_INSTANCE.name: 1}
        assert store.run(lambda tx: tx.find_keys(CONTAINER_INSTANCE.name, low_rung, old[low_rung])) == []

        def rows(fields: list[str], lowest: str) -> list[tuple[str, str]]:
            found = store.run(lambda tx: [r for f in fields for r in tx.find_from(CONTAINER_INSTANCE.name, f, lowest)])
            return [(value, row_key) for value, row_key, _ in found]

        # In its own rung's field only (cpu: 7000 MiB left is rung 4096; memory: 4096 units, 4096).
        assert rows([container_instances.placement_field(CLUSTER, None, "cpu", 4096)], "") == [("000000004096", key)]
        assert rows([container_instances.placement_field(CLUSTER, None, "memory", 4096)], "") == [("000000007000", key)]
        # A window for a task needing 300 MiB (rungs 256 and up) or 2,000 units (1024 and up) finds it.
        assert rows(container_instances.placement_fields(CLUSTER, None, "cpu", 300), "") == [("000000004096", key)]
        assert rows(container_instances.placement_fields(CLUSTER, None, "memory", 2000), "") == [("000000007000", key)]
    finally:
        store.close()
        release_state(state)


def test_container_instances_move_to_cluster_first_placement_fields(tmp_path: Path) -> None:
    """A state written before index version 5 named placement fields resource first
    (`place:FIELD:OTHER>=FLOOR:CLUSTER_ARN`); re-indexed on start, the instance is found under the
    cluster-first names binpack reads (each cluster's entries side by side: docs/design.md) and
    no longer under the old ones."""
    record = make_record(
        1,
        remainingResources=[
            {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 7000},
        ],
    )
    key = container_instances.record_key(record)
    old = {f"place:cpu:memory>=4096:{CLUSTER}": "000000004096", f"place:memory:cpu>=4096:{CLUSTER}": "000000007000"}
    state = fresh_state(tmp_path)
    store = open_store(state)
    try:
        store.run(lambda tx: tx.put(CONTAINER_INSTANCE.name, key, dict(record), old))
        store.run(lambda tx: tx.set_meta("index-version/" + CONTAINER_INSTANCE.name, "4"))
        assert store.run(lambda tx: index_versions.refresh(tx, [CONTAINER_INSTANCE])) == {CONTAINER_INSTANCE.name: 1}
        for field, value in old.items():
            assert store.run(lambda tx, f=field, v=value: tx.find_keys(CONTAINER_INSTANCE.name, f, v)) == []
        cpu = container_instances.placement_field(CLUSTER, None, "cpu", 4096)
        assert cpu == f"place:{CLUSTER}:cpu:memory>=4096"
        assert store.run(lambda tx: tx.find_keys(CONTAINER_INSTANCE.name, cpu, "000000004096")) == [key]
    finally:
        store.close()
        release_state(state)
