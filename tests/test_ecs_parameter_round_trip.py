"""Every input member of CreateCluster, RegisterTaskDefinition, CreateService and RunTask, walked
from botocore's model: each one trunkline accepts comes back where AWS returns it, and each one it
does not model is refused in words that say so. A member botocore adds later fails
`test_every_input_member_has_a_decision` until someone decides what it does here.

Expectations per member:
- `Same`: accepted, and the output member of the same name equals what was sent;
- `Returns(value)`: accepted, and the output member of the same name is `value` (AWS normalises it);
- `Accepted`: accepted; AWS's output has no member for it (e.g. `clientToken`, `count`);
- `Refused(code, text)`: refused with that code and a message containing `text`, nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server
from ecs_world import World, config_script, role_arn

CLUSTER = "roundtrip"
MODEL = botocore.session.get_session().get_service_model("ecs")


@dataclass(frozen=True)
class Same:
    value: Any


@dataclass(frozen=True)
class Returns:
    value: Any
    expected: Any


@dataclass(frozen=True)
class Accepted:
    value: Any


@dataclass(frozen=True)
class Refused:
    value: Any
    code: str
    text: str


Expectation = Same | Returns | Accepted | Refused

CONTAINER = {"name": "app", "image": "nginx", "cpu": 64, "memory": 128, "portMappings": [{"containerPort": 80}]}
UNSUPPORTED = "trunkline does not"
NOT_ASSOCIATED = "cannot contain a capacity provider that is not associated with the cluster."

CLUSTER_MEMBERS: dict[str, Expectation] = {
    "clusterName": Same(CLUSTER),
    "tags": Same([{"key": "team", "value": "net"}]),
    "settings": Same([{"name": "containerInsights", "value": "enabled"}]),
    "configuration": Same({"executeCommandConfiguration": {"logging": "DEFAULT"}}),
    "capacityProviders": Same(["FARGATE"]),
    "defaultCapacityProviderStrategy": Refused(
        [{"capacityProvider": "FARGATE", "weight": 1}],
        "InvalidParameterException",
        "cannot contain a capacity provider that is not associated with the cluster.",
    ),
    "serviceConnectDefaults": Refused(
        {"namespace": "local"}, "NamespaceNotFoundException", "Namespace 'local' was not found."
    ),
}

DEFINITION_MEMBERS: dict[str, Expectation] = {
    "family": Same("web"),
    "containerDefinitions": Accepted([CONTAINER]),  # AWS fills in defaults (essential, mountPoints, ...)
    "taskRoleArn": Same(f"arn:aws:iam::{ACCOUNT}:role/app"),
    "executionRoleArn": Same(f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"),
    "networkMode": Same("awsvpc"),
    "volumes": Same([{"name": "scratch"}]),
    "placementConstraints": Same([{"type": "memberOf", "expression": "attribute:ecs.instance-type == c5.large"}]),
    "requiresCompatibilities": Same(["EC2"]),
    "cpu": Same("256"),
    "memory": Same("512"),
    "tags": Accepted([{"key": "team", "value": "net"}]),  # returned by DescribeTaskDefinition include=TAGS
    "pidMode": Same("task"),
    "ipcMode": Same("task"),
    "proxyConfiguration": Same({"type": "APPMESH", "containerName": "app", "properties": []}),
    "inferenceAccelerators": Same([{"deviceName": "d1", "deviceType": "eia2.medium"}]),
    "ephemeralStorage": Same({"sizeInGiB": 30}),
    "runtimePlatform": Same({"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}),
    "enableFaultInjection": Same(True),
    "trustedExecutionConfiguration": Same({"isolationMode": "ISOLATED_SANDBOX"}),
}


@pytest.fixture
def world(spawn: Callable[..., Server]) -> World:
    """A manual clock: nothing moves between a refused call and the digest that checks it."""
    return World(spawn("--timing", "manual"))


def _network(world: World) -> dict[str, Any]:
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))  # 10 task ENIs: room for every call
    net = world.network()
    world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    return net


def _service_members(net: dict[str, Any]) -> dict[str, Expectation]:
    network = {"awsvpcConfiguration": {"subnets": [net["subnet"]], "securityGroups": [net["default_sg"]]}}
    return {
        "cluster": Accepted(CLUSTER),
        "serviceName": Same("web"),
        "taskDefinition": Returns("web", f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:1"),
        "desiredCount": Same(1),
        "clientToken": Accepted("token-1"),
        "availabilityZoneRebalancing": Same("DISABLED"),
        "launchType": Same("EC2"),
        "networkConfiguration": Returns(
            network, {"awsvpcConfiguration": {**network["awsvpcConfiguration"], "assignPublicIp": "DISABLED"}}
        ),
        "deploymentConfiguration": Returns(
            {"maximumPercent": 150, "minimumHealthyPercent": 50},
            {
                "maximumPercent": 150,
                "minimumHealthyPercent": 50,
                "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            },
        ),
        "placementConstraints": Same([{"type": "distinctInstance"}]),
        "placementStrategy": Same([{"type": "binpack", "field": "memory"}]),
        "schedulingStrategy": Same("REPLICA"),
        "deploymentController": Same({"type": "ECS"}),
        "tags": Accepted([{"key": "team", "value": "net"}]),  # DescribeServices include=TAGS returns them
        "enableECSManagedTags": Same(True),
        "propagateTags": Same("SERVICE"),
        "enableExecuteCommand": Same(True),
        "platformVersion": Refused("LATEST", "InvalidParameterException", "EC2 launch type"),
        "capacityProviderStrategy": Refused(  # placed through providers: test_capacity_providers.py
            [{"capacityProvider": "cp", "weight": 1}], "InvalidParameterException", NOT_ASSOCIATED
        ),
        "loadBalancers": Refused(
            [
                {
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/t/1",
                    "containerName": "app",
                    "containerPort": 80,
                }
            ],
            "InvalidParameterException",
            UNSUPPORTED,
        ),
        "serviceRegistries": Refused(
            [{"registryArn": f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:service/srv-1"}],
            "InvalidParameterException",
            UNSUPPORTED,
        ),
        "role": Refused("ecsServiceRole", "InvalidParameterException", "load balancer"),
        "healthCheckGracePeriodSeconds": Same(30),
        "serviceConnectConfiguration": Refused({"enabled": True}, "InvalidParameterException", UNSUPPORTED),
        "volumeConfigurations": Refused(
            [{"name": "data", "managedEBSVolume": {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/ebs"}}],
            "InvalidParameterException",
            UNSUPPORTED,
        ),
        "vpcLatticeConfigurations": Refused(
            [
                {
                    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/l",
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/t/1",
                    "portName": "web",
                }
            ],
            "InvalidParameterException",
            UNSUPPORTED,
        ),
        "gatewayConnectors": Refused([], "InvalidParameterException", UNSUPPORTED),
        "monitoring": Refused({}, "InvalidParameterException", UNSUPPORTED),
    }


def _task_members(net: dict[str, Any]) -> dict[str, Expectation]:
    network = {"awsvpcConfiguration": {"subnets": [net["subnet"]]}}
    overrides = {"containerOverrides": [{"name": "app", "environment": [{"name": "MODE", "value": "test"}]}]}
    return {
        "cluster": Accepted(CLUSTER),
        "taskDefinition": Accepted("web"),  # comes back as taskDefinitionArn
        "count": Accepted(2),
        "clientToken": Accepted("token-1"),
        "referenceId": Accepted("ref-1"),  # "only used by Amazon ECS", never shown
        "networkConfiguration": Accepted(network),  # comes back as the task's ENI attachment
        "placementConstraints": Accepted([{"type": "distinctInstance"}]),
        "placementStrategy": Accepted([{"type": "binpack", "field": "memory"}]),
        "enableECSManagedTags": Accepted(True),
        "propagateTags": Accepted("TASK_DEFINITION"),
        "enableExecuteCommand": Same(True),
        "group": Same("batch"),
        "launchType": Same("EC2"),
        "overrides": Returns(overrides, {**overrides, "inferenceAcceleratorOverrides": []}),
        "startedBy": Same("me"),
        "tags": Same([{"key": "team", "value": "net"}]),
        "platformVersion": Refused("LATEST", "InvalidParameterException", "EC2 launch type"),
        "capacityProviderStrategy": Refused(  # placed through providers: test_capacity_providers.py
            [{"capacityProvider": "cp", "weight": 1}], "InvalidParameterException", NOT_ASSOCIATED
        ),
        "volumeConfigurations": Refused(
            [{"name": "data", "managedEBSVolume": {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/ebs"}}],
            "InvalidParameterException",
            UNSUPPORTED,
        ),
    }


def test_every_input_member_has_a_decision() -> None:
    net = {"subnet": "subnet-0", "default_sg": "sg-0"}
    decided = {
        "CreateCluster": CLUSTER_MEMBERS,
        "RegisterTaskDefinition": DEFINITION_MEMBERS,
        "CreateService": _service_members(net),
        "RunTask": _task_members(net),
    }
    for operation, members in decided.items():
        assert set(members) == set(MODEL.operation_model(operation).input_shape.members), operation


def _check(
    call: Callable[..., dict[str, Any]],
    base: dict[str, Any],
    members: dict[str, Expectation],
    output: Callable[[dict[str, Any]], dict[str, Any]],
    digest: Callable[[], str],
    vary: Callable[[int], dict[str, Any]] = lambda n: {},
    after: Callable[[dict[str, Any]], None] = lambda answer: None,
) -> list[str]:
    """Send `base` plus each member in turn; the list of what did not behave as expected."""
    wrong: list[str] = []
    for n, (name, expectation) in enumerate(members.items()):
        params = {**base, **vary(n), name: expectation.value}
        before = digest()
        try:
            full = call(**params)
            after(full)
            answer = output(full)
        except ClientError as error:
            code, message = error.response["Error"]["Code"], error.response["Error"]["Message"]
            if not isinstance(expectation, Refused):
                wrong.append(f"{name}: refused ({code}: {message})")
            elif code != expectation.code or expectation.text not in message:
                wrong.append(
                    f"{name}: refused as {code}: {message!r}, expected {expectation.code} with {expectation.text!r}"
                )
            elif digest() != before:
                wrong.append(f"{name}: refused but the state changed")
            continue
        if isinstance(expectation, Refused):
            wrong.append(f"{name}: accepted, expected {expectation.code}")
        elif isinstance(expectation, Same) and answer.get(name) != expectation.value:
            wrong.append(f"{name}: sent {expectation.value!r}, got back {answer.get(name)!r}")
        elif isinstance(expectation, Returns) and answer.get(name) != expectation.expected:
            wrong.append(f"{name}: expected {expectation.expected!r}, got back {answer.get(name)!r}")
    return wrong


def _stop_all(world: World, answer: dict[str, Any]) -> None:
    """Free the instance's ENI slots for the next call."""
    assert answer["failures"] == [], answer["failures"]
    for task in answer["tasks"]:
        world.ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])
    world.settle()


def _digest(world: World) -> Callable[[], str]:
    return lambda: str(world.server.get("/_trunkline/state/digest").json())


def test_cluster_and_task_definition_members_round_trip(world: World) -> None:
    clusters = _check(
        world.ecs.create_cluster,
        {},
        CLUSTER_MEMBERS,
        lambda answer: answer["cluster"],
        _digest(world),
        vary=lambda n: {"clusterName": f"c{n}"} if n else {},
    )
    definitions = _check(
        world.ecs.register_task_definition,
        {"family": "web", "containerDefinitions": [CONTAINER]},
        DEFINITION_MEMBERS,
        lambda answer: answer["taskDefinition"],
        _digest(world),
    )
    assert clusters + definitions == [], "\n".join(clusters + definitions)


def test_service_and_run_task_members_round_trip(world: World) -> None:
    net = _network(world)
    world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[CONTAINER])
    services = _check(
        world.ecs.create_service,
        {
            "cluster": CLUSTER,
            "serviceName": "web",
            "taskDefinition": "web",
            "desiredCount": 0,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": [net["subnet"]]}},
        },
        _service_members(net),
        lambda answer: answer["service"],
        _digest(world),
        vary=lambda n: {"serviceName": f"s{n}"},
    )
    tasks = _check(
        world.ecs.run_task,
        {
            "cluster": CLUSTER,
            "taskDefinition": "web",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": [net["subnet"]]}},
        },
        _task_members(net),
        lambda answer: answer["tasks"][0],
        _digest(world),
        after=lambda answer: _stop_all(world, answer),
    )
    assert services + tasks == [], "\n".join(services + tasks)
