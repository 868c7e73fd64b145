"""Growth (issue 13): STOPPED tasks are kept as long as ECS shows them (at least an hour, then
gone), and the event outbox keeps events by age and by count, telling a reader that fell behind
the retention window what it missed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from conftest import Server
from ecs_world import World
from trunkline.event_stream import MISSED, parse_sse

CLUSTER = "kept"


def _fargate_tasks(world: World, count: int) -> list[str]:
    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network()
    container = {"name": "app", "image": "nginx", "essential": True}
    family = world.ecs.register_task_definition(
        family="short",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[container],
    )["taskDefinition"]["taskDefinitionArn"]
    answer = world.ecs.run_task(
        cluster=CLUSTER,
        taskDefinition=family,
        count=count,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [net["subnet"]]}},
    )
    return [t["taskArn"] for t in answer["tasks"]]


def _shown(world: World, arns: list[str]) -> list[str]:
    return [t["lastStatus"] for t in world.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]]


def test_stopped_tasks_are_shown_for_an_hour_then_forgotten(spawn: Callable[..., Server]) -> None:
    world = World(spawn("--timing", "manual"))
    arns = _fargate_tasks(world, 2)
    world.settle()
    world.ecs.stop_task(cluster=CLUSTER, task=arns[0])
    world.settle()
    assert _shown(world, arns) == ["STOPPED", "RUNNING"]
    world.advance(3500)
    assert _shown(world, arns) == ["STOPPED", "RUNNING"]
    listed = world.ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"]
    assert listed == [arns[0]]
    world.advance(200)  # more than an hour since it stopped
    answer = world.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)
    assert [t["taskArn"] for t in answer["tasks"]] == [arns[1]]
    assert answer["failures"] == [{"arn": arns[0], "reason": "MISSING"}]
    assert world.ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"] == []


def _events(server: Server, after: int = 0) -> dict[str, Any]:
    answer = server.get(f"/_trunkline/events?after={after}&limit=1000")
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def test_events_are_kept_by_count_and_a_reader_behind_is_told(spawn: Callable[..., Server]) -> None:
    server = spawn("--timing", "manual", "--event-retention-count", "5")
    world = World(server)
    _fargate_tasks(world, 3)
    world.settle()  # each task goes through several states: well over 5 events
    page = _events(server)
    assert len(page["events"]) <= 5
    missed = page["missed"]
    assert missed["after"] == 0 and missed["through"] > 0 and "dropped by retention" in missed["message"]
    assert "missed" not in _events(server, missed["through"])

    with httpx.stream("GET", server.url + "/_trunkline/events/stream?after=0", timeout=30) as stream:
        first = next(parse_sse(line for line in stream.iter_lines()))
    assert first.event == MISSED


def test_events_are_kept_by_age(spawn: Callable[..., Server]) -> None:
    server = spawn("--timing", "manual", "--event-retention-hours", "1")
    world = World(server)
    _fargate_tasks(world, 1)
    world.settle()
    assert len(_events(server)["events"]) > 0
    world.advance(2 * 3600)
    assert len(_events(server)["events"]) > 0  # age counts from the newest event: nothing newer yet
    _fargate_tasks_again(world)
    world.settle()
    page = _events(server)
    assert all(e["time"] >= page["events"][0]["time"] for e in page["events"])
    assert page["missed"]["through"] > 0
    old = [
        e
        for e in page["events"]
        if e["detail"].get("group") == "family:short" and e["detail"]["lastStatus"] == "PROVISIONING"
    ]
    assert len(old) == 1  # only the new task's: the first one's events went with the hour


def _fargate_tasks_again(world: World) -> None:
    arn = world.ecs.list_task_definitions()["taskDefinitionArns"][0]
    net = world.ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    world.ecs.run_task(
        cluster=CLUSTER,
        taskDefinition=arn,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [net]}},
    )
