"""Reading and changing one attribute of a network interface or a volume (session 9):
DescribeNetworkInterfaceAttribute (description, groupSet, sourceDestCheck, attachment,
associatePublicIpAddress) and Describe/ModifyVolumeAttribute (autoEnableIO, productCodes), as the
AWS CLI's describe-network-interface-attribute, describe-volume-attribute and
modify-volume-attribute call them, with EC2's refusals."""

from __future__ import annotations

from typing import Any

import pytest

import ec2_world
from conftest import CliError
from ec2_world import digest, error_of, network, settle

ENI_ATTRIBUTES = "[description, groupSet, sourceDestCheck, attachment, associatePublicIpAddress]"


@pytest.fixture
def net(ec2: Any) -> dict[str, str]:
    return network(ec2)


def _eni_attribute(ec2: Any, eni_id: str, attribute: str) -> dict[str, Any]:
    answer: dict[str, Any] = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute=attribute)
    answer.pop("ResponseMetadata")
    return answer


# --- DescribeNetworkInterfaceAttribute ------------------------------------------------------------


def test_each_network_interface_attribute_reads_back(server, ec2, net):
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=net["vpc"])["GroupId"]
    eni_id = ec2.create_network_interface(SubnetId=net["subnet"], Description="db link", Groups=[group])[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    assert _eni_attribute(ec2, eni_id, "description") == {
        "NetworkInterfaceId": eni_id,
        "Description": {"Value": "db link"},
    }
    assert _eni_attribute(ec2, eni_id, "groupSet") == {
        "NetworkInterfaceId": eni_id,
        "Groups": [{"GroupId": group, "GroupName": "web"}],
    }
    assert _eni_attribute(ec2, eni_id, "sourceDestCheck") == {
        "NetworkInterfaceId": eni_id,
        "SourceDestCheck": {"Value": True},
    }
    # not attached: the id alone
    assert _eni_attribute(ec2, eni_id, "attachment") == {"NetworkInterfaceId": eni_id}
    assert _eni_attribute(ec2, eni_id, "associatePublicIpAddress") == {
        "NetworkInterfaceId": eni_id,
        "AssociatePublicIpAddress": False,
    }
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, SourceDestCheck={"Value": False})
    assert _eni_attribute(ec2, eni_id, "sourceDestCheck")["SourceDestCheck"] == {"Value": False}

    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    attachment_id = ec2.attach_network_interface(NetworkInterfaceId=eni_id, InstanceId=instance_id, DeviceIndex=1)[
        "AttachmentId"
    ]
    settle(server)
    shown = _eni_attribute(ec2, eni_id, "attachment")["Attachment"]
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["Attachment"]
    assert shown == described
    assert (shown["AttachmentId"], shown["InstanceId"], shown["DeviceIndex"], shown["Status"]) == (
        attachment_id,
        instance_id,
        1,
        "attached",
    )


def test_a_launch_public_address_shows_as_associate_public_ip_address(server, ec2):
    net = network(ec2, public=True)
    instance_id = ec2_world.launch(server.client, net["subnet"])
    settle(server)
    primary = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["NetworkInterfaces"][
        0
    ]["NetworkInterfaceId"]
    assert _eni_attribute(ec2, primary, "associatePublicIpAddress")["AssociatePublicIpAddress"] is True


def test_network_interface_attribute_refusals(server, ec2, net):
    eni_id = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    before = digest(server)
    assert error_of(ec2.describe_network_interface_attribute, NetworkInterfaceId=eni_id) == (
        "MissingParameter",
        "The request must contain the parameter attribute",
        400,
    )
    assert error_of(ec2.describe_network_interface_attribute, NetworkInterfaceId=eni_id, Attribute="macAddress") == (
        "InvalidParameterValue",
        f"Value (macAddress) for parameter Attribute is invalid. Member must satisfy enum value set: {ENI_ATTRIBUTES}",
        400,
    )
    missing = "eni-0123456789abcdef0"
    assert error_of(ec2.describe_network_interface_attribute, NetworkInterfaceId=missing, Attribute="description") == (
        "InvalidNetworkInterfaceID.NotFound",
        f"The networkInterface ID '{missing}' does not exist",
        400,
    )
    assert error_of(ec2.describe_network_interface_attribute, NetworkInterfaceId="eni-x", Attribute="description")[
        0
    ] == ("InvalidNetworkInterfaceId.Malformed")
    assert digest(server) == before


def test_describe_network_interface_attribute_with_the_cli(server, ec2, net, cli):
    eni_id = ec2.create_network_interface(SubnetId=net["subnet"], Description="from the cli")["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    shown = cli(
        "ec2", "describe-network-interface-attribute", "--network-interface-id", eni_id, "--attribute", "description"
    )
    assert shown == {"NetworkInterfaceId": eni_id, "Description": {"Value": "from the cli"}}


# --- Describe/ModifyVolumeAttribute -----------------------------------------------------------------


def _volume(server: Any, ec2: Any) -> str:
    volume_id = str(ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"])
    settle(server)
    return volume_id


def _volume_attribute(ec2: Any, volume_id: str, attribute: str) -> dict[str, Any]:
    answer: dict[str, Any] = ec2.describe_volume_attribute(VolumeId=volume_id, Attribute=attribute)
    answer.pop("ResponseMetadata")
    return answer


def test_auto_enable_io_is_off_until_turned_on_and_no_product_codes(server, ec2):
    volume_id = _volume(server, ec2)
    assert _volume_attribute(ec2, volume_id, "autoEnableIO") == {
        "VolumeId": volume_id,
        "AutoEnableIO": {"Value": False},
    }
    assert _volume_attribute(ec2, volume_id, "productCodes") == {"VolumeId": volume_id, "ProductCodes": []}
    ec2.modify_volume_attribute(VolumeId=volume_id, AutoEnableIO={"Value": True})
    assert _volume_attribute(ec2, volume_id, "autoEnableIO")["AutoEnableIO"] == {"Value": True}
    # kept, not shown, by DescribeVolumes (whose Volume shape has no such member)
    assert "AutoEnableIO" not in ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    ec2.modify_volume_attribute(VolumeId=volume_id, AutoEnableIO={"Value": False})
    assert _volume_attribute(ec2, volume_id, "autoEnableIO")["AutoEnableIO"] == {"Value": False}


def test_volume_attribute_refusals(server, ec2):
    volume_id = _volume(server, ec2)
    before = digest(server)
    assert error_of(ec2.modify_volume_attribute, VolumeId=volume_id) == (
        "MissingParameter",
        "The request must contain the parameter autoEnableIO",
        400,
    )
    assert error_of(ec2.describe_volume_attribute, VolumeId=volume_id, Attribute="size") == (
        "InvalidParameterValue",
        "Value (size) for parameter Attribute is invalid. Member must satisfy enum value set: [autoEnableIO, "
        "productCodes]",
        400,
    )
    missing = "vol-0123456789abcdef0"
    for call, extra in (
        (ec2.describe_volume_attribute, {"Attribute": "autoEnableIO"}),
        (ec2.modify_volume_attribute, {"AutoEnableIO": {"Value": True}}),
    ):
        assert error_of(call, VolumeId=missing, **extra) == (
            "InvalidVolume.NotFound",
            f"The volume '{missing}' does not exist.",
            400,
        )
    assert digest(server) == before


def test_volume_attributes_with_the_cli(server, ec2, cli):
    volume_id = _volume(server, ec2)
    cli("ec2", "modify-volume-attribute", "--volume-id", volume_id, "--auto-enable-io")
    shown = cli("ec2", "describe-volume-attribute", "--volume-id", volume_id, "--attribute", "autoEnableIO")
    assert shown == {"VolumeId": volume_id, "AutoEnableIO": {"Value": True}}
    with pytest.raises(CliError) as caught:
        cli("ec2", "describe-volume-attribute", "--volume-id", "vol-0123456789abcdef0", "--attribute", "autoEnableIO")
    assert (
        "(InvalidVolume.NotFound) when calling the DescribeVolumeAttribute operation: "
        "The volume 'vol-0123456789abcdef0' does not exist." in caught.value.stderr
    )
