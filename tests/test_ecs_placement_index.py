"""The placement index (issue 5, "Scale"): container instances ordered by what they have left, so
a lone binpack strategy reads the few instances it fills instead of the whole cluster.

Domain-level tests on a real SQLite store: the index `container_instances.save` keeps, the store's
ordered read (`Transaction.find_from`), and `placement_candidates.BinpackWindow` against the full
candidate list (same choices, same failures, far fewer records read). The end-to-end behaviour
(RunTask with binpack through boto3) is in test_ecs_tasks.py.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecs_records import CLUSTER, CountingTx, ctx_of, hosts_run_without_ec2, instance_arn, make_record, resources, seed
from trunkline.context import RequestContext
from trunkline.domain.ecs import container_instances, placement, placement_candidates
from trunkline.domain.ecs.placement import Demand, Strategy
from trunkline.store.api import Store, Transaction

Record = dict[str, Any]

VPC = "vpc-0123456789abcdef0"
KIND = container_instances.KIND


@pytest.fixture(autouse=True)
def hosts_running(monkeypatch: pytest.MonkeyPatch) -> None:
    hosts_run_without_ec2(monkeypatch)


def host(n: int, memory: int, cpu: int = 2048, **fields: Any) -> Record:
    return make_record(
        n,
        attributes={"ecs.os-type": "linux", "ecs.vpc-id": VPC, "ecs.capability.task-eni": None},
        registeredResources=resources(2048, 3705),
        remainingResources=resources(cpu, memory),
        _vpcId=VPC,
        _availabilityZone="us-east-1a",
        **fields,
    )


def indexed(
    store: Store, vpc_id: str | None = VPC, field: str = "memory", other_need: int = 0, lowest: int = 0
) -> list[tuple[int, str]]:
    """The instances a window reads, in its order: the fields of every rung from the need's up."""
    fields = container_instances.placement_fields(CLUSTER, vpc_id, field, other_need)
    value = container_instances.placement_value(lowest)
    rows = store.run(lambda tx: [row for name in fields for row in tx.find_from(KIND, name, value)])
    return [(int(v), document["containerInstanceArn"]) for v, _, document in sorted(rows, key=lambda r: r[:2])]


def placement_entries(store: Store, n: int) -> dict[str, int]:
    """The placement index fields instance n is in (every rung, both scopes), with its value."""
    fields = [
        name
        for scope in (None, VPC)
        for field in ("cpu", "memory")
        for name in container_instances.placement_fields(CLUSTER, scope, field, 0)
    ]
    rows = store.run(lambda tx: [(name, row) for name in fields for row in tx.find_from(KIND, name, "")])
    return {name: int(value) for name, (value, _, doc) in rows if doc["containerInstanceArn"] == instance_arn(n)}


def test_the_index_holds_active_connected_instances_by_what_they_have_left(store: Store) -> None:
    seed(
        store,
        host(1, 3000),
        host(2, 1000),
        host(3, 2000),
        host(4, 500, status="DRAINING"),
        host(5, 400, agentConnected=False),
        host(6, 300, status="REGISTERING"),
    )
    assert indexed(store) == [(1000, instance_arn(2)), (2000, instance_arn(3)), (3000, instance_arn(1))]
    assert indexed(store, lowest=1500) == [(2000, instance_arn(3)), (3000, instance_arn(1))]
    # The cluster-wide fields (launches without awsvpc) hold the same instances; cpu orders them too.
    assert [arn for _, arn in indexed(store, None)] == [
        instance_arn(2),
        instance_arn(3),
        instance_arn(1),
    ]
    assert indexed(store, field="cpu") == [
        (2048, instance_arn(1)),
        (2048, instance_arn(2)),
        (2048, instance_arn(3)),
    ]
    # Saving a change moves the entry (and only ACTIVE, connected instances stay in).
    seed(store, host(1, 200), host(3, 2000, status="DRAINING"), host(5, 400))
    assert indexed(store) == [(200, instance_arn(1)), (400, instance_arn(5)), (1000, instance_arn(2))]


def test_the_index_leaves_out_instances_short_of_the_other_resource_or_of_eni_slots(store: Store) -> None:
    seed(store, host(1, 3000, cpu=100), host(2, 2000, cpu=300), host(3, 1000, _eniRoom=0), host(4, 500, _eniRoom=2))

    def arns(vpc_id: str | None, cpu_need: int) -> list[str]:
        return [arn for _, arn in indexed(store, vpc_id, "memory", cpu_need)]

    assert arns(VPC, 0) == [instance_arn(4), instance_arn(2), instance_arn(1)]
    assert arns(VPC, 128) == [instance_arn(4), instance_arn(2)]
    assert arns(VPC, 256) == [instance_arn(4), instance_arn(2)]
    assert arns(VPC, 512) == [instance_arn(4)]  # 2048 CPU units left
    # No ENI slot left matters only to awsvpc launches, which read the VPC's fields.
    assert arns(None, 512) == [instance_arn(4), instance_arn(3)]
    # An instance is in one field per resource and scope, its own rung's: placing a task on it
    # rewrites 4 entries, not one per rung at or below (~28 for a c5.xlarge).
    field = container_instances.placement_field
    assert placement_entries(store, 4) == {field(CLUSTER, scope, "memory", 2048): 500 for scope in (None, VPC)} | {
        field(CLUSTER, scope, "cpu", 256): 2048 for scope in (None, VPC)
    }
    assert placement_entries(store, 3) == {
        field(CLUSTER, None, "memory", 2048): 1000,
        field(CLUSTER, None, "cpu", 512): 2048,
    }
    # A window asks for the rung at or below the task's need: 300 units reads `cpu>=256`.
    assert container_instances.placement_floor(300) == 256
    assert container_instances.placement_floor(100) == 0
    assert container_instances.placement_floor(2**24) == 2**20


@settings(max_examples=300, deadline=None, database=None)
@given(amount=st.one_of(st.integers(-(2**40), 2**40), st.floats(-1e9, 1e9, allow_nan=False)))
def test_the_rung_is_the_highest_of_the_ladder_at_or_below_the_amount(amount: float) -> None:
    """`placement_floor` takes the amount's highest bit; the ladder's definition, scanned, agrees."""
    ladder = (0, *(2**k for k in range(7, 21)))
    assert container_instances.placement_floor(amount) == max(f for f in ladder if f <= max(amount, 0))  # type: ignore[arg-type]


def test_the_rung_at_each_boundary_of_the_ladder() -> None:
    for k in range(7, 25):
        for amount in (2**k - 1, 2**k, 2**k + 1):
            assert container_instances.placement_floor(amount) == max(
                f for f in (0, *(2**j for j in range(7, 21))) if f <= amount
            )


def test_global_fields_are_the_fields_is_global_names() -> None:
    """A save scopes the same fields through `global_fields` as field by field through `is_global`,
    for every kind declared in the ECS, EC2 and IAM kind modules."""
    from trunkline.domain import iam_kinds
    from trunkline.domain.ec2 import kinds as ec2_kinds
    from trunkline.domain.ecs import kinds as ecs_kinds
    from trunkline.domain.resource_kind import ResourceKind

    declared = [k for m in (ecs_kinds, ec2_kinds, iam_kinds) for k in vars(m).values() if isinstance(k, ResourceKind)]
    assert len(declared) > 20
    sample = ["cluster", "ec2", "ec2_all", "attr:ecs.os-type", "mac", "instance", "group", "vpc", "subnet", "arn"]
    for kind in declared:
        fields = [*sample, *kind.global_indexes, *(kind.scoped_indexes or ())]
        assert kind.global_fields(fields) == {f for f in fields if kind.is_global(f)}, kind.name


def test_find_from_reads_in_value_then_key_order_after_a_cursor(store: Store) -> None:
    def write(tx: Transaction) -> None:
        for key, value in [("d", "0003"), ("a", "0002"), ("c", "0002"), ("b", "0010"), ("e", "0001")]:
            tx.put("thing", key, {"k": key}, {"amount": value, "other": "x"})

    store.run(write)

    def keys(lowest: str, after: tuple[str, str] | None = None, limit: int | None = None) -> list[str]:
        rows = store.run(lambda tx: tx.find_from("thing", "amount", lowest, after=after, limit=limit))
        assert all(document["k"] == key for _, key, document in rows)
        return [key for _, key, _ in rows]

    assert keys("0000") == ["e", "a", "c", "d", "b"]
    assert keys("0002") == ["a", "c", "d", "b"]
    assert keys("0002", limit=2) == ["a", "c"]
    assert keys("0002", after=("0002", "a"), limit=2) == ["c", "d"]
    assert keys("0002", after=("0003", "d")) == ["b"]
    assert keys("0011") == []


def place(ctx: RequestContext, demand: Demand, count: int, resource: str, windowed: bool) -> placement.Outcome:
    strategies = [Strategy("binpack", resource)]
    if windowed:
        candidates = placement_candidates.for_launch(ctx, CLUSTER, demand, strategies)
        assert isinstance(candidates, placement_candidates.BinpackWindow)
    else:
        candidates = placement_candidates.cluster_candidates(ctx, CLUSTER, demand.vpc_id, demand.group)
    return placement.place(candidates, demand, count, strategies=strategies)


def compare(store: Store, demand: Demand, count: int, resource: str = "memory") -> tuple[placement.Outcome, int, int]:
    """Place with the window and with the full list (nothing is written): the outcomes must match.
    Returns the window's outcome and the records each way read."""

    def work(tx: Transaction) -> tuple[placement.Outcome, int, int]:
        reads: list[int] = []
        outcomes: list[placement.Outcome] = []
        for windowed in (True, False):
            counting = CountingTx(tx)
            outcome = place(ctx_of(counting), demand, count, resource, windowed)
            outcomes.append(outcome)
            reads.append(counting.read)
        window, full = outcomes
        assert [c.arn for c in window.placed] == [c.arn for c in full.placed]
        assert window.failures == full.failures
        return window, reads[0], reads[1]

    return store.run(work)


def test_binpack_reads_the_instances_it_fills_not_the_cluster(store: Store) -> None:
    shuffled = random.Random(5)
    seed(store, *(host(n, shuffled.choice([600, 1100, 2200, 3705])) for n in range(300)))
    bridge = Demand(cpu=256, memory=512, group="family:web")
    outcome, window_reads, full_reads = compare(store, bridge, 10)
    assert len(outcome.placed) == 10 and not outcome.failures
    # The fullest instances that still fit take the tasks: 600 MiB left holds one 512 MiB task each.
    assert {c.memory for c in outcome.placed} == {600 - 512}
    assert full_reads >= 300
    assert window_reads <= 4 + 8 + 16  # the first pages of the index, whatever the cluster's size
    awsvpc_vpc = Demand(cpu=256, memory=1024, group="family:web", vpc_id=VPC)
    outcome, window_reads, _ = compare(store, awsvpc_vpc, 10, "cpu")
    assert len(outcome.placed) == 10 and window_reads <= 4 + 8 + 16


def test_instances_full_on_the_other_resource_or_on_enis_are_not_read(store: Store) -> None:
    """The fullest instances by memory may be out of CPU or ENI slots (an m5.2xlarge runs out of
    CPU with half its memory left): the window must not wade through them on every launch."""
    seed(store, *(host(n, 1000, cpu=0) for n in range(100)))
    seed(store, *(host(n, 1200, cpu=1024, _eniRoom=0) for n in range(100, 200)))
    seed(store, *(host(n, 3705) for n in range(200, 210)))
    awsvpc = Demand(cpu=256, memory=512, group="g", vpc_id=VPC, needs_eni=True)
    outcome, window_reads, full_reads = compare(store, awsvpc, 10)
    assert {c.arn for c in outcome.placed} == {instance_arn(200), instance_arn(201)}
    assert full_reads >= 210 and window_reads <= 10


def test_a_task_that_fits_nowhere_names_the_same_closest_match(store: Store) -> None:
    seed(store, host(1, 800), host(2, 4000, cpu=100), host(3, 700, agentConnected=False))
    # 1 lacks memory, 2 CPU, 3 a connected agent: RESOURCE:MEMORY is the latest check, so 1 is the
    # closest match; the window (instances with 1000 MiB or more: only 2) cannot say so alone.
    outcome, _, full_reads = compare(store, Demand(cpu=256, memory=1000, group="g"), 3)
    assert outcome.placed == [] and full_reads == 3
    assert outcome.failures == [{"arn": instance_arn(1), "reason": "RESOURCE:MEMORY"}] * 3
    # Two placed from the window, then failures from the full list, which must keep the window's
    # pictures: a fresh one of 1 would still show 800 MiB and take a third task.
    outcome, _, _ = compare(store, Demand(cpu=256, memory=400, group="g"), 4)
    assert [c.arn for c in outcome.placed] == [instance_arn(1), instance_arn(1)]
    assert outcome.failures == [{"arn": instance_arn(1), "reason": "RESOURCE:MEMORY"}] * 2


def test_random_draws_a_few_instances_of_a_large_cluster_not_every_one(store: Store) -> None:
    """The default strategy (random) over 600 instances: a `KeyedDraw` reads the index's keys and
    the first pictures, then one instance per draw; the full list reads all 600. DRAINING instances
    the VPC's index lists are never chosen; a task that fits nowhere gets the full list's reason."""
    seed(store, *(host(n, 3705 if n % 3 else 100) for n in range(600)))
    seed(store, *(host(n, 3705, status="DRAINING") for n in range(600, 640)))
    for vpc_id in (None, VPC):
        demand = Demand(cpu=256, memory=512, group="g", vpc_id=vpc_id)

        def work(tx: Transaction, demand: Demand = demand) -> tuple[placement.Outcome, int]:
            counting = CountingTx(tx)
            candidates = placement_candidates.for_launch(ctx_of(counting), CLUSTER, demand, None)
            assert isinstance(candidates, placement_candidates.KeyedDraw)
            assert candidates.size() == (600 if demand.vpc_id is None else 640)
            return placement.place(candidates, demand, 10), counting.read

        outcome, reads = store.run(work)
        assert len(outcome.placed) == 10 and not outcome.failures
        fitting = {instance_arn(n) for n in range(600) if n % 3}
        assert {c.arn for c in outcome.placed} <= fitting
        assert reads < 256 + 40  # the first pictures and the draws, not 600
    full = Demand(cpu=256, memory=8000, group="g")
    drawn = store.run(
        lambda tx: placement.place(placement_candidates.for_launch(ctx_of(tx), CLUSTER, full, None), full, 2)
    )
    listed = store.run(
        lambda tx: placement.place(placement_candidates.cluster_candidates(ctx_of(tx), CLUSTER, None, "g"), full, 2)
    )
    assert drawn.placed == [] and [f["reason"] for f in drawn.failures] == ["RESOURCE:MEMORY"] * 2
    assert drawn.failures[0]["reason"] == listed.failures[0]["reason"]


def test_random_draws_from_a_hundred_instances(store: Store) -> None:
    """bench_vs_moto's cluster size: 100 listed instances are drawn from (session 8; the whole
    list was read below 256), so a launch of ten reads its first 64 pictures and its draws."""
    seed(store, *(host(n, 3705) for n in range(100)))
    demand = Demand(cpu=256, memory=512, group="g")

    def work(tx: Transaction) -> tuple[placement.Outcome, int]:
        counting = CountingTx(tx)
        candidates = placement_candidates.for_launch(ctx_of(counting), CLUSTER, demand, None)
        assert isinstance(candidates, placement_candidates.KeyedDraw)
        assert candidates.size() == 100
        return placement.place(candidates, demand, 10), counting.read

    outcome, reads = store.run(work)
    assert len(outcome.placed) == 10 and not outcome.failures
    assert reads < 100


@pytest.mark.parametrize("size", [20, 63])
def test_a_small_cluster_is_read_whole_for_random(store: Store, size: int) -> None:
    """Below 64 listed instances (session 8; 256 before) the whole list, in the index's order."""
    seed(store, *(host(n, 3705) for n in range(size)))
    demand = Demand(memory=512, group="g")
    candidates = store.run(lambda tx: placement_candidates.for_launch(ctx_of(tx), CLUSTER, demand, None))
    listed = store.run(lambda tx: placement_candidates.cluster_candidates(ctx_of(tx), CLUSTER, None, "g"))
    assert isinstance(candidates, list) and len(candidates) == size
    assert [c.arn for c in candidates] == [c.arn for c in listed]
