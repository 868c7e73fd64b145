"""Managed scaling counts N and M from indexes when no task waits (`managed_scaling.counted`, issue
11 part 6): over worlds that boto3 calls make at random (scaling the group and the service, tasks
run and stopped, instances terminated by EC2 or by Auto Scaling, protection, draining,
deregistration, the clock), the counted figures must equal the ones computed from every member
and instance (`reserve_full`), after every step."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACCOUNT, REGION, Server
from test_capacity_providers import CLUSTER, GROUP, PROVIDER, STRATEGY, Stack
from trunkline.context import Principal, RequestContext
from trunkline.domain.autoscaling.kinds import GROUP as GROUP_KIND
from trunkline.domain.ecs import managed_scaling
from trunkline.domain.ecs.kinds import CAPACITY_PROVIDER
from trunkline.domain.ecs.kinds import CLUSTER as CLUSTER_KIND
from trunkline.store import open_store
from trunkline.store.api import Transaction
from trunkline.timing import PROFILES

Step = tuple[str, int, int]

_PICK = st.integers(min_value=0, max_value=50)
STEPS = st.one_of(
    st.tuples(st.just("desired"), st.integers(0, 6), st.just(0)),
    st.tuples(st.just("service"), st.integers(0, 30), st.just(0)),
    st.tuples(st.just("run"), st.integers(1, 4), st.just(0)),
    st.tuples(st.just("stop"), _PICK, st.just(0)),
    st.tuples(st.just("terminate_ec2"), _PICK, st.just(0)),
    st.tuples(st.just("terminate_asg"), _PICK, st.integers(0, 1)),
    st.tuples(st.just("protect"), _PICK, st.integers(0, 1)),
    st.tuples(st.just("drain"), _PICK, st.just(0)),
    st.tuples(st.just("deregister"), _PICK, st.just(0)),
    st.tuples(st.just("advance"), st.sampled_from([1, 20, 60, 130, 400]), st.just(0)),
)


def figures(server: Server) -> tuple[tuple[int, int], tuple[int, int]]:
    """(N, M) counted and from every member and instance, read from the server's own store."""
    store = open_store(server.state)

    def work(tx: Transaction) -> tuple[tuple[int, int], tuple[int, int]]:
        ctx = RequestContext(tx, Principal.root(ACCOUNT), REGION, 0.0, PROFILES["manual"])
        record, cluster = CAPACITY_PROVIDER.get(ctx, PROVIDER), CLUSTER_KIND.get(ctx, CLUSTER)
        group = GROUP_KIND.get(ctx, GROUP)
        assert record is not None and cluster is not None and group is not None
        fast = managed_scaling.counted(ctx, record, cluster, group)
        full = managed_scaling.reserve_full(ctx, record, cluster, group, waiting=[])
        return (fast.instances, fast.needed), (full.instances, full.needed)

    try:
        return store.read(work)
    finally:
        store.close()


def pick(items: list[Any], n: int) -> Any:
    return items[n % len(items)] if items else None


def apply(stack: Stack, step: Step) -> None:
    kind, n, flag = step
    ecs, asg = stack.world.ecs, stack.asg
    members = [m["InstanceId"] for m in stack.members()]
    arns = ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]
    calls: dict[str, Callable[[], Any]] = {
        "desired": lambda: asg.set_desired_capacity(AutoScalingGroupName=GROUP, DesiredCapacity=n),
        "service": lambda: ecs.update_service(cluster=CLUSTER, service="web", desiredCount=n),
        "run": lambda: ecs.run_task(
            cluster=CLUSTER,
            taskDefinition="web",
            count=n,
            capacityProviderStrategy=STRATEGY,
            networkConfiguration={"awsvpcConfiguration": {"subnets": stack.subnets}},
        ),
        "stop": lambda: ecs.stop_task(cluster=CLUSTER, task=pick(ecs.list_tasks(cluster=CLUSTER)["taskArns"], n)),
        "terminate_ec2": lambda: stack.world.ec2.terminate_instances(InstanceIds=[pick(members, n)]),
        "terminate_asg": lambda: asg.terminate_instance_in_auto_scaling_group(
            InstanceId=pick(members, n), ShouldDecrementDesiredCapacity=bool(flag)
        ),
        "protect": lambda: asg.set_instance_protection(
            AutoScalingGroupName=GROUP, InstanceIds=[pick(members, n)], ProtectedFromScaleIn=bool(flag)
        ),
        "drain": lambda: ecs.update_container_instances_state(
            cluster=CLUSTER, containerInstances=[pick(arns, n)], status="DRAINING"
        ),
        "deregister": lambda: ecs.deregister_container_instance(
            cluster=CLUSTER, containerInstance=pick(arns, n), force=True
        ),
        "advance": lambda: stack.world.advance(n),
    }
    # refused (bounds, nothing to pick: boto3 refuses a None reference itself): a refused call
    # changes nothing, and is checked all the same
    with contextlib.suppress(ClientError, ParamValidationError, TypeError):
        calls[kind]()


def test_counted_figures_equal_the_ones_from_every_member_and_instance(spawn: Callable[..., Server]) -> None:
    stack = Stack(spawn("--timing", "manual"))
    stack.standard(MaxSize=4)
    stack.service(16)
    stack.world.settle()
    assert figures(stack.world.server)[1][1] >= 2, "the world starts with busy instances"

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(steps=st.lists(STEPS, min_size=1, max_size=6))
    def walk(steps: list[Step]) -> None:
        for step in steps:
            apply(stack, step)
            fast, full = figures(stack.world.server)
            assert fast == full, f"after {step}: counted (N, M) {fast}, from every instance {full}"

    walk()
