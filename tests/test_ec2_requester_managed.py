"""ENIs ECS creates for itself are requester-managed, and "ENIs created by ECS can't be detached
manually or modified by your account": an account's Detach/Delete/Attach and trunk associations
on them are refused with OperationNotPermitted and change nothing, while ECS still releases them."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Server
from ec2_world import digest, error_of
from ecs_world import World, config_script, role_arn

CLUSTER = "managed"


@pytest.fixture
def world(server: Server) -> World:
    return World(server)


def trunked_instance(world: World, **launch: Any) -> tuple[str, dict[str, str]]:
    """A registered container instance whose agent opted in to trunking (its trunk ENI is ECS's)."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    world.opt_in(role_arn("ecsInstanceRole"))
    net = world.network()
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER), **launch)
    world.settle()
    return instance_id, net


def refusal(call: Any, **kwargs: Any) -> tuple[str, str]:
    code, message, status = error_of(call, **kwargs)
    assert status == 400
    return code, message


def not_yours(eni_id: str) -> tuple[str, str]:
    return "OperationNotPermitted", f"You are not allowed to manage requester-managed network interface '{eni_id}'."


def test_the_trunk_cannot_be_detached_or_deleted_by_the_account(world: World):
    trunked_instance(world)
    (trunk,) = world.trunk_enis()
    assert trunk["RequesterManaged"] is True and trunk["RequesterId"] == "amazon-ecs"
    trunk_id = trunk["NetworkInterfaceId"]
    before = digest(world.server)
    attachment_id = trunk["Attachment"]["AttachmentId"]
    assert refusal(world.ec2.detach_network_interface, AttachmentId=attachment_id) == not_yours(trunk_id)
    assert refusal(world.ec2.detach_network_interface, AttachmentId=attachment_id, Force=True) == not_yours(trunk_id)
    assert refusal(world.ec2.delete_network_interface, NetworkInterfaceId=trunk_id) == not_yours(trunk_id)
    assert digest(world.server) == before
    (still,) = world.trunk_enis()
    assert still["Status"] == "in-use" and still["Attachment"]["Status"] == "attached"


def test_the_account_cannot_hang_its_branches_on_the_trunk(world: World):
    _, net = trunked_instance(world)
    (trunk,) = world.trunk_enis()
    trunk_id = trunk["NetworkInterfaceId"]
    branch = world.ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="branch")["NetworkInterface"]
    before = digest(world.server)
    code, message = refusal(
        world.ec2.associate_trunk_interface, BranchInterfaceId=branch["NetworkInterfaceId"], TrunkInterfaceId=trunk_id
    )
    assert (code, message) == not_yours(trunk_id)
    assert digest(world.server) == before
    listed = world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]
    assert listed == []


def test_the_account_cannot_use_ecs_enis_as_branches(world: World):
    """The trunk offered as the branch end is refused for the same reason, before its type is looked at."""
    _, net = trunked_instance(world)
    (trunk,) = world.trunk_enis()
    trunk_id = trunk["NetworkInterfaceId"]
    own = world.ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="trunk")["NetworkInterface"]
    before = digest(world.server)
    code, message = refusal(
        world.ec2.associate_trunk_interface, BranchInterfaceId=trunk_id, TrunkInterfaceId=own["NetworkInterfaceId"]
    )
    assert (code, message) == not_yours(trunk_id)
    assert digest(world.server) == before


def test_an_unattached_trunk_cannot_be_attached_or_deleted_by_the_account(world: World):
    """With resource-name DNS A records on, ECS creates the trunk but cannot attach it; it waits for
    deregistration to delete it, and the account may neither attach nor delete it meanwhile."""
    options = {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": True}
    instance_id, _ = trunked_instance(world, PrivateDnsNameOptions=options)
    (trunk,) = world.trunk_enis()
    trunk_id = trunk["NetworkInterfaceId"]
    assert trunk["Status"] == "available" and trunk["RequesterManaged"] is True
    before = digest(world.server)
    attach = world.ec2.attach_network_interface
    assert refusal(attach, NetworkInterfaceId=trunk_id, InstanceId=instance_id, DeviceIndex=1) == not_yours(trunk_id)
    assert refusal(world.ec2.delete_network_interface, NetworkInterfaceId=trunk_id) == not_yours(trunk_id)
    assert digest(world.server) == before

    world.ec2.terminate_instances(InstanceIds=[instance_id])  # ECS still cleans up after itself
    world.settle()
    assert world.trunk_enis() == []


def test_unknown_ids_are_still_not_found(world: World):
    """The refusal is about ECS's ENIs only: a missing attachment or ENI keeps its NotFound."""
    trunked_instance(world)
    before = digest(world.server)
    code, message = refusal(world.ec2.detach_network_interface, AttachmentId="eni-attach-0123456789abcdef0")
    assert (code, message) == (
        "InvalidAttachmentID.NotFound",
        "The attachment ID 'eni-attach-0123456789abcdef0' does not exist",
    )
    code, message = refusal(world.ec2.delete_network_interface, NetworkInterfaceId="eni-0123456789abcdef0")
    assert (code, message) == (
        "InvalidNetworkInterfaceID.NotFound",
        "The networkInterface ID 'eni-0123456789abcdef0' does not exist",
    )
    assert digest(world.server) == before


def test_the_account_may_still_tag_the_trunk(world: World):
    """Tags are the account's bookkeeping, not a change to the interface (docs/decisions.md)."""
    trunked_instance(world)
    (trunk,) = world.trunk_enis()
    world.ec2.create_tags(Resources=[trunk["NetworkInterfaceId"]], Tags=[{"Key": "team", "Value": "net"}])
    (tagged,) = world.trunk_enis()
    assert tagged["TagSet"] == [{"Key": "team", "Value": "net"}]


def run_awsvpc_task(world: World, subnet: str) -> str:
    """One awsvpc task on the cluster's instance, settled to RUNNING; its ARN."""
    container = {"name": "app", "image": "nginx", "cpu": 128, "memory": 256}
    world.ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[container])
    network = {"awsvpcConfiguration": {"subnets": [subnet]}}
    answer = world.ecs.run_task(cluster=CLUSTER, taskDefinition="web", networkConfiguration=network)
    assert answer["failures"] == []
    world.settle()
    return str(answer["tasks"][0]["taskArn"])


def test_a_task_branch_eni_and_its_trunk_association_belong_to_ecs(world: World):
    """On a trunked instance the task's branch ENI rides ECS's trunk: the account can neither delete
    the branch nor undo or redo its association; stopping the task releases both."""
    _, net = trunked_instance(world)
    task = run_awsvpc_task(world, net["subnet"])
    (association,) = world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"]
    branch_id = association["BranchInterfaceId"]
    (branch,) = world.ec2.describe_network_interfaces(NetworkInterfaceIds=[branch_id])["NetworkInterfaces"]
    assert branch["InterfaceType"] == "branch" and branch["RequesterManaged"] is True
    own_trunk = world.ec2.create_network_interface(SubnetId=net["subnet"], InterfaceType="trunk")["NetworkInterface"]
    before = digest(world.server)
    assert refusal(world.ec2.delete_network_interface, NetworkInterfaceId=branch_id) == not_yours(branch_id)
    code, message = refusal(world.ec2.disassociate_trunk_interface, AssociationId=association["AssociationId"])
    assert (code, message) == not_yours(branch_id)
    code, message = refusal(
        world.ec2.associate_trunk_interface,
        BranchInterfaceId=branch_id,
        TrunkInterfaceId=own_trunk["NetworkInterfaceId"],
    )
    assert (code, message) == not_yours(branch_id)
    assert digest(world.server) == before

    world.ecs.stop_task(cluster=CLUSTER, task=task)
    world.settle()
    assert world.ec2.describe_trunk_interface_associations()["InterfaceAssociations"] == []
    code, _ = refusal(world.ec2.describe_network_interfaces, NetworkInterfaceIds=[branch_id])
    assert code == "InvalidNetworkInterfaceID.NotFound"


def test_an_untrunked_task_eni_cannot_be_detached_by_the_account(world: World):
    """Without a trunk the task's ENI is attached to the instance itself, and stays so."""
    world.ecs.create_cluster(clusterName=CLUSTER)
    world.instance_role("ecsInstanceRole")
    net = world.network()
    instance_id = world.launch(net["subnet"], "ecsInstanceRole", config_script(CLUSTER))
    world.settle()
    run_awsvpc_task(world, net["subnet"])
    (task_eni,) = [e for e in world.enis_of(instance_id) if e["RequesterManaged"]]
    eni_id = task_eni["NetworkInterfaceId"]
    before = digest(world.server)
    attachment_id = task_eni["Attachment"]["AttachmentId"]
    assert refusal(world.ec2.detach_network_interface, AttachmentId=attachment_id, Force=True) == not_yours(eni_id)
    assert refusal(world.ec2.delete_network_interface, NetworkInterfaceId=eni_id) == not_yours(eni_id)
    assert digest(world.server) == before


def test_the_trunk_cannot_be_modified_by_the_account(world: World):
    trunked_instance(world)
    (trunk,) = world.trunk_enis()
    trunk_id = trunk["NetworkInterfaceId"]
    before = digest(world.server)
    assert refusal(
        world.ec2.modify_network_interface_attribute, NetworkInterfaceId=trunk_id, SourceDestCheck={"Value": False}
    ) == not_yours(trunk_id)
    assert digest(world.server) == before
