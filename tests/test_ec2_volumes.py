"""The EBS volumes a launch makes (session 8): the image's block device mappings with what
RunInstances or the launch template asks on top, shown in DescribeInstances' BlockDeviceMappings,
DescribeInstanceAttribute and DescribeVolumes (as Terraform's aws_instance reads root_block_device
and ebs_block_device), checked as EC2 checks them, deleted or kept when the instance terminates."""

from __future__ import annotations

from typing import Any

import pytest

import ec2_world
from ec2_world import digest, network, settle


def _image(server: Any) -> dict[str, Any]:
    image_id = ec2_world.image(server.client("ssm"))
    found: dict[str, Any] = server.client("ec2").describe_images(ImageIds=[image_id])["Images"][0]
    return found


def _instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    found: dict[str, Any] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return found


@pytest.fixture
def net(ec2: Any) -> dict[str, str]:
    return network(ec2)


def test_an_instance_gets_its_images_root_volume(server, ec2, net):
    image = _image(server)
    (root,) = image["BlockDeviceMappings"]
    instance_id = ec2_world.launch(server.client, net["subnet"])
    instance = _instance(ec2, instance_id)
    (mapping,) = instance["BlockDeviceMappings"]
    assert mapping["DeviceName"] == instance["RootDeviceName"] == image["RootDeviceName"]
    assert mapping["Ebs"]["Status"] == "attached" and mapping["Ebs"]["DeleteOnTermination"] is True
    volume_id = mapping["Ebs"]["VolumeId"]
    assert volume_id.startswith("vol-")
    (volume,) = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"]
    assert volume["Size"] == root["Ebs"]["VolumeSize"] and volume["VolumeType"] == root["Ebs"]["VolumeType"]
    assert volume["SnapshotId"] == root["Ebs"]["SnapshotId"] and volume["Encrypted"] is False
    assert volume["State"] == "in-use" and volume["AvailabilityZone"] == instance["Placement"]["AvailabilityZone"]
    assert volume["MultiAttachEnabled"] is False
    (attachment,) = volume["Attachments"]
    assert (attachment["InstanceId"], attachment["Device"], attachment["State"]) == (
        instance_id,
        mapping["DeviceName"],
        "attached",
    )
    assert attachment["DeleteOnTermination"] is True
    shown = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="blockDeviceMapping")
    assert [m["Ebs"]["VolumeId"] for m in shown["BlockDeviceMappings"]] == [volume_id]
    by_instance = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])
    assert [v["VolumeId"] for v in by_instance["Volumes"]] == [volume_id]


def test_block_device_mappings_change_the_root_and_add_volumes(server, ec2, net):
    image = _image(server)
    root = image["RootDeviceName"]
    answer = ec2.run_instances(
        ImageId=image["ImageId"],
        InstanceType="c5.large",
        MinCount=1,
        MaxCount=1,
        SubnetId=net["subnet"],
        BlockDeviceMappings=[
            {"DeviceName": root, "Ebs": {"VolumeSize": 50, "VolumeType": "gp3", "Iops": 4000, "Throughput": 250}},
            {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 100, "DeleteOnTermination": False, "Encrypted": True}},
        ],
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "data"}]}],
    )
    instance_id = answer["Instances"][0]["InstanceId"]
    mappings = {m["DeviceName"]: m["Ebs"] for m in _instance(ec2, instance_id)["BlockDeviceMappings"]}
    assert list(mappings) == [root, "/dev/sdf"]
    volumes = {v["Attachments"][0]["Device"]: v for v in ec2.describe_volumes()["Volumes"]}
    assert (volumes[root]["Size"], volumes[root]["Iops"], volumes[root]["Throughput"]) == (50, 4000, 250)
    data = volumes["/dev/sdf"]
    assert (data["Size"], data["VolumeType"], data["Iops"], data["Encrypted"]) == (100, "gp2", 300, True)
    assert data["KmsKeyId"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert data["SnapshotId"] == "" and data["Attachments"][0]["DeleteOnTermination"] is False
    assert all(v["Tags"] == [{"Key": "team", "Value": "data"}] for v in volumes.values())
    tagged = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["volume"]}])["Tags"]
    assert {t["ResourceId"] for t in tagged} == {v["VolumeId"] for v in volumes.values()}
    # termination deletes the root (DeleteOnTermination) and leaves the data volume available
    ec2.terminate_instances(InstanceIds=[instance_id])
    settle(server)
    (left,) = ec2.describe_volumes()["Volumes"]
    assert left["VolumeId"] == data["VolumeId"] and left["State"] == "available" and left["Attachments"] == []
    assert _instance(ec2, instance_id)["BlockDeviceMappings"] == []


def test_block_device_mappings_are_checked_as_ec2_checks_them(server, ec2, net):
    image = _image(server)
    root = image["RootDeviceName"]
    (mapping,) = image["BlockDeviceMappings"]
    snapshot, size = mapping["Ebs"]["SnapshotId"], mapping["Ebs"]["VolumeSize"]
    before = digest(server)
    cases = [
        (
            [{"DeviceName": root, "Ebs": {"VolumeSize": 8}}],
            "InvalidBlockDeviceMapping",
            f"Volume of size 8GB is smaller than snapshot '{snapshot}', expect size >= {size}GB",
        ),
        (
            [{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 10, "VolumeType": "gp2", "Iops": 500}}],
            "InvalidParameterCombination",
            "The parameter iops is not supported for gp2 volumes.",
        ),
        (
            [{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 10, "VolumeType": "io1"}}],
            "InvalidParameterCombination",
            "The parameter iops must be specified for io1 volumes.",
        ),
        (
            [{"DeviceName": "/dev/sdf", "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}],
            "InvalidSnapshot.NotFound",
            "The snapshot 'snap-0123456789abcdef0' does not exist.",
        ),
    ]
    for mappings, code, message in cases:
        got = ec2_world.error_of(
            ec2.run_instances,
            ImageId=image["ImageId"],
            InstanceType="c5.large",
            MinCount=1,
            MaxCount=1,
            SubnetId=net["subnet"],
            BlockDeviceMappings=mappings,
        )
        assert got[:2] == (code, message)
    assert digest(server) == before
    got = ec2_world.error_of(ec2.describe_volumes, VolumeIds=["vol-0123456789abcdef0"])
    assert got[:2] == ("InvalidVolume.NotFound", "The volume 'vol-0123456789abcdef0' does not exist.")


def test_a_launch_template_and_the_cli_carry_block_device_mappings(server, ec2, net, cli):
    image = _image(server)
    ec2.create_launch_template(
        LaunchTemplateName="disks",
        LaunchTemplateData={
            "ImageId": image["ImageId"],
            "InstanceType": "c5.large",
            "BlockDeviceMappings": [{"DeviceName": image["RootDeviceName"], "Ebs": {"VolumeSize": 64}}],
        },
    )
    launched = cli(
        "ec2",
        "run-instances",
        "--launch-template",
        "LaunchTemplateName=disks",
        "--subnet-id",
        net["subnet"],
        "--block-device-mappings",
        "DeviceName=/dev/sdg,Ebs={VolumeSize=200,VolumeType=st1}",
    )
    instance_id = launched["Instances"][0]["InstanceId"]
    # the call's BlockDeviceMappings replace the template's (a member given replaces the template's whole)
    shown = cli(
        "ec2",
        "describe-volumes",
        "--filters",
        f"Name=attachment.instance-id,Values={instance_id}",
        "--query",
        "Volumes[].[Attachments[0].Device,Size,VolumeType]",
    )
    root = image["BlockDeviceMappings"][0]["Ebs"]
    assert sorted(shown) == sorted(
        [[image["RootDeviceName"], root["VolumeSize"], root["VolumeType"]], ["/dev/sdg", 200, "st1"]]
    )
    by_template = ec2.run_instances(
        LaunchTemplate={"LaunchTemplateName": "disks"}, MinCount=1, MaxCount=1, SubnetId=net["subnet"]
    )["Instances"][0]["InstanceId"]
    (volume,) = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [by_template]}])["Volumes"]
    assert volume["Size"] == 64


@pytest.mark.parametrize(
    ("operation", "ids", "member"),
    [
        ("describe_volumes", {"VolumeIds": ["vol-0123456789abcdef0"]}, "volumeSet"),
        (
            "describe_iam_instance_profile_associations",
            {"AssociationIds": ["iip-assoc-0123456789abcdef0"]},
            "associationIds",
        ),
    ],
)
def test_ids_and_a_page_size_together_are_refused(ec2, operation, ids, member):
    """EC2's Describe calls take ids or MaxResults, not both, checked before the ids are looked up."""
    with pytest.raises(ec2.exceptions.ClientError) as refused:
        getattr(ec2, operation)(**ids, MaxResults=5)
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterCombination",
        f"The parameter {member} cannot be used with the parameter maxResults",
    )
