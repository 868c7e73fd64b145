"""Placement through a capacity provider reads the provider's own instances (issue 16): the
placement index has provider-scoped fields (`#PROVIDER`), so a lone binpack through a provider
reads a `BinpackWindow` of the provider's instances, and other strategies read `provider_active`
instead of every ACTIVE instance of the cluster. Tasks waiting for capacity are counted from an
index (`cluster_waiting`), not read.

Domain-level tests on a real SQLite store, against from-scratch computations; the end-to-end
behaviour through boto3 is in test_capacity_providers.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecs_records import (
    CLUSTER,
    OTHER,
    CountingTx,
    ctx_of,
    domain_store,
    hosts_run_without_ec2,
    instance_arn,
    make_record,
    resources,
)
from trunkline.domain.ecs import container_instances, kinds, placement, placement_candidates, task_launch
from trunkline.domain.ecs.placement import Candidate, Demand, Strategy
from trunkline.store.api import Store, Transaction

Record = dict[str, Any]

VPC = "vpc-0123456789abcdef0"
PROVIDERS = ("p1", "p2")


class _Rollback(Exception):
    """Raised at the end of an example's transaction, so each example starts from an empty cluster."""


@pytest.fixture(scope="module")
def shared_store() -> Iterator[Store]:
    with TemporaryDirectory() as directory, domain_store(Path(directory) / "provider.sqlite3") as opened:
        yield opened


@pytest.fixture(autouse=True)
def hosts_running(monkeypatch: pytest.MonkeyPatch) -> None:
    hosts_run_without_ec2(monkeypatch)


def host(n: int, memory: int, cpu: int = 2048, provider: str | None = "p1", **fields: Any) -> Record:
    extra = {"capacityProviderName": provider} if provider else {}
    return make_record(
        n,
        attributes={"ecs.os-type": "linux", "ecs.vpc-id": VPC, "ecs.capability.task-eni": None},
        registeredResources=resources(2048, 3705),
        remainingResources=resources(cpu, memory),
        _vpcId=VPC,
        _availabilityZone="us-east-1a",
        **extra,
        **fields,
    )


def from_scratch(tx: Transaction, demand: Demand, provider: str) -> list[Candidate]:
    """The provider's ACTIVE instances, found by reading every instance of the cluster."""
    ctx = ctx_of(tx)
    everyone = tx.find(container_instances.KIND, "cluster", CLUSTER)
    mine = [r for r in everyone if r["status"] == "ACTIVE" and r.get("capacityProviderName") == provider]
    counter = placement_candidates.group_counter(ctx, CLUSTER, demand.group)
    return [placement_candidates.candidate(ctx, r, counter) for r in mine]


hosts = st.lists(
    st.fixed_dictionaries(
        {
            "memory": st.sampled_from([0, 300, 512, 600, 1100, 2200, 3705]),
            "cpu": st.sampled_from([0, 100, 256, 1024, 2048]),
            "provider": st.sampled_from([None, *PROVIDERS]),
            "status": st.sampled_from(["ACTIVE", "ACTIVE", "ACTIVE", "DRAINING", "INACTIVE"]),
            "agentConnected": st.booleans(),
            "_eniRoom": st.sampled_from([0, 1, 5]),
        }
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    world=hosts,
    memory=st.sampled_from([128, 512, 1000, 2048]),
    cpu=st.sampled_from([128, 256, 1024]),
    awsvpc=st.booleans(),
    resource=st.sampled_from(["cpu", "memory"]),
    strategy=st.sampled_from(["binpack", "spread-none"]),
    count=st.integers(min_value=1, max_value=6),
)
def test_placement_through_a_provider_matches_a_from_scratch_computation(
    shared_store: Store,
    world: list[Record],
    memory: int,
    cpu: int,
    awsvpc: bool,
    resource: str,
    strategy: str,
    count: int,
) -> None:
    demand = Demand(cpu=cpu, memory=memory, group="g", vpc_id=VPC if awsvpc else None, needs_eni=awsvpc)
    strategies = [Strategy("binpack", resource)] if strategy == "binpack" else [Strategy("spread", "instanceId")]

    def work(tx: Transaction) -> None:
        ctx = ctx_of(tx)
        for n, fields in enumerate(world):
            container_instances.save(ctx, host(n, **fields))
        full = from_scratch(tx, demand, "p1")
        assert placement_candidates.provider_has_active(ctx, CLUSTER, "p1") == bool(full)
        if full:
            seen = placement_candidates.for_provider(ctx, CLUSTER, demand, strategies, "p1")
            assert isinstance(seen, placement_candidates.BinpackWindow) == (strategy == "binpack")
            got = placement.place(seen, demand, count, strategies=strategies, rng=random.Random(1))
            want = placement.place(full, demand, count, strategies=strategies, rng=random.Random(1))
            assert [c.arn for c in got.placed] == [c.arn for c in want.placed]
            assert got.failures == want.failures
        raise _Rollback

    with pytest.raises(_Rollback):
        shared_store.run(work)


def test_a_launch_through_a_provider_reads_only_the_provider_s_instances(store: Store) -> None:
    def work(tx: Transaction) -> tuple[int, int, int]:
        ctx = ctx_of(tx)
        for n in range(200):
            container_instances.save(ctx, host(n, 3705, provider="p2" if n % 2 else None))
        for n in range(200, 205):
            container_instances.save(ctx, host(n, 600 + n))
        demand = Demand(cpu=256, memory=512, group="g", vpc_id=VPC, needs_eni=True)
        binpack = [Strategy("binpack", "memory")]
        reads = []
        for strategies in (binpack, None):
            counting = CountingTx(tx)
            seen = placement_candidates.for_provider(ctx_of(counting), CLUSTER, demand, strategies, "p1")
            outcome = placement.place(seen, demand, 3, strategies=strategies, rng=random.Random(2))
            assert [c.arn for c in outcome.placed] == [instance_arn(200), instance_arn(201), instance_arn(202)] or (
                strategies is None and len(outcome.placed) == 3
            )
            reads.append(counting.read)
        empty = placement_candidates.provider_has_active(ctx, CLUSTER, "p3")
        return reads[0], reads[1], int(empty)

    windowed, full, empty = store.run(work)
    assert windowed <= 4 and full == 5 and empty == 0


def task(n: int, status: str, provider: str | None, waiting: bool, cluster: str = CLUSTER) -> Record:
    record: Record = {
        "taskArn": f"{cluster.replace(':cluster/', ':task/')}/{n:032x}",
        "clusterArn": cluster,
        "lastStatus": status,
        "desiredStatus": "RUNNING" if status != "STOPPED" else "STOPPED",
        "group": "family:web",
        "_family": "web",
        "createdAt": 1000.0 + (n * 7919) % 101,
    }
    if provider:
        record["capacityProviderName"] = provider
    if waiting:
        record["_waiting"] = True
    if status == "STOPPED":
        record["stoppedAt"] = 2000.0
    return record


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    world=st.lists(
        st.tuples(
            st.sampled_from(["PROVISIONING", "PENDING", "RUNNING", "STOPPED"]),
            st.sampled_from([None, *PROVIDERS]),
            st.booleans(),
            st.sampled_from([CLUSTER, OTHER]),
        ),
        max_size=30,
    )
)
def test_the_waiting_count_matches_the_waiting_tasks(shared_store: Store, world: list[tuple[Any, ...]]) -> None:
    def work(tx: Transaction) -> None:
        ctx = ctx_of(tx)
        records = [task(n, *fields) for n, fields in enumerate(world)]
        for record in records:
            kinds.TASK.save(ctx, record)
        waiting = [r for r in records if r["lastStatus"] == "PROVISIONING" and r.get("_waiting")]
        for cluster in (CLUSTER, OTHER):
            assert task_launch.waiting_count(ctx, cluster) == sum(1 for r in waiting if r["clusterArn"] == cluster)
            for provider in PROVIDERS:
                mine = [r for r in waiting if r["clusterArn"] == cluster and r.get("capacityProviderName") == provider]
                mine.sort(key=lambda t: (float(t["createdAt"]), t["taskArn"]))
                found = task_launch.waiting_of_provider(ctx, cluster, provider)
                assert [t["taskArn"] for t in found] == [t["taskArn"] for t in mine]
        raise _Rollback

    with pytest.raises(_Rollback):
        shared_store.run(work)
