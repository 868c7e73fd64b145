"""ECS task definitions over boto3 and the AWS CLI: families and revisions, the three reference
forms, deregistration, deletion, listing (status, family, sort, paging), the defaults ECS fills in,
computed compatibilities and required attributes (awsvpc needs ecs.capability.task-eni), Fargate
task sizes, and validation errors in ECS's words that leave the state untouched. The demand a task
places on a container instance (what RunTask's placement uses) is checked on the domain records.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import Server
from trunkline.domain.ecs.task_definitions import TaskDemand, demand

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
NGINX = {"name": "web", "image": "nginx", "memory": 128}
TASK_ENI = {"name": "ecs.capability.task-eni"}
DOCKER_1_18 = {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    response: Any = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"]


def _digest(server: Server) -> str:
    return str(server.get("/_trunkline/state/digest").json()["digest"])


@pytest.fixture
def ecs(server: Server) -> Any:
    return server.client("ecs")


def _register(ecs: Any, family: str = "web", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("containerDefinitions", [NGINX])
    return dict(ecs.register_task_definition(family=family, **kwargs)["taskDefinition"])


def _arns(family: str, *revisions: int) -> list[str]:
    return [f"{ARN}{family}:{revision}" for revision in revisions]


# --- registration and references --------------------------------------------------------------------


def test_register_fills_in_ecs_defaults(ecs: Any) -> None:
    container = {"name": "web", "image": "nginx", "memory": 128, "portMappings": [{"containerPort": 80}]}
    registered = _register(ecs, containerDefinitions=[container])
    assert isinstance(registered.pop("registeredAt"), datetime)
    # No networkMode given: none is echoed (bridge is implied), as DescribeTaskDefinition shows it.
    assert registered == {
        "taskDefinitionArn": ARN + "web:1",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx",
                "cpu": 0,
                "memory": 128,
                "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
                "essential": True,
                "environment": [],
                "mountPoints": [],
                "volumesFrom": [],
            }
        ],
        "family": "web",
        "revision": 1,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [],
        "placementConstraints": [],
        "compatibilities": ["EXTERNAL", "EC2"],
        "registeredBy": ROOT,
        "enableFaultInjection": False,
    }


def test_references_by_family_revision_and_arn(ecs: Any) -> None:
    _register(ecs, tags=[{"key": "team", "value": "net"}])
    second = _register(ecs, containerDefinitions=[{**NGINX, "image": "nginx:2"}])
    by_family = ecs.describe_task_definition(taskDefinition="web", include=["TAGS"])
    assert by_family["taskDefinition"] == second  # the latest ACTIVE revision
    assert by_family["tags"] == []
    first = ecs.describe_task_definition(taskDefinition=ARN + "web:1", include=["TAGS"])
    assert (first["taskDefinition"]["revision"], first["tags"]) == (1, [{"key": "team", "value": "net"}])
    assert "tags" not in ecs.describe_task_definition(taskDefinition="web:1")
    for missing in ("web:3", "nope", "web:0", "web:x", f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/web:1"):
        with pytest.raises(ClientError) as caught:
            ecs.describe_task_definition(taskDefinition=missing)
        assert _error(caught) == ("ClientException", "Unable to describe task definition."), missing


def test_deregistered_revisions_stay_describable_and_are_never_reused(ecs: Any) -> None:
    for _ in range(3):
        _register(ecs)
    gone = ecs.deregister_task_definition(taskDefinition="web:3")["taskDefinition"]
    assert (gone["status"], gone["revision"]) == ("INACTIVE", 3)
    assert isinstance(gone["deregisteredAt"], datetime)
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2
    assert ecs.describe_task_definition(taskDefinition="web:3")["taskDefinition"] == gone
    assert ecs.deregister_task_definition(taskDefinition=ARN + "web:3")["taskDefinition"] == gone  # unchanged
    for revision in (1, 2):
        ecs.deregister_task_definition(taskDefinition=f"web:{revision}")
    with pytest.raises(ClientError) as caught:
        ecs.describe_task_definition(taskDefinition="web")  # no ACTIVE revision left
    assert _error(caught) == ("ClientException", "Unable to describe task definition.")
    assert _register(ecs)["revision"] == 4


def test_deregister_needs_an_existing_revision(ecs: Any, server: Server) -> None:
    _register(ecs)
    before = _digest(server)
    for ref, message in (
        ("web", "A revision must be specified: use family:revision or a full task definition ARN."),
        ("web:2", "Unable to describe task definition."),
    ):
        with pytest.raises(ClientError) as caught:
            ecs.deregister_task_definition(taskDefinition=ref)
        assert _error(caught) == ("ClientException", message)
    assert _digest(server) == before


def test_delete_task_definitions(ecs: Any) -> None:
    for _ in range(2):
        _register(ecs)
    ecs.deregister_task_definition(taskDefinition="web:1")
    result = ecs.delete_task_definitions(taskDefinitions=["web:1", "web:2", "web:9"])
    assert [(d["revision"], d["status"]) for d in result["taskDefinitions"]] == [(1, "DELETE_IN_PROGRESS")]
    assert isinstance(result["taskDefinitions"][0]["deleteRequestedAt"], datetime)
    assert [(f["arn"], f["reason"]) for f in result["failures"]] == [(ARN + "web:2", "ACTIVE"), ("web:9", "MISSING")]
    listed = ecs.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"]
    assert listed == _arns("web", 1)
    assert ecs.describe_task_definition(taskDefinition="web:1")["taskDefinition"]["status"] == "DELETE_IN_PROGRESS"
    with pytest.raises(ClientError) as caught:
        ecs.deregister_task_definition(taskDefinition="web:1")
    assert _error(caught) == ("ClientException", "The task definition is in the process of being deleted.")


# --- network modes, Fargate, computed fields ---------------------------------------------------------


def test_awsvpc_fargate_definition(ecs: Any) -> None:
    container = {
        "name": "api",
        "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:1",
        "portMappings": [{"containerPort": 8080}, {"containerPort": 53, "hostPort": 53, "protocol": "udp"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api"}},
    }
    registered = _register(
        ecs,
        "api",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="1 vCPU",
        memory="2 GB",
        executionRoleArn=ROLE,
        containerDefinitions=[container],
    )
    assert (registered["cpu"], registered["memory"]) == ("1024", "2048")
    assert registered["compatibilities"] == ["EC2", "FARGATE", "MANAGED_INSTANCES"]
    assert registered["requiresCompatibilities"] == ["FARGATE"]
    assert registered["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"},
        {"containerPort": 53, "hostPort": 53, "protocol": "udp"},
    ]
    assert [a["name"] for a in registered["requiresAttributes"]] == [
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
        "ecs.capability.execution-role-awslogs",
        "com.amazonaws.ecs.capability.ecr-auth",
        "com.amazonaws.ecs.capability.docker-remote-api.1.19",
        "ecs.capability.execution-role-ecr-pull",
        "com.amazonaws.ecs.capability.docker-remote-api.1.18",
        "ecs.capability.task-eni",
    ]
    # awsvpc for EC2 only: container-level sizes, not a Fargate task size, so no FARGATE.
    ec2 = _register(ecs, "api-ec2", networkMode="awsvpc", cpu="512", memory="512")
    assert ec2["compatibilities"] == ["EC2", "MANAGED_INSTANCES"]
    assert ec2["requiresAttributes"] == [DOCKER_1_18, TASK_ENI]


def test_task_demand_per_network_mode(ecs: Any, server: Server) -> None:
    web = {"name": "web", "image": "nginx", "cpu": 256, "memory": 512, "memoryReservation": 256}
    side = {"name": "side", "image": "envoy", "cpu": 128, "memory": 64, "essential": False}
    bridge = _register(
        ecs,
        "bridge",
        containerDefinitions=[
            {**web, "portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 443}]},
            {**side, "portMappings": [{"containerPort": 53, "hostPort": 5353, "protocol": "udp"}]},
        ],
    )
    assert demand(bridge) == TaskDemand(384, 320, frozenset({8080}), frozenset({5353}), "bridge", ())
    host = _register(
        ecs, "host", networkMode="host", containerDefinitions=[{**web, "portMappings": [{"containerPort": 80}]}]
    )
    assert demand(host) == TaskDemand(256, 256, frozenset({80}), frozenset(), "host", (DOCKER_1_18["name"],))
    awsvpc = _register(
        ecs,
        "vpc",
        networkMode="awsvpc",
        cpu="1024",
        memory="1 GB",
        containerDefinitions=[{**web, "portMappings": [{"containerPort": 80}]}],
    )
    assert demand(awsvpc) == TaskDemand(
        1024, 1024, frozenset(), frozenset(), "awsvpc", (DOCKER_1_18["name"], TASK_ENI["name"])
    )


_FARGATE = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"}

# (registration arguments, error code, message): each must fail and change nothing.
_INVALID: list[tuple[dict[str, Any], str, str]] = [
    ({"family": "bad name"}, "ClientException", "Family contains invalid characters."),
    ({"family": ""}, "ClientException", "Family can not be blank."),
    ({"containerDefinitions": []}, "ClientException", "Container list cannot be empty."),
    (
        {"containerDefinitions": [{"image": "nginx", "memory": 8}]},
        "ClientException",
        "Container.name should not be null or empty.",
    ),
    (
        {"containerDefinitions": [{"name": "web", "memory": 8}]},
        "ClientException",
        "Container.image should not be null or empty.",
    ),
    (
        {"containerDefinitions": [NGINX, NGINX]},
        "ClientException",
        "Container names must be unique within a Task Definition.",
    ),
    (
        {"containerDefinitions": [{"name": "web", "image": "nginx"}]},
        "ClientException",
        "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.",
    ),
    (
        {"containerDefinitions": [{**NGINX, "essential": False}]},
        "ClientException",
        "A task definition must have at least one essential container.",
    ),
    (
        {
            "networkMode": "awsvpc",
            "containerDefinitions": [{**NGINX, "portMappings": [{"containerPort": 80, "hostPort": 81}]}],
        },
        "ClientException",
        "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
    ),
    (
        {
            "networkMode": "host",
            "containerDefinitions": [{**NGINX, "portMappings": [{"containerPort": 80, "hostPort": 0}]}],
        },
        "ClientException",
        "When networkMode=host, the host ports and container ports in port mappings must match.",
    ),
    (
        {"containerDefinitions": [{**NGINX, "portMappings": [{"containerPort": 70000}]}]},
        "ClientException",
        "Invalid 'containerPort' setting for container 'web'.",
    ),
    (
        {"memory": "256", "containerDefinitions": [{**NGINX, "memory": 512}]},
        "ClientException",
        "The 'memory' setting for container 'web' is greater than for the task.",
    ),
    ({"cpu": "lots"}, "InvalidParameterException", "Invalid 'cpu' setting for task."),
    ({"memory": "2 TBs"}, "InvalidParameterException", "Invalid 'memory' setting for task."),
    (
        {**_FARGATE, "networkMode": "bridge"},
        "ClientException",
        "Fargate only supports network mode \u2018awsvpc\u2019.",
    ),
    ({**_FARGATE, "cpu": None}, "ClientException", "Fargate requires that 'cpu' be defined at the task level."),
    ({**_FARGATE, "memory": None}, "ClientException", "Fargate requires that 'memory' be defined at the task level."),
    (
        {**_FARGATE, "memory": "4096"},
        "ClientException",
        "No Fargate configuration exists for given values: 256 CPU, 4096 memory. "
        "See the Amazon ECS documentation for the valid values.",
    ),
    (
        {**_FARGATE, "containerDefinitions": [{**NGINX, "logConfiguration": {"logDriver": "awslogs"}}]},
        "ClientException",
        "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
    ),
    (
        {"tags": [{"key": "aws:owner", "value": "x"}]},
        "InvalidParameterException",
        "Tag keys beginning with 'aws:' are reserved for AWS use.",
    ),
]


def test_invalid_registrations_fail_in_ecs_words_and_change_nothing(ecs: Any, server: Server) -> None:
    _register(ecs)
    before = _digest(server)
    for overrides, code, message in _INVALID:
        arguments: dict[str, Any] = {"family": "web", "containerDefinitions": [NGINX], **overrides}
        with pytest.raises(ClientError) as caught:
            ecs.register_task_definition(**{k: v for k, v in arguments.items() if v is not None})
        assert _error(caught) == (code, message), overrides
    assert _digest(server) == before
    assert _register(ecs)["revision"] == 2  # no revision was consumed by the failures


# --- listing ----------------------------------------------------------------------------------------


def test_list_task_definitions_sort_status_family_and_paging(ecs: Any) -> None:
    for family, count in (("web", 2), ("web-api", 2), ("batch", 1)):
        for _ in range(count):
            _register(ecs, family)
    ecs.deregister_task_definition(taskDefinition="web-api:1")
    ascending = _arns("batch", 1) + _arns("web", 1, 2) + _arns("web-api", 2)
    assert ecs.list_task_definitions()["taskDefinitionArns"] == ascending
    assert ecs.list_task_definitions(sort="DESC")["taskDefinitionArns"] == ascending[::-1]
    assert ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == _arns("web-api", 1)
    assert ecs.list_task_definitions(familyPrefix="web", sort="DESC")["taskDefinitionArns"] == _arns("web", 2, 1)
    pages = ecs.get_paginator("list_task_definitions").paginate(sort="DESC", PaginationConfig={"PageSize": 3})
    assert [p["taskDefinitionArns"] for p in pages] == [ascending[::-1][:3], ascending[::-1][3:]]
    with pytest.raises(ClientError) as caught:
        ecs.list_task_definitions(maxResults=101)
    assert _error(caught)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        ecs.list_task_definitions(nextToken="forged")
    assert _error(caught)[0] == "InvalidParameterException"


def test_list_task_definition_families(ecs: Any) -> None:
    for family in ("web", "web-api", "batch"):
        _register(ecs, family)
    ecs.deregister_task_definition(taskDefinition="batch:1")
    assert ecs.list_task_definition_families()["families"] == ["batch", "web", "web-api"]
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == ["web", "web-api"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["batch"]
    assert ecs.list_task_definition_families(familyPrefix="web-")["families"] == ["web-api"]
    first = ecs.list_task_definition_families(maxResults=2)
    assert first["families"] == ["batch", "web"]
    assert ecs.list_task_definition_families(nextToken=first["nextToken"])["families"] == ["web-api"]


# --- AWS CLI ----------------------------------------------------------------------------------------


def test_cli_register_and_describe(cli: Any) -> None:
    containers = [
        {"name": "app", "image": "busybox", "memoryReservation": 64, "portMappings": [{"containerPort": 8080}]}
    ]
    registered = cli(
        "ecs",
        "register-task-definition",
        "--family",
        "cli",
        "--network-mode",
        "awsvpc",
        "--container-definitions",
        json.dumps(containers),
        "--tags",
        "key=env,value=test",
    )
    assert registered["taskDefinition"]["taskDefinitionArn"] == ARN + "cli:1"
    assert registered["tags"] == [{"key": "env", "value": "test"}]
    described = cli("ecs", "describe-task-definition", "--task-definition", "cli", "--include", "TAGS")
    definition = described["taskDefinition"]
    assert definition["networkMode"] == "awsvpc"
    assert TASK_ENI in definition["requiresAttributes"]
    assert definition["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
    ]
    assert isinstance(definition["registeredAt"], (int, float, str))
    assert described["tags"] == [{"key": "env", "value": "test"}]
