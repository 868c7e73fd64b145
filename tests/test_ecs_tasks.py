"""Tasks end to end through boto3 and the AWS CLI: whether awsvpc tasks fit (ENI slots with and
without trunking), their ENIs in EC2's view, their lifecycle on the clock, task events, the exact
errors of RunTask's network rules, StartTask/StopTask/DescribeTasks/ListTasks, Fargate, and what
deregistering or terminating an instance does to its tasks.

Seed requirements covered: S1, S2, S8, S9 (and S3/S12 for tasks on a leaving instance).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, Server, make_cli
from ecs_world import World, config_script, role_arn

CLUSTER = "tasks"
TASK_CHANGE = "ECS Task State Change"
CI_CHANGE = "ECS Container Instance State Change"


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


# --- helpers ----------------------------------------------------------------------------------------


def ready(world: World, *, trunked: bool = False, count: int = 1, **network: Any) -> tuple[list[str], dict[str, str]]:
    """A cluster and `count` registered c5.large instances (trunked or not) in a fresh network."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    if trunked:
        world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network(**network)
    launched = [world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER)) for _ in range(count)]
    world.settle()
    return launched, net


def awsvpc_family(world: World, family: str = "web", cpu: int = 128, memory: int = 256, **extra: Any) -> str:
    container = {"name": "app", "image": "nginx", "cpu": cpu, "memory": memory, "portMappings": [{"containerPort": 80}]}
    answer = world.ecs.register_task_definition(
        family=family, networkMode="awsvpc", containerDefinitions=[container], **extra
    )
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def bridge_family(world: World, family: str = "legacy", host_port: int | None = None) -> str:
    container: dict[str, Any] = {"name": "app", "image": "nginx", "cpu": 64, "memory": 128}
    if host_port is not None:
        container["portMappings"] = [{"containerPort": 80, "hostPort": host_port}]
    answer = world.ecs.register_task_definition(family=family, networkMode="bridge", containerDefinitions=[container])
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def vpc_config(*subnets: str, groups: list[str] | None = None, public: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"subnets": list(subnets)}
    if groups is not None:
        config["securityGroups"] = groups
    if public is not None:
        config["assignPublicIp"] = public
    return {"awsvpcConfiguration": config}


def run(world: World, family: str, count: int = 1, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = world.ecs.run_task(cluster=CLUSTER, taskDefinition=family, count=count, **params)
    return answer


def describe(world: World, *arns: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = world.ecs.describe_tasks(cluster=CLUSTER, tasks=list(arns))["tasks"]
    return found


def details(attachment: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["name"], d["value"]) for d in attachment["details"]]


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def task_enis(world: World) -> list[dict[str, Any]]:
    """Every ENI ECS made for a task (described by its attachment ARN)."""
    found: list[dict[str, Any]] = world.ec2.describe_network_interfaces()["NetworkInterfaces"]
    return [e for e in found if e["Description"].startswith(f"arn:aws:ecs:us-east-1:{ACCOUNT}:attachment/")]


def events_of(server: Server, detail_type: str, resource: str) -> list[dict[str, Any]]:
    answer = server.get(f"/_trunkline/events?detail-type={detail_type.replace(' ', '%20')}&cluster={CLUSTER}")
    answer.raise_for_status()
    return [e for e in answer.json()["events"] if e["resources"] == [resource]]


# --- S1: an untrunked c5.large ------------------------------------------------------------------------


def test_an_untrunked_c5_large_runs_two_awsvpc_tasks_through_their_lifecycle(spawn: Callable[..., Server]):
    """S1: 3 ENIs (primary + 2), so 3 tasks give 2 placed and one RESOURCE:ENI; the ENIs, the
    attachment PRECREATED -> ATTACHED, each state on the clock, events, and a slot that stays used
    until its task is STOPPED."""
    server = spawn("--timing", "manual")
    world = World(server)
    (instance_id,), net = ready(world)
    ci = world.of_instance(CLUSTER, instance_id)
    family = awsvpc_family(world)

    answer = run(world, family, 3, networkConfiguration=vpc_config(net["subnet"]), startedBy="s1-test")
    assert answer["failures"] == [{"arn": ci["containerInstanceArn"], "reason": "RESOURCE:ENI"}]
    first, _ = answer["tasks"]
    assert first["lastStatus"] == "PROVISIONING" and first["desiredStatus"] == "RUNNING"
    assert first["launchType"] == "EC2" and first["group"] == "family:web" and first["startedBy"] == "s1-test"
    assert first["containerInstanceArn"] == ci["containerInstanceArn"] and first["availabilityZone"] == "us-east-1a"
    assert first["taskArn"].startswith(f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/{CLUSTER}/")
    assert len(first["taskArn"].rsplit("/", 1)[-1]) == 32 and first["version"] == 1
    (attachment,) = first["attachments"]
    assert attachment["type"] == "ElasticNetworkInterface" and attachment["status"] == "PRECREATED"
    assert details(attachment) == [("subnetId", net["subnet"])]
    assert first["containers"][0]["networkInterfaces"] == [] and first["containers"][0]["lastStatus"] == "PENDING"

    # The slots are taken at once: primary + 2 task ENIs, the EC2 limit of a c5.large.
    enis = world.enis_of(instance_id)
    assert len(enis) == 3
    mine = task_enis(world)
    assert len(mine) == 2 and {e["InterfaceType"] for e in mine} == {"interface"}
    assert all(e["RequesterManaged"] and e["Groups"][0]["GroupId"] == net["default_sg"] for e in mine)
    assert all(e["Attachment"]["InstanceId"] == instance_id for e in mine)
    assert world.capacity(CLUSTER)["awsvpcTasksAvailable"] == 0
    busy = world.describe(CLUSTER, ci["containerInstanceArn"])
    assert (busy["pendingTasksCount"], busy["runningTasksCount"]) == (2, 0)
    remaining = {r["name"]: r for r in busy["remainingResources"]}
    assert remaining["CPU"]["integerValue"] == 2048 - 256 and remaining["MEMORY"]["integerValue"] == 3705 - 512

    world.advance(3)  # PROVISIONING -> PENDING: the ENI is attached
    (pending,) = describe(world, first["taskArn"])
    eni = next(e for e in mine if e["NetworkInterfaceId"] == details(pending["attachments"][0])[1][1])
    assert pending["lastStatus"] == "PENDING" and pending["attachments"][0]["status"] == "ATTACHED"
    assert details(pending["attachments"][0]) == [
        ("subnetId", net["subnet"]),
        ("networkInterfaceId", eni["NetworkInterfaceId"]),
        ("macAddress", eni["MacAddress"]),
        ("privateIPv4Address", eni["PrivateIpAddress"]),  # no privateDnsName: DNS hostnames are off
    ]
    assert pending["containers"][0]["networkInterfaces"] == [
        {"attachmentId": attachment["id"], "privateIpv4Address": eni["PrivateIpAddress"]}
    ]
    assert eni["Description"] == f"arn:aws:ecs:us-east-1:{ACCOUNT}:attachment/{attachment['id']}"
    world.advance(6)  # -> ACTIVATING -> RUNNING
    (running,) = describe(world, first["taskArn"])
    assert running["lastStatus"] == "RUNNING" and running["version"] == 4 and running["connectivity"] == "CONNECTED"
    assert running["containers"][0]["lastStatus"] == "RUNNING"
    assert world.describe(CLUSTER, ci["containerInstanceArn"])["runningTasksCount"] == 2

    history = events_of(server, TASK_CHANGE, first["taskArn"])
    assert [(e["detail"]["lastStatus"], e["detail"]["version"]) for e in history] == [
        ("PROVISIONING", 1),
        ("PENDING", 2),
        ("ACTIVATING", 3),
        ("RUNNING", 4),
    ]
    assert history[-1]["detail"]["attachments"][0]["type"] == "eni"  # as events show it
    assert history[-1]["detail"]["createdAt"].endswith("Z") and history[-1]["detail"]["clusterArn"].endswith(CLUSTER)
    instance_events = events_of(server, CI_CHANGE, ci["containerInstanceArn"])
    counts = [(e["detail"]["pendingTasksCount"], e["detail"]["runningTasksCount"]) for e in instance_events]
    assert counts[-3:] == [(2, 0), (1, 1), (0, 2)]  # placement, then each task reaching RUNNING

    stopped = world.ecs.stop_task(cluster=CLUSTER, task=first["taskArn"], reason="rolling")["task"]
    assert (stopped["desiredStatus"], stopped["lastStatus"]) == ("STOPPED", "RUNNING")
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("UserInitiated", "rolling")
    world.advance(6)  # DEACTIVATING, STOPPING: the slot is still used
    assert run(world, family, networkConfiguration=vpc_config(net["subnet"]))["failures"][0]["reason"] == "RESOURCE:ENI"
    world.advance(6)  # DEPROVISIONING -> STOPPED: the ENI is detached and deleted
    (gone,) = describe(world, first["taskArn"])
    assert gone["lastStatus"] == "STOPPED" and gone["attachments"][0]["status"] == "DELETED"
    assert "stoppedAt" in gone and gone["containers"][0]["lastStatus"] == "STOPPED"
    down = [e["detail"]["lastStatus"] for e in events_of(server, TASK_CHANGE, gone["taskArn"])][-5:]
    assert down == ["RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]
    assert eni["NetworkInterfaceId"] not in {e["NetworkInterfaceId"] for e in world.enis_of(instance_id)}
    again = run(world, family, networkConfiguration=vpc_config(net["subnet"]))
    assert again["failures"] == [] and len(again["tasks"]) == 1


# --- S2: a trunked c5.large ---------------------------------------------------------------------------


def test_a_trunked_c5_large_runs_ten_tasks_on_branch_enis(spawn: Callable[..., Server]):
    """S2: 10 branch ENIs with distinct VLAN ids and addresses on the trunk; 2 more are RESOURCE:ENI;
    5 stopped free their slots only once STOPPED."""
    server = spawn("--timing", "manual")
    world = World(server)
    (instance_id,), net = ready(world, trunked=True)
    ci = world.of_instance(CLUSTER, instance_id)
    family = awsvpc_family(world)
    network = vpc_config(net["subnet"])

    placed = run(world, family, 10, networkConfiguration=network)
    assert placed["failures"] == [] and len(placed["tasks"]) == 10
    extra = run(world, family, 2, networkConfiguration=network)
    assert (
        extra["tasks"] == []
        and extra["failures"] == [{"arn": ci["containerInstanceArn"], "reason": "RESOURCE:ENI"}] * 2
    )

    trunk_id = dict(d for d in details(ci["attachments"][0]))["networkInterfaceId"]
    associations = world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]
    assert len(associations) == 10 and {a["TrunkInterfaceId"] for a in associations} == {trunk_id}
    assert sorted(a["VlanId"] for a in associations) == list(range(1, 11))
    branches = task_enis(world)
    assert {e["InterfaceType"] for e in branches} == {"branch"} and len(branches) == 10
    assert len({e["PrivateIpAddress"] for e in branches}) == 10
    assert all(e["PrivateIpAddress"].startswith("10.0.1.") and "Attachment" not in e for e in branches)
    assert len(world.enis_of(instance_id)) == 2  # primary and trunk: branches ride on the trunk
    world.settle()
    assert {t["lastStatus"] for t in describe(world, *(t["taskArn"] for t in placed["tasks"]))} == {"RUNNING"}

    for task in placed["tasks"][:5]:
        world.ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])
    waiting = run(world, family, 5, networkConfiguration=network)
    assert [f["reason"] for f in waiting["failures"]] == ["RESOURCE:ENI"] * 5  # still deprovisioning
    world.settle()
    assert len(world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]) == 5
    refilled = run(world, family, 5, networkConfiguration=network)
    assert refilled["failures"] == [] and len(refilled["tasks"]) == 5
    vlans = [a["VlanId"] for a in world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]]
    assert sorted(vlans) == list(range(1, 11))  # freed VLAN ids are used again
    assert world.describe(CLUSTER, ci["containerInstanceArn"])["pendingTasksCount"] == 5


# --- S9 and LOCATION ------------------------------------------------------------------------------------


def test_subnets_of_another_vpc_or_zone_do_not_place(world: World):
    """S9: a subnet in another VPC than the instance is ATTRIBUTE; one in the same VPC but another
    Availability Zone is LOCATION; any subnet of the instance's zone places the task."""
    (instance_id,), net = ready(world)
    arn = world.container_instance_arn(CLUSTER, instance_id)
    family = awsvpc_family(world)
    other = world.network(cidr="10.0.9.0/24")
    assert run(world, family, networkConfiguration=vpc_config(other["subnet"]))["failures"] == [
        {"arn": arn, "reason": "ATTRIBUTE"}
    ]
    zone_b = world.ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")
    zone_b_id = zone_b["Subnet"]["SubnetId"]
    assert run(world, family, networkConfiguration=vpc_config(zone_b_id))["failures"] == [
        {"arn": arn, "reason": "LOCATION"}
    ]
    zone_a = world.ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1a")
    zone_a_id = zone_a["Subnet"]["SubnetId"]
    answer = run(world, family, networkConfiguration=vpc_config(zone_b_id, zone_a_id))
    assert answer["failures"] == []
    assert details(answer["tasks"][0]["attachments"][0]) == [("subnetId", zone_a_id)]
    assert task_enis(world)[0]["SubnetId"] == zone_a_id


# --- RunTask's errors -----------------------------------------------------------------------------------


def test_run_task_errors_are_aws_texts_and_change_nothing(world: World):
    (instance_id,), net = ready(world)
    family = awsvpc_family(world)
    bridge = bridge_family(world)
    world.ecs.create_cluster(clusterName="empty")
    version = world.of_instance(CLUSTER, instance_id)["version"]
    enis_before = world.ec2.describe_network_interfaces()["NetworkInterfaces"]
    missing_subnet = "subnet-0123456789abcdef0"
    invalid = "InvalidParameterException"
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        ({}, (invalid, "Network Configuration must be provided when networkMode 'awsvpc' is specified.")),
        (
            {"taskDefinition": bridge, "networkConfiguration": vpc_config(net["subnet"])},
            (invalid, "Network Configuration is not valid for the given networkMode of this task definition."),
        ),
        ({"networkConfiguration": vpc_config()}, (invalid, "subnets can not be empty.")),
        ({"networkConfiguration": vpc_config(" ")}, (invalid, "subnet cannot be blank.")),
        (
            {"networkConfiguration": vpc_config(net["subnet"], public="ENABLED")},
            (invalid, "Assign public IP is not supported for this launch type."),
        ),
        (
            {"networkConfiguration": vpc_config(*[f"subnet-{n:017x}" for n in range(17)])},
            (invalid, "subnets can have at most 16 items."),
        ),
        (
            {"networkConfiguration": vpc_config(net["subnet"], groups=[f"sg-{n:017x}" for n in range(6)])},
            (invalid, "securityGroups can have at most 5 items."),
        ),
        (
            {"networkConfiguration": vpc_config(missing_subnet)},
            (
                invalid,
                f"Error retrieving subnet information for [{missing_subnet}]: The subnet ID '{missing_subnet}' "
                "does not exist (ErrorCode: InvalidSubnetID.NotFound)",
            ),
        ),
        (
            {"networkConfiguration": vpc_config(net["subnet"]), "count": 11},
            (
                invalid,
                "1 validation error detected: Value '11' at 'count' failed to satisfy constraint: "
                "Member must have value less than or equal to 10",
            ),
        ),
        ({"cluster": "nowhere"}, ("ClusterNotFoundException", "Cluster not found.")),
        ({"taskDefinition": "unknown-family"}, ("ClientException", "Unable to describe task definition.")),
        (
            {"cluster": "empty", "networkConfiguration": vpc_config(net["subnet"])},
            (invalid, "No Container Instances were found in your cluster."),
        ),
        (
            {"taskDefinition": bridge, "launchType": "FARGATE"},
            (invalid, "Task definition does not support launch_type FARGATE."),
        ),
    ]
    for extra, expected in cases:
        params = {"cluster": CLUSTER, "taskDefinition": family, **extra}
        assert error_of(lambda params=params: world.ecs.run_task(**params)) == expected, extra
    for status in ("RUNNING", "STOPPED"):
        assert world.ecs.list_tasks(cluster=CLUSTER, desiredStatus=status)["taskArns"] == []
    assert world.ec2.describe_network_interfaces()["NetworkInterfaces"] == enis_before
    described = world.of_instance(CLUSTER, instance_id)
    assert described["version"] == version and described["pendingTasksCount"] == 0


# --- bridge tasks, ports and the ENI slot ---------------------------------------------------------------


def test_a_bridge_task_uses_no_eni_slot_but_holds_its_host_port(world: World):
    (instance_id,), net = ready(world)
    arn = world.container_instance_arn(CLUSTER, instance_id)
    awsvpc = run(world, awsvpc_family(world), 2, networkConfiguration=vpc_config(net["subnet"]))
    assert awsvpc["failures"] == [] and world.capacity(CLUSTER)["awsvpcTasksAvailable"] == 0
    web = bridge_family(world, host_port=8080)
    placed = run(world, web, 1)
    assert placed["failures"] == [] and placed["tasks"][0]["attachments"] == []
    assert placed["tasks"][0]["lastStatus"] == "PENDING"  # no PROVISIONING without an ENI
    assert run(world, web, 1)["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]
    ports = {r["name"]: r for r in world.of_instance(CLUSTER, instance_id)["remainingResources"]}["PORTS"]
    assert "8080" in ports["stringSetValue"] and "22" in ports["stringSetValue"]
    assert run(world, bridge_family(world, "free"), 3)["failures"] == []
    assert len(world.enis_of(instance_id)) == 3


def test_a_bare_family_runs_its_latest_active_revision_however_many_it_has(world: World):
    """RunTask naming a bare family runs its latest ACTIVE revision, whether the family has a few
    revisions or many (the newest deregistered: the one before it runs)."""
    ready(world)
    for revisions, family in ((3, "few"), (12, "many")):
        arns = [bridge_family(world, family) for _ in range(revisions)]
        world.ecs.deregister_task_definition(taskDefinition=arns[-1])
        placed = run(world, family)
        assert placed["failures"] == [] and placed["tasks"][0]["taskDefinitionArn"] == arns[-2]


# --- Fargate --------------------------------------------------------------------------------------------


def test_fargate_tasks_get_a_dedicated_eni_and_no_instance(world: World):
    """S8: no container instance; each task has its own ENI, with a public address when asked; the
    VPC's DNS hostnames give the attachment a privateDnsName."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network(public=True)
    world.ec2.modify_vpc_attribute(VpcId=net["vpc"], EnableDnsHostnames={"Value": True})
    family = fargate_family(world)
    answer = run(
        world, family, 2, launchType="FARGATE", networkConfiguration=vpc_config(net["subnet"], public="ENABLED")
    )
    assert answer["failures"] == [] and len(answer["tasks"]) == 2
    task = answer["tasks"][0]
    assert "containerInstanceArn" not in task and task["launchType"] == "FARGATE" and task["platformVersion"] == "1.4.0"
    assert task["availabilityZone"] == "us-east-1a" and task["lastStatus"] == "PROVISIONING"
    enis = task_enis(world)
    assert len(enis) == 2 and all("Attachment" not in e and e["Association"]["PublicIp"] for e in enis)
    world.settle()
    (running,) = describe(world, task["taskArn"])
    names = [name for name, _ in details(running["attachments"][0])]
    assert names == ["subnetId", "networkInterfaceId", "macAddress", "privateDnsName", "privateIPv4Address"]
    assert dict(details(running["attachments"][0]))["privateDnsName"].endswith(".ec2.internal")
    world.ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])
    world.settle()
    assert len(task_enis(world)) == 1


def fargate_family(world: World) -> str:
    container = {"name": "app", "image": "nginx", "essential": True}
    answer = world.ecs.register_task_definition(
        family="serverless",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[container],
    )
    return str(answer["taskDefinition"]["taskDefinitionArn"])


# --- StartTask ------------------------------------------------------------------------------------------


def test_start_task_places_on_the_named_instances(world: World):
    (first, second), net = ready(world, count=2)
    arns = [world.container_instance_arn(CLUSTER, i) for i in (first, second)]
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arns[1])
    family = awsvpc_family(world)
    unknown = "0" * 32
    answer = world.ecs.start_task(
        cluster=CLUSTER,
        taskDefinition=family,
        containerInstances=[arns[0], arns[1], unknown],
        networkConfiguration=vpc_config(net["subnet"]),
        startedBy="manual",
    )
    assert [t["containerInstanceArn"] for t in answer["tasks"]] == [arns[0]]
    assert answer["failures"] == [
        {"arn": arns[1], "reason": "INACTIVE"},
        {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:container-instance/{CLUSTER}/{unknown}", "reason": "MISSING"},
    ]
    full = world.ecs.start_task(
        cluster=CLUSTER,
        taskDefinition=family,
        containerInstances=[arns[0], arns[0]],
        networkConfiguration=vpc_config(net["subnet"]),
    )
    assert len(full["tasks"]) == 1 and full["failures"] == [{"arn": arns[0], "reason": "RESOURCE:ENI"}]
    code, message = error_of(
        lambda: world.ecs.start_task(cluster=CLUSTER, taskDefinition=family, containerInstances=[arns[0]])
    )
    assert (code, message) == (
        "InvalidParameterException",
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    )


# --- StopTask, DescribeTasks, ListTasks -----------------------------------------------------------------


def test_describe_list_and_stop_tasks(world: World):
    (instance_id,), _ = ready(world)
    arn = world.container_instance_arn(CLUSTER, instance_id)
    web, batch = bridge_family(world, "web"), bridge_family(world, "batch")
    tagged = run(world, web, 3, startedBy="ci", tags=[{"key": "team", "value": "blue"}])["tasks"]
    plain = run(world, batch, 2)["tasks"]
    every = [t["taskArn"] for t in tagged + plain]

    unknown = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/{CLUSTER}/{'f' * 32}"
    answer = world.ecs.describe_tasks(cluster=CLUSTER, tasks=[every[0], unknown], include=["TAGS"])
    assert answer["tasks"][0]["tags"] == [{"key": "team", "value": "blue"}]
    assert answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]
    assert "tags" not in world.ecs.describe_tasks(cluster=CLUSTER, tasks=[every[0]])["tasks"][0]
    assert error_of(lambda: world.ecs.describe_tasks(cluster=CLUSTER, tasks=[])) == (
        "InvalidParameterException",
        "Tasks cannot be empty.",
    )

    listed = lambda **filters: world.ecs.list_tasks(cluster=CLUSTER, **filters)["taskArns"]  # noqa: E731
    assert sorted(listed()) == sorted(every)
    assert sorted(listed(family="batch")) == sorted(t["taskArn"] for t in plain)
    assert sorted(listed(startedBy="ci")) == sorted(t["taskArn"] for t in tagged)
    assert sorted(listed(containerInstance=arn)) == sorted(every)
    assert listed(launchType="FARGATE") == []
    assert error_of(lambda: listed(serviceName="svc")) == ("ServiceNotFoundException", "Service not found.")
    pages = world.ecs.get_paginator("list_tasks").paginate(cluster=CLUSTER, PaginationConfig={"PageSize": 2})
    sizes = [len(p["taskArns"]) for p in pages]
    assert sizes == [2, 2, 1]
    assert error_of(lambda: world.ecs.list_tasks(cluster=CLUSTER, nextToken="forged"))[0] == "InvalidParameterException"

    stopped = world.ecs.stop_task(cluster=CLUSTER, task=every[0].rsplit("/", 1)[-1])["task"]
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("UserInitiated", "Task stopped by user")
    assert "stoppingAt" in stopped
    assert every[0] not in listed() and listed(desiredStatus="STOPPED") == [every[0]]
    assert error_of(lambda: world.ecs.stop_task(cluster=CLUSTER, task="f" * 32)) == (
        "InvalidParameterException",
        "The referenced task was not found.",
    )
    world.settle()
    (done,) = describe(world, every[0])
    assert done["lastStatus"] == "STOPPED" and world.of_instance(CLUSTER, instance_id)["runningTasksCount"] == 4


# --- leaving instances ----------------------------------------------------------------------------------


def test_deregistering_or_terminating_an_instance_stops_its_tasks(world: World):
    """S3/S12: without force, tasks keep the instance; with force, tasks on branch ENIs stop (ECS
    deletes the trunk they ride); when the EC2 instance is terminated, its tasks stop; every task
    ENI and branch association is released."""
    (trunked,), net = ready(world, trunked=True)
    world.opt_in(role_arn("ecsInstanceRole"), "disabled")
    plain = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    assert world.explain(CLUSTER, plain)["trunked"] is False
    family = awsvpc_family(world)
    arns = {i: world.container_instance_arn(CLUSTER, i) for i in (trunked, plain)}
    network = vpc_config(net["subnet"])
    on_trunked = world.ecs.start_task(
        cluster=CLUSTER, taskDefinition=family, containerInstances=[arns[trunked]] * 3, networkConfiguration=network
    )["tasks"]
    on_plain = world.ecs.start_task(
        cluster=CLUSTER, taskDefinition=family, containerInstances=[arns[plain]], networkConfiguration=network
    )["tasks"]
    assert len(on_trunked) == 3 and len(on_plain) == 1

    assert error_of(
        lambda: world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arns[trunked])
    ) == (
        "InvalidParameterException",
        "The container instance has tasks running or pending. Stop them, or use force to deregister it.",
    )
    assert world.describe(CLUSTER, arns[trunked])["status"] == "ACTIVE"
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arns[trunked], force=True)
    world.ec2.terminate_instances(InstanceIds=[plain])
    world.settle()
    forced = describe(world, *(t["taskArn"] for t in on_trunked))
    assert {(t["lastStatus"], t["stopCode"], t["stoppedReason"]) for t in forced} == {
        ("STOPPED", "UserInitiated", "Container instance deregistered.")
    }
    (terminated,) = describe(world, on_plain[0]["taskArn"])
    assert (terminated["stopCode"], terminated["stoppedReason"]) == (
        "TerminationNotice",
        f"Host EC2 (instance {plain}) terminated.",
    )
    assert task_enis(world) == [] and world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"] == []
    assert world.describe(CLUSTER, arns[trunked])["status"] == "INACTIVE"


def test_forced_deregistration_orphans_the_tasks_and_services_replace_them(world: World):
    """AWS: tasks on a container instance deregistered with force keep running (orphaned); a
    service starts replacements elsewhere; the orphan keeps its ENI until it stops, and stops
    with its EC2 instance."""
    (first, second), net = ready(world, count=2)
    family = awsvpc_family(world)
    arns = {i: world.container_instance_arn(CLUSTER, i) for i in (first, second)}
    network = vpc_config(net["subnet"])
    world.ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=family,
        desiredCount=1,
        networkConfiguration=network,
    )
    world.settle()
    (orphan_arn,) = world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    (orphan,) = describe(world, orphan_arn)
    host = next(i for i, arn in arns.items() if arn == orphan["containerInstanceArn"])
    other = second if host == first else first  # the service may place on either
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arns[host], force=True)
    world.settle()
    (still,) = describe(world, orphan_arn)
    assert (still["lastStatus"], still["desiredStatus"]) == ("RUNNING", "RUNNING")
    assert world.describe(CLUSTER, arns[host])["status"] == "INACTIVE"
    running = world.ecs.list_tasks(cluster=CLUSTER, serviceName="web", desiredStatus="RUNNING")["taskArns"]
    replacements = [t for t in describe(world, *running) if t["taskArn"] != orphan_arn]
    assert [t["containerInstanceArn"] for t in replacements] == [arns[other]]
    (service,) = world.ecs.describe_services(cluster=CLUSTER, services=["web"])["services"]
    assert (service["runningCount"], service["desiredCount"]) == (1, 1)
    assert len(task_enis(world)) == 2  # the orphan's ENI stays attached to its host
    world.ec2.stop_instances(InstanceIds=[host])
    world.settle()
    (ended,) = describe(world, orphan_arn)
    assert (ended["lastStatus"], ended["stopCode"], ended["stoppedReason"]) == (
        "STOPPED",
        "TerminationNotice",
        f"Host EC2 (instance {host}) stopped.",
    )
    assert len(task_enis(world)) == 1


# --- idempotency ----------------------------------------------------------------------------------------


def test_a_client_token_returns_the_first_result(world: World):
    ready(world)
    family = bridge_family(world)
    first = run(world, family, 2, clientToken="deploy-42")
    again = run(world, family, 2, clientToken="deploy-42")
    assert [t["taskArn"] for t in again["tasks"]] == [t["taskArn"] for t in first["tasks"]]
    assert len(world.ecs.list_tasks(cluster=CLUSTER)["taskArns"]) == 2
    code, message = error_of(lambda: run(world, family, 3, clientToken="deploy-42"))
    assert code == "InvalidParameterException" and "clientToken" in message


# --- task groups: memberOf, distinctInstance, the query language ----------------------------------------


def test_task_groups_in_constraints_and_queries(world: World):
    ready(world, count=2)
    family = bridge_family(world)
    anchor = run(world, family, group="db")["tasks"][0]["containerInstanceArn"]
    matching = world.ecs.list_container_instances(cluster=CLUSTER, filter="task:group == db")
    assert matching["containerInstanceArns"] == [anchor]
    follow = run(world, family, 3, placementConstraints=[{"type": "memberOf", "expression": "task:group == db"}])
    assert {t["containerInstanceArn"] for t in follow["tasks"]} == {anchor}
    spread = run(world, family, 3, group="web", placementConstraints=[{"type": "distinctInstance"}])
    assert len({t["containerInstanceArn"] for t in spread["tasks"]}) == 2
    assert [f["reason"] for f in spread["failures"]] == ["DistinctInstance placement constraint unsatisfied."]
    binpacked = run(world, family, 2, group="packed", placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert {t["containerInstanceArn"] for t in binpacked["tasks"]} == {anchor}  # the fuller instance
    nowhere = run(world, family, placementConstraints=[{"type": "memberOf", "expression": "attribute:stack == prod"}])
    assert nowhere["failures"][0]["reason"] == "MemberOf placement constraint unsatisfied."


def test_binpack_follows_what_instances_have_left_as_tasks_come_and_go(world: World):
    """Binpack reads instances from the placement index (fullest that fits first, ties by ARN);
    the index follows every start and stop, and a task that fits nowhere names the fullest."""
    ready(world, count=3)
    a, b, c = sorted(world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"])
    container = {"name": "app", "image": "nginx", "cpu": 64, "memory": 1024}
    world.ecs.register_task_definition(family="gig", networkMode="bridge", containerDefinitions=[container])
    binpack = {"placementStrategy": [{"type": "binpack", "field": "memory"}]}
    memory = lambda arn: next(  # noqa: E731
        r["integerValue"] for r in world.describe(CLUSTER, arn)["remainingResources"] if r["name"] == "MEMORY"
    )
    full = memory(a)
    started = world.ecs.start_task(cluster=CLUSTER, taskDefinition="gig", containerInstances=[b])["tasks"]
    placed = run(world, "gig", 4, **binpack)["tasks"]
    # b (one task already) is fullest until it has less than 1024 MiB left; then a and c tie: a.
    on_b = (full - 1024) // 1024
    assert [t["containerInstanceArn"] for t in placed] == [b] * on_b + [a] * (4 - on_b)
    for task in started + [t for t in placed if t["containerInstanceArn"] == b]:
        world.ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])
    world.settle()
    assert memory(b) == full and memory(a) == full - (4 - on_b) * 1024
    again = run(world, "gig", 1, **binpack)["tasks"]
    assert [t["containerInstanceArn"] for t in again] == [a]
    left = memory(a)
    huge = {"name": "app", "image": "nginx", "cpu": 64, "memory": full + 1}
    world.ecs.register_task_definition(family="huge", networkMode="bridge", containerDefinitions=[huge])
    nowhere = run(world, "huge", 2, **binpack)
    assert nowhere["tasks"] == [] and nowhere["failures"] == [{"arn": a, "reason": "RESOURCE:MEMORY"}] * 2
    assert left < memory(c) == memory(b) == full


def test_network_bindings_appear_once_running(spawn: Callable[..., Server]):
    """Static host ports as given, dynamic ones from the ephemeral range (lowest free on the
    instance, per protocol), host mode on the container port; none before RUNNING, none for awsvpc;
    dynamic ports stay out of remainingResources. (A manual clock: tasks reach RUNNING in the order
    they were started, and only when the test settles.)"""
    world = World(spawn("--timing", "manual"))
    (instance_id,), net = ready(world)

    def family(name: str, mode: str, *mappings: dict[str, Any]) -> None:
        containers = [
            {"name": f"c{n}", "image": "nginx", "memory": 64, "portMappings": [mapping]}
            for n, mapping in enumerate(mappings)
        ]
        world.ecs.register_task_definition(family=name, networkMode=mode, containerDefinitions=containers)

    family("static", "bridge", {"containerPort": 80, "hostPort": 8080}, {"containerPort": 9000})
    family("dynamic", "bridge", {"containerPort": 80}, {"containerPort": 53, "protocol": "udp"})
    family("hosted", "host", {"containerPort": 8081})
    awsvpc = awsvpc_family(world)
    started = [run(world, name)["tasks"][0]["taskArn"] for name in ("static", "dynamic", "dynamic", "hosted")]
    started.append(run(world, awsvpc, networkConfiguration=vpc_config(net["subnet"]))["tasks"][0]["taskArn"])
    assert all(c["networkBindings"] == [] for t in describe(world, *started) for c in t["containers"])
    world.settle()

    def bindings(arn: str) -> list[list[tuple[int, int, str]]]:
        (task,) = describe(world, arn)
        assert task["lastStatus"] == "RUNNING"
        return [
            [(b["containerPort"], b["hostPort"], b["protocol"]) for b in c["networkBindings"]]
            for c in task["containers"]
        ]

    static, first, second, hosted, vpc = (bindings(arn) for arn in started)
    assert static == [[(80, 8080, "tcp")], [(9000, 32768, "tcp")]]
    assert sorted([first, second]) == [
        [[(80, 32769, "tcp")], [(53, 32768, "udp")]],
        [[(80, 32770, "tcp")], [(53, 32769, "udp")]],
    ]
    assert hosted == [[(8081, 8081, "tcp")]] and vpc == [[]]
    (task,) = describe(world, started[0])
    assert {b["bindIP"] for c in task["containers"] for b in c["networkBindings"]} == {"0.0.0.0"}
    remaining = world.of_instance(CLUSTER, instance_id)["remainingResources"]
    ports = next(set(r["stringSetValue"]) for r in remaining if r["name"] == "PORTS")
    assert {"8080", "8081"} <= ports and not any(p.startswith("327") for p in ports)
    # A stopped task's dynamic port goes to the next task that needs one.
    world.ecs.stop_task(cluster=CLUSTER, task=started[0])
    world.settle()
    again = run(world, "dynamic")["tasks"][0]["taskArn"]
    world.settle()
    assert bindings(again) == [[(80, 32768, "tcp")], [(53, 32770, "udp")]]


# --- the AWS CLI ----------------------------------------------------------------------------------------


def test_run_describe_and_list_with_the_aws_cli(world: World, tmp_path: Path):
    """S1 with the AWS CLI: run-task's failures, describe-tasks and list-tasks."""
    (instance_id,), net = ready(world)
    family = awsvpc_family(world)
    aws = make_cli(world.server.url, tmp_path)
    network = f"awsvpcConfiguration={{subnets=[{net['subnet']}],assignPublicIp=DISABLED}}"
    answer = aws(
        "ecs", "run-task", "--cluster", CLUSTER, "--task-definition", "web", "--count", "3",
        "--network-configuration", network,
    )  # fmt: skip
    assert [f["reason"] for f in answer["failures"]] == ["RESOURCE:ENI"] and len(answer["tasks"]) == 2
    listed = aws("ecs", "list-tasks", "--cluster", CLUSTER)["taskArns"]
    assert sorted(listed) == sorted(t["taskArn"] for t in answer["tasks"])
    described = aws("ecs", "describe-tasks", "--cluster", CLUSTER, "--tasks", *listed)["tasks"]
    assert {t["taskDefinitionArn"] for t in described} == {family}
    assert {t["attachments"][0]["type"] for t in described} == {"ElasticNetworkInterface"}
    assert len(world.enis_of(instance_id)) == 3


def test_a_stopping_instance_takes_no_task_and_its_tasks_stop(world: World):
    """AGENT: an instance whose EC2 instance is stopping cannot start tasks; once stopped, its tasks
    are STOPPED with AWS's reason."""
    (instance_id,), _ = ready(world)
    arn = world.container_instance_arn(CLUSTER, instance_id)
    family = bridge_family(world)
    (task,) = run(world, family)["tasks"]
    world.ec2.stop_instances(InstanceIds=[instance_id])
    assert run(world, family)["failures"] == [{"arn": arn, "reason": "AGENT"}]
    world.settle()
    (stopped,) = describe(world, task["taskArn"])
    assert (stopped["lastStatus"], stopped["stopCode"], stopped["stoppedReason"]) == (
        "STOPPED",
        "TerminationNotice",
        f"Host EC2 (instance {instance_id}) stopped.",
    )
    described = world.describe(CLUSTER, arn)
    assert described["agentConnected"] is False and described["runningTasksCount"] == 0
    assert {r["name"]: r for r in described["remainingResources"]}["CPU"]["integerValue"] == 2048


def test_a_task_whose_subnet_is_full_fails_to_start(world: World):
    """A /28 holds 11 addresses: the 12th Fargate task gets no ENI and stops as TaskFailedToStart;
    the call itself succeeds, as in AWS, where ENI creation fails after RunTask returned."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    net = world.network(cidr="10.0.1.0/28")
    family = fargate_family(world)
    network = vpc_config(net["subnet"])
    assert len(run(world, family, 10, launchType="FARGATE", networkConfiguration=network)["tasks"]) == 10
    last_two = run(world, family, 2, launchType="FARGATE", networkConfiguration=network)["tasks"]
    assert len(task_enis(world)) == 11
    world.settle()
    fitted, starved = describe(world, *(t["taskArn"] for t in last_two))
    assert fitted["lastStatus"] == "RUNNING"
    assert (starved["lastStatus"], starved["stopCode"]) == ("STOPPED", "TaskFailedToStart")
    assert "InsufficientFreeAddressesInSubnet" in starved["stoppedReason"]
    assert details(starved["attachments"][0]) == [("subnetId", net["subnet"])]
