"""ENI trunking end to end, as the reference page walks through it: the service-linked role, the
per-role opt-in, an instance that registers through REGISTERING to ACTIVE with a trunk ENI, the
instances that get no trunk and why, registration failures, deregistration and termination
releasing the trunk, and the agent losing its connection after a stop and start.

Seed requirements covered: S2, S3, S4, S5, S6, S7, S10, S11, S12, S13, S14, S15, S16.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import ACCOUNT, Server, make_cli
from ecs_world import TRUNK_ID, WINDOWS, World, attributes, config_script, role_arn
from legacy_account import without_ecs_role

CLUSTER = "trunks"


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


def reasons(explained: dict[str, Any]) -> set[str]:
    return {r["code"] for r in explained["reasons"]}


def ready(world: World, *roles: str) -> dict[str, str]:
    """A cluster (which creates ECS's service-linked role), instance roles, and a private network."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    for role in roles:
        world.instance_role(role)
    return world.network()


# --- the reference walk-through ---------------------------------------------------------------------


def test_reference_walk_through_trunk_from_registering_to_active(spawn: Callable[..., Server], tmp_path: Path):
    """S3, S10, S11, S14, S15, S16, S2: the documented steps with the AWS CLI, on a manual clock."""
    server = spawn("--timing", "manual")
    world = World(server)
    aws = make_cli(server.url, tmp_path)
    slr = aws("iam", "create-service-linked-role", "--aws-service-name", "ecs.amazonaws.com")["Role"]
    assert slr["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
    world.instance_role("ecsInstanceRole")
    setting = aws(
        "ecs", "put-account-setting", "--name", "awsvpcTrunking", "--value", "enabled",
        "--principal-arn", role_arn("ecsInstanceRole"),
    )["setting"]  # fmt: skip
    assert setting == {
        "name": "awsvpcTrunking",
        "value": "enabled",
        "principalArn": role_arn("ecsInstanceRole"),
        "type": "user",
    }
    aws("ecs", "create-cluster", "--cluster-name", CLUSTER)
    net = world.network()
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))

    world.advance(15)  # pending -> running: the agent starts
    assert world.agent(instance_id)["state"] == "starting"
    assert world.trunking(CLUSTER) == []
    world.advance(20)  # the agent registers: REGISTERING while the trunk is provisioned
    arn = world.container_instance_arn(CLUSTER, instance_id)
    described = aws("ecs", "describe-container-instances", "--cluster", CLUSTER, "--container-instances", arn)
    (registering,) = described["containerInstances"]
    assert registering["status"] == "REGISTERING" and registering["version"] == 1
    assert registering["attachments"] == [] and TRUNK_ID not in attributes(registering)
    assert world.capacity(CLUSTER)["containerInstances"][0]["awsvpcTaskLimit"] == 0  # nothing fits yet

    world.advance(10)  # ecs.trunk.provision
    active = world.describe(CLUSTER, arn)
    assert active["status"] == "ACTIVE" and active["version"] == 2 and active["agentConnected"] is True
    trunk_id = attributes(active)[TRUNK_ID]
    listed = aws(
        "ecs", "list-attributes", "--target-type", "container-instance",
        "--attribute-name", TRUNK_ID, "--cluster", CLUSTER,
    )["attributes"]  # fmt: skip
    assert [(a["name"], a["value"], a["targetId"]) for a in listed] == [(TRUNK_ID, trunk_id, arn)]

    (attachment,) = active["attachments"]
    details = {d["name"]: d["value"] for d in attachment["details"]}
    assert attachment["id"] == trunk_id
    assert attachment["type"] == "ElasticNetworkInterface" and attachment["status"] == "ATTACHED"
    enis = {e["NetworkInterfaceId"]: e for e in world.enis_of(instance_id)}
    trunk = enis[details["networkInterfaceId"]]
    assert trunk["InterfaceType"] == "trunk" and trunk["RequesterManaged"] is True
    assert trunk["Groups"] == [{"GroupId": net["default_sg"], "GroupName": "default"}]  # S14
    assert trunk["Attachment"]["DeviceIndex"] == 1 and trunk["Attachment"]["Status"] == "attached"
    assert trunk["SubnetId"] == net["subnet"] == details["subnetId"]
    assert details["macAddress"] == trunk["MacAddress"]
    assert details["privateIPv4Address"] == trunk["PrivateIpAddress"]
    assert details["privateDnsName"] == trunk["PrivateDnsName"]

    explained = world.explain(CLUSTER, instance_id)
    assert explained["trunkingApplies"] is True and explained["trunked"] is True and explained["reasons"] == []
    assert explained["registeredBy"] == role_arn("ecsInstanceRole") and explained["settingSource"] == "principal"
    (row,) = world.capacity(CLUSTER)["containerInstances"]
    assert (row["trunked"], row["awsvpcTaskLimit"], row["awsvpcTasksInUse"], row["awsvpcTasksAvailable"]) == (
        True,
        10,
        0,
        10,
    )
    assert (row["eniLimit"], row["limitSource"]) == (12, "published")  # S2: primary + trunk + 10 branches


def test_registration_events_carry_each_version(world: World):
    """S11: every transition is a container instance state change event with the record's version."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    arn = world.container_instance_arn(CLUSTER, instance_id)
    answer = world.server.get(
        f"/_trunkline/events?detail-type=ECS%20Container%20Instance%20State%20Change&cluster={CLUSTER}"
    )
    answer.raise_for_status()
    details = [e["detail"] for e in answer.json()["events"] if e["resources"] == [arn]]
    assert [(d["status"], d["version"]) for d in details] == [("REGISTERING", 1), ("ACTIVE", 2)]
    assert details[-1]["attachments"][0]["status"] == "ATTACHED"
    assert world.describe(CLUSTER, arn)["version"] == 2


# --- who gets no trunk, and why ---------------------------------------------------------------------


def test_only_the_opted_in_role_gets_a_trunk(world: World):
    """S15, S16: two instance roles, one opted in; the other's instance registers ACTIVE untrunked."""
    net = ready(world, "trunkedRole", "plainRole")
    world.opt_in(role_arn("trunkedRole"))
    trunked = world.launch(net["subnet"], "trunkedRole", config_script(CLUSTER))
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    listed = world.ecs.list_attributes(cluster=CLUSTER, targetType="container-instance", attributeName=TRUNK_ID)
    assert [a["targetId"] for a in listed["attributes"]] == [world.container_instance_arn(CLUSTER, trunked)]
    untrunked = world.of_instance(CLUSTER, plain)
    assert untrunked["status"] == "ACTIVE" and untrunked["attachments"] == []
    explained = world.explain(CLUSTER, plain)
    assert reasons(explained) == {"account-setting"} and explained["trunked"] is False
    assert explained["registeredBy"] == role_arn("plainRole") and explained["awsvpcTrunking"] == "disabled"
    assert "arn:aws:iam::123456789012:role/plainRole" in explained["reasons"][0]["message"]
    assert [e["InterfaceType"] for e in world.enis_of(plain)] == ["interface"]
    rows = {r["ec2InstanceId"]: r for r in world.capacity(CLUSTER)["containerInstances"]}
    assert (rows[plain]["awsvpcTaskLimit"], rows[trunked]["awsvpcTaskLimit"]) == (2, 10)  # S1, S2
    assert (rows[plain]["eniLimit"], rows[trunked]["eniLimit"]) == (3, 12)


def test_an_instance_registered_before_the_opt_in_never_gets_a_trunk(world: World):
    """S5: opting in later, even with a stop and start (re-registration), changes nothing."""
    net = ready(world, "ecsInstanceRole")
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    arn = world.container_instance_arn(CLUSTER, instance_id)
    world.opt_in(role_arn("ecsInstanceRole"))
    world.ec2.stop_instances(InstanceIds=[instance_id])
    world.settle()
    world.ec2.start_instances(InstanceIds=[instance_id])
    world.settle()
    again = world.of_instance(CLUSTER, instance_id)
    assert again["containerInstanceArn"] == arn and again["agentConnected"] is True
    assert again["status"] == "ACTIVE" and TRUNK_ID not in attributes(again) and again["attachments"] == []
    explained = world.explain(CLUSTER, instance_id)
    assert reasons(explained) == {"account-setting"} and "(S5)" in explained["reasons"][0]["message"]
    assert world.trunk_enis() == []
    newcomer = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    assert world.explain(CLUSTER, newcomer)["trunked"] is True


def test_deregistering_an_instance_launched_before_the_opt_in_does_not_trunk_it(world: World):
    """S5 follows the EC2 instance: opt in, deregister, stop and start; the agent registers a new
    container instance, and that one has no trunk either."""
    net = ready(world, "ecsInstanceRole")
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    first = world.container_instance_arn(CLUSTER, instance_id)
    world.opt_in(role_arn("ecsInstanceRole"))
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=first)
    world.ec2.stop_instances(InstanceIds=[instance_id])
    world.settle()
    world.ec2.start_instances(InstanceIds=[instance_id])
    world.settle()
    again = world.of_instance(CLUSTER, instance_id)
    assert again["containerInstanceArn"] != first and again["status"] == "ACTIVE"
    assert TRUNK_ID not in attributes(again) and again["attachments"] == [] and world.trunk_enis() == []
    explained = world.trunking(CLUSTER, instance_id)[-1]  # the newest of its two registrations
    assert explained["containerInstanceArn"] == again["containerInstanceArn"]
    assert explained["awsvpcTrunking"] == "enabled" and explained["trunked"] is False
    assert reasons(explained) == {"account-setting"}
    assert "first registered" in explained["reasons"][0]["message"]
    assert world.capacity(CLUSTER)["containerInstances"][-1]["awsvpcTaskLimit"] == 2


def test_windows_instances_are_not_trunked(world: World):
    """S4: the Windows agent never advertises trunking."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    script = f"<powershell>\nImport-Module ECSTools\nInitialize-ECSAgent -Cluster {CLUSTER} -EnableTaskIAMRole\n</powershell>"
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", script, image=world.image(WINDOWS))
    world.settle()
    described = world.of_instance(CLUSTER, instance_id)
    found = attributes(described)
    assert found["ecs.os-type"] == "windows" and found["ecs.os-family"] == "WINDOWS_SERVER_2022_FULL"
    assert "ecs.capability.task-eni-trunking" not in found and described["status"] == "ACTIVE"
    explained = world.explain(CLUSTER, instance_id)
    assert reasons(explained) == {"operating-system", "agent-capability"}
    assert "Linux only" in " ".join(r["message"] for r in explained["reasons"])


def test_an_agent_older_than_1_28_1_gets_no_trunk(world: World):
    """S4: the 2018 ECS AMI ships agent 1.21.0."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    image = world.old_image()
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER), image=image)
    world.settle()
    described = world.of_instance(CLUSTER, instance_id)
    assert described["versionInfo"]["agentVersion"] == "1.21.0" and described["status"] == "ACTIVE"
    assert attributes(described)["ecs.ami-id"] == image
    assert "ecs.capability.task-eni-trunking" not in attributes(described)
    assert "ecs.capability.task-eni" in attributes(described)
    explained = world.explain(CLUSTER, instance_id)
    assert reasons(explained) == {"agent-version", "agent-capability"}


def test_instance_types_without_trunking_support_keep_their_limit(world: World):
    """S2: t3.medium is not on the supported list; it keeps 2 awsvpc tasks."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER), instance_type="t3.medium")
    world.settle()
    explained = world.explain(CLUSTER, instance_id)
    assert reasons(explained) == {"instance-type"}
    assert explained["reasons"][0]["message"] == "instance type t3.medium does not support ENI trunking"
    (row,) = world.capacity(CLUSTER)["containerInstances"]
    assert (row["trunked"], row["awsvpcTaskLimit"], row["awsvpcTasksAvailable"]) == (False, 2, 2)


def test_high_density_eni_disabled_in_ecs_config(world: World):
    """S4 (agent side): ECS_ENABLE_HIGH_DENSITY_ENI=false drops the trunking capability, not task ENIs;
    ECS_ENABLE_TASK_ENI=false drops both."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    dense_off = world.launch(
        net["subnet"], "ecsInstanceRole", config_script(CLUSTER, "ECS_ENABLE_HIGH_DENSITY_ENI=false")
    )
    eni_off = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER, "ECS_ENABLE_TASK_ENI=false"))
    world.settle()
    found = attributes(world.of_instance(CLUSTER, dense_off))
    assert "ecs.capability.task-eni" in found and "ecs.capability.task-eni-trunking" not in found
    explained = world.explain(CLUSTER, dense_off)
    assert reasons(explained) == {"agent-capability"}
    assert explained["reasons"][0]["message"].endswith("ECS_ENABLE_HIGH_DENSITY_ENI=false in /etc/ecs/ecs.config")
    found = attributes(world.of_instance(CLUSTER, eni_off))
    assert "ecs.capability.task-eni" not in found and "ecs.capability.task-eni-trunking" not in found


def test_the_account_default_opts_in_every_principal_without_its_own_setting(world: World):
    """S15: PutAccountSettingDefault opts in everyone; a principal's explicit `disabled` wins."""
    net = ready(world, "defaultRole", "refusingRole")
    world.ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")
    world.opt_in(role_arn("refusingRole"), "disabled")
    by_default = world.launch(net["subnet"], "defaultRole", config_script(CLUSTER))
    refusing = world.launch(net["subnet"], "refusingRole", config_script(CLUSTER))
    world.settle()
    inherited = world.explain(CLUSTER, by_default)
    assert inherited["trunked"] is True and inherited["settingSource"] == "account-default"
    explicit = world.explain(CLUSTER, refusing)
    assert explicit["trunked"] is False and reasons(explicit) == {"account-setting"}
    assert explicit["settingSource"] == "principal" and "its own setting" in explicit["reasons"][0]["message"]


# --- registration failures --------------------------------------------------------------------------


def test_a_shared_subnet_fails_registration_and_deregistration_cleans_up(world: World):
    """S7, S10, S11: REGISTRATION_FAILED with AWS's statusReason; no trunk; deregistered to INACTIVE."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network(owner="210987654321")
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    failed = world.of_instance(CLUSTER, instance_id)
    assert failed["status"] == "REGISTRATION_FAILED" and failed["version"] == 2
    assert failed["statusReason"] == (
        f"Unexpected EC2 error while attempting to Create Network Interface in subnet '{net['subnet']}': "
        "InvalidParameterValue"
    )
    assert world.trunk_enis() == []
    explained = world.explain(CLUSTER, instance_id)
    assert reasons(explained) == {"registration-failed"} and explained["statusReason"] == failed["statusReason"]
    gone = world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=failed["containerInstanceArn"])
    assert gone["containerInstance"]["status"] == "DEREGISTERING" and gone["containerInstance"]["version"] == 3
    world.settle()
    inactive = world.describe(CLUSTER, failed["containerInstanceArn"])
    assert inactive["status"] == "INACTIVE" and inactive["version"] == 4 and inactive["agentConnected"] is False


def test_resource_name_dns_a_records_fail_registration_and_termination_deletes_the_trunk(world: World):
    """S6, S10, S3: the trunk is created but cannot attach; terminating the instance deletes it."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    options = {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": True}
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER), PrivateDnsNameOptions=options)
    world.settle()
    failed = world.of_instance(CLUSTER, instance_id)
    assert failed["status"] == "REGISTRATION_FAILED"
    assert failed["statusReason"] == (
        f"Unexpected EC2 error while attempting to Attach Network Interface to instance '{instance_id}': "
        "UnsupportedOperation"
    )
    (leftover,) = world.trunk_enis()
    assert leftover["Status"] == "available" and "Attachment" not in leftover
    assert world.explain(CLUSTER, instance_id)["trunkNetworkInterfaceId"] == leftover["NetworkInterfaceId"]
    world.ec2.terminate_instances(InstanceIds=[instance_id])
    world.settle()
    assert world.trunk_enis() == []
    assert world.describe(CLUSTER, failed["containerInstanceArn"])["status"] == "INACTIVE"


def test_turning_the_a_record_off_before_launch_lets_trunking_work(world: World):
    """S6: with resource-based A records off (the default), the same instance is trunked."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    options = {"HostnameType": "resource-name", "EnableResourceNameDnsARecord": False}
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER), PrivateDnsNameOptions=options)
    world.settle()
    assert world.of_instance(CLUSTER, instance_id)["status"] == "ACTIVE"


def test_a_missing_service_linked_role_fails_registration(spawn: Callable[..., Server]):
    """S15: without AWSServiceRoleForECS, ECS cannot create the trunk."""
    before = World(spawn())
    net = ready(before, "ecsInstanceRole")
    before.opt_in(role_arn("ecsInstanceRole"))
    world = World(without_ecs_role(spawn, before.server))  # a cluster, and no role: a legacy account
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    failed = world.of_instance(CLUSTER, instance_id)
    assert failed["status"] == "REGISTRATION_FAILED"
    assert failed["statusReason"] == (
        "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
    )
    assert world.trunk_enis() == []


def test_an_exhausted_subnet_fails_registration(world: World):
    """S10: a /28 holds 11 addresses; with the instance's primary taking the last, no trunk fits."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network(cidr="10.0.1.0/28")
    for _ in range(10):
        world.ec2.create_network_interface(SubnetId=net["subnet"])
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    failed = world.of_instance(CLUSTER, instance_id)
    assert failed["status"] == "REGISTRATION_FAILED"
    assert failed["statusReason"] == (
        f"Unexpected EC2 error while attempting to Create Network Interface in subnet '{net['subnet']}': "
        "InsufficientFreeAddressesInSubnet"
    )


# --- leaving ----------------------------------------------------------------------------------------


def test_deregistration_goes_through_deregistering_and_deletes_the_trunk(world: World):
    """S12, S3: DEREGISTERING while the trunk is released, then INACTIVE; the trunk is gone."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    arn = world.container_instance_arn(CLUSTER, instance_id)
    (trunk,) = world.trunk_enis()
    answer = world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=arn.rsplit("/", 1)[1])
    leaving = answer["containerInstance"]
    assert leaving["status"] == "DEREGISTERING" and leaving["attachments"][0]["status"] == "DETACHING"
    world.settle()
    inactive = world.describe(CLUSTER, arn)
    assert inactive["status"] == "INACTIVE" and inactive["attachments"] == []
    assert TRUNK_ID not in attributes(inactive)
    assert world.trunk_enis() == []
    with pytest.raises(world.ec2.exceptions.ClientError) as missing:
        world.ec2.describe_network_interfaces(NetworkInterfaceIds=[trunk["NetworkInterfaceId"]])
    assert missing.value.response["Error"]["Code"] == "InvalidNetworkInterfaceID.NotFound"
    assert [e["InterfaceType"] for e in world.enis_of(instance_id)] == ["interface"]
    listed = world.ecs.list_attributes(cluster=CLUSTER, targetType="container-instance", attributeName=TRUNK_ID)
    assert listed["attributes"] == []


def test_terminating_the_instance_deregisters_it_and_deletes_the_trunk(world: World):
    """S3: "ECS … deletes it when the instance is … removed from the cluster"."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    arn = world.container_instance_arn(CLUSTER, instance_id)
    world.ec2.terminate_instances(InstanceIds=[instance_id])
    world.settle()
    assert world.describe(CLUSTER, arn)["status"] == "INACTIVE"
    assert world.trunk_enis() == []
    assert world.agent(instance_id)["state"] == "terminated"


# --- stop and start (S13) -----------------------------------------------------------------------------


def test_a_trunked_instance_in_a_public_subnet_loses_its_agent_after_stop_and_start(world: World):
    """S13: the public IP goes at stop and none comes back (two ENIs); the agent stays disconnected,
    while an untrunked neighbour reconnects with a new public IP."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("trunkedRole")
    world.instance_role("plainRole")
    world.opt_in(role_arn("trunkedRole"))
    net = world.network(public=True)
    trunked = world.launch(net["subnet"], "trunkedRole", config_script(CLUSTER))
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    assert "PublicIpAddress" in world.instance(trunked) and world.explain(CLUSTER, trunked)["trunked"] is True

    world.ec2.stop_instances(InstanceIds=[trunked, plain])
    world.settle()
    stopped = world.of_instance(CLUSTER, trunked)
    assert stopped["agentConnected"] is False and stopped["status"] == "ACTIVE"
    world.ec2.start_instances(InstanceIds=[trunked, plain])
    world.settle()

    assert "PublicIpAddress" not in world.instance(trunked)
    after = world.of_instance(CLUSTER, trunked)
    assert after["agentConnected"] is False and after["version"] == stopped["version"]
    agent = world.agent(trunked)
    assert agent["state"] == "disconnected" and "S13" in agent["reason"]
    assert "PublicIpAddress" in world.instance(plain)
    assert world.of_instance(CLUSTER, plain)["agentConnected"] is True


def test_a_trunked_instance_changes_type_only_to_one_with_room_and_ecs_refuses_the_change(world: World):
    """The trunk counts against the new type's network interfaces: a stopped trunked c5.large with
    one more ENI (three) cannot become a t3.micro (two); it can become an m5.large, and then its
    agent's re-registration is refused, as ECS refuses a container instance type change."""
    net = ready(world, "ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    registered = world.of_instance(CLUSTER, instance_id)
    extra = world.ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    world.ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=instance_id, DeviceIndex=2)
    world.ec2.stop_instances(InstanceIds=[instance_id])
    world.settle()
    assert sorted(e["InterfaceType"] for e in world.enis_of(instance_id)) == ["interface", "interface", "trunk"]
    with pytest.raises(world.ec2.exceptions.ClientError) as refused:
        world.ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.micro"})
    assert refused.value.response["Error"] == {
        "Code": "InvalidInstanceAttributeValue",
        "Message": "Modifying the instance type from c5.large to t3.micro is not allowed. The instance "
        f"'{instance_id}' has 3 network interfaces attached; t3.micro supports at most 2.",
    }
    assert world.instance(instance_id)["InstanceType"] == "c5.large"
    world.ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "m5.large"})
    world.ec2.start_instances(InstanceIds=[instance_id])
    world.settle()
    agent = world.agent(instance_id)
    assert agent["state"] == "failed"
    assert agent["reason"] == "RegisterContainerInstance failed: ClientException: " + (
        "Container instance type changes are not supported."
    )
    after = world.of_instance(CLUSTER, instance_id)
    assert after["containerInstanceArn"] == registered["containerInstanceArn"]
    assert attributes(after)["ecs.instance-type"] == "c5.large" and after["agentConnected"] is False


# --- ENI capacity, derived from the ledger --------------------------------------------------------------


def test_eni_capacity_counts_what_the_ledger_holds(world: World):
    """S1, S2: an untrunked c5.large has 2 task ENI slots, a trunked one 10, and each branch ENI
    carried by its trunk takes one. Only ECS hangs branches on its trunk (three tasks here): the
    account's own branch is refused and takes none. An ENI the account attached by hand is not
    counted: ECS "only accounts for the ENIs that it attaches"."""
    net = ready(world, "trunkedRole", "plainRole")
    world.opt_in(role_arn("trunkedRole"))
    trunked = world.launch(net["subnet"], "trunkedRole", config_script(CLUSTER))
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    extra = world.ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    world.ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=plain, DeviceIndex=1)
    trunk_id = world.explain(CLUSTER, trunked)["trunkNetworkInterfaceId"]
    branch = world.ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="branch")
    with pytest.raises(world.ec2.exceptions.ClientError) as refused:
        world.ec2.associate_trunk_interface(
            BranchInterfaceId=branch["NetworkInterface"]["NetworkInterfaceId"], TrunkInterfaceId=trunk_id
        )
    assert refused.value.response["Error"]["Code"] == "OperationNotPermitted"
    container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 256}
    world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
    started = world.ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        count=3,
        placementConstraints=[{"type": "memberOf", "expression": f"ec2InstanceId == {trunked}"}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": [net["subnet"]]}},
    )
    assert started["failures"] == [] and len(started["tasks"]) == 3
    world.settle()
    answer = world.capacity(CLUSTER)
    rows = {r["ec2InstanceId"]: r for r in answer["containerInstances"]}
    fields = ("trunked", "eniLimit", "awsvpcTaskLimit", "awsvpcTasksInUse", "awsvpcTasksAvailable")
    assert {k: rows[plain][k] for k in fields} == {
        "trunked": False,
        "eniLimit": 3,
        "awsvpcTaskLimit": 2,
        "awsvpcTasksInUse": 0,
        "awsvpcTasksAvailable": 2,
    }
    assert [rows[trunked][k] for k in fields] == [True, 12, 10, 3, 7]
    assert answer["awsvpcTasksAvailable"] == 9
    assert world.server.get("/_trunkline/container-instances/capacity?cluster=nowhere").status_code == 404


def test_a_hand_attached_eni_makes_an_untrunked_task_fail_to_start(world: World):
    """ECS places by the ENIs it attached; the account's own ENI takes EC2's last slot, so the
    second task is placed, then stops with TaskFailedToStart when EC2 refuses its ENI (its ENI is
    deleted, the slot stays free for the count)."""
    net = ready(world, "plainRole")
    plain = world.launch(net["subnet"], "plainRole", config_script(CLUSTER))
    world.settle()
    extra = world.ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    world.ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=plain, DeviceIndex=1)
    container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 256}
    world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
    awsvpc = {"awsvpcConfiguration": {"subnets": [net["subnet"]]}}
    started = world.ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=2, networkConfiguration=awsvpc)
    assert started["failures"] == [] and len(started["tasks"]) == 2
    world.settle()
    arns = [t["taskArn"] for t in started["tasks"]]
    described = {t["taskArn"]: t for t in world.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]}
    first, second = (described[a] for a in arns)
    assert first["lastStatus"] == "RUNNING"
    assert second["lastStatus"] == "STOPPED" and second["stopCode"] == "TaskFailedToStart"
    assert second["stoppedReason"].endswith(f"Attach Network Interface to instance '{plain}': AttachmentLimitExceeded")
    kinds = sorted((e["InterfaceType"], e.get("RequesterManaged", False)) for e in world.enis_of(plain))
    assert kinds == [("interface", False), ("interface", False), ("interface", True)]
    (row,) = world.capacity(CLUSTER)["containerInstances"]
    assert (row["awsvpcTasksInUse"], row["awsvpcTasksAvailable"]) == (1, 1)
