"""Services through boto3: the replica scheduler places desiredCount tasks through the placement
engine (ENI slots with and without trunking), logs AWS's events, catches up when capacity appears,
scales in, and DeleteService/DescribeServices/ListServices behave as AWS does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import Server
from ecs_world import World, config_script
from test_ecs_tasks import CLUSTER, awsvpc_family, bridge_family, error_of, fargate_family, ready, task_enis, vpc_config


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


def create(world: World, family: str, desired: int, net: dict[str, str], name: str = "web") -> dict[str, Any]:
    answer: dict[str, Any] = world.ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=family,
        desiredCount=desired,
        launchType="EC2",
        networkConfiguration=vpc_config(net["subnet"]),
    )
    return answer["service"]


def service(world: World, name: str = "web") -> dict[str, Any]:
    found: dict[str, Any] = world.ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]
    return found


def counts(found: dict[str, Any]) -> tuple[int, int, int]:
    return found["desiredCount"], found["runningCount"], found["pendingCount"]


def unable(name: str, instance_arn: str) -> str:
    return (
        f"(service {name}) was unable to place a task because no container instance met all of its requirements. "
        f"The closest matching (container-instance {instance_arn.rsplit('/', 1)[-1]}) encountered error "
        '"RESOURCE:ENI". For more information, see the Troubleshooting section.'
    )


def test_thirty_tasks_over_untrunked_instances_place_six_then_catch_up(spawn: Callable[..., Server]):
    """Three untrunked c5.large hold 2 awsvpc tasks each: 6 run and RESOURCE:ENI is logged once;
    a new instance and a stopped task each let the service catch up."""
    world = World(spawn("--timing", "manual"))
    launched, net = ready(world, count=3)
    family = awsvpc_family(world)
    created = create(world, family, 30, net)
    assert created["serviceArn"] == "arn:aws:ecs:us-east-1:123456789012:service/tasks/web"
    assert created["status"] == "ACTIVE" and counts(created) == (30, 0, 0)
    world.settle()

    found = service(world)
    assert counts(found) == (30, 6, 0)
    instances = {world.of_instance(CLUSTER, i)["containerInstanceArn"] for i in launched}
    messages = [e["message"] for e in found["events"]]
    failures = [m for m in messages if "unable to place" in m]
    assert len(failures) == 1 and failures[0] in {unable("web", arn) for arn in instances}
    assert messages[0] == failures[0] and messages[1].startswith("(service web) has started 6 tasks: (task ")
    tasks = world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    described = world.ecs.describe_tasks(cluster=CLUSTER, tasks=tasks)["tasks"]
    assert {t["group"] for t in described} == {"service:web"}
    assert {t["startedBy"] for t in described} == {found["deployments"][0]["id"]}

    world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    assert counts(service(world)) == (30, 8, 0)

    world.ecs.stop_task(cluster=CLUSTER, task=tasks[0])
    world.settle()
    after = service(world)
    assert counts(after) == (30, 8, 0)
    assert sum(1 for e in after["events"] if "unable to place" in e["message"]) >= 2


def test_thirty_tasks_over_trunked_instances_all_run_then_scale_in(spawn: Callable[..., Server]):
    """Three trunked c5.large hold 10 each: all 30 run and the service is steady; scaling to 4
    stops 26 with ServiceSchedulerInitiated."""
    world = World(spawn("--timing", "manual"))
    _, net = ready(world, trunked=True, count=3)
    create(world, awsvpc_family(world), 30, net)
    world.settle()
    found = service(world)
    assert counts(found) == (30, 30, 0)
    assert found["events"][0]["message"] == "(service web) has reached a steady state."
    assert found["deployments"][0]["rolloutState"] == "COMPLETED"

    world.ecs.update_service(cluster=CLUSTER, service="web", desiredCount=4)
    world.settle()
    assert counts(service(world)) == (4, 4, 0)
    stopped = world.ecs.list_tasks(cluster=CLUSTER, serviceName="web", desiredStatus="STOPPED")["taskArns"]
    described = world.ecs.describe_tasks(cluster=CLUSTER, tasks=stopped[:1])["tasks"]
    assert len(stopped) == 26 and described[0]["stopCode"] == "ServiceSchedulerInitiated"


def test_no_instances_is_its_own_event(world: World):
    _, net = ready(world, count=0)
    create(world, awsvpc_family(world), 1, net)
    world.settle()
    assert service(world)["events"][0]["message"] == (
        "(service web) was unable to place a task because no container instance met all of its requirements. "
        "Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting "
        "section of the Amazon ECS Developer Guide."
    )


def test_delete_service_rules_describe_missing_and_listing(world: World):
    _, net = ready(world, count=1)
    family = awsvpc_family(world)
    create(world, family, 1, net)
    create(world, family, 0, net, name="idle")
    assert error_of(lambda: create(world, family, 1, net)) == (
        "InvalidParameterException",
        "Creation of service was not idempotent.",
    )
    assert error_of(lambda: world.ecs.delete_service(cluster=CLUSTER, service="web")) == (
        "InvalidParameterException",
        "The service cannot be stopped while it is scaled above 0.",
    )
    first = world.ecs.list_services(cluster=CLUSTER, maxResults=1)
    second = world.ecs.list_services(cluster=CLUSTER, nextToken=first["nextToken"])
    assert first["serviceArns"] + second["serviceArns"] == [
        f"arn:aws:ecs:us-east-1:123456789012:service/tasks/{n}" for n in ("idle", "web")
    ]
    world.settle()
    assert world.ecs.delete_service(cluster=CLUSTER, service="web", force=True)["service"]["status"] == "DRAINING"
    world.settle()
    answer = world.ecs.describe_services(cluster=CLUSTER, services=["web", "nope"])
    assert [s["status"] for s in answer["services"]] == ["INACTIVE"]
    assert answer["failures"] == [{"arn": "arn:aws:ecs:us-east-1:123456789012:service/tasks/nope", "reason": "MISSING"}]
    assert world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"] == []
    assert world.ecs.list_services(cluster=CLUSTER)["serviceArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:service/tasks/idle"
    ]
    create(world, family, 0, net)  # the name is free again once INACTIVE


def test_a_new_task_definition_replaces_the_tasks(world: World):
    """UpdateService(taskDefinition): a new PRIMARY deployment starts its tasks, the old ones stop
    as the new ones run, and the old deployment goes away."""
    _, net = ready(world, trunked=True, count=1)
    first = awsvpc_family(world)
    create(world, first, 3, net)
    world.settle()
    second = awsvpc_family(world, memory=300)
    updated = world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web")["service"]
    assert [d["status"] for d in updated["deployments"]] == ["PRIMARY", "ACTIVE"]
    world.settle()
    found = service(world)
    assert counts(found) == (3, 3, 0) and found["taskDefinition"] == second != first
    assert [(d["status"], d["taskDefinition"], d["runningCount"]) for d in found["deployments"]] == [
        ("PRIMARY", second, 3)
    ]
    running = world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    described = world.ecs.describe_tasks(cluster=CLUSTER, tasks=running)["tasks"]
    assert {t["taskDefinitionArn"] for t in described} == {second}
    assert found["events"][0]["message"] == "(service web) has reached a steady state."


def test_a_fargate_service_runs_its_tasks_on_dedicated_enis(world: World):
    """S8 through a service: no container instance at all, one ENI per task, scale in frees them."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network()
    family = fargate_family(world)
    world.ecs.create_service(
        cluster=CLUSTER,
        serviceName="api",
        taskDefinition=family,
        desiredCount=3,
        launchType="FARGATE",
        networkConfiguration=vpc_config(net["subnet"]),
    )
    world.settle()
    found = service(world, "api")
    assert counts(found) == (3, 3, 0) and found["launchType"] == "FARGATE"
    arns = world.ecs.list_tasks(cluster=CLUSTER, serviceName="api")["taskArns"]
    described = world.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]
    assert all(t["launchType"] == "FARGATE" and "containerInstanceArn" not in t for t in described)
    assert len(task_enis(world)) == 3
    world.ecs.update_service(cluster=CLUSTER, service="api", desiredCount=1)
    world.settle()
    assert counts(service(world, "api")) == (1, 1, 0) and len(task_enis(world)) == 1


def test_force_new_deployment_replaces_tasks_of_the_same_definition(world: World):
    ready(world, count=1)
    family = bridge_family(world)
    world.ecs.create_service(
        cluster=CLUSTER, serviceName="web", taskDefinition=family, desiredCount=2, launchType="EC2"
    )
    world.settle()
    before = set(world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"])
    updated = world.ecs.update_service(cluster=CLUSTER, service="web", forceNewDeployment=True)["service"]
    assert [(d["status"], d["taskDefinition"]) for d in updated["deployments"]] == [
        ("PRIMARY", family),
        ("ACTIVE", family),
    ]
    world.settle()
    after = set(world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"])
    assert len(after) == 2 and not after & before
    assert [d["status"] for d in service(world)["deployments"]] == ["PRIMARY"]


def test_a_binpack_service_fills_the_fullest_instance(world: World):
    """The scheduler places through the same engine, binpack window included."""
    ready(world, count=3)
    family = bridge_family(world)
    world.ecs.create_service(
        cluster=CLUSTER,
        serviceName="packed",
        taskDefinition=family,
        desiredCount=4,
        launchType="EC2",
        placementStrategy=[{"type": "binpack", "field": "memory"}],
    )
    world.settle()
    arns = world.ecs.list_tasks(cluster=CLUSTER, serviceName="packed")["taskArns"]
    hosts = {t["containerInstanceArn"] for t in world.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]}
    # Three equal instances: the first task goes to the lowest ARN (ties), which is then the fullest.
    first = min(world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"])
    assert len(arns) == 4 and hosts == {first}


def test_update_service_changes_its_deployment_configuration_and_network(world: World):
    """UpdateService applies what it is given besides desiredCount and taskDefinition (it used to
    drop these silently; found through the AWS SDK for JavaScript): the deployment configuration
    (members given replace the service's), the health check grace period, and a new network
    configuration, which starts new tasks with it (AWS: "ECS starts new tasks with the new
    configuration"). A refused update changes nothing."""
    _, net = ready(world, trunked=True, count=1)
    create(world, awsvpc_family(world), 2, net)
    world.settle()
    updated = world.ecs.update_service(
        cluster=CLUSTER,
        service="web",
        deploymentConfiguration={"maximumPercent": 150},
        healthCheckGracePeriodSeconds=30,
    )["service"]
    assert updated["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 150,
        "minimumHealthyPercent": 100,
    }
    assert updated["healthCheckGracePeriodSeconds"] == 30
    assert [d["status"] for d in updated["deployments"]] == ["PRIMARY"]  # no new tasks for these
    found = service(world)
    assert found["deploymentConfiguration"]["maximumPercent"] == 150 and found["healthCheckGracePeriodSeconds"] == 30
    group = world.ec2.create_security_group(GroupName="web-tasks", Description="web", VpcId=net["vpc"])["GroupId"]
    refused = error_of(
        lambda: world.ecs.update_service(
            cluster=CLUSTER, service="web", networkConfiguration=vpc_config("subnet-0123456789abcdef0", groups=[group])
        )
    )
    assert refused[0] == "InvalidParameterException"
    assert service(world)["networkConfiguration"] == found["networkConfiguration"]
    updated = world.ecs.update_service(
        cluster=CLUSTER, service="web", networkConfiguration=vpc_config(net["subnet"], groups=[group])
    )["service"]
    assert updated["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [group]
    assert [d["status"] for d in updated["deployments"]] == ["PRIMARY", "ACTIVE"]
    world.settle()
    # The same configuration again (as tools resend it) starts no deployment.
    again = world.ecs.update_service(
        cluster=CLUSTER, service="web", networkConfiguration=vpc_config(net["subnet"], groups=[group])
    )["service"]
    assert [d["status"] for d in again["deployments"]] == ["PRIMARY"]
    running = world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    assert len(running) == 2
    enis = [e for e in task_enis(world) if e["Status"] == "in-use"]
    assert len(enis) == 2 and all([g["GroupId"] for g in e["Groups"]] == [group] for e in enis)
