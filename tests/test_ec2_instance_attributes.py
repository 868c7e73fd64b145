"""Changing a launched instance (session 8): ModifyInstanceAttribute (one attribute per call; the
instance type, user data and EBS optimization only while stopped; termination and stop protection;
security groups and the source/destination check on the only network interface) and
ModifyInstanceMetadataOptions, read back through DescribeInstanceAttribute and DescribeInstances."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import ec2_world
from conftest import CliError
from ec2_world import digest, error_of, network, settle


@pytest.fixture
def net(ec2: Any) -> dict[str, str]:
    return network(ec2)


def _instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return found


def _attribute(ec2: Any, instance_id: str, attribute: str, member: str) -> Any:
    return ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=attribute)[member]


def _stopped(server: Any, ec2: Any, instance_id: str) -> None:
    settle(server)
    ec2.stop_instances(InstanceIds=[instance_id])
    settle(server)
    assert _instance(ec2, instance_id)["State"]["Name"] == "stopped"


# --- the instance type and user data: only while stopped ------------------------------------------


def test_instance_type_changes_only_while_stopped(server, ec2, net):
    instance_id = ec2.run_instances(
        ImageId=ec2_world.image(server.client("ssm")),
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        CpuOptions={"CoreCount": 1, "ThreadsPerCore": 1},
        CreditSpecification={"CpuCredits": "standard"},
    )["Instances"][0]["InstanceId"]
    settle(server)
    before = digest(server)
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, InstanceType={"Value": "m5.xlarge"}) == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in the 'stopped' state.",
        400,
    )
    assert digest(server) == before
    _stopped(server, ec2, instance_id)
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "m5.xlarge"})
    instance = _instance(ec2, instance_id)
    assert instance["InstanceType"] == "m5.xlarge"
    # the new type's CPU defaults, not the old type's one thread
    assert instance["CpuOptions"] == {"CoreCount": 2, "ThreadsPerCore": 2}
    assert _attribute(ec2, instance_id, "instanceType", "InstanceType") == {"Value": "m5.xlarge"}
    # back to a burstable type: its default credit option, the old `standard` went with the m5
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.small"})
    (credits,) = ec2.describe_instance_credit_specifications(InstanceIds=[instance_id])["InstanceCreditSpecifications"]
    assert credits["CpuCredits"] == "unlimited"
    ec2.start_instances(InstanceIds=[instance_id])
    settle(server)
    assert _instance(ec2, instance_id)["State"]["Name"] == "running"


def test_a_type_with_room_for_fewer_network_interfaces_is_refused(server, ec2, net, cli):
    """A c5.large (3 ENIs) with three attached cannot become a t3.micro (2); with two it can."""
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    extra = []
    for index in (1, 2):
        eni = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
        extra.append(ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance_id, DeviceIndex=index))
    _stopped(server, ec2, instance_id)
    before = digest(server)
    refusal = (
        "InvalidInstanceAttributeValue",
        "Modifying the instance type from c5.large to t3.micro is not allowed. The instance "
        f"'{instance_id}' has 3 network interfaces attached; t3.micro supports at most 2.",
        400,
    )
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, InstanceType={"Value": "t3.micro"}) == (
        refusal
    )
    # the older Attribute/Value form is the same change, refused alike
    assert (
        error_of(ec2.modify_instance_attribute, InstanceId=instance_id, Attribute="instanceType", Value="t3.micro")
        == refusal
    )
    with pytest.raises(CliError) as caught:
        cli("ec2", "modify-instance-attribute", "--instance-id", instance_id, "--instance-type", "Value=t3.micro")
    assert f"(InvalidInstanceAttributeValue) when calling the ModifyInstanceAttribute operation: {refusal[1]}" in (
        caught.value.stderr
    )
    assert digest(server) == before
    assert _instance(ec2, instance_id)["InstanceType"] == "c5.large"
    # a type with room for all three is fine
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "m5.large"})
    ec2.detach_network_interface(AttachmentId=extra[1]["AttachmentId"])
    settle(server)
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.micro"})
    assert _instance(ec2, instance_id)["InstanceType"] == "t3.micro"


def test_a_type_with_another_number_of_network_cards_is_refused(server, ec2, net):
    """The User Guide: the new type must support the same number of network cards (c6in.32xlarge
    has two, c6in.16xlarge one), however few interfaces are attached."""
    instance_id = ec2_world.launch(server.client, net["subnet"], "c6in.16xlarge")
    _stopped(server, ec2, instance_id)
    before = digest(server)
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, InstanceType={"Value": "c6in.32xlarge"}) == (
        "InvalidInstanceAttributeValue",
        "Modifying the instance type from c6in.16xlarge to c6in.32xlarge is not allowed.",
        400,
    )
    assert digest(server) == before
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "c6in.8xlarge"})
    assert _instance(ec2, instance_id)["InstanceType"] == "c6in.8xlarge"


def test_a_burstable_type_keeps_its_credit_option(server, ec2, net):
    instance_id = ec2.run_instances(
        ImageId=ec2_world.image(server.client("ssm")),
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        CreditSpecification={"CpuCredits": "standard"},
    )["Instances"][0]["InstanceId"]
    _stopped(server, ec2, instance_id)
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.large"})
    (credits,) = ec2.describe_instance_credit_specifications(InstanceIds=[instance_id])["InstanceCreditSpecifications"]
    assert credits["CpuCredits"] == "standard"


def test_an_unknown_or_foreign_architecture_type_is_refused(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    _stopped(server, ec2, instance_id)
    before = digest(server)
    # the API reference: "If the instance type is not valid, the error returned is InvalidInstanceAttributeValue"
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, InstanceType={"Value": "t9.huge"}) == (
        "InvalidInstanceAttributeValue",
        "Invalid value 't9.huge' for InstanceType.",
        400,
    )
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, InstanceType={"Value": "m6g.large"}) == (
        "InvalidInstanceAttributeValue",
        "Modifying the instance type from c5.large to m6g.large is not allowed. The instance type 'm6g.large' "
        f"does not support the architecture 'x86_64' of the instance '{instance_id}'.",
        400,
    )
    assert digest(server) == before


def test_user_data_changes_while_stopped_and_reads_back(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, UserData={"Value": b"#!/bin/sh\n"})[:2] == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in the 'stopped' state.",
    )
    _stopped(server, ec2, instance_id)
    ec2.modify_instance_attribute(InstanceId=instance_id, UserData={"Value": b"#!/bin/sh\necho hi\n"})
    shown = _attribute(ec2, instance_id, "userData", "UserData")
    assert base64.b64decode(shown["Value"]) == b"#!/bin/sh\necho hi\n"
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, UserData={"Value": b"x" * 16385})[:2] == (
        "InvalidParameterValue",
        "User data is limited to 16384 bytes",
    )


def test_one_attribute_per_call(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    before = digest(server)
    code, message, status = error_of(
        ec2.modify_instance_attribute,
        InstanceId=instance_id,
        DisableApiTermination={"Value": True},
        SourceDestCheck={"Value": False},
    )
    assert (code, status) == ("InvalidParameterCombination", 400)
    assert message.startswith("Fields for multiple attribute types specified")
    # nothing to change, or an empty group list (what Ansible once sent)
    for nothing in ({}, {"Groups": []}):
        assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, **nothing) == (
            "InvalidParameterCombination",
            "No attributes specified.",
            400,
        )
    assert digest(server) == before


# --- protection and shutdown behaviour ------------------------------------------------------------


def test_termination_protection_refuses_terminate_until_lifted(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": True})
    assert _attribute(ec2, instance_id, "disableApiTermination", "DisableApiTermination") == {"Value": True}
    assert error_of(ec2.terminate_instances, InstanceIds=[instance_id]) == (
        "OperationNotPermitted",
        f"The instance '{instance_id}' may not be terminated. Modify its 'disableApiTermination' instance "
        "attribute and try again.",
        400,
    )
    # the older form: Attribute and Value
    ec2.modify_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination", Value="false")
    assert _attribute(ec2, instance_id, "disableApiTermination", "DisableApiTermination") == {"Value": False}
    ec2.terminate_instances(InstanceIds=[instance_id])
    settle(server)
    assert _instance(ec2, instance_id)["State"]["Name"] == "terminated"
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, DisableApiStop={"Value": True})[:2] == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in a state from which it can be modified.",
    )


def test_stop_protection_and_shutdown_behavior(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiStop={"Value": True})
    assert error_of(ec2.stop_instances, InstanceIds=[instance_id])[0] == "OperationNotPermitted"
    ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiStop={"Value": False})
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceInitiatedShutdownBehavior={"Value": "terminate"})
    shown = _attribute(ec2, instance_id, "instanceInitiatedShutdownBehavior", "InstanceInitiatedShutdownBehavior")
    assert shown == {"Value": "terminate"}
    assert error_of(
        ec2.modify_instance_attribute, InstanceId=instance_id, InstanceInitiatedShutdownBehavior={"Value": "hibernate"}
    )[:2] == (
        "InvalidParameterValue",
        "Value (hibernate) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values: stop, terminate",
    )


def test_ebs_optimized_while_stopped_and_delete_on_termination(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, EbsOptimized={"Value": True})[0] == (
        "IncorrectInstanceState"
    )
    root = _instance(ec2, instance_id)["RootDeviceName"]
    ec2.modify_instance_attribute(
        InstanceId=instance_id, BlockDeviceMappings=[{"DeviceName": root, "Ebs": {"DeleteOnTermination": False}}]
    )
    (mapping,) = _instance(ec2, instance_id)["BlockDeviceMappings"]
    assert mapping["Ebs"]["DeleteOnTermination"] is False
    volume_id = mapping["Ebs"]["VolumeId"]
    assert ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]["Attachments"][0]["DeleteOnTermination"] is False
    _stopped(server, ec2, instance_id)
    ec2.modify_instance_attribute(InstanceId=instance_id, EbsOptimized={"Value": True})
    assert _attribute(ec2, instance_id, "ebsOptimized", "EbsOptimized") == {"Value": True}
    ec2.terminate_instances(InstanceIds=[instance_id])
    settle(server)
    # kept, now that it is no longer deleted with the instance
    assert ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]["State"] == "available"


# --- the primary network interface ----------------------------------------------------------------


def test_groups_and_source_dest_check_change_the_primary_interface(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=net["vpc"])["GroupId"]
    ec2.modify_instance_attribute(InstanceId=instance_id, Groups=[group])
    instance = _instance(ec2, instance_id)
    assert [g["GroupId"] for g in instance["SecurityGroups"]] == [group]
    assert [g["GroupId"] for g in instance["NetworkInterfaces"][0]["Groups"]] == [group]
    assert [g["GroupId"] for g in _attribute(ec2, instance_id, "groupSet", "Groups")] == [group]
    by_group = ec2.describe_instances(Filters=[{"Name": "instance.group-id", "Values": [group]}])["Reservations"]
    assert [i["InstanceId"] for r in by_group for i in r["Instances"]] == [instance_id]
    ec2.modify_instance_attribute(InstanceId=instance_id, SourceDestCheck={"Value": False})
    assert _attribute(ec2, instance_id, "sourceDestCheck", "SourceDestCheck") == {"Value": False}
    assert _instance(ec2, instance_id)["NetworkInterfaces"][0]["SourceDestCheck"] is False
    other_vpc = ec2_world.new_vpc_id(ec2, "10.9.0.0/16")
    foreign = ec2.create_security_group(GroupName="elsewhere", Description="x", VpcId=other_vpc)["GroupId"]
    before = digest(server)
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, Groups=[foreign])[0] == "InvalidParameter"
    assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, Groups=["sg-0123456789abcdef0"])[0] == (
        "InvalidGroup.NotFound"
    )
    assert digest(server) == before


def test_several_interfaces_need_the_interface_call(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    eni = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance_id, DeviceIndex=1)
    settle(server)
    before = digest(server)
    for change in ({"SourceDestCheck": {"Value": False}}, {"Groups": [ec2_world.default_group(ec2, net["vpc"])]}):
        assert error_of(ec2.modify_instance_attribute, InstanceId=instance_id, **change) == (
            "InvalidInstanceID",
            f"There are multiple interfaces attached to instance '{instance_id}'. "
            "Please specify an interface ID for the operation instead.",
            400,
        )
    assert digest(server) == before


def test_modify_instance_attribute_with_the_cli(server, ec2, net, cli):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    cli("ec2", "modify-instance-attribute", "--instance-id", instance_id, "--disable-api-termination")
    shown = cli(
        "ec2", "describe-instance-attribute", "--instance-id", instance_id, "--attribute", "disableApiTermination"
    )
    assert shown["DisableApiTermination"] == {"Value": True}
    with pytest.raises(CliError) as caught:
        cli("ec2", "modify-instance-attribute", "--instance-id", instance_id, "--instance-type", "m5.xlarge")
    assert (
        f"(IncorrectInstanceState) when calling the ModifyInstanceAttribute operation: The instance '{instance_id}' "
        "is not in the 'stopped' state." in caught.value.stderr
    )


# --- ModifyInstanceCpuOptions --------------------------------------------------------------------


def test_cpu_options_change_only_while_stopped(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"], "c5.xlarge")
    settle(server)
    before = digest(server)
    assert error_of(ec2.modify_instance_cpu_options, InstanceId=instance_id, CoreCount=1, ThreadsPerCore=1) == (
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in the 'stopped' state.",
        400,
    )
    assert digest(server) == before
    _stopped(server, ec2, instance_id)
    answer = ec2.modify_instance_cpu_options(InstanceId=instance_id, CoreCount=1, ThreadsPerCore=1)
    answer.pop("ResponseMetadata")
    assert answer == {"InstanceId": instance_id, "CoreCount": 1, "ThreadsPerCore": 1}
    assert _instance(ec2, instance_id)["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 1}
    ec2.start_instances(InstanceIds=[instance_id])
    settle(server)
    assert _instance(ec2, instance_id)["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 1}


def test_cpu_options_are_checked_as_at_launch(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"], "c5.xlarge")
    metal_id = ec2_world.launch(server.client, net["subnet"], "c5.metal")
    _stopped(server, ec2, instance_id)
    _stopped(server, ec2, metal_id)
    before = digest(server)
    both = "When specifying CpuOptions you must specify both CoreCount and ThreadsPerCore."
    refusals = [
        (
            {"CoreCount": 3, "ThreadsPerCore": 2},
            "InvalidParameterValue",
            "Value (3) for parameter coreCount is invalid. Instance type c5.xlarge supports 1 to 2 cores.",
        ),
        (
            {"CoreCount": 2, "ThreadsPerCore": 3},
            "InvalidParameterValue",
            "Value (3) for parameter threadsPerCore is "
            "invalid. Instance type c5.xlarge supports 1 to 2 threads per core.",
        ),
        ({"CoreCount": 1}, "MissingParameter", both),
        ({}, "MissingParameter", both),
        (
            {"NestedVirtualization": "enabled"},
            "InvalidParameterValue",
            "trunkline does not support NestedVirtualization on instances yet.",
        ),
    ]
    for given, code, message in refusals:
        assert error_of(ec2.modify_instance_cpu_options, InstanceId=instance_id, **given) == (code, message, 400)
    assert error_of(ec2.modify_instance_cpu_options, InstanceId=metal_id, CoreCount=1, ThreadsPerCore=1) == (
        "InvalidParameterCombination",
        "CPU options are not supported for instance type 'c5.metal'.",
        400,
    )
    missing = "i-0123456789abcdef0"
    assert error_of(ec2.modify_instance_cpu_options, InstanceId=missing, CoreCount=1, ThreadsPerCore=1) == (
        "InvalidInstanceID.NotFound",
        f"The instance ID '{missing}' does not exist",
        400,
    )
    assert digest(server) == before
    assert _instance(ec2, instance_id)["CpuOptions"] == {"CoreCount": 2, "ThreadsPerCore": 2}


def test_modify_instance_cpu_options_with_the_cli(server, ec2, net, cli):
    instance_id = ec2_world.launch(server.client, net["subnet"], "c5.xlarge")
    _stopped(server, ec2, instance_id)
    answer = cli(
        "ec2",
        "modify-instance-cpu-options",
        "--instance-id",
        instance_id,
        "--core-count",
        "2",
        "--threads-per-core",
        "1",
    )
    assert answer == {"InstanceId": instance_id, "CoreCount": 2, "ThreadsPerCore": 1}


# --- ModifyInstanceMetadataOptions ----------------------------------------------------------------


def test_metadata_options_change_and_show_applied(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    before = _instance(ec2, instance_id)["MetadataOptions"]
    answer = ec2.modify_instance_metadata_options(
        InstanceId=instance_id, HttpTokens="optional", HttpPutResponseHopLimit=5, InstanceMetadataTags="enabled"
    )
    assert answer["InstanceId"] == instance_id
    assert answer["InstanceMetadataOptions"] == {
        **before,
        "State": "pending",
        "HttpTokens": "optional",
        "HttpPutResponseHopLimit": 5,
        "InstanceMetadataTags": "enabled",
    }
    shown = _instance(ec2, instance_id)["MetadataOptions"]
    assert shown == {**answer["InstanceMetadataOptions"], "State": "applied"}
    found = ec2.describe_instances(Filters=[{"Name": "metadata-options.http-tokens", "Values": ["optional"]}])
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [instance_id]
    # members left out stay as they are
    ec2.modify_instance_metadata_options(InstanceId=instance_id, HttpTokens="required")
    assert _instance(ec2, instance_id)["MetadataOptions"]["HttpPutResponseHopLimit"] == 5


def test_metadata_options_are_checked(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    before = digest(server)
    assert error_of(ec2.modify_instance_metadata_options, InstanceId=instance_id, HttpPutResponseHopLimit=65) == (
        "InvalidParameterValue",
        "Value (65) for parameter HttpPutResponseHopLimit is invalid. Must be between 1 and 64.",
        400,
    )
    assert error_of(
        ec2.modify_instance_metadata_options, InstanceId=instance_id, HttpTokens="required", HttpEndpoint="off"
    )[:2] == (
        "InvalidParameterValue",
        "Value (off) for parameter HttpEndpoint is invalid. Member must satisfy enum value set: [disabled, enabled]",
    )
    assert error_of(ec2.modify_instance_metadata_options, InstanceId="i-0123456789abcdef0")[0] == (
        "InvalidInstanceID.NotFound"
    )
    assert digest(server) == before


def test_metadata_options_with_the_cli(server, ec2, net, cli):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    answer = cli(
        "ec2", "modify-instance-metadata-options", "--instance-id", instance_id, "--http-tokens", "required",
        "--http-endpoint", "enabled", "--http-put-response-hop-limit", "1",
    )  # fmt: skip
    assert answer["InstanceMetadataOptions"]["State"] == "pending"
    shown = cli(
        "ec2", "describe-instances", "--instance-ids", instance_id,
        "--query", "Reservations[0].Instances[0].MetadataOptions.[HttpTokens,HttpPutResponseHopLimit,State]",
    )  # fmt: skip
    assert shown == ["required", 1, "applied"]


# --- ModifyNetworkInterfaceAttribute (how Terraform changes an instance's vpc_security_group_ids) ---


def _primary(ec2: Any, instance_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        e for e in _instance(ec2, instance_id)["NetworkInterfaces"] if e["Attachment"]["DeviceIndex"] == 0
    )
    return found


def test_the_primary_interface_groups_change_with_several_interfaces(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    extra = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=instance_id, DeviceIndex=1)
    group = ec2.create_security_group(GroupName="api", Description="api", VpcId=net["vpc"])["GroupId"]
    primary = _primary(ec2, instance_id)["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=primary, Groups=[group, net["default_sg"]])
    assert [g["GroupId"] for g in _instance(ec2, instance_id)["SecurityGroups"]] == [group, net["default_sg"]]
    # the group now has a member: it cannot be deleted
    assert error_of(ec2.delete_security_group, GroupId=group)[0] == "DependencyViolation"
    ec2.modify_network_interface_attribute(NetworkInterfaceId=primary, Description={"Value": "front"})
    attachment = _primary(ec2, instance_id)["Attachment"]["AttachmentId"]
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=primary, Attachment={"AttachmentId": attachment, "DeleteOnTermination": False}
    )
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[primary])["NetworkInterfaces"][0]
    assert shown["Description"] == "front" and shown["Attachment"]["DeleteOnTermination"] is False
    ec2.modify_network_interface_attribute(NetworkInterfaceId=primary, Groups=[net["default_sg"]])
    ec2.delete_security_group(GroupId=group)


def test_network_interface_changes_are_checked(server, ec2, net):
    eni = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    before = digest(server)
    code, message, _ = error_of(
        ec2.modify_network_interface_attribute,
        NetworkInterfaceId=eni,
        SourceDestCheck={"Value": False},
        Description={"Value": "x"},
    )
    assert code == "InvalidParameterCombination" and message.startswith("Fields for multiple attribute types")
    assert error_of(
        ec2.modify_network_interface_attribute,
        NetworkInterfaceId=eni,
        Attachment={"AttachmentId": "eni-attach-0123456789abcdef0", "DeleteOnTermination": False},
    )[:2] == ("InvalidAttachmentID.NotFound", "The attachment ID 'eni-attach-0123456789abcdef0' does not exist")
    assert error_of(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni, AssociatePublicIpAddress=True)[
        :2
    ] == ("InvalidParameterValue", "trunkline does not support AssociatePublicIpAddress on network interfaces yet.")
    assert error_of(ec2.modify_network_interface_attribute, NetworkInterfaceId="eni-0123456789abcdef0")[0] == (
        "InvalidNetworkInterfaceID.NotFound"
    )
    assert digest(server) == before


def test_modify_network_interface_attribute_with_the_cli(server, ec2, net, cli):
    eni = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    cli("ec2", "modify-network-interface-attribute", "--network-interface-id", eni, "--no-source-dest-check")
    shown = cli(
        "ec2", "describe-network-interfaces", "--network-interface-ids", eni,
        "--query", "NetworkInterfaces[0].SourceDestCheck",
    )  # fmt: skip
    assert shown is False


# --- monitoring and maintenance options (Terraform's monitoring and maintenance_options) ------------


def test_monitoring_turns_on_and_off(server, ec2, net):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    assert _instance(ec2, instance_id)["Monitoring"] == {"State": "disabled"}
    answer = ec2.monitor_instances(InstanceIds=[instance_id])["InstanceMonitorings"]
    assert answer == [{"InstanceId": instance_id, "Monitoring": {"State": "pending"}}]
    assert _instance(ec2, instance_id)["Monitoring"] == {"State": "enabled"}
    found = ec2.describe_instances(Filters=[{"Name": "monitoring-state", "Values": ["enabled"]}])["Reservations"]
    assert [i["InstanceId"] for r in found for i in r["Instances"]] == [instance_id]
    answer = ec2.unmonitor_instances(InstanceIds=[instance_id])["InstanceMonitorings"]
    assert answer == [{"InstanceId": instance_id, "Monitoring": {"State": "disabling"}}]
    assert _instance(ec2, instance_id)["Monitoring"] == {"State": "disabled"}
    assert error_of(ec2.monitor_instances, InstanceIds=[instance_id, "i-0123456789abcdef0"])[0] == (
        "InvalidInstanceID.NotFound"
    )
    assert _instance(ec2, instance_id)["Monitoring"] == {"State": "disabled"}


def test_maintenance_options_change(server, ec2, net, cli):
    instance_id = ec2_world.launch(server.client, net["subnet"])
    answer = ec2.modify_instance_maintenance_options(InstanceId=instance_id, AutoRecovery="disabled")
    assert (answer["InstanceId"], answer["AutoRecovery"]) == (instance_id, "disabled")
    assert _instance(ec2, instance_id)["MaintenanceOptions"]["AutoRecovery"] == "disabled"
    shown = cli("ec2", "monitor-instances", "--instance-ids", instance_id)
    assert shown["InstanceMonitorings"][0]["Monitoring"]["State"] == "pending"
    cli("ec2", "modify-instance-maintenance-options", "--instance-id", instance_id, "--auto-recovery", "default")
    assert _instance(ec2, instance_id)["MaintenanceOptions"]["AutoRecovery"] == "default"
