"""Tasks whose containers log with the awslogs driver: the simulated agent creates the stream
`PREFIX/CONTAINER/TASK-ID` and writes a start and a stop line; awslogs-create-group creates a
missing group; without it a missing group stops the task with AWS's reason."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server
from ecs_world import World, config_script

CLUSTER = "logged"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
MISSING_GROUP = (
    "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: "
    "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist."
)


TASKS_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture
def world(server: Server) -> World:
    made = World(server)
    # The execution role Fargate's awslogs needs; ECS checks that it can assume it.
    made.iam.create_role(RoleName="ecsTaskExecutionRole", AssumeRolePolicyDocument=TASKS_TRUST)
    return made


def log_configuration(group: str, prefix: str | None = "ecs", create: bool = False) -> dict[str, Any]:
    options = {"awslogs-group": group, "awslogs-region": "us-east-1"}
    if prefix is not None:
        options["awslogs-stream-prefix"] = prefix
    if create:
        options["awslogs-create-group"] = "true"
    return {"logDriver": "awslogs", "options": options}


def fargate_task(world: World, logging: dict[str, Any]) -> dict[str, Any]:
    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network()
    definition = world.ecs.register_task_definition(
        family="logged",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        executionRoleArn=EXECUTION_ROLE,
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx", "essential": True, "logConfiguration": logging}],
    )["taskDefinition"]["taskDefinitionArn"]
    network = {"awsvpcConfiguration": {"subnets": [net["subnet"]], "assignPublicIp": "ENABLED"}}
    task: dict[str, Any] = world.ecs.run_task(
        cluster=CLUSTER, taskDefinition=definition, launchType="FARGATE", networkConfiguration=network
    )["tasks"][0]
    return task


def described(world: World, arn: str) -> dict[str, Any]:
    found: dict[str, Any] = world.ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
    return found


def lines(logs: Any, group: str, stream: str) -> list[str]:
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
    return [e["message"] for e in events]


def test_a_running_task_writes_a_start_and_a_stop_line(world: World) -> None:
    logs = world.client("logs")
    logs.create_log_group(logGroupName="/ecs/logged")
    task = fargate_task(world, log_configuration("/ecs/logged"))
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    world.settle()
    assert described(world, task["taskArn"])["lastStatus"] == "RUNNING"
    stream = f"ecs/app/{task_id}"
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="/ecs/logged")["logStreams"]] == [stream]
    assert lines(logs, "/ecs/logged", stream) == ["[trunkline agent] container app started (image nginx)"]
    world.ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="done for today")
    world.settle()
    assert described(world, task["taskArn"])["lastStatus"] == "STOPPED"
    assert lines(logs, "/ecs/logged", stream) == [
        "[trunkline agent] container app started (image nginx)",
        "[trunkline agent] container app stopped: done for today",
    ]
    found = logs.filter_log_events(logGroupName="/ecs/logged", filterPattern="stopped")["events"]
    assert [e["logStreamName"] for e in found] == [stream]


def test_a_missing_log_group_stops_the_task_with_aws_reason(world: World) -> None:
    logs = world.client("logs")
    task = fargate_task(world, log_configuration("/ecs/absent"))
    world.settle()
    stopped = described(world, task["taskArn"])
    assert (stopped["lastStatus"], stopped["stopCode"]) == ("STOPPED", "TaskFailedToStart")
    assert re.fullmatch(
        re.escape(MISSING_GROUP) + r" status code: 400, request id: [0-9a-f-]{36}", stopped["stoppedReason"]
    )
    assert stopped["containers"][0]["reason"] == stopped["stoppedReason"]
    assert "startedAt" not in stopped
    assert logs.describe_log_groups()["logGroups"] == []


def test_awslogs_create_group_creates_the_missing_group(world: World) -> None:
    logs = world.client("logs")
    task = fargate_task(world, log_configuration("/ecs/made", prefix="web", create=True))
    world.settle()
    assert described(world, task["taskArn"])["lastStatus"] == "RUNNING"
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/ecs/made"]
    stream = f"web/app/{task['taskArn'].rsplit('/', 1)[-1]}"
    assert lines(logs, "/ecs/made", stream) == ["[trunkline agent] container app started (image nginx)"]


def test_register_refuses_awslogs_without_a_group(world: World) -> None:
    with pytest.raises(ClientError) as caught:
        world.ecs.register_task_definition(
            family="nogroup",
            containerDefinitions=[
                {"name": "app", "image": "nginx", "memory": 128, "logConfiguration": {"logDriver": "awslogs"}}
            ],
        )
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ClientException",
        "Log driver awslogs option 'awslogs-group' should not be null or empty.",
    )
    assert world.ecs.list_task_definitions()["taskDefinitionArns"] == []


def test_an_ec2_task_without_a_prefix_logs_to_a_container_id_stream(world: World, cli: Callable[..., Any]) -> None:
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    net = world.network()
    world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    cli("logs", "create-log-group", "--log-group-name", "ec2-logs")
    container = {
        "name": "web",
        "image": "httpd",
        "memory": 128,
        "logConfiguration": log_configuration("ec2-logs", None),
    }
    world.ecs.register_task_definition(family="bridge", networkMode="bridge", containerDefinitions=[container])
    task = world.ecs.run_task(cluster=CLUSTER, taskDefinition="bridge")["tasks"][0]
    world.settle()
    assert described(world, task["taskArn"])["lastStatus"] == "RUNNING"
    streams = cli("logs", "describe-log-streams", "--log-group-name", "ec2-logs")["logStreams"]
    assert len(streams) == 1 and re.fullmatch(r"[0-9a-f]{64}", streams[0]["logStreamName"])
    got = cli(
        "logs", "get-log-events", "--log-group-name", "ec2-logs", "--log-stream-name", streams[0]["logStreamName"]
    )
    assert [e["message"] for e in got["events"]] == ["[trunkline agent] container web started (image httpd)"]


def test_a_non_essential_container_without_its_group_stops_alone(world: World) -> None:
    logs = world.client("logs")
    logs.create_log_group(logGroupName="/ecs/app")
    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network()
    containers = [
        {"name": "app", "image": "nginx", "logConfiguration": log_configuration("/ecs/app")},
        {"name": "sidecar", "image": "busybox", "essential": False, "logConfiguration": log_configuration("/ecs/gone")},
    ]
    world.ecs.register_task_definition(
        family="pair",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        executionRoleArn=EXECUTION_ROLE,
        cpu="256",
        memory="512",
        containerDefinitions=containers,
    )
    network = {"awsvpcConfiguration": {"subnets": [net["subnet"]], "assignPublicIp": "ENABLED"}}
    task = world.ecs.run_task(
        cluster=CLUSTER, taskDefinition="pair", launchType="FARGATE", networkConfiguration=network
    )
    arn = task["tasks"][0]["taskArn"]
    world.settle()
    running = described(world, arn)
    assert running["lastStatus"] == "RUNNING" and "stoppedReason" not in running
    states = {c["name"]: (c["lastStatus"], c.get("reason", "")) for c in running["containers"]}
    assert states["app"] == ("RUNNING", "")
    assert states["sidecar"][0] == "STOPPED" and states["sidecar"][1].startswith(MISSING_GROUP)
    streams = logs.describe_log_streams(logGroupName="/ecs/app")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [f"ecs/app/{arn.rsplit('/', 1)[-1]}"]
