"""Container instance draining with boto3 on a manual clock (ECS developer guide, "Draining Amazon
ECS container instances"): a service's tasks leave a DRAINING instance, replaced elsewhere within
maximumPercent and stopped within minimumHealthyPercent; standalone tasks stay; nothing new is
placed there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import Server
from ecs_world import World, config_script
from test_ecs_tasks import CLUSTER, awsvpc_family, bridge_family, ready, vpc_config


@pytest.fixture
def world(spawn: Callable[..., Server]) -> World:
    return World(spawn("--timing", "manual"))


def service_tasks(world: World, status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = world.ecs.list_tasks(cluster=CLUSTER, serviceName="web", desiredStatus=status)["taskArns"]
    return world.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def drain(world: World, instance_id: str) -> str:
    arn = world.container_instance_arn(CLUSTER, instance_id)
    world.ecs.update_container_instances_state(cluster=CLUSTER, containerInstances=[arn], status="DRAINING")
    return arn


def messages(world: World) -> list[str]:
    (found,) = world.ecs.describe_services(cluster=CLUSTER, services=["web"])["services"]
    return [e["message"] for e in reversed(found["events"])]  # oldest first


def kinds(found: list[str]) -> list[str]:
    return [m.split(" ")[3] for m in found if " has st" in m]


def one_then_another(world: World, **service: Any) -> tuple[str, str, str]:
    """A service of 4 bridge tasks and a standalone task on a first instance, then a second one."""
    (first,), net = ready(world)
    family = bridge_family(world)
    world.ecs.create_service(
        cluster=CLUSTER, serviceName="web", taskDefinition=family, desiredCount=4, launchType="EC2", **service
    )
    world.ecs.run_task(cluster=CLUSTER, taskDefinition=family, startedBy="batch")
    world.settle()
    second = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    return first, second, family


def test_service_tasks_move_off_a_draining_instance_replacements_first(world: World) -> None:
    first, second, family = one_then_another(world)
    first_arn = drain(world, first)
    world.settle()
    moved = service_tasks(world)
    second_arn = world.container_instance_arn(CLUSTER, second)
    assert len(moved) == 4 and {t["containerInstanceArn"] for t in moved} == {second_arn}
    stopped = service_tasks(world, "STOPPED")
    assert {(t["containerInstanceArn"], t["stopCode"], t["stoppedReason"]) for t in stopped} == {
        (first_arn, "ServiceSchedulerInitiated", "Service web: container instance is in DRAINING state")
    }
    assert len(stopped) == 4
    # maximumPercent 200, minimumHealthyPercent 100: the 4 replacements start before any task stops.
    assert kinds(messages(world))[-2:] == ["started", "stopped"]
    assert messages(world)[-1] == "(service web) has reached a steady state."
    (standalone,) = world.ecs.describe_tasks(
        cluster=CLUSTER, tasks=world.ecs.list_tasks(cluster=CLUSTER, startedBy="batch")["taskArns"]
    )["tasks"]
    assert (standalone["lastStatus"], standalone["containerInstanceArn"]) == ("RUNNING", first_arn)
    assert world.describe(CLUSTER, first_arn)["runningTasksCount"] == 1
    # Nothing new goes to a DRAINING instance.
    started = world.ecs.run_task(cluster=CLUSTER, taskDefinition=family, count=2)["tasks"]
    assert {t["containerInstanceArn"] for t in started} == {second_arn}


def test_minimum_healthy_percent_lets_tasks_stop_before_replacements_start(world: World) -> None:
    first, _, _ = one_then_another(world, deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 50})
    drain(world, first)
    world.settle()
    assert len(service_tasks(world)) == 4
    # Two stop (4 x 50%), two replace them (4 x 100% at most), then the other two.
    assert kinds(messages(world))[-4:] == ["stopped", "started", "stopped", "started"]


def test_with_nowhere_else_running_tasks_stay_and_pending_ones_stop(world: World) -> None:
    (first,), _ = ready(world)
    family = bridge_family(world)
    world.ecs.create_service(
        cluster=CLUSTER, serviceName="web", taskDefinition=family, desiredCount=2, launchType="EC2"
    )
    world.settle()
    arn = drain(world, first)
    world.settle()
    running = service_tasks(world)
    assert len(running) == 2 and {t["containerInstanceArn"] for t in running} == {arn}, "minimumHealthyPercent 100"
    assert "(service web) was unable to place a task" in messages(world)[-1]
    assert not service_tasks(world, "STOPPED")


def test_a_service_task_not_yet_running_stops_at_once(world: World) -> None:
    """Even with minimumHealthyPercent 100 and nowhere else to go: a PENDING task is no one's
    healthy task."""
    (first,), net = ready(world)
    family = awsvpc_family(world)
    world.ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=family,
        desiredCount=1,
        launchType="EC2",
        networkConfiguration=vpc_config(net["subnet"]),
    )
    world.advance(5)  # the first pass: the task starts out (PROVISIONING, then PENDING)
    drain(world, first)
    world.advance(5)  # the scheduler's next pass, before the task runs
    (stopped,) = service_tasks(world, "STOPPED")
    assert stopped["stoppedReason"] == "Service web: container instance is in DRAINING state"
    assert "startedAt" not in stopped, "it never ran"
    world.settle()
    assert not service_tasks(world)
    assert "(service web) was unable to place a task" in messages(world)[-1]
